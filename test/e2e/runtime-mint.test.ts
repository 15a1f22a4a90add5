/**
 * Minting, storing, inspecting, checking and revoking tokens against the real API server.
 * Every CLI run's output, every logger line and every error message is kept and, at the end,
 * searched for each token minted (tokens may appear only where a test asked for them).
 */
import { readFileSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { parse } from 'yaml';
import {
  EXPIRES_AT_ANNOTATION,
  AUDIENCES_ANNOTATION,
  MANAGED_LABEL,
} from '../../src/contract/token-declaration.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { runClusterCanI } from '../../src/cli/commands/can-i-cluster.js';
import {
  AccessTokensError,
  type BoundObject,
  canI,
  connect,
  describeServiceAccount,
  inspectToken,
  mintToken,
  reviewToken,
  revoke,
  storeToken,
  type MintedToken,
} from '../../src/runtime/index.js';
import { decodeJwtClaims } from '../../src/runtime/jwt.js';
import { clientForToken } from '../../src/runtime/token-client.js';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import {
  capturedOutput,
  capturingLogger,
  createServiceAccountWithRole,
  runCli,
  waitUntilRejected,
} from './runtime-fixtures.js';
import { tempDir } from '../temp-dir.js';

const API_AUDIENCE = 'https://kubernetes.default.svc';

describeE2E('runtime: mint, store, inspect, can-i, revoke', () => {
  let kc: k8s.KubeConfig;
  let ns: string;
  let deployerUid: string;
  const tokens: string[] = [];
  const errors: string[] = [];
  const dir = tempDir('runtime-e2e-');
  const kubeconfigArgs = (): string[] => ['--kubeconfig', E2E_KUBECONFIG as string, '-n', ns];

  const mint = async (
    options: Partial<Parameters<typeof mintToken>[0]> = {},
  ): Promise<MintedToken> => {
    const minted = await mintToken({
      kubeConfig: kc,
      namespace: ns,
      serviceAccount: 'deployer',
      logger: capturingLogger,
      ...options,
    });
    tokens.push(minted.token);
    return minted;
  };
  const expectError = async (p: Promise<unknown>): Promise<AccessTokensError> => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AccessTokensError);
    errors.push(String((err as Error).message), String((err as Error).stack));
    return err as AccessTokensError;
  };

  beforeAll(async () => {
    kc = adminKubeConfig();
    ns = await createNamespace(kc, 'rt-mint');
    deployerUid = await createServiceAccountWithRole(kc, ns, 'deployer', [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'], resourceNames: ['web'] },
    ]);
    await createServiceAccountWithRole(kc, ns, 'other', []);
    await kc.makeApiClient(k8s.CoreV1Api).createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'settings' }, data: { a: '1' } },
    });
  });

  test('mint with defaults: a 1 h token for the API server audience, accepted by TokenReview', async () => {
    const minted = await mint();
    expect(minted.requestedSeconds).toBe(3600);
    expect(minted.lifetimeSeconds).toBe(3600);
    expect(minted.audiences).toEqual([API_AUDIENCE]);
    expect(minted.warnings).toEqual([]);
    expect(JSON.stringify(minted)).not.toContain(minted.token); // the token is not enumerable
    const claims = decodeJwtClaims(minted.token);
    expect(claims.sub).toBe(`system:serviceaccount:${ns}:deployer`);
    expect(claims['kubernetes.io']?.serviceaccount?.uid).toBe(deployerUid);
    expect(new Date(minted.expiresAt).getTime()).toBe((claims.exp ?? 0) * 1000);
    const review = await reviewToken(minted.token, { kubeConfig: kc });
    expect(review).toMatchObject({
      authenticated: true,
      username: `system:serviceaccount:${ns}:deployer`,
    });
  });

  test('mint with a duration and audiences: the claims carry both', async () => {
    const minted = await mint({ durationSeconds: 600, audiences: [API_AUDIENCE, 'vault'] });
    expect(minted.lifetimeSeconds).toBe(600);
    expect(minted.audiences).toEqual([API_AUDIENCE, 'vault']);
    const review = await reviewToken(minted.token, { kubeConfig: kc, audiences: ['vault'] });
    expect(review.authenticated).toBe(true);
    expect(review.audiences).toEqual(['vault']);
  });

  test('a token only for a foreign audience is rejected by this server', async () => {
    const minted = await mint({ audiences: ['foo'] });
    expect((await reviewToken(minted.token, { kubeConfig: kc })).authenticated).toBe(false);
  });

  test('never requests 3607 s: asks for 3608 s and says why', async () => {
    const minted = await mint({ durationSeconds: 3607 });
    expect(minted.requestedSeconds).toBe(3608);
    expect(minted.lifetimeSeconds).toBe(3608);
    expect(minted.warnings.join()).toMatch(/instead of 3607 s/);
  });

  test('rejects durations outside TokenRequest limits before asking (usage)', async () => {
    expect((await expectError(mint({ durationSeconds: 300 }))).message).toBe(
      'duration must be at least 10 minutes (600 s), got 300 s',
    );
    expect((await expectError(mint({ durationSeconds: 2 ** 32 + 1 }))).category).toBe('usage');
  });

  test('a missing ServiceAccount is not-found', async () => {
    const err = await expectError(mint({ serviceAccount: 'nobody' }));
    expect(err.category).toBe('not-found');
    expect(err.message).toMatch(
      /cannot create serviceaccounts\/token 'nobody' in namespace '.*': not found/,
    );
  });

  test('a caller without create serviceaccounts/token gets the missing permission in words', async () => {
    const other = await mint({ serviceAccount: 'other' });
    const asOther = clientForToken(connect({ kubeConfig: kc, namespace: ns }), other.token);
    const err = await expectError(
      mintToken({ client: asOther, serviceAccount: 'deployer', namespace: ns }),
    );
    expect(err.category).toBe('forbidden');
    expect(err.message).toBe(
      `forbidden: 'system:serviceaccount:${ns}:other' may not create serviceaccounts/token 'deployer' in namespace '${ns}'; ` +
        `it would be granted by Permission.verbs(['create'], 'serviceaccounts/token', 'deployer') in a Role bound in namespace '${ns}'`,
    );
  });

  test('bind to an existing Secret: the server fills in its UID; the minter needs no get on it', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const secret = await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'anchor' } },
    });
    // GIVEN a minter that may only create tokens for 'deployer', and not read Secrets
    await createServiceAccountWithRole(kc, ns, 'minter', [
      {
        apiGroups: [''],
        resources: ['serviceaccounts/token'],
        verbs: ['create'],
        resourceNames: ['deployer'],
      },
    ]);
    const minter = await mint({ serviceAccount: 'minter' });
    const asMinter = clientForToken(connect({ kubeConfig: kc, namespace: ns }), minter.token);
    const mintAsMinter = (boundObject: BoundObject) =>
      mintToken({ client: asMinter, serviceAccount: 'deployer', namespace: ns, boundObject });
    // WHEN it mints bound to the Secret by name
    const minted = await mintAsMinter({ kind: 'Secret', name: 'anchor' });
    tokens.push(minted.token);
    // THEN the token carries the Secret's UID, and so does the result
    expect(minted.boundObject).toEqual({
      kind: 'Secret',
      name: 'anchor',
      uid: secret.metadata?.uid,
    });
    expect(decodeJwtClaims(minted.token)['kubernetes.io']?.secret).toEqual({
      name: 'anchor',
      uid: secret.metadata?.uid,
    });
    // ... a UID given with it is checked by the server (a conflict names both)
    const wrong = await expectError(
      mintAsMinter({ kind: 'Secret', name: 'anchor', uid: '00000000-0000-0000-0000-000000000000' }),
    );
    expect(wrong.category).toBe('conflict');
    expect(wrong.message).toMatch(
      /the UID in the bound object reference \(0{8}-.*\) does not match/,
    );
    // ... and a Secret that does not exist is not-found, naming it
    const missing = await expectError(mintAsMinter({ kind: 'Secret', name: 'no-such-anchor' }));
    expect(missing.category).toBe('not-found');
    expect(missing.message).toMatch(/secrets "no-such-anchor" not found/);
  });

  test('--bind-to-new-secret: a Secret owned by the ServiceAccount; revoking it makes TokenReview fail', async () => {
    const minted = await mint({ bindToNewSecret: true });
    const bound = minted.boundObject!;
    const secret = await kc
      .makeApiClient(k8s.CoreV1Api)
      .readNamespacedSecret({ name: bound.name, namespace: ns });
    expect(secret.metadata?.ownerReferences).toEqual([
      expect.objectContaining({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        name: 'deployer',
        uid: deployerUid,
      }),
    ]);
    expect(secret.data).toBeUndefined();
    expect(inspectToken(minted.token).serviceAccount.boundObject).toEqual({
      kind: 'Secret',
      name: bound.name,
      uid: bound.uid,
    });
    expect((await reviewToken(minted.token, { kubeConfig: kc })).authenticated).toBe(true);

    const result = await revoke(minted.token, { kubeConfig: kc });
    expect(result.deleted).toEqual({
      kind: 'Secret',
      namespace: ns,
      name: bound.name,
      uid: bound.uid,
    });
    // The server caches successful authentications ~10 s: poll (bounded) until rejected.
    await waitUntilRejected(kc, minted.token);
    // Revoking again: the Secret is gone.
    expect((await expectError(revoke(minted.token, { kubeConfig: kc }))).category).toBe(
      'not-found',
    );
  });

  test('revoke refuses an unbound token and explains why', async () => {
    const minted = await mint();
    const err = await expectError(revoke(minted.token, { kubeConfig: kc }));
    expect(err.category).toBe('usage');
    expect(err.message).toMatch(/is not bound to an object, so it cannot be revoked alone/);
  });

  test('CLI revoke --wait confirms with TokenReview', async () => {
    const minted = await mint({ bindToNewSecret: true });
    const file = join(dir, 'revoke.tok');
    await storeToken(connect({ kubeConfig: kc }), minted, { kind: 'tokenFile', path: file });
    // (no -n: the object is in the token's own namespace)
    const out = await runCli([
      'revoke',
      '--token-file',
      file,
      '--wait',
      '--kubeconfig',
      E2E_KUBECONFIG as string,
    ]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(ExitCode.OK);
    expect(out.stdout).toMatch(
      /deleted Secret .*: the token is revoked \(confirmed: TokenReview rejects it\)/,
    );
  });

  test('a token can do what its Role allows and nothing more (SelfSubjectAccessReview and real requests)', async () => {
    const minted = await mint();
    const ask = (verb: string, resource: string, extra: object = {}) =>
      canI(
        { verb, resource, apiGroup: '', namespace: ns, ...extra },
        { kubeConfig: kc, token: minted.token },
      );
    expect((await ask('list', 'configmaps')).allowed).toBe(true);
    expect((await ask('patch', 'deployments', { apiGroup: 'apps', name: 'web' })).allowed).toBe(
      true,
    );
    const denied = await ask('patch', 'deployments', { apiGroup: 'apps', name: 'api' });
    expect(denied).toMatchObject({
      allowed: false,
      wouldBeGrantedBy:
        "Permission.verbs(['patch'], 'deployments.apps', 'api') in a Role bound in namespace '" +
        ns +
        "'",
    });
    expect((await ask('list', 'secrets')).allowed).toBe(false);
    expect((await ask('delete', 'configmaps')).allowed).toBe(false);

    const asToken = clientForToken(connect({ kubeConfig: kc, namespace: ns }), minted.token);
    const core = await asToken.api('CoreV1Api');
    const list = await asToken.call({ verb: 'list', resource: 'configmaps', namespace: ns }, (o) =>
      core.listNamespacedConfigMap({ namespace: ns }, o),
    );
    expect(list.items.map((c) => c.metadata?.name)).toContain('settings');
    const err = await expectError(
      asToken.call({ verb: 'list', resource: 'secrets', namespace: ns }, (o) =>
        core.listNamespacedSecret({ namespace: ns }, o),
      ),
    );
    expect(err.message).toMatch(
      /may not list secrets in namespace '.*'; it would be granted by Permission.verbs\(\['list'\], 'secrets'\)/,
    );
  });

  test('CLI can-i (cluster form) with --token-file and --token-env: yes/no and exit codes 0/1', async () => {
    const minted = await mint();
    const file = join(dir, 'can-i.tok');
    await storeToken(connect({ kubeConfig: kc }), minted, { kind: 'tokenFile', path: file });
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: (t: string) => void (stdout += t),
      stderr: (t: string) => void (stderr += t),
      env: { ...process.env, TOK: minted.token },
    };
    const base = { kubeconfig: E2E_KUBECONFIG, namespace: ns };
    expect(
      await runClusterCanI(
        { ...base, verb: 'patch', target: 'deployments.apps/web', tokenFile: file },
        io,
      ),
    ).toBe(0);
    expect(
      await runClusterCanI(
        { ...base, verb: 'patch', target: 'deployments.apps/api', tokenEnv: 'TOK' },
        io,
      ),
    ).toBe(1);
    expect(
      await runClusterCanI(
        { ...base, verb: 'get', target: 'pods', subresource: 'log', tokenEnv: 'TOK' },
        io,
      ),
    ).toBe(1);
    capturedOutput.push(stdout, stderr);
    expect(stdout).toBe('yes\nno\nno\n');
    expect(stderr).toMatch(
      /would be granted by Permission.verbs\(\['patch'\], 'deployments.apps', 'api'\)/,
    );
    expect(stderr).toMatch(/would be granted by Permission.verbs\(\['get'\], 'pods\/log'\)/);

    // -q: only the exit code answers; without it, a doubtful query is warned about
    stdout = '';
    stderr = '';
    const quiet = { ...base, tokenEnv: 'TOK', quiet: true };
    expect(
      await runClusterCanI({ ...quiet, verb: 'patch', target: 'deployments.apps/web' }, io),
    ).toBe(0);
    expect(
      await runClusterCanI({ ...quiet, verb: 'frobnicate', target: 'Deployments.apps' }, io),
    ).toBe(1);
    expect(stdout + stderr).toBe('');
    expect(
      await runClusterCanI(
        { ...base, tokenEnv: 'TOK', verb: 'frobnicate', target: 'Deployments.apps' },
        io,
      ),
    ).toBe(1);
    capturedOutput.push(stdout, stderr);
    expect(stdout).toBe('no\n');
    expect(stderr).toMatch(/^warning: verb 'frobnicate' is not a known verb/m);
    expect(stderr).toMatch(
      /^warning: resource 'Deployments.apps' is malformed: .*; did you mean 'deployments.apps'\?$/m,
    );
  });

  test('CLI mint -o kubeconfig --out: a 0600 file that lists what the Role allows and nothing more', async () => {
    const file = join(dir, 'ci.kubeconfig');
    const out = await runCli([
      'mint',
      'deployer',
      ...kubeconfigArgs(),
      '--duration',
      '1h',
      '--audience',
      API_AUDIENCE,
      '-o',
      'kubeconfig',
      '--out',
      file,
    ]);
    expect(out.code).toBe(ExitCode.OK);
    expect(out.stdout).toBe('');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const doc = parse(readFileSync(file, 'utf8'));
    tokens.push(doc.users[0].user.token);
    expect(doc['current-context']).toMatch(/^deployer@/);

    const userKc = new k8s.KubeConfig();
    userKc.loadFromFile(file);
    const core = userKc.makeApiClient(k8s.CoreV1Api);
    const cms = await core.listNamespacedConfigMap({ namespace: ns });
    expect(cms.items.map((c) => c.metadata?.name)).toEqual(['settings']);
    await expect(core.listNamespacedSecret({ namespace: ns })).rejects.toMatchObject({ code: 403 });
    await expect(core.listNamespacedPod({ namespace: ns })).rejects.toMatchObject({ code: 403 });
    await expect(
      core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'x' } } }),
    ).rejects.toMatchObject({ code: 403 });
    await expect(core.listNamespacedConfigMap({ namespace: 'default' })).rejects.toMatchObject({
      code: 403,
    });
  });

  test("CLI mint --audience is kubectl's: repeated, and before the ServiceAccount's name", async () => {
    const out = await runCli([
      'mint',
      '--audience',
      API_AUDIENCE,
      '--audience',
      'vault',
      'deployer',
      ...kubeconfigArgs(),
      '-o',
      'json',
    ]);
    expect(out.code).toBe(ExitCode.OK);
    expect(JSON.parse(out.stdout)).toMatchObject({
      serviceAccount: 'deployer',
      audiences: [API_AUDIENCE, 'vault'],
    });
  });

  test('CLI mint -o token prints only the token; -o json and the default table never do', async () => {
    const tokenOut = await runCli(['mint', 'deployer', ...kubeconfigArgs(), '-o', 'token']);
    expect(tokenOut.code).toBe(0);
    const token = tokenOut.stdout.trim();
    tokens.push(token);
    expect(inspectToken(token).subject).toBe(`system:serviceaccount:${ns}:deployer`);
    capturedOutput.splice(capturedOutput.indexOf(tokenOut.stdout), 1); // asked for: not a leak

    const json = await runCli([
      'mint',
      'deployer',
      ...kubeconfigArgs(),
      '-o',
      'json',
      '--duration',
      '20m',
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      serviceAccount: 'deployer',
      lifetimeSeconds: 1200,
      storedIn: [],
    });
    const table = await runCli([
      'mint',
      'deployer',
      ...kubeconfigArgs(),
      '--bind-to-new-secret',
      '--secret',
      'table-token',
    ]);
    expect(table.stdout).toMatch(/Bound to: +Secret\/deployer-token-/);
    expect(table.stdout).toMatch(/Stored in: +secret\/table-token -n /);
    // Without a destination the new Secret would hold a token nobody keeps: refused.
    const nowhere = await runCli(['mint', 'deployer', ...kubeconfigArgs(), '--bind-to-new-secret']);
    expect(nowhere.code).toBe(ExitCode.USAGE);
    expect(nowhere.stderr).toMatch(/--bind-to-new-secret needs somewhere to keep the token/);
    const usage = await runCli(['mint', 'deployer', ...kubeconfigArgs(), '--duration', '5m']);
    expect(usage).toMatchObject({
      code: ExitCode.USAGE,
      stderr: 'error: --duration must be at least 10 minutes (600 s), got 300 s\n',
    });
    const missing = await runCli(['mint', 'ghost', ...kubeconfigArgs()]);
    expect(missing.code).toBe(ExitCode.NOT_FOUND);
  });

  test('CLI inspect reads the token from a file, stdin or the environment; --verify adds TokenReview', async () => {
    const minted = await mint({ bindToNewSecret: true });
    const file = join(dir, 'inspect.tok');
    await storeToken(connect({ kubeConfig: kc }), minted, { kind: 'tokenFile', path: file });
    const fromFile = await runCli(['inspect', '--token-file', file]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(new RegExp(`ServiceAccount: +${ns}/deployer`));
    expect(fromFile.stdout).toMatch(/Bound object: +Secret\/deployer-token-/);
    expect(fromFile.stdout).toMatch(/Time left: +(59m|1h)/);
    const fromStdin = await runCli(
      ['inspect', '--token-file', '-', '-o', 'json'],
      process.env,
      Readable.from([minted.token]),
    );
    expect(JSON.parse(fromStdin.stdout)).toMatchObject({
      lifetimeSeconds: 3600,
      audiences: [API_AUDIENCE],
    });
    const verified = await runCli(
      ['inspect', '--token-env', 'T', '--verify', '--kubeconfig', E2E_KUBECONFIG as string],
      { ...process.env, T: minted.token },
    );
    expect(verified.stdout).toMatch(/Verified: +yes/);
    await revoke(minted.token, { kubeConfig: kc });
    await waitUntilRejected(kc, minted.token);
    const rejected = await runCli([
      'inspect',
      '--token-file',
      file,
      '--verify',
      '--kubeconfig',
      E2E_KUBECONFIG as string,
    ]);
    expect(rejected.code).toBe(ExitCode.FINDINGS);
    expect(rejected.stdout).toMatch(/Verified: +no: .*invalid bearer token/);
    const noToken = await runCli(['inspect']);
    expect(noToken.code).toBe(ExitCode.USAGE);
  });

  test('store into a Secret: created, then updated with resourceVersion; expiry and audiences beside the token', async () => {
    const client = connect({ kubeConfig: kc });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const first = await mint({ audiences: [API_AUDIENCE, 'vault'] });
    const created = await storeToken(client, first, { kind: 'secret', name: 'deployer-token' });
    let secret = await core.readNamespacedSecret({ name: 'deployer-token', namespace: ns });
    expect(Buffer.from(secret.data!.token, 'base64').toString()).toBe(first.token);
    expect(secret.metadata?.labels?.[MANAGED_LABEL]).toBe('true');
    expect(secret.metadata?.annotations?.[EXPIRES_AT_ANNOTATION]).toBe(first.expiresAt);
    expect(JSON.parse(secret.metadata!.annotations![AUDIENCES_ANNOTATION])).toEqual([
      API_AUDIENCE,
      'vault',
    ]);

    const second = await mint();
    const updated = await storeToken(client, second, {
      kind: 'secret',
      name: 'deployer-token',
      expectedResourceVersion: created.resourceVersion,
    });
    expect(updated.resourceVersion).not.toBe(created.resourceVersion);
    secret = await core.readNamespacedSecret({ name: 'deployer-token', namespace: ns });
    expect(Buffer.from(secret.data!.token, 'base64').toString()).toBe(second.token);

    // A rotation that read an older version loses: conflict, nothing written.
    const third = await mint();
    const stale = await expectError(
      storeToken(client, third, {
        kind: 'secret',
        name: 'deployer-token',
        expectedResourceVersion: created.resourceVersion,
      }),
    );
    expect(stale.category).toBe('conflict');
    secret = await core.readNamespacedSecret({ name: 'deployer-token', namespace: ns });
    expect(Buffer.from(secret.data!.token, 'base64').toString()).toBe(second.token);
    // ... and so does one whose Secret was deleted since it read it: nothing is created.
    await storeToken(client, first, { kind: 'secret', name: 'gone-token' });
    const gone = await core.readNamespacedSecret({ name: 'gone-token', namespace: ns });
    await core.deleteNamespacedSecret({ name: 'gone-token', namespace: ns });
    const deleted = await expectError(
      storeToken(client, third, {
        kind: 'secret',
        name: 'gone-token',
        expectedResourceVersion: gone.metadata!.resourceVersion,
      }),
    );
    expect(deleted.category).toBe('conflict');
    expect(deleted.message).toMatch(/it was deleted since it was read/);
    await expect(
      core.readNamespacedSecret({ name: 'gone-token', namespace: ns }),
    ).rejects.toMatchObject({ code: 404 });
    expect(
      await describeServiceAccount('deployer', { kubeConfig: kc, namespace: ns }),
    ).toMatchObject({
      storedTokens: expect.arrayContaining([
        expect.objectContaining({
          secret: 'deployer-token',
          kind: 'managed',
          expiresAt: second.expiresAt,
        }),
      ]),
    });
  });

  test('store refuses to overwrite a Secret of another type (e.g. a TLS Secret of the same name)', async () => {
    await kc.makeApiClient(k8s.CoreV1Api).createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'tls' },
        type: 'kubernetes.io/tls',
        stringData: { 'tls.crt': 'x', 'tls.key': 'y' },
      },
    });
    const err = await expectError(
      storeToken(connect({ kubeConfig: kc }), await mint(), { kind: 'secret', name: 'tls' }),
    );
    expect(err.message).toMatch(
      /has type 'kubernetes.io\/tls', expected 'access-tokens.cdk8s.io\/token'/,
    );
    expect(err.category).toBe('usage'); // bad input, not a race: trying again will not help
  });

  test('CLI describe: bindings, effective rules, stored tokens, never token values', async () => {
    const out = await runCli(['describe', 'deployer', ...kubeconfigArgs()]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/RoleBinding +deployer +Role\/deployer/);
    expect(out.stdout).toMatch(/verbs=\[get,list\] apiGroups=\[""\] resources=\[configmaps\]/);
    expect(out.stdout).toMatch(/deployer-token +managed/);
    const json = await runCli(['describe', 'deployer', ...kubeconfigArgs(), '-o', 'json']);
    expect(JSON.parse(json.stdout).automountServiceAccountToken).toBe(false);
    expect((await runCli(['describe', 'ghost', ...kubeconfigArgs()])).code).toBe(
      ExitCode.NOT_FOUND,
    );
  });

  afterAll(() => {
    // No token in any output, log line or error, except where a test asked for it.
    const haystack = [...capturedOutput, ...errors].join('\n');
    expect(tokens.length).toBeGreaterThan(10);
    for (const token of tokens) expect(haystack.includes(token)).toBe(false);
    expect(haystack).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./);
  });
});
