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
import {
  AUTHENTICATED_GROUP,
  parseServiceAccountUser,
  serviceAccountGroups,
  UNAUTHENTICATED_GROUP,
  type UserInfo,
} from './authorizer.js';
import { KNOWN_VERBS, isNonResourceRequest, type AccessRequest } from './policy-rule.js';
import { dnsLabelProblem } from './names.js';
import { permissionHint } from './permission-hint.js';
import { isBuiltInGroup } from './resource-catalog.js';
import { resourceNotationProblem, suggestResources } from './resource-notation.js';

/** The namespace asked about when neither `-n` nor `-A` is given (kubectl's default). */
export const DEFAULT_QUERY_NAMESPACE = 'default';

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
   * The namespace of a resource request (ignored for non-resource URLs), taken literally.
   * @default DEFAULT_QUERY_NAMESPACE ('default'), also for an empty one (as kubectl)
   */
  readonly namespace?: string;
  /**
   * Ask cluster-wide (namespace `''`), like kubectl's `-A`; wins over `namespace`.
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

/**
 * Reads `VERB TYPE[/NAME]` or `VERB /non/resource/url` as `kubectl auth can-i` sends it to the
 * API server, which compares every attribute literally (case-sensitive, no validation): any
 * verb, namespace, resource or group is a question with an answer, and `accessQueryWarnings`
 * says what looks wrong. TYPE is `resource[.group]` (everything after the first `.` is the
 * group), NAME everything after the first `/`, the subresource `options.subresource`, the
 * namespace `options.namespace` (default `'default'`, as is an empty one) or `''` with
 * `options.allNamespaces`, which wins over a namespace as in kubectl. Throws an
 * `AccessQueryError` only for what kubectl refuses too: a subresource with a non-resource URL.
 */
export function parseAccessQuery(
  verb: string,
  target: string,
  options: AccessQueryOptions = {},
): AccessRequest {
  const subresource = options.subresource ?? '';
  if (target.startsWith('/')) {
    if (subresource !== '') {
      throw new AccessQueryError(
        `subresource '${subresource}' cannot be used with the non-resource URL '${target}'`,
      );
    }
    return { verb, path: target };
  }
  const slash = target.indexOf('/');
  const type = slash < 0 ? target : target.slice(0, slash);
  const name = slash < 0 ? '' : target.slice(slash + 1);
  const dot = type.indexOf('.');
  const resource = dot < 0 ? type : type.slice(0, dot);
  const apiGroup = dot < 0 ? '' : type.slice(dot + 1);
  const namespace = options.allNamespaces ? '' : options.namespace || DEFAULT_QUERY_NAMESPACE;
  return { verb, apiGroup, resource, subresource, name, namespace };
}

/** `verb 'GET' is not a known verb (verbs are case-sensitive); did you mean 'get'?` */
function verbWarning(verb: string, known: readonly string[], what: string): string | undefined {
  if (verb === '*' || known.includes(verb)) return undefined;
  const lower = verb.toLowerCase();
  const hint = known.includes(lower)
    ? ` (verbs are case-sensitive); did you mean '${lower}'?`
    : `; it is asked literally, as a custom verb (known: ${known.join(', ')})`;
  return `verb '${verb}' is not a known verb${what}${hint}`;
}

/**
 * What looks wrong in a request that is still asked as it is, as kubectl warns and asks anyway:
 * a verb Kubernetes does not know (or in the wrong case), a namespace no namespace can have
 * (only ClusterRoleBindings apply there), a resource a built-in API group does not have, a
 * malformed type or subresource. Each names the complete request it most likely meant.
 */
