import fc from 'fast-check';
import {
  AccessQueryError,
  DEFAULT_QUERY_NAMESPACE,
  accessAnswerOf,
  assumedNamespaceNote,
  accessQueryWarnings,
  describeAccessRequest,
  impersonatedUser,
  parseAccessQuery,
} from '../src/rbac/access-query.js';

describe('parseAccessQuery', () => {
  test.each([
    ['pods', { apiGroup: '', resource: 'pods', name: '', subresource: '' }],
    ['pods/web', { apiGroup: '', resource: 'pods', name: 'web', subresource: '' }],
    ['deployments.apps', { apiGroup: 'apps', resource: 'deployments', name: '' }],
    ['deployments.apps/web', { apiGroup: 'apps', resource: 'deployments', name: 'web' }],
    ['pods.metrics.k8s.io', { apiGroup: 'metrics.k8s.io', resource: 'pods' }],
    ['*', { apiGroup: '', resource: '*' }],
    ['Pods', { apiGroup: '', resource: 'Pods' }],
    ['pod', { apiGroup: '', resource: 'pod' }],
  ])('GIVEN %s WHEN parsed THEN TYPE[.GROUP][/NAME] is taken literally', (target, expected) => {
    expect(parseAccessQuery('get', target)).toMatchObject({ verb: 'get', ...expected });
  });

  test('GIVEN the RBAC notation pods/log WHEN parsed THEN log is a name, as in kubectl', () => {
    expect(parseAccessQuery('get', 'pods/log')).toMatchObject({
      resource: 'pods',
      name: 'log',
      subresource: '',
    });
  });

  test('GIVEN --subresource WHEN parsed THEN it is the subresource and the name stays', () => {
    expect(
      parseAccessQuery('update', 'deployments.apps/web', { subresource: 'scale' }),
    ).toMatchObject({
      resource: 'deployments',
      apiGroup: 'apps',
      name: 'web',
      subresource: 'scale',
    });
  });

  test("GIVEN no namespace WHEN parsed THEN it is kubectl's default", () => {
    expect(DEFAULT_QUERY_NAMESPACE).toBe('default');
    expect(parseAccessQuery('get', 'pods')).toMatchObject({ namespace: 'default' });
  });

  test('GIVEN a namespace or all namespaces WHEN parsed THEN the request has that namespace or none', () => {
    expect(parseAccessQuery('get', 'pods', { namespace: 'shop' })).toMatchObject({
      namespace: 'shop',
    });
    expect(parseAccessQuery('get', 'pods', { allNamespaces: true })).toMatchObject({
      namespace: '',
    });
  });

  test('GIVEN a path WHEN parsed THEN it is a non-resource request without namespace', () => {
    expect(parseAccessQuery('get', '/healthz', { namespace: 'shop' })).toEqual({
      verb: 'get',
      path: '/healthz',
    });
    expect(parseAccessQuery('get', '/debug/pprof/', { allNamespaces: true })).toEqual({
      verb: 'get',
      path: '/debug/pprof/',
    });
  });

  test.each([
    ['GET', 'pods', {}, { verb: 'GET', resource: 'pods' }],
    ['', 'pods', {}, { verb: '', resource: 'pods' }],
    ['get list', 'pods', {}, { verb: 'get list' }],
    ['get', '', {}, { resource: '', apiGroup: '', name: '' }],
    ['get', 'pods/', {}, { resource: 'pods', name: '' }],
    ['get', 'pods/a/b', {}, { resource: 'pods', name: 'a/b' }],
    ['get', '.apps', {}, { resource: '', apiGroup: 'apps' }],
    ['get', 'deployments.', {}, { resource: 'deployments', apiGroup: '' }],
    ['get', 'my pods', {}, { resource: 'my pods' }],
    ['get', 'pods', { namespace: '*' }, { namespace: '*' }],
    ['get', 'pods', { namespace: 'Shop' }, { namespace: 'Shop' }],
    ['get', 'pods', { namespace: '' }, { namespace: 'default' }],
    ['get', 'pods', { namespace: 'shop', allNamespaces: true }, { namespace: '' }],
    ['get', 'pods', { subresource: 'a/b' }, { subresource: 'a/b' }],
  ])(
    'GIVEN verb %j and target %j (%j) WHEN parsed THEN it is asked literally, as kubectl sends it',
    (verb, target, options, expected) => {
      expect(parseAccessQuery(verb, target, options)).toMatchObject(expected);
    },
  );

  test('GIVEN a non-resource URL WHEN parsed THEN it is taken as it is', () => {
    expect(parseAccessQuery('GET', '/a b')).toEqual({ verb: 'GET', path: '/a b' });
  });

  test('GIVEN a subresource with a non-resource URL WHEN parsed THEN it throws, as kubectl does', () => {
    const parse = () => parseAccessQuery('get', '/web', { subresource: 'log' });
    expect(parse).toThrow(AccessQueryError);
    expect(parse).toThrow(/subresource 'log' cannot be used with the non-resource URL '\/web'/);
  });

  test('GIVEN any resource, group and name WHEN formatted the kubectl way THEN parsing gives them back', () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
    fc.assert(
      fc.property(
        word,
        fc.option(
          fc.array(word, { minLength: 1, maxLength: 3 }).map((p) => p.join('.')),
          { nil: undefined },
        ),
        fc.option(word, { nil: undefined }),
        (resource, group, name) => {
          const target = `${resource}${group ? `.${group}` : ''}${name ? `/${name}` : ''}`;
          expect(parseAccessQuery('get', target, { namespace: 'ns' })).toEqual({
            verb: 'get',
            resource,
            apiGroup: group ?? '',
            name: name ?? '',
            subresource: '',
            namespace: 'ns',
          });
        },
      ),
    );
  });
});

