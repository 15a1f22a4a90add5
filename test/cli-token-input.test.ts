/**
 * How `inspect` takes its token: `--token-env` must name a variable and `--token-file` must
 * name a file, and a credential given in their place is never echoed back (terminal
 * scrollback, CI logs). Run in-process through `main(argv, io)`; no server is needed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInProcess, type CliRun } from './cli-in-process.js';
import { tempDir } from './temp-dir.js';

const run = runInProcess;

const b64url = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const JWT = [
  b64url({ alg: 'RS256', kid: 'k1' }),
  b64url({
    sub: 'system:serviceaccount:shop:deployer',
    exp: 4102444800,
    'kubernetes.io': { namespace: 'shop', serviceaccount: { name: 'deployer' } },
  }),
  'c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU',
].join('.');
/** The token as a Secret's `data` holds it. */
const JWT_BASE64 = Buffer.from(JWT).toString('base64');
/** A static token (token-auth-file, OpenShift, a PAT): not a JWT, 43+ random characters. */
const STATIC = 'sha256~Xk2pQ9vL7mN4rT8wZ1yB5cD3fG6hJ0kA2sE4uI9oPq';
/** A random static token that is also a valid variable name. */
const STATIC_NAME_LIKE = 'Xk2pQ9vL7mN4rT8wZ1yB5cD3fG6hJ0kA2sE4uI9oPqRt';
/** The standard base64 of a static token, with '/' in it: it looks like a path. */
const STATIC_BASE64 = 'q8/Zk2pQ9vL7mN4rT8wZ1yB5cD3fG6hJ0kA2sE4uI9oPqRt+w==';
const HEX = 'deadbeef'.repeat(8);
/** A static token file's token as the Kubernetes docs make one (`head -c 16 /dev/urandom | od -An -t x`). */
const HEX_32 = 'e3b0c44298fc1c149afbf4c8996fb924';
const HEX_OD = 'e3b0c442 98fc1c14 9afbf4c8 996fb924';
const UUID = '3f2a6c1e-9b4d-4e8a-a1f7-5c2d8e9b0a41';
/** `payload.signature`: a JWT whose header was lost when it was copied. */
const CUT_JWT = JWT.split('.').slice(1).join('.');

/** Whatever the run printed contains no 8-character piece of the value. */
function expectNotEchoed(r: CliRun, value: string): void {
  const out = r.stdout + r.stderr;
  for (let i = 0; i + 8 <= value.length; i += 4) expect(out).not.toContain(value.slice(i, i + 8));
}

describe('--token-env takes the NAME of a variable', () => {
  test.each([
    ['the base64 of a JWT', JWT_BASE64],
    ['a static token', STATIC],
    ['a random static token that is a valid name', STATIC_NAME_LIKE],
    ['a JWT without its header', CUT_JWT],
    ["an Authorization header's value", `Bearer ${STATIC_NAME_LIKE}`],
    ['a 32-character hex token that is a valid name', HEX_32],
    ['a hex token as od prints it', HEX_OD],
    ['a UUID', UUID],
  ])('GIVEN %s as --token-env THEN a usage error that does not echo it', async (_what, value) => {
    const r = await run(['inspect', '--token-env', value]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: (the value given to --token-env looks like a token itself: pass the NAME of an environment variable|--token-env takes the NAME of an environment variable \(letters, digits and '_', not starting with a digit\); the value given is not one and is not shown, as it may be a token)\n$/,
    );
    expectNotEchoed(r, value);
  });

  test.each([['my-token'], ['1TOKEN'], ['TOKEN VAR'], ['token.txt']])(
    'GIVEN %p, not a variable name, THEN it is refused as such and not quoted',
    async (value) => {
      const r = await run(['inspect', '--token-env', value]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--token-env takes the NAME of an environment variable/);
      expect(r.stderr).not.toContain(value);
    },
  );

  test('controls: a name, even a long one, is quoted when unset and read when set', async () => {
    for (const name of [
      'DEPLOY_TOKEN',
      '_t1',
      'ACCESS_TOKENS_E2E_DEPLOYER_SERVICE_ACCOUNT_TOKEN',
    ]) {
      const unset = await run(['inspect', '--token-env', name]);
      expect(unset.code).toBe(2);
      expect(unset.stderr).toBe(`error: environment variable '${name}' is not set\n`);
      const set = await run(['inspect', '--token-env', name, '-o', 'json'], { [name]: JWT });
      expect(set.code).toBe(0);
      expect(JSON.parse(set.stdout).subject).toBe('system:serviceaccount:shop:deployer');
    }
  });
});

