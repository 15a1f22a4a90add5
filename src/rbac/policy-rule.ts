/**
 * The RBAC rule model: the same shape as `rbac.authorization.k8s.io/v1` PolicyRule, as a
 * readonly plain struct, with Kubernetes' own matching semantics.
 *
 * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/
 */

/** One RBAC rule, exactly as Kubernetes stores it. */
export interface PolicyRule {
  /** The verbs allowed, e.g. `get`, `list`; `*` allows every verb. */
  readonly verbs: readonly string[];
  /**
   * The API groups of `resources`: `''` is the core group, `*` every group. Absent or empty:
   * the rule matches no resource request (as on a non-resource-URL rule).
   */
  readonly apiGroups?: readonly string[];
  /**
   * Resources without group suffix, with an optional subresource: `pods`, `pods/log`. `*` is
   * every resource and subresource, `*\/scale` that subresource of every resource.
   * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources
   */
  readonly resources?: readonly string[];
  /**
   * Limits the rule to these object names. Absent or empty: every name. A request that names
   * no object (list, create, deletecollection) matches only a rule without names.
   * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources
   */
  readonly resourceNames?: readonly string[];
  /**
   * URL paths that are not resources, e.g. `/healthz`; a trailing `*` matches by prefix, `*`
   * alone every path. A rule has either these or apiGroups/resources, not both.
   */
  readonly nonResourceURLs?: readonly string[];
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

/**
 * A rule from untrusted input (YAML, a manifest's `rules`): only the lists of strings are
 * kept, so that no check or evaluation throws on a typo; a rule without verbs grants nothing.
 * Undefined when the value is not an object at all. A frozen rule that holds nothing else is
 * returned as it is (no copy), so that what is kept per rule object can be found again.
 */
export function sanitizeRule(value: unknown): PolicyRule | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (isSanitized(value)) return value;
  const r = value as Record<string, unknown>;
  const rule: { -readonly [K in keyof PolicyRule]: PolicyRule[K] } = {
    verbs: stringList(r.verbs) ?? [],
  };
  for (const key of ['apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const) {
    const list = stringList(r[key]);
    if (list) rule[key] = list;
  }
  return rule;
}

/** The fields of a rule, every one a list of strings. */
export const RULE_LIST_FIELDS = [
  'verbs',
  'apiGroups',
  'resources',
  'resourceNames',
  'nonResourceURLs',
] as const;

const RULE_LISTS: ReadonlySet<string> = new Set(RULE_LIST_FIELDS);

/**
 * The frozen rules `isSanitized` found to be rules: frozen, they stay so. The lint meets the same
 * shared rules (a `Permission`'s, their normal forms) in every construct's Role.
 */
const sanitizedRules = new WeakSet<object>();

/** A frozen rule of nothing but lists of strings, with verbs: `sanitizeRule` keeps it as it is. */
function isSanitized(value: object): value is PolicyRule {
  if (sanitizedRules.has(value)) return true;
  if (!Object.isFrozen(value) || !Array.isArray((value as PolicyRule).verbs)) return false;
  for (const [key, list] of Object.entries(value)) {
    if (!RULE_LISTS.has(key) || !Array.isArray(list) || !Object.isFrozen(list)) return false;
    for (const item of list) if (typeof item !== 'string') return false;
  }
  sanitizedRules.add(value);
  return true;
}

/** The rule with its lists, frozen in place (and returned), so that it can be shared. */
export function freezeRule(rule: PolicyRule): PolicyRule {
  for (const values of Object.values(rule)) Object.freeze(values);
  return Object.freeze(rule);
}

/** The rules `isSharedRule` found shared: frozen, they stay so (asked per rule in every pass). */
const sharedRules = new WeakSet<PolicyRule>();

/**
 * True for a rule without names that can never change (as `freezeRule` leaves a shared
 * `Permission`'s): what is derived from it alone may be kept per rule object. Named rules are
 * usually one construct's own: nothing to share.
 */
export function isSharedRule(rule: PolicyRule): boolean {
  if (sharedRules.has(rule)) return true;
  if (rule.resourceNames?.length || !Object.isFrozen(rule)) return false;
  for (const values of Object.values(rule)) if (!Object.isFrozen(values)) return false;
  sharedRules.add(rule);
  return true;
}

/** What a request asks for, as the API server's authorizer sees it. */
export interface ResourceRequest {
  /** The RBAC verb (`get`, `list`, `create`, ...), not the HTTP method. */
  readonly verb: string;
  /** API group; `''` is the core group. */
  readonly apiGroup: string;
  /** Plural resource name without group, e.g. `deployments`; only a rule's `*` matches `*`. */
  readonly resource: string;
  /**
   * Subresource, e.g. `log` or `scale`; `''` for none.
   * @default ''
   */
  readonly subresource?: string;
  /** Object name; `''` when the request names no object (list, create). */
  readonly name?: string;
  /** Namespace; `''` means cluster-wide or a cluster-scoped resource. */
  readonly namespace?: string;
}

/** A request for a non-resource URL such as `/healthz`. */
export interface NonResourceRequest {
  /** The HTTP method, lower-cased: `get`, `post`, ... */
  readonly verb: string;
  /** The URL path, e.g. `/healthz`. */
  readonly path: string;
}

/** Either kind of request. */
export type AccessRequest = ResourceRequest | NonResourceRequest;

/** True when the request is for a non-resource URL. */
export function isNonResourceRequest(request: AccessRequest): request is NonResourceRequest {
  return (request as NonResourceRequest).path !== undefined;
}

/** The verbs Kubernetes' built-in APIs and authorizers know. */
export const KNOWN_VERBS: readonly string[] = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'use',
  'bind',
  'escalate',
  'impersonate',
  'approve',
  'sign',
  'attest',
  // Verbs used for non-resource URLs.
  'post',
  'put',
  'head',
  'options',
];

/** The verbs that read. */
export const READ_VERBS: readonly string[] = ['get', 'list', 'watch'];

/** True when the rule is a non-resource-URL rule. */
export function isNonResourceRule(rule: PolicyRule): boolean {
  return (rule.nonResourceURLs?.length ?? 0) > 0;
}

function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === '*' || v === verb);
}

function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === '*' || g === group);
}

/** Mirrors `rbac/v1.ResourceMatches`, including `*` and `*\/subresource`. */
function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some((r) => {
    if (r === '*' || r === combined) return true;
    return subresource !== '' && r === `*/${subresource}`;
  });
}

function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

function nonResourceUrlMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => {
    if (u === '*' || u === path) return true;
    // Like Kubernetes' strings.TrimRight(url, "*"): every trailing star goes.
    return u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''));
  });
}

/** True when the rule allows the request (Kubernetes' `RuleAllows`). */
export function ruleAllows(rule: PolicyRule, request: AccessRequest): boolean {
  if (isNonResourceRequest(request)) {
    return verbMatches(rule, request.verb) && nonResourceUrlMatches(rule, request.path);
  }
  return (
    verbMatches(rule, request.verb) &&
    apiGroupMatches(rule, request.apiGroup) &&
    resourceMatches(rule, request.resource, request.subresource ?? '') &&
    resourceNameMatches(rule, request.name ?? '')
  );
}

/** True when any rule allows the request. */
export function rulesAllow(rules: readonly PolicyRule[], request: AccessRequest): boolean {
  return rules.some((rule) => ruleAllows(rule, request));
}
