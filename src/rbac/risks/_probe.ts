/**
 * Private: decides rule-level risks by asking `ruleAllows` about concrete requests, which
 * handles every wildcard form (`*` verbs, `*` groups, `*` and `*\/sub` resources) and
 * resourceNames exactly as the API server's authorizer does.
 */
import type { Finding } from '../finding.js';
import { ruleAllows, type PolicyRule } from '../policy-rule.js';
import { formatResource } from '../resource-notation.js';
import {
  findingOf,
  type PolicyRuleCheck,
  type RiskRuleInfo,
  type RiskyRequest,
} from './risk-rule.js';

/** A risky request that a rule allows: for any object name, or only for some. */
export interface Grant {
  readonly request: RiskyRequest;
  readonly names: 'any' | readonly string[];
}

/**
 * Whether the request can carry an object name. `create` of a resource and `deletecollection`
 * never do, which is why RBAC cannot restrict them with resourceNames; `create` of a
 * subresource (pods/exec, serviceaccounts/token) names the parent object.
 */
function namesApply(request: RiskyRequest): boolean {
  if (request.verb === 'deletecollection') return false;
  return request.verb !== 'create' || (request.subresource ?? '') !== '';
}

/**
 * A necessary condition of `ruleAllows` for some name, checked on the rule's lists as they are:
 * most rules allow none of the ~100 risky requests, and this rejects those without building a
 * request. `ruleAllows` still decides the requests that pass.
 */
function mayAllow(rule: PolicyRule, request: RiskyRequest): boolean {
  const { verbs, apiGroups = [], resources = [] } = rule;
  if (!verbs.includes(request.verb) && !verbs.includes('*')) return false;
  if (!apiGroups.includes(request.apiGroup) && !apiGroups.includes('*')) return false;
  if (resources.includes('*')) return true;
  const subresource = request.subresource ?? '';
  if (subresource === '') return resources.includes(request.resource);
  return (
    resources.includes(`${request.resource}/${subresource}`) ||
    resources.includes(`*/${subresource}`)
  );
}

/** What a list of requests asks for, dimension by dimension. */
interface RequestSummary {
  readonly verbs: ReadonlySet<string>;
  readonly apiGroups: ReadonlySet<string>;
  /** Resources without subresource. */
  readonly resources: ReadonlySet<string>;
}

/** Per list of requests (the risk rules' lists are module constants), built once. */
const summaries = new WeakMap<readonly RiskyRequest[], RequestSummary>();

function summaryOf(requests: readonly RiskyRequest[]): RequestSummary {
  let summary = summaries.get(requests);
  if (!summary) {
    summary = {
      verbs: new Set(requests.map((r) => r.verb)),
      apiGroups: new Set(requests.map((r) => r.apiGroup)),
      resources: new Set(requests.map((r) => r.resource)),
    };
    summaries.set(requests, summary);
  }
  return summary;
}

/**
 * A necessary condition of `mayAllow` for some request of the list, checked once per rule: a
 * rule whose verbs, groups or resources meet none of the list's allows none of its requests
 * (most rules against most risk rules), without trying each request.
 */
function mayAllowAny(rule: PolicyRule, requests: readonly RiskyRequest[]): boolean {
  if (requests.length === 0) return false;
  const { verbs, apiGroups = [], resources = [] } = rule;
  const summary = summaryOf(requests);
  // Loops, not callbacks: this runs for every rule of every construct at synth (see `lintObject`).
  if (!meetsAny(verbs, summary.verbs) || !meetsAny(apiGroups, summary.apiGroups)) return false;
  for (const r of resources) {
    const slash = r.indexOf('/');
    const base = slash < 0 ? r : r.slice(0, slash);
    if (base === '*' || summary.resources.has(base)) return true;
  }
  return false;
}

/** Whether `values` holds `*` or any of `wanted`. */
function meetsAny(values: readonly string[], wanted: ReadonlySet<string>): boolean {
  for (const v of values) if (v === '*' || wanted.has(v)) return true;
  return false;
}

