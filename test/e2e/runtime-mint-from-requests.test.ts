/**
 * `mint --from` with Secret stores against the real server, every request seen by the fault
 * proxy: one LIST of a namespace's managed Secrets, then per token a TokenRequest and one
 * write (a replace at the resourceVersion the LIST read, or a create); a store the LIST does not
 * show (not created yet, or someone else's Secret of that name) is read once before its token
 * is minted. A Secret written by someone else between the LIST and the write is a conflict, not
 * overwritten.
 */
import * as k8s from '@kubernetes/client-node';
import { managedSecretManifest } from '../../src/contract/token-declaration.js';
import { connect } from '../../src/runtime/cluster.js';
import type { DeclaredToken } from '../../src/runtime/manifests.js';
import { mintDeclaredTokens } from '../../src/runtime/mint-declared.js';
import { adminKubeConfig, createNamespace, describeE2E } from './cluster.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { capturingLogger, createServiceAccountWithRole } from './runtime-fixtures.js';

describeE2E('runtime: mint --from requests for Secret stores', () => {
  let admin: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let proxy: FaultProxy;
  let ns: string;
  const names = ['sa-0', 'sa-1', 'sa-2', 'sa-3'];
  const declared = (serviceAccount: string): DeclaredToken => ({
    namespace: ns,
    serviceAccount,
    declaration: {
      version: 1,
      durationSeconds: 3600,
      audiences: [],
      store: { kind: 'secret', name: `${serviceAccount}-token` },
      boundToSecret: false,
    },
  });
  const mintAll = (which: readonly string[]) =>
    mintDeclaredTokens(which.map(declared), {
      client: connect({ kubeConfig: proxy.kubeConfig(), logger: capturingLogger }),
      concurrency: 2,
    });
  const storedToken = async (name: string): Promise<string | undefined> =>
    (await core.readNamespacedSecret({ name, namespace: ns })).data?.token;

  beforeAll(async () => {
    admin = adminKubeConfig();
    core = admin.makeApiClient(k8s.CoreV1Api);
    proxy = await startFaultProxy(admin);
    ns = await createNamespace(admin, 'from-requests');
    for (const name of names) await createServiceAccountWithRole(admin, ns, name, []);
    // GIVEN the stores of sa-0 and sa-1 applied as synthesized; sa-2's and sa-3's not yet
    for (const name of ['sa-0', 'sa-1'])
      await core.createNamespacedSecret({
        namespace: ns,
        body: managedSecretManifest(`${name}-token`, { namespace: ns }),
      });
  });
  afterAll(async () => proxy.close());
  beforeEach(() => proxy.reset());

  test('one LIST, then per token a TokenRequest and one write (a store not created yet is read first); every store holds its token', async () => {
    // WHEN
    const results = await mintAll(names);
    // THEN
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true]);
    const sent = proxy.requests.map((r) => `${r.method} ${r.path.replace(/\?.*/, '')}`).sort();
    const base = `/api/v1/namespaces/${ns}`;
    expect(sent).toEqual(
      [
        `GET ${base}/secrets`,
        ...names.map((n) => `POST ${base}/serviceaccounts/${n}/token`),
        `PUT ${base}/secrets/sa-0-token`,
        `PUT ${base}/secrets/sa-1-token`,
        `GET ${base}/secrets/sa-2-token`,
        `GET ${base}/secrets/sa-3-token`,
        `POST ${base}/secrets`,
        `POST ${base}/secrets`,
      ].sort(),
    );
    expect(proxy.requests.find((r) => r.path.startsWith(`${base}/secrets?`))?.path).toContain(
      'labelSelector=access-tokens.cdk8s.io%2Fmanaged%3Dtrue',
    );
    for (const name of names) {
      const secret = await core.readNamespacedSecret({ name: `${name}-token`, namespace: ns });
      expect(secret.type).toBe('access-tokens.cdk8s.io/token');
      const token = Buffer.from(secret.data?.token ?? '', 'base64').toString();
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
        sub: string;
      };
      expect(claims.sub).toBe(`system:serviceaccount:${ns}:${name}`);
    }
  });

  test('a store written by someone else after the LIST: a conflict, their write kept', async () => {
    // GIVEN someone writes sa-0-token just before our replace reaches the server
    const theirs = Buffer.from('their-value').toString('base64');
    proxy.inject({
      method: 'PUT',
      path: /\/secrets\/sa-0-token$/,
      fault: {
        kind: 'before',
        run: async () => {
          const now = await core.readNamespacedSecret({ name: 'sa-0-token', namespace: ns });
          await core.replaceNamespacedSecret({
            name: 'sa-0-token',
            namespace: ns,
            body: { ...now, data: { token: theirs } },
          });
        },
      },
    });
    // (the resourceVersion, not the token: two tokens minted in one second can be equal)
    const version = async (name: string) =>
      (await core.readNamespacedSecret({ name, namespace: ns })).metadata?.resourceVersion;
    const before1 = await version('sa-1-token');
    // WHEN
    const [first, second] = await mintAll(['sa-0', 'sa-1']);
    // THEN sa-0 fails as a conflict, with one write sent; sa-1 is replaced as usual
    expect(first).toMatchObject({ ok: false, category: 'conflict' });
    expect(first.error).toMatch(/cannot update secrets 'sa-0-token' in namespace '\S+': conflict/);
    expect(
      proxy.requests.filter((r) => r.method === 'PUT' && /sa-0-token/.test(r.path)),
    ).toHaveLength(1);
    expect((await storedToken('sa-0-token')) === theirs).toBe(true);
    expect(second.ok).toBe(true);
    expect(await version('sa-1-token')).not.toBe(before1);
  });

  test("another ServiceAccount's store: refused from the LIST, before any TokenRequest", async () => {
    // GIVEN sa-2's declaration names sa-3's store (which holds sa-3's token by now)
    const wrong: DeclaredToken = {
      ...declared('sa-2'),
      declaration: {
        ...declared('sa-2').declaration,
        store: { kind: 'secret', name: 'sa-3-token' },
      },
    };
    const before = await storedToken('sa-3-token');
    // WHEN
    const [result] = await mintDeclaredTokens([wrong], {
      client: connect({ kubeConfig: proxy.kubeConfig() }),
    });
    // THEN
    expect(result).toMatchObject({ ok: false, category: 'usage' });
    expect(result.error).toBe(
      `secret '${ns}/sa-3-token' holds the token of ServiceAccount 'sa-3': refusing to overwrite it with one of 'sa-2'`,
    );
    expect(proxy.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect((await storedToken('sa-3-token')) === before).toBe(true);
  });
});
