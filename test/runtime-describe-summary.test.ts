/**
 * `summarizeServiceAccount`, the pure half of `describe`: from what was read of a cluster to the
 * description. The oracle is hand-made: small inputs whose applying bindings, per-namespace
 * rules, stored tokens and findings are written out. (The reads themselves, and the agreement
 * with a real server's bindings, are test/e2e/runtime-describe.test.ts's.)
 */
import type * as k8s from '@kubernetes/client-node';
import fc from 'fast-check';
import {
  bindingsThatApply,
  summarizeServiceAccount,
  type RoleRead,
  type ServiceAccountReads,
} from '../src/runtime/describe-summary.js';

const RBAC = 'rbac.authorization.k8s.io';
const NS = 'shop';
const SA = 'deployer';
const SA_UID = 'uid-1';
const TOKEN_VALUE = 'ZXlKaGJHY2lPaUpTVXpJMU5pSjkuc2VjcmV0LnNpZ25hdHVyZQ==';

const serviceAccount: k8s.V1ServiceAccount = { metadata: { name: SA, namespace: NS, uid: SA_UID } };
const toSa = { kind: 'ServiceAccount', name: SA, namespace: NS };

function roleBinding(
  namespace: string,
  name: string,
  roleRef: { kind: string; name: string },
  subjects: k8s.RbacV1Subject[],
): k8s.V1RoleBinding {
  return { metadata: { name, namespace }, roleRef: { apiGroup: RBAC, ...roleRef }, subjects };
}

function clusterRoleBinding(
  name: string,
  role: string,
  subjects: k8s.RbacV1Subject[],
): k8s.V1ClusterRoleBinding {
  return {
    metadata: { name },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role },
    subjects,
  };
}

const podReader: RoleRead = {
  kind: 'Role',
  name: 'pod-reader',
  namespace: NS,
  rules: [
    { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
  ],
};
const secretReader: RoleRead = {
  kind: 'ClusterRole',
  name: 'secret-reader',
  namespace: '',
  rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
};
const nodeLister: RoleRead = {
  kind: 'ClusterRole',
  name: 'node-lister',
  namespace: '',
  rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['list'] }],
};

/** Bindings of every kind that applies, plus ones that do not. */
const roleBindings = [
  roleBinding('shop', 'b-pods', { kind: 'Role', name: 'pod-reader' }, [toSa]),
  // by the ServiceAccount's user name, in another namespace, to a ClusterRole
  roleBinding('billing', 'by-user', { kind: 'ClusterRole', name: 'secret-reader' }, [
    { kind: 'User', apiGroup: RBAC, name: `system:serviceaccount:${NS}:${SA}` },
  ]),
  // by the group of its namespace's ServiceAccounts, to a Role that does not exist
  roleBinding('shop', 'a-missing', { kind: 'Role', name: 'missing' }, [
    { kind: 'Group', apiGroup: RBAC, name: `system:serviceaccounts:${NS}` },
  ]),
  // another ServiceAccount of the same name elsewhere, and another one here: neither applies
  roleBinding('shop', 'other-sa', { kind: 'Role', name: 'pod-reader' }, [
    { kind: 'ServiceAccount', name: 'someone-else', namespace: NS },
  ]),
  roleBinding('billing', 'same-name-elsewhere', { kind: 'Role', name: 'pod-reader' }, [
    { kind: 'ServiceAccount', name: SA, namespace: 'billing' },
  ]),
];
const clusterRoleBindings = [
  clusterRoleBinding('nodes', 'node-lister', [
    { kind: 'Group', apiGroup: RBAC, name: 'system:serviceaccounts' },
  ]),
  clusterRoleBinding('other-namespace-group', 'secret-reader', [
    { kind: 'Group', apiGroup: RBAC, name: 'system:serviceaccounts:billing' },
  ]),
];

function reads(overrides: Partial<ServiceAccountReads> = {}): ServiceAccountReads {
  return {
    namespace: NS,
    name: SA,
    serviceAccount,
    roleBindings,
    clusterRoleBindings,
    roles: [podReader, secretReader, nodeLister],
    secrets: [],
    incomplete: [],
    ...overrides,
  };
}

describe('bindingsThatApply', () => {
  test('finds bindings by ServiceAccount, user name and group, in every namespace, sorted', () => {
    // GIVEN bindings that apply (three ways) and bindings that do not
    // WHEN the applying ones are picked
    const applying = bindingsThatApply(NS, SA, roleBindings, clusterRoleBindings);
    // THEN RoleBindings by namespace then name, then ClusterRoleBindings by name
    expect(applying.map((b) => `${b.kind} ${b.namespace}/${b.binding.metadata?.name}`)).toEqual([
      'RoleBinding billing/by-user',
      'RoleBinding shop/a-missing',
      'RoleBinding shop/b-pods',
      'ClusterRoleBinding /nodes',
    ]);
  });

  test('nothing read, nothing applies', () => {
    expect(bindingsThatApply(NS, SA, undefined, undefined)).toEqual([]);
  });
});

