import { auditDrift, serviceAccountsOf } from '../src/rbac/audit-drift.js';
import { AuditUsage } from '../src/rbac/audit-usage.js';
import { rbacPolicyFrom, type KubeObject } from '../src/rbac/kube-object.js';
import { formatRule } from '../src/rbac/lint.js';
import { auditEvent, saUser, type EventSpec } from './audit-events.js';

const USER = saUser('shop', 'deployer');

const MANIFESTS: KubeObject[] = [
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer', namespace: 'shop' } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'idle', namespace: 'shop' } },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'deployer', namespace: 'shop' },
    rules: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      {
        apiGroups: ['apps'],
        resources: ['deployments'],
        resourceNames: ['web'],
        verbs: ['get', 'patch'],
      },
      { apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['delete'] },
    ],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'deployer', namespace: 'shop' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
    subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'shop' }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'health' },
    rules: [{ nonResourceURLs: ['/healthz', '/metrics'], verbs: ['get'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'health' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'health' },
    subjects: [{ kind: 'Group', name: 'system:serviceaccounts:shop' }],
  },
];

function usageOf(specs: EventSpec[]) {
  const usage = new AuditUsage();
  for (const s of specs) usage.add(auditEvent(s));
  return usage.requestUsage();
}

describe('auditDrift', () => {
  test('lists exactly the grants never used, and the denied requests', () => {
    // GIVEN the deployer used get/list pods, patch deployments/web and /healthz; it was denied create pods
    const usage = usageOf([
      { user: USER, verb: 'get', resource: 'pods', namespace: 'shop', name: 'a' },
      { user: USER, verb: 'list', resource: 'pods', namespace: 'shop' },
      {
        user: USER,
        verb: 'patch',
        apiGroup: 'apps',
        resource: 'deployments',
        namespace: 'shop',
        name: 'web',
      },
      { user: USER, verb: 'get', path: '/healthz' },
      { user: USER, verb: 'create', resource: 'pods', namespace: 'shop', decision: 'forbid' },
      // the same verbs elsewhere or by someone else do not count
      { user: USER, verb: 'watch', resource: 'pods', namespace: 'other', decision: 'forbid' },
      {
        user: saUser('shop', 'other'),
        verb: 'delete',
        resource: 'secrets',
        namespace: 'shop',
        name: 's',
      },
    ]);
    const policy = rbacPolicyFrom(MANIFESTS);
    // WHEN
    const [deployer, idle] = auditDrift(policy, serviceAccountsOf(MANIFESTS, policy), usage);
    // THEN
    expect(deployer.serviceAccount).toBe('shop/deployer');
    expect(
      deployer.unused.map((u) => `${u.role} rules[${u.ruleIndex}] ${formatRule(u.grant)}`),
    ).toEqual([
      'Role shop/deployer rules[0] verbs=[watch] apiGroups=[""] resources=[pods]',
      'Role shop/deployer rules[1] verbs=[get] apiGroups=[apps] resources=[deployments] resourceNames=[web]',
      'Role shop/deployer rules[2] verbs=[delete] apiGroups=[""] resources=[secrets]',
      'Role shop/deployer rules[2] verbs=[delete] apiGroups=[""] resources=[configmaps]',
      'ClusterRole health rules[0] verbs=[get] nonResourceURLs=[/metrics]',
    ]);
    expect(deployer.denied.map((d) => [d.verb, d.resource, d.namespace])).toEqual([
      ['watch', 'pods', 'other'],
      ['create', 'pods', 'shop'],
    ]);
    expect(deployer.used).toBe(4);
    // idle gets the group's grant and used nothing
    expect(idle.serviceAccount).toBe('shop/idle');
    expect(idle.unused.map((u) => formatRule(u.grant))).toEqual([
      'verbs=[get] nonResourceURLs=[/healthz]',
      'verbs=[get] nonResourceURLs=[/metrics]',
    ]);
  });

  test('a grant is used only by requests by its names; names beyond those kept count as used', () => {
    const policy = rbacPolicyFrom(MANIFESTS);
    const other = usageOf([
      {
        user: USER,
        verb: 'get',
        apiGroup: 'apps',
        resource: 'deployments',
        namespace: 'shop',
        name: 'api',
      },
    ]);
    const [d1] = auditDrift(policy, ['shop/deployer'], other);
    expect(
      d1.unused.some((u) => u.grant.verbs[0] === 'get' && u.grant.resources?.[0] === 'deployments'),
    ).toBe(true);
    const many = new AuditUsage({ maxNames: 1 });
    for (const name of ['api', 'db', 'web'])
      many.add(
        auditEvent({
          user: USER,
          verb: 'get',
          apiGroup: 'apps',
          resource: 'deployments',
          namespace: 'shop',
          name,
        }),
      );
    const [d2] = auditDrift(policy, ['shop/deployer'], many.requestUsage());
    expect(
      d2.unused.some((u) => u.grant.verbs[0] === 'get' && u.grant.resources?.[0] === 'deployments'),
    ).toBe(false);
  });
});

describe('serviceAccountsOf', () => {
  test("declared and bound ServiceAccounts, sorted, a subject without namespace in its binding's", () => {
    const objects: KubeObject[] = [
      ...MANIFESTS,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'x', namespace: 'ci' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'x' },
        subjects: [{ kind: 'ServiceAccount', name: 'runner' }],
      },
    ];
    expect(serviceAccountsOf(objects, rbacPolicyFrom(objects))).toEqual([
      'ci/runner',
      'shop/deployer',
      'shop/idle',
    ]);
  });
});