export function accessQueryWarnings(
  request: AccessRequest,
  options: {
    /**
     * The groups besides the built-in ones that exist (from CustomResourceDefinitions and
     * APIServices): a group outside both is warned about.
     * @default - other groups are not checked
     */
    readonly servedGroups?: readonly string[];
  } = {},
): string[] {
  const warnings: string[] = [];
  if (isNonResourceRequest(request)) {
    const verb = verbWarning(request.verb, NON_RESOURCE_VERBS, ' for a non-resource URL');
    if (verb) warnings.push(verb);
    return warnings;
  }
  const verb = verbWarning(request.verb, KNOWN_VERBS, '');
  if (verb) warnings.push(verb);
  const namespace = request.namespace ?? '';
  if (namespace !== '' && dnsLabelProblem('namespace', namespace) !== undefined) {
    warnings.push(
      `namespace '${namespace}' is not a valid namespace name, so no RoleBinding can be in it: only ClusterRoleBindings apply`,
    );
  }
  if (request.resource === '*' && request.apiGroup !== '') return warnings;
  const type = request.apiGroup ? `${request.resource}.${request.apiGroup}` : request.resource;
  const subresource = request.subresource ?? '';
  const notation = subresource ? `${type}/${subresource}` : type;
  let problem = resourceNotationProblem(notation, { suggest: false });
  if (
    problem === undefined &&
    options.servedGroups !== undefined &&
    !isBuiltInGroup(request.apiGroup) &&
    !options.servedGroups.includes(request.apiGroup)
  ) {
    problem = `API group '${request.apiGroup}' is neither built in nor defined by a CustomResourceDefinition or APIService in the manifests`;
  }
  if (problem === undefined) return warnings;
  const suggestions = suggestResources(notation).map((s) => kubectlTarget(s, request.name ?? ''));
  const hint = suggestions.length
    ? `; did you mean ${suggestions.map((s) => `'${s}'`).join(' or ')}?`
    : '';
  warnings.push(`${problem}; it is asked literally${hint}`);
  return warnings;
}

/** `deployments.apps/scale` (RBAC's notation) and a name as kubectl's arguments: `deployments.apps/web --subresource scale`. */
function kubectlTarget(notation: string, name: string): string {
  const [type, subresource] = notation.split('/', 2);
  return `${type}${name ? `/${name}` : ''}${subresource ? ` --subresource ${subresource}` : ''}`;
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

/**
 * The answer to an access request, in one shape whether the manifests (offline) or the cluster
 * answered: what `can-i -o json|yaml` prints and the runtime's `canI` returns.
 */
export interface AccessAnswer {
  /**
   * Whether the request would be allowed: the only field that decides.
   * @see https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access
   */
  readonly allowed: boolean;
  /**
   * Whether an authorizer explicitly denied it. Both `false`: no authorizer allowed it, which
   * is also a refusal (RBAC never denies, so offline it is always `false`).
   */
  readonly denied: boolean;
  /**
   * Why, when known: offline the binding, role and rule that allow it
   * (`RoleBinding shop/deployer of Role shop/deployer, rule 0`); from the cluster the server's
   * own explanation.
   */
  readonly reason?: string;
  /** The request that was asked, every attribute as the authorizer compared it. */
  readonly request: AccessRequest;
  /**
   * Who was asked about. Offline always (`--as`); from the cluster when asking about another
   * user (a SubjectAccessReview), absent when asking as oneself.
   */
  readonly subject?: {
    /** The user name asked about. */
    readonly user: string;
    /** Its groups, with those the API server would add (`system:authenticated`, ...). */
    readonly groups: readonly string[];
  };
  /**
   * When not allowed: what would grant it and where (`permissionHint`), e.g.
   * `Permission.verbs(['get'], 'pods') in a Role bound in namespace 'shop'`.
   */
  readonly wouldBeGrantedBy?: string;
}

/** The answer to `request` from an authorizer's decision, with the hint when it is a refusal. */
export function accessAnswerOf(
  request: AccessRequest,
  decision: { readonly allowed: boolean; readonly denied?: boolean; readonly reason?: string },
  subject?: UserInfo,
): AccessAnswer {
  return {
    allowed: decision.allowed,
    denied: decision.denied === true,
    ...(decision.reason ? { reason: decision.reason } : {}),
    request,
    ...(subject ? { subject: { user: subject.user, groups: [...(subject.groups ?? [])] } } : {}),
    ...(decision.allowed ? {} : { wouldBeGrantedBy: permissionHint(request) }),
  };
}

/**
 * A note for a ServiceAccount asked about in a namespace that is not its own because no
 * namespace was given (`can-i --as system:serviceaccount:shop:deployer` without `-n` asks in
 * `default`); undefined when there is nothing to say.
 */
export function assumedNamespaceNote(user: string, request: AccessRequest): string | undefined {
  const sa = parseServiceAccountUser(user);
  if (!sa || isNonResourceRequest(request)) return undefined;
  const namespace = request.namespace ?? '';
  if (namespace === '' || namespace === sa.namespace) return undefined;
  return `no namespace given: asking in namespace '${namespace}', not in the ServiceAccount's namespace '${sa.namespace}' (pass -n ${sa.namespace} for that, -A for cluster-wide)`;
}
