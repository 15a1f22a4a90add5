/**
 * The table of every risk rule: the order here is the order of findings, of the docs table
 * (docs/risk-rules.md) and of `Risk`.
 */
import { ADMISSION_POLICY_WRITE, admissionPolicyWrite } from './admission-policy-write.js';
import { APISERVICE_WRITE, apiserviceWrite } from './apiservice-write.js';
import { CLUSTER_ADMIN_EQUIVALENT, clusterAdminEquivalent } from './cluster-admin-equivalent.js';
import {
  CONFIGMAPS_WRITE_CLUSTER_WIDE,
  configmapsWriteClusterWide,
} from './configmaps-write-cluster-wide.js';
import { CRD_WRITE, crdWrite } from './crd-write.js';
import { EVENTS_DELETE, eventsDelete } from './events-delete.js';
import { NAMESPACE_FINALIZE, namespaceFinalize } from './namespace-finalize.js';
import { NODE_STEERING, nodeSteering } from './node-steering.js';
import { PODS_DELETE_CLUSTER_WIDE, podsDeleteClusterWide } from './pods-delete-cluster-wide.js';
import { PODS_UPDATE, podsUpdate } from './pods-update.js';
import { PROXY_SUBRESOURCE, proxySubresource } from './proxy-subresource.js';
import { PUBLIC_SUBJECT_BINDING, publicSubjectBinding } from './public-subject-binding.js';
import { SECRETS_WRITE, secretsWrite } from './secrets-write.js';
import { STATUS_WRITE, statusWrite } from './status-write.js';
import { UNKNOWN_RESOURCE, unknownResource } from './unknown-resource.js';
import { AUTOMOUNTED_TOKEN, automountedToken } from './automounted-token.js';
import { BIND_VERB, bindVerb } from './bind-verb.js';
import { CLUSTER_WIDE_GRANT, clusterWideGrant } from './cluster-wide-grant.js';
import { CSR_APPROVAL, csrApproval } from './csr-approval.js';
import { CUSTOM_VERB, customVerb } from './custom-verb.js';
import { ESCALATE_VERB, escalateVerb } from './escalate-verb.js';
import { IMPERSONATE_VERB, impersonateVerb } from './impersonate-verb.js';
import { LEGACY_TOKEN_SECRET, legacyTokenSecret } from './legacy-token-secret.js';
import { NAMESPACE_WRITE, namespaceWrite } from './namespace-write.js';
import { NODES_PROXY, nodesProxy } from './nodes-proxy.js';
import { PERSISTENTVOLUME_CREATE, persistentvolumeCreate } from './persistentvolume-create.js';
import { PODS_ATTACH, podsAttach } from './pods-attach.js';
import { PODS_EXEC, podsExec } from './pods-exec.js';
import { PODS_PORTFORWARD, podsPortforward } from './pods-portforward.js';
import { RBAC_WRITE, rbacWrite } from './rbac-write.js';
import type { ObjectCheck, PolicyRuleCheck, RiskRuleInfo, RoleCheck } from './risk-rule.js';
import { SECRETS_READ, secretsRead } from './secrets-read.js';
import { TOKEN_CREATE, tokenCreate } from './token-create.js';
import {
  BUILTIN_ADMIN_ROLE,
  UNRESOLVED_ROLE,
  builtinAdminRole,
  unresolvedRole,
} from './unresolved-role.js';
import { WEBHOOK_CONFIGURATION, webhookConfiguration } from './webhook-configuration.js';
import { WILDCARD_API_GROUPS, wildcardApiGroups } from './wildcard-api-groups.js';
import { WILDCARD_RESOURCES, wildcardResources } from './wildcard-resources.js';
import { WILDCARD_VERBS, wildcardVerbs } from './wildcard-verbs.js';
import { WORKLOAD_CREATE, workloadCreate } from './workload-create.js';
import { WORKLOAD_UPDATE, workloadUpdate } from './workload-update.js';

/** The ids of the risk rules, for acknowledgements: `{ risk: Risk.SECRETS_READ, reason }`. */
export const Risk = {
  CLUSTER_ADMIN_EQUIVALENT: 'cluster-admin-equivalent',
  WILDCARD_VERBS: 'wildcard-verbs',
  WILDCARD_RESOURCES: 'wildcard-resources',
  WILDCARD_API_GROUPS: 'wildcard-api-groups',
  ESCALATE_VERB: 'escalate-verb',
  BIND_VERB: 'bind-verb',
  IMPERSONATE_VERB: 'impersonate-verb',
  TOKEN_CREATE: 'token-create',
  SECRETS_READ: 'secrets-read',
  SECRETS_WRITE: 'secrets-write',
  PODS_EXEC: 'pods-exec',
  PODS_ATTACH: 'pods-attach',
  PODS_PORTFORWARD: 'pods-portforward',
  NODES_PROXY: 'nodes-proxy',
  PROXY_SUBRESOURCE: 'proxy-subresource',
  PODS_UPDATE: 'pods-update',
  STATUS_WRITE: 'status-write',
  WORKLOAD_CREATE: 'workload-create',
  WORKLOAD_UPDATE: 'workload-update',
  PERSISTENTVOLUME_CREATE: 'persistentvolume-create',
  CSR_APPROVAL: 'csr-approval',
  WEBHOOK_CONFIGURATION: 'webhook-configuration',
  ADMISSION_POLICY_WRITE: 'admission-policy-write',
  CRD_WRITE: 'crd-write',
  APISERVICE_WRITE: 'apiservice-write',
  NAMESPACE_WRITE: 'namespace-write',
  NAMESPACE_FINALIZE: 'namespace-finalize',
  RBAC_WRITE: 'rbac-write',
  EVENTS_DELETE: 'events-delete',
  CUSTOM_VERB: 'custom-verb',
  UNKNOWN_RESOURCE: 'unknown-resource',
  NODE_STEERING: 'node-steering',
  CONFIGMAPS_WRITE_CLUSTER_WIDE: 'configmaps-write-cluster-wide',
  PODS_DELETE_CLUSTER_WIDE: 'pods-delete-cluster-wide',
  PUBLIC_SUBJECT_BINDING: 'public-subject-binding',
  CLUSTER_WIDE_GRANT: 'cluster-wide-grant',
  BUILTIN_ADMIN_ROLE: 'builtin-admin-role',
  UNRESOLVED_ROLE: 'unresolved-role',
  LEGACY_TOKEN_SECRET: 'legacy-token-secret',
  AUTOMOUNTED_TOKEN: 'automounted-token',
} as const;

