/**
 * `kubectl auth can-i`'s question in the authorizer's terms: the arguments `VERB TYPE[/NAME]`
 * or `VERB /non/resource/url`, `--subresource`, `-n`/`-A` and `--as`/`--as-group`, turned
 * into an `AccessRequest` and a `UserInfo`. Pure, so that the CLI, the runtime and the tests
 * share one reading of the arguments.
 *
 * TYPE is taken literally, as the authorizer sees it (`resource` or `resource.group`): no
 * discovery, no short names (`po`), no singulars (`pod`), no lower-casing. In kubectl's form
 * the part after `/` is an object NAME (`pods/web`); a subresource comes from `--subresource`
 * (unlike RBAC's notation `pods/log`, which `Permission` uses).
 *
 * @see https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access
 */
import { parseServiceAccountUser, serviceAccountGroups, type UserInfo } from './authorizer.js';
import { KNOWN_VERBS, isNonResourceRequest, type AccessRequest } from './policy-rule.js';
import { dnsLabelProblem } from './names.js';
import { resourceNotationProblem } from './resource-notation.js';

/** The namespace asked about when neither `-n` nor `-A` is given (kubectl's default). */
export const DEFAULT_QUERY_NAMESPACE = 'default';

/** The group every authenticated user is in. */
export const AUTHENTICATED_GROUP = 'system:authenticated';
/** The group of unauthenticated requests. */
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
/** The user name of unauthenticated requests. */
export const ANONYMOUS_USER = 'system:anonymous';

/** The verbs a non-resource request can have: the HTTP methods, lower-cased. */
export const NON_RESOURCE_VERBS: readonly string[] = [
  'get',
  'put',
  'post',
  'patch',
  'delete',
  'head',
  'options',
];

/** The flags of an access query besides VERB and TYPE[/NAME]. */
export interface AccessQueryOptions {
  /**
   * The subresource, e.g. `log` or `scale` (not allowed with a non-resource URL).
   * @default - none
   */
  readonly subresource?: string;
  /**
   * The namespace of a resource request (ignored for non-resource URLs).
   * @default DEFAULT_QUERY_NAMESPACE ('default')
   */
  readonly namespace?: string;
  /**
   * Ask cluster-wide (namespace `''`), like kubectl's `-A`. Not with `namespace`.
   * @default false
   */
  readonly allNamespaces?: boolean;
}

/** An access query's arguments are malformed; the message names the value and what is allowed. */
export class AccessQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessQueryError';
  }
}

const VERB = /^(\*|[a-z][a-z0-9-]*)$/;
const NO_SPACE_OR_SLASH = /^[^\s/]+$/;

function checkVerb(verb: string): void {
  if (!VERB.test(verb)) {
    throw new AccessQueryError(
      `verb '${verb}' is invalid: expected a lowercase verb such as get, list, watch, create, update, patch, delete, or '*'`,
    );
  }
}

function checkNamespace(namespace: string): void {
  const problem = dnsLabelProblem('namespace', namespace);
  if (problem !== undefined) throw new AccessQueryError(problem);
}

function checkPart(field: string, value: string, target: string, allowed: string): void {
  if (!NO_SPACE_OR_SLASH.test(value)) {
    throw new AccessQueryError(`${field} '${value}' in '${target}' is invalid: ${allowed}`);
  }
}

const TYPE_FORM =
  "expected TYPE[/NAME] with TYPE 'resource' or 'resource.group', e.g. 'pods', 'pods/web', 'deployments.apps/web', or a non-resource URL starting with '/'";

/**
 * Reads `VERB TYPE[/NAME]` or `VERB /non/resource/url` with kubectl's rules into the request
 * the authorizer evaluates: TYPE `resource[.group]` (everything after the first `.` is the
 * group), NAME after the first `/`, the subresource from `options.subresource`, the namespace
 * from `options.namespace` (default `'default'`) or `''` with `options.allNamespaces`.
 * Throws an `AccessQueryError` naming the offending value and what is allowed.
 */
