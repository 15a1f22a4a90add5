/**
 * `cluster-wide-grant`: a ClusterRoleBinding whose ClusterRole grants namespaced resources,
 * which a RoleBinding in each namespace that needs them could grant instead.
 */
import type { Subject } from '../kube-object.js';
import { isNonResourceRule, type PolicyRule } from '../policy-rule.js';
import { lookupResource } from '../resource-catalog.js';
import { isKubernetesGroup } from './_reach.js';
import { ownBinding, rolesOf } from './_roles.js';
import { BUILTIN_ADMIN } from './unresolved-role.js';
import { findingOf, type ObjectCheck, type RiskRuleInfo } from './risk-rule.js';

/** The description of `cluster-wide-grant`. */
export const CLUSTER_WIDE_GRANT: RiskRuleInfo = {
  id: 'cluster-wide-grant',
  severity: 'warning',
  title: 'cluster-wide grant of namespaced resources',
  scope: 'object',
  explanation:
    "a ClusterRoleBinding grants its ClusterRole's namespaced resources in every namespace, present and future, so a token leak reaches all of them; only reported where RoleBindings could grant the same (cluster-scoped resources and nonResourceURLs need the ClusterRoleBinding), and a warning because the risky grants themselves are reported by their own rules",
  fix: 'bind the ClusterRole (or a Role) with a RoleBinding in each namespace that needs it; acknowledge on the binding or its ClusterRole when every namespace is really needed (a controller watching the whole cluster)',
};

function describeSubject(subject: Subject): string {
  const ns = subject.namespace ? `${subject.namespace}/` : '';
  return `${subject.kind} ${ns}${subject.name}`;
}

/**
 * The resources of a rule that a RoleBinding could grant: namespaced built-in resources,
 * `*`, and resources of other groups (a CRD's scope is not known from RBAC alone).
 */
function namespacedResources(rule: PolicyRule): string[] {
  if (isNonResourceRule(rule)) return [];
  const groups = rule.apiGroups ?? [];
  return (rule.resources ?? []).filter((resource) => {
    const base = resource.split('/')[0];
    return groups.some((group) => {
      if (group === '*' || base === '*') return true;
      const entry = lookupResource(group, base);
      return entry ? entry.namespaced : !isKubernetesGroup(group);
    });
  });
}

/**
 * Reports a ClusterRoleBinding whose ClusterRole grants namespaced resources, naming them, the
 * subjects, and the namespaces of its ServiceAccounts (where a RoleBinding would usually go).
 * Not reported for a role that is not known (`unresolved-role` is), for Kubernetes' admin roles
 * (`builtin-admin-role` is), or for a role that grants only
 * cluster-scoped resources and nonResourceURLs.
 */
export const clusterWideGrant: ObjectCheck = (object, context) => {
  const binding = ownBinding(object, context);
  if (binding?.kind !== 'ClusterRoleBinding') return [];
  const roles = rolesOf(context);
  const { name } = binding.roleRef;
  // builtin-admin-role reports a binding to Kubernetes' own admin roles.
  if (BUILTIN_ADMIN.includes(name) && !roles.definesRole('ClusterRole', '', name)) return [];
  const role = roles.roleOf(binding);
  if (!role) return [];
  const namespaced = [...new Set(role.rules.flatMap(namespacedResources))];
  if (namespaced.length === 0) return [];
  const subjects = binding.subjects;
  const to = subjects.length > 0 ? subjects.map(describeSubject).join(', ') : 'no subjects';
  const namespaces = [
    ...new Set(
      subjects.filter((s) => s.kind === 'ServiceAccount' && s.namespace).map((s) => s.namespace),
    ),
  ];
  const where =
    namespaces.length > 0
      ? `; a RoleBinding in ${namespaces.map((n) => `'${n}'`).join(', ')} (its ServiceAccounts' namespace) or in each namespace it works in could grant them`
      : '; RoleBindings in the namespaces it works in could grant them';
  const message = `binds clusterrole '${name}' cluster-wide to ${to}: its namespaced resources (${namespaced.join(', ')}) are granted in every namespace${where}`;
  return [findingOf(CLUSTER_WIDE_GRANT, message, context)];
};