describe('accessQueryWarnings', () => {
  test('GIVEN a well-known request WHEN checked THEN there is nothing to warn about', () => {
    expect(
      accessQueryWarnings(
        parseAccessQuery('get', 'deployments.apps/web', { subresource: 'scale' }),
      ),
    ).toEqual([]);
    expect(accessQueryWarnings(parseAccessQuery('*', '*'))).toEqual([]);
    expect(accessQueryWarnings(parseAccessQuery('get', '/healthz'))).toEqual([]);
    expect(accessQueryWarnings(parseAccessQuery('get', 'widgets.example.com'))).toEqual([]);
  });

  test.each([
    [
      'frobnicate',
      'pods',
      /^verb 'frobnicate' is not a known verb; it is asked literally, as a custom verb/,
    ],
    [
      'GET',
      'pods',
      /^verb 'GET' is not a known verb \(verbs are case-sensitive\); did you mean 'get'\?$/,
    ],
    ['Get', 'pods', /did you mean 'get'\?$/],
    ['list', '/healthz', /^verb 'list' is not a known verb for a non-resource URL/],
    [
      'POST',
      '/healthz',
      /verb 'POST' is not a known verb for a non-resource URL.*did you mean 'post'\?$/,
    ],
    ['get', 'pod', /resource 'pod' is unknown.*; it is asked literally; did you mean 'pods'\?$/],
    [
      'get',
      'deployments',
      /resource 'deployments' is unknown.*; it is asked literally; did you mean 'deployments.apps'\?$/,
    ],
    // One step all the way: a singular without its group gets the plural with the group.
    ['get', 'deployment/web', /did you mean 'deployments.apps\/web'\?$/],
    [
      'get',
      'Pods',
      /resource 'Pods' is malformed.*; it is asked literally; did you mean 'pods'\?$/,
    ],
    ['get', 'Deployment/web', /did you mean 'deployments.apps\/web'\?$/],
    ['get', '', /resource '' is malformed/],
  ])(
    'GIVEN verb %j on %j WHEN checked THEN one warning with the complete right request',
    (verb, target, message) => {
      const warnings = accessQueryWarnings(parseAccessQuery(verb, target));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(message);
    },
  );

  test('GIVEN a namespace no namespace can have WHEN checked THEN it warns that only ClusterRoleBindings apply', () => {
    for (const namespace of ['*', 'Shop', 'a b'])
      expect(accessQueryWarnings(parseAccessQuery('get', 'pods', { namespace }))).toEqual([
        `namespace '${namespace}' is not a valid namespace name, so no RoleBinding can be in it: only ClusterRoleBindings apply`,
      ]);
  });

  test('GIVEN the groups the manifests define WHEN a group is neither built in nor among them THEN it warns', () => {
    const request = parseAccessQuery('get', 'widgets.example.com');
    expect(accessQueryWarnings(request, { servedGroups: ['example.com'] })).toEqual([]);
    expect(accessQueryWarnings(request, { servedGroups: [] })).toEqual([
      "API group 'example.com' is neither built in nor defined by a CustomResourceDefinition or APIService in the manifests; it is asked literally",
    ]);
    expect(accessQueryWarnings(parseAccessQuery('get', 'pods'), { servedGroups: [] })).toEqual([]);
    expect(
      accessQueryWarnings(parseAccessQuery('get', 'deployments.app'), { servedGroups: [] })[0],
    ).toMatch(/API group 'app' is neither built in.*; did you mean 'deployments.apps'\?$/);
  });

  test('GIVEN a misspelt resource with a subresource WHEN checked THEN the suggestion is in kubectl form', () => {
    expect(
      accessQueryWarnings(parseAccessQuery('get', 'pod/web', { subresource: 'log' }))[0],
    ).toMatch(/did you mean 'pods\/web --subresource log'\?$/);
  });

  test('GIVEN an unknown subresource WHEN checked THEN it warns', () => {
    expect(
      accessQueryWarnings(parseAccessQuery('get', 'pods', { subresource: 'logs' }))[0],
    ).toMatch(/no subresource 'logs'/);
  });
});

