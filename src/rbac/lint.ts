/**
 * The least-privilege lint: runs every risk rule over one rule set (`lintRules`) or over any
 * Kubernetes manifests (`lintManifests`: synthesized output, a Helm chart's output, `kubectl
 * get -o yaml`), applies written acknowledgements and formats the findings for people.
 */
import type { RiskAcknowledgement, Finding, FindingLocation } from './finding.js';
import {
  ACKNOWLEDGED_RISKS_ANNOTATION,
  mergePolicies,
  rbacPolicyFrom,
  type BindingObject,
  type KubeObject,
  type RbacPolicySet,
  type RoleObject,
} from './kube-object.js';
import type { ManifestPosition } from './manifest-reader.js';
import { freezeRule, isSharedRule, sanitizeRule, type PolicyRule } from './policy-rule.js';
import { holdersOf } from './risk-holders.js';
import { CLUSTER_ADMIN_EQUIVALENT } from './risks/cluster-admin-equivalent.js';
import {
  OBJECT_CHECKS,
  POLICY_RULE_CHECKS,
  RISK_RULES,
  ROLE_CHECKS,
  isRiskId,
} from './risks/risk-rules.js';
import { roleIndexOfPolicy, roleKey, type RoleIndex } from './role-index.js';
import { bootstrapRoles } from './bootstrap-policy.js';

/** The shortest reason an acknowledgement may give. */
export const MIN_REASON_LENGTH = 10;

/** Looks up where an object came from; a `Map` or `WeakMap` keyed by the object will do. */
export interface SourceLookup {
  /** The file or construct path `object` came from; undefined when unknown. */
  get(object: KubeObject): string | undefined;
}

/** Options of `lintManifests`. */
export interface LintOptions {
  /**
   * The file or construct path of each object, shown in findings (`manifest-reader`'s
   * `sources`).
   * @default - findings carry no source
   */
  readonly sources?: SourceLookup;
  /**
   * Where each object starts in its file (`manifest-reader`'s `positions`), put on findings.
   * @default - findings carry no line
   */
  readonly positions?: PositionLookup;
  /**
   * Resolve bindings to Kubernetes' bootstrap roles (`view`, `system:auth-delegator`, ...) when
   * the manifests do not define them, instead of reporting them as `unresolved-role`.
   * @default true
   */
  readonly builtinRoles?: boolean;
  /**
   * The risk rules to run (their ids); an unknown id is an error.
   * @default - every rule
   */
  readonly enable?: readonly string[];
  /**
   * Risk rules not to run (their ids); an unknown id is an error.
   * @default - none
   */
  readonly disable?: readonly string[];
}

/** Looks up where an object starts in its file; a `Map` keyed by the object will do. */
export interface PositionLookup {
  /** The object's position; undefined when unknown. */
  get(object: KubeObject): ManifestPosition | undefined;
}

/** An acknowledgement that does not acknowledge anything, and why. */
export interface AcknowledgementProblem {
  /** The object whose acknowledgement annotation holds the problem. */
  readonly location: FindingLocation;
  /** What is wrong: invalid JSON, an entry without a risk, an unknown risk, a short reason. */
  readonly message: string;
}

/** The outcome of `lintManifests`. */
export interface LintReport {
  /** Every finding in a deterministic order; acknowledged ones carry `acknowledgedReason`. */
  readonly findings: readonly Finding[];
  /** The unacknowledged error-severity findings: the lint fails when there is any. */
  readonly errors: readonly Finding[];
  /** Acknowledgements that were rejected (unknown risk, reason too short, bad annotation). */
  readonly problems: readonly AcknowledgementProblem[];
  /** The findings counted by status: `errors + warnings + acknowledged + baselined === total`. */
  readonly counts: {
    /** Every finding, acknowledged or not. */
    readonly total: number;
    /** Unacknowledged errors. */
    readonly errors: number;
    /** Unacknowledged warnings. */
    readonly warnings: number;
    /** Findings of either severity that a valid acknowledgement covers. */
    readonly acknowledged: number;
    /** Unacknowledged findings that the baseline already holds (not counted as errors). */
    readonly baselined: number;
  };
}

/**
 * Rule-level findings without a location, per selection of risk rules and distinct sanitized
 * rule. A construct lints the same few rules over and over at synth; the checks are pure, so a
 * rule's findings depend on its lists only. Bounded by clearing, which is enough for synth and
 * CLI workloads. Keyed by the selection's identity: the shared selections (every rule, the
 * error-severity rules) keep theirs across lints, a selection made for one lint drops it after.
 */
