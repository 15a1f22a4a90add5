/** `pods-delete-cluster-wide`: deleting pods of every namespace. */
import { requestsOf } from './_probe.js';
import { clusterWideFindings } from './_role.js';
import type { RiskRuleInfo, RoleCheck } from './risk-rule.js';

/** The description of `pods-delete-cluster-wide`. */
export const PODS_DELETE_CLUSTER_WIDE: RiskRuleInfo = {
  id: 'pods-delete-cluster-wide',
  severity: 'warning',
  title: 'delete pods in every namespace',
  scope: 'role',
  explanation:
    "deleting any pod of the cluster, kube-system's included, takes down other teams' workloads and the cluster's own add-ons, and makes their replacements land on nodes the scheduler picks next (see node-steering); it grants no access by itself, hence a warning",
  fix: 'bind the rule with a RoleBinding in the namespaces the workload manages, or use the eviction API (pods/eviction), which honours PodDisruptionBudgets',
  requests: requestsOf(['delete', 'deletecollection'], '', ['pods']),
};

/** Reports each rule of a ClusterRole bound cluster-wide that deletes pods of any name. */
export const podsDeleteClusterWide: RoleCheck = (role, context) =>
  clusterWideFindings(
    PODS_DELETE_CLUSTER_WIDE,
    PODS_DELETE_CLUSTER_WIDE.requests ?? [],
    role,
    context.bindings,
    context.location,
  );
