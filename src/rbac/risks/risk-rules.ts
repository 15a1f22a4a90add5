/**
 * The table of every risk rule: the order here is the order of findings, of the docs table
 * (docs/risk-rules.md) and of `Risk`.
 */
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
import type { ObjectCheck, PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';
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
  WILDCARD_VERBS: 'wildcard-verbs',
  WILDCARD_RESOURCES: 'wildcard-resources',
  WILDCARD_API_GROUPS: 'wildcard-api-groups',
  ESCALATE_VERB: 'escalate-verb',
  BIND_VERB: 'bind-verb',
  IMPERSONATE_VERB: 'impersonate-verb',
  TOKEN_CREATE: 'token-create',
  SECRETS_READ: 'secrets-read',
  PODS_EXEC: 'pods-exec',
  PODS_ATTACH: 'pods-attach',
  PODS_PORTFORWARD: 'pods-portforward',
  NODES_PROXY: 'nodes-proxy',
  WORKLOAD_CREATE: 'workload-create',
  WORKLOAD_UPDATE: 'workload-update',
  PERSISTENTVOLUME_CREATE: 'persistentvolume-create',
  CSR_APPROVAL: 'csr-approval',
  WEBHOOK_CONFIGURATION: 'webhook-configuration',
  NAMESPACE_WRITE: 'namespace-write',
  RBAC_WRITE: 'rbac-write',
  CUSTOM_VERB: 'custom-verb',
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
  { info: WILDCARD_VERBS, check: wildcardVerbs },
  { info: WILDCARD_RESOURCES, check: wildcardResources },
  { info: WILDCARD_API_GROUPS, check: wildcardApiGroups },
  { info: ESCALATE_VERB, check: escalateVerb },
  { info: BIND_VERB, check: bindVerb },
  { info: IMPERSONATE_VERB, check: impersonateVerb },
  { info: TOKEN_CREATE, check: tokenCreate },
  { info: SECRETS_READ, check: secretsRead },
  { info: PODS_EXEC, check: podsExec },
  { info: PODS_ATTACH, check: podsAttach },
  { info: PODS_PORTFORWARD, check: podsPortforward },
  { info: NODES_PROXY, check: nodesProxy },
  { info: WORKLOAD_CREATE, check: workloadCreate },
  { info: WORKLOAD_UPDATE, check: workloadUpdate },
  { info: PERSISTENTVOLUME_CREATE, check: persistentvolumeCreate },
  { info: CSR_APPROVAL, check: csrApproval },
  { info: WEBHOOK_CONFIGURATION, check: webhookConfiguration },
  { info: NAMESPACE_WRITE, check: namespaceWrite },
  { info: RBAC_WRITE, check: rbacWrite },
  { info: CUSTOM_VERB, check: customVerb },
];

/** The object-level checks, each with its description. */
export const OBJECT_CHECKS: readonly {
  readonly info: RiskRuleInfo;
  readonly check: ObjectCheck;
}[] = [
  { info: CLUSTER_WIDE_GRANT, check: clusterWideGrant },
  { info: BUILTIN_ADMIN_ROLE, check: builtinAdminRole },
  { info: UNRESOLVED_ROLE, check: unresolvedRole },
  { info: LEGACY_TOKEN_SECRET, check: legacyTokenSecret },
  { info: AUTOMOUNTED_TOKEN, check: automountedToken },
];

/** Every risk rule (id, severity, title, explanation, fix), in table order; used for the docs. */
export const RISK_RULES: readonly RiskRuleInfo[] = [...POLICY_RULE_CHECKS, ...OBJECT_CHECKS].map(
  (c) => c.info,
);

const BY_ID: ReadonlyMap<string, RiskRuleInfo> = new Map(RISK_RULES.map((info) => [info.id, info]));

/** The description of a risk rule, or undefined for an unknown id. */
export function riskRule(id: string): RiskRuleInfo | undefined {
  return BY_ID.get(id);
}

/** True when `id` names a risk rule. */
export function isRiskId(id: string): id is RiskId {
  return BY_ID.has(id);
}
