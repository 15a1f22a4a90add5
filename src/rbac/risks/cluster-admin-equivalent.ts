/** `cluster-admin-equivalent`: verbs, apiGroups and resources all `*`. */
import type { PolicyRule } from '../policy-rule.js';
import { findingOf, type PolicyRuleCheck, type RiskRuleInfo } from './risk-rule.js';

/** The description of `cluster-admin-equivalent`. */
export const CLUSTER_ADMIN_EQUIVALENT: RiskRuleInfo = {
  id: 'cluster-admin-equivalent',
  severity: 'error',
  title: 'equivalent to cluster-admin',
  scope: 'rule',
  explanation:
    "verbs, apiGroups and resources all '*' is cluster-admin's own rule: it grants every verb on every resource of every group, present and future; this one finding replaces the wildcard and capability findings the rule would otherwise raise",
  fix: 'list the API groups, resources and verbs the subject needs; where full control is really meant (a GitOps controller that installs anything), acknowledge it with a reason',
};

/** True for a rule whose verbs, apiGroups and resources each hold `*`. */
export function isClusterAdminRule(rule: PolicyRule): boolean {
  return (
    rule.verbs.includes('*') &&
    (rule.apiGroups ?? []).includes('*') &&
    (rule.resources ?? []).includes('*')
  );
}

/** Reports a `*`/`*`/`*` rule, once. */
export const clusterAdminEquivalent: PolicyRuleCheck = (rule, context) =>
  isClusterAdminRule(rule)
    ? [
        findingOf(
          CLUSTER_ADMIN_EQUIVALENT,
          "grants verbs '*' on resources '*' in apiGroups '*': every permission of the cluster",
          context,
          rule,
        ),
      ]
    : [];
