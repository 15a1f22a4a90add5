/** The risk rules of the least-privilege lint. Re-exports only. */
export * from './risk-rule.js';
export * from './risk-rules.js';
export * from './automounted-token.js';
export * from './bind-verb.js';
export * from './cluster-wide-grant.js';
export * from './csr-approval.js';
export * from './custom-verb.js';
export * from './escalate-verb.js';
export * from './impersonate-verb.js';
export * from './legacy-token-secret.js';
export * from './namespace-write.js';
export * from './nodes-proxy.js';
export * from './persistentvolume-create.js';
export * from './pods-attach.js';
export * from './pods-exec.js';
export * from './pods-portforward.js';
export * from './rbac-write.js';
export * from './secrets-read.js';
export * from './token-create.js';
export * from './unresolved-role.js';
export * from './webhook-configuration.js';
export * from './wildcard-api-groups.js';
export * from './wildcard-resources.js';
export * from './wildcard-verbs.js';
export * from './workload-create.js';
export * from './workload-update.js';
export { ADMISSION_POLICY_WRITE, admissionPolicyWrite } from './admission-policy-write.js';
export { APISERVICE_WRITE, apiserviceWrite } from './apiservice-write.js';
export {
  CLUSTER_ADMIN_EQUIVALENT,
  isClusterAdminRule,
  clusterAdminEquivalent,
} from './cluster-admin-equivalent.js';
export {
  CONFIGMAPS_WRITE_CLUSTER_WIDE,
  configmapsWriteClusterWide,
} from './configmaps-write-cluster-wide.js';
export { CRD_WRITE, crdWrite } from './crd-write.js';
export { EVENTS_DELETE, eventsDelete } from './events-delete.js';
export { NAMESPACE_FINALIZE, namespaceFinalize } from './namespace-finalize.js';
export { NODE_STEERING, nodeSteering } from './node-steering.js';
export { PODS_DELETE_CLUSTER_WIDE, podsDeleteClusterWide } from './pods-delete-cluster-wide.js';
export { PODS_UPDATE, podsUpdate } from './pods-update.js';
export { PROXY_SUBRESOURCE, proxySubresource } from './proxy-subresource.js';
export {
  PUBLIC_SUBJECTS,
  PUBLIC_SUBJECT_BINDING,
  publicSubjectBinding,
} from './public-subject-binding.js';
export { SECRETS_WRITE, secretsWrite } from './secrets-write.js';
export { STATUS_WRITE, statusWrite } from './status-write.js';
export { UNKNOWN_RESOURCE, unknownResource } from './unknown-resource.js';
