/** `escalate-verb`: `escalate` on roles or clusterroles, directly or through `*`. */
import { probeCheck, RBAC_GROUP, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `escalate-verb`. */
export const ESCALATE_VERB: RiskRuleInfo = {
  id: 'escalate-verb',
  severity: 'error',
  title: 'escalate on roles',
  scope: 'rule',
  explanation:
    "escalate lifts the API server's check that a role may only be written by someone who already holds its permissions, so the subject can write itself any permission, up to cluster-admin",
  fix: 'remove escalate (and any * verb on roles/clusterroles); let a human or a reviewed pipeline manage roles',
  requests: requestsOf(['escalate'], RBAC_GROUP, ['roles', 'clusterroles']),
};

/** Reports a rule that allows `escalate` on roles or clusterroles. */
export const escalateVerb: PolicyRuleCheck = probeCheck(ESCALATE_VERB);
