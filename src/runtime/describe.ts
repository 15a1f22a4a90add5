/**
 * `describe`: a ServiceAccount as the cluster sees it: its bindings (RoleBindings of every
 * namespace, not only its own, and ClusterRoleBindings), the rules they grant per namespace
 * (compacted), the tokens stored for it (managed Secrets, with expiry) and any legacy,
 * never-expiring Secret tokens, plus the least-privilege lint of its rules.
 */
import * as k8s from '@kubernetes/client-node';
import {
  AUDIENCES_ANNOTATION,
  EXPIRES_AT_ANNOTATION,
  MANAGED_LABEL,
  SERVICE_ACCOUNT_ANNOTATION,
  TOKEN_DECLARATION_ANNOTATION,
  parseTokenDeclaration,
  type TokenDeclaration,
} from '../contract/token-declaration.js';
import { subjectAppliesToServiceAccount } from '../rbac/authorizer.js';
import { compactRules } from '../rbac/compact.js';
import type { Finding } from '../rbac/finding.js';
import { lintRules } from '../rbac/lint.js';
import type { PolicyRule } from '../rbac/policy-rule.js';
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import { AccessTokensError } from './errors.js';

/** A binding that names the ServiceAccount. */
export interface BindingSummary {
  /** `RoleBinding` or `ClusterRoleBinding`. */
  readonly kind: 'RoleBinding' | 'ClusterRoleBinding';
  /** The binding's name. */
  readonly name: string;
  /**
   * The RoleBinding's own namespace, which need not be the ServiceAccount's; `''` for a
   * ClusterRoleBinding.
   */
  readonly namespace: string;
  /** The role the binding grants. */
  readonly roleRef: {
    /** `Role` or `ClusterRole`. */
    readonly kind: string;
    /** The role's name. */
    readonly name: string;
  };
  /** The rules of the referenced role; undefined when it does not exist. */
  readonly rules?: readonly PolicyRule[];
}

/** A Secret holding a token for the ServiceAccount (never its data). */
export interface StoredTokenSummary {
  /** The Secret's name, in the ServiceAccount's namespace. */
  readonly secret: string;
  /**
   * `managed`: a Secret the runtime stores a token in. `binding`: an empty Secret of
   * `bindToNewSecret` that one token is bound to. `legacy`: a
   * `kubernetes.io/service-account-token` Secret, whose token never expires.
   */
  readonly kind: 'managed' | 'binding' | 'legacy';
  /** The token's expiry (ISO-8601), as recorded on the Secret; absent when not (legacy tokens). */
  readonly expiresAt?: string;
  /** The token's audiences, as recorded on the Secret; absent when not (legacy tokens). */
  readonly audiences?: readonly string[];
  /** Whether the Secret's `data.token` is set (the token itself is never read out). */
  readonly hasToken: boolean;
}

/** The description. */
export interface ServiceAccountDescription {
  /** The ServiceAccount's namespace. */
  readonly namespace: string;
  /** The ServiceAccount's name. */
  readonly name: string;
  /** The ServiceAccount's UID. */
  readonly uid?: string;
  /**
   * As set on the ServiceAccount; undefined when unset, which Kubernetes treats as `true`.
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/
   */
  readonly automountServiceAccountToken?: boolean;
  /** The token its annotation declares; absent when none, or malformed (see `incomplete`). */
  readonly declaredToken?: TokenDeclaration;
  /**
   * The bindings that apply to it: by name, by user name, or by a group its tokens carry.
   * RoleBindings of every namespace, by namespace then name, then ClusterRoleBindings by name.
   */
  readonly bindings: readonly BindingSummary[];
  /**
   * Compacted, per namespace: what RoleBindings grant in the namespace they are in, and what
   * ClusterRoleBindings grant everywhere.
   */
  readonly effectiveRules: {
    /** What RoleBindings grant in its own namespace. */
    readonly namespaced: readonly PolicyRule[];
    /**
     * What RoleBindings in other namespaces grant there, one entry per namespace with a
     * binding that applies, sorted by namespace. Empty when none, or when RoleBindings could
     * be listed only in its own namespace (see `incomplete`).
     */
    readonly otherNamespaces: readonly {
      /** The namespace the rules apply in. */
      readonly namespace: string;
      /** What the RoleBindings of that namespace grant it there. */
      readonly rules: readonly PolicyRule[];
    }[];
    /** What ClusterRoleBindings grant everywhere. */
    readonly clusterWide: readonly PolicyRule[];
  };
  /** The Secrets of its namespace that hold a token of it or bind one. */
  readonly storedTokens: readonly StoredTokenSummary[];
  /**
   * The least-privilege lint of `effectiveRules`, located at the ServiceAccount: with its
   * namespace for `namespaced`, with `''` for `clusterWide`, and with its namespace and
   * `source` `RoleBindings in NS` for the rules of another namespace NS (`ruleIndex` is then
   * the index in that namespace's `rules`).
   */
  readonly findings: readonly Finding[];
  /** What could not be read (e.g. no permission to list ClusterRoleBindings), sorted. */
  readonly incomplete: readonly string[];
}

