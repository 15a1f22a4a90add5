/**
 * The one place that says what would grant a refused request: the `Permission` expression
 * (or, when no `Permission` factory accepts the request's values, the raw RBAC rule) and
 * where it must be bound. Used by `can-i`'s answer (offline and from the cluster) and by the
 * runtime's explanation of a 403.
 */
import { isNonResourceRequest, type AccessRequest, type PolicyRule } from './policy-rule.js';
import { dnsLabelProblem } from './names.js';
import { permissionAccepts, permissionCode, quoteString } from './permission-code.js';

/** Verbs on a whole collection: `resourceNames` can never allow them. */
const COLLECTION_VERBS = new Set(['list', 'deletecollection']);

/** Whether only a ClusterRoleBinding can grant the request (no RoleBinding can be where it is). */
function clusterWideOnly(request: AccessRequest): boolean {
  if (isNonResourceRequest(request)) return true;
  const namespace = request.namespace ?? '';
  return namespace === '' || dnsLabelProblem('namespace', namespace) !== undefined;
}

/** The narrowest rule that allows the request. */
export function grantingRule(request: AccessRequest): PolicyRule {
  if (isNonResourceRequest(request))
    return { verbs: [request.verb], nonResourceURLs: [request.path] };
  const subresource = request.subresource ?? '';
  const resource = subresource ? `${request.resource}/${subresource}` : request.resource;
  // RBAC can restrict a verb by name except `create` on a top-level resource (the name is not
  // known when it is authorized) and the collection verbs.
  const name = request.name ?? '';
  const nameable =
    name !== '' &&
    !(request.verb === 'create' && !subresource) &&
    !COLLECTION_VERBS.has(request.verb);
  return {
    verbs: [request.verb],
    apiGroups: [request.apiGroup],
    resources: [resource],
    ...(nameable ? { resourceNames: [name] } : {}),
  };
}

/**
 * What would grant a refused request and where: `Permission.verbs(['get'], 'pods', 'web') in a
 * Role bound in namespace 'shop'`, or `... in a ClusterRole bound by a ClusterRoleBinding` for
 * cluster-wide requests, non-resource URLs and namespaces no RoleBinding can be in. A request
 * that no `Permission` factory accepts (a malformed resource, a name with '/') gets the raw
 * RBAC rule instead, in JSON.
 */
export function permissionHint(request: AccessRequest): string {
  const rule = grantingRule(request);
  const grant = permissionAccepts(rule)
    ? permissionCode(rule)
    : `the RBAC rule ${JSON.stringify(rule)}`;
  const where = clusterWideOnly(request)
    ? 'a ClusterRole bound by a ClusterRoleBinding'
    : `a Role bound in namespace ${quoteString((request as { namespace: string }).namespace)}`;
  return `${grant} in ${where}`;
}
