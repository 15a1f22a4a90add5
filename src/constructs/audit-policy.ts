import { ApiObject, Chart, Lazy, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import {
  validateAuditPolicy,
  type AuditLevel,
  type AuditPolicyRule,
} from '../rbac/audit-policy.js';
import { serviceAccountUser } from '../rbac/authorizer.js';
import { ServiceAccountAccess } from './service-account-access.js';
import { checkDnsLabel, checkDnsSubdomain } from './_names.js';
import { checkOptionalList } from './_prop-types.js';

/** A ServiceAccount whose every request is to be recorded. */
export interface AuditedServiceAccount {
  /** The ServiceAccount's namespace. */
  readonly namespace: string;
  /** The ServiceAccount's name. */
  readonly name: string;
}

/** Where the API server reads the policy and writes the log: kube-apiserver's audit flags. */
export interface AuditLogOptions {
  /**
   * Path of the policy file on the control-plane node (`--audit-policy-file`).
   * @default '/etc/kubernetes/audit/policy.yaml'
   */
  readonly policyFile?: string;
  /**
   * Path of the audit log (`--audit-log-path`); `-` writes to standard output.
   * @default '/var/log/kubernetes/audit/audit.log'
   */
  readonly logPath?: string;
  /**
   * Days to keep rotated log files (`--audit-log-maxage`).
   * @default 30
   */
  readonly maxAgeDays?: number;
  /**
   * Rotated log files to keep (`--audit-log-maxbackup`).
   * @default 10
   */
  readonly maxBackups?: number;
  /**
   * Size in megabytes at which the log is rotated (`--audit-log-maxsize`).
   * @default 100
   */
  readonly maxSizeMegabytes?: number;
}

/** The policy wrapped in a ConfigMap, for tools that distribute files through the API. */
export interface AuditPolicyConfigMapOptions {
  /** The ConfigMap's name. @default - the chart's id */
  readonly name?: string;
  /** The ConfigMap's namespace. @default 'kube-system' */
  readonly namespace?: string;
}

/** Properties of `TokenAuditPolicy`. */
export interface TokenAuditPolicyProps {
  /**
   * Record every request of the ServiceAccounts declared with `ServiceAccountAccess` anywhere
   * in the app (at Metadata), so that `access-tokens audit` can analyse their use.
   * @default true
   */
  readonly auditAppServiceAccounts?: boolean;
  /**
   * More ServiceAccounts whose requests are recorded at Metadata.
   * @default - none
   */
  readonly serviceAccounts?: readonly AuditedServiceAccount[];
  /**
   * More users (as the API server names them) whose requests are recorded at Metadata.
   * @default - none
   */
  readonly users?: readonly string[];
  /**
   * The level of every request no earlier rule matches. Tokens and Secrets stay at Metadata
   * whatever this is: their rules come first.
   * @default 'Metadata'
   * @see https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy
   */
  readonly catchAllLevel?: AuditLevel;
  /**
   * Drop the known noisy read-only system traffic (kube-proxy's watches, nodes reading
   * themselves, leader-election reads, health checks).
   * @default true
   */
  readonly dropSystemNoise?: boolean;
  /**
   * Where the API server reads the policy and writes the log (`apiServerFlags`).
   * @default - see AuditLogOptions
   */
  readonly log?: AuditLogOptions;
  /**
   * Also synthesize a ConfigMap holding the policy file, in a chart (and file) of its own.
   * @default - no ConfigMap
   */
  readonly configMap?: AuditPolicyConfigMapOptions;
}

const LEVELS: readonly AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

/** The key of the policy file in the ConfigMap. */
export const AUDIT_POLICY_CONFIGMAP_KEY = 'audit-policy.yaml';

/** Token and Secret bodies: never above Metadata, so these come before any broader rule. */
const SENSITIVE_RULE: AuditPolicyRule = {
  level: 'Metadata',
  resources: [
    { group: '', resources: ['serviceaccounts/token', 'secrets', 'configmaps'] },
    { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
  ],
};

/** Who may act as whom: recorded with the request and response bodies (no token in them). */
const ACCESS_CHANGE_RULE: AuditPolicyRule = {
  level: 'RequestResponse',
  verbs: WRITE_VERBS,
  resources: [
    { group: '', resources: ['serviceaccounts'] },
    {
      group: 'rbac.authorization.k8s.io',
      resources: ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'],
    },
  ],
};

const SYSTEM_NOISE_RULES: readonly AuditPolicyRule[] = [
  {
    level: 'None',
    users: ['system:kube-proxy'],
    verbs: ['watch'],
    resources: [
      { group: '', resources: ['endpoints', 'services', 'services/status'] },
      { group: 'discovery.k8s.io', resources: ['endpointslices'] },
    ],
  },
  {
    level: 'None',
    userGroups: ['system:nodes'],
    verbs: ['get'],
    resources: [{ group: '', resources: ['nodes', 'nodes/status'] }],
  },
  {
    level: 'None',
    users: ['system:kube-controller-manager', 'system:kube-scheduler'],
    verbs: ['get'],
    namespaces: ['kube-system'],
    resources: [
      { group: '', resources: ['endpoints'] },
      { group: 'coordination.k8s.io', resources: ['leases'] },
    ],
  },
  {
    level: 'None',
    verbs: ['get'],
    nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/version'],
  },
];

/**
 * An `audit.k8s.io/v1` Policy that records token minting, RBAC changes and the app's
 * ServiceAccounts' requests without ever recording a token or a Secret's data:
 * TokenRequests, TokenReviews, Secrets and ConfigMaps at Metadata before any broader rule,
 * ServiceAccount and RBAC changes with their bodies, the watched ServiceAccounts' requests at
 * Metadata, known noisy system reads dropped, and a catch-all level of your choice; the
 * RequestReceived stage is omitted.
 *
 * It is a chart of its own, so that `cdk8s synth` writes it to a file of its own (the API
 * server reads it from disk: copy that file to `policyFile` on the control-plane nodes), and
 * `apiServerFlags` are the kube-apiserver flags that enable it.
 *
 * @see https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
 */
export class TokenAuditPolicy extends Chart {
  /** The Policy object. */
  public readonly policy: ApiObject;
  /** The ConfigMap holding the policy file, when `configMap` was given. */
  public readonly configMap?: ApiObject;
  /** The level of requests no other rule matches. */
  public readonly catchAllLevel: AuditLevel;
  /** `--audit-policy-file=...`, `--audit-log-path=...` and the rotation flags, in that order. */
  public readonly apiServerFlags: readonly string[];
  /** The policy file's path on the control-plane nodes. */
  public readonly policyFile: string;
  /** The audit log's path. */
  public readonly logPath: string;

  private readonly props: TokenAuditPolicyProps;

  constructor(scope: Construct, id: string, props: TokenAuditPolicyProps = {}) {
    super(scope, id);
    this.props = props;
    this.catchAllLevel = props.catchAllLevel ?? 'Metadata';
    if (!LEVELS.includes(this.catchAllLevel))
      throw new Error(
        `catchAllLevel '${String(this.catchAllLevel)}' is invalid: allowed levels are ${LEVELS.join(', ')}`,
      );
    for (const [i, sa] of (props.serviceAccounts ?? []).entries()) {
      checkDnsLabel(`serviceAccounts[${i}].namespace`, sa.namespace);
      checkDnsSubdomain(`serviceAccounts[${i}].name`, sa.name);
    }
    checkOptionalList(
      'users',
      props.users,
      (u) => typeof u === 'string',
      'user names',
      "['alice']",
    );
    for (const [i, user] of (props.users ?? []).entries()) {
      if (user.trim() === '')
        throw new Error(`users[${i}] '${user}' is invalid: expected a user name such as 'alice'`);
    }
    const log = props.log ?? {};
    this.policyFile = log.policyFile ?? '/etc/kubernetes/audit/policy.yaml';
    this.logPath = log.logPath ?? '/var/log/kubernetes/audit/audit.log';
    const numbers = {
      maxAgeDays: log.maxAgeDays ?? 30,
      maxBackups: log.maxBackups ?? 10,
      maxSizeMegabytes: log.maxSizeMegabytes ?? 100,
    };
    for (const [field, value] of Object.entries(numbers)) {
      if (!Number.isInteger(value) || value < 0)
        throw new Error(`log.${field} must be a whole number of at least 0, got ${value}`);
    }
    for (const [field, value] of [
      ['policyFile', this.policyFile],
      ['logPath', this.logPath],
    ]) {
      // '-' is standard output, which only --audit-log-path takes.
      if (!(field === 'logPath' && value === '-') && !value.startsWith('/'))
        throw new Error(`log.${field} must be an absolute path, got '${value}'`);
    }
    this.apiServerFlags = [
      `--audit-policy-file=${this.policyFile}`,
      `--audit-log-path=${this.logPath}`,
      `--audit-log-maxage=${numbers.maxAgeDays}`,
      `--audit-log-maxbackup=${numbers.maxBackups}`,
      `--audit-log-maxsize=${numbers.maxSizeMegabytes}`,
    ];

    this.policy = new ApiObject(this, 'Resource', {
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      metadata: { name: id },
      omitStages: ['RequestReceived'],
      // Lazy: ServiceAccountAccess constructs added to the app after this one count too.
      rules: Lazy.any({ produce: () => this.rules() }),
    });

    if (props.configMap) {
      const namespace = props.configMap.namespace ?? 'kube-system';
      const name = props.configMap.name ?? id;
      checkDnsLabel('configMap.namespace', namespace);
      checkDnsSubdomain('configMap.name', name);
      // A chart of its own: the policy's file must hold the Policy and nothing else.
      const chart = new Chart(scope, `${id}-configmap`);
      this.configMap = new ApiObject(chart, 'Resource', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace },
        data: Lazy.any({ produce: () => ({ [AUDIT_POLICY_CONFIGMAP_KEY]: this.policyYaml() }) }),
      });
    }
  }

  /** The users whose every request is recorded at Metadata, sorted. */
  public auditedUsers(): string[] {
    const users = new Set<string>(this.props.users ?? []);
    for (const sa of this.props.serviceAccounts ?? [])
      users.add(serviceAccountUser(sa.namespace, sa.name));
    if (this.props.auditAppServiceAccounts ?? true) {
      for (const c of this.node.root.node.findAll()) {
        if (c instanceof ServiceAccountAccess)
          users.add(serviceAccountUser(c.namespace, c.serviceAccountName));
      }
    }
    return [...users].sort();
  }

  /** The policy's rules, in the order the API server matches them. */
  public rules(): AuditPolicyRule[] {
    const users = this.auditedUsers();
    const rules: AuditPolicyRule[] = [SENSITIVE_RULE, ACCESS_CHANGE_RULE];
    if (users.length > 0) rules.push({ level: 'Metadata', users });
    if (this.props.dropSystemNoise ?? true) rules.push(...SYSTEM_NOISE_RULES);
    rules.push({ level: this.catchAllLevel });
    const problems = validateAuditPolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules });
    if (problems.length > 0) throw new Error(`audit policy is invalid: ${problems.join('; ')}`);
    return rules;
  }

  /** The policy file as the API server reads it: the Policy's YAML, as `cdk8s synth` writes it. */
  public policyYaml(): string {
    return Yaml.stringify(this.policy.toJson());
  }
}
