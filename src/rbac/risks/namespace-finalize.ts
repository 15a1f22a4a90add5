/** `namespace-finalize`: update on namespaces/finalize. */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `namespace-finalize`. */
export const NAMESPACE_FINALIZE: RiskRuleInfo = {
  id: 'namespace-finalize',
  severity: 'warning',
  title: 'finalize namespaces',
  scope: 'rule',
  explanation:
    "removing a terminating namespace's finalizers ends its deletion before its objects are gone: they stay in etcd and reappear, RoleBindings included, when a namespace of the same name is created again; it needs a namespace deletion as well, hence a warning",
  fix: 'leave finalizing to the namespace controller; remove namespaces/finalize',
  requests: requestsOf(['update'], '', ['namespaces/finalize']),
};

/** Reports a rule that allows finalizing namespaces. */
export const namespaceFinalize: PolicyRuleCheck = probeCheck(NAMESPACE_FINALIZE);
