/** `bind-verb`: `bind` on roles or clusterroles, directly or through `*`. */
import { probeCheck, RBAC_GROUP, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `bind-verb`. */
export const BIND_VERB: RiskRuleInfo = {
  id: 'bind-verb',
  severity: 'error',
  title: 'bind on roles',
  scope: 'rule',
  explanation:
    'bind lets the subject create bindings to roles whose permissions it does not hold, e.g. bind itself to cluster-admin',
  fix: 'remove bind; if the workload must bind one specific role, restrict bind with resourceNames to that role and acknowledge it',
  requests: requestsOf(['bind'], RBAC_GROUP, ['roles', 'clusterroles']),
};

/** Reports a rule that allows `bind` on roles or clusterroles. */
export const bindVerb: PolicyRuleCheck = probeCheck(BIND_VERB);
