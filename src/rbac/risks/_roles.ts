/**
 * Private: the role index of an object check's context, built once per manifest list, and the
 * object's own binding.
 */
import { rbacPolicyFrom, type BindingObject, type KubeObject } from '../kube-object.js';
import { roleIndexOf, type RoleIndex } from '../role-index.js';
import type { ObjectContext } from './risk-rule.js';

const indexes = new WeakMap<readonly KubeObject[], RoleIndex>();

/** `context.roles`, or an index of `context.objects` (cached per list: lint checks every object). */
export function rolesOf(context: ObjectContext): RoleIndex {
  if (context.roles) return context.roles;
  let index = indexes.get(context.objects);
  if (!index) {
    index = roleIndexOf(context.objects);
    indexes.set(context.objects, index);
  }
  return index;
}

/** The object as a RoleBinding or ClusterRoleBinding (`context.policy`'s when given), if it is one. */
export function ownBinding(object: KubeObject, context: ObjectContext): BindingObject | undefined {
  return (context.policy ?? rbacPolicyFrom([object])).bindings[0];
}
