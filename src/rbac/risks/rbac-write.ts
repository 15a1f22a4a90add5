/** `rbac-write`: writing roles, clusterroles and their bindings. */
import { probeCheck, RBAC_GROUP, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `rbac-write`. */
export const RBAC_WRITE: RiskRuleInfo = {
  id: 'rbac-write',
  severity: 'error',
  title: 'write RBAC objects',
  scope: 'rule',
  explanation:
    "writing roles and bindings hands the subject's own permissions to any other subject (and any permission at all together with escalate or bind); deleting them can lock out administrators or break other workloads",
  fix: 'manage RBAC through a reviewed pipeline; if the workload must, restrict it with resourceNames to the objects it owns and acknowledge it',
  requests: requestsOf(['create', 'update', 'patch', 'delete', 'deletecollection'], RBAC_GROUP, [
    'roles',
    'clusterroles',
    'rolebindings',
    'clusterrolebindings',
  ]),
};

/** Reports a rule that allows writing RBAC objects. */
export const rbacWrite: PolicyRuleCheck = probeCheck(RBAC_WRITE);
