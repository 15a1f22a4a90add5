import { RbacAuthorizer } from '../src/rbac/authorizer.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BOOTSTRAP_OBJECTS } from '../src/rbac/bootstrap-policy.js';
import {
  mergePolicies,
  rbacPolicyFrom,
  selectorMatches,
  type KubeObject,
} from '../src/rbac/kube-object.js';
import { lintManifests } from '../src/rbac/lint.js';
import { readManifestPaths } from '../src/rbac/manifest-reader.js';

const rbac = 'rbac.authorization.k8s.io/v1';
const clusterRole = (name: string, extra: Record<string, unknown>): KubeObject => ({
  apiVersion: rbac,
  kind: 'ClusterRole',
  metadata: { name, ...(extra.labels ? { labels: extra.labels as Record<string, string> } : {}) },
  ...(extra.rules ? { rules: extra.rules } : {}),
  ...(extra.aggregationRule ? { aggregationRule: extra.aggregationRule } : {}),
});
const binding = (
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  role: string,
  namespace = 'shop',
): KubeObject => ({
  apiVersion: rbac,
  kind,
  metadata: { name: `to-${role}`, ...(kind === 'RoleBinding' ? { namespace } : {}) },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
  subjects: [{ kind: 'User', name: 'alice' }],
});

// An aggregated role (like the built-in admin/edit/view) and the roles it picks by label.
const manifests: KubeObject[] = [
  clusterRole('monitoring', {
    aggregationRule: {
      clusterRoleSelectors: [
        { matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } },
      ],
    },
    rules: [],
  }),
  clusterRole('pods-reader', {
    labels: { 'rbac.example.com/aggregate-to-monitoring': 'true' },
    rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }],
  }),
  clusterRole('secret-peeker', {
    labels: { 'rbac.example.com/aggregate-to-monitoring': 'true', tier: 'x' },
    rules: [{ verbs: ['list'], apiGroups: [''], resources: ['secrets'] }],
  }),
  clusterRole('unrelated', {
    labels: { other: 'true' },
    rules: [{ verbs: ['delete'], apiGroups: [''], resources: ['pods'] }],
  }),
  binding('RoleBinding', 'monitoring'),
];

describe('ClusterRole aggregation', () => {
  test('an aggregated ClusterRole grants the rules of the roles its selectors pick', () => {
    // GIVEN / WHEN
    const authorizer = new RbacAuthorizer(rbacPolicyFrom(manifests));
    const alice = { user: 'alice' };
    // THEN
    expect(
      authorizer.authorize(alice, {
        verb: 'list',
        apiGroup: '',
        resource: 'pods',
        namespace: 'shop',
      }).allowed,
    ).toBe(true);
    expect(
      authorizer.authorize(alice, {
        verb: 'list',
        apiGroup: '',
        resource: 'secrets',
        namespace: 'shop',
      }).allowed,
    ).toBe(true);
    expect(
      authorizer.authorize(alice, {
        verb: 'delete',
        apiGroup: '',
        resource: 'pods',
        namespace: 'shop',
      }).allowed,
    ).toBe(false);
  });

  test('nested aggregation is resolved (an aggregated role picked by another)', () => {
    const nested = [
      ...manifests,
      clusterRole('super', {
        aggregationRule: {
          clusterRoleSelectors: [{ matchExpressions: [{ key: 'nest', operator: 'Exists' }] }],
        },
      }),
      {
        ...clusterRole('monitoring-copy', {
          aggregationRule: { clusterRoleSelectors: [{ matchLabels: { tier: 'x' } }] },
        }),
        metadata: { name: 'monitoring-copy', labels: { nest: '1' } },
      },
    ];
    const roles = rbacPolicyFrom(nested).roles;
    expect(roles.find((r) => r.name === 'super')?.rules).toEqual([
      { verbs: ['list'], apiGroups: [''], resources: ['secrets'] },
    ]);
  });

  test('the lint sees the risk an aggregated role picks up', () => {
    const report = lintManifests(manifests);
    expect(report.errors.map((f) => [f.id, f.location?.name])).toContainEqual([
      'secrets-read',
      'monitoring',
    ]);
  });

  test.each([
    [{ matchLabels: { a: '1' } }, { a: '1', b: '2' }, true],
    [{ matchLabels: { a: '1' } }, { a: '2' }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '2'] }] }, { a: '2' }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, {}, true],
    [{ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, { a: '' }, false],
    [{}, { anything: 'x' }, true],
  ])('selector %j on %j is %s', (selector, labels, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });
});

describe('bindings to roles the manifests do not hold', () => {
  test('binding the built-in edit or cluster-admin is an error naming the scope', () => {
    const report = lintManifests([
      binding('RoleBinding', 'edit'),
      binding('ClusterRoleBinding', 'cluster-admin'),
    ]);
    const found = report.errors.filter((f) => f.id === 'builtin-admin-role').map((f) => f.message);
    expect(found).toEqual([
      "binds the built-in clusterrole 'cluster-admin' cluster-wide",
      "binds the built-in clusterrole 'edit' in namespace 'shop'",
    ]);
  });

  test('GIVEN a null document among the objects WHEN linting THEN it is skipped and the binding still checked', () => {
    const objects = [null, binding('RoleBinding', 'edit')] as unknown as KubeObject[];
    const report = lintManifests(objects);
    expect(report.errors.map((f) => f.id)).toEqual(['builtin-admin-role']);
  });

  test('binding an unknown role is a warning that its rules were not checked', () => {
    const report = lintManifests([binding('RoleBinding', 'from-another-chart')]);
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => [f.id, f.severity, f.message])).toEqual([
      [
        'unresolved-role',
        'warning',
        "binds clusterrole 'from-another-chart', which is not in these manifests: its rules were not checked",
      ],
    ]);
  });

  test('a role present in the manifests is linted on its rules instead', () => {
    const report = lintManifests([
      clusterRole('edit', {
        rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }],
      }),
      binding('RoleBinding', 'edit'),
    ]);
    expect(report.findings).toEqual([]);
  });
});

describe('mergePolicies', () => {
  // The lint parses each object once and merges: that must be what parsing them all gives.
  const corpus = new URL('../../shared/corpora/real-world-rbac/', import.meta.url).pathname;
  const files = readdirSync(corpus).filter((f) => f.endsWith('.yaml'));

  test.each(files)('of each object of %s is rbacPolicyFrom of them all', async (file) => {
    // GIVEN
    const { objects } = await readManifestPaths([join(corpus, file)]);
    // WHEN
    const merged = mergePolicies(objects.map((o) => rbacPolicyFrom([o])));
    // THEN
    expect(merged).toEqual(rbacPolicyFrom(objects));
  });

  test("of Kubernetes' bootstrap objects (aggregated admin, edit, view) is rbacPolicyFrom of them all", () => {
    const merged = mergePolicies(BOOTSTRAP_OBJECTS.map((o) => rbacPolicyFrom([o])));
    expect(merged).toEqual(rbacPolicyFrom(BOOTSTRAP_OBJECTS));
  });
});
