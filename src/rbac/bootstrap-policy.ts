/**
 * Kubernetes' bootstrap RBAC policy: the ClusterRoles, Roles and their bindings that the API
 * server creates itself on start (`view`, `edit`, `admin`, `cluster-admin`,
 * `system:auth-delegator`, `extension-apiserver-authentication-reader`, ...), as data, so that
 * the lint, `can-i` and `who-can` resolve bindings to them. See `BOOTSTRAP_POLICY_VERSION` for
 * where the data came from.
 */
import {
  AUTHENTICATED_GROUP,
  SERVICE_ACCOUNTS_GROUP,
  UNAUTHENTICATED_GROUP,
} from './authorizer.js';
import bootstrap from './bootstrap-policy.data.js';
import {
  rbacPolicyFrom,
  type BindingObject,
  type KubeObject,
  type RoleObject,
} from './kube-object.js';

/**
 * The Kubernetes release the bootstrap policy data was taken from, as named by its folder under
 * data/bootstrap-policy/ (`1.36-mixed`: the newest files that could be reached, not all from
 * one commit; see `BOOTSTRAP_POLICY_SOURCES`).
 */
export const BOOTSTRAP_POLICY_VERSION: string = bootstrap.version;

/** Where each testdata file of the data came from (a file name to its repository and commit). */
export const BOOTSTRAP_POLICY_SOURCES: Readonly<Record<string, string>> = bootstrap.sources;

/** The bootstrap objects as the API server stores them (ClusterRoles aggregated). */
export const BOOTSTRAP_OBJECTS: readonly KubeObject[] = bootstrap.objects;

let roles: readonly RoleObject[] | undefined;

/**
 * The bootstrap ClusterRoles and Roles, parsed once (aggregated roles with their rules), frozen
 * through and shared: every lint indexes them, and no caller can change them.
 */
export function bootstrapRoles(): readonly RoleObject[] {
  roles ??= deepFreeze(rbacPolicyFrom(BOOTSTRAP_OBJECTS).roles);
  return roles;
}

/**
 * The groups whose bootstrap bindings hold for whole classes of users: every authenticated
 * user, every unauthenticated request, every ServiceAccount.
 */
const GROUPS_OF_EVERYONE: ReadonlySet<string> = new Set([
  AUTHENTICATED_GROUP,
  UNAUTHENTICATED_GROUP,
  SERVICE_ACCOUNTS_GROUP,
]);

let everyoneBindings: readonly BindingObject[] | undefined;

/**
 * The bootstrap ClusterRoleBindings that bind only groups of everyone
 * (`system:authenticated`, `system:unauthenticated`, `system:serviceaccounts`): in Kubernetes
 * 1.20 `system:discovery`, `system:basic-user`, `system:public-info-viewer` and
 * `system:service-account-issuer-discovery` (discovery, /healthz, /version, self access
 * reviews, the token issuer's keys), which every cluster grants whatever its manifests say.
 * The bindings of named controllers and nodes are not among them. Frozen and shared.
 */
export function bootstrapBindingsOfEveryone(): readonly BindingObject[] {
  everyoneBindings ??= deepFreeze(
    rbacPolicyFrom(BOOTSTRAP_OBJECTS).bindings.filter(
      (b) =>
        b.kind === 'ClusterRoleBinding' &&
        b.subjects.length > 0 &&
        b.subjects.every((s) => s.kind === 'Group' && GROUPS_OF_EVERYONE.has(s.name)),
    ),
  );
  return everyoneBindings;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
