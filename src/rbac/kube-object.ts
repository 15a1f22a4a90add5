/**
 * The minimal shape of a Kubernetes object as read from YAML/JSON manifests. Plain data: the
 * rbac engine reads synthesized output, a Helm chart's output or `kubectl get -o yaml` alike.
 */
import type { PolicyRule } from './policy-rule.js';

/** Any Kubernetes object. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** A subject of a (Cluster)RoleBinding. */
export interface Subject {
  readonly kind: 'User' | 'Group' | 'ServiceAccount' | string;
  readonly name: string;
  readonly namespace?: string;
  readonly apiGroup?: string;
}

/** A reference from a binding to a Role or ClusterRole. */
export interface RoleRef {
  readonly kind: 'Role' | 'ClusterRole' | string;
  readonly name: string;
  readonly apiGroup?: string;
}

/** A Role (namespace set) or ClusterRole (namespace `''`). */
export interface RoleObject {
  readonly kind: 'Role' | 'ClusterRole';
  readonly name: string;
  readonly namespace: string;
  readonly rules: readonly PolicyRule[];
  readonly annotations: Readonly<Record<string, string>>;
}

/** A RoleBinding (namespace set) or ClusterRoleBinding (namespace `''`). */
export interface BindingObject {
  readonly kind: 'RoleBinding' | 'ClusterRoleBinding';
  readonly name: string;
  readonly namespace: string;
  readonly roleRef: RoleRef;
  readonly subjects: readonly Subject[];
  readonly annotations: Readonly<Record<string, string>>;
}

/** The RBAC objects of a set of manifests, ready for the authorizer. */
export interface RbacPolicySet {
  readonly roles: readonly RoleObject[];
  readonly bindings: readonly BindingObject[];
}

/** The annotation on a Role or ClusterRole that records acknowledged risks (JSON array). */
export const ACKNOWLEDGED_RISKS_ANNOTATION = 'access-tokens.cdk8s.io/acknowledged-risks';

const RBAC_GROUP = 'rbac.authorization.k8s.io/';

function isRbac(obj: KubeObject, kind: string): boolean {
  return obj.kind === kind && (obj.apiVersion ?? '').startsWith(RBAC_GROUP);
}

/** Picks the RBAC objects out of any list of Kubernetes objects. */
export function rbacPolicyFrom(objects: readonly KubeObject[]): RbacPolicySet {
  const roles: RoleObject[] = [];
  const bindings: BindingObject[] = [];
  for (const obj of objects) {
    const name = obj.metadata?.name ?? '';
    const annotations = obj.metadata?.annotations ?? {};
    for (const kind of ['Role', 'ClusterRole'] as const) {
      if (isRbac(obj, kind)) {
        roles.push({
          kind,
          name,
          namespace: kind === 'Role' ? (obj.metadata?.namespace ?? '') : '',
          rules: (obj.rules as PolicyRule[] | undefined) ?? [],
          annotations,
        });
      }
    }
    for (const kind of ['RoleBinding', 'ClusterRoleBinding'] as const) {
      if (isRbac(obj, kind)) {
        bindings.push({
          kind,
          name,
          namespace: kind === 'RoleBinding' ? (obj.metadata?.namespace ?? '') : '',
          roleRef: obj.roleRef as RoleRef,
          subjects: (obj.subjects as Subject[] | undefined) ?? [],
          annotations,
        });
      }
    }
  }
  return { roles, bindings };
}
