/**
 * The pure half of `describe`: from what was read of a cluster (the ServiceAccount, bindings,
 * roles and Secrets), the description: which bindings apply to the ServiceAccount, the rules
 * they grant per namespace (compacted), the tokens stored for it, and the least-privilege lint
 * of its rules. No request is made here; `describe.ts` does the reads.
 */
import {
  AUDIENCES_ANNOTATION,
  EXPIRES_AT_ANNOTATION,
  REVOKED_AT_ANNOTATION,
  MANAGED_LABEL,
  SERVICE_ACCOUNT_ANNOTATION,
  TOKEN_DECLARATION_ANNOTATION,
  parseTokenDeclaration,
  type TokenDeclaration,
} from '../contract/token-declaration.js';
import { subjectAppliesToServiceAccount } from '../rbac/authorizer.js';
import { compactRules } from '../rbac/compact.js';
import type { Finding } from '../rbac/finding.js';
import type { BindingObject, SecretObject, ServiceAccountObject } from './read-objects.js';
import { lintRules } from '../rbac/lint.js';
import type { PolicyRule } from '../rbac/policy-rule.js';
import { compareText } from '../rbac/text-order.js';

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
  /**
   * For a managed Secret: `valid` (the API server accepts the token now), `revoked` (it rejects
   * it, or `revoke` removed it), `expired` (past its recorded expiry), `empty` (no token yet),
   * `unknown` (the caller may not ask the server: `create tokenreviews`).
   */
  readonly state?: 'valid' | 'revoked' | 'expired' | 'empty' | 'unknown';
  /** When `revoke` removed the token from this Secret (ISO-8601). */
  readonly revokedAt?: string;
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

/** What was read of the cluster for one ServiceAccount; lists absent when they could not be read. */
export interface ServiceAccountReads {
  /** The ServiceAccount's namespace. */
  readonly namespace: string;
  /** The ServiceAccount's name. */
  readonly name: string;
  /** The ServiceAccount. */
  readonly serviceAccount: ServiceAccountObject;
  /** RoleBindings (of every namespace, or of its own only). */
  readonly roleBindings?: readonly BindingObject[];
  /** ClusterRoleBindings. */
  readonly clusterRoleBindings?: readonly BindingObject[];
  /** The Roles and ClusterRoles that the applying bindings name and that could be read. */
  readonly roles: readonly RoleRead[];
  /** The Secrets of its namespace. */
  readonly secrets?: readonly SecretObject[];
  /** What could not be read, in words. */
  readonly incomplete: readonly string[];
  /**
   * The API server's verdict (TokenReview) on the token of each managed Secret, by Secret
   * name; absent where it was not asked (no token, expired) or could not be.
   */
  readonly tokenReviews?: ReadonlyMap<string, boolean>;
  /** The time stored tokens' expiry is compared with. @default - now */
  readonly now?: Date;
}

/** A Role or ClusterRole as read. */
export interface RoleRead {
  /** `Role` or `ClusterRole`. */
  readonly kind: string;
  /** The role's name. */
  readonly name: string;
  /** A Role's namespace; `''` for a ClusterRole. */
  readonly namespace: string;
  /** Its rules. */
  readonly rules: readonly PolicyRule[];
}

/** A binding that applies to the ServiceAccount, with the namespace it grants in (`''`: everywhere). */
export interface ApplyingBinding {
  /** `RoleBinding` or `ClusterRoleBinding`. */
  readonly kind: BindingSummary['kind'];
  /** The binding as read. */
  readonly binding: BindingObject;
  /** The RoleBinding's namespace; `''` for a ClusterRoleBinding. */
  readonly namespace: string;
}

/**
 * The bindings that apply to the ServiceAccount, as the authorizer decides it: also bindings to
 * its user name or to a group of its tokens (system:serviceaccounts[:NS], system:authenticated).
 * RoleBindings by namespace then name, then ClusterRoleBindings by name.
 */
export function bindingsThatApply(
  namespace: string,
  name: string,
  roleBindings: readonly BindingObject[] | undefined,
  clusterRoleBindings: readonly BindingObject[] | undefined,
): ApplyingBinding[] {
  const applying = (
    kind: BindingSummary['kind'],
    items: readonly BindingObject[] | undefined,
    namespaceOf: (b: BindingObject) => string,
  ): ApplyingBinding[] =>
    (items ?? [])
      .map((binding) => ({ kind, binding, namespace: namespaceOf(binding) }))
      .filter((b) =>
        (b.binding.subjects ?? []).some((s) =>
          subjectAppliesToServiceAccount(s, namespace, name, b.namespace),
        ),
      )
      .sort(
        (a, b) =>
          compareText(a.namespace, b.namespace) ||
          compareText(a.binding.metadata?.name ?? '', b.binding.metadata?.name ?? ''),
      );
  return [
    ...applying('RoleBinding', roleBindings, (b) => b.metadata?.namespace ?? namespace),
    ...applying('ClusterRoleBinding', clusterRoleBindings, () => ''),
  ];
}

