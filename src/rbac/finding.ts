/**
 * Findings of the least-privilege lint: plain readonly structs, so that the constructs, the
 * CLI and a cdk8s validation plugin can all carry them without importing our classes.
 */
import type { PolicyRule } from './policy-rule.js';

/** How bad a finding is. An unacknowledged `error` fails the synth and `access-tokens lint`. */
export type Severity = 'error' | 'warning';

/** Where a finding was made: the object and, for RBAC objects, the rule's index. */
export interface FindingLocation {
  /** The object's kind, e.g. `Role`; `''` when the object has none. */
  readonly kind: string;
  /** The object's `metadata.name`; `''` when it has none. */
  readonly name: string;
  /** `''` for cluster-scoped objects. */
  readonly namespace: string;
  /** Index of the offending rule in the object's `rules`, when there is one. */
  readonly ruleIndex?: number;
  /** Construct path or file, when known. */
  readonly source?: string;
  /** 1-based line in `source` where the object's YAML document starts, when known. */
  readonly line?: number;
  /** 0-based index of the object's YAML document in `source`, when known. */
  readonly documentIndex?: number;
}

/** One risk found in a set of rules or manifests. */
export interface Finding {
  /** The stable id of the risk rule, e.g. `secrets-read`. */
  readonly id: string;
  /** `error` fails the synth and `access-tokens lint` unless acknowledged; `warning` does not. */
  readonly severity: Severity;
  /** What was found, naming the offending values. */
  readonly message: string;
  /** Why it matters. */
  readonly explanation: string;
  /** How to fix it. */
  readonly fix: string;
  /** The offending rule, when the finding is about one. */
  readonly rule?: PolicyRule;
  /** Where it was found; absent when rules were linted without a location (`lintRules`). */
  readonly location?: FindingLocation;
  /** The reviewer-visible reason, when the finding is acknowledged. */
  readonly acknowledgedReason?: string;
  /**
   * For a finding on a Role or ClusterRole of linted manifests: who is bound to it, where and
   * through which binding; `[]` when no binding of the manifests binds it (its severity is then
   * lowered to `warning`, see `unbound`).
   */
  readonly holders?: readonly RiskHolder[];
  /** True when the finding is on a role that no binding of the manifests binds. */
  readonly unbound?: boolean;
  /** True when the baseline (`--baseline`) already holds this finding: it does not fail the lint. */
  readonly baselined?: boolean;
}

/** A subject that holds a role's risk, where, and through which binding. */
export interface RiskHolder {
  /** The subject as the binding names it (a ServiceAccount with its namespace). */
  readonly subject: {
    /** `ServiceAccount`, `User` or `Group`. */
    readonly kind: string;
    /** The subject's name. */
    readonly name: string;
    /** A ServiceAccount's namespace. */
    readonly namespace?: string;
  };
  /** Where the binding grants the role: a namespace, or `''` for cluster-wide. */
  readonly namespace: string;
  /** The binding that grants it. */
  readonly binding: {
    /** `RoleBinding` or `ClusterRoleBinding`. */
    readonly kind: string;
    /** The binding's name. */
    readonly name: string;
    /** The RoleBinding's namespace; `''` for a ClusterRoleBinding. */
    readonly namespace: string;
  };
}

/** A risk accepted on purpose, with the reason reviewers will read. */
export interface RiskAcknowledgement {
  /** The risk rule's id, e.g. `secrets-read` (`Risk.SECRETS_READ`); an unknown id is a problem. */
  readonly risk: string;
  /** Why the risk is accepted, for reviewers: at least 10 characters once trimmed. */
  readonly reason: string;
}
