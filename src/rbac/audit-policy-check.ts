/**
 * The token-safety check of any audit Policy: could it record a token or a Secret's data,
 * does it record token minting, does it omit the RequestReceived stage. Pure.
 *
 * Which level a request gets is decided by the API server's own matching (`auditLevelOf`)
 * over a finite set of probe requests: every user, group, namespace and object name the
 * policy mentions plus one it does not, and every verb. Matching compares only with values
 * the policy names, so these probes reach every rule a real request could reach.
 *
 * @see https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
 */
import type { Finding, FindingLocation, Severity } from './finding.js';
import {
  auditLevelOf,
  validateAuditPolicy,
  type AuditLevel,
  type AuditPolicy,
  type AuditRequestAttributes,
} from './audit-policy.js';

/** The ids of the audit-policy checks. */
export const AuditPolicyCheck = {
  /** The document is not a valid `audit.k8s.io/v1` Policy. */
  INVALID: 'audit-policy-invalid',
  /** A token could be recorded: TokenRequest responses or TokenReview requests above Metadata. */
  TOKEN_BODY: 'audit-policy-token-body',
  /** A Secret's data could be recorded: Secret writes at Request or anything at RequestResponse. */
  SECRET_BODY: 'audit-policy-secret-body',
  /** TokenRequest bodies (audiences, bound object; not the token) are recorded. */
  TOKEN_REQUEST_BODY: 'audit-policy-token-request-body',
  /** ConfigMap data (often credentials) could be recorded. */
  CONFIGMAP_BODY: 'audit-policy-configmap-body',
  /** Token minting (TokenRequest) is not recorded, for everyone or for some users. */
  TOKEN_MINTING_NOT_RECORDED: 'audit-policy-token-minting-not-recorded',
  /** The RequestReceived stage is recorded: every request is logged twice. */
  NO_OMIT_STAGES: 'audit-policy-no-omit-stages',
} as const;

const WRITE_VERBS = ['create', 'update', 'patch'];
const RESOURCE_VERBS = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
];
const FRESH = '\u0000unnamed';

interface Target {
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  readonly verbs: readonly string[];
  /** The check and its severity for a request at `level` with `verb`, if it leaks. */
  readonly leak: (
    level: AuditLevel,
    verb: string,
  ) => { id: string; severity: Severity; what: string } | undefined;
}

const above = (level: AuditLevel, min: AuditLevel): boolean =>
  (['None', 'Metadata', 'Request', 'RequestResponse'] as const).indexOf(level) >=
  (['None', 'Metadata', 'Request', 'RequestResponse'] as const).indexOf(min);

const TARGETS: readonly Target[] = [
  {
    apiGroup: '',
    resource: 'serviceaccounts',
    subresource: 'token',
    verbs: ['create'],
    leak: (level) =>
      level === 'RequestResponse'
        ? {
            id: AuditPolicyCheck.TOKEN_BODY,
            severity: 'error',
            what: 'the minted token (TokenRequest response at RequestResponse)',
          }
        : level === 'Request'
          ? {
              id: AuditPolicyCheck.TOKEN_REQUEST_BODY,
              severity: 'warning',
              what: 'TokenRequest bodies (audiences, bound object; not the token) at Request',
            }
          : undefined,
  },
  {
    apiGroup: 'authentication.k8s.io',
    resource: 'tokenreviews',
    subresource: '',
    verbs: ['create'],
    leak: (level) =>
      above(level, 'Request')
        ? {
            id: AuditPolicyCheck.TOKEN_BODY,
            severity: 'error',
            what: `the reviewed token (TokenReview request at ${level})`,
          }
        : undefined,
  },
  {
    apiGroup: '',
    resource: 'secrets',
    subresource: '',
    verbs: RESOURCE_VERBS,
    leak: (level, verb) =>
      level === 'RequestResponse' || (level === 'Request' && WRITE_VERBS.includes(verb))
        ? {
            id: AuditPolicyCheck.SECRET_BODY,
            severity: 'error',
            what: `Secret data (${verb} secrets at ${level})`,
          }
        : undefined,
  },
  {
    apiGroup: '',
    resource: 'configmaps',
    subresource: '',
    verbs: RESOURCE_VERBS,
    leak: (level, verb) =>
      level === 'RequestResponse' || (level === 'Request' && WRITE_VERBS.includes(verb))
        ? {
            id: AuditPolicyCheck.CONFIGMAP_BODY,
            severity: 'warning',
            what: `ConfigMap data (${verb} configmaps at ${level})`,
          }
        : undefined,
  },
];

