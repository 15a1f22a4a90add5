/**
 * rotateToken and `access-tokens rotate` against the real server: idempotent (a token that is
 * not due is kept), due by its age, forced; a missing or hand-edited store; two rotations at
 * once, many times (one valid token stored, never an older one over a newer one); and faults at
 * each step (read, mint, write) through the fault proxy: the old token survives, the exit code
 * says why, and the next run repairs it.
 */
import { decodeJwtClaims } from '../../src/runtime/jwt.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { managedSecretManifest } from '../../src/contract/token-declaration.js';
import { connect, rotateToken, type ClusterClient } from '../../src/runtime/index.js';
import { reviewToken } from '../../src/runtime/review.js';
import { tempDir } from '../temp-dir.js';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import {
  capturedOutput,
  capturingLogger,
  createServiceAccountWithRole,
  runCli,
} from './runtime-fixtures.js';

describeE2E('runtime: rotateToken', () => {
  let admin: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let ns: string;
  let client: ClusterClient;
  let secretCount = 0;

  /** A fresh, empty managed store Secret, as the synth emits it. */
  const freshStore = async (): Promise<string> => {
    const name = `store-${++secretCount}`;
    await core.createNamespacedSecret({ namespace: ns, body: managedSecretManifest(name) });
    return name;
  };
  const stored = async (name: string): Promise<{ token: string; resourceVersion: string }> => {
    const s = await core.readNamespacedSecret({ name, namespace: ns });
    return {
      token: Buffer.from(s.data?.token ?? '', 'base64').toString('utf8'),
      resourceVersion: s.metadata?.resourceVersion ?? '',
    };
  };
  const rotate = (secret: string, extra: Partial<Parameters<typeof rotateToken>[0]> = {}) =>
    rotateToken({ client, serviceAccount: 'exporter', secret, durationSeconds: 3600, ...extra });

  beforeAll(async () => {
    admin = adminKubeConfig();
    core = admin.makeApiClient(k8s.CoreV1Api);
    ns = await createNamespace(admin, 'rt-rotate');
    await createServiceAccountWithRole(admin, ns, 'exporter', []);
    await createServiceAccountWithRole(admin, ns, 'other', []);
    client = connect({ kubeConfig: admin, namespace: ns, logger: capturingLogger });
  });
  afterAll(() => client.close());

  test('fills an empty store, then keeps the token until 80% of its lifetime has passed', async () => {
    // GIVEN an empty store
    const secret = await freshStore();
    // WHEN rotated twice
    const first = await rotate(secret);
    const after = await stored(secret);
    const second = await rotate(secret);
    // THEN the first mints and stores a token of exporter; the second changes nothing
    expect(first).toMatchObject({
      rotated: true,
      reason: 'the store holds no token yet',
      conflicts: 0,
    });
    const claims = decodeJwtClaims(after.token);
    expect(claims.sub).toBe(`system:serviceaccount:${ns}:exporter`);
    expect(first.expiresAt).toBe(new Date((claims.exp ?? 0) * 1000).toISOString());
    expect(first.dueAt).toBe(
      new Date(
        ((claims.iat ?? 0) + 0.8 * ((claims.exp ?? 0) - (claims.iat ?? 0))) * 1000,
      ).toISOString(),
    );
    expect((await reviewToken(after.token, { client })).authenticated).toBe(true);
    expect(second.rotated).toBe(false);
    expect(second.reason).toMatch(
      /^not due: the stored token has used 0% of its lifetime; it is due at /,
    );
    expect(await stored(secret)).toEqual(after);
    expect(JSON.stringify([first, second]).includes(after.token)).toBe(false);
  });

  test('replaces the token once 80% of its lifetime has passed, and not a second before', async () => {
    const secret = await freshStore();
    await rotate(secret);
    const before = await stored(secret);
    const { iat = 0, exp = 0 } = decodeJwtClaims(before.token);
    const due = (iat + 0.8 * (exp - iat)) * 1000;
    // one second before: kept
    expect((await rotate(secret, { now: () => due - 1000 })).rotated).toBe(false);
    expect(await stored(secret)).toEqual(before);
    // at 80%: replaced by a newer token
    const result = await rotate(secret, { now: () => due });
    expect(result).toMatchObject({ rotated: true, reason: /has used 80% of its lifetime/ });
    const now = await stored(secret);
    // A token minted in the same second as the old one has the same claims, so the same bytes
    // (1.20 puts no jti in it): the write shows as a new resourceVersion.
    expect(now.resourceVersion).not.toBe(before.resourceVersion);
    expect(now.resourceVersion).toBe(result.resourceVersion);
    const nowExp = decodeJwtClaims(now.token).exp ?? 0;
    expect(nowExp).toBeGreaterThanOrEqual(exp);
    // expired: replaced (the stored token's expiry: minted a second later, it expires later)
    expect((await rotate(secret, { now: () => nowExp * 1000 + 1 })).reason).toMatch(/has expired/);
  });

  test('--force replaces a token that is not due', async () => {
    const secret = await freshStore();
    await rotate(secret);
    const before = await stored(secret);
    const forced = await rotate(secret, { force: true });
    expect(forced).toMatchObject({ rotated: true, reason: /^forced/ });
    expect((await stored(secret)).resourceVersion).toBe(forced.resourceVersion);
    expect(forced.resourceVersion).not.toBe(before.resourceVersion);
  });

  test('a missing store is a not-found error naming the Secret and what should create it', async () => {
    await expect(rotate('no-such-store')).rejects.toMatchObject({
      category: 'not-found',
      message: expect.stringMatching(
        new RegExp(
          `secret '${ns}/no-such-store' does not exist: it is the token store that the synthesized manifests create \\(ServiceAccountAccess token.store or TokenRotation secretName\\); apply them first`,
        ),
      ),
    });
  });

  test('a store edited by hand is replaced only with --force, and says so', async () => {
    const secret = await freshStore();
    const body = managedSecretManifest(secret, {
      data: { token: Buffer.from('hello').toString('base64') },
    });
    const current = await core.readNamespacedSecret({ name: secret, namespace: ns });
    await core.replaceNamespacedSecret({
      name: secret,
      namespace: ns,
      body: {
        ...body,
        metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion },
      },
    });
    await expect(rotate(secret)).rejects.toMatchObject({
      category: 'usage',
      message: `secret '${ns}/${secret}' holds something that is not a token (edited by hand?): refusing to replace it; pass --force to replace it with a token of 'exporter'`,
    });
    expect((await stored(secret)).token).toBe('hello');
    const forced = await rotate(secret, { force: true });
    expect(forced).toMatchObject({
      rotated: true,
      reason: 'forced: the store held something that is not a token',
    });
    expect(decodeJwtClaims((await stored(secret)).token).sub).toBe(
      `system:serviceaccount:${ns}:exporter`,
    );
  });

  test("a store holding another ServiceAccount's token is refused, even with --force; an unmanaged Secret too", async () => {
    const secret = await freshStore();
    await rotateToken({ client, serviceAccount: 'other', secret });
    for (const force of [false, true]) {
      await expect(rotate(secret, { force })).rejects.toThrow(
        "holds the token of ServiceAccount 'other': refusing to overwrite it with one of 'exporter'",
      );
    }
    // a token of 'other' copied by hand into a managed store without our annotation: the same
    const copied = `copied-${++secretCount}`;
    const othersToken = (await stored(secret)).token;
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        ...managedSecretManifest(copied),
        data: { token: Buffer.from(othersToken).toString('base64') },
      },
    });
    const mint = await runCli([
      'mint',
      'exporter',
      '-n',
      ns,
      '--secret',
      copied,
      '--kubeconfig',
      E2E_KUBECONFIG!,
    ]);
    expect(mint).toMatchObject({
      code: ExitCode.USAGE,
      stderr: expect.stringContaining(
        `secret '${ns}/${copied}' holds a token of ServiceAccount 'other': refusing to overwrite it with one of 'exporter'`,
      ),
    });
    await expect(rotate(copied, { force: true })).rejects.toThrow(
      "holds a token of ServiceAccount 'other': refusing to overwrite it",
    );
    expect((await stored(copied)).token).toBe(othersToken);
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'foreign' }, type: 'Opaque', data: {} },
    });
    await expect(rotate('foreign')).rejects.toThrow(
      /secret '.*\/foreign' is not managed by access-tokens \(no label access-tokens.cdk8s.io\/managed=true\): refusing to rotate into it/,
    );
  });

  test('two rotations at once, 15 times: one rotates, the other re-reads and keeps its token', async () => {
    for (let i = 0; i < 15; i++) {
      // GIVEN a store that is due (empty), and two rotators with their own connections
      const secret = await freshStore();
      const other = connect({ kubeConfig: admin, namespace: ns });
      // WHEN both rotate at once
      const results = await Promise.all([
        rotate(secret),
        rotateToken({ client: other, serviceAccount: 'exporter', secret, durationSeconds: 3600 }),
      ]);
      other.close();
      // THEN exactly one stored a token, and the Secret holds that one, valid
      const rotated = results.filter((r) => r.rotated);
      expect({ i, rotated: rotated.length }).toEqual({ i, rotated: 1 });
      const now = await stored(secret);
      const exp = decodeJwtClaims(now.token).exp ?? 0;
      expect(new Date(exp * 1000).toISOString()).toBe(rotated[0].expiresAt);
      expect(now.resourceVersion).toBe(rotated[0].resourceVersion);
      const kept = results.find((r) => !r.rotated);
      expect(kept?.reason).toMatch(/^not due/);
      expect((await reviewToken(now.token, { client })).authenticated).toBe(true);
    }
  });

  test('two forced rotations at once, 10 times: the later write wins over a re-read, never an older token', async () => {
    for (let i = 0; i < 10; i++) {
      const secret = await freshStore();
      await rotate(secret);
      const other = connect({ kubeConfig: admin, namespace: ns });
      const results = await Promise.all([
        rotate(secret, { force: true }),
        rotateToken({
          client: other,
          serviceAccount: 'exporter',
          secret,
          durationSeconds: 3600,
          force: true,
        }),
      ]);
      other.close();
      // Both may rotate (the loser re-reads and, forced, writes again), but each write carried the
      // version it read: the stored token is the one of the last write.
      const last = results
        .filter((r) => r.rotated)
        .sort((a, b) => Number(b.resourceVersion) - Number(a.resourceVersion))[0];
      const now = await stored(secret);
      expect({ i, rv: now.resourceVersion }).toEqual({ i, rv: last.resourceVersion });
      expect(new Date((decodeJwtClaims(now.token).exp ?? 0) * 1000).toISOString()).toBe(
        last.expiresAt,
      );
    }
  });
});

