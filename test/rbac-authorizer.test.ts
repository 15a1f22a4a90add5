import fc from 'fast-check';
import {
  RbacAuthorizer,
  parseServiceAccountUser,
  serviceAccountGroups,
  serviceAccountUser,
  type UserInfo,
} from '../src/rbac/authorizer.js';
import {
  rbacPolicyFrom,
  type BindingObject,
  type RbacPolicySet,
  type RoleObject,
  type Subject,
} from '../src/rbac/kube-object.js';
import type { AccessRequest, PolicyRule } from '../src/rbac/policy-rule.js';
import { allNonResourceRequests, allResourceRequests, anyRule } from './rbac-arbitraries.js';

const role = (
  kind: 'Role' | 'ClusterRole',
  namespace: string,
  name: string,
  rules: PolicyRule[],
): RoleObject => ({
  kind,
  name,
  namespace: kind === 'Role' ? namespace : '',
  rules,
  annotations: {},
});

const binding = (
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  namespace: string,
  roleRef: { kind: 'Role' | 'ClusterRole'; name: string },
  subjects: Subject[],
): BindingObject => ({
  kind,
  name: `b-${roleRef.name}`,
  namespace: kind === 'RoleBinding' ? namespace : '',
  roleRef,
  subjects,
  annotations: {},
});

const SA: UserInfo = { user: serviceAccountUser('ns1', 'sa'), groups: serviceAccountGroups('ns1') };

