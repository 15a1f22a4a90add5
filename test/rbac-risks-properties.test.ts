import fc from 'fast-check';
import { lintRules } from '../src/rbac/lint.js';
import { KNOWN_VERBS, ruleAllows, type PolicyRule } from '../src/rbac/policy-rule.js';
import { grantsOf, type Grant } from '../src/rbac/risks/_probe.js';
import { Risk, RISK_RULES, type RiskyRequest } from '../src/rbac/risks/index.js';

// Properties of the rule-level risk rules (fast-check); the examples are in rbac-risks.test.ts.

/** Findings about a grant (unknown-resource is about a typo, which widening may hide). */
function grantFindings(rule: PolicyRule) {
  return lintRules([rule]).filter((f) => f.id !== Risk.UNKNOWN_RESOURCE);
}
function idsOf(rule: PolicyRule): string[] {
  return grantFindings(rule).map((f) => f.id);
}
// Generators over a small alphabet that covers every risky request and its close neighbours.
// Role-level rules' requests are risky only in combination or through a ClusterRoleBinding.
const RISKY: readonly RiskyRequest[] = RISK_RULES.filter((r) => r.scope === 'rule').flatMap(
  (r) => r.requests ?? [],
);
/** Risky requests that are not reported when restricted to named objects. */
const UNREPORTED_WHEN_NAMED = (r: RiskyRequest) =>
  r.resource === 'secrets' && (r.verb === 'update' || r.verb === 'patch');
const GROUPS = [...new Set(['', 'apps', 'example.com', ...RISKY.map((r) => r.apiGroup)])];
const RESOURCES = [
  ...new Set([
    'configmaps',
    'pods',
    'pods/log',
    'nodes/status',
    'deployments/scale',
    ...RISKY.map((r) => (r.subresource ? `${r.resource}/${r.subresource}` : r.resource)),
  ]),
];
const NAMES = ['a', 'b'];
const subset = <T>(values: readonly T[], min = 0) =>
  fc.uniqueArray(fc.constantFrom(...values), { minLength: min, maxLength: 4 });
const safeRule: fc.Arbitrary<PolicyRule> = fc.record({
  verbs: subset(KNOWN_VERBS, 1),
  apiGroups: subset(GROUPS, 1),
  resources: subset(RESOURCES, 1),
  resourceNames: subset(NAMES),
});
const anyRule: fc.Arbitrary<PolicyRule> = fc.record({
  verbs: subset([...KNOWN_VERBS, '*', 'frobnicate'], 1),
  apiGroups: subset([...GROUPS, '*'], 1),
  resources: subset([...RESOURCES, '*', '*/exec', '*/token'], 1),
  resourceNames: subset(NAMES),
});

function allowsAnyRisky(rule: PolicyRule): boolean {
  const names = ['', ...(rule.resourceNames ?? [])];
  return RISKY.some((request) => {
    const nameless =
      request.verb === 'deletecollection' || (request.verb === 'create' && !request.subresource);
    const asked = nameless || UNREPORTED_WHEN_NAMED(request) ? [''] : names;
    return asked.some((name) => ruleAllows(rule, { ...request, name }));
  });
}

/** Named-only warnings that give way to their error once the names are dropped. */
const SUPERSEDED_BY: Readonly<Record<string, string>> = {
  [Risk.WORKLOAD_UPDATE]: Risk.WORKLOAD_CREATE,
};

describe('properties', () => {
  // grantsOf skips a list of requests when the rule's verbs, groups or resources meet none of
  // them: it must still find exactly the requests that ruleAllows grants, wildcards included.
  test('grantsOf gives exactly the requests ruleAllows grants, for any name or for named ones', () => {
    fc.assert(
      fc.property(anyRule, (rule) => {
        const expected = RISKY.flatMap((request): Grant[] => {
          if (ruleAllows(rule, { ...request, name: '' })) return [{ request, names: 'any' }];
          const nameless =
            request.verb === 'deletecollection' ||
            (request.verb === 'create' && !request.subresource);
          const names = nameless
            ? []
            : (rule.resourceNames ?? []).filter((name) => ruleAllows(rule, { ...request, name }));
          return names.length > 0 ? [{ request, names }] : [];
        });
        expect(grantsOf(rule, RISKY)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  test('without wildcards or custom verbs, a rule has findings exactly when ruleAllows grants a risky request', () => {
    fc.assert(
      fc.property(safeRule, (rule) => {
        expect(grantFindings(rule).length > 0).toBe(allowsAnyRisky(rule));
      }),
      { numRuns: 500 },
    );
  });

  test('findings are monotone: widening a rule never removes a finding', () => {
    fc.assert(
      fc.property(anyRule, anyRule, fc.boolean(), (rule, more, dropNames) => {
        // GIVEN a rule and a wider one: more verbs, groups and resources, and maybe no names
        const wider: PolicyRule = {
          verbs: [...new Set([...rule.verbs, ...more.verbs])],
          apiGroups: [...new Set([...rule.apiGroups!, ...more.apiGroups!])],
          resources: [...new Set([...rule.resources!, ...more.resources!])],
          resourceNames: dropNames ? [] : rule.resourceNames,
        };
        // WHEN both are linted
        const before = new Set(idsOf(rule));
        const after = new Set(idsOf(wider));
        // THEN every risk of the narrow rule is still found, or superseded by a wider one
        // (every finding of a '*'/'*'/'*' rule by cluster-admin-equivalent)
        const kept = (id: string) =>
          after.has(id) ||
          after.has(SUPERSEDED_BY[id] ?? id) ||
          after.has(Risk.CLUSTER_ADMIN_EQUIVALENT);
        expect([...before].filter((id) => !kept(id))).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  test('adding a rule to a rule set never removes a finding', () => {
    fc.assert(
      fc.property(fc.array(anyRule, { maxLength: 4 }), anyRule, (rules, extra) => {
        const key = (f: { id: string; message: string }) => `${f.id}:${f.message}`;
        const before = lintRules(rules).map(key);
        const after = new Set(lintRules([...rules, extra]).map(key));
        // (findings are per rule, so a '*'/'*'/'*' rule only collapses its own)
        expect(before.filter((k) => !after.has(k))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
