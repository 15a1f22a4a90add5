/**
 * `unresolved-role`: a binding whose Role or ClusterRole is not in the manifests, so its
 * rules cannot be checked; `builtin-admin-role`: a binding to cluster-admin, admin or edit,
 * whose rules are well known and grant nearly everything in their scope.
 */
import { ownBinding, rolesOf } from './_roles.js';
import { findingOf, type ObjectCheck, type RiskRuleInfo } from './risk-rule.js';

/** The description of `unresolved-role`. */
export const UNRESOLVED_ROLE: RiskRuleInfo = {
  id: 'unresolved-role',
  severity: 'warning',
  title: 'binding to a role not in the manifests',
  scope: 'object',
  explanation:
    "the binding grants whatever the named Role or ClusterRole holds in the cluster, and it is neither among the linted manifests nor one of Kubernetes' bootstrap roles, so its rules were not checked",
  fix: 'lint the manifests together with the role they bind (or `kubectl get clusterrole NAME -o yaml`)',
};

/** The description of `builtin-admin-role`. */
export const BUILTIN_ADMIN_ROLE: RiskRuleInfo = {
  id: 'builtin-admin-role',
  severity: 'error',
  title: 'binding to cluster-admin, admin or edit',
  scope: 'object',
  explanation:
    "Kubernetes' built-in cluster-admin grants everything; admin and edit grant reading secrets, exec into pods and creating workloads in their namespace (admin also writes Roles and RoleBindings)",
  fix: 'bind a Role with the verbs and resources the subject needs instead, e.g. with ServiceAccountAccess',
};

/** Kubernetes' bootstrap ClusterRoles that grant nearly everything in their scope. */
export const BUILTIN_ADMIN: readonly string[] = ['cluster-admin', 'admin', 'edit'];

/**
 * Reports a binding to a role that neither the manifests nor, when the lint includes them,
 * Kubernetes' bootstrap roles contain (never the built-in admins: `builtin-admin-role`).
 */
export const unresolvedRole: ObjectCheck = (object, context) => {
  const binding = ownBinding(object, context);
  if (!binding) return [];
  const { kind, name } = binding.roleRef;
  if (kind === 'ClusterRole' && BUILTIN_ADMIN.includes(name)) return [];
  if (rolesOf(context).roleOf(binding)) return [];
  const message = `binds ${kind.toLowerCase()} '${name}', which is not in these manifests: its rules were not checked`;
  return [findingOf(UNRESOLVED_ROLE, message, context)];
};

/** Reports a binding to cluster-admin, admin or edit when the manifests do not define them. */
export const builtinAdminRole: ObjectCheck = (object, context) => {
  const binding = ownBinding(object, context);
  if (
    !binding ||
    binding.roleRef.kind !== 'ClusterRole' ||
    !BUILTIN_ADMIN.includes(binding.roleRef.name)
  ) {
    return [];
  }
  // Manifests that define a role of that name are linted on its rules instead.
  if (rolesOf(context).definesRole('ClusterRole', '', binding.roleRef.name)) return [];
  const where =
    binding.kind === 'RoleBinding' ? `in namespace '${binding.namespace}'` : 'cluster-wide';
  const message = `binds the built-in clusterrole '${binding.roleRef.name}' ${where}`;
  return [findingOf(BUILTIN_ADMIN_ROLE, message, context)];
};
