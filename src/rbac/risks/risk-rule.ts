/**
 * The shape every risk rule of the least-privilege lint shares. A risk rule is a small pure
 * function from one RBAC rule (or one Kubernetes object) to findings, plus a static
 * description (`RiskRuleInfo`) that the docs table and the acknowledgement check read.
 */
import type { Finding, FindingLocation, Severity } from '../finding.js';
import type { BindingObject, KubeObject, RbacPolicySet, RoleObject } from '../kube-object.js';
import type { PolicyRule } from '../policy-rule.js';
import type { RoleIndex } from '../role-index.js';

/** A request, without an object name, that a risk rule considers dangerous to allow. */
export interface RiskyRequest {
  /** The RBAC verb, e.g. `create`. */
  readonly verb: string;
  /** API group; `''` is the core group. */
  readonly apiGroup: string;
  /** Plural resource name without group, e.g. `pods`. */
  readonly resource: string;
  /**
   * Subresource, e.g. `exec`; `''` for none.
   * @default ''
   */
  readonly subresource?: string;
}

/** The static description of a risk rule: what the docs table and the findings say. */
export interface RiskRuleInfo {
  /** Stable id, used in acknowledgements: `secrets-read`. */
  readonly id: string;
  /** `error` fails the lint (and the synth) unless acknowledged; `warning` does not. */
  readonly severity: Severity;
  /** A short title for tables. */
  readonly title: string;
  /** Why it matters. */
  readonly explanation: string;
  /** How to fix it. */
  readonly fix: string;
  /**
   * What the rule looks at: one RBAC rule, a whole role with the bindings that bind it, or
   * one object.
   */
  readonly scope: 'rule' | 'role' | 'object';
  /**
   * The requests the rule reports when a PolicyRule allows any of them, for rules that are
   * decided by asking `ruleAllows`.
   * @default - the rule inspects the PolicyRule's fields directly
   */
  readonly requests?: readonly RiskyRequest[];
}

/** Where the rule being checked sits. */
export interface RuleContext {
  /** The object and rule index to put on findings. */
  readonly location?: FindingLocation;
}

/** Where the object being checked sits, and the other objects it may refer to. */
export interface ObjectContext {
  /**
   * The object's location, to put on findings.
   * @default - findings carry no location
   */
  readonly location?: FindingLocation;
  /** Every object of the manifests, so that a Pod can look up its ServiceAccount. */
  readonly objects: readonly KubeObject[];
  /**
   * The roles and bindings of the manifests (with Kubernetes' bootstrap roles, unless left out),
   * so that a binding can look up its role.
   * @default - built from `objects` without the bootstrap roles
   */
  readonly roles?: RoleIndex;
  /**
   * The object's own RBAC (`rbacPolicyFrom([object])`), when the caller parsed it already: the
   * lint parses each object once for all of its checks.
   * @default - parsed from the object by the checks that need it
   */
  readonly policy?: RbacPolicySet;
}

/** Where the role being checked sits, and who binds it. */
export interface RoleContext {
  /** The role's location (without a rule index), to put on findings with the rule's index. */
  readonly location?: FindingLocation;
  /** The bindings of the manifests (and of Kubernetes' bootstrap policy) that bind this role. */
  readonly bindings: readonly BindingObject[];
}

/** A role-level risk rule: sees every rule of a role (aggregated) and its bindings. */
export type RoleCheck = (role: RoleObject, context: RoleContext) => Finding[];

/** A rule-level risk rule. */
export type PolicyRuleCheck = (rule: PolicyRule, context: RuleContext) => Finding[];

/** An object-level risk rule. */
export type ObjectCheck = (object: KubeObject, context: ObjectContext) => Finding[];

/** Builds a finding of the given risk rule. */
export function findingOf(
  info: RiskRuleInfo,
  message: string,
  context: RuleContext,
  rule?: PolicyRule,
): Finding {
  return {
    id: info.id,
    severity: info.severity,
    message,
    explanation: info.explanation,
    fix: info.fix,
    ...(rule ? { rule } : {}),
    ...(context.location ? { location: context.location } : {}),
  };
}
