import fc from 'fast-check';
import type { Finding, FindingLocation } from '../src/rbac/finding.js';
import { lintRules } from '../src/rbac/lint.js';
import { KNOWN_VERBS, ruleAllows, sanitizeRule, type PolicyRule } from '../src/rbac/policy-rule.js';
import { grantsOf, requestsOf, type Grant } from '../src/rbac/risks/_probe.js';
import { POLICY_RULE_CHECKS, RISK_RULES, type RiskyRequest } from '../src/rbac/risks/index.js';

// The optimised engine (grantsOf's pre-filter, lintRules' per-rule cache) against oracles that
// share none of the optimisation, over rules with wildcards, resourceNames and malformed fields:
// grants by brute force (every request of the finite universe asked of `ruleAllows`, with every
// name), and findings by running each check on each rule directly, with no cache.

/** Brute force: every request asked of `ruleAllows`, with no name and with each of the rule's. */
function referenceGrantsOf(rule: PolicyRule, requests: readonly RiskyRequest[]): Grant[] {
  const grants: Grant[] = [];
  for (const request of requests) {
    const asked = { ...request, subresource: request.subresource ?? '' };
    if (ruleAllows(rule, { ...asked, name: '' })) {
      grants.push({ request, names: 'any' });
      continue;
    }
    const nameless =
      asked.verb === 'deletecollection' || (asked.verb === 'create' && asked.subresource === '');
    if (nameless) continue;
    const names = (rule.resourceNames ?? []).filter((name) => ruleAllows(rule, { ...asked, name }));
    if (names.length > 0) grants.push({ request, names });
  }
  return grants;
}

/** Every check run on every (sanitised) rule, each time: what the cache must not change. */
function referenceLintRules(rules: readonly PolicyRule[], location?: FindingLocation): Finding[] {
  return rules.flatMap((raw, ruleIndex) => {
    const rule = sanitizeRule(raw) ?? { verbs: [] };
    const context = { location: location ? { ...location, ruleIndex } : undefined };
    const all = POLICY_RULE_CHECKS.flatMap(({ check }) => check(rule, context));
    // A rule with '*' in verbs, apiGroups and resources is reported once, as cluster-admin.
    const admin = (['verbs', 'apiGroups', 'resources'] as const).every((k) =>
      (rule[k] ?? []).includes('*'),
    );
    return admin ? all.filter((f) => f.id === 'cluster-admin-equivalent') : all;
  });
}

const RISKY: readonly RiskyRequest[] = [
  ...RISK_RULES.flatMap((r) => r.requests ?? []),
  // Requests a risk rule builds from the rule (impersonate on userextras/<key>).
  ...requestsOf(['impersonate'], 'authentication.k8s.io', ['userextras/foo']),
];
const pathOf = (r: RiskyRequest) => (r.subresource ? `${r.resource}/${r.subresource}` : r.resource);
const VERBS = [...KNOWN_VERBS, 'Get', 'frobnicate'];
const GROUPS = [...new Set(['', 'apps', 'example.com', ...RISKY.map((r) => r.apiGroup)])];
const RESOURCES = [
  ...new Set(['configmaps', 'pods/log', 'deployments/scale', ...RISKY.map(pathOf)]),
];
const WILDCARD_RESOURCES = ['*', '*/exec', '*/token', '*/foo', '*/log', '*/status'];

/** A list of up to 5 values, a fair share of them wildcards. */
const list = (values: readonly string[], wildcards: readonly string[]) =>
  fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...values) },
      { weight: 1, arbitrary: fc.constantFrom(...wildcards) },
    ),
    { maxLength: 5 },
  );
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });
const NAMES = ['a', 'b', ''];

/** Resource rules with wildcards, duplicates, names, and missing versus empty lists. */
const randomRule: fc.Arbitrary<PolicyRule> = fc
  .record({
    verbs: list(VERBS, ['*']),
    apiGroups: maybe(list(GROUPS, ['*'])),
    resources: maybe(list(RESOURCES, WILDCARD_RESOURCES)),
    resourceNames: maybe(fc.array(fc.constantFrom(...NAMES), { maxLength: 3 })),
  })
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)))
  .map((r) => r as unknown as PolicyRule);
/** A rule built around one risky request, each part exact or a wildcard, plus noise. */
const seededRule: fc.Arbitrary<PolicyRule> = fc
  .tuple(fc.constantFrom(...RISKY), randomRule, fc.boolean(), fc.boolean(), fc.boolean())
  .map(([r, noise, anyVerb, anyGroup, anyResource]) => ({
    verbs: [anyVerb ? '*' : r.verb, ...noise.verbs],
    apiGroups: [anyGroup ? '*' : r.apiGroup, ...(noise.apiGroups ?? [])],
    resources: [
      anyResource ? (r.subresource ? `*/${r.subresource}` : '*') : pathOf(r),
      ...(noise.resources ?? []),
    ],
    ...(noise.resourceNames ? { resourceNames: noise.resourceNames } : {}),
  }));
