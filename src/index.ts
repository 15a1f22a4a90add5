/**
 * `cdk8s-access-tokens`: the constructs, what their props take, and the types their results
 * carry. The rbac engine's queries (authorizer, who-can, lint, compaction) are
 * `cdk8s-access-tokens/rbac`; the runtime, which talks to a cluster, is
 * `cdk8s-access-tokens/runtime`. Everything else is internal. Names are listed one by one:
 * adding one is a decision (test/public-api-surface.test.ts pins the list).
 */
export {
  ServiceAccountAccess,
  type AttachOptions,
  type CanIRequestOptions,
  type ServiceAccountAccessProps,
} from './constructs/service-account-access.js';
export {
  Permission,
  type PermissionResource,
  type PermissionRuleProps,
} from './constructs/permission.js';
export {
  ManagedTokenSecret,
  TokenStore,
  type ManagedTokenSecretProps,
  type TokenProps,
  type TokenRotationSettings,
} from './constructs/token.js';
export {
  DEFAULT_ROTATOR_IMAGE,
  TokenRotation,
  type TokenRotationProps,
} from './constructs/token-rotation.js';
export {
  checkRotationSchedule,
  deriveRotationSchedule,
  type RotationSchedule,
} from './constructs/rotation-schedule.js';
export {
  TokenAudience,
  type IWorkload,
  type MountTokenOptions,
  type WorkloadContainer,
  type WorkloadServiceAccount,
  type WorkloadVolume,
  type WorkloadVolumeMount,
} from './constructs/workload.js';
export {
  TokenAuditPolicy,
  AUDIT_POLICY_CONFIGMAP_KEY,
  type TokenAuditPolicyProps,
  type AuditedServiceAccount,
  type AuditLogOptions,
  type AuditPolicyConfigMapOptions,
} from './constructs/audit-policy.js';
// The lint as a cdk8s CLI validation plugin (`validations:` in cdk8s.yaml).
export {
  LeastPrivilegeValidation,
  type LeastPrivilegeValidationProps,
  type ValidationAcknowledgement,
  type ValidationContextLike,
} from './validation/least-privilege-validation.js';
// Risks to acknowledge, and what the lint reports about rules.
export { Risk, type RiskId } from './rbac/risks/risk-rules.js';
export type {
  Finding,
  FindingLocation,
  RiskAcknowledgement,
  RiskHolder,
  Severity,
} from './rbac/finding.js';
export type { PolicyRule } from './rbac/policy-rule.js';
// The synth-to-runtime contract: the token declaration written onto a ServiceAccount.
export {
  TOKEN_DECLARATION_ANNOTATION,
  TOKEN_DECLARATION_VERSION,
  type TokenDeclaration,
  type TokenRotationDeclaration,
  type TokenStoreDeclaration,
} from './contract/token-declaration.js';