const EXPLANATIONS: Record<string, { explanation: string; fix: string }> = {
  [AuditPolicyCheck.INVALID]: {
    explanation: 'the API server refuses to start with an invalid --audit-policy-file',
    fix: 'correct the field named in the message (see the audit.k8s.io/v1 Policy reference)',
  },
  [AuditPolicyCheck.TOKEN_BODY]: {
    explanation: 'anyone who can read the audit log (or its backend) can then use the token',
    fix: 'add a Metadata rule for serviceaccounts/token and authentication.k8s.io tokenreviews before this rule',
  },
  [AuditPolicyCheck.SECRET_BODY]: {
    explanation: 'Secret values end up in the audit log and every system it is shipped to',
    fix: 'add a Metadata rule for secrets before this rule',
  },
  [AuditPolicyCheck.TOKEN_REQUEST_BODY]: {
    explanation:
      'the token is not recorded, but audiences and bound objects need not be either; Metadata records who minted for whom',
    fix: 'add a Metadata rule for serviceaccounts/token before this rule',
  },
  [AuditPolicyCheck.CONFIGMAP_BODY]: {
    explanation: 'ConfigMaps often hold credentials that were not put in a Secret',
    fix: 'add a Metadata rule for configmaps before this rule',
  },
  [AuditPolicyCheck.TOKEN_MINTING_NOT_RECORDED]: {
    explanation:
      'a token minted through TokenRequest leaves no trace: nobody can tell who minted it for whom',
    fix: 'add a Metadata rule for serviceaccounts/token (verb create) before any None rule that matches it',
  },
  [AuditPolicyCheck.NO_OMIT_STAGES]: {
    explanation:
      'every request is then logged at RequestReceived and again when it completes, doubling the log',
    fix: "add 'omitStages: [RequestReceived]' to the policy",
  },
};

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The users, groups, namespaces and names the policy mentions, plus one it does not. */
function probeValues(policy: AuditPolicy) {
  const users = new Set<string>([FRESH]);
  const groups = new Set<string>();
  const namespaces = new Set<string>([FRESH, '']);
  const names = new Set<string>([FRESH]);
  for (const rule of policy.rules) {
    strings(rule.users).forEach((u) => users.add(u));
    strings(rule.userGroups).forEach((g) => groups.add(g));
    strings(rule.namespaces).forEach((n) => namespaces.add(n));
    for (const gr of rule.resources ?? []) strings(gr.resourceNames).forEach((n) => names.add(n));
  }
  // No group, each group alone, all groups together.
  const groupSets: string[][] = [[], ...[...groups].map((g) => [g])];
  if (groups.size > 1) groupSets.push([...groups]);
  return { users: [...users], groupSets, namespaces: [...namespaces], names: [...names] };
}

function* probes(policy: AuditPolicy, target: Target): Generator<AuditRequestAttributes> {
  const v = probeValues(policy);
  for (const user of v.users)
    for (const groups of v.groupSets)
      for (const verb of target.verbs)
        for (const namespace of v.namespaces)
          for (const name of v.names)
            yield {
              user,
              groups,
              verb,
              resource: {
                apiGroup: target.apiGroup,
                resource: target.resource,
                subresource: target.subresource,
                namespace,
                name,
              },
            };
}

function describeProbe(attrs: AuditRequestAttributes): string {
  const user = attrs.user === FRESH ? 'any user' : `user '${attrs.user}'`;
  const ns = attrs.resource?.namespace;
  const where = ns === '' ? '' : ns === FRESH ? '' : ` in namespace '${ns}'`;
  return `${user}${attrs.groups.length ? ` (groups ${attrs.groups.join(', ')})` : ''}${where}`;
}