const resourceRule = fc.oneof(randomRule, seededRule);
const nonResourceRule: fc.Arbitrary<PolicyRule> = fc.record({
  verbs: list(['get', 'post'], ['*']),
  nonResourceURLs: list(['/metrics', '/healthz/*'], ['*']),
});
/** What an untrusted manifest may hold instead of a list of strings. */
const malformedRule = fc
  .record({
    verbs: fc.oneof(list(['get'], ['*']), fc.constant('get'), fc.constant([1, 'list', null])),
    apiGroups: fc.oneof(list([''], ['*']), fc.constant(null), fc.constant({})),
    resources: fc.oneof(list(['secrets', 'pods/exec'], ['*']), fc.constant([['secrets']])),
  })
  .map((r) => r as unknown as PolicyRule);
const anyRule = fc.oneof(
  { weight: 6, arbitrary: resourceRule },
  { weight: 1, arbitrary: nonResourceRule },
  { weight: 1, arbitrary: malformedRule },
);
const location = maybe(
  fc.record({
    kind: fc.constantFrom('Role', 'ClusterRole'),
    name: fc.string(),
    namespace: fc.constant(''),
  }),
);

describe('grantsOf', () => {
  test('property: the pre-filter changes no grant', () => {
    fc.assert(
      fc.property(resourceRule, (rule) => {
        expect(grantsOf(rule, RISKY)).toEqual(referenceGrantsOf(rule, RISKY));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('lintRules', () => {
  test('property: cached findings equal the uncached reference, on first and repeated use', () => {
    fc.assert(
      fc.property(fc.array(anyRule, { maxLength: 5 }), location, (rules, at) => {
        const expected = referenceLintRules(rules, at);
        expect(lintRules(rules, at)).toEqual(expected);
        // Same rules again (now cached), and copies of them at other indexes.
        expect(lintRules(rules, at)).toEqual(expected);
        expect(lintRules([...rules].reverse(), at)).toEqual(
          referenceLintRules([...rules].reverse(), at),
        );
      }),
      { numRuns: 500 },
    );
  });

  test('property: a rule that differs from a cached one in one list is not served its findings', () => {
    const FIELDS = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'];
    const otherList = maybe(list([...VERBS, ...RESOURCES, 'a', '/metrics'], ['*', '*/exec']));
    fc.assert(
      fc.property(anyRule, fc.constantFrom(...FIELDS), otherList, (rule, field, values) => {
        // GIVEN a rule linted (and cached), and the rule with one list changed or removed
        const fields: Record<string, unknown> = { ...rule };
        if (values === undefined) delete fields[field];
        else fields[field] = values;
        const changed = fields as unknown as PolicyRule;
        lintRules([rule]);
        // WHEN the changed rule is linted THEN it gets its own findings
        expect(lintRules([changed])).toEqual(referenceLintRules([changed]));
      }),
      { numRuns: 1000 },
    );
  });

  test('a missing resourceNames and an empty one are cached apart', () => {
    // GIVEN two rules that differ only in whether resourceNames is present
    const bare: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['secrets'] };
    const empty: PolicyRule = { ...bare, resourceNames: [] };
    // WHEN linted in turn THEN each finding carries its own rule
    expect(lintRules([bare])[0].rule).toEqual(bare);
    expect(lintRules([empty])[0].rule).toEqual(empty);
  });

  test('callers cannot change the cached findings', () => {
    // GIVEN a rule linted once without and once with a location
    const rule: PolicyRule = { verbs: ['*'], apiGroups: [''], resources: ['secrets'] };
    const at = { kind: 'Role', name: 'r', namespace: 'ns' };
    const expected = referenceLintRules([rule]);
    const plain = lintRules([rule]);
    const located = lintRules([rule], at);
    // WHEN a caller tries to change them
    expect(() => {
      (plain[0] as { message: string }).message = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      (plain[0].rule!.verbs as string[]).push('get');
    }).toThrow(TypeError);
    (located[0] as { message: string }).message = 'changed';
    // THEN the next lint of the rule is unaffected
    expect(lintRules([rule])).toEqual(expected);
    expect(lintRules([rule], at)).toEqual(referenceLintRules([rule], at));
  });

  test('stays correct past the cache bound', () => {
    // GIVEN more distinct rules than the cache holds, linted once
    const rules: PolicyRule[] = Array.from({ length: 10_050 }, (_, i) => ({
      verbs: ['get'],
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: [`s-${i}`],
    }));
    lintRules(rules);
    // WHEN rules dropped from the cache and rules still in it are linted again
    const sample = [...rules.slice(0, 5), ...rules.slice(-5)];
    // THEN their findings are still right
    expect(lintRules(sample)).toEqual(referenceLintRules(sample));
  });
});