/** The id of a risk rule. */
export type RiskId = (typeof Risk)[keyof typeof Risk];

/** The rule-level checks, each with its description. */
export const POLICY_RULE_CHECKS: readonly {
  readonly info: RiskRuleInfo;
  readonly check: PolicyRuleCheck;
}[] = [
  { info: CLUSTER_ADMIN_EQUIVALENT, check: clusterAdminEquivalent },
  { info: WILDCARD_VERBS, check: wildcardVerbs },
  { info: WILDCARD_RESOURCES, check: wildcardResources },
  { info: WILDCARD_API_GROUPS, check: wildcardApiGroups },
  { info: ESCALATE_VERB, check: escalateVerb },
  { info: BIND_VERB, check: bindVerb },
  { info: IMPERSONATE_VERB, check: impersonateVerb },
  { info: TOKEN_CREATE, check: tokenCreate },
  { info: SECRETS_READ, check: secretsRead },
  { info: SECRETS_WRITE, check: secretsWrite },
  { info: PODS_EXEC, check: podsExec },
  { info: PODS_ATTACH, check: podsAttach },
  { info: PODS_PORTFORWARD, check: podsPortforward },
  { info: NODES_PROXY, check: nodesProxy },
  { info: PROXY_SUBRESOURCE, check: proxySubresource },
  { info: PODS_UPDATE, check: podsUpdate },
  { info: STATUS_WRITE, check: statusWrite },
  { info: WORKLOAD_CREATE, check: workloadCreate },
  { info: WORKLOAD_UPDATE, check: workloadUpdate },
  { info: PERSISTENTVOLUME_CREATE, check: persistentvolumeCreate },
  { info: CSR_APPROVAL, check: csrApproval },
  { info: WEBHOOK_CONFIGURATION, check: webhookConfiguration },
  { info: ADMISSION_POLICY_WRITE, check: admissionPolicyWrite },
  { info: CRD_WRITE, check: crdWrite },
  { info: APISERVICE_WRITE, check: apiserviceWrite },
  { info: NAMESPACE_WRITE, check: namespaceWrite },
  { info: NAMESPACE_FINALIZE, check: namespaceFinalize },
  { info: RBAC_WRITE, check: rbacWrite },
  { info: EVENTS_DELETE, check: eventsDelete },
  { info: CUSTOM_VERB, check: customVerb },
  { info: UNKNOWN_RESOURCE, check: unknownResource },
];

/** The role-level checks (a role's rules together, and the bindings that bind it). */
export const ROLE_CHECKS: readonly {
  readonly info: RiskRuleInfo;
  readonly check: RoleCheck;
}[] = [
  { info: NODE_STEERING, check: nodeSteering },
  { info: CONFIGMAPS_WRITE_CLUSTER_WIDE, check: configmapsWriteClusterWide },
  { info: PODS_DELETE_CLUSTER_WIDE, check: podsDeleteClusterWide },
];

/** The object-level checks, each with its description. */
export const OBJECT_CHECKS: readonly {
  readonly info: RiskRuleInfo;
  readonly check: ObjectCheck;
}[] = [
  { info: CLUSTER_WIDE_GRANT, check: clusterWideGrant },
  { info: PUBLIC_SUBJECT_BINDING, check: publicSubjectBinding },
  { info: BUILTIN_ADMIN_ROLE, check: builtinAdminRole },
  { info: UNRESOLVED_ROLE, check: unresolvedRole },
  { info: LEGACY_TOKEN_SECRET, check: legacyTokenSecret },
  { info: AUTOMOUNTED_TOKEN, check: automountedToken },
];

/** Every risk rule (id, severity, title, explanation, fix), in table order; used for the docs. */
export const RISK_RULES: readonly RiskRuleInfo[] = [
  ...POLICY_RULE_CHECKS,
  ...ROLE_CHECKS,
  ...OBJECT_CHECKS,
].map((c) => c.info);

const BY_ID: ReadonlyMap<string, RiskRuleInfo> = new Map(RISK_RULES.map((info) => [info.id, info]));

/** The description of a risk rule, or undefined for an unknown id. */
export function riskRule(id: string): RiskRuleInfo | undefined {
  return BY_ID.get(id);
}

/** True when `id` names a risk rule. */
export function isRiskId(id: string): id is RiskId {
  return BY_ID.has(id);
}