function finding(
  id: string,
  severity: Severity,
  message: string,
  location: FindingLocation,
): Finding {
  return { id, severity, message, ...EXPLANATIONS[id], location };
}

/** Options of `checkAuditPolicy`. */
export interface AuditPolicyCheckOptions {
  /** The file the policy came from, shown in findings. @default - none */
  readonly source?: string;
}

/**
 * Checks an audit Policy document (parsed YAML or JSON): invalid documents get one
 * `audit-policy-invalid` error per problem and no further checks; valid ones are checked for
 * recorded token and Secret bodies, unrecorded token minting and a recorded RequestReceived
 * stage. Findings use the lint's `Finding` shape, located at the Policy and rule index.
 */
export function checkAuditPolicy(
  document: unknown,
  options: AuditPolicyCheckOptions = {},
): Finding[] {
  const doc = document as Partial<AuditPolicy> | undefined;
  const location: FindingLocation = {
    kind: 'Policy',
    name: typeof doc?.metadata?.name === 'string' ? doc.metadata.name : '',
    namespace: '',
    ...(options.source ? { source: options.source } : {}),
  };
  const problems = validateAuditPolicy(document);
  if (problems.length > 0)
    return problems.map((p) => finding(AuditPolicyCheck.INVALID, 'error', p, location));
  const policy = document as AuditPolicy;
  const findings: Finding[] = [];
  const reported = new Set<string>();
  for (const target of TARGETS) {
    for (const attrs of probes(policy, target)) {
      const { level, ruleIndex } = auditLevelOf(policy, attrs);
      const leak = target.leak(level, attrs.verb);
      if (!leak || ruleIndex === undefined) continue;
      const key = `${leak.id}/${ruleIndex}/${target.resource}`;
      if (reported.has(key)) continue;
      reported.add(key);
      findings.push(
        finding(
          leak.id,
          leak.severity,
          `rules[${ruleIndex}] records ${leak.what} for requests by ${describeProbe(attrs)}`,
          { ...location, ruleIndex },
        ),
      );
    }
  }
  // In rule order, as a reader walks the policy (the API server's order).
  findings.sort((a, b) => (a.location?.ruleIndex ?? 0) - (b.location?.ruleIndex ?? 0));
  findings.push(...mintingFindings(policy, location));
  const omitted = new Set(policy.omitStages ?? []);
  const everyRuleOmits = policy.rules.every((r) =>
    (r.omitStages ?? []).includes('RequestReceived'),
  );
  if (!omitted.has('RequestReceived') && !everyRuleOmits)
    findings.push(
      finding(
        AuditPolicyCheck.NO_OMIT_STAGES,
        'warning',
        'the policy records the RequestReceived stage: omitStages does not list RequestReceived',
        location,
      ),
    );
  return findings;
}

function mintingFindings(policy: AuditPolicy, location: FindingLocation): Finding[] {
  const token = TARGETS[0];
  const unrecorded: AuditRequestAttributes[] = [];
  let total = 0;
  for (const attrs of probes(policy, token)) {
    total++;
    const { level, omitStages } = auditLevelOf(policy, attrs);
    const complete = !omitStages.includes('ResponseComplete');
    if (level === 'None' || !complete) unrecorded.push(attrs);
  }
  if (unrecorded.length === 0) return [];
  if (unrecorded.length === total)
    return [
      finding(
        AuditPolicyCheck.TOKEN_MINTING_NOT_RECORDED,
        'error',
        'no rule records token minting (create serviceaccounts/token): it gets level None',
        location,
      ),
    ];
  const example = unrecorded[0];
  const { ruleIndex } = auditLevelOf(policy, example);
  return [
    finding(
      AuditPolicyCheck.TOKEN_MINTING_NOT_RECORDED,
      'warning',
      `token minting (create serviceaccounts/token) is not recorded for some requests, e.g. by ${describeProbe(example)}` +
        (ruleIndex !== undefined ? ` (rules[${ruleIndex}])` : ' (no rule matches)'),
      ruleIndex !== undefined ? { ...location, ruleIndex } : location,
    ),
  ];
}
