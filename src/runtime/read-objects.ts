/**
 * The objects the runtime reads from a cluster (Secrets, ServiceAccounts, bindings), as the
 * fields it uses. Public declarations name these instead of @kubernetes/client-node's classes,
 * so a consumer's program never loads client-node's declarations (which need `@types/ws` and
 * `esModuleInterop`); what client-node returns has these shapes.
 */
import type { RoleRef, Subject } from '../rbac/kube-object.js';

/** The metadata of an object as read. */
export interface ReadObjectMeta {
  /** The object's name. */
  readonly name?: string;
  /** The object's namespace. */
  readonly namespace?: string;
  /** The object's UID. */
  readonly uid?: string;
  /** The version to send back on a replace (optimistic concurrency). */
  readonly resourceVersion?: string;
  /** When the object was created (client-node gives a `Date`, JSON a string). */
  readonly creationTimestamp?: Date | string;
  /** The object's labels. */
  readonly labels?: { readonly [key: string]: string };
  /** The object's annotations. */
  readonly annotations?: { readonly [key: string]: string };
  /** The objects that own it (a binding Secret is owned by its ServiceAccount). */
  readonly ownerReferences?: readonly {
    /** The owner's kind, e.g. `ServiceAccount`. */
    readonly kind: string;
    /** The owner's name. */
    readonly name: string;
    /** The owner's UID. */
    readonly uid: string;
  }[];
}

/** A Secret as read. */
export interface SecretObject {
  /** `v1`. */
  readonly apiVersion?: string;
  /** `Secret`. */
  readonly kind?: string;
  /** Its metadata. */
  readonly metadata?: ReadObjectMeta;
  /** Its type, e.g. `access-tokens.cdk8s.io/token` or `kubernetes.io/service-account-token`. */
  readonly type?: string;
  /** Its data, each value base64-encoded. */
  readonly data?: { readonly [key: string]: string };
}

/** A ServiceAccount as read. */
export interface ServiceAccountObject {
  /** Its metadata. */
  readonly metadata?: ReadObjectMeta;
  /** Whether pods mount its token unless they say otherwise. */
  readonly automountServiceAccountToken?: boolean;
  /** The Secrets listed on it (legacy token Secrets). */
  readonly secrets?: readonly { readonly name?: string }[];
}

/** A RoleBinding or ClusterRoleBinding as read. */
export interface BindingObject {
  /** Its metadata (a RoleBinding's namespace is where it grants). */
  readonly metadata?: ReadObjectMeta;
  /** The role it grants. */
  readonly roleRef: RoleRef;
  /** Who it grants it to. */
  readonly subjects?: readonly Subject[];
}