describe('--token-file takes the PATH of a file', () => {
  test.each([
    ['the base64 of a JWT', JWT_BASE64],
    ['a static token', STATIC],
    ['the base64 of a static token, with a slash', STATIC_BASE64],
    ['a hex token', HEX],
    ['a JWT without its header', CUT_JWT],
    ["an Authorization header's value", `Bearer ${STATIC}`],
    ['a kubeadm bootstrap token', 'abcdef.0123456789abcdef'],
    ['a 32-character hex token', HEX_32],
    ['a hex token as od prints it', HEX_OD],
    ['a UUID', UUID],
  ])('GIVEN %s as --token-file THEN a usage error that does not echo it', async (_what, value) => {
    const r = await run(['inspect', '--token-file', value]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: the value given to --token-file looks like a token itself: /);
    expect(r.stderr).toMatch(/a long name without an extension needs a folder, e\.g\. \.\/NAME/);
    expectNotEchoed(r, value);
  });

  test('controls: paths, short or long, are read or quoted in the error', async () => {
    const dir = tempDir('token-input-');
    // A long name without an extension, in a folder; a folder named by a hash, as container
    // runtimes make them
    const longName = join(dir, 'deployer-service-account-token-for-the-nightly-ci');
    const hashed = join(dir, HEX, 'token');
    mkdirSync(join(dir, HEX));
    for (const file of [longName, hashed, join(dir, 'token.txt')]) {
      writeFileSync(file, `${JWT}\n`);
      const r = await run(['inspect', '--token-file', file, '-o', 'json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    for (const missing of [
      join(dir, 'missing', 'token'),
      'token.txt',
      'deployer-service-account-token-for-the-nightly-ci.txt',
      '/var/run/secrets/kubernetes.io/serviceaccount/token-that-is-not-there',
      // Long names with upper case and digits, in folders: words, not random data
      '/workspace/MyOrgPlatformDeploymentPipelineRepository2024/token',
      'secrets/github-actions-oidc-Token-2024-01-15T10-30-00Z',
    ]) {
      const r = await run(['inspect', '--token-file', missing]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: cannot read --token-file '${missing}': ENOENT\n`);
    }
  });
});

describe('inspect --audience', () => {
  test('GIVEN --audience without --verify THEN a usage error naming both flags', async () => {
    const r = await run(['inspect', '--token-env', 'T', '--audience', 'vault'], { T: JWT });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'error: --audience needs --verify: it names the audiences the TokenReview checks the token for (the claims show its audiences without it)\n',
    );
  });

  test('control: without --audience, inspect works offline', async () => {
    const r = await run(['inspect', '--token-env', 'T'], { T: JWT });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ServiceAccount: +shop\/deployer/);
  });
});

describe('a kubeconfig given where a token belongs', () => {
  const dir = tempDir('kubeconfig-as-token-');
  const yaml = join(dir, 'config');
  writeFileSync(
    yaml,
    `apiVersion: v1
kind: Config
clusters:
  - name: c
    cluster: { server: 'https://127.0.0.1:6443' }
users:
  - name: u
    user: { token: ${STATIC} }
contexts:
  - name: x
    context: { cluster: c, user: u }
current-context: x
`,
  );
  const json = join(dir, 'config.json');
  writeFileSync(
    json,
    JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [], users: [] }),
  );

  test.each([
    ['YAML', yaml],
    ['JSON', json],
  ])(
    'GIVEN a %s kubeconfig as --token-file THEN it says so and names --kubeconfig, never its contents',
    async (_, file) => {
      const r = await run(['inspect', '--token-file', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `error: --token-file '${file}' holds a kubeconfig, not a token: to use its credentials pass --kubeconfig '${file}' instead; to use a token give a file or variable holding only the token\n`,
      );
      expectNotEchoed(r, STATIC);
    },
  );

  test('GIVEN a kubeconfig in a variable THEN --kubeconfig FILE is named', async () => {
    const r = await run(['inspect', '--token-env', 'KC'], {
      HOME: '/nonexistent',
      KC: 'kind: Config\nusers: []\n',
    });
    expect(r.stderr).toMatch(
      /environment variable 'KC' holds a kubeconfig, not a token: .*--kubeconfig FILE/,
    );
  });
});