/** Options of `describeServiceAccount`. */
export interface DescribeOptions extends ClusterOptions {
  /**
   * A client to reuse.
   * @default - connects with the options above
   */
  readonly client?: ClusterClient;
}

/** Describes a ServiceAccount. */
export async function describeServiceAccount(
  name: string,
  options: DescribeOptions = {},
): Promise<ServiceAccountDescription> {
  const client = options.client ?? connect(options);
  const namespace = options.namespace ?? client.namespace;
  const core = client.api(k8s.CoreV1Api);
  const rbac = client.api(k8s.RbacAuthorizationV1Api);
  const incomplete: string[] = [];
  const optional = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      if (
        err instanceof AccessTokensError &&
        (err.category === 'forbidden' || err.category === 'not-found')
      ) {
        incomplete.push(`${what}: ${err.message}`);
        return undefined;
      }
      throw err;
    }
  };
  const sa = await client.call({ verb: 'get', resource: 'serviceaccounts', namespace, name }, (o) =>
    core.readNamespacedServiceAccount({ name, namespace }, o),
  );
  // A RoleBinding of any namespace may name it; a caller that may list them only in the
  // ServiceAccount's namespace still gets those, and is told what was not checked.
  const listRoleBindings = async (): Promise<k8s.V1RoleBindingList | undefined> => {
    const action = {
      verb: 'list',
      resource: 'rolebindings',
      apiGroup: 'rbac.authorization.k8s.io',
    };
    try {
      return await client.call(action, (o) => rbac.listRoleBindingForAllNamespaces({}, o));
    } catch (err) {
      if (!(err instanceof AccessTokensError && err.category === 'forbidden')) throw err;
      incomplete.push(
        `rolebindings of other namespaces than '${namespace}' not checked: ${err.message}`,
      );
      return optional('rolebindings', () =>
        client.call({ ...action, namespace }, (o) =>
          rbac.listNamespacedRoleBinding({ namespace }, o),
        ),
      );
    }
  };
  const [roleBindings, clusterRoleBindings, secrets] = await Promise.all([
    listRoleBindings(),
    optional('clusterrolebindings', () =>
      client.call(
        { verb: 'list', resource: 'clusterrolebindings', apiGroup: 'rbac.authorization.k8s.io' },
        (o) => rbac.listClusterRoleBinding({}, o),
      ),
    ),
    optional('secrets', () =>
      client.call({ verb: 'list', resource: 'secrets', namespace }, (o) =>
        core.listNamespacedSecret({ namespace }, o),
      ),
    ),
  ]);
  // As the authorizer decides it: also bindings to the user name or to a group of the
  // ServiceAccount's tokens (system:serviceaccounts[:NS], system:authenticated).
  const appliesIn = (bindingNamespace: string) => (s: k8s.RbacV1Subject) =>
    subjectAppliesToServiceAccount(s, namespace, name, bindingNamespace);
  // Each role is read once, however many bindings name it, and all reads run at once.
  const roleReads = new Map<string, Promise<PolicyRule[] | undefined>>();
  const roleRules = (
    kind: string,
    roleName: string,
    ns: string,
  ): Promise<PolicyRule[] | undefined> => {
    const key = kind === 'Role' ? `Role ${ns}/${roleName}` : `${kind} ${roleName}`;
    let read = roleReads.get(key);
    if (!read) {
      read = readRoleRules(kind, roleName, ns);
      roleReads.set(key, read);
    }
    return read;
  };
  const readRoleRules = async (
    kind: string,
    roleName: string,
    ns: string,
  ): Promise<PolicyRule[] | undefined> => {
    const role =
      kind === 'Role'
        ? await optional(`role ${ns}/${roleName}`, () =>
            client.call(
              {
                verb: 'get',
                resource: 'roles',
                apiGroup: 'rbac.authorization.k8s.io',
                namespace: ns,
                name: roleName,
              },
              (o) => rbac.readNamespacedRole({ name: roleName, namespace: ns }, o),
            ),
          )
        : await optional(`clusterrole ${roleName}`, () =>
            client.call(
              {
                verb: 'get',
                resource: 'clusterroles',
                apiGroup: 'rbac.authorization.k8s.io',
                name: roleName,
              },
              (o) => rbac.readClusterRole({ name: roleName }, o),
            ),
          );
    return role ? ((role.rules ?? []) as PolicyRule[]) : undefined;
  };
  const summary = async (
    kind: BindingSummary['kind'],
    b: k8s.V1RoleBinding | k8s.V1ClusterRoleBinding,
    bindingNamespace: string,
  ): Promise<BindingSummary> => {
    const rules = await roleRules(b.roleRef.kind, b.roleRef.name, bindingNamespace);
    return {
      kind,
      name: b.metadata?.name ?? '',
      namespace: bindingNamespace,
      roleRef: { kind: b.roleRef.kind, name: b.roleRef.name },
      ...(rules ? { rules } : {}),
    };
  };
  const applying = <T extends k8s.V1RoleBinding | k8s.V1ClusterRoleBinding>(
    items: readonly T[] | undefined,
    namespaceOf: (b: T) => string,
  ): T[] =>
    (items ?? [])
      .filter((b) => (b.subjects ?? []).some(appliesIn(namespaceOf(b))))
      .sort(
        (a, b) =>
          byText(namespaceOf(a), namespaceOf(b)) ||
          byText(a.metadata?.name ?? '', b.metadata?.name ?? ''),
      );
  const roleBindingNamespace = (b: k8s.V1RoleBinding) => b.metadata?.namespace ?? namespace;
  const bindings = await Promise.all([
    ...applying(roleBindings?.items, roleBindingNamespace).map((b) =>
      summary('RoleBinding', b, roleBindingNamespace(b)),
    ),
    ...applying(clusterRoleBindings?.items, () => '').map((b) =>
      summary('ClusterRoleBinding', b, ''),
    ),
  ]);
  // The RoleBindings' rules, by the namespace they grant in (bindings are sorted by it).
  const rulesIn = new Map<string, PolicyRule[]>();
  for (const b of bindings)
    if (b.kind === 'RoleBinding')
      rulesIn.set(b.namespace, [...(rulesIn.get(b.namespace) ?? []), ...(b.rules ?? [])]);
  const namespaced = compactRules(rulesIn.get(namespace) ?? []);
  const otherNamespaces = [...rulesIn]
    .filter(([ns]) => ns !== namespace)
    .map(([ns, rules]) => ({ namespace: ns, rules: compactRules(rules) }));
  const clusterWide = compactRules(
    bindings.filter((b) => b.kind === 'ClusterRoleBinding').flatMap((b) => b.rules ?? []),
  );
  const findings = [
    ...lintRules(namespaced, { kind: 'ServiceAccount', name, namespace }),
    ...otherNamespaces.flatMap((other) =>
      lintRules(other.rules, {
        kind: 'ServiceAccount',
        name,
        namespace,
        source: `RoleBindings in ${other.namespace}`,
      }),
    ),
    ...lintRules(clusterWide, { kind: 'ServiceAccount', name, namespace: '' }),
  ];
  const storedTokens: StoredTokenSummary[] = [];
  for (const s of secrets?.items ?? []) {
    const labels = s.metadata?.labels ?? {};
    const annotations = s.metadata?.annotations ?? {};
    const secretName = s.metadata?.name ?? '';
    const hasToken = Boolean(s.data?.token);
    if (
      s.type === 'kubernetes.io/service-account-token' &&
      annotations['kubernetes.io/service-account.name'] === name
    ) {
      storedTokens.push({ secret: secretName, kind: 'legacy', hasToken });
    } else if (
      labels[MANAGED_LABEL] === 'true' &&
      annotations[SERVICE_ACCOUNT_ANNOTATION] === name
    ) {
      const audiences = annotations[AUDIENCES_ANNOTATION];
      storedTokens.push({
        secret: secretName,
        kind:
          s.metadata?.ownerReferences?.some(
            (r) => r.kind === 'ServiceAccount' && r.uid === sa.metadata?.uid,
          ) && !hasToken
            ? 'binding'
            : 'managed',
        ...(annotations[EXPIRES_AT_ANNOTATION]
          ? { expiresAt: annotations[EXPIRES_AT_ANNOTATION] }
          : {}),
        ...(audiences ? { audiences: safeJsonArray(audiences) } : {}),
        hasToken,
      });
    }
  }
  const declText = sa.metadata?.annotations?.[TOKEN_DECLARATION_ANNOTATION];
  let declaredToken: TokenDeclaration | undefined;
  if (declText) {
    try {
      declaredToken = parseTokenDeclaration(declText, `ServiceAccount ${namespace}/${name}`);
    } catch (err) {
      incomplete.push((err as Error).message);
    }
  }
  return {
    namespace,
    name,
    ...(sa.metadata?.uid ? { uid: sa.metadata.uid } : {}),
    ...(sa.automountServiceAccountToken !== undefined
      ? { automountServiceAccountToken: sa.automountServiceAccountToken }
      : {}),
    ...(declaredToken ? { declaredToken } : {}),
    bindings,
    effectiveRules: { namespaced, otherNamespaces, clusterWide },
    storedTokens,
    findings,
    // The reads run at once: sorted, so that the same cluster always describes the same way.
    incomplete: incomplete.sort(),
  };
}

/** Code-point order: the same on every machine, unlike `localeCompare`. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function safeJsonArray(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}
