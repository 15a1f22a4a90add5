/** `pods-update`: update/patch on pods, which can change a running pod's container images. */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `pods-update`. */
export const PODS_UPDATE: RiskRuleInfo = {
  id: 'pods-update',
  severity: 'error',
  title: 'update or patch pods',
  scope: 'rule',
  explanation:
    "a pod's container images are mutable: changing one restarts the container with any code the subject chooses, running with the pod's ServiceAccount token, secrets and volumes (adding ephemeral containers is reported by pods-exec)",
  fix: 'change pods through their controller (a Deployment rollout) instead; labels and annotations are usually what is needed, and those are better set on the controller',
  requests: requestsOf(['update', 'patch'], '', ['pods']),
};

/** Reports a rule that allows updating or patching pods, naming the pods when restricted. */
export const podsUpdate: PolicyRuleCheck = probeCheck(PODS_UPDATE);
