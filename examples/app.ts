import { Chart, type App } from 'cdk8s';
import { ApiResource } from 'cdk8s-plus-27';
import { Permission, Risk, ServiceAccountAccess } from '../src/index.js';

/** The example's namespace. */
export const EXAMPLE_NAMESPACE = 'shop';

/** Builds the example app's chart into `app` (shared by main.ts, the tests and the e2e suite). */
export function buildExampleApp(app: App, namespace = EXAMPLE_NAMESPACE): Chart {
  const chart = new Chart(app, 'access', { namespace, disableResourceNameHashes: true });

  // A CI pipeline that rolls out two Deployments: it may read and patch exactly those two.
  new ServiceAccountAccess(chart, 'deployer', {
    permissions: [
      Permission.verbs(['get', 'patch'], 'deployments.apps', 'web', 'worker'),
      Permission.read('replicasets.apps'),
      Permission.read(ApiResource.PODS),
    ],
  });

  // A read-only dashboard: workloads, their pods and logs, events and config maps.
  new ServiceAccountAccess(chart, 'dashboard', {
    permissions: [
      Permission.read('deployments.apps'),
      Permission.read('statefulsets.apps'),
      Permission.read(ApiResource.PODS),
      Permission.verbs(['get'], 'pods/log'),
      Permission.read('events'),
      Permission.read(ApiResource.CONFIG_MAPS),
    ],
  });

  // A backup job that needs one database credential: a risky grant, acknowledged on purpose.
  new ServiceAccountAccess(chart, 'backup', {
    permissions: [
      Permission.verbs(['get'], 'secrets', 'db-credentials'),
      Permission.read('persistentvolumeclaims'),
    ],
    acknowledge: [
      {
        risk: Risk.SECRETS_READ,
        reason: 'the nightly backup reads the database password from this one Secret',
      },
    ],
  });

  return chart;
}