describeE2E('runtime: rotate with faults at each step', () => {
  let admin: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let proxy: FaultProxy;
  let ns: string;
  let kubeconfig: string;
  let secret: string;
  const stored = async (): Promise<{ token: string; resourceVersion?: string }> => {
    const s = await core.readNamespacedSecret({ name: secret, namespace: ns });
    return {
      token: Buffer.from(s.data?.token ?? '', 'base64').toString('utf8'),
      resourceVersion: s.metadata?.resourceVersion,
    };
  };
  /** The CLI through the proxy, forced (so that every run would rotate), with short retries. */
  const rotateCli = () =>
    runCli([
      'rotate',
      'exporter',
      '-n',
      ns,
      '--secret',
      secret,
      '--force',
      '--kubeconfig',
      kubeconfig,
      '--max-attempts',
      '2',
      '--max-retry-time',
      '3s',
      '--request-timeout',
      '2s',
    ]);

  beforeAll(async () => {
    admin = adminKubeConfig();
    core = admin.makeApiClient(k8s.CoreV1Api);
    ns = await createNamespace(admin, 'rt-rotate-faults');
    await createServiceAccountWithRole(admin, ns, 'exporter', []);
    secret = 'exporter-token';
    await core.createNamespacedSecret({ namespace: ns, body: managedSecretManifest(secret) });
    const client = connect({ kubeConfig: admin, namespace: ns });
    await rotateToken({ client, serviceAccount: 'exporter', secret });
    client.close();
    proxy = await startFaultProxy(admin);
    kubeconfig = join(tempDir('rotate-faults-'), 'proxy.kubeconfig');
    writeFileSync(kubeconfig, proxy.kubeConfig().exportConfig(), { mode: 0o600 });
  });
  afterAll(async () => {
    await proxy?.close();
  });
  beforeEach(() => proxy.reset());

  const secretPath = () => new RegExp(`/api/v1/namespaces/${ns}/secrets/${secret}$`);
  const tokenPath = new RegExp(`/serviceaccounts/exporter/token$`);

  test.each([
    ['read', 'GET', secretPath, 503],
    ['mint', 'POST', () => tokenPath, 500],
    ['write', 'PUT', secretPath, 503],
  ] as const)(
    'a failure at %s leaves the old token and exits 6; the next run repairs it',
    async (_step, method, path, status) => {
      // GIVEN a stored token and a step that fails on every attempt
      const before = await stored();
      proxy.inject({ method, path: path(), fault: { kind: 'status', status }, times: 10 });
      // WHEN rotated
      const failed = await rotateCli();
      // THEN it failed as transient after its retries, and the old token is still there
      expect({ code: failed.code, stdout: failed.stdout }).toEqual({
        code: ExitCode.TRANSIENT,
        stdout: '',
      });
      expect(failed.stderr).toMatch(/error: /);
      expect(proxy.requests.filter((r) => r.injected).length).toBe(2);
      const kept = await stored();
      expect(kept.token === before.token).toBe(true);
      expect(kept.resourceVersion).toBe(before.resourceVersion);
      // and the next run, with the server healthy again, replaces it
      proxy.reset();
      const repaired = await rotateCli();
      expect(repaired.code).toBe(ExitCode.OK);
      expect(repaired.stdout).toMatch(/^rotated: /);
      const after = await stored();
      expect(after.resourceVersion).not.toBe(before.resourceVersion);
      expect(decodeJwtClaims(after.token).iat).toBeGreaterThanOrEqual(
        decodeJwtClaims(before.token).iat ?? 0,
      );
      expect(capturedOutput.join('\n').includes(after.token)).toBe(false);
    },
  );

  test('a write that loses a race to a concurrent change re-reads and decides again', async () => {
    // GIVEN another writer that changes the Secret just before our PUT (once)
    const client = connect({ kubeConfig: proxy.kubeConfig(), namespace: ns });
    proxy.inject({
      method: 'PUT',
      path: secretPath(),
      fault: {
        kind: 'before',
        run: async () => {
          const current = await core.readNamespacedSecret({ name: secret, namespace: ns });
          current.metadata = {
            ...current.metadata,
            annotations: { ...current.metadata?.annotations, touched: 'yes' },
          };
          await core.replaceNamespacedSecret({ name: secret, namespace: ns, body: current });
        },
      },
    });
    // WHEN rotated (forced, so it still rotates after the re-read)
    const result = await rotateToken({ client, serviceAccount: 'exporter', secret, force: true });
    client.close();
    // THEN it lost once, re-read, and wrote on the new version
    expect(result).toMatchObject({ rotated: true, conflicts: 1 });
    const gets = proxy.requests.filter((r) => r.method === 'GET' && secretPath().test(r.path));
    // decide, (PUT 409) the store's read that explains the conflict, decide again (PUT): the
    // store writes at what the decision read, with no read of its own
    expect(gets.length).toBe(3);
    expect(proxy.requests.filter((r) => r.method === 'PUT').length).toBe(2);
    const s = await core.readNamespacedSecret({ name: secret, namespace: ns });
    expect(s.metadata?.annotations?.touched).toBe('yes');
    expect(s.metadata?.resourceVersion).toBe(result.resourceVersion);
  });
});
