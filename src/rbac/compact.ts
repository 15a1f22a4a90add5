/**
 * Normalisation and compaction of RBAC rules. Compaction never changes which requests are
 * allowed: a rule is a product of sets (verbs × apiGroups × resources × resourceNames), and
 * two rules are merged only when they differ in exactly one of those sets, because only
 * then is their union again a single product. Merging on more (say, the verbs of `get pods`
 * and `delete configmaps`) would grant `delete pods`.
 */
import { freezeRule, isNonResourceRule, isSharedRule, type PolicyRule } from './policy-rule.js';

function sortedUnique(values: readonly string[] | undefined): readonly string[] {
  if (values === undefined) return [];
  // Most lists are short and already sorted without duplicates: then a copy is the answer, or
  // the list itself when it is frozen (a `Permission`'s), so that equal lists are not stored
  // twice (`sort()` compares strings by UTF-16 code units, as `<` does).
  let ordered = true;
  for (let i = 1; i < values.length && ordered; i++) ordered = values[i - 1] < values[i];
  if (ordered) return Object.isFrozen(values) ? values : [...values];
  return [...new Set(values)].sort();
}

/** A set that contains `*` is just `*`. */
function collapseWildcard(values: readonly string[]): readonly string[] {
  return values.includes('*') ? ['*'] : values;
}

/**
 * The normal form of each frozen rule without names (a shared `Permission`'s), frozen too: one
 * per rule object. Named rules are usually one construct's own: nothing to share.
 */
const normalizedRules = new WeakMap<PolicyRule, PolicyRule>();

/**
 * Sorts and de-duplicates every list, collapses sets containing `*`, drops the fields a rule
 * of its kind does not use, and lower-cases nothing (RBAC is case-sensitive). A shared rule's
 * normal form is frozen and computed once.
 */
export function normalizeRule(rule: PolicyRule): PolicyRule {
  if (!isSharedRule(rule)) return normalizeLists(rule);
  let normalized = normalizedRules.get(rule);
  if (normalized === undefined) {
    normalized = freezeRule(normalizeLists(rule));
    normalizedRules.set(rule, normalized);
  }
  return normalized;
}

function normalizeLists(rule: PolicyRule): PolicyRule {
  const verbs = collapseWildcard(sortedUnique(rule.verbs));
  if (isNonResourceRule(rule)) {
    return { verbs, nonResourceURLs: collapseWildcard(sortedUnique(rule.nonResourceURLs)) };
  }
  const resources = sortedUnique(rule.resources);
  const apiGroups = collapseWildcard(sortedUnique(rule.apiGroups));
  const names = sortedUnique(rule.resourceNames);
  // `*` matches every resource and subresource; `*/x` entries beside it are redundant.
  return names.length
    ? {
        apiGroups,
        resources: resources.includes('*') ? ['*'] : resources,
        verbs,
        resourceNames: names,
      }
    : { apiGroups, resources: resources.includes('*') ? ['*'] : resources, verbs };
}

/** True when a request set matched by `needle` is covered by the set matched by `haystack`. */
function setCovers(haystack: readonly string[], needle: readonly string[]): boolean {
  if (haystack.includes('*')) return true;
  for (const n of needle) if (n === '*' || !haystack.includes(n)) return false;
  return true;
}

function resourcesCover(haystack: readonly string[], needle: readonly string[]): boolean {
  if (haystack.includes('*')) return true;
  for (const n of needle) {
    if (n === '*') return false;
    if (haystack.includes(n)) continue;
    const slash = n.indexOf('/');
    // `*/scale` covers `deployments/scale`; it never covers `deployments`.
    if (!(slash > 0 && n.slice(0, slash) !== '*' && haystack.includes(`*${n.slice(slash)}`))) {
      return false;
    }
  }
  return true;
}

function urlsCover(haystack: readonly string[], needle: readonly string[]): boolean {
  return needle.every((n) =>
    haystack.some(
      (h) => h === '*' || h === n || (h.endsWith('*') && n.startsWith(h.replace(/\*+$/, ''))),
    ),
  );
}

/** Whether `values` holds every one of `items`. */
function everyIn(items: readonly string[], values: readonly string[]): boolean {
  for (const item of items) if (!values.includes(item)) return false;
  return true;
}

