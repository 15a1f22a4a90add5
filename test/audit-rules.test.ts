import fc from 'fast-check';
import { AuditUsage } from '../src/rbac/audit-usage.js';
import { rulesFromUsage } from '../src/rbac/audit-rules.js';
import { RbacAuthorizer, serviceAccountGroups } from '../src/rbac/authorizer.js';
import type { BindingObject, RoleObject } from '../src/rbac/kube-object.js';
import type { AccessRequest } from '../src/rbac/policy-rule.js';
import { auditEvent, saUser, type EventSpec } from './audit-events.js';

const USER = saUser('shop', 'deployer');
const WHO = { user: USER, groups: serviceAccountGroups('shop') };

/** Roles and bindings granting the observed rules, as `audit rules` prints them. */
function authorizerFor(observed: ReturnType<typeof rulesFromUsage>): RbacAuthorizer {
  const roles: RoleObject[] = observed.map((o) => ({
    kind: o.namespace ? 'Role' : 'ClusterRole',
    name: 'observed',
    namespace: o.namespace,
    rules: o.rules,
    annotations: {},
  }));
  const bindings: BindingObject[] = observed.map((o) => ({
    kind: o.namespace ? 'RoleBinding' : 'ClusterRoleBinding',
    name: 'observed',
    namespace: o.namespace,
    roleRef: { kind: o.namespace ? 'Role' : 'ClusterRole', name: 'observed' },
    subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'shop' }],
    annotations: {},
  }));
  return new RbacAuthorizer({ roles, bindings });
}

function usageOf(specs: EventSpec[]) {
  const usage = new AuditUsage();
  for (const s of specs) usage.add(auditEvent(s));
  return usage.requestUsage();
}

// A finite universe: its requests are the oracle's domain.
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'delete'];
const RESOURCES = [
  { apiGroup: '', resource: 'pods', subresource: '' },
  { apiGroup: '', resource: 'pods', subresource: 'log' },
  { apiGroup: 'apps', resource: 'deployments', subresource: '' },
  { apiGroup: '', resource: 'nodes', subresource: '' },
];
const NAMESPACES = ['shop', 'other', ''];
const NAMES = ['a', 'b', 'c'];
const PATHS = ['/healthz', '/metrics'];
const NAMELESS = (verb: string, sub: string) =>
  ['list', 'watch'].includes(verb) || (verb === 'create' && sub === '');

interface Req {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  path?: string;
}

function universe(): Req[] {
  const all: Req[] = [];
  for (const verb of VERBS)
    for (const r of RESOURCES)
      for (const namespace of NAMESPACES)
        for (const name of NAMELESS(verb, r.subresource) ? [''] : NAMES)
          all.push({ verb, ...r, namespace, name });
  for (const path of PATHS)
    for (const verb of ['get', 'post'])
      all.push({
        verb,
        apiGroup: '',
        resource: '',
        subresource: '',
        namespace: '',
        name: '',
        path,
      });
  return all;
}

const toAccess = (r: Req): AccessRequest =>
  r.path !== undefined
    ? { verb: r.verb, path: r.path }
    : {
        verb: r.verb,
        apiGroup: r.apiGroup,
        resource: r.resource,
        subresource: r.subresource,
        namespace: r.namespace,
        name: r.name,
      };

const toSpec = (r: Req, allowed: boolean): EventSpec =>
  r.path !== undefined
    ? { user: USER, verb: r.verb, path: r.path, decision: allowed ? 'allow' : 'forbid' }
    : {
        user: USER,
        verb: r.verb,
        apiGroup: r.apiGroup || undefined,
        resource: r.resource,
        subresource: r.subresource || undefined,
        namespace: r.namespace || undefined,
        name: r.name || undefined,
        decision: allowed ? 'allow' : 'forbid',
      };

const kindKey = (r: Req) =>
  `${r.verb}|${r.apiGroup}|${r.resource}|${r.subresource}|${r.namespace}|${r.path ?? ''}`;

describe('rulesFromUsage', () => {
  test('the rules allow every observed allowed request and nothing else, within the grouping (names kept up to maxNames)', () => {
    const all = universe();
    fc.assert(
      fc.property(
        fc.subarray(all, { maxLength: 40 }),
        fc.subarray(all, { maxLength: 5 }),
        fc.integer({ min: 0, max: 3 }),
        (observed, refused, maxNames) => {
          // GIVEN observed allowed requests (and some refused ones, which must not count)
          const usage = usageOf([
            ...observed.map((r) => toSpec(r, true)),
            ...refused.map((r) => toSpec(r, false)),
          ]);
          // WHEN
          const authorizer = authorizerFor(rulesFromUsage(usage, { maxNames }));
          // THEN, by brute force over the universe: allowed iff observed, or the same kind of
          // request was observed with names that give a rule for every name (a nameless
          // request, or more than maxNames names), in its namespace or cluster-wide
          const namesOfKind = new Map<string, Set<string>>();
          for (const r of observed) {
            const set = namesOfKind.get(kindKey(r)) ?? new Set<string>();
            set.add(r.name);
            namesOfKind.set(kindKey(r), set);
          }
          const grantedIn = (r: Req) => {
            const names = namesOfKind.get(kindKey(r));
            const everyName = names !== undefined && (names.has('') || names.size > maxNames);
            return (
              everyName || observed.some((o) => kindKey(o) === kindKey(r) && o.name === r.name)
            );
          };
          for (const r of all) {
            // What is observed cluster-wide (a ClusterRole) is granted in every namespace too.
            const expected =
              grantedIn(r) || (r.path === undefined && grantedIn({ ...r, namespace: '' }));
            expect([r, authorizer.authorize(WHO, toAccess(r)).allowed]).toEqual([r, expected]);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test('verbs grouped only as observed, names kept where few, one Role per namespace, the ClusterRole last', () => {
    const observed = rulesFromUsage(
      usageOf([
        { user: USER, verb: 'get', resource: 'pods', namespace: 'shop', name: 'a' },
        { user: USER, verb: 'list', resource: 'pods', namespace: 'shop' },
        { user: USER, verb: 'watch', resource: 'pods', namespace: 'shop' },
        { user: USER, verb: 'get', resource: 'configmaps', namespace: 'shop', name: 'cfg' },
        { user: USER, verb: 'update', resource: 'configmaps', namespace: 'shop', name: 'cfg' },
        { user: USER, verb: 'get', resource: 'nodes', name: 'n1' },
        { user: USER, verb: 'get', path: '/healthz' },
        { user: USER, verb: 'list', resource: 'pods', namespace: 'other' },
      ]),
    );
    expect(observed).toEqual([
      { namespace: 'other', rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] },
      {
        namespace: 'shop',
        rules: [
          {
            apiGroups: [''],
            resourceNames: ['cfg'],
            resources: ['configmaps'],
            verbs: ['get', 'update'],
          },
          { apiGroups: [''], resourceNames: ['a'], resources: ['pods'], verbs: ['get'] },
          { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
        ],
      },
      {
        namespace: '',
        rules: [
          { nonResourceURLs: ['/healthz'], verbs: ['get'] },
          { apiGroups: [''], resourceNames: ['n1'], resources: ['nodes'], verbs: ['get'] },
        ],
      },
    ]);
  });

  test('rejects a negative maxNames', () => {
    expect(() => rulesFromUsage([], { maxNames: -1 })).toThrow(
      /maxNames must be a whole number of at least 0, got -1/,
    );
  });
});
