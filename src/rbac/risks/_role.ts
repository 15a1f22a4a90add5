/** Private: helpers of the role-level risk rules. */
import type { Finding, FindingLocation } from '../finding.js';
import type { BindingObject, RoleObject } from '../kube-object.js';
import type { PolicyRule } from '../policy-rule.js';
import { describeGrants, grantsOf, wildcardNote } from './_probe.js';
import { findingOf, type RiskRuleInfo, type RiskyRequest } from './risk-rule.js';

/** The location of rule `ruleIndex` of a role at `location`. */
export function ruleLocation(
  location: FindingLocation | undefined,
  ruleIndex: number,
): FindingLocation | undefined {
  return location ? { ...location, ruleIndex } : undefined;
}

/** The ClusterRoleBindings among `bindings` (those that grant a ClusterRole in every namespace). */
export function clusterWideBindings(
  role: RoleObject,
  bindings: readonly BindingObject[],
): BindingObject[] {
  if (role.kind !== 'ClusterRole') return [];
  return bindings.filter((b) => b.kind === 'ClusterRoleBinding');
}

/** `ClusterRoleBinding 'a', 'b'`. */
export function bindingNames(bindings: readonly BindingObject[]): string {
  return `${bindings[0]?.kind ?? 'binding'} ${bindings.map((b) => `'${b.name}'`).join(', ')}`;
}

/**
 * One finding per rule of a ClusterRole bound cluster-wide that grants any of `requests` for
 * every name, naming the bindings.
 */
export function clusterWideFindings(
  info: RiskRuleInfo,
  requests: readonly RiskyRequest[],
  role: RoleObject,
  bindings: readonly BindingObject[],
  location: FindingLocation | undefined,
): Finding[] {
  const wide = clusterWideBindings(role, bindings);
  if (wide.length === 0) return [];
  const found: Finding[] = [];
  role.rules.forEach((rule: PolicyRule, index) => {
    const grants = grantsOf(rule, requests).filter((g) => g.names === 'any');
    if (grants.length === 0) return;
    const message = `grants ${describeGrants(grants)}${wildcardNote(rule)} in every namespace, through ${bindingNames(wide)}`;
    found.push(findingOf(info, message, { location: ruleLocation(location, index) }, rule));
  });
  return found;
}
