/** `wildcard-resources`: `*` or `*\/subresource` in a rule's resources. */
import { quoted } from './_probe.js';
import { confinedNote, isReadOnly, reachesKubernetesGroups } from './_reach.js';
import { findingOf, type PolicyRuleCheck, type RiskRuleInfo } from './risk-rule.js';

/** The description of `wildcard-resources`. */
export const WILDCARD_RESOURCES: RiskRuleInfo = {
  id: 'wildcard-resources',
  severity: 'error',
  title: "'*' in resources",
  scope: 'rule',
  explanation:
    "'*' (or '*/subresource') matches every resource of the rule's API groups, including secrets, pods/exec and resources added later by CRDs; confined to a project's own API groups with get, list and watch only it reaches no Kubernetes resource and is a warning",
  fix: "name the resources, e.g. 'deployments' or 'deployments/scale', instead of '*'",
};

/**
 * Reports a rule whose resources contain `*` or `*\/subresource`: an error when its apiGroups
 * reach Kubernetes' own groups or it grants more than reading, a warning otherwise.
 */
export const wildcardResources: PolicyRuleCheck = (rule, context) => {
  const wildcards = (rule.resources ?? []).filter((r) => r === '*' || r.startsWith('*/'));
  if (wildcards.length === 0) return [];
  const confined = !reachesKubernetesGroups(rule) && isReadOnly(rule);
  const message = `resources ${quoted(wildcards)} in apiGroups ${quoted(rule.apiGroups)}${confined ? confinedNote(rule) : ''}`;
  const finding = findingOf(WILDCARD_RESOURCES, message, context, rule);
  return [confined ? { ...finding, severity: 'warning' } : finding];
};
