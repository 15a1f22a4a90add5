/**
 * Writes that are not idempotent, retried after an attempt that the server carried out but
 * whose answer was lost: the fault proxy holds the first request past the client's attempt
 * timeout and forwards it anyway, so the retry meets the effect of the first attempt. A
 * retried DELETE then gets 404 and a retried create/update gets 409; both are success when
 * the earlier attempt did our work.
 */
import * as k8s from '@kubernetes/client-node';
import {
  connect,
  mintToken,
  revoke,
  storeToken,
  type ClusterClient,
  type MintedToken,
} from '../../src/runtime/index.js';
import { adminKubeConfig, createNamespace, describeE2E } from './cluster.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import {
  capturedOutput,
  capturingLogger,
  createServiceAccountWithRole,
} from './runtime-fixtures.js';

describeE2E('runtime: retried non-idempotent writes', () => {
  let admin: k8s.KubeConfig;
  let proxy: FaultProxy;
  let ns: string;
  const tokens: string[] = [];
  // Attempt 1 times out at 300 ms; the proxy forwards it at 800 ms; attempt 2 is sent after a
  // ~1.5 s backoff, so it reaches the server after attempt 1 was carried out.
  const client = (): ClusterClient =>
    connect({
      kubeConfig: proxy.kubeConfig(),
      namespace: ns,
      logger: capturingLogger,
      retry: { attemptTimeoutMs: 300, initialDelayMs: 1500, maxDelayMs: 1500, random: () => 0.99 },
    });
  const heldOnce = (method: string, path: RegExp) =>
    proxy.inject({ method, path, fault: { kind: 'delay', ms: 800 } });
  const mint = async (bindToNewSecret = false, durationSeconds = 3600): Promise<MintedToken> => {
    const minted = await mintToken({
      client: connect({ kubeConfig: admin, namespace: ns }),
      serviceAccount: 'deployer',
      bindToNewSecret,
      durationSeconds,
    });
    tokens.push(minted.token);
    return minted;
  };
  const storedToken = async (name: string): Promise<string> => {
    const s = await admin
      .makeApiClient(k8s.CoreV1Api)
      .readNamespacedSecret({ name, namespace: ns });
    return Buffer.from(s.data?.token ?? '', 'base64').toString();
  };

  beforeAll(async () => {
    admin = adminKubeConfig();
    proxy = await startFaultProxy(admin);
    ns = await createNamespace(admin, 'rt-retried');
    await createServiceAccountWithRole(admin, ns, 'deployer', []);
  });
  afterAll(async () => {
    await proxy.close();
    const haystack = capturedOutput.join('\n');
    for (const token of tokens) expect(haystack.includes(token)).toBe(false);
  });
  beforeEach(() => proxy.reset());

  test('revoke: a retried DELETE answered 404 after the first attempt deleted the Secret succeeds', async () => {
    const minted = await mint(true);
    const secret = minted.boundObject!.name;
    heldOnce('DELETE', new RegExp(`/secrets/${secret}$`));
    const result = await revoke(minted.token, { client: client() });
    expect(result.deleted).toMatchObject({ kind: 'Secret', name: secret });
    expect(proxy.requests.map((r) => `${r.method} ${r.injected ?? r.status}`)).toEqual([
      // the TokenReview that shows the server accepts the token (so its claims are its own)
      'POST 201',
      'DELETE delay',
      'DELETE 404',
      // then the token stores that might still hold it are listed (none does here)
      'GET 200',
    ]);
    expect(result.clearedStores).toEqual([]);
  });

  test('store: a retried create answered 409 by our own earlier create is stored', async () => {
    const minted = await mint();
    heldOnce('POST', /\/secrets$/);
    const stored = await storeToken(client(), minted, { kind: 'secret', name: 'retried-create' });
    expect(stored.destination).toBe(`secret/retried-create -n ${ns}`);
    expect(proxy.requests.map((r) => `${r.method} ${r.injected ?? r.status}`)).toEqual([
      'GET 404',
      'POST delay',
      'POST 409',
      'GET 200',
    ]);
    expect(await storedToken('retried-create')).toBe(minted.token);
  });

  test('store: a retried update answered 409 by our own earlier update is stored', async () => {
    const first = await mint();
    await storeToken(client(), first, { kind: 'secret', name: 'retried-update' });
    const second = await mint(false, 1800); // tokens minted in the same second may be equal
    proxy.reset();
    heldOnce('PUT', /\/secrets\/retried-update$/);
    await storeToken(client(), second, { kind: 'secret', name: 'retried-update' });
    expect(proxy.requests.map((r) => `${r.method} ${r.injected ?? r.status}`)).toEqual([
      'GET 200',
      'PUT delay',
      'PUT 409',
      'GET 200',
    ]);
    expect(await storedToken('retried-update')).toBe(second.token);
  });

  test('store: a retried update answered 409 because someone else wrote another token is a conflict', async () => {
    const first = await mint();
    await storeToken(client(), first, { kind: 'secret', name: 'retried-other' });
    const mine = await mint(false, 1800);
    const theirs = await mint(false, 1200); // a different lifetime: a different token
    proxy.reset();
    // The first attempt times out and is never forwarded in time; another writer stores theirs.
    proxy.inject({
      method: 'PUT',
      path: /\/secrets\/retried-other$/,
      fault: {
        kind: 'before',
        run: async () => {
          await storeToken(connect({ kubeConfig: admin, namespace: ns }), theirs, {
            kind: 'secret',
            name: 'retried-other',
          });
          await new Promise((r) => setTimeout(r, 600)); // past the attempt timeout
        },
      },
    });
    const err = await storeToken(client(), mine, { kind: 'secret', name: 'retried-other' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ category: 'conflict', status: 409 });
    expect(await storedToken('retried-other')).toBe(theirs.token);
  });
});
