/**
 * An offline authorizer with Kubernetes' RBAC semantics, over Roles, ClusterRoles,
 * RoleBindings and ClusterRoleBindings given as plain data.
 *
 * - A ClusterRoleBinding grants its ClusterRole everywhere: every namespace, cluster-scoped
 *   resources, cluster-wide requests (namespace `''`) and non-resource URLs.
 * - A RoleBinding grants its Role, or a ClusterRole's resource rules, only in its own
 *   namespace; never non-resource URLs.
 * - A ServiceAccount subject matches the user `system:serviceaccount:NS:NAME`.
 *
 * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/
 */
import type { BindingObject, RbacPolicySet, RoleObject, Subject } from './kube-object.js';
import {
  isNonResourceRequest,
  ruleAllows,
  type AccessRequest,
  type PolicyRule,
} from './policy-rule.js';
import { compareText } from './text-order.js';

/** Who is asking: a user name and its groups, as the authenticator reports them. */
export interface UserInfo {
  /** The user name, e.g. `alice` or `system:serviceaccount:NS:NAME`. */
  readonly user: string;
  /**
   * The user's groups, taken as given: nothing is added (`impersonatedUser` adds what the API
   * server would). Absent: no groups.
   */
  readonly groups?: readonly string[];
}

/** The answer to an authorization question, with the grant that allowed it. */
export interface Decision {
  /** Whether a binding grants the request. RBAC only grants, so `false` means no grant found. */
  readonly allowed: boolean;
  /** `RoleBinding shop/deployer of Role shop/deployer, rule 0`, when allowed. */
  readonly reason?: string;
}

/** One subject found by `whoCan`, with the binding that grants it. */
export interface WhoCanEntry {
  /** The subject as the binding names it (a group may stand for many users). */
  readonly subject: Subject;
  /** The binding, e.g. `RoleBinding shop/deployer` or `ClusterRoleBinding admins`. */
  readonly binding: string;
  /** The role it binds, e.g. `Role shop/deployer` or `ClusterRole admin`. */
  readonly role: string;
}

const SA_PREFIX = 'system:serviceaccount:';

/** The user name a ServiceAccount authenticates as. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `${SA_PREFIX}${namespace}:${name}`;
}

/** The group every authenticated user is in. */
export const AUTHENTICATED_GROUP = 'system:authenticated';
/** The group of unauthenticated requests. */
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
/** The group every ServiceAccount of every namespace is in. */
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

/** The groups the API server gives a ServiceAccount's token. */
export function serviceAccountGroups(namespace: string): string[] {
  return [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`, AUTHENTICATED_GROUP];
}

/** Splits `system:serviceaccount:NS:NAME`; undefined for other users. */
export function parseServiceAccountUser(
  user: string,
): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SA_PREFIX)) return undefined;
  const parts = user.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

function subjectMatches(subject: Subject, who: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === who.user;
    case 'Group':
      return (who.groups ?? []).includes(subject.name);
    case 'ServiceAccount': {
      // Like the API server: a subject without a namespace means the binding's namespace.
      const namespace = subject.namespace || bindingNamespace;
      return namespace !== '' && serviceAccountUser(namespace, subject.name) === who.user;
    }
    default:
      return false;
  }
}

/** The namespace of a request; `''` for non-resource and cluster-wide requests. */
function requestNamespace(request: AccessRequest): string {
  return isNonResourceRequest(request) ? '' : (request.namespace ?? '');
}

/** Evaluates access requests against a fixed set of RBAC objects. */
export class RbacAuthorizer {
  private readonly roles = new Map<string, RoleObject>();
  private readonly bindings: readonly BindingObject[];

  constructor(policy: RbacPolicySet) {
    for (const role of policy.roles) {
      this.roles.set(`${role.kind}/${role.namespace}/${role.name}`, role);
    }
    this.bindings = policy.bindings;
  }

  /** The role a binding refers to, if it exists (a dangling roleRef grants nothing). */
  private roleOf(binding: BindingObject): RoleObject | undefined {
    const ns = binding.roleRef.kind === 'Role' ? binding.namespace : '';
    if (binding.roleRef.kind === 'Role' && binding.kind !== 'RoleBinding') return undefined;
    return this.roles.get(`${binding.roleRef.kind}/${ns}/${binding.roleRef.name}`);
  }

  /** The bindings that apply to a request's namespace, with the rules they grant there. */
  private *grants(
    request: AccessRequest,
  ): Generator<{ binding: BindingObject; role: RoleObject; rules: readonly PolicyRule[] }> {
    const namespace = requestNamespace(request);
    for (const binding of this.bindings) {
      if (binding.kind === 'RoleBinding') {
        // A RoleBinding grants only inside its namespace, and never non-resource URLs.
        if (isNonResourceRequest(request) || namespace === '' || binding.namespace !== namespace)
          continue;
      }
      const role = this.roleOf(binding);
      if (role) yield { binding, role, rules: role.rules };
    }
  }

  /** Whether `who` may make the request. */
  authorize(who: UserInfo, request: AccessRequest): Decision {
    for (const { binding, role, rules } of this.grants(request)) {
      if (!binding.subjects.some((s) => subjectMatches(s, who, binding.namespace))) continue;
      const index = rules.findIndex((rule) => ruleAllows(rule, request));
      if (index >= 0) {
        return {
          allowed: true,
          reason: `${describe(binding)} of ${describe(role)}, rule ${index}`,
        };
      }
    }
    return { allowed: false };
  }

  /** Every subject some binding allows to make the request (the inverse of `authorize`). */
  whoCan(request: AccessRequest): WhoCanEntry[] {
    const found: WhoCanEntry[] = [];
    for (const { binding, role, rules } of this.grants(request)) {
      if (!rules.some((rule) => ruleAllows(rule, request))) continue;
      for (const subject of binding.subjects) {
        // A ServiceAccount subject with no namespace anywhere matches nobody.
        if (subject.kind === 'ServiceAccount' && !subject.namespace && !binding.namespace) continue;
        found.push({ subject, binding: describe(binding), role: describe(role) });
      }
    }
    return found.sort((a, b) => compareText(subjectKey(a), subjectKey(b)));
  }
}

function describe(obj: { kind: string; namespace: string; name: string }): string {
  return obj.namespace ? `${obj.kind} ${obj.namespace}/${obj.name}` : `${obj.kind} ${obj.name}`;
}

function subjectKey(entry: WhoCanEntry): string {
  const s = entry.subject;
  return `${s.kind}\u0000${s.namespace ?? ''}\u0000${s.name}\u0000${entry.binding}`;
}

/**
 * Whether a binding's subject applies to a ServiceAccount, as the API server decides it: the
 * subject names the ServiceAccount, its user name, or a group its tokens carry
 * (`serviceAccountGroups`). `bindingNamespace` is `''` for a ClusterRoleBinding.
 */
export function subjectAppliesToServiceAccount(
  subject: Subject,
  namespace: string,
  name: string,
  bindingNamespace: string,
): boolean {
  const who = {
    user: serviceAccountUser(namespace, name),
    groups: serviceAccountGroups(namespace),
  };
  return subjectMatches(subject, who, bindingNamespace);
}
