/**
 * The built-in resources of Kubernetes 1.27 that RBAC rules name, by API group, with their
 * scope and subresources. Used to reject misspelt resource strings in built-in groups
 * (`deployment`, `Pods`, `deployments` without `.apps`) and to tell namespaced from
 * cluster-scoped resources. Resources of other groups (CRDs, aggregated APIs) are accepted as
 * long as they are well-formed.
 *
 * @see https://kubernetes.io/docs/reference/kubernetes-api/
 */

/** One built-in resource. */
export interface CatalogEntry {
  readonly apiGroup: string;
  readonly resource: string;
  readonly namespaced: boolean;
  readonly subresources: readonly string[];
}

type Row = readonly [resource: string, namespaced: boolean, subresources?: readonly string[]];

const GROUPS: Readonly<Record<string, readonly Row[]>> = {
  '': [
    ['bindings', true],
    ['componentstatuses', false],
    ['configmaps', true],
    ['endpoints', true],
    ['events', true],
    ['limitranges', true],
    ['namespaces', false, ['finalize', 'status']],
    // The kubelet authorizes its API as these nodes subresources (metrics, stats, log, ...).
    [
      'nodes',
      false,
      [
        'proxy',
        'status',
        'metrics',
        'stats',
        'log',
        'spec',
        'configz',
        'healthz',
        'pods',
        'checkpoint',
      ],
    ],
    ['persistentvolumeclaims', true, ['status']],
    ['persistentvolumes', false, ['status']],
    [
      'pods',
      true,
      [
        'attach',
        'binding',
        'ephemeralcontainers',
        'eviction',
        'exec',
        'log',
        'portforward',
        'proxy',
        'status',
      ],
    ],
    ['podtemplates', true],
    ['replicationcontrollers', true, ['scale', 'status']],
    ['resourcequotas', true, ['status']],
    ['secrets', true],
    ['serviceaccounts', true, ['token']],
    ['services', true, ['proxy', 'status']],
  ],
  'admissionregistration.k8s.io': [
    ['mutatingwebhookconfigurations', false],
    ['validatingwebhookconfigurations', false],
    ['validatingadmissionpolicies', false, ['status']],
    // Alpha in 1.30, beta in 1.32: RBAC of current releases names them.
    ['mutatingadmissionpolicies', false],
    ['mutatingadmissionpolicybindings', false],
    ['validatingadmissionpolicybindings', false],
  ],
  'apiextensions.k8s.io': [['customresourcedefinitions', false, ['status']]],
  'apiregistration.k8s.io': [['apiservices', false, ['status']]],
  apps: [
    ['controllerrevisions', true],
    ['daemonsets', true, ['status']],
    ['deployments', true, ['scale', 'status']],
    ['replicasets', true, ['scale', 'status']],
    ['statefulsets', true, ['scale', 'status']],
  ],
  'authentication.k8s.io': [
    ['tokenreviews', false],
    ['selfsubjectreviews', false],
  ],
  'authorization.k8s.io': [
    ['localsubjectaccessreviews', true],
    ['selfsubjectaccessreviews', false],
    ['selfsubjectrulesreviews', false],
    ['subjectaccessreviews', false],
  ],
  autoscaling: [['horizontalpodautoscalers', true, ['status']]],
  batch: [
    ['cronjobs', true, ['status']],
    ['jobs', true, ['status']],
  ],
  'certificates.k8s.io': [
    ['certificatesigningrequests', false, ['approval', 'status']],
    ['signers', false],
  ],
  'coordination.k8s.io': [['leases', true]],
  'discovery.k8s.io': [['endpointslices', true]],
  'events.k8s.io': [['events', true]],
  'flowcontrol.apiserver.k8s.io': [
    ['flowschemas', false, ['status']],
    ['prioritylevelconfigurations', false, ['status']],
  ],
  'networking.k8s.io': [
    ['ingressclasses', false],
    ['ingresses', true, ['status']],
    ['networkpolicies', true, ['status']],
  ],
  'node.k8s.io': [['runtimeclasses', false]],
  policy: [['poddisruptionbudgets', true, ['status']]],
  'rbac.authorization.k8s.io': [
    ['clusterrolebindings', false],
    ['clusterroles', false],
    ['rolebindings', true],
    ['roles', true],
  ],
  'scheduling.k8s.io': [['priorityclasses', false]],
  'storage.k8s.io': [
    ['csidrivers', false],
    ['csinodes', false],
    ['csistoragecapacities', true],
    ['storageclasses', false],
    ['volumeattachments', false, ['status']],
  ],
};

const CATALOG: ReadonlyMap<string, CatalogEntry> = new Map(
  Object.entries(GROUPS).flatMap(([apiGroup, rows]) =>
    rows.map(([resource, namespaced, subresources]): [string, CatalogEntry] => [
      `${apiGroup}/${resource}`,
      { apiGroup, resource, namespaced, subresources: subresources ?? [] },
    ]),
  ),
);

/** True when the API group is one of Kubernetes' built-in groups. */
export function isBuiltInGroup(apiGroup: string): boolean {
  return Object.prototype.hasOwnProperty.call(GROUPS, apiGroup);
}

/** The catalog entry of a built-in resource, if it is one. */
export function lookupResource(apiGroup: string, resource: string): CatalogEntry | undefined {
  return CATALOG.get(`${apiGroup}/${resource}`);
}

/** The built-in groups that have a resource of this name (to suggest `deployments.apps`). */
export function groupsOfResource(resource: string): string[] {
  return [...CATALOG.values()].filter((e) => e.resource === resource).map((e) => e.apiGroup);
}
