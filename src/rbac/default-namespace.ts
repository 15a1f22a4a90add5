/**
 * The namespace that `kubectl apply -n NS` gives to namespaced objects whose manifest names
 * none: many installs rely on it, so the lint, `can-i` and `who-can` take it as
 * `--default-namespace`.
 */
import type { KubeObject } from './kube-object.js';
import { lookupResource } from './resource-catalog.js';

/** Kinds that are cluster-scoped although the resource catalog does not say (its lookups are by plural). */
const CLUSTER_SCOPED_KINDS = new Set([
  'ClusterRole',
  'ClusterRoleBinding',
  'Namespace',
  'Node',
  'PersistentVolume',
  'CustomResourceDefinition',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'ComponentStatus',
]);

/** `Deployment` → `deployments`, `PriorityClass` → `priorityclasses`, `Policy` → `policies`. */
function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/**
 * Whether objects of this kind live in a namespace. Kinds the catalog does not know (custom
 * resources) are taken as namespaced, as most are.
 */
export function isNamespacedKind(apiVersion: string, kind: string): boolean {
  if (CLUSTER_SCOPED_KINDS.has(kind)) return false;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  return lookupResource(group, pluralOf(kind))?.namespaced ?? true;
}

/**
 * The object with `metadata.namespace` set to `namespace` when it is namespaced and names none;
 * otherwise the object itself. Never changes the object it is given.
 */
export function withDefaultNamespace(
  object: KubeObject,
  namespace: string | undefined,
): KubeObject {
  if (!namespace || object.metadata?.namespace) return object;
  if (!isNamespacedKind(object.apiVersion ?? '', object.kind ?? '')) return object;
  return { ...object, metadata: { ...object.metadata, namespace } };
}
