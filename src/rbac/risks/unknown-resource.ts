/** `unknown-resource`: a resource that no listed built-in API group has (usually a typo). */
import { isNonResourceRule } from '../policy-rule.js';
import { isBuiltInGroup } from '../resource-catalog.js';
import { resourceNotationProblem } from '../resource-notation.js';
import { findingOf, type PolicyRuleCheck, type RiskRuleInfo } from './risk-rule.js';

/** The description of `unknown-resource`. */
export const UNKNOWN_RESOURCE: RiskRuleInfo = {
  id: 'unknown-resource',
  severity: 'warning',
  title: 'unknown resource in a built-in API group',
  scope: 'rule',
  explanation:
    "a resource that Kubernetes' own API groups do not have (persistentvolumerclaims, deployment, Pods) grants nothing, so the permission the author meant is missing, or it names a resource of a newer Kubernetes release than the catalog knows",
  fix: 'correct the name to the plural, lowercase resource (kubectl api-resources lists them), or acknowledge it when it is a resource of a newer release',
};

function notation(group: string, resource: string): string {
  const [base, sub] = resource.split('/', 2);
  const qualified = group === '' || base === '*' ? base : `${base}.${group}`;
  return sub === undefined ? qualified : `${qualified}/${sub}`;
}

/**
 * Reports each resource of a rule whose apiGroups are all built-in groups when none of them
 * has it (a rule is a cross product: `['', 'apps']` with `pods, deployments` is fine).
 */
export const unknownResource: PolicyRuleCheck = (rule, context) => {
  const groups = rule.apiGroups ?? [];
  if (isNonResourceRule(rule) || groups.length === 0 || !groups.every(isBuiltInGroup)) return [];
  return (rule.resources ?? []).flatMap((resource) => {
    if (resource === '*' || resource.startsWith('*/')) return [];
    const problems = groups.map((g) => resourceNotationProblem(notation(g, resource)));
    if (problems.some((p) => p === undefined)) return [];
    return [findingOf(UNKNOWN_RESOURCE, problems[0] as string, context, rule)];
  });
};