describe('impersonatedUser', () => {
  test('GIVEN a user without groups WHEN impersonated THEN system:authenticated is added', () => {
    expect(impersonatedUser('alice')).toEqual({ user: 'alice', groups: ['system:authenticated'] });
  });

  test('GIVEN a user with groups WHEN impersonated THEN the groups are kept and system:authenticated added once', () => {
    expect(impersonatedUser('alice', ['dev', 'ops'])).toEqual({
      user: 'alice',
      groups: ['dev', 'ops', 'system:authenticated'],
    });
    expect(impersonatedUser('alice', ['system:authenticated', 'dev'])).toEqual({
      user: 'alice',
      groups: ['system:authenticated', 'dev'],
    });
  });

  test('GIVEN system:unauthenticated WHEN impersonated THEN system:authenticated is not added', () => {
    expect(impersonatedUser('alice', ['system:unauthenticated']).groups).toEqual([
      'system:unauthenticated',
    ]);
  });

  test('GIVEN system:anonymous WHEN impersonated THEN it is unauthenticated', () => {
    expect(impersonatedUser('system:anonymous')).toEqual({
      user: 'system:anonymous',
      groups: ['system:unauthenticated'],
    });
  });

  test('GIVEN a ServiceAccount user without groups WHEN impersonated THEN it gets the ServiceAccount groups', () => {
    expect(impersonatedUser('system:serviceaccount:shop:deployer').groups).toEqual([
      'system:serviceaccounts',
      'system:serviceaccounts:shop',
      'system:authenticated',
    ]);
  });

  test('GIVEN a ServiceAccount user with groups WHEN impersonated THEN it gets only those and system:authenticated', () => {
    expect(impersonatedUser('system:serviceaccount:shop:deployer', ['x']).groups).toEqual([
      'x',
      'system:authenticated',
    ]);
  });

  test.each([
    ['', [], /user '' is invalid/],
    ['alice', [' '], /group ' ' is invalid/],
  ])('GIVEN user %j and groups %j WHEN impersonated THEN it throws', (user, groups, message) => {
    expect(() => impersonatedUser(user, groups)).toThrow(message);
  });
});

describe('describeAccessRequest', () => {
  test('GIVEN requests WHEN described THEN they read like kubectl', () => {
    expect(
      describeAccessRequest(
        parseAccessQuery('update', 'deployments.apps/web', {
          subresource: 'scale',
          namespace: 'shop',
        }),
      ),
    ).toBe('update deployments.apps/web (subresource scale) in namespace shop');
    expect(describeAccessRequest(parseAccessQuery('list', 'nodes', { allNamespaces: true }))).toBe(
      'list nodes cluster-wide',
    );
    expect(describeAccessRequest(parseAccessQuery('get', '/healthz'))).toBe('get /healthz');
  });
});

describe('accessAnswerOf', () => {
  test('GIVEN a refusal WHEN answered THEN it says what would grant it, never that it is granted', () => {
    const request = parseAccessQuery('get', 'secrets', { namespace: 'shop' });
    const who = impersonatedUser('alice');
    expect(accessAnswerOf(request, { allowed: false }, who)).toEqual({
      allowed: false,
      denied: false,
      request,
      subject: { user: 'alice', groups: ['system:authenticated'] },
      wouldBeGrantedBy: "Permission.verbs(['get'], 'secrets') in a Role bound in namespace 'shop'",
    });
  });

  test('GIVEN a grant WHEN answered THEN the reason and no hint', () => {
    const request = parseAccessQuery('get', '/healthz');
    expect(accessAnswerOf(request, { allowed: true, reason: 'ClusterRoleBinding x' })).toEqual({
      allowed: true,
      denied: false,
      reason: 'ClusterRoleBinding x',
      request,
    });
  });
});

describe('assumedNamespaceNote', () => {
  test('GIVEN a ServiceAccount asked about in another namespace WHEN noted THEN it names both', () => {
    expect(
      assumedNamespaceNote('system:serviceaccount:shop:deployer', parseAccessQuery('get', 'pods')),
    ).toBe(
      "no namespace given: asking in namespace 'default', not in the ServiceAccount's namespace 'shop' (pass -n shop for that, -A for cluster-wide)",
    );
  });

  test('GIVEN its own namespace, cluster-wide, a URL or another user WHEN noted THEN nothing', () => {
    const sa = 'system:serviceaccount:shop:deployer';
    expect(
      assumedNamespaceNote(sa, parseAccessQuery('get', 'pods', { namespace: 'shop' })),
    ).toBeUndefined();
    expect(
      assumedNamespaceNote(sa, parseAccessQuery('get', 'pods', { allNamespaces: true })),
    ).toBeUndefined();
    expect(assumedNamespaceNote(sa, parseAccessQuery('get', '/healthz'))).toBeUndefined();
    expect(assumedNamespaceNote('alice', parseAccessQuery('get', 'pods'))).toBeUndefined();
  });
});