describe('RbacAuthorizer', () => {
  test('a RoleBinding to a ClusterRole grants only in its namespace', () => {
    // GIVEN a ClusterRole that reads pods, bound in ns1 only
    const authorizer = new RbacAuthorizer({
      roles: [
        role('ClusterRole', '', 'reader', [
          { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
        ]),
      ],
      bindings: [
        binding('RoleBinding', 'ns1', { kind: 'ClusterRole', name: 'reader' }, [
          { kind: 'ServiceAccount', name: 'sa', namespace: 'ns1' },
        ]),
      ],
    });
    // THEN
    expect(
      authorizer.authorize(SA, { verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns1' })
        .allowed,
    ).toBe(true);
    expect(
      authorizer.authorize(SA, { verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns2' })
        .allowed,
    ).toBe(false);
    expect(
      authorizer.authorize(SA, { verb: 'get', apiGroup: '', resource: 'pods', namespace: '' })
        .allowed,
    ).toBe(false);
  });

  test('non-resource URLs are granted only through ClusterRoleBindings, with prefix wildcards', () => {
    const rules = [{ verbs: ['get'], nonResourceURLs: ['/healthz/*', '/version'] }];
    const viaRoleBinding = new RbacAuthorizer({
      roles: [role('ClusterRole', '', 'probe', rules)],
      bindings: [
        binding('RoleBinding', 'ns1', { kind: 'ClusterRole', name: 'probe' }, [
          { kind: 'User', name: 'alice' },
        ]),
      ],
    });
    const viaClusterBinding = new RbacAuthorizer({
      roles: [role('ClusterRole', '', 'probe', rules)],
      bindings: [
        binding('ClusterRoleBinding', '', { kind: 'ClusterRole', name: 'probe' }, [
          { kind: 'User', name: 'alice' },
        ]),
      ],
    });
    const alice = { user: 'alice' };
    expect(viaRoleBinding.authorize(alice, { verb: 'get', path: '/healthz/ping' }).allowed).toBe(
      false,
    );
    expect(viaClusterBinding.authorize(alice, { verb: 'get', path: '/healthz/ping' }).allowed).toBe(
      true,
    );
    expect(viaClusterBinding.authorize(alice, { verb: 'get', path: '/healthz' }).allowed).toBe(
      false,
    );
    expect(viaClusterBinding.authorize(alice, { verb: 'post', path: '/version' }).allowed).toBe(
      false,
    );
  });

  test('resourceNames never match a request without a name (create, list)', () => {
    const authorizer = new RbacAuthorizer({
      roles: [
        role('Role', 'ns1', 'r', [
          {
            verbs: ['create', 'list'],
            apiGroups: [''],
            resources: ['configmaps'],
            resourceNames: ['a'],
          },
        ]),
      ],
      bindings: [
        binding('RoleBinding', 'ns1', { kind: 'Role', name: 'r' }, [
          { kind: 'Group', name: 'system:serviceaccounts:ns1' },
        ]),
      ],
    });
    expect(
      authorizer.authorize(SA, {
        verb: 'create',
        apiGroup: '',
        resource: 'configmaps',
        namespace: 'ns1',
      }).allowed,
    ).toBe(false);
    expect(
      authorizer.authorize(SA, {
        verb: 'list',
        apiGroup: '',
        resource: 'configmaps',
        namespace: 'ns1',
      }).allowed,
    ).toBe(false);
    expect(
      authorizer.authorize(SA, {
        verb: 'list',
        apiGroup: '',
        resource: 'configmaps',
        namespace: 'ns1',
        name: 'a',
      }).allowed,
    ).toBe(true);
  });

  test('a ServiceAccount subject without a namespace means the RoleBinding namespace', () => {
    const authorizer = new RbacAuthorizer({
      roles: [role('Role', 'ns1', 'r', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }])],
      bindings: [
        binding('RoleBinding', 'ns1', { kind: 'Role', name: 'r' }, [
          { kind: 'ServiceAccount', name: 'sa' },
        ]),
      ],
    });
    expect(
      authorizer.authorize(SA, { verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns1' })
        .allowed,
    ).toBe(true);
  });

  test('a dangling roleRef grants nothing, and the reason names the grant', () => {
    const authorizer = new RbacAuthorizer({
      roles: [role('Role', 'ns1', 'r', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }])],
      bindings: [
        binding('RoleBinding', 'ns2', { kind: 'Role', name: 'r' }, [{ kind: 'User', name: 'bob' }]),
        binding('RoleBinding', 'ns1', { kind: 'Role', name: 'r' }, [{ kind: 'User', name: 'bob' }]),
      ],
    });
    expect(
      authorizer.authorize(
        { user: 'bob' },
        { verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns2' },
      ).allowed,
    ).toBe(false);
    expect(
      authorizer.authorize(
        { user: 'bob' },
        { verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns1' },
      ),
    ).toEqual({
      allowed: true,
      reason: 'RoleBinding ns1/b-r of Role ns1/r, rule 0',
    });
  });

  test('whoCan lists the subjects of every grant that allows the request', () => {
    const authorizer = new RbacAuthorizer({
      roles: [role('Role', 'ns1', 'r', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }])],
      bindings: [
        binding('RoleBinding', 'ns1', { kind: 'Role', name: 'r' }, [
          { kind: 'User', name: 'bob' },
          { kind: 'Group', name: 'devs' },
        ]),
      ],
    });
    expect(
      authorizer
        .whoCan({ verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns1' })
        .map((e) => e.subject.name),
    ).toEqual(['devs', 'bob']);
    expect(
      authorizer.whoCan({ verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns2' }),
    ).toEqual([]);
  });

  test('whoCan lists subjects in the same order on every machine (code units, not the locale)', () => {
    // GIVEN users whose order a locale's collation would change (case, accents)
    const users = ['carol', 'Bob', 'alice', 'émile', 'Zoe'];
    const authorizer = new RbacAuthorizer({
      roles: [role('Role', 'ns1', 'r', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }])],
      bindings: [
        binding(
          'RoleBinding',
          'ns1',
          { kind: 'Role', name: 'r' },
          users.map((name) => ({ kind: 'User', name })),
        ),
      ],
    });
    // WHEN
    const names = authorizer
      .whoCan({ verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns1' })
      .map((e) => e.subject.name);
    // THEN the order of JavaScript's default sort (UTF-16 code units)
    expect(names).toEqual(['Bob', 'Zoe', 'alice', 'carol', 'émile']);
  });

  test('whoCan omits ServiceAccount subjects that can match nobody', () => {
    const authorizer = new RbacAuthorizer({
      roles: [
        role('ClusterRole', '', 'r', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]),
      ],
      bindings: [
        binding('ClusterRoleBinding', '', { kind: 'ClusterRole', name: 'r' }, [
          { kind: 'ServiceAccount', name: 'orphan' },
          { kind: 'ServiceAccount', name: 'sa', namespace: 'ns1' },
        ]),
      ],
    });
    const names = authorizer
      .whoCan({ verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns1' })
      .map((e) => e.subject.name);
    expect(names).toEqual(['sa']);
  });

  test('parses ServiceAccount user names', () => {
    expect(parseServiceAccountUser('system:serviceaccount:shop:deployer')).toEqual({
      namespace: 'shop',
      name: 'deployer',
    });
    expect(parseServiceAccountUser('system:serviceaccount:shop')).toBeUndefined();
    expect(parseServiceAccountUser('alice')).toBeUndefined();
  });

  // --- The brute-force reference: written from the Kubernetes docs, independently of the
  // --- authorizer: expands every rule into the concrete requests it allows.
  function referenceRuleAllows(rule: PolicyRule, req: AccessRequest): boolean {
    const has = (list: readonly string[] | undefined, v: string) =>
      (list ?? []).includes('*') || (list ?? []).includes(v);
    if ('path' in req) {
      if (!rule.nonResourceURLs?.length || !has(rule.verbs, req.verb)) return false;
      return rule.nonResourceURLs.some(
        (u) =>
          u === '*' ||
          u === req.path ||
          (u.endsWith('*') && req.path.startsWith(u.replace(/\*+$/, ''))),
      );
    }
    if (rule.nonResourceURLs?.length) return false;
    const full = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
    const resources = rule.resources ?? [];
    const resourceOk =
      resources.includes('*') ||
      resources.includes(full) ||
      (!!req.subresource && resources.includes(`*/${req.subresource}`));
    const names = rule.resourceNames ?? [];
    const nameOk = names.length === 0 || names.includes(req.name ?? '');
    return has(rule.verbs, req.verb) && has(rule.apiGroups, req.apiGroup) && resourceOk && nameOk;
  }

  function referenceAuthorize(policy: RbacPolicySet, who: UserInfo, req: AccessRequest): boolean {
    const ns = 'path' in req ? '' : (req.namespace ?? '');
    return policy.bindings.some((b) => {
      const subjectOk = b.subjects.some((s) =>
        s.kind === 'User'
          ? s.name === who.user
          : s.kind === 'Group'
            ? (who.groups ?? []).includes(s.name)
            : `system:serviceaccount:${s.namespace || b.namespace}:${s.name}` === who.user,
      );
      if (!subjectOk) return false;
      if (b.kind === 'RoleBinding' && ('path' in req || b.namespace !== ns)) return false;
      const r = policy.roles.find(
        (x) =>
          x.kind === b.roleRef.kind &&
          x.name === b.roleRef.name &&
          (x.kind === 'ClusterRole' || x.namespace === b.namespace),
      );
      if (!r || (b.kind === 'ClusterRoleBinding' && r.kind === 'Role')) return false;
      return r.rules.some((rule) => referenceRuleAllows(rule, req));
    });
  }

  const subjects: fc.Arbitrary<Subject> = fc.constantFrom<Subject>(
    { kind: 'User', name: 'alice' },
    { kind: 'Group', name: 'devs' },
    { kind: 'Group', name: 'system:serviceaccounts:ns1' },
    { kind: 'ServiceAccount', name: 'sa', namespace: 'ns1' },
    { kind: 'ServiceAccount', name: 'sa', namespace: 'ns2' },
    { kind: 'ServiceAccount', name: 'sa' },
  );
  const policies: fc.Arbitrary<RbacPolicySet> = fc
    .tuple(
      // Object names are unique per kind and namespace, as in a cluster.
      fc.uniqueArray(
        fc.tuple(
          fc.constantFrom<'Role' | 'ClusterRole'>('Role', 'ClusterRole'),
          fc.constantFrom('ns1', 'ns2'),
          fc.constantFrom('r1', 'r2'),
          fc.array(anyRule, { minLength: 1, maxLength: 3 }),
        ),
        {
          maxLength: 4,
          selector: ([k, ns, n]) => (k === 'Role' ? `${k}/${ns}/${n}` : `${k}/${n}`),
        },
      ),
      fc.array(
        fc.tuple(
          fc.constantFrom<'RoleBinding' | 'ClusterRoleBinding'>(
            'RoleBinding',
            'ClusterRoleBinding',
          ),
          fc.constantFrom('ns1', 'ns2'),
          fc.constantFrom<'Role' | 'ClusterRole'>('Role', 'ClusterRole'),
          fc.constantFrom('r1', 'r2'),
          fc.array(subjects, { minLength: 1, maxLength: 3 }),
        ),
        { maxLength: 4 },
      ),
    )
    .map(([roles, bindings]) => ({
      roles: roles.map(([k, ns, n, rules]) => role(k, ns, n, rules)),
      bindings: bindings.map(([k, ns, rk, rn, subs]) =>
        binding(k, ns, { kind: rk, name: rn }, subs),
      ),
    }));
  const users: UserInfo[] = [
    { user: 'alice', groups: ['devs', 'system:authenticated'] },
    { user: 'bob', groups: ['system:authenticated'] },
    SA,
    { user: serviceAccountUser('ns2', 'sa'), groups: serviceAccountGroups('ns2') },
  ];
  const requests = [
    ...allResourceRequests().filter((_, i) => i % 11 === 0),
    ...allNonResourceRequests(),
  ];

  test('property: agrees with a brute-force reference over generated policies and requests', () => {
    fc.assert(
      fc.property(policies, (policy) => {
        const authorizer = new RbacAuthorizer(policy);
        const disagreements = users.flatMap((who) =>
          requests
            .filter(
              (req) =>
                authorizer.authorize(who, req).allowed !== referenceAuthorize(policy, who, req),
            )
            .map((req) => ({ who, req })),
        );
        expect(disagreements).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  test('property: whoCan is the inverse of authorize for the subjects it lists', () => {
    fc.assert(
      fc.property(policies, (policy) => {
        const authorizer = new RbacAuthorizer(policy);
        for (const req of requests.filter((_, i) => i % 5 === 0)) {
          const listed = authorizer.whoCan(req);
          for (const who of users) {
            const allowed = authorizer.authorize(who, req).allowed;
            const named = listed.some(({ subject: s, binding: b }) =>
              s.kind === 'User'
                ? s.name === who.user
                : s.kind === 'Group'
                  ? (who.groups ?? []).includes(s.name)
                  : `system:serviceaccount:${s.namespace || b.split(' ')[1].split('/')[0]}:${s.name}` ===
                    who.user,
            );
            expect(named).toBe(allowed);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('rbacPolicyFrom', () => {
  test('tolerates malformed RBAC objects: they grant nothing instead of crashing', () => {
    // GIVEN a binding without roleRef and a role with non-list fields
    const policy = rbacPolicyFrom([
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'r', namespace: 'ns1' },
        rules: [{ verbs: 'get', resources: ['pods'] }, null],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'b', namespace: 'ns1' },
        subjects: [{ kind: 'User', name: 'bob' }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'c', namespace: 'ns1' },
        roleRef: { kind: 'Role', name: 'r' },
        subjects: 'bob',
      },
    ]);
    // THEN
    expect(policy.roles[0].rules).toEqual([{ verbs: [], resources: ['pods'] }]);
    expect(policy.bindings.map((b) => [b.name, b.subjects])).toEqual([['c', []]]);
    expect(
      new RbacAuthorizer(policy).authorize(
        { user: 'bob' },
        { verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns1' },
      ).allowed,
    ).toBe(false);
  });

  test("non-resource URLs strip every trailing '*', like the API server", () => {
    const policy = rbacPolicyFrom([
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'r' },
        rules: [{ verbs: ['get'], nonResourceURLs: ['/api**'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'b' },
        roleRef: { kind: 'ClusterRole', name: 'r' },
        subjects: [{ kind: 'User', name: 'bob' }],
      },
    ]);
    expect(
      new RbacAuthorizer(policy).authorize({ user: 'bob' }, { verb: 'get', path: '/apis/apps' })
        .allowed,
    ).toBe(true);
  });
});
