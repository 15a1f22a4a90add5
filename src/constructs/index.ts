export * from './permission.js';
export * from './service-account-access.js';
export * from './token.js';
export {
  TokenAuditPolicy,
  AUDIT_POLICY_CONFIGMAP_KEY,
  type TokenAuditPolicyProps,
  type AuditedServiceAccount,
  type AuditLogOptions,
  type AuditPolicyConfigMapOptions,
} from './audit-policy.js';
