/**
 * Shared harness of the e2e suite: the cluster named by E2E_KUBECONFIG (skipped, visibly,
 * when unset), an admin KubeConfig, and a fresh namespace per test file (namespaces are never
 * reclaimed on the CI server, which has no controller-manager).
 */
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';

/** The kubeconfig path of the e2e cluster, or undefined. */
export const E2E_KUBECONFIG = process.env.E2E_KUBECONFIG;

/** `describe` when a cluster is configured, otherwise `describe.skip` with a visible notice. */
export function describeE2E(name: string, fn: () => void): void {
  if (E2E_KUBECONFIG) {
    describe(name, fn);
  } else {
    console.warn(`SKIPPED e2e '${name}': set E2E_KUBECONFIG to a cluster's kubeconfig to run it`);
    // Not `describe.skip(name, fn)`: jest still runs a skipped describe's body, whose setup
    // (adminKubeConfig() and the like) needs the cluster.
    describe.skip(name, () => {
      test('needs E2E_KUBECONFIG', () => undefined);
    });
  }
}

/** A KubeConfig for the e2e cluster's admin. */
export function adminKubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(E2E_KUBECONFIG as string);
  return kc;
}

/** A fresh, unique namespace name with the given prefix. */
export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** Creates a namespace and returns its name. */
export async function createNamespace(kc: k8s.KubeConfig, prefix: string): Promise<string> {
  const name = uniqueNamespace(prefix);
  await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

/**
 * Whether the e2e server (kube-apiserver 1.20) serves the object's kind: it has no batch/v1
 * CronJob (added in 1.21), which the unit tests validate against the schema instead.
 */
export function servedByTestServer(obj: { apiVersion?: string; kind?: string }): boolean {
  return !(obj.apiVersion === 'batch/v1' && obj.kind === 'CronJob');
}