const findingsBySelection = new WeakMap<ReadonlySet<string>, RuleMemo>();

/** The selected checks, and their findings per rule. */
interface RuleMemo {
  readonly checks: typeof POLICY_RULE_CHECKS;
  readonly byRule: Map<string, readonly Finding[]>;
  /** The same, by object, for frozen rules without names (shared permissions). */
  readonly bySharedRule: WeakMap<PolicyRule, readonly Finding[]>;
}
const MAX_CACHED_RULES = 10_000;
const NO_FINDINGS: readonly Finding[] = Object.freeze([]);

/** Distinct for rules that differ in any list, in its order, or in a missing versus empty list. */
function ruleKey(rule: PolicyRule): string {
  return JSON.stringify([
    rule.verbs,
    rule.apiGroups,
    rule.resources,
    rule.resourceNames,
    rule.nonResourceURLs,
  ]);
}

/** Stands for the names of a named rule in `namedShape`; no object has it (it is not a DNS name). */
const SOME_NAMES: readonly string[] = Object.freeze(['\u0000name']);

/** True when the rule names objects, none of them `''` (which a nameless request matches). */
function hasNamesOnly(rule: PolicyRule): boolean {
  const names = rule.resourceNames;
  return names !== undefined && names.length > 0 && !names.includes('');
}

/**
 * A named rule with its names replaced by one that stands for any. No check reads a name: they
 * ask `ruleAllows` about the rule's own names, which all match or all fail alike. So whether a
 * rule has findings does not depend on which names it lists, and a shape without findings
 * answers for every rule of that shape (a construct per workload, each naming its own).
 */
function namedShape(rule: PolicyRule): PolicyRule {
  return { ...rule, resourceNames: SOME_NAMES };
}

/**
 * The findings of the selected rule-level checks on one sanitized rule, frozen (with the rule)
 * so that no caller can change them. Checks that are not selected do not run.
 */
function ruleFindings(rule: PolicyRule, selected: ReadonlySet<string>): readonly Finding[] {
  let memo = findingsBySelection.get(selected);
  if (!memo) {
    memo = {
      checks: POLICY_RULE_CHECKS.filter(({ info }) => selected.has(info.id)),
      byRule: new Map(),
      bySharedRule: new WeakMap(),
    };
    findingsBySelection.set(selected, memo);
  }
  const shared = isSharedRule(rule);
  const known = shared ? memo.bySharedRule.get(rule) : undefined;
  if (known !== undefined) return known;
  const findings = ruleFindingsByValue(rule, memo);
  if (shared) memo.bySharedRule.set(rule, findings);
  return findings;
}

/** `ruleFindings` looked up by the rule's lists, or found and kept. */
function ruleFindingsByValue(rule: PolicyRule, memo: RuleMemo): readonly Finding[] {
  if (
    rule.resourceNames !== SOME_NAMES &&
    hasNamesOnly(rule) &&
    ruleFindingsByValue(namedShape(rule), memo).length === 0
  ) {
    return NO_FINDINGS;
  }
  const key = ruleKey(rule);
  const cached = memo.byRule.get(key);
  if (cached) return cached;
  const frozen = freezeRule(rule);
  const found = memo.checks.flatMap(({ check }) => check(frozen, {}));
  // Most rules have no findings: they share one frozen empty list rather than keep one each.
  const findings =
    found.length === 0 ? NO_FINDINGS : Object.freeze(found.map((f) => Object.freeze(f)));
  if (memo.byRule.size >= MAX_CACHED_RULES) memo.byRule.clear();
  memo.byRule.set(key, findings);
  return findings;
}

/** A cluster-admin-equivalent rule's findings are that one finding. */
function subsumed(findings: readonly Finding[]): readonly Finding[] {
  const admin = findings.find((f) => f.id === CLUSTER_ADMIN_EQUIVALENT.id);
  return admin ? [admin] : findings;
}

/**
 * Runs every rule-level risk rule over a rule set. Each finding's location is `location` with
 * the rule's index; acknowledgements are not applied (see `applyAcknowledgements`).
 */
export function lintRules(rules: readonly PolicyRule[], location?: FindingLocation): Finding[] {
  // Callers' rules are untrusted input: a rule that is not even an object grants nothing.
  const sanitized = rules.map((raw) => sanitizeRule(raw) ?? { verbs: [] });
  return lintRuleSet(sanitized, location, selectedRuleIds({}));
}

