/** Private: what a wildcard can reach, to grade wildcard findings. */
import type { PolicyRule } from '../policy-rule.js';
import { READ_VERBS } from '../policy-rule.js';
import { isBuiltInGroup } from '../resource-catalog.js';

/**
 * Whether an API group is Kubernetes' own: a group of the resource catalog, or any
 * `*.k8s.io` group (reserved for Kubernetes APIs, e.g. the aggregated `metrics.k8s.io`).
 */
export function isKubernetesGroup(apiGroup: string): boolean {
  return isBuiltInGroup(apiGroup) || apiGroup.endsWith('.k8s.io');
}

/** Whether the rule's apiGroups reach Kubernetes' own groups (or every group, through `*`). */
export function reachesKubernetesGroups(rule: PolicyRule): boolean {
  return (rule.apiGroups ?? []).some((g) => g === '*' || isKubernetesGroup(g));
}

/** Whether the rule grants only get, list and watch. */
export function isReadOnly(rule: PolicyRule): boolean {
  return rule.verbs.every((v) => READ_VERBS.includes(v));
}

/** `in apiGroups 'a', 'b' only` for messages about a wildcard confined to a project's groups. */
export function confinedNote(rule: PolicyRule): string {
  return ` (confined to ${(rule.apiGroups ?? []).map((g) => `'${g}'`).join(', ')}, none of them Kubernetes' own groups)`;
}
