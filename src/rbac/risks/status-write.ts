/** `status-write`: update/patch on pods/status, nodes/status or services/status. */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `status-write`. */
export const STATUS_WRITE: RiskRuleInfo = {
  id: 'status-write',
  severity: 'error',
  title: 'write pod, node or service status',
  scope: 'rule',
  explanation:
    "the status of these objects steers traffic: services/status.loadBalancer.ingress makes kube-proxy send the service's traffic to any IP (CVE-2020-8554), a pod's status.podIP feeds the Endpoints of its services, and nodes/status sets the addresses the API server dials for exec, logs and port-forward",
  fix: 'leave these statuses to the kubelet, the controller manager and the cloud load-balancer controller; a controller of its own resources needs only their status subresource',
  requests: requestsOf(['update', 'patch'], '', ['pods/status', 'nodes/status', 'services/status']),
};

/** Reports a rule that allows writing the status of pods, nodes or services. */
export const statusWrite: PolicyRuleCheck = probeCheck(STATUS_WRITE);
