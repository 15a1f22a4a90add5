/**
 * In-cluster configuration: with no kubeconfig anywhere and KUBERNETES_SERVICE_HOST set, the
 * CLI uses the pod's ServiceAccount files (/var/run/secrets/kubernetes.io/serviceaccount).
 * The files are provided in a private mount namespace (`unshare -m`, root only), so the host
 * is untouched; where that is not possible the test says so and is skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mintToken } from '../../src/runtime/index.js';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import { createServiceAccountWithRole } from './runtime-fixtures.js';
import { tempDir } from '../temp-dir.js';

const root = new URL('../..', import.meta.url).pathname;
const canUnshare =
  spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind /tmp /mnt && true'], { encoding: 'utf8' })
    .status === 0;
if (!canUnshare)
  console.warn('SKIPPED in-cluster e2e: needs root and `unshare -m` (a private mount namespace)');

describeE2E('runtime: in-cluster configuration', () => {
  const kc = adminKubeConfig();
  const run = canUnshare ? test : test.skip;

  run('the CLI asks the cluster as the pod ServiceAccount when no kubeconfig exists', async () => {
    // GIVEN a ServiceAccount that may only read ConfigMaps, and its token in a fake /run
    const ns = await createNamespace(kc, 'rt-incluster');
    await createServiceAccountWithRole(kc, ns, 'app', [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
    ]);
    const minted = await mintToken({
      kubeconfig: E2E_KUBECONFIG,
      namespace: ns,
      serviceAccount: 'app',
    });
    const cluster = kc.getCurrentCluster()!;
    const server = new URL(cluster.server);
    const run = tempDir('fake-run-');
    const saDir = join(run, 'secrets', 'kubernetes.io', 'serviceaccount');
    mkdirSync(saDir, { recursive: true });
    writeFileSync(join(saDir, 'token'), minted.token, { mode: 0o600 });
    writeFileSync(join(saDir, 'namespace'), ns);
    writeFileSync(join(saDir, 'ca.crt'), Buffer.from(cluster.caData ?? '', 'base64'));
    const canI = (verb: string, target: string) =>
      spawnSync(
        'unshare',
        [
          '-m',
          'sh',
          '-c',
          `mount --bind "${run}" /run && exec "${process.execPath}" bin/access-tokens.cjs can-i ${verb} ${target}`,
        ],
        {
          cwd: root,
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH,
            HOME: tempDir('no-kube-'),
            KUBERNETES_SERVICE_HOST: server.hostname,
            KUBERNETES_SERVICE_PORT: server.port,
          },
        },
      );
    // WHEN / THEN: the namespace comes from the pod's files, the identity from its token
    const yes = canI('list', 'configmaps');
    expect({ status: yes.status, stdout: yes.stdout, stderr: yes.stderr }).toEqual({
      status: 0,
      stdout: 'yes\n',
      stderr: '',
    });
    const no = canI('list', 'secrets');
    expect({ status: no.status, stdout: no.stdout }).toEqual({ status: 1, stdout: 'no\n' });
    expect(yes.stdout + yes.stderr + no.stdout + no.stderr).not.toContain(minted.token);
  });
});
