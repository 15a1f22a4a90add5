/** `pods-portforward`: pods/portforward. */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `pods-portforward`. */
export const PODS_PORTFORWARD: RiskRuleInfo = {
  id: 'pods-portforward',
  severity: 'error',
  title: 'port-forward to pods',
  scope: 'rule',
  explanation:
    'port-forward opens a tunnel to any port of a pod, past NetworkPolicies and Services, reaching admin endpoints and databases that were never exposed; get counts as well as create because the websocket upgrade is a GET',
  fix: 'remove pods/portforward; expose the port through a Service with a NetworkPolicy',
  requests: requestsOf(['create', 'get'], '', ['pods/portforward']),
};

/** Reports a rule that allows port-forwarding to pods. */
export const podsPortforward: PolicyRuleCheck = probeCheck(PODS_PORTFORWARD);
