/** `admission-policy-write`: writing CEL admission policies and their bindings. */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `admission-policy-write`. */
export const ADMISSION_POLICY_WRITE: RiskRuleInfo = {
  id: 'admission-policy-write',
  severity: 'error',
  title: 'write admission policies',
  scope: 'rule',
  explanation:
    'ValidatingAdmissionPolicies and their bindings enforce rules on every object sent to the API server: changing or deleting them switches those rules off, and a MutatingAdmissionPolicy rewrites objects as a mutating webhook does',
  fix: 'manage admission policies and their bindings through a reviewed pipeline, not from a workload',
  requests: requestsOf(
    ['create', 'update', 'patch', 'delete', 'deletecollection'],
    'admissionregistration.k8s.io',
    [
      'validatingadmissionpolicies',
      'validatingadmissionpolicybindings',
      'mutatingadmissionpolicies',
      'mutatingadmissionpolicybindings',
    ],
  ),
};

/** Reports a rule that allows writing admission policies or their bindings. */
export const admissionPolicyWrite: PolicyRuleCheck = probeCheck(ADMISSION_POLICY_WRITE);
