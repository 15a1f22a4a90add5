/**
 * What a healthy server never does, injected by the fault proxy in front of the real one:
 * 5xx, 429 with Retry-After, slow answers, dropped connections, a conflicting write between
 * read and update. The proxy records each request, so the tests count attempts (no timings).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import {
  connect,
  mintToken,
  storeToken,
  AccessTokensError,
  type ClusterClient,
} from '../../src/runtime/index.js';
import { adminKubeConfig, createNamespace, describeE2E } from './cluster.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import {
  capturedOutput,
  capturingLogger,
  createServiceAccountWithRole,
  runCli,
} from './runtime-fixtures.js';
import { tempDir } from '../temp-dir.js';

const TOKEN_PATH = /\/serviceaccounts\/deployer\/token$/;

describeE2E('runtime: retries and failures through the fault proxy', () => {
  let admin: k8s.KubeConfig;
  let proxy: FaultProxy;
  let ns: string;
  const tokens: string[] = [];
  const errors: string[] = [];
  const client = (retry: object = {}): ClusterClient =>
    connect({
      kubeConfig: proxy.kubeConfig(),
      namespace: ns,
      logger: capturingLogger,
      retry: { initialDelayMs: 10, maxDelayMs: 50, ...retry },
    });
  const mint = async (retry: object = {}) => {
    const minted = await mintToken({ client: client(retry), serviceAccount: 'deployer' });
    tokens.push(minted.token);
    return minted;
  };
  const tokenRequests = () => proxy.requests.filter((r) => TOKEN_PATH.test(r.path));
  const failure = async (p: Promise<unknown>): Promise<AccessTokensError> => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AccessTokensError);
    errors.push((err as Error).message, String((err as Error).stack));
    return err as AccessTokensError;
  };

  beforeAll(async () => {
    admin = adminKubeConfig();
    proxy = await startFaultProxy(admin);
    ns = await createNamespace(admin, 'rt-faults');
    await createServiceAccountWithRole(admin, ns, 'deployer', []);
  });
  afterAll(async () => {
    await proxy.close();
    const haystack = [...capturedOutput, ...errors].join('\n');
    for (const token of tokens) expect(haystack.includes(token)).toBe(false);
  });
  beforeEach(() => proxy.reset());

  test('through the proxy without faults: one request', async () => {
    await mint();
    expect(tokenRequests().map((r) => r.status)).toEqual([201]);
  });

  test('503 twice, then success: three attempts', async () => {
    proxy.inject({
      method: 'POST',
      path: TOKEN_PATH,
      fault: { kind: 'status', status: 503 },
      times: 2,
    });
    const minted = await mint();
    expect(minted.lifetimeSeconds).toBe(3600);
    expect(tokenRequests().map((r) => r.status)).toEqual([503, 503, 201]);
  });

  test('429 with Retry-After is honoured, then success', async () => {
    proxy.inject({
      method: 'POST',
      path: TOKEN_PATH,
      fault: { kind: 'status', status: 429, retryAfter: '1' },
    });
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    await mint({ sleep });
    expect(waits).toEqual([1000]);
    expect(tokenRequests().map((r) => r.status)).toEqual([429, 201]);
  });

  test('a Retry-After beyond the total time budget is not waited for: transient failure', async () => {
    proxy.inject({
      method: 'POST',
      path: TOKEN_PATH,
      fault: { kind: 'status', status: 429, retryAfter: '120' },
    });
    const err = await failure(mint({ maxTotalMs: 5000 }));
    expect(err.category).toBe('transient');
    expect(tokenRequests()).toHaveLength(1);
  });

  test('persistent 500: bounded attempts, then a transient error', async () => {
    proxy.inject({
      method: 'POST',
      path: TOKEN_PATH,
      fault: { kind: 'status', status: 500 },
      times: 10,
    });
    const err = await failure(mint({ maxAttempts: 3 }));
    expect(err).toMatchObject({ category: 'transient', status: 500 });
    expect(err.message).toMatch(
      /cannot create serviceaccounts\/token 'deployer' in namespace '.*': HTTP 500: injected by the fault proxy/,
    );
    expect(tokenRequests()).toHaveLength(3);
  });

  test('other 4xx are not retried', async () => {
    proxy.inject({
      method: 'POST',
      path: TOKEN_PATH,
      fault: { kind: 'status', status: 400 },
      times: 10,
    });
    expect((await failure(mint())).category).toBe('usage');
    proxy.reset();
    const err = await failure(mintToken({ client: client(), serviceAccount: 'ghost' }));
    expect(err.category).toBe('not-found');
    expect(proxy.requests).toHaveLength(1);
  });

  test('a dropped connection is retried', async () => {
    proxy.inject({ method: 'POST', path: TOKEN_PATH, fault: { kind: 'drop' } });
    await mint();
    expect(tokenRequests().map((r) => r.injected ?? r.status)).toEqual(['drop', 201]);
  });

  test('a slow answer times out and is retried', async () => {
    proxy.inject({ method: 'POST', path: TOKEN_PATH, fault: { kind: 'delay', ms: 3000 } });
    await mint({ attemptTimeoutMs: 500 });
    expect(tokenRequests().map((r) => r.injected ?? 'forwarded')).toEqual(['delay', 'forwarded']);
  });

  test('an error body that echoes a token is redacted from the message', async () => {
    const leaked = (await mint()).token;
    proxy.reset();
    proxy.inject({
      method: 'POST',
      path: TOKEN_PATH,
      fault: {
        kind: 'status',
        status: 500,
        body: JSON.stringify({
          kind: 'Status',
          message: `backend said ${leaked} and Bearer abc.def`,
        }),
      },
      times: 10,
    });
    const err = await failure(mint({ maxAttempts: 1 }));
    expect(err.message).toContain('[REDACTED]');
    expect(err.message).not.toContain(leaked);
    expect(err.message).not.toContain('abc.def');
  });

  test('a write between read and update of the Secret: the server answers 409, reported as a conflict', async () => {
    const c = client();
    const first = await mint();
    await storeToken(c, first, { kind: 'secret', name: 'race' });
    const core = admin.makeApiClient(k8s.CoreV1Api);
    const second = await mint();
    proxy.reset();
    proxy.inject({
      method: 'PUT',
      path: /\/secrets\/race$/,
      fault: {
        kind: 'before',
        run: async () => {
          // Another rotation wins the race just before our update reaches the server.
          const s = await core.readNamespacedSecret({ name: 'race', namespace: ns });
          await core.replaceNamespacedSecret({
            name: 'race',
            namespace: ns,
            body: {
              ...s,
              metadata: { ...s.metadata, labels: { ...s.metadata?.labels, winner: 'other' } },
            },
          });
        },
      },
    });
    const err = await failure(storeToken(c, second, { kind: 'secret', name: 'race' }));
    expect(err).toMatchObject({ category: 'conflict', status: 409 });
    // The read after the 409 only says why (a Secret now not ours is refused as such): no
    // second write.
    expect(proxy.requests.map((r) => `${r.method} ${r.status}`)).toEqual([
      'GET 200',
      'PUT 409',
      'GET 200',
    ]);
    expect(JSON.parse(proxy.requests[1].requestBody).metadata.resourceVersion).toBeTruthy();
    const s = await core.readNamespacedSecret({ name: 'race', namespace: ns });
    expect(Buffer.from(s.data!.token, 'base64').toString()).toBe(first.token); // nothing half-written
  });

  test('CLI --max-retry-time: a Retry-After that would end after it is not waited for', async () => {
    // GIVEN a kubeconfig for the proxy, and a server asking to come back in 2 s, once
    const kubeconfig = join(tempDir('faults-cli-'), 'proxy.kubeconfig');
    writeFileSync(kubeconfig, proxy.kubeConfig().exportConfig(), { mode: 0o600 });
    const tooSoon = { kind: 'status', status: 429, retryAfter: '2' } as const;
    const mintCli = (budget: string) =>
      runCli([
        'mint',
        'deployer',
        '-n',
        ns,
        '--kubeconfig',
        kubeconfig,
        '-o',
        'name',
        '--max-retry-time',
        budget,
      ]);
    proxy.inject({ method: 'POST', path: TOKEN_PATH, fault: tooSoon });
    // WHEN the budget is 1 s THEN one request, and the transient-failure exit code
    const short = await mintCli('1s');
    expect(short.code).toBe(6);
    expect(short.stderr).toMatch(/HTTP 429/);
    expect(tokenRequests()).toHaveLength(1);
    // WHEN the budget is 10 s THEN the wait is taken and the second request succeeds
    proxy.reset();
    proxy.inject({ method: 'POST', path: TOKEN_PATH, fault: tooSoon });
    const long = await mintCli('10s');
    expect(long.code).toBe(0);
    expect(tokenRequests().map((r) => r.status)).toEqual([429, 201]);
  });
});
