/**
 * `describeServiceAccount` finds the bindings that apply to a ServiceAccount the way the
 * authorizer does: subjects of kind ServiceAccount, but also its user name and the groups its
 * tokens carry (`system:serviceaccounts:NS`, `system:serviceaccounts`), in every namespace, not
 * only its own; and, when the caller may not list RoleBindings across namespaces, says so.
 */
import * as k8s from '@kubernetes/client-node';
import { clientForToken } from '../../src/runtime/token-client.js';
import { connect, describeServiceAccount, mintToken } from '../../src/runtime/index.js';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import { startFaultProxy } from './fault-proxy.js';
import { createServiceAccountWithRole, runCli } from './runtime-fixtures.js';

describeE2E('runtime: describe finds bindings by user name and group', () => {
  let kc: k8s.KubeConfig;
  let ns: string;
  let otherNs: string;
  let rbac: k8s.RbacAuthorizationV1Api;
  const clusterScoped: string[] = [];

  beforeAll(async () => {
    kc = adminKubeConfig();
    rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    ns = await createNamespace(kc, 'rt-describe');
    otherNs = await createNamespace(kc, 'rt-describe-other');
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
    // ... in another namespace, a ClusterRole that lists Secrets bound to it by name
    const secretsLister = `${ns}-secrets-lister`;
    clusterScoped.push(secretsLister);
    await rbac.createClusterRole({
      body: {
        metadata: { name: secretsLister },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }],
      },
    });
    const sa = (name: string, namespace?: string) => ({
      kind: 'ServiceAccount',
      name,
      ...(namespace ? { namespace } : {}),
    });
    const bindIn = (name: string, ref: { kind: string; name: string }, subjects: object[]) =>
      rbac.createNamespacedRoleBinding({
        namespace: otherNs,
        body: {
          metadata: { name },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...ref },
          subjects: subjects as k8s.RbacV1Subject[],
        },
      });
    await bindIn('viewer-secrets', { kind: 'ClusterRole', name: secretsLister }, [
      sa('viewer', ns),
    ]);
    // ... a Role there with the name of the missing one here, bound to its namespace's group
    await rbac.createNamespacedRole({
      namespace: otherNs,
      body: {
        metadata: { name: 'missing' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
      },
    });
    await bindIn('sas-configmaps', { kind: 'Role', name: 'missing' }, [
      group(`system:serviceaccounts:${ns}`),
    ]);
    // ... and bindings there that do not apply: to another ServiceAccount of its namespace,
    // and to a ServiceAccount 'viewer' without a namespace (the binding's: otherNs/viewer)
    await bindIn('other-sa', { kind: 'ClusterRole', name: secretsLister }, [sa('other', ns)]);
    await bindIn('same-name-there', { kind: 'ClusterRole', name: secretsLister }, [sa('viewer')]);
  });

  afterAll(async () => {
    for (const name of [`${ns}-all-sas`, `${ns}-other-sas`])
      await rbac.deleteClusterRoleBinding({ name }).catch(() => undefined);
    for (const name of [clusterScoped[0], `${ns}-secrets-lister`])
      await rbac.deleteClusterRole({ name }).catch(() => undefined);
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
      const missing = d.bindings.filter((b) => b.roleRef.name === 'missing' && b.namespace === ns);
      expect(missing).toHaveLength(2);
      // THEN each was asked for once
      expect(reads(`/clusterroles/${clusterScoped[0]}`)).toBe(1);
      expect(reads(`/namespaces/${ns}/roles/missing`)).toBe(1);
      // ... and a Role of the same name in another namespace is another Role, read there
      expect(reads(`/namespaces/${otherNs}/roles/missing`)).toBe(1);
      // ... the bindings to the missing Role have no rules, and it is reported once
      for (const b of missing) expect(b.rules).toBeUndefined();
      expect(d.incomplete.filter((line) => line.includes('missing'))).toHaveLength(1);
      // ... and the rules of the bindings that resolved are the ClusterRole's
      expect(d.bindings.find((b) => b.name === 'by-user-name')?.rules).toEqual([
        expect.objectContaining({ resources: ['pods'] }),
      ]);
    } finally {
      await proxy.close();
    }
  });

  test('RoleBindings in another namespace that name it show up, with their rules and findings there', async () => {
    const d = await describeServiceAccount('viewer', { kubeconfig: E2E_KUBECONFIG, namespace: ns });
    const there = d.bindings
      .filter((b) => b.namespace === otherNs)
      .map((b) => `${b.kind} ${b.name} ${b.roleRef.kind}/${b.roleRef.name}`);
    // THEN the binding by name and the one to its namespace's group, each with its namespace
    expect(there.sort()).toEqual([
      'RoleBinding sas-configmaps Role/missing',
      `RoleBinding viewer-secrets ClusterRole/${ns}-secrets-lister`,
    ]);
    // ... the rules they grant apply there, not in its own namespace
    expect(d.effectiveRules.otherNamespaces).toEqual([
      {
        namespace: otherNs,
        rules: expect.arrayContaining([
          expect.objectContaining({ resources: ['secrets'], verbs: ['list'] }),
          expect.objectContaining({ resources: ['configmaps'], verbs: ['get'] }),
        ]),
      },
    ]);
    expect(d.effectiveRules.namespaced).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ resources: ['secrets'] })]),
    );
    // ... and listing Secrets there is a finding, located in that namespace
    expect(d.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: 'secrets-read',
          location: expect.objectContaining({
            kind: 'ServiceAccount',
            name: 'viewer',
            namespace: ns,
            source: `RoleBindings in ${otherNs}`,
          }),
        }),
      ]),
    );
    expect(d.incomplete).toEqual([expect.stringContaining(`role ${ns}/missing: `)]);
  });

  test('CLI describe: bindings, rules and findings of other namespaces, by namespace', async () => {
    const args = ['describe', 'viewer', '--kubeconfig', E2E_KUBECONFIG as string, '-n', ns];
    const out = await runCli(args);
    expect(out.code).toBe(0);
    // THEN the bindings table names each binding's namespace, its own first (sorted)
    expect(out.stdout).toMatch(/NAMESPACE +KIND +NAME +ROLE/);
    expect(out.stdout).toMatch(new RegExp(`${otherNs} +RoleBinding +viewer-secrets +ClusterRole/`));
    expect(out.stdout).toMatch(/cluster-wide +ClusterRoleBinding +\S+-all-sas/);
    expect(out.stdout.indexOf(`${ns}   `)).toBeLessThan(out.stdout.indexOf(`${otherNs}   `));
    expect(out.stdout).not.toMatch(/other-sa|same-name-there/);
    // ... the rules granted there are prefixed with that namespace
    expect(out.stdout).toContain(
      `  in ${otherNs}: verbs=[list] apiGroups=[""] resources=[secrets]`,
    );
    // ... and so is the finding they cause
    expect(out.stdout).toMatch(
      new RegExp(
        `secrets-read: ServiceAccount ${ns}/viewer rules\\[\\d+\\] \\(from RoleBindings in ${otherNs}\\)`,
      ),
    );
    const json = JSON.parse((await runCli([...args, '-o', 'json'])).stdout);
    expect(json.effectiveRules.otherNamespaces).toEqual([
      expect.objectContaining({ namespace: otherNs }),
    ]);
  });

  test('a caller that may list RoleBindings only in its namespace gets those, and is told what it missed', async () => {
    // GIVEN a ServiceAccount that may read what describe reads, but only in its namespace
    await createServiceAccountWithRole(kc, ns, 'describer', [
      { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: ['list'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['get'] },
    ]);
    const minted = await mintToken({
      kubeconfig: E2E_KUBECONFIG,
      namespace: ns,
      serviceAccount: 'describer',
    });
    const client = clientForToken(connect({ kubeConfig: kc, namespace: ns }), minted.token);
    const d = await describeServiceAccount('viewer', { client });
    client.close();
    // THEN its own namespace's bindings are there, and no other namespace's
    expect(d.bindings.map((b) => `${b.namespace} ${b.name}`)).toEqual(
      expect.arrayContaining([`${ns} by-user-name`, `${ns} dangling-1`]),
    );
    expect(d.bindings.filter((b) => b.namespace !== ns)).toEqual([]);
    expect(d.effectiveRules.otherNamespaces).toEqual([]);
    // ... and what was not checked is said, with the permission that would allow it
    expect(d.incomplete).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^rolebindings of other namespaces than '[^']+' not checked: forbidden: .* may not list rolebindings .*cluster-wide/,
        ),
      ]),
    );
  });
});
