/**
 * The minimal shape of a Kubernetes object as read from YAML/JSON manifests. Plain data: the
 * rbac engine reads synthesized output, a Helm chart's output or `kubectl get -o yaml` alike.
 */
import { sanitizeRule, type PolicyRule } from './policy-rule.js';

/** Any Kubernetes object. */
export interface KubeObject {
  /** `group/version`, e.g. `rbac.authorization.k8s.io/v1`; `v1` for the core group. */
  readonly apiVersion?: string;
  /** The object's kind, e.g. `Role`. */
  readonly kind?: string;
  /** The metadata; fields other than these four are kept as read. */
  readonly metadata?: {
    /** The object's name. */
    readonly name?: string;
    /** Absent for cluster-scoped objects, and in manifests left to `kubectl apply -n`. */
    readonly namespace?: string;
    /** The object's labels. */
    readonly labels?: Readonly<Record<string, string>>;
    /** The object's annotations. */
    readonly annotations?: Readonly<Record<string, string>>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** A subject of a (Cluster)RoleBinding. */
export interface Subject {
  /**
   * `User`, `Group` or `ServiceAccount`; the authorizer matches no one for any other kind.
   * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects
   */
  readonly kind: 'User' | 'Group' | 'ServiceAccount' | string;
  /** The user name, group name or ServiceAccount name. */
  readonly name: string;
  /**
   * A ServiceAccount's namespace. When absent, the binding's own namespace; on a
   * ClusterRoleBinding such a ServiceAccount subject matches no one.
   */
  readonly namespace?: string;
  /** `rbac.authorization.k8s.io` for users and groups, `''` for ServiceAccounts; not evaluated. */
  readonly apiGroup?: string;
}

/** A reference from a binding to a Role or ClusterRole. */
export interface RoleRef {
  /** `Role` (from a RoleBinding only: the Role of its namespace) or `ClusterRole`. */
  readonly kind: 'Role' | 'ClusterRole' | string;
  /** The role's name; a role that does not exist grants nothing. */
  readonly name: string;
  /** `rbac.authorization.k8s.io`; not evaluated. */
  readonly apiGroup?: string;
}

/** A Role (namespace set) or ClusterRole (namespace `''`). */
export interface RoleObject {
  /** `Role` or `ClusterRole`. */
  readonly kind: 'Role' | 'ClusterRole';
  /** The role's name; `''` when the manifest has none. */
  readonly name: string;
  /** The Role's namespace; `''` for a ClusterRole. */
  readonly namespace: string;
  /**
   * The rules; malformed fields are dropped, a rule without verbs grants nothing. An aggregated
   * ClusterRole holds the rules of the ClusterRoles its selectors pick, when they pick any.
   */
  readonly rules: readonly PolicyRule[];
  /** The object's annotations (`{}` when none), where acknowledged risks are recorded. */
  readonly annotations: Readonly<Record<string, string>>;
  /** The object's labels (ClusterRole aggregation selects on them). */
  readonly labels?: Readonly<Record<string, string>>;
  /** `aggregationRule.clusterRoleSelectors` of an aggregated ClusterRole. */
  readonly aggregationSelectors?: readonly LabelSelector[];
}

/** A Kubernetes label selector. */
export interface LabelSelector {
  /**
   * Labels that must all be present with exactly these values.
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
   */
  readonly matchLabels?: Readonly<Record<string, string>>;
  /** Requirements that must all hold, besides `matchLabels`. */
  readonly matchExpressions?: readonly {
    /** The label's key. */
    readonly key: string;
    /** `In`, `NotIn`, `Exists` or `DoesNotExist`; any other operator matches nothing. */
    readonly operator: string;
    /** The values of `In` and `NotIn`. */
    readonly values?: readonly string[];
  }[];
}

/** A RoleBinding (namespace set) or ClusterRoleBinding (namespace `''`). */
export interface BindingObject {
  /** `RoleBinding` or `ClusterRoleBinding`. */
  readonly kind: 'RoleBinding' | 'ClusterRoleBinding';
  /** The binding's name; `''` when the manifest has none. */
  readonly name: string;
  /** The RoleBinding's namespace, the only one where it grants; `''` for a ClusterRoleBinding. */
  readonly namespace: string;
  /** The role it grants. */
  readonly roleRef: RoleRef;
  /** Who it grants the role to; entries without a string `kind` and `name` are dropped. */
  readonly subjects: readonly Subject[];
  /** The object's annotations (`{}` when none). */
  readonly annotations: Readonly<Record<string, string>>;
}

/** The RBAC objects of a set of manifests, ready for the authorizer. */
export interface RbacPolicySet {
  /** Every Role and ClusterRole, aggregated ClusterRoles with their aggregated rules. */
  readonly roles: readonly RoleObject[];
  /** Every RoleBinding and ClusterRoleBinding that has a well-formed `roleRef`. */
  readonly bindings: readonly BindingObject[];
}

/**
 * The annotation that records acknowledged risks (a JSON array of `{risk, reason}`). The
 * constructs put it on the Role (and ClusterRole/ClusterRoleBinding); the lint honours it on
 * any object, for the findings about that object.
 */
export const ACKNOWLEDGED_RISKS_ANNOTATION = 'access-tokens.cdk8s.io/acknowledged-risks';

const RBAC_GROUP = 'rbac.authorization.k8s.io/';

function isRbac(obj: KubeObject, kind: string): boolean {
  return obj.kind === kind && (obj.apiVersion ?? '').startsWith(RBAC_GROUP);
}

function subjectsFrom(value: unknown): Subject[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isSubject);
}

function isSubject(s: unknown): s is Subject {
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof (s as Subject).kind === 'string' &&
    typeof (s as Subject).name === 'string'
  );
}

