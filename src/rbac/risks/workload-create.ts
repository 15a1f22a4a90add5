/** `workload-create`: creating pods or workloads, or changing the pod template of a workload controller. */
import { describeGrants, grantsOf, requestsOf, wildcardNote } from './_probe.js';
import { findingOf, type PolicyRuleCheck, type RiskRuleInfo } from './risk-rule.js';

/** The workload controllers whose pod template decides which ServiceAccount pods run as. */
export const WORKLOAD_CONTROLLERS = {
  '': ['replicationcontrollers'],
  apps: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
  batch: ['jobs', 'cronjobs'],
} as const;

/**
 * The workload controllers whose pod template may be changed after creation, so that update
 * or patch chooses the ServiceAccount and images of the pods it creates next. A Job's pod
 * template is immutable (the API server rejects the change), and a Pod's serviceAccountName is
 * too (its images are not: see `pods-update`).
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/#pod-template
 */
export const MUTABLE_TEMPLATE_CONTROLLERS = {
  '': ['replicationcontrollers'],
  apps: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
  batch: ['cronjobs'],
} as const;

/** update/patch of every workload controller whose pod template is mutable. */
export const WORKLOAD_CHANGES = Object.entries(MUTABLE_TEMPLATE_CONTROLLERS).flatMap(
  ([group, resources]) => requestsOf(['update', 'patch'], group, resources),
);

/** The description of `workload-create`. */
export const WORKLOAD_CREATE: RiskRuleInfo = {
  id: 'workload-create',
  severity: 'error',
  title: 'create pods or workloads',
  scope: 'rule',
  explanation:
    "whoever creates a pod chooses its ServiceAccount, so creating pods or workloads grants the permissions of every ServiceAccount in the namespace, plus its secrets and hostPath volumes where admission allows them; updating or patching the pod template of a Deployment, ReplicaSet, StatefulSet, DaemonSet, ReplicationController or CronJob does the same (a Job's pod template is immutable, so patching Jobs is not reported)",
  fix: 'let a GitOps controller or a reviewed pipeline create workloads; to roll out, grant update/patch only on the named workloads (resourceNames), or acknowledge it',
  requests: [
    ...requestsOf(['create'], '', ['pods']),
    ...Object.entries(WORKLOAD_CONTROLLERS).flatMap(([group, resources]) =>
      requestsOf(['create'], group, resources),
    ),
    ...WORKLOAD_CHANGES,
  ],
};

/**
 * Reports a rule that allows creating pods or workloads, or changing workload controllers of
 * any name. Changing only named workloads is the narrower `workload-update` warning.
 */
export const workloadCreate: PolicyRuleCheck = (rule, context) => {
  const grants = grantsOf(rule, WORKLOAD_CREATE.requests ?? []).filter(
    (g) => g.request.verb === 'create' || g.names === 'any',
  );
  if (grants.length === 0) return [];
  const message = `grants ${describeGrants(grants)}${wildcardNote(rule)}`;
  return [findingOf(WORKLOAD_CREATE, message, context, rule)];
};
