/** `cluster-wide-grant`: a ClusterRoleBinding, which grants its ClusterRole in every namespace. */
import type { Subject } from '../kube-object.js';
import { findingOf, type ObjectCheck, type RiskRuleInfo } from './risk-rule.js';

/** The description of `cluster-wide-grant`. */
export const CLUSTER_WIDE_GRANT: RiskRuleInfo = {
  id: 'cluster-wide-grant',
  severity: 'error',
  title: 'cluster-wide grant',
  scope: 'object',
  explanation:
    'a ClusterRoleBinding grants its ClusterRole in every namespace, present and future, and on cluster-scoped resources, so a token leak reaches the whole cluster',
  fix: 'bind the ClusterRole (or a Role) with a RoleBinding in each namespace that needs it; acknowledge on the binding or its ClusterRole when cluster scope is really needed',
};

function describeSubject(subject: Subject): string {
  const ns = subject.namespace ? `${subject.namespace}/` : '';
  return `${subject.kind} ${ns}${subject.name}`;
}

/** Reports a ClusterRoleBinding, naming its ClusterRole and subjects. */
export const clusterWideGrant: ObjectCheck = (object, context) => {
  if (
    object.kind !== 'ClusterRoleBinding' ||
    !(object.apiVersion ?? '').startsWith('rbac.authorization.k8s.io/')
  ) {
    return [];
  }
  const roleRef = object.roleRef as { kind?: string; name?: string } | undefined;
  const subjects = (object.subjects as Subject[] | undefined) ?? [];
  const to = subjects.length > 0 ? subjects.map(describeSubject).join(', ') : 'no subjects';
  const message = `binds ${(roleRef?.kind ?? 'ClusterRole').toLowerCase()} '${roleRef?.name ?? ''}' cluster-wide to ${to}`;
  return [findingOf(CLUSTER_WIDE_GRANT, message, context)];
};
