/** `apiservice-write`: writing APIServices (aggregated API registration). */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `apiservice-write`. */
export const APISERVICE_WRITE: RiskRuleInfo = {
  id: 'apiservice-write',
  severity: 'error',
  title: 'write APIServices',
  scope: 'rule',
  explanation:
    "an APIService tells the API server where to proxy a whole API group: pointing one at another Service hands that Service every request of the group, with the callers' identities in headers, and lets it answer with anything",
  fix: 'register aggregated APIs with the chart or a reviewed pipeline; a controller that must update its own APIService (a CA bundle) gets update/patch with resourceNames',
  requests: requestsOf(
    ['create', 'update', 'patch', 'delete', 'deletecollection'],
    'apiregistration.k8s.io',
    ['apiservices'],
  ),
};

/** Reports a rule that allows writing APIServices, naming them when restricted. */
export const apiserviceWrite: PolicyRuleCheck = probeCheck(APISERVICE_WRITE);