/**
 * The selected checks' findings on each rule (sanitized: `sanitizeRule`'s, as a `RoleObject`'s
 * are). A cluster-admin-equivalent rule's findings are that one finding when that check is
 * selected.
 */
function lintRuleSet(
  rules: readonly PolicyRule[],
  location: FindingLocation | undefined,
  selected: ReadonlySet<string>,
): Finding[] {
  const subsume = selected.has(CLUSTER_ADMIN_EQUIVALENT.id);
  const found: Finding[] = [];
  for (let ruleIndex = 0; ruleIndex < rules.length; ruleIndex++) {
    const all = ruleFindings(rules[ruleIndex], selected);
    const findings = subsume ? subsumed(all) : all;
    if (findings.length === 0) continue;
    if (!location) {
      found.push(...findings);
      continue;
    }
    const at = { ...location, ruleIndex };
    for (const f of findings) found.push({ ...f, location: at });
  }
  return found;
}

/**
 * The problems of a list of acknowledgements, as messages: an unknown risk id, or a reason
 * shorter than `MIN_REASON_LENGTH` characters. An acknowledgement with a problem acknowledges
 * nothing.
 */
export function validateAcknowledgements(acks: readonly RiskAcknowledgement[]): string[] {
  return acks.flatMap((ack) => {
    const risk = typeof ack?.risk === 'string' ? ack.risk : String(ack?.risk);
    if (!isRiskId(risk)) {
      return [
        `acknowledgement names unknown risk '${risk}', expected one of: ${RISK_RULES.map((r) => r.id).join(', ')}`,
      ];
    }
    const reason = typeof ack.reason === 'string' ? ack.reason.trim() : '';
    if (reason.length < MIN_REASON_LENGTH) {
      return [
        `acknowledgement of risk '${risk}' needs a reason of at least ${MIN_REASON_LENGTH} characters, got '${reason}'`,
      ];
    }
    return [];
  });
}

/** Marks each finding whose risk a valid acknowledgement names with its `acknowledgedReason`. */
export function applyAcknowledgements(
  findings: readonly Finding[],
  acks: readonly RiskAcknowledgement[],
): Finding[] {
  const reasons = new Map<string, string>();
  for (const ack of acks) {
    if (validateAcknowledgements([ack]).length === 0 && !reasons.has(ack.risk))
      reasons.set(ack.risk, ack.reason.trim());
  }
  return findings.map((finding) => {
    const reason = reasons.get(finding.id);
    return reason === undefined ? finding : { ...finding, acknowledgedReason: reason };
  });
}

/**
 * The acknowledgements an object's `ACKNOWLEDGED_RISKS_ANNOTATION` records (a JSON array of
 * `{ risk, reason }`), with problems when the annotation is not such an array.
 */
