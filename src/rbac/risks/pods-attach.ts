/** `pods-attach`: pods/attach. */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `pods-attach`. */
export const PODS_ATTACH: RiskRuleInfo = {
  id: 'pods-attach',
  severity: 'error',
  title: 'attach to pods',
  scope: 'rule',
  explanation:
    "attach connects to a running container's stdin/stdout, which for a shell or an interactive process is as good as exec; get counts as well as create because the websocket upgrade is a GET",
  fix: 'remove pods/attach; read output through pods/log instead',
  requests: requestsOf(['create', 'get'], '', ['pods/attach']),
};

/** Reports a rule that allows attaching to pods. */
export const podsAttach: PolicyRuleCheck = probeCheck(PODS_ATTACH);
