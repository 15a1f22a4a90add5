/** `wildcard-api-groups`: `*` in a rule's apiGroups. */
import { quoted } from './_probe.js';
import { findingOf, type PolicyRuleCheck, type RiskRuleInfo } from './risk-rule.js';

/** The description of `wildcard-api-groups`. */
export const WILDCARD_API_GROUPS: RiskRuleInfo = {
  id: 'wildcard-api-groups',
  severity: 'error',
  title: "'*' in apiGroups",
  scope: 'rule',
  explanation:
    "'*' matches every API group, so a resource name like 'secrets' or 'roles' is granted in groups nobody reviewed, including groups that CRDs add later",
  fix: "name the API groups, e.g. '' for the core group or 'apps'",
};

/** Reports a rule whose apiGroups contain `*`. */
export const wildcardApiGroups: PolicyRuleCheck = (rule, context) => {
  if (!(rule.apiGroups ?? []).includes('*')) return [];
  const message = `apiGroups '*' for resources ${quoted(rule.resources)}`;
  return [findingOf(WILDCARD_API_GROUPS, message, context, rule)];
};