function roleRefFrom(value: unknown): RoleRef | undefined {
  const ref = value as RoleRef | undefined;
  return ref && typeof ref.kind === 'string' && typeof ref.name === 'string' ? ref : undefined;
}

/**
 * Picks the RBAC objects out of any list of Kubernetes objects. Malformed fields (a Helm
 * chart's typo) are tolerated: they grant nothing rather than crash the authorizer.
 */
export function rbacPolicyFrom(objects: readonly KubeObject[]): RbacPolicySet {
  const roles: RoleObject[] = [];
  const bindings: BindingObject[] = [];
  for (const obj of objects) {
    const kind = obj.kind;
    if (kind === 'Role' || kind === 'ClusterRole') {
      if (isRbac(obj, kind)) roles.push(roleFrom(obj, kind));
    } else if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') {
      const roleRef = roleRefFrom(obj.roleRef);
      if (isRbac(obj, kind) && roleRef) {
        bindings.push({
          kind,
          name: obj.metadata?.name ?? '',
          namespace: kind === 'RoleBinding' ? (obj.metadata?.namespace ?? '') : '',
          roleRef,
          subjects: subjectsFrom(obj.subjects),
          annotations: obj.metadata?.annotations ?? {},
        });
      }
    }
  }
  return { roles: aggregateClusterRoles(roles), bindings };
}

function roleFrom(obj: KubeObject, kind: RoleObject['kind']): RoleObject {
  const rules: PolicyRule[] = [];
  if (Array.isArray(obj.rules)) {
    for (const value of obj.rules) {
      const rule = sanitizeRule(value);
      if (rule !== undefined) rules.push(rule);
    }
  }
  const role: RoleObject = {
    kind,
    name: obj.metadata?.name ?? '',
    namespace: kind === 'Role' ? (obj.metadata?.namespace ?? '') : '',
    rules,
    annotations: obj.metadata?.annotations ?? {},
    labels: obj.metadata?.labels ?? {},
  };
  const selectors = (obj.aggregationRule as { clusterRoleSelectors?: unknown } | undefined)
    ?.clusterRoleSelectors;
  return kind === 'ClusterRole' && Array.isArray(selectors)
    ? { ...role, aggregationSelectors: selectors as LabelSelector[] }
    : role;
}

/**
 * The RBAC of several objects from each one's own (`rbacPolicyFrom([object])`, in the same
 * order): the same as `rbacPolicyFrom` of them all. An object holds at most one role, which a
 * parse of that object alone cannot aggregate (a role never selects itself), so aggregating the
 * roles together here is all that is left.
 */
export function mergePolicies(policies: readonly RbacPolicySet[]): RbacPolicySet {
  const roles: RoleObject[] = [];
  const bindings: BindingObject[] = [];
  for (const policy of policies) {
    roles.push(...policy.roles);
    bindings.push(...policy.bindings);
  }
  return { roles: aggregateClusterRoles(roles), bindings };
}

/** Whether labels satisfy a selector (an empty selector selects everything). */
export function selectorMatches(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (typeof selector !== 'object' || selector === null) return false;
  const exact = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    exact &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      const has = Object.prototype.hasOwnProperty.call(labels, key);
      switch (operator) {
        case 'In':
          return has && values.includes(labels[key]);
        case 'NotIn':
          return !has || !values.includes(labels[key]);
        case 'Exists':
          return has;
        case 'DoesNotExist':
          return !has;
        default:
          return false;
      }
    })
  );
}

/**
 * Gives each aggregated ClusterRole the rules of the ClusterRoles its selectors pick, as the
 * controller manager's aggregation controller does (it replaces the rules), repeated until
 * nothing changes so that aggregated roles that are themselves selected (admin picks edit)
 * are complete. A server's own dump already holds the result; manifests usually do not.
 */
function aggregateClusterRoles(roles: RoleObject[]): RoleObject[] {
  const aggregated = roles.filter((r) => r.aggregationSelectors !== undefined);
  if (aggregated.length === 0) return roles;
  let current = roles;
  for (let round = 0; round <= aggregated.length; round++) {
    const before = JSON.stringify(current.map((r) => r.rules));
    current = current.map((role) => {
      if (!role.aggregationSelectors) return role;
      const picked = current.filter(
        (other) =>
          other.name !== role.name &&
          other.kind === 'ClusterRole' &&
          role.aggregationSelectors!.some((sel) => selectorMatches(sel, other.labels ?? {})),
      );
      const rules = picked.flatMap((other) => other.rules);
      return rules.length > 0 ? { ...role, rules } : role;
    });
    if (JSON.stringify(current.map((r) => r.rules)) === before) break;
  }
  return current;
}
