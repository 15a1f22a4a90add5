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
  /** The object's labels (ClusterRole aggregation selects on them). */
  readonly labels?: Readonly<Record<string, string>>;
  /** `aggregationRule.clusterRoleSelectors` of an aggregated ClusterRole. */
  readonly aggregationSelectors?: readonly LabelSelector[];
}

/** A Kubernetes label selector. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: string;
    readonly values?: readonly string[];
  }[];
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

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

/** A rule from untrusted YAML: non-list fields are dropped, a rule without verbs grants nothing. */
function ruleFrom(value: unknown): PolicyRule | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const rule: { -readonly [K in keyof PolicyRule]: PolicyRule[K] } = {
    verbs: stringList(r.verbs) ?? [],
  };
  for (const key of ['apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const) {
    const list = stringList(r[key]);
    if (list) rule[key] = list;
  }
  return rule;
}

function subjectsFrom(value: unknown): Subject[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (s): s is Subject =>
      typeof s === 'object' &&
      s !== null &&
      typeof s.kind === 'string' &&
      typeof s.name === 'string',
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
    const name = obj.metadata?.name ?? '';
    const annotations = obj.metadata?.annotations ?? {};
    for (const kind of ['Role', 'ClusterRole'] as const) {
      if (isRbac(obj, kind)) {
        const rules = Array.isArray(obj.rules) ? obj.rules.map(ruleFrom) : [];
        const selectors = (obj.aggregationRule as { clusterRoleSelectors?: unknown } | undefined)
          ?.clusterRoleSelectors;
        roles.push({
          kind,
          name,
          namespace: kind === 'Role' ? (obj.metadata?.namespace ?? '') : '',
          rules: rules.filter((r): r is PolicyRule => r !== undefined),
          annotations,
          labels: obj.metadata?.labels ?? {},
          ...(kind === 'ClusterRole' && Array.isArray(selectors)
            ? { aggregationSelectors: selectors as LabelSelector[] }
            : {}),
        });
      }
    }
    for (const kind of ['RoleBinding', 'ClusterRoleBinding'] as const) {
      const roleRef = roleRefFrom(obj.roleRef);
      if (isRbac(obj, kind) && roleRef) {
        bindings.push({
          kind,
          name,
          namespace: kind === 'RoleBinding' ? (obj.metadata?.namespace ?? '') : '',
          roleRef,
          subjects: subjectsFrom(obj.subjects),
          annotations,
        });
      }
    }
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
