import {
  auditLevelOf,
  auditRuleMatches,
  isAuditPolicyDocument,
  validateAuditPolicy,
} from '../src/rbac/audit-policy.js';

const valid = { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Metadata' }] };
const req = (over: Record<string, unknown> = {}) => ({
  user: 'alice',
  groups: ['devs'],
  verb: 'get',
  resource: { apiGroup: '', resource: 'pods', subresource: '', namespace: 'shop', name: 'web' },
  ...over,
});

describe('validateAuditPolicy', () => {
  test('a minimal policy and one using every field are valid', () => {
    expect(validateAuditPolicy(valid)).toEqual([]);
    expect(
      validateAuditPolicy({
        apiVersion: 'audit.k8s.io/v1',
        kind: 'Policy',
        metadata: { name: 'p' },
        omitStages: ['RequestReceived'],
        rules: [
          {
            level: 'None',
            users: ['a'],
            userGroups: ['g'],
            verbs: ['get'],
            namespaces: ['', 'x'],
            resources: [
              { group: 'apps', resources: ['deployments', '*/scale'], resourceNames: ['web'] },
            ],
            omitStages: ['Panic'],
          },
          { level: 'Request', nonResourceURLs: ['/healthz*', '*', '/version'] },
          { level: 'RequestResponse' },
        ],
      }),
    ).toEqual([]);
  });

  test.each([
    [
      { ...valid, apiVersion: 'audit.k8s.io/v1beta1' },
      /apiVersion 'audit\.k8s\.io\/v1beta1' is not supported: expected 'audit\.k8s\.io\/v1'/,
    ],
    [{ ...valid, kind: 'AuditPolicy' }, /kind 'AuditPolicy' is invalid: expected 'Policy'/],
    [{ ...valid, rules: [] }, /rules must be a non-empty list/],
    [{ ...valid, rules: undefined }, /rules must be a non-empty list/],
    [{ ...valid, rules: [{}] }, /rules\[0\]\.level is required/],
    [
      { ...valid, rules: [{ level: 'metadata' }] },
      /rules\[0\]\.level 'metadata' is invalid: allowed levels are None, Metadata, Request, RequestResponse/,
    ],
    [
      { ...valid, omitStages: ['Received'] },
      /omitStages has 'Received': allowed stages are RequestReceived, ResponseStarted, ResponseComplete, Panic/,
    ],
    [{ ...valid, rules: [{ level: 'None', omitStages: ['x'] }] }, /rules\[0\]\.omitStages has 'x'/],
    [
      { ...valid, rules: [{ level: 'None', verbs: 'get' }] },
      /rules\[0\]\.verbs must be a list of strings, got "get"/,
    ],
    [
      { ...valid, rules: [{ level: 'None', resources: [{ group: 'apps/v1' }] }] },
      /rules\[0\]\.resources\[0\]\.group 'apps\/v1' is invalid/,
    ],
    [
      { ...valid, rules: [{ level: 'None', resources: [{ group: '', resourceNames: ['a'] }] }] },
      /resourceNames needs at least one resource/,
    ],
    [
      { ...valid, rules: [{ level: 'None', nonResourceURLs: ['healthz'] }] },
      /'healthz': a non-resource URL must start with '\/'/,
    ],
    [
      { ...valid, rules: [{ level: 'None', nonResourceURLs: ['/a*b'] }] },
      /'\*' is allowed only as the last character/,
    ],
    [
      { ...valid, rules: [{ level: 'None', nonResourceURLs: ['/a'], namespaces: ['x'] }] },
      /applies to either, not both/,
    ],
    [
      { ...valid, rules: [{ level: 'None', user: ['a'] }] },
      /rules\[0\] has the unknown field 'user'/,
    ],
    [{ ...valid, spec: {} }, /policy has the unknown field 'spec'/],
    ['text', /an audit policy must be an object, got "text"/],
  ])('rejects %j', (doc, message) => {
    expect(validateAuditPolicy(doc).join('\n')).toMatch(message);
  });
});

describe('auditRuleMatches (the API server checker)', () => {
  test('users, groups, verbs, namespaces narrow a rule; empty lists match everything', () => {
    expect(auditRuleMatches({ level: 'None' }, req())).toBe(true);
    expect(auditRuleMatches({ level: 'None', users: ['bob'] }, req())).toBe(false);
    expect(auditRuleMatches({ level: 'None', userGroups: ['devs', 'x'] }, req())).toBe(true);
    expect(auditRuleMatches({ level: 'None', verbs: ['list'] }, req())).toBe(false);
    expect(auditRuleMatches({ level: 'None', namespaces: ['other'] }, req())).toBe(false);
    expect(auditRuleMatches({ level: 'None', namespaces: ['shop'] }, req())).toBe(true);
  });

  test('resources: the group must equal, names narrow, subresources need their own entry or a wildcard', () => {
    const sub = req({
      resource: {
        apiGroup: '',
        resource: 'pods',
        subresource: 'log',
        namespace: 'shop',
        name: 'web',
      },
    });
    const rule = (resources: string[], resourceNames?: string[], group = '') => ({
      level: 'None' as const,
      resources: [{ group, resources, ...(resourceNames ? { resourceNames } : {}) }],
    });
    expect(auditRuleMatches(rule(['pods']), req())).toBe(true);
    expect(auditRuleMatches(rule(['pods'], [], 'apps'), req())).toBe(false);
    expect(auditRuleMatches(rule(['pods'], ['api']), req())).toBe(false);
    expect(auditRuleMatches(rule(['pods']), sub)).toBe(false);
    expect(auditRuleMatches(rule(['pods/log']), sub)).toBe(true);
    expect(auditRuleMatches(rule(['*/log']), sub)).toBe(true);
    expect(auditRuleMatches(rule(['pods/*']), sub)).toBe(true);
    expect(auditRuleMatches(rule(['*']), sub)).toBe(true);
    expect(auditRuleMatches({ level: 'None', resources: [{ group: '' }] }, sub)).toBe(true);
  });

  test('non-resource URLs match exactly or by a trailing-* prefix, never a resource request', () => {
    const url = { user: 'a', groups: [], verb: 'get', path: '/healthz/etcd' };
    expect(auditRuleMatches({ level: 'None', nonResourceURLs: ['/healthz*'] }, url)).toBe(true);
    expect(auditRuleMatches({ level: 'None', nonResourceURLs: ['/healthz'] }, url)).toBe(false);
    expect(auditRuleMatches({ level: 'None', nonResourceURLs: ['*'] }, req())).toBe(false);
    expect(auditRuleMatches({ level: 'None', resources: [{ group: '' }] }, url)).toBe(false);
  });

  test('the first matching rule decides; no match is None; stages add up', () => {
    const policy = {
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      omitStages: ['RequestReceived' as const],
      rules: [
        { level: 'Request' as const, users: ['alice'], omitStages: ['Panic' as const] },
        { level: 'Metadata' as const, users: ['alice', 'bob'] },
      ],
    };
    expect(auditLevelOf(policy, req())).toEqual({
      level: 'Request',
      ruleIndex: 0,
      omitStages: ['RequestReceived', 'Panic'],
    });
    expect(auditLevelOf(policy, req({ user: 'bob' })).level).toBe('Metadata');
    expect(auditLevelOf(policy, req({ user: 'carol' }))).toEqual({
      level: 'None',
      omitStages: ['RequestReceived'],
    });
  });

  test('isAuditPolicyDocument', () => {
    expect(isAuditPolicyDocument(valid)).toBe(true);
    expect(isAuditPolicyDocument({ ...valid, apiVersion: 'audit.k8s.io/v1beta1' })).toBe(true);
    expect(isAuditPolicyDocument({ apiVersion: 'policy/v1', kind: 'Policy' })).toBe(false);
    expect(isAuditPolicyDocument(null)).toBe(false);
  });
});