export function parseAccessQuery(
  verb: string,
  target: string,
  options: AccessQueryOptions = {},
): AccessRequest {
  checkVerb(verb);
  if (options.allNamespaces && options.namespace !== undefined) {
    throw new AccessQueryError(
      `namespace '${options.namespace}' and all namespaces were both asked: give either -n/--namespace or -A/--all-namespaces, not both`,
    );
  }
  if (options.namespace !== undefined) checkNamespace(options.namespace);
  const subresource = options.subresource;
  if (subresource !== undefined && !NO_SPACE_OR_SLASH.test(subresource)) {
    throw new AccessQueryError(
      `subresource '${subresource}' is invalid: expected one word without '/', e.g. 'log', 'scale', 'status'`,
    );
  }

  if (target.startsWith('/')) {
    if (subresource !== undefined) {
      throw new AccessQueryError(
        `subresource '${subresource}' cannot be used with the non-resource URL '${target}'`,
      );
    }
    if (/\s/.test(target))
      throw new AccessQueryError(
        `non-resource URL '${target}' is invalid: expected a path without spaces, e.g. '/healthz'`,
      );
    return { verb, path: target };
  }

  const slash = target.indexOf('/');
  const type = slash < 0 ? target : target.slice(0, slash);
  const name = slash < 0 ? '' : target.slice(slash + 1);
  if (type === '')
    throw new AccessQueryError(`resource type in '${target}' is empty: ${TYPE_FORM}`);
  if (slash >= 0)
    checkPart(
      'name',
      name,
      target,
      "expected one object name after the '/', e.g. 'pods/web' (for a subresource use --subresource)",
    );
  const dot = type.indexOf('.');
  const resource = dot < 0 ? type : type.slice(0, dot);
  const apiGroup = dot < 0 ? '' : type.slice(dot + 1);
  if (resource === '' || (dot >= 0 && apiGroup === ''))
    throw new AccessQueryError(`resource type '${type}' is malformed: ${TYPE_FORM}`);
  checkPart('resource type', type, target, TYPE_FORM);

  const namespace = options.allNamespaces ? '' : (options.namespace ?? DEFAULT_QUERY_NAMESPACE);
  return { verb, apiGroup, resource, subresource: subresource ?? '', name, namespace };
}

/**
 * What kubectl would warn about in a well-formed request: a verb Kubernetes does not know, a
 * non-resource verb that is not an HTTP method, a resource a built-in API group does not
 * have (taken literally, it is still asked), a type that is not lowercase.
 */
export function accessQueryWarnings(request: AccessRequest): string[] {
  const warnings: string[] = [];
  if (isNonResourceRequest(request)) {
    if (request.verb !== '*' && !NON_RESOURCE_VERBS.includes(request.verb)) {
      warnings.push(
        `verb '${request.verb}' is not a valid verb for a non-resource URL: expected one of ${NON_RESOURCE_VERBS.join(', ')}`,
      );
    }
    return warnings;
  }
  if (request.verb !== '*' && !KNOWN_VERBS.includes(request.verb)) {
    warnings.push(`verb '${request.verb}' is not a known verb; it is asked as a custom verb`);
  }
  if (request.resource === '*') return warnings;
  const type = request.apiGroup ? `${request.resource}.${request.apiGroup}` : request.resource;
  if (type !== type.toLowerCase()) {
    warnings.push(
      `resource type '${type}' is not lowercase; it is taken literally (case-sensitive), RBAC's resources are lowercase plurals`,
    );
    return warnings;
  }
  const notation = request.subresource ? `${type}/${request.subresource}` : type;
  const problem = resourceNotationProblem(notation);
  if (problem) warnings.push(`${problem}; it is asked literally`);
  return warnings;
}

/**
 * The user the API server sees when a request impersonates `user` with `groups` (kubectl's
 * `--as`/`--as-group`): a ServiceAccount user given no groups gets the ServiceAccount groups;
 * any other user but `system:anonymous` gets `system:authenticated` unless the groups already
 * hold it or `system:unauthenticated`; `system:anonymous` gets `system:unauthenticated`.
 */
export function impersonatedUser(user: string, groups: readonly string[] = []): UserInfo {
  if (user.trim() === '')
    throw new AccessQueryError(
      `user '${user}' is invalid: expected a user name, e.g. 'alice' or 'system:serviceaccount:NS:NAME'`,
    );
  for (const group of groups) {
    if (group.trim() === '')
      throw new AccessQueryError(
        `group '${group}' is invalid: expected a group name, e.g. 'developers'`,
      );
  }
  const sa = parseServiceAccountUser(user);
  const result = sa && groups.length === 0 ? serviceAccountGroups(sa.namespace) : [...groups];
  if (user !== ANONYMOUS_USER) {
    if (!result.includes(AUTHENTICATED_GROUP) && !result.includes(UNAUTHENTICATED_GROUP))
      result.push(AUTHENTICATED_GROUP);
  } else if (!result.includes(UNAUTHENTICATED_GROUP)) {
    result.push(UNAUTHENTICATED_GROUP);
  }
  return { user, groups: [...new Set(result)] };
}

/** The request in kubectl's words, for messages: `get deployments.apps/web (scale) in shop`. */
export function describeAccessRequest(request: AccessRequest): string {
  if (isNonResourceRequest(request)) return `${request.verb} ${request.path}`;
  const type = request.apiGroup ? `${request.resource}.${request.apiGroup}` : request.resource;
  const name = request.name ? `/${request.name}` : '';
  const sub = request.subresource ? ` (subresource ${request.subresource})` : '';
  const where = request.namespace ? ` in namespace ${request.namespace}` : ' cluster-wide';
  return `${request.verb} ${type}${name}${sub}${where}`;
}
