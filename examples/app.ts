import { Chart, Duration, type App } from 'cdk8s';
import { ApiResource, Deployment } from 'cdk8s-plus-27';
import { Permission, Risk, ServiceAccountAccess, TokenStore } from '../src/index.js';

/** The example's namespace. */
export const EXAMPLE_NAMESPACE = 'shop';

/** Builds the example app's chart into `app` (shared by main.ts, the tests and the e2e suite). */
export function buildExampleApp(
  app: App,
  namespace = EXAMPLE_NAMESPACE,
  dashboardKubeconfig = 'dashboard.kubeconfig',
): Chart {
  const chart = new Chart(app, 'access', { namespace, disableResourceNameHashes: true });

  // A CI pipeline that rolls out two Deployments: it may read and patch exactly those two.
  // Its one-hour token is kept in a Secret, bound to a Secret of its own so that it can be
  // revoked alone.
  new ServiceAccountAccess(chart, 'deployer', {
    token: {
      duration: Duration.hours(1),
      store: TokenStore.secret('deployer-token'),
      boundToSecret: true,
    },
    permissions: [
      Permission.verbs(['get', 'patch'], 'deployments.apps', 'web', 'worker'),
      Permission.read('replicasets.apps'),
      Permission.read(ApiResource.PODS),
    ],
  });

  // A read-only dashboard: workloads, their pods and logs, events and config maps. Its
  // 8-hour token goes into a kubeconfig file on the machine that runs `mint --from`.
  const dashboard = new ServiceAccountAccess(chart, 'dashboard', {
    token: {
      duration: Duration.hours(8),
      store: TokenStore.kubeconfigFile(dashboardKubeconfig),
    },
    permissions: [
      Permission.read('deployments.apps'),
      Permission.read('statefulsets.apps'),
      Permission.read(ApiResource.PODS),
      Permission.verbs(['get'], 'pods/log'),
      Permission.read('events'),
      Permission.read(ApiResource.CONFIG_MAPS),
    ],
  });

  // The dashboard's web front end runs in the cluster as the same account. Its pods get a
  // projected token for the API server (one hour, re-minted by the kubelet) where in-cluster
  // clients look for it, instead of the kubelet's automounted one.
  dashboard.attachTo(
    new Deployment(chart, 'dashboard-web', {
      metadata: { name: 'dashboard' },
      containers: [{ name: 'dashboard', image: 'ghcr.io/example/dashboard:1.0', portNumber: 8080 }],
    }),
  );
  // A metrics exporter outside the cluster reads pod metrics with a one-hour token that keeps
  // itself valid: a Job mints it when the manifests are applied, and a CronJob replaces it
  // after 80% of its lifetime (every 6 minutes it checks), in the Secret exporter-token.
  new ServiceAccountAccess(chart, 'exporter', {
    token: {
      duration: Duration.hours(1),
      store: TokenStore.secret('exporter-token'),
      rotation: {},
      mintOnDeploy: true,
    },
    permissions: [Permission.read('pods.metrics.k8s.io')],
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
