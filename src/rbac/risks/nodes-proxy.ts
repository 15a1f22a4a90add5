/** `nodes-proxy`: nodes/proxy, the kubelet's API through the API server. */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `nodes-proxy`. */
export const NODES_PROXY: RiskRuleInfo = {
  id: 'nodes-proxy',
  severity: 'error',
  title: 'nodes/proxy',
  scope: 'rule',
  explanation:
    "nodes/proxy reaches the kubelet's API, which can exec into every pod of the node without the pods/exec check and without audit entries for the exec; even get is enough over a websocket",
  fix: 'remove nodes/proxy; read metrics through metrics.k8s.io or nodes/metrics and logs through pods/log',
  requests: requestsOf(['get', 'create', 'update', 'patch', 'delete'], '', ['nodes/proxy']),
};

/** Reports a rule that allows proxying to nodes. */
export const nodesProxy: PolicyRuleCheck = probeCheck(NODES_PROXY);
