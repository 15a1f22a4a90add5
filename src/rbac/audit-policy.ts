/**
 * The `audit.k8s.io/v1` Policy as plain readonly data, its validation against the API types
 * (what the API server checks when it loads `--audit-policy-file`) and the API server's
 * rule matching (`plugin/pkg/audit/policy/checker.go`): the first matching rule decides.
 *
 * @see https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy
 * @see https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Policy
 */

/** How much of a request the API server records. */
export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';

/** The stages at which an audit event can be generated. */
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

/** The levels, least to most recorded. */
export const AUDIT_LEVELS: readonly AuditLevel[] = [
  'None',
  'Metadata',
  'Request',
  'RequestResponse',
];

/** Every stage. */
export const AUDIT_STAGES: readonly AuditStage[] = [
  'RequestReceived',
  'ResponseStarted',
  'ResponseComplete',
  'Panic',
];

/** Resources of one API group in an audit rule (`audit.k8s.io/v1` GroupResources). */
export interface AuditGroupResources {
  /** The API group; `''` is the core group. No wildcard. @default '' */
  readonly group?: string;
  /**
   * Resources of the group: `pods`, `pods/log`, `*`, `*\/scale`, `pods/*`. Empty or absent:
   * every resource of the group, subresources included.
   */
  readonly resources?: readonly string[];
  /** Object names; needs `resources`. Empty or absent: every name. */
  readonly resourceNames?: readonly string[];
}

/** One rule of an audit Policy (`audit.k8s.io/v1` PolicyRule). */
export interface AuditPolicyRule {
  /** The level of the requests this rule matches. */
  readonly level: AuditLevel;
  /** Only requests by these users. Empty or absent: every user. */
  readonly users?: readonly string[];
  /** Only requests by users in one of these groups. Empty or absent: every group. */
  readonly userGroups?: readonly string[];
  /** Only these verbs. Empty or absent: every verb. */
  readonly verbs?: readonly string[];
  /** Only these resources. Empty or absent (and no namespaces): every request. */
  readonly resources?: readonly AuditGroupResources[];
  /** Only requests in these namespaces; `''` is cluster-scoped. Empty or absent: every one. */
  readonly namespaces?: readonly string[];
  /** Only these non-resource URLs (a trailing `*` matches by prefix). */
  readonly nonResourceURLs?: readonly string[];
  /** Stages not recorded for this rule's requests, on top of the policy's. */
  readonly omitStages?: readonly AuditStage[];
}

/** An `audit.k8s.io/v1` Policy. */
export interface AuditPolicy {
  /** `audit.k8s.io/v1`. */
  readonly apiVersion: string;
  /** `Policy`. */
  readonly kind: string;
  /** Object metadata; the API server ignores it. */
  readonly metadata?: {
    /** A name for people; findings show it. */
    readonly name?: string;
  };
  /** The rules, first match decides. At least one. */
  readonly rules: readonly AuditPolicyRule[];
  /** Stages never recorded. */
  readonly omitStages?: readonly AuditStage[];
}

/** The resource a request is about, as the audit policy checker sees it. */
export interface AuditResourceAttributes {
  /** API group; `''` is the core group. */
  readonly apiGroup: string;
  /** Resource, e.g. `pods`. */
  readonly resource: string;
  /** Subresource, e.g. `token`; `''` for none. */
  readonly subresource: string;
  /** Namespace; `''` for cluster-scoped or cluster-wide. */
  readonly namespace: string;
  /** Object name; `''` for none. */
  readonly name: string;
}

/** A request as the audit policy checker sees it (the authorizer's attributes). */
export interface AuditRequestAttributes {
  /** The user name. */
  readonly user: string;
  /** The user's groups. */
  readonly groups: readonly string[];
  /** The RBAC verb (`get`, `create`, ...). */
  readonly verb: string;
  /** For resource requests: group, resource, subresource, namespace, name. */
  readonly resource?: AuditResourceAttributes;

