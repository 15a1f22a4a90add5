import fc from 'fast-check';
import { compactRules, normalizeRule, ruleCovers } from '../src/rbac/compact.js';
import { freezeRule, rulesAllow, type PolicyRule } from '../src/rbac/policy-rule.js';
import { allNonResourceRequests, allResourceRequests, anyRule } from './rbac-arbitraries.js';

const REQUESTS = [...allResourceRequests(), ...allNonResourceRequests()];

function decisions(rules: readonly PolicyRule[]): boolean[] {
  return REQUESTS.map((r) => rulesAllow(rules, r));
}

describe('normalizeRule', () => {
  test('keeps a frozen sorted list as it is and copies any other', () => {
    // GIVEN
    const verbs = Object.freeze(['get', 'list']);
    const resources = ['pods'];
    // WHEN
    const normalized = normalizeRule({ verbs, apiGroups: [''], resources });
    // THEN
    expect(normalized.verbs).toBe(verbs);
    expect(normalized.resources).not.toBe(resources);
    expect(normalized.resources).toEqual(['pods']);
  });

  test("a frozen rule without names has one frozen normal form; a named rule's is its own", () => {
    // GIVEN
    const shared = freezeRule({ verbs: ['watch', 'get'], apiGroups: [''], resources: ['pods'] });
    const named = freezeRule({
      verbs: ['get'],
      apiGroups: [''],
      resources: ['pods'],
      resourceNames: ['a'],
    });
    // WHEN
    const once = normalizeRule(shared);
    // THEN
    expect(normalizeRule(shared)).toBe(once);
    expect(once).toEqual({ verbs: ['get', 'watch'], apiGroups: [''], resources: ['pods'] });
    expect(Object.isFrozen(once) && Object.isFrozen(once.verbs)).toBe(true);
    expect(normalizeRule(named)).not.toBe(normalizeRule(named));
    expect(compactRules([shared, named])).toEqual(compactRules([{ ...shared }, { ...named }]));
  });
});

describe('compactRules', () => {
  test('merges verbs of the same resources and resources of the same verbs', () => {
    // GIVEN rules as cdk8s-plus would write them, one per resource
    const rules: PolicyRule[] = [
      { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['watch', 'get', 'list'], apiGroups: [''], resources: ['configmaps'] },
      { verbs: ['patch'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] },
      {
        verbs: ['get'],
        apiGroups: ['apps'],
        resources: ['deployments'],
        resourceNames: ['web', 'worker'],
      },
      {
        verbs: ['patch'],
        apiGroups: ['apps'],
        resources: ['deployments'],
        resourceNames: ['worker'],
      },
    ];
    // WHEN
    const compacted = compactRules(rules);
    // THEN
    expect(compacted).toEqual([
      { apiGroups: [''], resources: ['configmaps', 'pods'], verbs: ['get', 'list', 'watch'] },
      {
        apiGroups: ['apps'],
        resources: ['deployments'],
        verbs: ['get', 'patch'],
        resourceNames: ['web', 'worker'],
      },
    ]);
    expect(decisions(compacted)).toEqual(decisions(rules));
  });

  test('never merges rules that differ in two sets (that would broaden them)', () => {
    // GIVEN get on pods and delete on configmaps: merging would grant delete on pods
    const rules: PolicyRule[] = [
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['delete'], apiGroups: [''], resources: ['configmaps'] },
    ];
    // WHEN
    const compacted = compactRules(rules);
    // THEN
    expect(compacted).toHaveLength(2);
    expect(
      rulesAllow(compacted, { verb: 'delete', apiGroup: '', resource: 'pods', namespace: 'x' }),
    ).toBe(false);
  });

  test('drops rules covered by wildcards and by name-less rules', () => {
    const compacted = compactRules([
      { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'] },
      { verbs: ['*'], apiGroups: ['apps'], resources: ['*/scale'] },
    ]);
    expect(compacted).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: ['apps'], resources: ['*/scale'], verbs: ['*'] },
    ]);
  });

  test('is deterministic whatever the input order', () => {
    fc.assert(
      fc.property(fc.array(anyRule, { maxLength: 8 }), (rules) => {
        const reversed = [...rules].reverse();
        expect(compactRules(reversed)).toEqual(compactRules(rules));
      }),
      { numRuns: 200 },
    );
  });

  test('property: compaction preserves every allow/deny decision', () => {
    fc.assert(
      fc.property(fc.array(anyRule, { maxLength: 7 }), (rules) => {
        expect(decisions(compactRules(rules))).toEqual(decisions(rules));
      }),
      { numRuns: 300 },
    );
  });

  test('property: compaction never adds rules and is idempotent', () => {
    fc.assert(
      fc.property(fc.array(anyRule, { maxLength: 7 }), (rules) => {
        const once = compactRules(rules);
        expect(once.length).toBeLessThanOrEqual(rules.length);
        expect(compactRules(once)).toEqual(once);
      }),
      { numRuns: 200 },
    );
  });

  test('property: ruleCovers is sound (a covered rule allows nothing more)', () => {
    fc.assert(
      fc.property(anyRule, anyRule, (a, b) => {
        const [na, nb] = [normalizeRule(a), normalizeRule(b)];
        if (!ruleCovers(na, nb)) return;
        for (const request of REQUESTS) {
          if (rulesAllow([nb], request)) expect(rulesAllow([na], request)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
