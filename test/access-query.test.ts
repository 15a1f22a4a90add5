import fc from 'fast-check';
import {
  AccessQueryError,
  DEFAULT_QUERY_NAMESPACE,
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
    ['GET', 'pods', {}, /verb 'GET' is invalid: expected a lowercase verb/],
    ['', 'pods', {}, /verb '' is invalid/],
    ['get list', 'pods', {}, /verb 'get list' is invalid/],
    ['get', '', {}, /resource type in '' is empty/],
    [
      'get',
      '/web',
      { subresource: 'log' },
      /subresource 'log' cannot be used with the non-resource URL '\/web'/,
    ],
    ['get', 'pods/', {}, /name '' in 'pods\/' is invalid/],
    ['get', 'pods/a/b', {}, /name 'a\/b' in 'pods\/a\/b' is invalid.*--subresource/],
    ['get', '.apps', {}, /resource type '.apps' is malformed/],
    ['get', 'deployments.', {}, /resource type 'deployments.' is malformed/],
    ['get', 'my pods', {}, /resource type 'my pods' in 'my pods' is invalid/],
    [
      'get',
      'pods',
      { namespace: 'shop', allNamespaces: true },
      /namespace 'shop' and all namespaces were both asked/,
    ],
    [
      'get',
      'pods',
      { namespace: 'Shop' },
      /namespace 'Shop' is invalid: expected a DNS-1123 label/,
    ],
    ['get', 'pods', { subresource: 'a/b' }, /subresource 'a\/b' is invalid/],
    ['get', 'pods', { subresource: '' }, /subresource '' is invalid/],
    ['get', '/a b', {}, /non-resource URL '\/a b' is invalid/],
  ])(
    'GIVEN verb %j and target %j WHEN parsed THEN it throws naming the value',
    (verb, target, options, message) => {
      expect(() => parseAccessQuery(verb, target, options)).toThrow(AccessQueryError);
      expect(() => parseAccessQuery(verb, target, options)).toThrow(message);
    },
  );

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
    ['frobnicate', 'pods', /verb 'frobnicate' is not a known verb/],
    ['list', '/healthz', /verb 'list' is not a valid verb for a non-resource URL/],
    ['get', 'pod', /resource 'pod' is unknown.*'pods'/],
    ['get', 'deployments', /resource 'deployments' is unknown.*'deployments.apps'/],
    ['get', 'Pods', /resource type 'Pods' is not lowercase; it is taken literally/],
  ])('GIVEN verb %s on %s WHEN checked THEN it warns', (verb, target, message) => {
    const warnings = accessQueryWarnings(parseAccessQuery(verb, target));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(message);
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
