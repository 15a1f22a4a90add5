import { writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { jest } from '@jest/globals';
import { stringify } from 'yaml';
import { directTlsOf, KubeconfigModel } from '../src/runtime/kubeconfig-model.js';
import { tempDir } from './temp-dir.js';

// The oracle is client-node 1.4 itself: the model must read every kubeconfig as client-node's
// KubeConfig does, and give a request the TLS settings and headers client-node would.

const dir = tempDir('kubeconfig-model-');
writeFileSync(join(dir, 'ca.crt'), 'CA FROM FILE');
writeFileSync(join(dir, 'client.crt'), 'CERT FROM FILE');
writeFileSync(join(dir, 'client.key'), 'KEY FROM FILE');
writeFileSync(join(dir, 'token'), 'token-from-file');
const b64 = (s: string): string => Buffer.from(s).toString('base64');

const CLUSTERS: Record<string, Record<string, unknown>> = {
  'ca data': { server: 'https://a.example:6443', 'certificate-authority-data': b64('CA DATA') },
  'relative ca file, trailing slash': {
    server: 'https://b.example/',
    'certificate-authority': 'ca.crt',
  },
  'absolute ca file': { server: 'https://c.example', 'certificate-authority': join(dir, 'ca.crt') },
  insecure: { server: 'https://d.example', 'insecure-skip-tls-verify': true },
  'tls server name': {
    server: 'https://10.0.0.1',
    'certificate-authority-data': b64('CA DATA'),
    'tls-server-name': 'kubernetes.default',
  },
  proxy: { server: 'https://e.example', 'proxy-url': 'http://proxy:3128' },
  'plain http': { server: 'http://f.example', 'insecure-skip-tls-verify': true },
};

const USERS: Record<string, Record<string, unknown> | undefined> = {
  token: { token: 'static-token' },
  'token file': { 'token-file': join(dir, 'token') },
  'client cert data': { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') },
  'client cert files, relative': { 'client-certificate': 'client.crt', 'client-key': 'client.key' },
  basic: { username: 'admin', password: 'pw' },
  'token and basic': { token: 'static-token', username: 'admin', password: 'pw' },
  impersonating: { token: 'static-token', as: 'someone' },
  exec: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'true' } },
  oidc: { 'auth-provider': { name: 'oidc', config: { 'id-token': 'x' } } },
  'no credentials': {},
  'no user map': undefined,
};

function kubeconfigText(cluster: Record<string, unknown>, user?: Record<string, unknown>): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'other', cluster: { server: 'https://other' } },
      { name: 'c', cluster },
    ],
    users: [{ name: 'u', ...(user === undefined ? {} : { user }) }],
    contexts: [
      { name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'team' } },
      { name: 'bare', context: { cluster: 'other' } },
    ],
    'current-context': 'ctx',
  });
}

