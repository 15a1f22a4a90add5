import fc from 'fast-check';
import { compactRules, normalizeRule, ruleCovers } from '../src/rbac/compact.js';
import { isNonResourceRule, type PolicyRule } from '../src/rbac/policy-rule.js';
import { anyRule } from './rbac-arbitraries.js';

// compactRules against its first version, which rebuilt JSON keys on every comparison: the
// output must be the same rules in the same order, not just the same decisions.

type Dimension = 'verbs' | 'apiGroups' | 'resources' | 'resourceNames' | 'nonResourceURLs';
const RESOURCE_DIMENSIONS: readonly Dimension[] = [
  'verbs',
  'apiGroups',
  'resources',
  'resourceNames',
];
const NON_RESOURCE_DIMENSIONS: readonly Dimension[] = ['verbs', 'nonResourceURLs'];

function key(values: readonly string[] | undefined): string {
  return JSON.stringify(values ?? []);
}

function mergeExact(a: PolicyRule, b: PolicyRule): PolicyRule | undefined {
  if (isNonResourceRule(a) !== isNonResourceRule(b)) return undefined;
  const dims = isNonResourceRule(a) ? NON_RESOURCE_DIMENSIONS : RESOURCE_DIMENSIONS;
  const differing = dims.filter((d) => key(a[d]) !== key(b[d]));
  if (differing.length !== 1) return undefined;
  const dim = differing[0];
  if (dim === 'resourceNames' && (!a.resourceNames?.length || !b.resourceNames?.length)) {
    return undefined;
  }
  return normalizeRule({ ...a, [dim]: [...(a[dim] ?? []), ...(b[dim] ?? [])] });
}

function compareRules(a: PolicyRule, b: PolicyRule): number {
  const ka = [a.nonResourceURLs, a.apiGroups, a.resources, a.resourceNames, a.verbs]
    .map(key)
    .join('|');
  const kb = [b.nonResourceURLs, b.apiGroups, b.resources, b.resourceNames, b.verbs]
    .map(key)
    .join('|');
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function referenceCompactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  let current = rules.map(normalizeRule);
  for (let changed = true; changed;) {
    changed = false;
    current.sort(compareRules);
    const kept: PolicyRule[] = [];
    for (const [i, rule] of current.entries()) {
      const covered = current.some(
        (other, j) => j !== i && ruleCovers(other, rule) && (!ruleCovers(rule, other) || j < i),
      );
      if (covered) changed = true;
      else kept.push(rule);
    }
    current = kept;
    outer: for (let i = 0; i < current.length; i++) {
      for (let j = i + 1; j < current.length; j++) {
        const merged = mergeExact(current[i], current[j]);
        if (merged) {
          current = [
            ...current.slice(0, i),
            merged,
            ...current.slice(i + 1, j),
            ...current.slice(j + 1),
          ];
          changed = true;
          break outer;
        }
      }
    }
  }
  return current.sort(compareRules);
}

describe('compactRules', () => {
  test('property: gives exactly what the reference gives, in the same order', () => {
    fc.assert(
      fc.property(fc.array(anyRule, { maxLength: 8 }), (rules) => {
        expect(compactRules(rules)).toStrictEqual(referenceCompactRules(rules));
      }),
      { numRuns: 1000 },
    );
  });
});
