/** `webhook-configuration`: writing admission webhook configurations. */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `webhook-configuration`. */
export const WEBHOOK_CONFIGURATION: RiskRuleInfo = {
  id: 'webhook-configuration',
  severity: 'error',
  title: 'write admission webhooks',
  scope: 'rule',
  explanation:
    'a mutating webhook sees and can rewrite every object sent to the API server (secrets, pods, their ServiceAccounts), and deleting or changing a validating webhook switches off the policies it enforces',
  fix: 'manage webhook configurations through a reviewed pipeline, not from a workload',
  requests: requestsOf(
    ['create', 'update', 'patch', 'delete', 'deletecollection'],
    'admissionregistration.k8s.io',
    ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'],
  ),
};

/** Reports a rule that allows writing webhook configurations. */
export const webhookConfiguration: PolicyRuleCheck = probeCheck(WEBHOOK_CONFIGURATION);