  /** For non-resource requests: the URL path. */
  readonly path?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const RULE_FIELDS = new Set([
  'level',
  'users',
  'userGroups',
  'verbs',
  'resources',
  'namespaces',
  'nonResourceURLs',
  'omitStages',
  // Kubernetes 1.23+; older servers ignore it.
  'omitManagedFields',
]);
const POLICY_FIELDS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'rules',
  'omitStages',
  'omitManagedFields',
]);
const GROUP_RESOURCE_FIELDS = new Set(['group', 'resources', 'resourceNames']);
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function checkStrings(field: string, value: unknown, problems: string[]): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    problems.push(`${field} must be a list of strings, got ${show(value)}`);
}

function checkStages(field: string, value: unknown, problems: string[]): void {
  checkStrings(field, value, problems);
  if (!Array.isArray(value)) return;
  for (const stage of value) {
    if (typeof stage === 'string' && !AUDIT_STAGES.includes(stage as AuditStage))
      problems.push(`${field} has '${stage}': allowed stages are ${AUDIT_STAGES.join(', ')}`);
  }
}

function checkUnknownFields(
  field: string,
  value: Record<string, unknown>,
  known: Set<string>,
  problems: string[],
): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) problems.push(`${field} has the unknown field '${key}'`);
  }
}

function checkGroupResources(field: string, value: unknown, problems: string[]): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    problems.push(
      `${field} must be a list of {group, resources, resourceNames}, got ${show(value)}`,
    );
    return;
  }
  value.forEach((gr, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(gr)) {
      problems.push(`${at} must be an object {group, resources, resourceNames}, got ${show(gr)}`);
      return;
    }
    checkUnknownFields(at, gr, GROUP_RESOURCE_FIELDS, problems);
    if (gr.group !== undefined && typeof gr.group !== 'string')
      problems.push(`${at}.group must be a string, got ${show(gr.group)}`);
    else if (typeof gr.group === 'string' && gr.group !== '' && !DNS_SUBDOMAIN.test(gr.group))
      problems.push(
        `${at}.group '${gr.group}' is invalid: expected '' (core) or a lowercase DNS subdomain such as 'apps' (no wildcard, no version)`,
      );
    checkStrings(`${at}.resources`, gr.resources, problems);
    checkStrings(`${at}.resourceNames`, gr.resourceNames, problems);
    const names = Array.isArray(gr.resourceNames) ? gr.resourceNames.length : 0;
    const resources = Array.isArray(gr.resources) ? gr.resources.length : 0;
    if (names > 0 && resources === 0)
      problems.push(`${at}.resourceNames needs at least one resource in ${at}.resources`);
  });
}

function checkNonResourceUrls(field: string, value: unknown, problems: string[]): void {
  checkStrings(field, value, problems);
  if (!Array.isArray(value)) return;
  for (const url of value) {
    if (typeof url !== 'string' || url === '*') continue;
    if (!url.startsWith('/'))
      problems.push(`${field} has '${url}': a non-resource URL must start with '/' (or be '*')`);
    else if (url.slice(0, -1).includes('*'))
      problems.push(`${field} has '${url}': '*' is allowed only as the last character`);
  }
}

function checkRule(rule: unknown, index: number, problems: string[]): void {
  const at = `rules[${index}]`;
  if (!isRecord(rule)) {
    problems.push(`${at} must be an object, got ${show(rule)}`);
    return;
  }
  checkUnknownFields(at, rule, RULE_FIELDS, problems);
  if (rule.level === undefined)
    problems.push(`${at}.level is required: one of ${AUDIT_LEVELS.join(', ')}`);
  else if (!AUDIT_LEVELS.includes(rule.level as AuditLevel))
    problems.push(
      `${at}.level '${String(rule.level)}' is invalid: allowed levels are ${AUDIT_LEVELS.join(', ')}`,
    );
  for (const key of ['users', 'userGroups', 'verbs', 'namespaces'] as const)
    checkStrings(`${at}.${key}`, rule[key], problems);
  checkGroupResources(`${at}.resources`, rule.resources, problems);
  checkNonResourceUrls(`${at}.nonResourceURLs`, rule.nonResourceURLs, problems);
  checkStages(`${at}.omitStages`, rule.omitStages, problems);
  const urls = Array.isArray(rule.nonResourceURLs) && rule.nonResourceURLs.length > 0;
  const resources = Array.isArray(rule.resources) && rule.resources.length > 0;
  const namespaces = Array.isArray(rule.namespaces) && rule.namespaces.length > 0;
  if (urls && (resources || namespaces))
    problems.push(
      `${at} has nonResourceURLs together with resources or namespaces: a rule applies to either, not both`,
    );
}

