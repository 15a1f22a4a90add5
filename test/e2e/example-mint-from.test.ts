/**
 * The user's journey over the example app: synthesize it, apply every object to the API
 * server, run `access-tokens mint --from dist/ --out-dir WORK`, and use what was stored: the deployer's
 * token (in its Secret) may patch exactly the two named Deployments, the dashboard's
 * kubeconfig file reads and cannot write, and no token appears in any output.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import * as k8s from '@kubernetes/client-node';
import { buildExampleApp } from '../../examples/app.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { parseManifests } from '../../src/rbac/manifest-reader.js';
import { canI, inspectToken } from '../../src/runtime/index.js';
import {
  adminKubeConfig,
  describeE2E,
  E2E_KUBECONFIG,
  uniqueNamespace,
  servedByTestServer,
} from './cluster.js';
import { runCli } from './runtime-fixtures.js';
import { tempDir } from '../temp-dir.js';

describeE2E('the example app, applied, then mint --from dist/', () => {
  const work = tempDir('example-mint-');
  const dist = join(work, 'dist');
  // The manifest names a path relative to the output folder given to `mint --out-dir`.
  const kubeconfigName = 'dashboard.kubeconfig';
  const kubeconfigFile = join(work, kubeconfigName);
  const namespace = uniqueNamespace('e2e-shop');
  const kc = adminKubeConfig();
  let stdout = '';
  let stderr = '';

  beforeAll(async () => {
    // GIVEN the example synthesized into dist/ (as `npm run synth` does) and applied
    const app = new App({ outdir: dist });
    buildExampleApp(app, namespace, kubeconfigName);
    app.synth();
    const client = k8s.KubernetesObjectApi.makeApiClient(kc);
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const text = readFileSync(join(dist, 'access.k8s.yaml'), 'utf8');
    for (const obj of parseManifests(text, 'dist').filter(servedByTestServer))
      await client.create(obj as k8s.KubernetesObject);
    // WHEN
    const out = await runCli([
      'mint',
      '--from',
      dist,
      '--out-dir',
      work,
      '--kubeconfig',
      E2E_KUBECONFIG as string,
    ]);
    stdout = out.stdout;
    stderr = out.stderr;
    expect(out.code).toBe(ExitCode.OK);
  });

  test('reports each declared token and where it went', () => {
    expect(stdout).toMatch(new RegExp(`deployer +minted +secret/deployer-token -n ${namespace}`));
    expect(stdout).toMatch(/dashboard +minted +.*dashboard\.kubeconfig/);
    expect(stdout).toMatch(new RegExp(`exporter +minted +secret/exporter-token -n ${namespace}`));
    expect(stdout).toMatch(/3 minted, 0 failed/);
  });

  test("the deployer's stored token may patch exactly web and worker, bound to its own Secret", async () => {
    const secret = await kc
      .makeApiClient(k8s.CoreV1Api)
      .readNamespacedSecret({ name: 'deployer-token', namespace });
    const token = Buffer.from(secret.data?.token ?? '', 'base64').toString('utf8');
    expect(token).not.toBe('');
    expect(stdout + stderr).not.toContain(token);
    const info = inspectToken(token);
    expect(info.subject).toBe(`system:serviceaccount:${namespace}:deployer`);
    expect(info.serviceAccount.boundObject?.kind).toBe('Secret');
    const ask = (verb: string, resource: string, apiGroup: string, name?: string) =>
      canI({ verb, resource, apiGroup, name, namespace }, { kubeconfig: E2E_KUBECONFIG, token });
    expect((await ask('patch', 'deployments', 'apps', 'web')).allowed).toBe(true);
    expect((await ask('patch', 'deployments', 'apps', 'worker')).allowed).toBe(true);
    expect((await ask('patch', 'deployments', 'apps', 'api')).allowed).toBe(false);
    expect((await ask('delete', 'pods', '')).allowed).toBe(false);
    expect((await ask('get', 'secrets', '', 'deployer-token')).allowed).toBe(false);
  });

  test("the dashboard's kubeconfig file is 0600 and reads, but cannot write", async () => {
    expect(statSync(kubeconfigFile).mode & 0o777).toBe(0o600);
    const dashboard = new k8s.KubeConfig();
    dashboard.loadFromFile(kubeconfigFile);
    const core = dashboard.makeApiClient(k8s.CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace });
    expect(pods.items).toEqual([]);
    await expect(
      core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'x' } } }),
    ).rejects.toMatchObject({
      code: 403,
    });
    await expect(core.listNamespacedSecret({ namespace })).rejects.toMatchObject({ code: 403 });
  });
});
