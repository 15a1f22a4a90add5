import { createHash } from 'node:crypto';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Permission, Risk, ServiceAccountAccess } from '../src/index.js';
import { tempDir } from './temp-dir.js';

// Synth-speed work (caches in the lint, the role index and the rule validation) must not change
// one synthesized byte. The expected digest was computed with the code before that work
// (commit 3487521), by the same app: many charts, a namespace per bundle, one chart-wide
// namespace, acknowledged risks, cluster permissions and `allow()` after construction. (Its
// last grant was added through cdk8s-plus's `role.allow()` then; `role` is a plain `ApiObject`
// now, and the same grant through `allow()` must render the same bytes.)
const EXPECTED_SHA256 = '378058c85a6eed2eaf7218e653911b5904c46f8ea488127171dec12407b3968b';

function buildApp(outdir: string): App {
  const app = new App({ outdir });
  for (let team = 0; team < 3; team++) {
    const chart = new Chart(app, `team-${team}`, { disableResourceNameHashes: true });
    for (let i = 0; i < 4; i++) {
      const access = new ServiceAccountAccess(chart, `app-${team}-${i}`, {
        namespace: `tenant-${team}-${i}`,
        permissions: [
          Permission.read(kplus.ApiResource.PODS),
          Permission.verbs(['get'], 'pods/log'),
          Permission.verbs(['get', 'patch'], 'deployments.apps', `app-${i}`),
        ],
        labels: { team: `team-${team}` },
      });
      if (i % 2 === 1) access.allow(Permission.read('configmaps', 'settings'));
    }
  }
  const platform = new Chart(app, 'platform', { namespace: 'platform' });
  new ServiceAccountAccess(platform, 'backup', {
    permissions: [Permission.read('secrets', 'db-password'), Permission.read('pods')],
    clusterPermissions: [Permission.read('nodes'), Permission.nonResourceUrls(['get'], '/healthz')],
    acknowledge: [
      { risk: Risk.SECRETS_READ, reason: 'backup reads the db password' },
      { risk: Risk.CLUSTER_WIDE_GRANT, reason: 'node inventory for capacity reports' },
    ],
  });
  const deployer = new ServiceAccountAccess(platform, 'deployer', {
    permissions: [Permission.verbs(['get', 'update', 'patch'], 'deployments.apps', 'web', 'api')],
  });
  deployer.allow(Permission.verbs(['get', 'list'], kplus.ApiResource.SERVICES));
  return app;
}

test('a representative app synthesizes exactly the bytes it did before the synth-speed work', () => {
  // GIVEN
  const app = buildApp(tempDir('synth-stability'));
  // WHEN
  const yaml = app.synthYaml();
  // THEN
  expect(createHash('sha256').update(yaml).digest('hex')).toBe(EXPECTED_SHA256);
});