export function acknowledgementsOf(object: KubeObject): {
  acknowledgements: RiskAcknowledgement[];
  problems: string[];
} {
  const text = object.metadata?.annotations?.[ACKNOWLEDGED_RISKS_ANNOTATION];
  if (text === undefined) return { acknowledgements: [], problems: [] };
  const expected = `annotation '${ACKNOWLEDGED_RISKS_ANNOTATION}' must be a JSON array of {"risk", "reason"}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return {
      acknowledgements: [],
      problems: [`${expected}, got invalid JSON: ${(e as Error).message}`],
    };
  }
  if (!Array.isArray(parsed))
    return { acknowledgements: [], problems: [`${expected}, got ${JSON.stringify(parsed)}`] };
  const acknowledgements = parsed.filter(
    (a): a is RiskAcknowledgement =>
      typeof a === 'object' && a !== null && typeof a.risk === 'string',
  );
  const malformed = parsed.length - acknowledgements.length;
  const problems = malformed > 0 ? [`${expected}, got ${malformed} entries without a risk`] : [];
  return {
    acknowledgements,
    problems: [...problems, ...validateAcknowledgements(acknowledgements)],
  };
}

function locationOf(object: KubeObject, options: LintOptions): FindingLocation {
  const source = options.sources?.get(object);
  const position = options.positions?.get(object);
  return {
    kind: object.kind ?? '',
    name: object.metadata?.name ?? '',
    namespace: object.metadata?.namespace ?? '',
    ...(source !== undefined ? { source } : {}),
    ...(position !== undefined ? position : {}),
  };
}

/** The ClusterRole objects of the manifests by name, from each object's own policy. */
function clusterRolesByName(
  objects: readonly KubeObject[],
  policies: readonly RbacPolicySet[],
): Map<string, KubeObject> {
  const byName = new Map<string, KubeObject>();
  for (let i = 0; i < objects.length; i++) {
    const role = policies[i].roles[0];
    if (role?.kind === 'ClusterRole' && !byName.has(role.name)) byName.set(role.name, objects[i]);
  }
  return byName;
}

/** A ClusterRoleBinding's finding may also be acknowledged on the ClusterRole it binds. */
function boundClusterRole(
  binding: BindingObject | undefined,
  clusterRoles: ReadonlyMap<string, KubeObject>,
): KubeObject | undefined {
  if (binding?.kind !== 'ClusterRoleBinding' || binding.roleRef?.kind !== 'ClusterRole')
    return undefined;
  return clusterRoles.get(binding.roleRef.name);
}

/**
 * The ids of the rules to run, from `enable` and `disable`; throws naming an unknown id and the
 * known ones.
 */
export function selectedRules(options: Pick<LintOptions, 'enable' | 'disable'>): Set<string> {
  return new Set(selectedRuleIds(options));
}

/**
 * The risk rules whose findings can be errors (a rule of warning severity only ever reports
 * warnings): a lint that needs only `errors`, as a construct's at synth, enables just these
 * and skips the work of the others. Frozen, so that its selection is shared between lints.
 */
export const ERROR_RISK_IDS: readonly string[] = Object.freeze(
  RISK_RULES.filter((r) => r.severity === 'error').map((r) => r.id),
);

/** Every rule's id: what `selectedRuleIds` answers without `enable` and `disable`. */
let everyRuleId: ReadonlySet<string> | undefined;

/** The selection of each frozen `enable` list given without `disable`. */
const selectionsByEnable = new WeakMap<readonly string[], ReadonlySet<string>>();

/**
 * `selectedRules`, shared when neither option is given, and for the same frozen `enable` list
 * without `disable` (as for each construct at synth), so that its rule memo is shared too.
 */
function selectedRuleIds(options: Pick<LintOptions, 'enable' | 'disable'>): ReadonlySet<string> {
  if (options.enable === undefined && options.disable === undefined) {
    everyRuleId ??= new Set(RISK_RULES.map((r) => r.id));
    return everyRuleId;
  }
  const { enable } = options;
  if (enable !== undefined && options.disable === undefined && Object.isFrozen(enable)) {
    const shared = selectionsByEnable.get(enable) ?? selectionFrom(options);
    selectionsByEnable.set(enable, shared);
    return shared;
  }
  return selectionFrom(options);
}

/** The checks of `checks` that `selected` names. */
function checksOf<C extends { readonly info: { readonly id: string } }>(
  checks: readonly C[],
  selected: ReadonlySet<string>,
): readonly C[] {
  return checks.filter(({ info }) => selected.has(info.id));
}

/**
 * The selected role-level and object-level checks, per selection: a construct's lint at synth
 * asks for the same shared selection once per construct.
 */
const checksBySelection = new WeakMap<
  ReadonlySet<string>,
  { readonly role: typeof ROLE_CHECKS; readonly object: typeof OBJECT_CHECKS }
>();

function selectedChecks(selected: ReadonlySet<string>): {
  readonly role: typeof ROLE_CHECKS;
  readonly object: typeof OBJECT_CHECKS;
} {
  let checks = checksBySelection.get(selected);
  if (checks === undefined) {
    checks = { role: checksOf(ROLE_CHECKS, selected), object: checksOf(OBJECT_CHECKS, selected) };
    checksBySelection.set(selected, checks);
  }
  return checks;
}

function selectionFrom(options: Pick<LintOptions, 'enable' | 'disable'>): ReadonlySet<string> {
  const known = RISK_RULES.map((r) => r.id);
  for (const [flag, ids] of [
    ['enable', options.enable],
    ['disable', options.disable],
  ] as const) {
    const unknown = (ids ?? []).filter((id) => !isRiskId(id));
    if (unknown.length > 0)
      throw new Error(
        `${flag}: unknown risk rule ${unknown.map((id) => `'${id}'`).join(', ')}, expected one of: ${known.join(', ')}`,
      );
  }
  const enabled = options.enable?.length ? new Set(options.enable) : new Set(known);
  for (const id of options.disable ?? []) enabled.delete(id);
  return enabled;
}

/** Labels by which a ClusterRole aggregates into Kubernetes' admin, edit or view roles. */
function aggregatedInto(role: { labels?: Readonly<Record<string, string>> }): string[] {
  return Object.entries(role.labels ?? {})
    .filter(
      ([key, value]) =>
        value === 'true' && key.startsWith('rbac.authorization.k8s.io/aggregate-to-'),
    )
    .map(([key]) => key.slice('rbac.authorization.k8s.io/aggregate-to-'.length));
}

/**
 * The findings on a role: its rules', and the role-level checks' (which see its bindings), each
 * with who holds it. A role no binding of the manifests binds (and that aggregates into no
 * built-in role) holds its risk for nobody yet: its errors are lowered to warnings.
 */
function roleFindingsOf(
  index: RoleIndex,
  role: ReturnType<RoleIndex['roleOf']> & object,
  location: FindingLocation,
  selected: ReadonlySet<string>,
): Finding[] {
  const bindings = index.bindingsOf(role);
  const found = lintRuleSet(role.rules, location, selected);
  for (const { check } of selectedChecks(selected).role) {
    found.push(...check(role, { location, bindings }));
  }
  if (found.length === 0) return [];
  const holders = holdersOf(bindings);
  const unbound = holders.length === 0 && aggregatedInto(role).length === 0;
  return found.map((f) => ({
    ...f,
    holders,
    ...(unbound ? { unbound: true, severity: 'warning' as const } : {}),
  }));
}

/**
 * Lints any manifests: the rules of every Role and ClusterRole (with who holds them), the
 * role-level checks, bindings, legacy token Secrets, ServiceAccounts, Pods and the pod
 * templates of workloads. An object's acknowledgement annotation acknowledges that object's
 * findings (and a ClusterRole's, the findings of the bindings that bind it).
 */
export function lintManifests(
  objects: readonly KubeObject[],
  options: LintOptions = {},
): LintReport {
  const selected = selectedRuleIds(options);
  const findings: Finding[] = [];
  const problems: AcknowledgementProblem[] = [];
  // Loops, not callbacks, on this path: see `lintObject`.
  const wellFormed: KubeObject[] = [];
  for (const o of objects) if (typeof o === 'object' && o !== null) wellFormed.push(o);
  // Each object's own RBAC policy, parsed once for both uses below.
  const policies: RbacPolicySet[] = [];
  for (const o of wellFormed) policies.push(rbacPolicyFrom([o]));
  const clusterRoles = clusterRolesByName(wellFormed, policies);
  const index = roleIndexOfPolicy(
    mergePolicies(policies),
    options.builtinRoles === false ? [] : bootstrapRoles(),
  );
  // Roles with their effective rules (aggregated ClusterRoles get their selected roles' rules).
  const resolved = new Map<string, RoleObject>();
  for (const r of index.roles) resolved.set(roleKey(r.kind, r.namespace, r.name), r);
  const manifests: Manifests = { objects: wellFormed, index, resolved, clusterRoles, selected };
  for (let i = 0; i < wellFormed.length; i++) {
    lintObject(wellFormed[i], policies[i], manifests, options, findings, problems);
  }
  return reportOf(findings, problems);
}

/** What `lintManifests` knows of all the manifests when it lints one object. */
interface Manifests {
  readonly objects: readonly KubeObject[];
  readonly index: RoleIndex;
  readonly resolved: ReadonlyMap<string, RoleObject>;
  readonly clusterRoles: ReadonlyMap<string, KubeObject>;
  readonly selected: ReadonlySet<string>;
}

/**
 * One object's findings (acknowledged as it says) and acknowledgement problems, added to
 * `findings` and `problems`. A function of the module rather than a callback made per
 * `lintManifests` call: V8 keeps a callback's optimized code only while a callback made from it
 * lives, so after each full garbage collection the first lint of a synth ran such callbacks
 * unoptimized until they were compiled again (about twice the time of a later lint).
 */
function lintObject(
  object: KubeObject,
  policy: RbacPolicySet,
  manifests: Manifests,
  options: LintOptions,
  findings: Finding[],
  problems: AcknowledgementProblem[],
): void {
  const { index, selected } = manifests;
  const location = locationOf(object, options);
  const own = acknowledgementsOf(object);
  for (const message of own.problems) problems.push({ location, message });
  const parsed = policy.roles[0];
  const role =
    parsed && manifests.resolved.get(roleKey(parsed.kind, parsed.namespace, parsed.name));
  const raw =
    role && Array.isArray(role.rules) ? roleFindingsOf(index, role, location, selected) : [];
  const context = { location, objects: manifests.objects, roles: index, policy };
  for (const { check } of selectedChecks(selected).object) raw.push(...check(object, context));
  if (raw.length === 0) return;
  const bound = boundClusterRole(policy.bindings[0], manifests.clusterRoles);
  const acks = [
    ...own.acknowledgements,
    ...(bound ? acknowledgementsOf(bound).acknowledgements : []),
  ];
  findings.push(...applyAcknowledgements(raw, acks));
}

/** The report of findings (in `sortFindings` order) and acknowledgement problems. */
export function reportOf(
  findings: readonly Finding[],
  problems: readonly AcknowledgementProblem[],
): LintReport {
  const sorted = sortFindings(findings);
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const baselined: Finding[] = [];
  // A loop, not callbacks: a construct's lint at synth makes a report (see `lintObject`).
  for (const f of sorted) {
    if (f.acknowledgedReason !== undefined) continue;
    if (f.baselined === true) baselined.push(f);
    else if (f.severity === 'error') errors.push(f);
    else if (f.severity === 'warning') warnings.push(f);
  }
  return {
    findings: sorted,
    errors,
    problems,
    counts: {
      total: sorted.length,
      errors: errors.length,
      warnings: warnings.length,
      acknowledged: sorted.length - errors.length - warnings.length - baselined.length,
      baselined: baselined.length,
    },
  };
}

const RULE_ORDER: ReadonlyMap<string, number> = new Map(RISK_RULES.map((r, i) => [r.id, i]));

function sortKey(f: Finding): (string | number)[] {
  const l = f.location;
  return [
    l?.source ?? '',
    l?.namespace ?? '',
    l?.kind ?? '',
    l?.name ?? '',
    l?.ruleIndex ?? -1,
    RULE_ORDER.get(f.id) ?? 0,
    f.message,
  ];
}

/** Findings ordered by source, namespace, kind, name, rule index, risk table order, message. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  if (findings.length === 0) return [];
  const keyed = findings.map((f) => ({ f, key: sortKey(f) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      const [x, y] = [a.key[i], b.key[i]];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
  return keyed.map(({ f }) => f);
}

function list(values: readonly string[] | undefined): string {
  return `[${(values ?? []).map((v) => (v === '' ? '""' : v)).join(',')}]`;
}

/**
 * A rule on one line: `verbs=[get] apiGroups=[""] resources=[secrets] resourceNames=[a]`.
 * `resourceNames` is left out when the rule names none (it then applies to every name: an
 * empty list printed would read as "no names").
 */
export function formatRule(rule: PolicyRule): string {
  if (rule.nonResourceURLs?.length)
    return `verbs=${list(rule.verbs)} nonResourceURLs=${list(rule.nonResourceURLs)}`;
  const names = rule.resourceNames?.length ? ` resourceNames=${list(rule.resourceNames)}` : '';
  return `verbs=${list(rule.verbs)} apiGroups=${list(rule.apiGroups)} resources=${list(rule.resources)}${names}`;
}

/** `Role ci/deployer rules[0] (from dist/app.k8s.yaml)`. */
export function formatLocation(location: FindingLocation): string {
  const name = location.namespace ? `${location.namespace}/${location.name}` : location.name;
  const index = location.ruleIndex !== undefined ? ` rules[${location.ruleIndex}]` : '';
  const source = location.source ? ` (from ${location.source})` : '';
  return `${location.kind} ${name}${index}${source}`;
}

/**
 * The findings as text for people, in `sortFindings` order: per finding its severity, risk
 * id, location, message, offending rule, fix and, when acknowledged, the reason. `''` for none.
 */
export function formatFindings(findings: readonly Finding[]): string {
  return sortFindings(findings)
    .map((f) => {
      const status =
        f.acknowledgedReason !== undefined ? `${f.severity} (acknowledged)` : f.severity;
      const lines = [
        `${status} ${f.id}${f.location ? `: ${formatLocation(f.location)}` : ''}`,
        `  ${f.message}`,
      ];
      if (f.rule) lines.push(`  rule: ${formatRule(f.rule)}`);
      lines.push(`  fix: ${f.fix}`);
      if (f.acknowledgedReason !== undefined) lines.push(`  acknowledged: ${f.acknowledgedReason}`);
      return lines.join('\n');
    })
    .join('\n\n');
}
