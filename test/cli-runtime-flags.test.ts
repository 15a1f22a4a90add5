/**
 * The cluster commands' flag checks, run in-process through `main(argv, io)`: each one
 * happens before any cluster access, so no server is needed.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runInProcess } from './cli-in-process.js';
import { TOKEN_DECLARATION_ANNOTATION } from '../src/contract/token-declaration.js';
import { canI } from '../src/runtime/can-i.js';
import { mintDeclaredTokens } from '../src/runtime/mint-declared.js';
import { mintToken } from '../src/runtime/mint.js';
import { DEFAULT_RETRY_POLICY } from '../src/runtime/retry.js';
import { tempDir } from './temp-dir.js';

const run = runInProcess;

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const JWT = [
  b64({ alg: 'RS256', kid: 'k1' }),
  b64({ sub: 'system:serviceaccount:shop:deployer', exp: 4102444800 }),
  'c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU',
].join('.');

describe('token flags never echo a token', () => {
  test.each([['--token-env'], ['--token-file']])(
    'inspect %s <jwt> is a usage error that quotes no part of the jwt',
    async (flag) => {
      const r = await run(['inspect', flag, JWT]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`the value given to ${flag} looks like a token itself`));
      for (const part of JWT.split('.')) {
        expect(r.stdout + r.stderr).not.toContain(part.slice(0, 12));
      }
    },
  );

  test('a partial token (header only) is not echoed either', async () => {
    const header = JWT.split('.')[0];
    const r = await run(['inspect', '--token-env', header]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pass the NAME of an environment variable');
    expect(r.stderr).not.toContain(header.slice(0, 12));
  });

  test('every stderr message is redacted, including unknown-flag errors from the parser', async () => {
    const r = await run(['inspect', `--${JWT}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain(JWT.split('.')[1].slice(0, 12));
  });

  test('GIVEN an empty token file or variable THEN the error says where the empty token came from', async () => {
    const file = join(tempDir('empty-'), 'token');
    writeFileSync(file, '\n');
    const fromFile = await run(['inspect', '--token-file', file]);
    expect(fromFile.stderr).toBe(`error: the token from --token-file '${file}' is empty\n`);
    const fromEnv = await run(['inspect', '--token-env', 'EMPTY_TOKEN'], { EMPTY_TOKEN: ' ' });
    expect(fromEnv.stderr).toBe(
      "error: the token from environment variable 'EMPTY_TOKEN' is empty\n",
    );
  });

  test('a name that is not set is still named', async () => {
    const r = await run(['inspect', '--token-env', 'DEPLOY_TOKEN']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("environment variable 'DEPLOY_TOKEN' is not set");
  });
});

describe('mint flag checks (before any cluster access)', () => {
  const dir = tempDir('cli-mint-');
  // A configuration that loads but whose server does not answer: nothing may reach it.
  const kubeconfig = join(dir, 'nowhere.kubeconfig');
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:9' } }],
      users: [{ name: 'u', user: { token: 'not-a-real-token' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'shop' } }],
      'current-context': 'x',
    }),
  );
  const manifests = join(dir, 'dist');
  mkdirSync(manifests);
  const declaringStdout = (name: string) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name,
      namespace: 'shop',
      annotations: {
        [TOKEN_DECLARATION_ANNOTATION]: JSON.stringify({
          version: 1,
          durationSeconds: 600,
          audiences: [],
          store: { kind: 'stdout' },
          boundToSecret: false,
        }),
      },
    },
  });
  writeFileSync(
    join(manifests, 'app.k8s.yaml'),
    [declaringStdout('ci'), declaringStdout('release')].map((d) => stringify(d)).join('---\n'),
  );
  const mint = (...args: string[]) =>
    run(['mint', ...args, '--kubeconfig', kubeconfig, '--max-attempts', '1']);

  test.each([
    [['-o', 'token'], '-o token'],
    [['-o', 'kubeconfig'], '-o kubeconfig'],
    [['--out', 'x.kubeconfig'], '--out'],
    [['--secret', 's'], '--secret'],
    [['--audience', 'a'], '--audience'],
    [['--bind-to-new-secret'], '--bind-to-new-secret'],
    [['--bound-object-kind', 'Secret', '--bound-object-name', 's'], '--bound-object-kind'],
    [['--bound-object-uid', 'u'], '--bound-object-uid'],
    [['--duration', '1h'], '--duration'],
  ])('--from with %j is a usage error naming the flag', async (args, flag) => {
    const r = await mint('--from', manifests, ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: ${flag} cannot be used with --from: each token goes where its declaration says\n`,
    );
  });

  test.each([
    [
      ['--request-timeout', 'soon'],
      "--request-timeout must be a duration like 500ms, 15s, 1m or 1h30m, or a whole number of seconds (0: no timeout), got 'soon'",
    ],
    [
      ['--request-timeout', '-1s'],
      "--request-timeout must be a duration like 500ms, 15s, 1m or 1h30m, or a whole number of seconds (0: no timeout), got '-1s'",
    ],
    [['--max-attempts', '0'], "--max-attempts must be an integer from 1 to 20, got '0'"],
    [
      ['--max-retry-time', '-1'],
      "--max-retry-time must be a duration like 600s, 10m, 1h30m or 2d, got '-1'",
    ],
  ])('the retry bound %j is refused by name, before any cluster access', async (args, message) => {
    const r = await run(['mint', 'deployer', '--kubeconfig', kubeconfig, ...args]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: `error: ${message}\n` });
  });

  test.each([['0'], ['0s'], ['500ms'], ['1ms']])(
    '--request-timeout %s is accepted as kubectl accepts it: the request is sent',
    async (value) => {
      const r = await mint('deployer', '-o', 'name', '--request-timeout', value);
      expect(r.stderr).not.toMatch(/--request-timeout/);
      expect(r.code).toBe(6);
      expect(r.stderr).toMatch(
        /^error: cannot create serviceaccounts\/token 'deployer' .*ECONNREFUSED/,
      );
    },
  );

  describe('the destination is checked before a token is minted', () => {
    const link = join(dir, 'link.token');
    symlinkSync(join(dir, 'elsewhere.token'), link);
    test.each([
      [
        ['--secret', 'Bad_Name'],
        "--secret 'Bad_Name' is invalid: expected a DNS-1123 subdomain (at most 253 characters, lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)",
      ],
      [
        ['-o', 'token', '--out', join(dir, 'missing', 't')],
        `cannot write the token file '${join(dir, 'missing', 't')}' (its folder '${join(dir, 'missing')}' does not exist)`,
      ],
      [
        ['-o', 'token', '--out', link],
        `cannot write the token file '${link}' (it is a symbolic link: give the path of a regular file)`,
      ],
      [
        ['-o', 'kubeconfig', '--out', '/dev/null'],
        "cannot write the token file '/dev/null' (it is not a regular file: give the path of one (for standard output, -o token or -o kubeconfig without --out))",
      ],
      [['--concurrency', '3'], '--concurrency goes with --from: one token is one request'],
      [['-o', 'token', '--out', ''], "cannot write the token file '' (give a file path)"],
      [
        ['-o', 'token', '--out', `${dir}/`],
        `cannot write the token file '${dir}/' (it names a folder: give a file path)`,
      ],
      [
        ['-o', 'token', '--out', join(kubeconfig, 't')],
        `cannot write the token file '${join(kubeconfig, 't')}' ('${kubeconfig}' is not a folder)`,
      ],
      [
        ['-o', 'token', '--out', join(kubeconfig, 'x', 't')],
        `cannot write the token file '${join(kubeconfig, 'x', 't')}' (its folder '${join(kubeconfig, 'x')}' cannot be used (ENOTDIR))`,
      ],
    ])(
      'mint deployer %j: a usage error, and nothing asked of the cluster',
      async (args, message) => {
        const r = await mint('deployer', '--bind-to-new-secret', '--secret', 'ok', ...args);
        expect({ code: r.code, stderr: r.stderr }).toEqual({
          code: 2,
          stderr: `error: ${message}\n`,
        });
      },
    );
  });

  test('a server that does not answer is named, with the attempts made (exit 6)', async () => {
    const r = await mint('deployer', '-o', 'name');
    expect(r.code).toBe(6);
    expect(r.stderr).toBe(
      "error: cannot create serviceaccounts/token 'deployer' in namespace 'shop': ECONNREFUSED (server https://127.0.0.1:9, 1 attempt)\n",
    );
  });

  test("the help's retry defaults are the runtime's", async () => {
    const help = (await run(['mint', '--help'])).stdout.replace(/\s+/g, ' ');
    const { attemptTimeoutMs, maxAttempts, maxTotalMs } = DEFAULT_RETRY_POLICY;
    expect(help).toContain(`timeout of each attempt (default: ${attemptTimeoutMs / 1000}s)`);
    expect(help).toContain(`timeouts (default: ${maxAttempts})`);
    expect(help).toContain(`e.g. 2m (default: ${maxTotalMs / 1000}s)`);
  });

  test('the retry bounds are cluster flags: can-i --manifests refuses them', async () => {
    const r = await run([
      'can-i',
      'get',
      'pods',
      '--manifests',
      manifests,
      '--as',
      'alice',
      '--max-retry-time',
      '1m',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: --max-retry-time asks the cluster and cannot be used with --manifests/,
    );
  });

  test('--bind-to-new-secret without a destination is a usage error', async () => {
    const r = await mint('deployer', '--bind-to-new-secret');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--bind-to-new-secret needs somewhere to keep the token/);
  });

  test.each([
    [['deployer', '--duration', '5m'], '--duration must be at least 10 minutes (600 s), got 300 s'],
    [
      ['--from', manifests, '--concurrency', '0'],
      "--concurrency must be an integer from 1 to 256, got '0'",
    ],
  ])(
    'GIVEN mint %j WHEN the kubeconfig does not even exist THEN the flag is refused first, by name',
    async (args, message) => {
      const r = await run(['mint', ...args, '--kubeconfig', join(dir, 'no-such.kubeconfig')]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({
        code: 2,
        stderr: `error: ${message}\n`,
      });
    },
  );

  test('GIVEN mintToken with a bound object and bindToNewSecret THEN a usage error naming both, before any cluster', async () => {
    const err = mintToken({
      kubeconfig: join(dir, 'no-such.kubeconfig'),
      serviceAccount: 'deployer',
      boundObject: { kind: 'Pod', name: 'job-1' },
      bindToNewSecret: true,
    });
    await expect(err).rejects.toMatchObject({
      category: 'usage',
      message:
        "boundObject (Pod 'job-1') and bindToNewSecret cannot both be set: the token is bound to one object",
    });
  });

  test('GIVEN canI with a token and as THEN a usage error naming both, before any cluster', async () => {
    const err = canI(
      { verb: 'get', apiGroup: '', resource: 'pods' },
      { kubeconfig: join(dir, 'no-such.kubeconfig'), token: 'x', as: { user: 'alice' } },
    );
    await expect(err).rejects.toMatchObject({
      category: 'usage',
      message:
        "token and as (user 'alice') cannot both be given: ask either as a token or about another user",
    });
  });

  test.each([0, 257, 1.5, Number.NaN])(
    'GIVEN mintDeclaredTokens with concurrency %p THEN a usage error before any request',
    async (concurrency) => {
      await expect(mintDeclaredTokens([], { concurrency })).rejects.toMatchObject({
        category: 'usage',
        message: `concurrency must be an integer from 1 to 256, got ${concurrency}`,
      });
    },
  );

  test.each([
    [
      ['--bound-object-kind', 'Pod'],
      '--bound-object-kind Pod needs --bound-object-name: the Pod to bind to',
    ],
    [
      ['--bound-object-name', 'job-1'],
      "--bound-object-name 'job-1' needs --bound-object-kind Secret or Pod",
    ],
    [
      ['--bound-object-uid', 'u-1'],
      "--bound-object-uid 'u-1' needs --bound-object-kind and --bound-object-name",
    ],
    [
      [
        '--bind-to-new-secret',
        '-o',
        'token',
        '--bound-object-kind',
        'Pod',
        '--bound-object-name',
        'job-1',
      ],
      '--bind-to-new-secret binds to a new Secret; --bound-object-kind Pod to an existing object: give one or the other',
    ],
  ])(
    'GIVEN mint deployer %j THEN a usage error naming the flags and values',
    async (args, message) => {
      const r = await mint('deployer', ...args);
      expect({ code: r.code, stderr: r.stderr }).toEqual({
        code: 2,
        stderr: `error: ${message}\n`,
      });
    },
  );

  test('GIVEN a ServiceAccount and --from THEN the usage error names the ServiceAccount', async () => {
    const r = await mint('deployer', '--from', manifests);
    expect(r.stderr).toBe(
      "error: give either a ServiceAccount or --from, not both: got ServiceAccount 'deployer' and --from\n",
    );
  });

  test('--out-dir without --from is a usage error', async () => {
    const r = await mint('deployer', '--out-dir', dir, '-o', 'token');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out-dir goes with --from/);
  });

  test('two stdout stores in one run are refused before anything is minted, naming both', async () => {
    const r = await mint('--from', manifests);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /2 ServiceAccounts declare a stdout token store \(shop\/ci, shop\/release\)/,
    );
  });

  test('GIVEN 1,000 stdout stores WHEN minting --from THEN the refusal names five and counts the rest', async () => {
    const many = join(dir, 'many');
    mkdirSync(many);
    const names = Array.from({ length: 1000 }, (_, i) => `sa-${i}`);
    writeFileSync(
      join(many, 'app.k8s.yaml'),
      names.map((n) => stringify(declaringStdout(n))).join('---\n'),
    );
    const r = await mint('--from', many);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '1000 ServiceAccounts declare a stdout token store (shop/sa-0, shop/sa-1, shop/sa-2, shop/sa-3, shop/sa-4, and 995 more)',
    );
    expect(r.stderr).not.toContain('shop/sa-5,');
  });
});

describe('revoke refuses a flag that cannot apply (before reading the token)', () => {
  test.each([
    [
      ['--timeout', '5s'],
      "--timeout goes with --wait: it bounds the wait for a TokenReview to reject the token, and without --wait revoke does not wait (got --timeout '5s')",
    ],
    [
      ['-n', 'default'],
      "-n/--namespace cannot be used with revoke: the object deleted is in the token's own namespace, which its claims name (got -n 'default')",
    ],
    [
      ['--wait', '--namespace', 'shop'],
      "-n/--namespace cannot be used with revoke: the object deleted is in the token's own namespace, which its claims name (got -n 'shop')",
    ],
  ])('revoke %j is a usage error naming the flag and what it needs', async (args, message) => {
    const r = await run(['revoke', '--token-env', 'REVOKED', ...args], { REVOKED: JWT });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: `error: ${message}\n` });
  });

  test('revoke --help says --timeout goes with --wait and defaults to 60s', async () => {
    const help = (await run(['revoke', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--timeout <duration> with --wait: how long to wait (default: 60s)');
  });
});