/** The role a binding grants, as a `RoleRead`'s identity: a Role in the binding's namespace. */
export function roleOf(b: ApplyingBinding): { kind: string; name: string; namespace: string } {
  const { kind, name } = b.binding.roleRef;
  return { kind, name, namespace: kind === 'Role' ? b.namespace : '' };
}

/** Describes a ServiceAccount from what was read of the cluster. */
export function summarizeServiceAccount(reads: ServiceAccountReads): ServiceAccountDescription {
  const { namespace, name, serviceAccount: sa } = reads;
  const incomplete = [...reads.incomplete];
  const rulesOf = (b: ApplyingBinding): readonly PolicyRule[] | undefined => {
    const ref = roleOf(b);
    return reads.roles.find(
      (r) => r.kind === ref.kind && r.name === ref.name && r.namespace === ref.namespace,
    )?.rules;
  };
  const bindings: BindingSummary[] = bindingsThatApply(
    namespace,
    name,
    reads.roleBindings,
    reads.clusterRoleBindings,
  ).map((b) => {
    const rules = rulesOf(b);
    return {
      kind: b.kind,
      name: b.binding.metadata?.name ?? '',
      namespace: b.namespace,
      roleRef: { kind: b.binding.roleRef.kind, name: b.binding.roleRef.name },
      ...(rules ? { rules } : {}),
    };
  });
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
  return {
    namespace,
    name,
    ...(sa.metadata?.uid ? { uid: sa.metadata.uid } : {}),
    ...(sa.automountServiceAccountToken !== undefined
      ? { automountServiceAccountToken: sa.automountServiceAccountToken }
      : {}),
    ...declaredTokenOf(sa, namespace, name, incomplete),
    bindings,
    effectiveRules: { namespaced, otherNamespaces, clusterWide },
    storedTokens: storedTokensOf(reads.secrets ?? [], sa, name, reads),
    findings,
    // The reads run at once: sorted, so that the same cluster always describes the same way.
    incomplete: incomplete.sort(),
  };
}

/** The Secrets that hold a token of the ServiceAccount or bind one (never their data). */
function storedTokensOf(
  secrets: readonly SecretObject[],
  sa: ServiceAccountObject,
  name: string,
  reads: Pick<ServiceAccountReads, 'tokenReviews' | 'now'>,
): StoredTokenSummary[] {
  const now = (reads.now ?? new Date()).getTime();
  const storedTokens: StoredTokenSummary[] = [];
  for (const s of secrets) {
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
      const expiresAt = annotations[EXPIRES_AT_ANNOTATION];
      const revokedAt = annotations[REVOKED_AT_ANNOTATION];
      const binding =
        !hasToken &&
        s.metadata?.ownerReferences?.some(
          (r) => r.kind === 'ServiceAccount' && r.uid === sa.metadata?.uid,
        ) === true;
      const state = binding
        ? undefined
        : storeState(hasToken, expiresAt, revokedAt, reads.tokenReviews?.get(secretName), now);
      storedTokens.push({
        secret: secretName,
        kind: binding ? 'binding' : 'managed',
        ...(expiresAt ? { expiresAt } : {}),
        ...(audiences ? { audiences: safeJsonArray(audiences) } : {}),
        hasToken,
        ...(state ? { state } : {}),
        // When `revoke` emptied it, while it holds no token since (a writer before this version
        // kept the annotation beside a new token).
        ...(revokedAt && !hasToken ? { revokedAt } : {}),
      });
    }
  }
  return storedTokens;
}

/** What a managed Secret's token is worth now (see `StoredTokenSummary.state`). */
function storeState(
  hasToken: boolean,
  expiresAt: string | undefined,
  revokedAt: string | undefined,
  review: boolean | undefined,
  now: number,
): NonNullable<StoredTokenSummary['state']> {
  if (!hasToken) return revokedAt ? 'revoked' : 'empty';
  if (expiresAt && Date.parse(expiresAt) <= now) return 'expired';
  if (review === undefined) return 'unknown';
  return review ? 'valid' : 'revoked';
}

/** The token its annotation declares; a malformed one is reported in `incomplete`. */
function declaredTokenOf(
  sa: ServiceAccountObject,
  namespace: string,
  name: string,
  incomplete: string[],
): { declaredToken?: TokenDeclaration } {
  const declText = sa.metadata?.annotations?.[TOKEN_DECLARATION_ANNOTATION];
  let declaredToken: TokenDeclaration | undefined;
  if (declText) {
    try {
      declaredToken = parseTokenDeclaration(declText, `ServiceAccount ${namespace}/${name}`);
    } catch (err) {
      incomplete.push((err as Error).message);
    }
  }
  return declaredToken ? { declaredToken } : {};
}

function safeJsonArray(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}