/** The risky requests the rule allows, in the order given. */
export function grantsOf(rule: PolicyRule, requests: readonly RiskyRequest[]): Grant[] {
  const grants: Grant[] = [];
  if (!mayAllowAny(rule, requests)) return grants;
  for (const request of requests) {
    if (!mayAllow(rule, request)) continue;
    // A request that names no object is allowed only by a rule without resourceNames
    // (`ruleAllows` reads a missing subresource and name as '').
    if (ruleAllows(rule, request)) {
      grants.push({ request, names: 'any' });
      continue;
    }
    if (!namesApply(request)) continue;
    const names = (rule.resourceNames ?? []).filter((name) =>
      ruleAllows(rule, { ...request, name }),
    );
    if (names.length > 0) grants.push({ request, names });
  }
  return grants;
}

/** `create, get on pods/exec; get on secrets named 'a', 'b'; impersonate on users, groups`. */
export function describeGrants(grants: readonly Grant[]): string {
  const verbsByTarget = new Map<string, string[]>();
  for (const { request, names } of grants) {
    const resource = formatResource({
      apiGroup: request.apiGroup,
      resource: request.resource,
      subresource: request.subresource ?? '',
    });
    const named = names === 'any' ? '' : ` named ${names.map((n) => `'${n}'`).join(', ')}`;
    const target = `${resource}${named}`;
    const verbs = verbsByTarget.get(target) ?? [];
    if (!verbs.includes(request.verb)) verbs.push(request.verb);
    verbsByTarget.set(target, verbs);
  }
  // Targets granted the same verbs share a clause: `impersonate on users, groups`.
  const targetsByVerbs = new Map<string, string[]>();
  for (const [target, verbs] of verbsByTarget) {
    const key = verbs.join(', ');
    targetsByVerbs.set(key, [...(targetsByVerbs.get(key) ?? []), target]);
  }
  return [...targetsByVerbs]
    .map(([verbs, targets]) => `${verbs} on ${targets.join(', ')}`)
    .join('; ');
}

/** ` (through verbs '*')` when the rule grants through wildcards, so the message names them. */
export function wildcardNote(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.verbs.includes('*')) parts.push("verbs '*'");
  if ((rule.apiGroups ?? []).includes('*')) parts.push("apiGroups '*'");
  const resources = (rule.resources ?? []).filter((r) => r === '*' || r.startsWith('*/'));
  if (resources.length > 0) parts.push(`resources ${resources.map((r) => `'${r}'`).join(', ')}`);
  return parts.length > 0 ? ` (through ${parts.join(', ')})` : '';
}

/** A rule-level check that reports a rule allowing any of `info.requests`. */
export function probeCheck(info: RiskRuleInfo): PolicyRuleCheck {
  return (rule, context) => probeFindings(info, info.requests ?? [], rule, context.location);
}

/** The finding for `requests` that the rule allows, if any. */
export function probeFindings(
  info: RiskRuleInfo,
  requests: readonly RiskyRequest[],
  rule: PolicyRule,
  location: Parameters<PolicyRuleCheck>[1]['location'],
): Finding[] {
  const grants = grantsOf(rule, requests);
  if (grants.length === 0) return [];
  const message = `grants ${describeGrants(grants)}${wildcardNote(rule)}`;
  return [findingOf(info, message, { location }, rule)];
}

/** The RBAC API group. */
export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Every request `verbs × resources` of one API group. */
export function requestsOf(
  verbs: readonly string[],
  apiGroup: string,
  resources: readonly string[],
): RiskyRequest[] {
  return resources.flatMap((path) => {
    const [resource, subresource] = path.split('/', 2);
    return verbs.map((verb) =>
      subresource ? { verb, apiGroup, resource, subresource } : { verb, apiGroup, resource },
    );
  });
}

/** `'a', 'b'` for messages that name the offending values; `(none)` for none. */
export function quoted(values: readonly string[] | undefined): string {
  return values && values.length > 0 ? values.map((v) => `'${v}'`).join(', ') : '(none)';
}
