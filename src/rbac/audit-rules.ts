/**
 * The minimal RBAC rules that allow every request an identity was observed making (and that
 * its authorizer allowed), and nothing the observations do not need: verbs exactly as
 * observed, object names kept as resourceNames where every request named one and they are
 * few, one Role per namespace and a ClusterRole for cluster-wide requests and URLs.
 */
import type { RequestUsage } from './audit-usage.js';
import { compactRules } from './compact.js';
import type { PolicyRule } from './policy-rule.js';

/** Options of `rulesFromUsage`. */
export interface ObservedRulesOptions {
  /**
   * The most object names kept as `resourceNames` for one verb on one resource; more names
   * (or any request without a name) give a rule for every name.
   * @default 5
   */
  readonly maxNames?: number;
}

/** The rules one namespace (a Role) or the cluster (a ClusterRole, `namespace` `''`) needs. */
export interface ObservedRules {
  /** The namespace of the Role; `''` for the ClusterRole. */
  readonly namespace: string;
  /** Compacted rules. */
  readonly rules: readonly PolicyRule[];
}

/**
 * The rules that allow every allowed request in `usage` (give one identity's usage), per
 * namespace, the ClusterRole's (`''`) last. Denied requests are ignored: they are what the
 * identity tried, not what it needs (see `auditDrift`).
 */
export function rulesFromUsage(
  usage: readonly RequestUsage[],
  options: ObservedRulesOptions = {},
): ObservedRules[] {
  const maxNames = options.maxNames ?? 5;
  if (!Number.isInteger(maxNames) || maxNames < 0)
    throw new Error(`maxNames must be a whole number of at least 0, got ${maxNames}`);
  // namespace -> resource key -> verb -> names ('' in the set: a rule for every name)
  const byScope = new Map<string, PolicyRule[]>();
  const grouped = new Map<
    string,
    { ns: string; apiGroup: string; resource: string; verbs: Map<string, Set<string> | 'any'> }
  >();
  for (const u of usage) {
    if (!u.allowed) continue;
    if (u.path !== undefined) {
      const rules = byScope.get('') ?? [];
      rules.push({ verbs: [u.verb], nonResourceURLs: [u.path] });
      byScope.set('', rules);
      continue;
    }
    const resource = u.subresource ? `${u.resource}/${u.subresource}` : u.resource;
    const key = `${u.namespace}\u0000${u.apiGroup}\u0000${resource}`;
    let g = grouped.get(key);
    if (!g) {
      g = { ns: u.namespace, apiGroup: u.apiGroup, resource, verbs: new Map() };
      grouped.set(key, g);
    }
    const current = g.verbs.get(u.verb) ?? new Set<string>();
    if (current === 'any' || u.nameless || u.namesTruncated) {
      g.verbs.set(u.verb, 'any');
      continue;
    }
    for (const name of u.names) current.add(name);
    g.verbs.set(u.verb, current.size > maxNames ? 'any' : current);
  }
  for (const g of grouped.values()) {
    // Verbs with the same names share a rule.
    const byNames = new Map<string, { verbs: string[]; names: string[] }>();
    for (const [verb, names] of g.verbs) {
      const list = names === 'any' ? [] : [...names].sort();
      const k = JSON.stringify(list);
      const entry = byNames.get(k) ?? { verbs: [], names: list };
      entry.verbs.push(verb);
      byNames.set(k, entry);
    }
    const rules = byScope.get(g.ns) ?? [];
    for (const { verbs, names } of byNames.values()) {
      rules.push({
        verbs,
        apiGroups: [g.apiGroup],
        resources: [g.resource],
        ...(names.length ? { resourceNames: names } : {}),
      });
    }
    byScope.set(g.ns, rules);
  }
  return [...byScope.entries()]
    .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([namespace, rules]) => ({ namespace, rules: compactRules(rules) }));
}
