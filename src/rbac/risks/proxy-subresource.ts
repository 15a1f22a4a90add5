/** `proxy-subresource`: pods/proxy and services/proxy. */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `proxy-subresource`. */
export const PROXY_SUBRESOURCE: RiskRuleInfo = {
  id: 'proxy-subresource',
  severity: 'error',
  title: 'proxy to pods or services',
  scope: 'rule',
  explanation:
    "the API server proxies any HTTP request to any port of the pod or service, from inside the cluster network and past NetworkPolicies, reaching admin and debug endpoints that were never exposed (nodes/proxy is the kubelet's, reported by nodes-proxy)",
  fix: 'expose what is needed through a Service with a NetworkPolicy or an Ingress; remove pods/proxy and services/proxy',
  requests: requestsOf(['get', 'create', 'update', 'patch', 'delete'], '', [
    'pods/proxy',
    'services/proxy',
  ]),
};

/** Reports a rule that allows proxying to pods or services. */
export const proxySubresource: PolicyRuleCheck = probeCheck(PROXY_SUBRESOURCE);
