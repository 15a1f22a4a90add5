/** `namespace-write`: updating or patching namespaces. */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `namespace-write`. */
export const NAMESPACE_WRITE: RiskRuleInfo = {
  id: 'namespace-write',
  severity: 'error',
  title: 'update namespaces',
  scope: 'rule',
  explanation:
    "namespace labels select the Pod Security level and often NetworkPolicies and webhooks, so changing them can switch off the namespace's protections (e.g. pod-security.kubernetes.io/enforce=privileged)",
  fix: 'remove update and patch on namespaces; manage namespaces through a reviewed pipeline',
  requests: requestsOf(['update', 'patch'], '', ['namespaces']),
};

/** Reports a rule that allows changing namespaces. */
export const namespaceWrite: PolicyRuleCheck = probeCheck(NAMESPACE_WRITE);
