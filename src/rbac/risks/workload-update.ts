/** `workload-update`: update/patch of named workload controllers (a rollout grant). */
import { describeGrants, grantsOf } from './_probe.js';
import { findingOf, type PolicyRuleCheck, type RiskRuleInfo } from './risk-rule.js';
import { WORKLOAD_CHANGES } from './workload-create.js';

/** The description of `workload-update`. */
export const WORKLOAD_UPDATE: RiskRuleInfo = {
  id: 'workload-update',
  severity: 'warning',
  title: 'update named workloads',
  scope: 'rule',
  explanation:
    'a deployer that may patch a workload can change its pod template, including the ServiceAccount its pods run as; restricting it to named workloads bounds what it can touch, not what those pods can become',
  fix: "keep the names narrow, and pair it with an admission policy that pins the workloads' serviceAccountName",
  requests: WORKLOAD_CHANGES,
};

/** Reports update/patch granted only on named workload controllers. */
export const workloadUpdate: PolicyRuleCheck = (rule, context) => {
  const grants = grantsOf(rule, WORKLOAD_CHANGES).filter((g) => g.names !== 'any');
  if (grants.length === 0) return [];
  return [findingOf(WORKLOAD_UPDATE, `grants ${describeGrants(grants)}`, context, rule)];
};
