/**
 * The one place that says what would grant a refused request: the `Permission` expression
 * (or, when no `Permission` factory accepts the request's values, the raw RBAC rule) and
 * where it must be bound. Used by `can-i`'s answer (offline and from the cluster) and by the
 * runtime's explanation of a 403.
 */
import { isNonResourceRequest, type AccessRequest, type PolicyRule } from './policy-rule.js';
import { dnsLabelProblem } from './names.js';
import { permissionAccepts, permissionCode, quoteString } from './permission-code.js';
import { lookupResource } from './resource-catalog.js';

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
 * cluster-wide requests, non-resource URLs, namespaces no RoleBinding can be in and
 * cluster-scoped resources (nodes, namespaces), which no Role can grant. A request
 * that no `Permission` factory accepts (a malformed resource, a name with '/') gets the raw
 * RBAC rule instead, in JSON.
 */
export function permissionHint(request: AccessRequest): string {
  const rule = grantingRule(request);
  const grant = permissionAccepts(rule)
    ? permissionCode(rule)
    : `the RBAC rule ${JSON.stringify(rule)}`;
  if (clusterWideOnly(request)) return `${grant} in a ClusterRole bound by a ClusterRoleBinding`;
  const { apiGroup, resource, namespace } = request as {
    apiGroup: string;
    resource: string;
    namespace: string;
  };
  // A Role grants only namespaced resources; unknown ones (custom resources) may be either.
  const where =
    lookupResource(apiGroup, resource)?.namespaced === false
      ? `a ClusterRole bound by a ClusterRoleBinding (clusterPermissions: ${resource} ${apiGroup ? `in group '${apiGroup}' ` : ''}is cluster-scoped, which a Role cannot grant)`
      : `a Role bound in namespace ${quoteString(namespace)}`;
  return `${grant} in ${where}`;
}
