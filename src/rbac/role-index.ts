/**
 * The roles and bindings of a set of manifests, looked up both ways: the role a binding grants
 * and the bindings that grant a role. Roles the manifests do not define may come from
 * Kubernetes' bootstrap policy (`BOOTSTRAP_CLUSTER_ROLES`), which the API server creates itself.
 */
import {
  rbacPolicyFrom,
  type BindingObject,
  type KubeObject,
  type RbacPolicySet,
  type RoleObject,
  type RoleRef,
} from './kube-object.js';

/** `ClusterRole//view`, `Role/shop/deployer`: the key of a role. */
export function roleKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${kind === 'ClusterRole' ? '' : namespace}/${name}`;
}

/** The key of the role a binding in `namespace` refers to. */
export function roleRefKey(ref: RoleRef, namespace: string): string {
  return roleKey(ref.kind, namespace, ref.name);
}

/** Roles and bindings of manifests, indexed. */
export interface RoleIndex {
  /** Every role of the manifests, aggregated ClusterRoles with their aggregated rules. */
  readonly roles: readonly RoleObject[];
  /** Every binding of the manifests. */
  readonly bindings: readonly BindingObject[];
  /** The role a binding grants: from the manifests, else from `extraRoles`; undefined when neither has it. */
  roleOf(binding: BindingObject): RoleObject | undefined;
  /** Whether the manifests themselves define the role (not only `extraRoles`). */
  definesRole(kind: string, namespace: string, name: string): boolean;
  /** The bindings of the manifests that grant `role`. */
  bindingsOf(role: Pick<RoleObject, 'kind' | 'namespace' | 'name'>): readonly BindingObject[];
}

/**
 * `extraRoles` by key, built once per list: the lint indexes the same frozen bootstrap roles
 * for every construct it checks.
 */
const extraIndexes = new WeakMap<readonly RoleObject[], ReadonlyMap<string, RoleObject>>();

function extraRolesByKey(extraRoles: readonly RoleObject[]): ReadonlyMap<string, RoleObject> {
  const cached = extraIndexes.get(extraRoles);
  if (cached) return cached;
  const byKey = new Map(extraRoles.map((r) => [roleKey(r.kind, r.namespace, r.name), r]));
  // Only a frozen list of frozen roles cannot change after it was indexed.
  if (Object.isFrozen(extraRoles) && extraRoles.every((r) => Object.isFrozen(r))) {
    extraIndexes.set(extraRoles, byKey);
  }
  return byKey;
}

/**
 * Indexes the RBAC objects of `objects`. `extraRoles` (e.g. the bootstrap ClusterRoles) answer
 * `roleOf` for roles the manifests do not define; a role of the manifests wins over one of the
 * same name there, as `kubectl apply` would replace it.
 */
export function roleIndexOf(
  objects: readonly KubeObject[],
  extraRoles: readonly RoleObject[] = [],
): RoleIndex {
  return roleIndexOfPolicy(rbacPolicyFrom(objects), extraRoles);
}

/** `roleIndexOf` of manifests whose RBAC the caller has parsed (`rbacPolicyFrom`) already. */
export function roleIndexOfPolicy(
  policy: RbacPolicySet,
  extraRoles: readonly RoleObject[] = [],
): RoleIndex {
  const own = new Map<string, RoleObject>();
  for (const role of policy.roles) {
    const key = roleKey(role.kind, role.namespace, role.name);
    if (!own.has(key)) own.set(key, role);
  }
  const extra = extraRolesByKey(extraRoles);
  const byRole = new Map<string, BindingObject[]>();
  for (const binding of policy.bindings) {
    const key = roleRefKey(binding.roleRef, binding.namespace);
    byRole.set(key, [...(byRole.get(key) ?? []), binding]);
  }
  return {
    roles: policy.roles,
    bindings: policy.bindings,
    roleOf: (binding) => {
      const key = roleRefKey(binding.roleRef, binding.namespace);
      return own.get(key) ?? extra.get(key);
    },
    definesRole: (kind, namespace, name) => own.has(roleKey(kind, namespace, name)),
    bindingsOf: (role) => byRole.get(roleKey(role.kind, role.namespace, role.name)) ?? [],
  };
}
