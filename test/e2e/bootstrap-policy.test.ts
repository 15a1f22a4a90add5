/**
 * The bootstrap RBAC policy data against the real API server's own defaults. The server runs
 * Kubernetes 1.20.2, so the vendored v1.20.2 testdata (data/bootstrap-policy/v1.20.2, read by
 * scripts/bootstrap-policy.mjs as the engine's data is) must equal it object for object; the
 * engine's current data (src/rbac/bootstrap-policy.data.ts, a newer release) must differ from the
 * server exactly where it differs from v1.20.2, and nowhere else. The server has no
 * controller-manager, so aggregated ClusterRoles (admin, edit, view) are compared on their
 * aggregationRule only (their rules are filled by the controller).
 */
import * as k8s from '@kubernetes/client-node';
import { BOOTSTRAP_OBJECTS, BOOTSTRAP_POLICY_VERSION } from '../../src/rbac/bootstrap-policy.js';
import type { KubeObject } from '../../src/rbac/kube-object.js';
import { bootstrapPolicyOf } from '../bootstrap-policy-folder.js';
import { adminKubeConfig, describeE2E } from './cluster.js';

type Listed = { items: Record<string, unknown>[] };

/** Only what RBAC evaluates, in a comparable form (nulls and empty lists as absent). */
function comparable(o: Record<string, unknown>): string {
  const clean = (v: unknown): unknown =>
    JSON.parse(
      JSON.stringify(v ?? null, (_k, x) => (Array.isArray(x) && x.length === 0 ? undefined : x)),
    );
  return JSON.stringify({
    rules: o.aggregationRule ? null : clean(o.rules),
    aggregationRule: clean(o.aggregationRule),
    roleRef: clean(o.roleRef),
    subjects: clean(o.subjects),
  });
}

const key = (o: KubeObject) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

/** The keys of `objects` whose RBAC content differs from `other`'s object of the same key. */
function differing(
  objects: readonly KubeObject[],
  other: ReadonlyMap<string, Record<string, unknown>>,
): string[] {
  return objects
    .filter((o) => other.has(key(o)))
    .filter((o) => comparable(o as Record<string, unknown>) !== comparable(other.get(key(o))!))
    .map(key)
    .sort();
}

describeE2E('bootstrap RBAC policy data (real API server)', () => {
  const kc = adminKubeConfig();
  const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  const v120 = bootstrapPolicyOf('1.20.2');
  let server: Map<string, Record<string, unknown>>;

  beforeAll(async () => {
    server = new Map();
    const lists: [string, Promise<Listed>][] = [
      ['ClusterRole', rbac.listClusterRole() as unknown as Promise<Listed>],
      ['ClusterRoleBinding', rbac.listClusterRoleBinding() as unknown as Promise<Listed>],
      ['Role', rbac.listRoleForAllNamespaces() as unknown as Promise<Listed>],
      ['RoleBinding', rbac.listRoleBindingForAllNamespaces() as unknown as Promise<Listed>],
    ];
    for (const [kind, list] of lists) {
      for (const item of (await list).items) {
        const meta = item.metadata as { name: string; namespace?: string };
        server.set(`${kind}/${meta.namespace ?? ''}/${meta.name}`, item);
      }
    }
  });

  test("the vendored v1.20.2 data is the 1.20.2 server's own defaults, every object of it", async () => {
    const missing = v120.objects.filter((o) => !server.has(key(o))).map(key);
    expect(missing).toEqual([]);
    expect(differing(v120.objects, server)).toEqual([]);
  });

  test(`the v${BOOTSTRAP_POLICY_VERSION} data differs from the 1.20.2 server exactly where it differs from v1.20.2`, async () => {
    // GIVEN the v1.20.2 data, keyed like the server's objects
    const v120ByKey = new Map(v120.objects.map((o) => [key(o), o as Record<string, unknown>]));
    // WHEN the current data is compared with the server and with v1.20.2
    const onServer = BOOTSTRAP_OBJECTS.filter((o) => server.has(key(o)));
    const newer = BOOTSTRAP_OBJECTS.filter((o) => !server.has(key(o))).map(key);
    // THEN what the server lacks is what v1.20.2 lacks: objects Kubernetes added later
    expect(newer).toEqual(BOOTSTRAP_OBJECTS.filter((o) => !v120ByKey.has(key(o))).map(key));
    expect(newer).toEqual(
      expect.arrayContaining([
        'ClusterRole//system:controller:validatingadmissionpolicy-status-controller',
        'ClusterRole//system:controller:service-cidrs-controller',
      ]),
    );
    // AND the objects both have differ from the server exactly where they differ from v1.20.2
    expect(differing(onServer, server)).toEqual(differing(onServer, v120ByKey));
    expect(differing(onServer, server)).toEqual(
      expect.arrayContaining([
        'ClusterRole//system:aggregate-to-edit',
        'ClusterRole//system:aggregate-to-view',
        'ClusterRole//system:basic-user',
        'ClusterRole//system:kube-scheduler',
        'Role/kube-system/system::leader-locking-kube-scheduler',
      ]),
    );
  });
});