function both(text: string): { model: KubeconfigModel; kc: k8s.KubeConfig } {
  const file = join(dir, `kc-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(file);
  const model = KubeconfigModel.parse(text);
  model.makePathsAbsolute(dir);
  return { model, kc };
}

async function clientNodeRequest(kc: k8s.KubeConfig): Promise<{
  tls: Record<string, unknown>;
  headers: Record<string, string>;
}> {
  const options: RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.headers ?? {})) headers[key] = String(value);
  // json-request.ts sends `auth` as a Basic Authorization header.
  if (options.auth) headers.Authorization = `Basic ${b64(options.auth)}`;
  const tls: Record<string, unknown> = {};
  for (const key of ['ca', 'cert', 'key', 'rejectUnauthorized', 'servername'] as const)
    if (options[key] !== undefined) tls[key] = String(options[key]);
  return { tls, headers };
}

describe('KubeconfigModel reads a kubeconfig as client-node does', () => {
  const cases = Object.keys(CLUSTERS).flatMap((c) => Object.keys(USERS).map((u) => [c, u]));

  test.each(cases)('cluster %s, user %s: same clusters, users, contexts', (c, u) => {
    // GIVEN one kubeconfig text WHEN both read it THEN they hold the same data
    const { model, kc } = both(kubeconfigText(CLUSTERS[c], USERS[u]));
    expect(JSON.parse(JSON.stringify(model.clusters))).toEqual(
      JSON.parse(JSON.stringify(kc.clusters)),
    );
    expect(JSON.parse(JSON.stringify(model.users))).toEqual(JSON.parse(JSON.stringify(kc.users)));
    expect(JSON.parse(JSON.stringify(model.contexts))).toEqual(
      JSON.parse(JSON.stringify(kc.contexts)),
    );
    expect(model.currentContext).toBe(kc.currentContext);
    expect(model.getCurrentCluster()?.name).toBe(kc.getCurrentCluster()?.name);
    expect(model.getCurrentUser()?.name).toBe(kc.getCurrentUser()?.name);
  });

  test.each(cases)(
    'cluster %s, user %s: the same TLS settings and headers, or client-node is needed',
    async (c, u) => {
      const { model, kc } = both(kubeconfigText(CLUSTERS[c], USERS[u]));
      const direct = directTlsOf(model);
      const user = USERS[u] ?? {};
      const needsClientNode =
        'exec' in user ||
        'auth-provider' in user ||
        'proxy-url' in CLUSTERS[c] ||
        !String(CLUSTERS[c].server).startsWith('https:');
      if (needsClientNode) {
        expect(direct).toBeUndefined();
        return;
      }
      expect(direct).toBeDefined();
      const expected = await clientNodeRequest(kc);
      const tls: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(direct!.tls)) tls[key] = String(value);
      expect(tls).toEqual(expected.tls);
      expect(direct!.headers()).toEqual(expected.headers);
      expect(direct!.server.href).toBe(new URL(kc.getCurrentCluster()!.server).href);
    },
  );

  test.each([
    [{ clusters: [{ cluster: { server: 'https://x' } }] }, 'clusters[0].name is missing'],
    [{ clusters: [{ name: 'a' }] }, 'clusters[0].cluster is missing'],
    [{ clusters: [{ name: 'a', cluster: {} }] }, 'clusters[0].cluster.server is missing'],
    [{ users: [{ user: {} }] }, 'users[0].name is missing'],
    [{ contexts: [{ name: 'x' }] }, 'contexts[0].context is missing'],
    [{ contexts: [{ name: 'x', context: {} }] }, 'contexts[0].context.cluster is missing'],
  ])('rejects %j like client-node: %s', (doc, message) => {
    const text = stringify(doc);
    expect(() => new k8s.KubeConfig().loadFromString(text)).toThrow(message);
    expect(() => KubeconfigModel.parse(text)).toThrow(message);
  });

  test('the in-cluster configuration is client-node loadFromCluster, IPv6 bracketed', () => {
    for (const host of ['10.96.0.1', 'fd00::1']) {
      const env = { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: '443' };
      const saved = { ...process.env };
      Object.assign(process.env, env);
      const kc = new k8s.KubeConfig();
      try {
        kc.loadFromCluster();
      } finally {
        process.env = saved;
      }
      const model = KubeconfigModel.inCluster(env);
      expect(JSON.parse(JSON.stringify(model))).toEqual(
        JSON.parse(
          JSON.stringify({
            clusters: kc.clusters,
            users: kc.users,
            contexts: kc.contexts,
            currentContext: kc.currentContext,
          }),
        ),
      );
    }
  });

  test('the in-cluster token file is sent as a bearer token and read again after a minute', () => {
    // GIVEN a user with client-node's in-cluster token-file provider
    const tokenFile = join(dir, 'projected-token');
    writeFileSync(tokenFile, 'first');
    const model = new KubeconfigModel(
      [{ name: 'c', server: 'https://10.0.0.1:443', skipTLSVerify: false }],
      [{ name: 'u', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
      [{ name: 'ctx', cluster: 'c', user: 'u' }],
      'ctx',
    );
    let now = 1_000_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const direct = directTlsOf(model)!;
      expect(direct.headers().Authorization).toBe('Bearer first');
      // WHEN the kubelet replaces the file THEN the old token is kept for a minute, as client-node does
      writeFileSync(tokenFile, 'second');
      now += 59_000;
      expect(direct.headers().Authorization).toBe('Bearer first');
      now += 2_000;
      expect(direct.headers().Authorization).toBe('Bearer second');
    } finally {
      clock.mockRestore();
    }
  });

  test('another auth provider carrying a tokenFile still needs client-node', () => {
    const model = new KubeconfigModel(
      [{ name: 'c', server: 'https://x', skipTLSVerify: false }],
      [{ name: 'u', authProvider: { name: 'gcp', config: { tokenFile: '/t' } } }],
      [{ name: 'ctx', cluster: 'c', user: 'u' }],
      'ctx',
    );
    expect(directTlsOf(model)).toBeUndefined();
  });
});
