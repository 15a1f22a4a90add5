/**
 * `cdk8s-access-tokens/rbac`: the pure policy engine's public queries, offline and without
 * cdk8s or client-node: an authorizer with Kubernetes RBAC semantics (can-i, who-can), the
 * least-privilege lint, and rule compaction. Names are listed one by one: adding one is a
 * decision (test/public-api-surface.test.ts pins the list).
 */
// Rules and requests.
export {
  KNOWN_VERBS,
  rulesAllow,
  type AccessRequest,
  type NonResourceRequest,
  type PolicyRule,
  type ResourceRequest,
} from './policy-rule.js';
export { compactRules } from './compact.js';
// Kubernetes objects and the RBAC policy in them.
export {
  parseManifests,
  type ManifestFailure,
  type ManifestPosition,
  type ManifestSet,
  type ManifestSkip,
} from './manifest-reader.js';
export {
  ACKNOWLEDGED_RISKS_ANNOTATION,
  rbacPolicyFrom,
  type BindingObject,
  type KubeObject,
  type LabelSelector,
  type RbacPolicySet,
  type RoleObject,
  type RoleRef,
  type Subject,
} from './kube-object.js';
// The authorizer: can-i and who-can.
export {
  RbacAuthorizer,
  serviceAccountGroups,
  serviceAccountUser,
  type Decision,
  type UserInfo,
  type WhoCanEntry,
} from './authorizer.js';
// The least-privilege lint.
export {
  MIN_REASON_LENGTH,
  formatFindings,
  lintManifests,
  lintRules,
  type AcknowledgementProblem,
  type LintOptions,
  type PositionLookup,
  type LintReport,
  type SourceLookup,
} from './lint.js';
export { RISK_RULES, Risk, type RiskId } from './risks/risk-rules.js';
export type { RiskRuleInfo, RiskyRequest } from './risks/risk-rule.js';
export type {
  Finding,
  FindingLocation,
  RiskAcknowledgement,
  RiskHolder,
  Severity,
} from './finding.js';
// Audit policies and audit logs: validate and check a Policy, aggregate observed requests,
// and turn them into minimal rules and a granted-versus-used drift.
export {
  AUDIT_LEVELS,
  AUDIT_STAGES,
  auditLevelOf,
  validateAuditPolicy,
  type AuditGroupResources,
  type AuditLevel,
  type AuditPolicy,
  type AuditPolicyRule,
  type AuditRequestAttributes,
  type AuditResourceAttributes,
  type AuditStage,
} from './audit-policy.js';
export {
  AuditPolicyCheck,
  checkAuditPolicy,
  type AuditPolicyCheckOptions,
} from './audit-policy-check.js';
export type { AuditEventFields, ObservedRequest } from './audit-event.js';
export {
  AuditUsage,
  type AuditUsageOptions,
  type AuditUsageReport,
  type IdentityUsage,
  type RequestUsage,
  type TokenMinting,
  type TokenUse,
} from './audit-usage.js';
export { rulesFromUsage, type ObservedRules, type ObservedRulesOptions } from './audit-rules.js';
export { observedPermissionCode, observedRoleManifests } from './audit-rules-render.js';
export { auditDrift, type ServiceAccountDrift, type UnusedGrant } from './audit-drift.js';