/**
 * Checks a parsed document against the `audit.k8s.io/v1` Policy types and the API server's
 * validation: apiVersion and kind, at least one rule, each rule's level, stages, field types
 * and combinations. Returns the problems (empty when valid), each naming the field and value.
 */
export function validateAuditPolicy(value: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(value)) return [`an audit policy must be an object, got ${show(value)}`];
  if (value.apiVersion !== 'audit.k8s.io/v1')
    problems.push(
      `apiVersion '${String(value.apiVersion)}' is not supported: expected 'audit.k8s.io/v1'`,
    );
  if (value.kind !== 'Policy')
    problems.push(`kind '${String(value.kind)}' is invalid: expected 'Policy'`);
  checkUnknownFields('policy', value, POLICY_FIELDS, problems);
  checkStages('omitStages', value.omitStages, problems);
  if (!Array.isArray(value.rules) || value.rules.length === 0) {
    problems.push(
      `rules must be a non-empty list: the API server refuses a policy with 0 rules, got ${show(value.rules)}`,
    );
  } else {
    value.rules.forEach((rule, i) => checkRule(rule, i, problems));
  }
  return problems;
}

/** True for a document that is an audit Policy (any `audit.k8s.io` version). */
export function isAuditPolicyDocument(value: unknown): boolean {
  return (
    isRecord(value) &&
    value.kind === 'Policy' &&
    typeof value.apiVersion === 'string' &&
    value.apiVersion.startsWith('audit.k8s.io/')
  );
}

function nonEmpty(values: readonly string[] | undefined): values is readonly string[] {
  return values !== undefined && values.length > 0;
}

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''));
}

function resourceMatches(rule: AuditPolicyRule, attrs: AuditRequestAttributes): boolean {
  const r = attrs.resource;
  if (!r) return false;
  if (nonEmpty(rule.namespaces) && !rule.namespaces.includes(r.namespace)) return false;
  if (!rule.resources || rule.resources.length === 0) return true;
  const combined = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  return rule.resources.some((gr) => {
    if ((gr.group ?? '') !== r.apiGroup) return false;
    if (!nonEmpty(gr.resources)) return true;
    if (nonEmpty(gr.resourceNames) && !gr.resourceNames.includes(r.name)) return false;
    return gr.resources.some(
      (res) =>
        res === '*' ||
        res === combined ||
        (r.subresource !== '' && res.startsWith('*/') && res.slice(2) === r.subresource) ||
        (res.endsWith('/*') && res.slice(0, -2) === r.resource),
    );
  });
}

/** Whether an audit rule matches a request: the API server's `ruleMatchesRequest`. */
export function auditRuleMatches(rule: AuditPolicyRule, attrs: AuditRequestAttributes): boolean {
  if (nonEmpty(rule.users) && !rule.users.includes(attrs.user)) return false;
  if (nonEmpty(rule.userGroups) && !rule.userGroups.some((g) => attrs.groups.includes(g)))
    return false;
  if (nonEmpty(rule.verbs) && !rule.verbs.includes(attrs.verb)) return false;
  if (nonEmpty(rule.namespaces) || (rule.resources?.length ?? 0) > 0)
    return resourceMatches(rule, attrs);
  if (nonEmpty(rule.nonResourceURLs))
    return (
      attrs.path !== undefined &&
      rule.nonResourceURLs.some((u) => pathMatches(attrs.path as string, u))
    );
  return true;
}

/**
 * The level and recorded stages the policy gives a request: the first matching rule decides;
 * no match is `None`.
 */
export function auditLevelOf(
  policy: AuditPolicy,
  attrs: AuditRequestAttributes,
): { level: AuditLevel; ruleIndex?: number; omitStages: AuditStage[] } {
  const index = policy.rules.findIndex((rule) => auditRuleMatches(rule, attrs));
  if (index < 0) return { level: 'None', omitStages: [...(policy.omitStages ?? [])] };
  const rule = policy.rules[index];
  return {
    level: rule.level,
    ruleIndex: index,
    omitStages: [...new Set([...(policy.omitStages ?? []), ...(rule.omitStages ?? [])])],
  };
}
