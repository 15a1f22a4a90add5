/** `crd-write`: writing CustomResourceDefinitions. */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `crd-write`. */
export const CRD_WRITE: RiskRuleInfo = {
  id: 'crd-write',
  severity: 'error',
  title: 'write CustomResourceDefinitions',
  scope: 'rule',
  explanation:
    "a CRD's conversion webhook receives every object of that kind that is read or written, whatever its namespace, and changing or deleting a CRD deletes or reshapes every object of other teams' kinds",
  fix: 'install CRDs with the chart or a reviewed pipeline, not from a running controller; a controller that must update its own CRDs (e.g. to inject a CA bundle) gets update/patch with resourceNames',
  requests: requestsOf(
    ['create', 'update', 'patch', 'delete', 'deletecollection'],
    'apiextensions.k8s.io',
    ['customresourcedefinitions'],
  ),
};

/** Reports a rule that allows writing CRDs, naming them when restricted. */
export const crdWrite: PolicyRuleCheck = probeCheck(CRD_WRITE);
