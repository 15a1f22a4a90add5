import { grantingRule, permissionHint } from '../src/rbac/permission-hint.js';
import { ruleAllows, type AccessRequest } from '../src/rbac/policy-rule.js';
import { parseAccessQuery } from '../src/rbac/access-query.js';
import { Permission } from '../src/constructs/permission.js';

const req = (over: Partial<Record<string, string>>): AccessRequest => ({
  verb: 'get',
  apiGroup: '',
  resource: 'pods',
  subresource: '',
  name: '',
  namespace: 'shop',
  ...over,
});

describe('permissionHint', () => {
  test('GIVEN a namespaced request WHEN hinted THEN the Permission in kubectl notation, restricted by name where RBAC can, in a Role of that namespace', () => {
    expect(
      permissionHint(
        req({ verb: 'patch', resource: 'deployments', apiGroup: 'apps', name: 'web' }),
      ),
    ).toBe(
      "Permission.verbs(['patch'], 'deployments.apps', 'web') in a Role bound in namespace 'shop'",
    );
    expect(
      permissionHint(req({ resource: 'deployments', apiGroup: 'apps', subresource: 'scale' })),
    ).toBe(
      "Permission.verbs(['get'], 'deployments.apps/scale') in a Role bound in namespace 'shop'",
    );
  });

  test('GIVEN top-level create or a collection verb on a named object WHEN hinted THEN no name (RBAC cannot restrict them by name)', () => {
    for (const verb of ['create', 'list', 'deletecollection'])
      expect(permissionHint(req({ verb, resource: 'configmaps', name: 'x' }))).toBe(
        `Permission.verbs(['${verb}'], 'configmaps') in a Role bound in namespace 'shop'`,
      );
    // create on a subresource carries the parent's name and can be restricted by it
    expect(
      permissionHint(
        req({ verb: 'create', resource: 'serviceaccounts', subresource: 'token', name: 'ci' }),
      ),
    ).toBe(
      "Permission.verbs(['create'], 'serviceaccounts/token', 'ci') in a Role bound in namespace 'shop'",
    );
  });

  test('GIVEN a verb Kubernetes does not know, in any case WHEN hinted THEN customVerbs with the verb as asked (the server compares it literally)', () => {
    expect(
      permissionHint(
        req({ verb: 'frobnicate', resource: 'widgets', apiGroup: 'example.com', name: 'w' }),
      ),
    ).toBe(
      "Permission.customVerbs(['frobnicate'], 'widgets.example.com', 'w') in a Role bound in namespace 'shop'",
    );
    expect(permissionHint(req({ verb: 'GET' }))).toBe(
      "Permission.customVerbs(['GET'], 'pods') in a Role bound in namespace 'shop'",
    );
  });

  test('GIVEN cluster-wide, non-resource and impossible-namespace requests WHEN hinted THEN a ClusterRole with a ClusterRoleBinding', () => {
    expect(permissionHint(req({ verb: 'list', resource: 'nodes', namespace: '' }))).toBe(
      "Permission.verbs(['list'], 'nodes') in a ClusterRole bound by a ClusterRoleBinding",
    );
    expect(permissionHint({ verb: 'get', path: '/healthz' })).toBe(
      "Permission.nonResourceUrls(['get'], '/healthz') in a ClusterRole bound by a ClusterRoleBinding",
    );
    expect(permissionHint(req({ namespace: '*' }))).toMatch(
      /in a ClusterRole bound by a ClusterRoleBinding$/,
    );
  });

  test.each([
    ['nodes', '', "'nodes'"],
    ['namespaces', '', "'namespaces'"],
    ['persistentvolumes', '', "'persistentvolumes'"],
    [
      'selfsubjectaccessreviews',
      'authorization.k8s.io',
      "'selfsubjectaccessreviews.authorization.k8s.io'",
    ],
    ['clusterroles', 'rbac.authorization.k8s.io', "'clusterroles.rbac.authorization.k8s.io'"],
  ])(
    'GIVEN cluster-scoped %s asked in a namespace WHEN hinted THEN a ClusterRole and ClusterRoleBinding, never a Role',
    (resource, apiGroup, notation) => {
      const hint = permissionHint(req({ verb: 'create', resource, apiGroup, namespace: 'shop' }));
      expect(hint).toMatch(
        new RegExp(
          `^Permission\\.verbs\\(\\['create'\\], ${notation.replace(/\./g, '\\.')}\\) in a ClusterRole bound by a ClusterRoleBinding \\(clusterPermissions: ${resource} .*is cluster-scoped, which a Role cannot grant\\)$`,
        ),
      );
      expect(hint).not.toMatch(/Role bound in namespace/);
    },
  );

  test('GIVEN a resource the catalog does not know WHEN hinted in a namespace THEN a Role there, as before', () => {
    expect(permissionHint(req({ resource: 'widgets', apiGroup: 'example.com' }))).toBe(
      "Permission.verbs(['get'], 'widgets.example.com') in a Role bound in namespace 'shop'",
    );
  });

  test('GIVEN a request no Permission factory accepts WHEN hinted THEN the raw RBAC rule', () => {
    expect(permissionHint(req({ resource: 'Pods' }))).toBe(
      'the RBAC rule {"verbs":["get"],"apiGroups":[""],"resources":["Pods"]} in a Role bound in namespace \'shop\'',
    );
  });

  test('GIVEN odd requests WHEN hinted THEN the hinted rule allows the request (independent oracle: the matcher)', () => {
    const requests: AccessRequest[] = [
      req({ verb: 'GET' }),
      req({ verb: '' }),
      req({ resource: 'Pods', name: 'a/b' }),
      req({ resource: 'widgets', apiGroup: 'example.com', subresource: 'status', name: 'w' }),
      req({ namespace: '*' }),
      req({ resource: '*', apiGroup: '*' }),
      { verb: 'POST', path: '/apis/x' },
    ];
    for (const r of requests) expect(ruleAllows(grantingRule(r), r)).toBe(true);
  });

  test('GIVEN a dotted core resource, a name with a quote and a line break, a URL with a line break WHEN hinted and evaluated THEN a Permission of exactly the granting rule', () => {
    const requests: AccessRequest[] = [
      req({ resource: 'foo.bar' }),
      req({ resource: 'configmaps', name: "it's\nx" }),
      { verb: 'get', path: '/a\rb' },
    ];
    for (const request of requests) {
      const expression = permissionHint(request).replace(
        / in a (Role bound in namespace 'shop'|ClusterRole bound by a ClusterRoleBinding)$/,
        '',
      );
      const permission = new Function('Permission', `return ${expression};`)(
        Permission,
      ) as Permission;
      expect(permission.rule).toEqual(grantingRule(request));
    }
  });

  test('GIVEN a hint in Permission form WHEN evaluated THEN it builds a Permission whose rule allows the request', () => {
    const cases: [string, string, { subresource?: string }][] = [
      ['patch', 'deployments.apps/web', {}],
      ['get', 'pods/web', { subresource: 'log' }],
      ['frobnicate', 'widgets.example.com/w', {}],
      ['create', 'serviceaccounts/ci', { subresource: 'token' }],
    ];
    for (const [verb, target, options] of cases) {
      const request = parseAccessQuery(verb, target, { ...options, namespace: 'shop' });
      const expression = permissionHint(request).replace(
        / in a Role bound in namespace 'shop'$/,
        '',
      );
      const permission = new Function('Permission', `return ${expression};`)(
        Permission,
      ) as Permission;
      expect(ruleAllows(permission.rule, request)).toBe(true);
    }
  });
});
