/** `pods-exec`: pods/exec (and adding ephemeral containers, which is exec by another route). */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `pods-exec`. */
export const PODS_EXEC: RiskRuleInfo = {
  id: 'pods-exec',
  severity: 'error',
  title: 'exec into pods',
  scope: 'rule',
  explanation:
    "exec runs commands inside a pod's containers, with the pod's ServiceAccount token, mounted secrets and network access; get counts as well as create because the websocket upgrade is a GET, and patching pods/ephemeralcontainers starts a debug container with the same reach",
  fix: 'remove pods/exec and pods/ephemeralcontainers; expose what is needed through an API, a Job or logs (pods/log)',
  requests: [
    ...requestsOf(['create', 'get'], '', ['pods/exec']),
    ...requestsOf(['update', 'patch'], '', ['pods/ephemeralcontainers']),
  ],
};

/** Reports a rule that allows exec into pods. */
export const podsExec: PolicyRuleCheck = probeCheck(PODS_EXEC);