/** True when every request `inner` allows is also allowed by `outer` (both normalised). */
export function ruleCovers(outer: PolicyRule, inner: PolicyRule): boolean {
  if (!setCovers(outer.verbs, inner.verbs)) return false;
  if (isNonResourceRule(outer) !== isNonResourceRule(inner)) return false;
  if (isNonResourceRule(inner)) {
    return urlsCover(outer.nonResourceURLs ?? [], inner.nonResourceURLs ?? []);
  }
  const outerNames = outer.resourceNames ?? [];
  const innerNames = inner.resourceNames ?? [];
  const namesCovered =
    outerNames.length === 0 || (innerNames.length > 0 && everyIn(innerNames, outerNames));
  return (
    namesCovered &&
    setCovers(outer.apiGroups ?? [], inner.apiGroups ?? []) &&
    resourcesCover(outer.resources ?? [], inner.resources ?? [])
  );
}

type Dimension = 'verbs' | 'apiGroups' | 'resources' | 'resourceNames' | 'nonResourceURLs';
const RESOURCE_DIMENSIONS: readonly Dimension[] = [
  'verbs',
  'apiGroups',
  'resources',
  'resourceNames',
];
const NON_RESOURCE_DIMENSIONS: readonly Dimension[] = ['verbs', 'nonResourceURLs'];

/** Equal lists, with a missing list equal to an empty one. */
function sameList(a: readonly string[] = [], b: readonly string[] = []): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Merges two normalised rules into one when that is exact, else returns undefined. */
function mergeExact(a: PolicyRule, b: PolicyRule): PolicyRule | undefined {
  if (isNonResourceRule(a) !== isNonResourceRule(b)) return undefined;
  const dims = isNonResourceRule(a) ? NON_RESOURCE_DIMENSIONS : RESOURCE_DIMENSIONS;
  let dim: Dimension | undefined;
  for (const d of dims) {
    if (sameList(a[d], b[d])) continue;
    if (dim !== undefined) return undefined;
    dim = d;
  }
  if (dim === undefined) return undefined;
  // An empty resourceNames list means "any name": a union with it is not a list union.
  if (dim === 'resourceNames' && (!a.resourceNames?.length || !b.resourceNames?.length)) {
    return undefined;
  }
  return normalizeRule({ ...a, [dim]: [...(a[dim] ?? []), ...(b[dim] ?? [])] });
}

function listKey(values: readonly string[] | undefined): string {
  return values === undefined ? '[]' : JSON.stringify(values);
}

/** The sort key of each shared (frozen, nameless) rule, built once. */
const sortKeys = new WeakMap<PolicyRule, string>();

/** The order rules render in: by URLs, groups, resources, names, verbs, as JSON lists. */
function sortKey(rule: PolicyRule): string {
  const shared = isSharedRule(rule);
  const known = shared ? sortKeys.get(rule) : undefined;
  if (known !== undefined) return known;
  const key = `${listKey(rule.nonResourceURLs)}|${listKey(rule.apiGroups)}|${listKey(rule.resources)}|${listKey(rule.resourceNames)}|${listKey(rule.verbs)}`;
  if (shared) sortKeys.set(rule, key);
  return key;
}

/**
 * The rules in `sortKey` order, each key built once (the sort is stable, as before). Loops and
 * functions of the module, not callbacks made per call: V8 keeps a callback's optimized code
 * only while a callback made from it lives, so after each full garbage collection the
 * compaction of the next constructs ran them unoptimized until they were compiled again.
 */
function sortRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const keyed: { readonly rule: PolicyRule; readonly key: string }[] = [];
  for (const rule of rules) keyed.push({ rule, key: sortKey(rule) });
  keyed.sort(byKey);
  const sorted: PolicyRule[] = [];
  for (const { rule } of keyed) sorted.push(rule);
  return sorted;
}

function byKey(a: { readonly key: string }, b: { readonly key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Whether another rule covers `rules[i]` (of identical rules, the first is kept). */
function isCovered(rules: readonly PolicyRule[], i: number): boolean {
  const rule = rules[i];
  for (let j = 0; j < rules.length; j++) {
    const other = rules[j];
    if (j !== i && ruleCovers(other, rule) && (!ruleCovers(rule, other) || j < i)) return true;
  }
  return false;
}

/**
 * Compacts a rule list without changing what it allows: normalises every rule, drops rules
 * covered by another, merges rules that differ in one set only, repeats until nothing
 * changes, and sorts the result so that the same permissions always render the same way.
 */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  let current = rules.map(normalizeRule);
  for (let changed = true; changed;) {
    changed = false;
    current = sortRules(current);
    // Drop covered rules (keeping the first of identical ones).
    const kept: PolicyRule[] = [];
    for (let i = 0; i < current.length; i++) {
      if (isCovered(current, i)) changed = true;
      else kept.push(current[i]);
    }
    current = kept;
    // Merge the first mergeable pair, then start over.
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
  // The last round changed nothing: it sorted the rules and kept them in that order. A copy of
  // exactly their number: the list grown by `push` has room for more, and callers keep it.
  return current.slice();
}
