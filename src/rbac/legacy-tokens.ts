/**
 * Legacy ServiceAccount tokens (Secrets of type `kubernetes.io/service-account-token`, which
 * never expire): where they are, which pods use them, and what replaces them. Pure: it reads
 * objects from manifests or from a cluster alike.
 *
 * @see https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#manual-secret-management-for-serviceaccounts
 */
import {
  AUTHENTICATED_GROUP,
  SERVICE_ACCOUNTS_GROUP,
  subjectAppliesToServiceAccount,
} from './authorizer.js';
import { compactRules } from './compact.js';
import type { Finding } from './finding.js';
import type { KubeObject, RbacPolicySet } from './kube-object.js';
import { lintRules } from './lint.js';
import type { PolicyRule } from './policy-rule.js';
import { podSpecOf } from './risks/automounted-token.js';
import { LEGACY_TOKEN_SECRET_TYPE } from './risks/legacy-token-secret.js';
import { compareText } from './text-order.js';

/** The annotation naming a legacy token Secret's ServiceAccount. */
export const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';

/**
 * The label the API server (1.29+) puts on a legacy token Secret with the date its token was
 * last used (`YYYY-MM-DD`).
 * @see https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-legacy-token-last-used
 */
export const LEGACY_TOKEN_LAST_USED_LABEL = 'kubernetes.io/legacy-token-last-used';

/** A pod or workload that puts a legacy token Secret into its containers. */
export interface LegacyTokenUse {
  /** The object's kind, e.g. `Deployment` or `Pod`. */
  readonly kind: string;
  /** The object's name. */
  readonly name: string;
  /** `volume` (a secret volume) or `env` (an env or envFrom reference). */
  readonly how: 'volume' | 'env';
}

/** One legacy token Secret and what to do about it. */
export interface LegacyToken {
  /** The Secret's namespace. */
  readonly namespace: string;
  /** The Secret's name. */
  readonly secret: string;
  /** The ServiceAccount the token authenticates as; `''` when the annotation is missing. */
  readonly serviceAccount: string;
  /** The date the API server last saw the token used, where the server records it. */
  readonly lastUsed?: string;
  /** The pods and workloads of the same namespace that mount or read the Secret. */
  readonly usedBy: readonly LegacyTokenUse[];
  /** What to do, in order. */
  readonly steps: readonly string[];
}

type Untyped = { readonly [key: string]: unknown };

function array(value: unknown): Untyped[] {
  return Array.isArray(value)
    ? value.filter((v): v is Untyped => typeof v === 'object' && v !== null)
    : [];
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Untyped)[key] : undefined;
}

/** How a pod spec uses the Secret, if it does. */
function useOf(spec: unknown, secret: string): LegacyTokenUse['how'] | undefined {
  if (array(field(spec, 'volumes')).some((v) => field(field(v, 'secret'), 'secretName') === secret))
    return 'volume';
  const containers = ['containers', 'initContainers', 'ephemeralContainers'].flatMap((k) =>
    array(field(spec, k)),
  );
  const readsIt = containers.some(
    (c) =>
      array(field(c, 'env')).some(
        (e) => field(field(field(e, 'valueFrom'), 'secretKeyRef'), 'name') === secret,
      ) || array(field(c, 'envFrom')).some((e) => field(field(e, 'secretRef'), 'name') === secret),
  );
  return readsIt ? 'env' : undefined;
}

function stepsFor(token: Omit<LegacyToken, 'steps'>): string[] {
  const sa = token.serviceAccount || '(unknown)';
  const ref = `${token.namespace}/${token.secret}`;
  const steps: string[] = [];
  for (const use of token.usedBy) {
    steps.push(
      `${use.kind} ${use.name} reads it (${use.how}): give it a projected token instead (ServiceAccountAccess.mountToken, or a serviceAccountToken volume with an audience and expirationSeconds) and roll it out`,
    );
  }
  steps.push(
    `for clients outside the cluster, declare a short-lived token on a ServiceAccountAccess for '${sa}' (access-tokens legacy plan writes it) and mint it with access-tokens mint --from`,
  );
  steps.push(
    token.lastUsed
      ? `delete secret ${ref} once nothing uses it (last used ${token.lastUsed}; the date stops moving when the last client has moved): deleting it revokes the token`
      : `delete secret ${ref} once nothing uses it: deleting it revokes the token; on servers 1.29+ the ${LEGACY_TOKEN_LAST_USED_LABEL} label tells when it was last used`,
  );
  return steps;
}

/** The object's namespace, or `defaultNamespace` for manifests left to `kubectl apply -n`. */
function namespaceOf(object: KubeObject, defaultNamespace: string): string {
  return object.metadata?.namespace ?? defaultNamespace;
}

