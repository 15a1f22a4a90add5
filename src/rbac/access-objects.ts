/**
 * The objects of a ServiceAccount's access, in the one shape that `ServiceAccountAccess`
 * synthesizes and its lint reads: the ServiceAccount, a Role and RoleBinding named after it,
 * and with cluster-wide rules a ClusterRole and ClusterRoleBinding. `legacy plan` lints the
 * construct it proposes through the same shape.
 */
import type { KubeObject } from './kube-object.js';
import type { PolicyRule } from './policy-rule.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const RBAC_API_VERSION = `${RBAC_GROUP}/v1`;

/** Metadata of the objects built by `roleOf` and `bindingOf`. */
export interface RbacMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

/** An RBAC object as both cdk8s `ApiObject` props and a `KubeObject`. */
export interface RbacObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: RbacMetadata;
  readonly [key: string]: unknown;
}

/** The name of a ServiceAccount's ClusterRole and ClusterRoleBinding: `<namespace>-<name>`. */
export function clusterObjectNameOf(namespace: string, name: string): string {
  return `${namespace}-${name}`;
}

/** A binding's subject for the ServiceAccount, as cdk8s-plus's `addSubjects` renders it. */
export function serviceAccountSubject(name: string, namespace: string): Record<string, string> {
  return { apiGroup: '', kind: 'ServiceAccount', name, namespace };
}

/**
 * A Role or ClusterRole (`rules` may be a cdk8s `Lazy` where the construct synthesizes it).
 */
export function roleOf(
  kind: 'Role' | 'ClusterRole',
  metadata: RbacMetadata,
  rules: unknown,
): RbacObject {
  return { apiVersion: RBAC_API_VERSION, kind, metadata, rules };
}

/** The binding of the role of `metadata.name` to the ServiceAccount `subject`. */
export function bindingOf(
  roleKind: 'Role' | 'ClusterRole',
  metadata: RbacMetadata,
  subject: Record<string, string>,
): RbacObject {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: `${roleKind}Binding`,
    metadata,
    roleRef: { apiGroup: RBAC_GROUP, kind: roleKind, name: metadata.name },
    subjects: [subject],
  };
}

/** What `accessObjects` builds. */
export interface AccessObjectsSpec {
  readonly namespace: string;
  /** The ServiceAccount's name, which its Role and RoleBinding share. */
  readonly serviceAccountName: string;
  readonly rules: readonly PolicyRule[];
  /** The ClusterRole's and ClusterRoleBinding's name and rules, when it has cluster-wide ones. */
  readonly cluster?: { readonly name: string; readonly rules: readonly PolicyRule[] };
  /** The annotations of the roles (the acknowledged risks). */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The ServiceAccount, its Role and RoleBinding, and its ClusterRole and binding if any. */
export function accessObjects(spec: AccessObjectsSpec): KubeObject[] {
  const meta = { name: spec.serviceAccountName, namespace: spec.namespace };
  const annotations = spec.annotations ?? {};
  const subject = serviceAccountSubject(spec.serviceAccountName, spec.namespace);
  const objects: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta,
      automountServiceAccountToken: false,
    },
    roleOf('Role', { ...meta, annotations }, spec.rules),
    bindingOf('Role', meta, subject),
  ];
  if (spec.cluster) {
    const clusterMeta = { name: spec.cluster.name, annotations };
    objects.push(
      roleOf('ClusterRole', clusterMeta, spec.cluster.rules),
      bindingOf('ClusterRole', clusterMeta, subject),
    );
  }
  return objects;
}