describe('summarizeServiceAccount', () => {
  test('rules are grouped by the namespace they are granted in and compacted', () => {
    // GIVEN the reads above, WHEN summarized
    const d = summarizeServiceAccount(reads());
    // THEN its own namespace's two pod rules became one, the other namespace's and the
    // cluster-wide grants are apart, and the binding to a missing role has no rules
    expect(d.effectiveRules).toEqual({
      namespaced: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
      otherNamespaces: [{ namespace: 'billing', rules: secretReader.rules }],
      clusterWide: nodeLister.rules,
    });
    expect(d.bindings.map((b) => [b.kind, b.namespace, b.name, b.rules !== undefined])).toEqual([
      ['RoleBinding', 'billing', 'by-user', true],
      ['RoleBinding', 'shop', 'a-missing', false],
      ['RoleBinding', 'shop', 'b-pods', true],
      ['ClusterRoleBinding', '', 'nodes', true],
    ]);
    expect(d.bindings[0].roleRef).toEqual({ kind: 'ClusterRole', name: 'secret-reader' });
    expect(d).toMatchObject({ namespace: NS, name: SA, uid: SA_UID });
    expect(d).not.toHaveProperty('automountServiceAccountToken');
    expect(d).not.toHaveProperty('declaredToken');
  });

  test('a Role is looked up in the binding namespace, a ClusterRole cluster-wide', () => {
    // GIVEN a Role of the same name in another namespace only
    const elsewhere = { ...podReader, namespace: 'billing' };
    // WHEN summarized
    const d = summarizeServiceAccount(reads({ roles: [elsewhere, secretReader, nodeLister] }));
    // THEN the RoleBinding in shop does not see it
    expect(d.bindings.find((b) => b.name === 'b-pods')?.rules).toBeUndefined();
    expect(d.effectiveRules.namespaced).toEqual([]);
  });

  test('findings are located at the ServiceAccount, per namespace of the grant', () => {
    // GIVEN secrets read granted in billing by a RoleBinding and cluster-wide by a ClusterRoleBinding
    const crb = clusterRoleBinding('secrets-everywhere', 'secret-reader', [toSa]);
    // WHEN summarized
    const d = summarizeServiceAccount(
      reads({ clusterRoleBindings: [...clusterRoleBindings, crb] }),
    );
    // THEN secrets-read is reported for both, with their locations
    const secretsRead = d.findings.filter((f) => f.id === 'secrets-read');
    expect(secretsRead.map((f) => f.location)).toEqual([
      {
        kind: 'ServiceAccount',
        name: SA,
        namespace: NS,
        source: 'RoleBindings in billing',
        ruleIndex: 0,
      },
      { kind: 'ServiceAccount', name: SA, namespace: '', ruleIndex: expect.any(Number) },
    ]);
  });

  test('stored tokens: managed, binding and legacy Secrets of this ServiceAccount only, never their data', () => {
    // GIVEN Secrets of each kind, and ones of another ServiceAccount or of no interest
    const managed = (name: string, sa: string, extra: Partial<k8s.V1ObjectMeta> = {}) => ({
      metadata: {
        name,
        labels: { 'access-tokens.cdk8s.io/managed': 'true' },
        annotations: {
          'access-tokens.cdk8s.io/service-account': sa,
          'access-tokens.cdk8s.io/expires-at': '2026-12-05T13:00:00Z',
          'access-tokens.cdk8s.io/audiences': '["vault"]',
        },
        ...extra,
      },
      data: { token: TOKEN_VALUE },
    });
    const secrets: k8s.V1Secret[] = [
      managed('deployer-token', SA),
      managed('others-token', 'someone-else'),
      {
        metadata: {
          name: 'deployer-binding-x1',
          labels: { 'access-tokens.cdk8s.io/managed': 'true' },
          annotations: { 'access-tokens.cdk8s.io/service-account': SA },
          ownerReferences: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: SA, uid: SA_UID }],
        },
      },
      {
        metadata: {
          name: 'deployer-legacy',
          annotations: { 'kubernetes.io/service-account.name': SA },
        },
        type: 'kubernetes.io/service-account-token',
        data: { token: TOKEN_VALUE },
      },
      {
        metadata: {
          name: 'bad-audiences',
          labels: { 'access-tokens.cdk8s.io/managed': 'true' },
          annotations: {
            'access-tokens.cdk8s.io/service-account': SA,
            'access-tokens.cdk8s.io/audiences': 'not json',
          },
        },
      },
      { metadata: { name: 'unrelated' }, data: { password: TOKEN_VALUE } },
    ];
    // WHEN summarized
    const d = summarizeServiceAccount(reads({ secrets, now: new Date('2026-12-05T12:00:00Z') }));
    // THEN each is classified, and no Secret value is in the description
    expect(d.storedTokens).toEqual([
      {
        secret: 'deployer-token',
        kind: 'managed',
        expiresAt: '2026-12-05T13:00:00Z',
        audiences: ['vault'],
        hasToken: true,
        state: 'unknown',
      },
      { secret: 'deployer-binding-x1', kind: 'binding', hasToken: false },
      { secret: 'deployer-legacy', kind: 'legacy', hasToken: true },
      { secret: 'bad-audiences', kind: 'managed', audiences: [], hasToken: false, state: 'empty' },
    ]);
    expect(JSON.stringify(d)).not.toContain(TOKEN_VALUE);
  });

  test('a stored token is valid, expired or revoked as its Secret and the server say', () => {
    // GIVEN managed Secrets with and without a token, before and after their expiry
    const store = (name: string, annotations: Record<string, string>, token = true) => ({
      metadata: {
        name,
        labels: { 'access-tokens.cdk8s.io/managed': 'true' },
        annotations: { 'access-tokens.cdk8s.io/service-account': SA, ...annotations },
      },
      ...(token ? { data: { token: TOKEN_VALUE } } : {}),
    });
    const later = { 'access-tokens.cdk8s.io/expires-at': '2026-12-05T13:00:00Z' };
    const secrets: k8s.V1Secret[] = [
      store('accepted', later),
      store('rejected', later),
      store('past', { 'access-tokens.cdk8s.io/expires-at': '2026-12-05T11:59:59Z' }),
      store('cleared', { 'access-tokens.cdk8s.io/revoked-at': '2026-12-05T11:00:00Z' }, false),
      store('not-asked', later),
      // refilled after a revoke by a writer that kept the record: its new token is not revoked
      store('refilled', { ...later, 'access-tokens.cdk8s.io/revoked-at': '2026-12-05T11:00:00Z' }),
    ];
    // WHEN the server accepted one token and rejected another
    const d = summarizeServiceAccount(
      reads({
        secrets,
        now: new Date('2026-12-05T12:00:00Z'),
        tokenReviews: new Map([
          ['accepted', true],
          ['rejected', false],
          // an expired token is expired whatever a review said
          ['past', true],
          ['refilled', true],
        ]),
      }),
    );
    // THEN
    expect(d.storedTokens.map((t) => [t.secret, t.state, t.revokedAt])).toEqual([
      ['accepted', 'valid', undefined],
      ['rejected', 'revoked', undefined],
      ['past', 'expired', undefined],
      ['cleared', 'revoked', '2026-12-05T11:00:00Z'],
      ['not-asked', 'unknown', undefined],
      ['refilled', 'valid', undefined],
    ]);
  });

  test('the declared token is parsed; a malformed one is reported as incomplete, in sorted order', () => {
    // GIVEN a valid declaration
    const declaration = {
      version: 1,
      durationSeconds: 3600,
      audiences: [],
      store: { kind: 'secret', name: 'deployer-token' },
      boundToSecret: false,
    };
    const annotated = (value: string): k8s.V1ServiceAccount => ({
      ...serviceAccount,
      automountServiceAccountToken: false,
      metadata: {
        ...serviceAccount.metadata,
        annotations: { 'access-tokens.cdk8s.io/token': value },
      },
    });
    // WHEN summarized, THEN it is in the description
    const ok = summarizeServiceAccount(
      reads({ serviceAccount: annotated(JSON.stringify(declaration)) }),
    );
    expect(ok.declaredToken).toEqual(declaration);
    expect(ok.automountServiceAccountToken).toBe(false);
    // GIVEN a malformed one and an earlier read problem, WHEN summarized
    const bad = summarizeServiceAccount(
      reads({ serviceAccount: annotated('{'), incomplete: ['secrets: forbidden'] }),
    );
    // THEN there is no declared token, and both problems are listed, sorted
    expect(bad).not.toHaveProperty('declaredToken');
    expect(bad.incomplete).toEqual([
      expect.stringMatching(/^ServiceAccount shop\/deployer: annotation .* is not valid JSON/),
      'secrets: forbidden',
    ]);
  });

  test('nothing readable: an empty description, no failure', () => {
    const d = summarizeServiceAccount(
      reads({ roleBindings: undefined, clusterRoleBindings: undefined, secrets: undefined }),
    );
    expect(d).toMatchObject({
      bindings: [],
      effectiveRules: { namespaced: [], otherNamespaces: [], clusterWide: [] },
      storedTokens: [],
      findings: [],
    });
  });

  test('the same cluster describes the same way, whatever order the lists come in', () => {
    // GIVEN any order of the bindings and roles, WHEN summarized, THEN the same description
    const expected = summarizeServiceAccount(reads());
    fc.assert(
      fc.property(
        fc.shuffledSubarray(roleBindings, { minLength: roleBindings.length }),
        fc.shuffledSubarray(clusterRoleBindings, { minLength: clusterRoleBindings.length }),
        fc.shuffledSubarray([podReader, secretReader, nodeLister], { minLength: 3 }),
        (rbs, crbs, roles) => {
          expect(
            summarizeServiceAccount(reads({ roleBindings: rbs, clusterRoleBindings: crbs, roles })),
          ).toEqual(expected);
        },
      ),
      { numRuns: 50 },
    );
  });
});
