export * from './access-query.js';
export * from './authorizer.js';
export * from './compact.js';
export * from './finding.js';
export * from './kube-object.js';
export * from './policy-rule.js';
export * from './resource-notation.js';
export * from './validate-rule.js';
export * from './lint.js';
export * from './manifest-reader.js';
export * from './risks/index.js';
export {
  AUDIT_LEVELS,
  AUDIT_STAGES,
  auditLevelOf,
  auditRuleMatches,
  isAuditPolicyDocument,
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
export {
  CREDENTIAL_ID_KEY,
  DECISION_ANNOTATION,
  ISSUED_CREDENTIAL_ID_ANNOTATION,
  auditEventProblem,
  observedRequestOf,
  type ObservedRequest,
} from './audit-event.js';
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
export {
  observedPermissionCode,
  observedRoleManifests,
  permissionExpression,
} from './audit-rules-render.js';
export {
  auditDrift,
  serviceAccountsOf,
  serviceAccountKey,
  type ServiceAccountDrift,
  type UnusedGrant,
} from './audit-drift.js';
export { auditPolicyFindings, withAuditPolicyFindings } from './audit-policy-lint.js';
