/**
 * `describeServiceAccount` finds the bindings that apply to a ServiceAccount the way the
 * authorizer does: subjects of kind ServiceAccount, but also its user name and the groups its
 * tokens carry (`system:serviceaccounts:NS`, `system:serviceaccounts`).
 */
import * as k8s from '@kubernetes/client-node';
import { connect, describeServiceAccount } from '../../src/runtime/index.js';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import { startFaultProxy } from './fault-proxy.js';
import { createServiceAccountWithRole } from './runtime-fixtures.js';

describeE2E('runtime: describe finds bindings by user name and group', () => {
  let kc: k8s.KubeConfig;
  let ns: string;
  let rbac: k8s.RbacAuthorizationV1Api;
  const clusterScoped: string[] = [];

  beforeAll(async () => {
    kc = adminKubeConfig();
    rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    ns = await createNamespace(kc, 'rt-describe');
    await createServiceAccountWithRole(kc, ns, 'viewer', []);
    const role = `${ns}-pod-reader`;
    clusterScoped.push(role);
    await rbac.createClusterRole({
      body: {
        metadata: { name: role },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
      },
    });
    const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role };
    const group = (name: string) => ({
      kind: 'Group',
      apiGroup: 'rbac.authorization.k8s.io',
      name,
    });
    // GIVEN a ClusterRole bound to the namespace's ServiceAccounts group, cluster-wide
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: `${ns}-all-sas` },
        roleRef,
        subjects: [group(`system:serviceaccounts:${ns}`)],
      },
    });
    // ... to the ServiceAccount's user name, in its namespace
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'by-user-name' },
        roleRef,
        subjects: [
          {
            kind: 'User',
            apiGroup: 'rbac.authorization.k8s.io',
            name: `system:serviceaccount:${ns}:viewer`,
          },
        ],
      },
    });
    // ... and to another namespace's group, which does not apply
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: `${ns}-other-sas` },
        roleRef,
        subjects: [group(`system:serviceaccounts:${ns}-other`)],
      },
    });
    clusterScoped.push(`${ns}-all-sas`, `${ns}-other-sas`);
    // ... and twice to a Role that does not exist (a dangling roleRef is allowed)
    for (const name of ['dangling-1', 'dangling-2'])
      await rbac.createNamespacedRoleBinding({
        namespace: ns,
        body: {
          metadata: { name },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'missing' },
          subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace: ns }],
        },
      });
  });

  afterAll(async () => {
    for (const name of clusterScoped.slice(1))
      await rbac.deleteClusterRoleBinding({ name }).catch(() => undefined);
    await rbac.deleteClusterRole({ name: clusterScoped[0] }).catch(() => undefined);
  });

  test('a ClusterRole bound to Group system:serviceaccounts:NS and a RoleBinding to the user name show up', async () => {
    const d = await describeServiceAccount('viewer', { kubeconfig: E2E_KUBECONFIG, namespace: ns });
    const names = d.bindings.map((b) => `${b.kind} ${b.name}`);
    expect(names).toEqual(
      expect.arrayContaining([`ClusterRoleBinding ${ns}-all-sas`, 'RoleBinding by-user-name']),
    );
    expect(names).not.toContain(`ClusterRoleBinding ${ns}-other-sas`);
    expect(d.effectiveRules.clusterWide).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          resources: ['pods'],
          verbs: expect.arrayContaining(['get', 'list']),
        }),
      ]),
    );
  });

  test('each role is read once, however many bindings name it', async () => {
    const proxy = await startFaultProxy(kc);
    try {
      const client = connect({ kubeConfig: proxy.kubeConfig(), namespace: ns });
      const d = await describeServiceAccount('viewer', { client });
      client.close();
      const reads = (path: string) =>
        proxy.requests.filter((r) => r.method === 'GET' && r.path.endsWith(path)).length;
      // GIVEN the ClusterRole named by two applying bindings, and the missing Role by two
      expect(d.bindings.filter((b) => b.roleRef.name === clusterScoped[0])).toHaveLength(2);
      expect(d.bindings.filter((b) => b.roleRef.name === 'missing')).toHaveLength(2);
      // THEN each was asked for once
      expect(reads(`/clusterroles/${clusterScoped[0]}`)).toBe(1);
      expect(reads(`/namespaces/${ns}/roles/missing`)).toBe(1);
      // ... the bindings to the missing Role have no rules, and it is reported once
      for (const b of d.bindings.filter((x) => x.roleRef.name === 'missing'))
        expect(b.rules).toBeUndefined();
      expect(d.incomplete.filter((line) => line.includes('missing'))).toHaveLength(1);
      // ... and the rules of the bindings that resolved are the ClusterRole's
      expect(d.bindings.find((b) => b.name === 'by-user-name')?.rules).toEqual([
        expect.objectContaining({ resources: ['pods'] }),
      ]);
    } finally {
      await proxy.close();
    }
  });
});