/** Finds every legacy token Secret in `objects`, with the pods and workloads that use it. */
export function findLegacyTokens(
  objects: readonly KubeObject[],
  defaultNamespace = 'default',
): LegacyToken[] {
  const workloads = objects.filter((o) => podSpecOf(o) !== undefined);
  const found: LegacyToken[] = [];
  for (const object of objects) {
    if (object.kind !== 'Secret' || object.type !== LEGACY_TOKEN_SECRET_TYPE) continue;
    const namespace = namespaceOf(object, defaultNamespace);
    const secret = object.metadata?.name ?? '';
    const usedBy = workloads.flatMap((w): LegacyTokenUse[] => {
      if (namespaceOf(w, defaultNamespace) !== namespace) return [];
      const how = useOf(podSpecOf(w), secret);
      return how ? [{ kind: w.kind ?? '', name: w.metadata?.name ?? '', how }] : [];
    });
    const lastUsed = object.metadata?.labels?.[LEGACY_TOKEN_LAST_USED_LABEL];
    const token = {
      namespace,
      secret,
      serviceAccount: object.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION] ?? '',
      ...(lastUsed ? { lastUsed } : {}),
      usedBy,
    };
    found.push({ ...token, steps: stepsFor(token) });
  }
  return found.sort(
    (a, b) => compareText(a.namespace, b.namespace) || compareText(a.secret, b.secret),
  );
}

/** What a ServiceAccount's bindings grant it, compacted. */
export interface GrantedRules {
  /** Rules granted in the ServiceAccount's own namespace (its RoleBindings there). */
  readonly namespaced: readonly PolicyRule[];
  /** Rules granted in other namespaces, by namespace (RoleBindings elsewhere). */
  readonly otherNamespaces: Readonly<Record<string, readonly PolicyRule[]>>;
  /** Rules granted everywhere (ClusterRoleBindings). */
  readonly cluster: readonly PolicyRule[];
  /** Bindings whose role is not in the policy (nothing known about what they grant). */
  readonly unresolved: readonly string[];
  /**
   * Bindings left out because they apply to the ServiceAccount only through a group every
   * ServiceAccount is in (`system:authenticated`, `system:serviceaccounts`; e.g. Kubernetes'
   * own `system:discovery`, `system:basic-user`, `system:public-info-viewer`,
   * `system:service-account-issuer-discovery`): any ServiceAccount holds them anyway.
   */
  readonly everyServiceAccount: readonly string[];
}

/** The groups of every ServiceAccount of every namespace: every authenticated user's, and theirs. */
const EVERY_SERVICE_ACCOUNT_GROUPS: ReadonlySet<string> = new Set([
  AUTHENTICATED_GROUP,
  SERVICE_ACCOUNTS_GROUP,
]);

/**
 * The rules the policy's bindings grant a ServiceAccount, as the authorizer applies them: a
 * RoleBinding in its own namespace, a ClusterRoleBinding everywhere; subjects matched by
 * name, user name or group. Not those of bindings that reach it only as any ServiceAccount
 * (`everyServiceAccount`).
 */
export function rulesGrantedTo(
  policy: RbacPolicySet,
  namespace: string,
  name: string,
): GrantedRules {
  const roles = new Map(policy.roles.map((r) => [`${r.kind}/${r.namespace}/${r.name}`, r]));
  const byNamespace = new Map<string, PolicyRule[]>();
  const cluster: PolicyRule[] = [];
  const unresolved: string[] = [];
  const everyServiceAccount: string[] = [];
  for (const b of policy.bindings) {
    const applying = b.subjects.filter((s) =>
      subjectAppliesToServiceAccount(s, namespace, name, b.namespace),
    );
    if (applying.length === 0) continue;
    const roleNamespace = b.roleRef.kind === 'Role' ? b.namespace : '';
    const role = roles.get(`${b.roleRef.kind}/${roleNamespace}/${b.roleRef.name}`);
    const where = b.namespace ? `${b.kind} ${b.namespace}/${b.name}` : `${b.kind} ${b.name}`;
    if (applying.every((s) => s.kind === 'Group' && EVERY_SERVICE_ACCOUNT_GROUPS.has(s.name))) {
      everyServiceAccount.push(`${where} -> ${b.roleRef.kind} ${b.roleRef.name}`);
      continue;
    }
    if (!role || (b.roleRef.kind === 'Role' && b.kind !== 'RoleBinding')) {
      unresolved.push(`${where} -> ${b.roleRef.kind} ${b.roleRef.name}`);
      continue;
    }
    if (b.kind === 'ClusterRoleBinding') cluster.push(...role.rules);
    else byNamespace.set(b.namespace, [...(byNamespace.get(b.namespace) ?? []), ...role.rules]);
  }
  const otherNamespaces: Record<string, readonly PolicyRule[]> = {};
  for (const [ns, rules] of [...byNamespace].sort(([a], [b]) => compareText(a, b))) {
    if (ns !== namespace) otherNamespaces[ns] = compactRules(rules);
  }
  return {
    namespaced: compactRules(byNamespace.get(namespace) ?? []),
    otherNamespaces,
    cluster: compactRules(cluster),
    unresolved: unresolved.sort(),
    everyServiceAccount: everyServiceAccount.sort(),
  };
}

/** The lint findings of what a ServiceAccount is granted (before anyone acknowledged them). */
export function grantedRuleFindings(granted: GrantedRules): Finding[] {
  return [...lintRules(granted.namespaced), ...lintRules(granted.cluster)];
}
