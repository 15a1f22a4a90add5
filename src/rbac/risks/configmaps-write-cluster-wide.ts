/** `configmaps-write-cluster-wide`: writing configmaps of every namespace. */
import { requestsOf } from './_probe.js';
import { clusterWideFindings } from './_role.js';
import type { RiskRuleInfo, RoleCheck } from './risk-rule.js';

/** The description of `configmaps-write-cluster-wide`. */
export const CONFIGMAPS_WRITE_CLUSTER_WIDE: RiskRuleInfo = {
  id: 'configmaps-write-cluster-wide',
  severity: 'error',
  title: 'write configmaps in every namespace',
  scope: 'role',
  explanation:
    "configmaps of other namespaces configure the cluster itself: kube-system's coredns Corefile redirects any name, and on EKS the aws-auth ConfigMap maps IAM identities to system:masters; bound by a ClusterRoleBinding, create/update/patch/delete on configmaps reaches all of them",
  fix: 'bind the rules on configmaps with a RoleBinding in the namespaces the workload writes to, or restrict them with resourceNames',
  requests: requestsOf(['create', 'update', 'patch', 'delete'], '', ['configmaps']),
};

/** Reports each rule of a ClusterRole bound cluster-wide that writes configmaps of any name. */
export const configmapsWriteClusterWide: RoleCheck = (role, context) =>
  clusterWideFindings(
    CONFIGMAPS_WRITE_CLUSTER_WIDE,
    CONFIGMAPS_WRITE_CLUSTER_WIDE.requests ?? [],
    role,
    context.bindings,
    context.location,
  );
