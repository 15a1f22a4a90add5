/**
 * The bootstrap RBAC policy data (src/rbac/bootstrap-policy.data.ts, Kubernetes v1.20.2)
 * against the real API server's own defaults: every ClusterRole, Role and binding of the data
 * that exists on the server has the same rules, aggregation, roleRef and subjects. The server
 * has no controller-manager, so aggregated ClusterRoles (admin, edit, view) are compared on
 * their aggregationRule only (their rules are filled by the controller).
 */
import * as k8s from '@kubernetes/client-node';
import { BOOTSTRAP_OBJECTS, BOOTSTRAP_POLICY_VERSION } from '../../src/rbac/bootstrap-policy.js';
import type { KubeObject } from '../../src/rbac/kube-object.js';
import { adminKubeConfig, describeE2E } from './cluster.js';

type Listed = { items: Record<string, unknown>[] };

/** Only what RBAC evaluates, in a comparable form (nulls and empty lists as absent). */
function comparable(o: Record<string, unknown>): unknown {
  const clean = (v: unknown): unknown =>
    JSON.parse(
      JSON.stringify(v ?? null, (_k, x) => (Array.isArray(x) && x.length === 0 ? undefined : x)),
    );
  return {
    rules: o.aggregationRule ? null : clean(o.rules),
    aggregationRule: clean(o.aggregationRule),
    roleRef: clean(o.roleRef),
    subjects: clean(o.subjects),
  };
}

describeE2E('bootstrap RBAC policy data (real API server)', () => {
  const kc = adminKubeConfig();
  const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);

  test(`the v${BOOTSTRAP_POLICY_VERSION} data equals the server's objects of the same names`, async () => {
    const server = new Map<string, Record<string, unknown>>();
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
    const key = (o: KubeObject) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    const present = BOOTSTRAP_OBJECTS.filter((o) => server.has(key(o)));
    // most of the data exists on a bare 1.20 server (controller roles included)
    expect(present.length).toBeGreaterThan(BOOTSTRAP_OBJECTS.length * 0.9);
    const differing = present
      .filter(
        (o) =>
          JSON.stringify(comparable(o as Record<string, unknown>)) !==
          JSON.stringify(comparable(server.get(key(o))!)),
      )
      .map(key);
    expect(differing).toEqual([]);
  });
});
