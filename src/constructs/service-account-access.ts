import { ApiObject, Chart, JsonPatch, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { RbacAuthorizer, serviceAccountGroups, serviceAccountUser } from '../rbac/authorizer.js';
import { compactRules } from '../rbac/compact.js';
import type { RiskAcknowledgement } from '../rbac/finding.js';
import {
  ACKNOWLEDGED_RISKS_ANNOTATION,
  rbacPolicyFrom,
  type KubeObject,
} from '../rbac/kube-object.js';
import {
  ERROR_RISK_IDS,
  formatFindings,
  lintManifests,
  validateAcknowledgements,
} from '../rbac/lint.js';
import { RULE_LIST_FIELDS, type PolicyRule } from '../rbac/policy-rule.js';
import { lookupResource } from '../rbac/resource-catalog.js';
import { Permission, resolveResource, type PermissionResource } from './permission.js';
import { ManagedTokenSecret, renderTokenDeclaration, type TokenProps } from './token.js';
import { rotationPropsOf, TokenRotation } from './token-rotation.js';
import {
  checkDnsLabel,
  checkDnsSubdomain,
  checkLabels,
  claimServiceAccount,
  claimTokenStore,
} from './_names.js';
import {
  attachedAccount,
  attachWorkload,
  checkAttachable,
  prepareTokenMount,
  TokenAudience,
  type IWorkload,
  type MountTokenOptions,
  type WorkloadAccount,
} from './workload.js';
import { dnsSubdomainProblem } from '../rbac/names.js';
import { checkOptionalList } from './_prop-types.js';
import { compareText } from '../rbac/text-order.js';
import {
  accessObjects,
  bindingOf,
  clusterObjectNameOf,
  roleOf,
  serviceAccountSubject,
} from '../rbac/access-objects.js';

/** Properties of `ServiceAccountAccess`. */
export interface ServiceAccountAccessProps {
  /**
   * Name of the ServiceAccount, and of its Role and RoleBinding (DNS-1123 subdomain).
   * @default - the construct id
   * @see https://kubernetes.io/docs/concepts/security/service-accounts/
   */
  readonly serviceAccountName?: string;
  /**
   * Namespace of the ServiceAccount, Role and RoleBinding (DNS-1123 label).
   * @default - the chart's namespace; one of the two is required
   */
  readonly namespace?: string;
  /**
   * Namespaced grants, rendered as one Role and RoleBinding in `namespace`.
   * @default - none; `allow()` adds more
   * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/#role-and-clusterrole
   */
  readonly permissions?: readonly Permission[];
  /**
   * Cluster-wide grants, rendered as a ClusterRole and ClusterRoleBinding named
   * `<namespace>-<serviceAccountName>`, a name that must be unique in the app, at most 253
   * characters long and not one of Kubernetes' built-in objects (`cluster-admin`). Only when
   * asked: a grant of namespaced resources here holds in every namespace, which the lint
   * reports (`Risk.CLUSTER_WIDE_GRANT`, a warning; risky grants fail the synth by their own
   * rules, as namespaced ones do).
   * @default - none
   */
  readonly clusterPermissions?: readonly Permission[];
  /**
   * Risks accepted on purpose, each with a reason of at least 10 characters; recorded as the
   * `access-tokens.cdk8s.io/acknowledged-risks` annotation on the Role for reviewers.
   * @default - none: any error-severity finding fails the synth
   */
  readonly acknowledge?: readonly RiskAcknowledgement[];
  /**
   * A token to mint for this ServiceAccount after deployment (`access-tokens mint --from`),
   * declared as an annotation on the ServiceAccount; with a Secret store, the Secret is
   * synthesized empty. No token value is ever synthesized.
   * @default - none
   * @see https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/
   */
  readonly token?: TokenProps;
  /**
   * Labels added to every object this construct creates; a key or value the API server would
   * refuse is refused at construction.
   * @default - none
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The object and namespace of a `ServiceAccountAccess.canI` question. (The runtime's `canI`,
 * which asks a cluster, takes `CanIOptions`: how to connect.)
 */
export interface CanIRequestOptions {
  /** Object name. @default - any object (no name) */
  readonly name?: string;
  /**
   * Namespace of the request; `''` asks cluster-wide.
   * @default - this construct's namespace; `''` for cluster-scoped resources such as nodes
   */
  readonly namespace?: string;
}

/** Options for `attachTo`. */
export interface AttachOptions {
  /**
   * The kubelet's automount instead of a projected token: `true` mounts the token into every
   * container (the lint warns `automounted-token`), `false` mounts no token at all. Not with
   * `token`.
   * @default - neither: a projected token is mounted (see `token`)
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
   */
  readonly automountToken?: boolean;
  /**
   * The projected token mounted into the workload (see `mountToken`).
   * @default - for the API server (`TokenAudience.API_SERVER`), 1 hour, at
   * /var/run/secrets/kubernetes.io/serviceaccount
   * @see https://kubernetes.io/docs/concepts/storage/projected-volumes/#serviceaccounttoken
   */
  readonly token?: MountTokenOptions;
}

/**
 * A ServiceAccount with exactly the access it is given: a least-privilege Role (compacted
 * rules) and RoleBinding in its namespace, optionally a ClusterRole and ClusterRoleBinding,
 * and a declared token to mint after deployment. The synth fails when a grant is riskier than
 * least privilege allows and nobody acknowledged it with a reason.
 */
export class ServiceAccountAccess extends Construct {
  /** The ServiceAccount (automountServiceAccountToken: false). */
  public readonly serviceAccount: kplus.ServiceAccount;
  /**
   * The namespaced Role, with the compacted `rules`. A plain `ApiObject`, not a cdk8s-plus
   * `Role`: grants are added with `allow()`, where they are validated, compacted and linted.
   */
  public readonly role: ApiObject;
  /** The RoleBinding of `role` to `serviceAccount` (a plain `ApiObject`). */
  public readonly roleBinding: ApiObject;
  /** The ClusterRole, when `clusterPermissions` were given (a plain `ApiObject`). */
  public readonly clusterRole?: ApiObject;
  /** The ClusterRoleBinding, when `clusterPermissions` were given (a plain `ApiObject`). */
  public readonly clusterRoleBinding?: ApiObject;
  /** The empty Secret the token is stored into, when the token declares a Secret store. */
  public readonly tokenSecret?: ManagedTokenSecret;
  /** The rotation CronJob and/or deploy-time Job, when the token asks for rotation or mintOnDeploy. */
  public readonly tokenRotation?: TokenRotation;
  /** Name of the ServiceAccount, Role and RoleBinding. */
  public readonly serviceAccountName: string;
  /** Namespace of the ServiceAccount, Role and RoleBinding. */
  public readonly namespace: string;
  /** The acknowledged risks. */
  public readonly acknowledgements: readonly RiskAcknowledgement[];

  private readonly permissions: Permission[];
  private readonly clusterPermissions: readonly Permission[];
  /** `clusterPermissions` compacted: they are fixed at construction, so compacted once. */
  private readonly compactedClusterRules: readonly PolicyRule[];
  private cachedAuthorizer?: { readonly key: number; readonly authorizer: RbacAuthorizer };
  private cachedRules?: { readonly key: number; readonly rules: readonly PolicyRule[] };
  private cachedValidation?: { readonly key: number; readonly errors: readonly string[] };

  constructor(scope: Construct, id: string, props: ServiceAccountAccessProps = {}) {
    super(scope, id);
    this.serviceAccountName = props.serviceAccountName ?? id;
    checkDnsSubdomain('serviceAccountName', this.serviceAccountName);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    if (namespace === undefined) {
      throw new Error(
        `namespace is required for ServiceAccountAccess '${this.node.path}': set props.namespace or the chart's namespace`,
      );
    }
    checkDnsLabel('namespace', namespace);
    this.namespace = namespace;
    const clusterName = props.clusterPermissions?.length
      ? clusterObjectName(namespace, this.serviceAccountName)
      : undefined;
    claimServiceAccount(this, namespace, this.serviceAccountName, clusterName);

    checkPermissionList('permissions', props.permissions);
    checkPermissionList('clusterPermissions', props.clusterPermissions);
    if (props.permissions !== undefined && props.permissions.length === 0) {
      throw new Error(
        'permissions must not be an empty list: omit it, or give at least one Permission',
      );
    }
    if (props.clusterPermissions !== undefined && props.clusterPermissions.length === 0) {
      throw new Error(
        'clusterPermissions must not be an empty list: omit it, or give at least one Permission',
      );
    }
    this.acknowledgements = props.acknowledge?.length ? [...props.acknowledge] : NONE;
    const ackProblems = validateAcknowledgements(this.acknowledgements);
    if (ackProblems.length > 0) throw new Error(ackProblems.join('; '));

    checkLabels('labels', props.labels);
    const labels = { ...(props.labels ?? {}) };
    // One metadata object for the objects without annotations: cdk8s copies what it needs.
    const plain = {
      name: this.serviceAccountName,
      namespace,
      ...(Object.keys(labels).length ? { labels } : {}),
    };
    const metadata = (extra: Record<string, string> = {}) =>
      Object.keys(extra).length ? { ...plain, annotations: extra } : plain;
    const ackAnnotation = this.acknowledgementAnnotation();

    const token = props.token ? renderTokenDeclaration(props.token) : undefined;
    if (token) claimTokenStore(this, token.store);
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(token ? { [token.annotationKey]: token.annotationValue } : {}),
      automountToken: false,
    });
    // Plain objects, not cdk8s-plus's Role and RoleBinding: those cost a quarter of the synth
    // of an app of such constructs (bench/README.md), and the rules are ours to render.
    // Rendered lazily, so that `allow()` after construction is included.
    this.role = new ApiObject(
      this,
      'Role',
      roleOf('Role', metadata(ackAnnotation), Lazy.any({ produce: () => this.compactedRules() })),
    );
    const subject = serviceAccountSubject(this.serviceAccountName, namespace);
    this.roleBinding = new ApiObject(this, 'RoleBinding', bindingOf('Role', metadata(), subject));
    (props.permissions ?? []).forEach(checkNamespaced);
    // A list of its own, of exactly its length: most constructs keep it as given.
    this.permissions = [...(props.permissions ?? [])];
    this.clusterPermissions = props.clusterPermissions ? [...props.clusterPermissions] : NONE;
    this.compactedClusterRules = this.clusterPermissions.length
      ? compactRules(this.clusterPermissions.map((p) => p.rule))
      : NONE;

    if (clusterName !== undefined) {
      const clusterMeta = {
        name: clusterName,
        labels,
        ...(ackAnnotation[ACKNOWLEDGED_RISKS_ANNOTATION] ? { annotations: ackAnnotation } : {}),
      };
      this.clusterRole = new ApiObject(
        this,
        'ClusterRole',
        roleOf('ClusterRole', clusterMeta, this.compactedClusterRules),
      );
      this.clusterRoleBinding = new ApiObject(
        this,
        'ClusterRoleBinding',
        bindingOf('ClusterRole', clusterMeta, subject),
      );
      // cdk8s gives every object the chart's namespace; cluster-scoped ones must have none.
      if (Chart.of(this).namespace !== undefined) {
        for (const obj of [this.clusterRole, this.clusterRoleBinding]) {
          obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
        }
      }
    }

    if (token?.secretName) {
      this.tokenSecret = new ManagedTokenSecret(this, 'TokenSecret', {
        name: token.secretName,
        namespace,
        labels,
      });
    }

    const rotation = props.token
      ? rotationPropsOf(props.token, this.serviceAccountName, namespace, labels)
      : undefined;
    if (rotation) this.tokenRotation = new TokenRotation(this, 'TokenRotation', rotation);

    ServiceAccountAccess.validateWith(Chart.of(this), this);
  }

  /**
   * Lints `access` at synth through one validation of its chart, which checks all of the
   * chart's constructs. cdk8s validates the whole app once per chart it renders, so in an app of
   * 50 charts a validation of each construct is called 51 times: those calls alone cost ~28 µs
   * a bundle at N = 5,000 (bench/README.md), though the lint itself ran only once.
   */
  private static validateWith(chart: Chart, access: ServiceAccountAccess): void {
    let members = constructsOfChart.get(chart);
    if (members === undefined) {
      const list: ServiceAccountAccess[] = [];
      chart.node.addValidation({ validate: () => ServiceAccountAccess.validateAll(list) });
      constructsOfChart.set(chart, list);
      members = list;
    }
    members.push(access);
  }

  private static validateAll(members: readonly ServiceAccountAccess[]): string[] {
    const errors: string[] = [];
    for (const access of members) errors.push(...access.validateLeastPrivilege());
    return errors;
  }

  /** Adds namespaced grants. */
  public allow(...permissions: Permission[]): void {
    if (permissions.length === 0) throw new Error('allow() needs at least one Permission');
    checkPermissionList('allow() permissions', permissions);
    permissions.forEach(checkNamespaced);
    this.permissions.push(...permissions);
  }

  /** The final compacted namespaced rules, exactly as the Role will have them. */
  public get rules(): PolicyRule[] {
    return this.compactedRules().map(copyRule);
  }

  /** The final compacted cluster-wide rules (empty without `clusterPermissions`). */
  public get clusterRules(): PolicyRule[] {
    return this.compactedClusterRules.map(copyRule);
  }

  /**
   * `rules` without copies, for reading only (cdk8s copies what it renders): compacted once
   * until `allow()` adds rules. Its lists may be the permissions' own (frozen) lists.
   */
  private compactedRules(): readonly PolicyRule[] {
    const key = this.rulesCount();
    if (this.cachedRules?.key !== key) {
      // A loop, not a callback made per call (see `sortRules` in rbac/compact.ts).
      const granted: PolicyRule[] = [];
      for (const permission of this.permissions) granted.push(permission.rule);
      this.cachedRules = { key, rules: compactRules(granted) };
    }
    return this.cachedRules.rules;
  }

  /**
   * Whether the ServiceAccount may do `verb` on `resource` (RBAC notation, `ApiResource`, or a
   * cdk8s-plus object), evaluated offline with Kubernetes' RBAC semantics on exactly what will
   * be synthesized. Non-resource URLs start with `/`.
   */
  public canI(
    verb: string,
    resource: PermissionResource,
    options: CanIRequestOptions = {},
  ): boolean {
    const authorizer = this.authorizer();
    const who = {
      user: serviceAccountUser(this.namespace, this.serviceAccountName),
      groups: serviceAccountGroups(this.namespace),
    };
    if (typeof resource === 'string' && resource.startsWith('/')) {
      return authorizer.authorize(who, { verb, path: resource }).allowed;
    }
    const { ref, name } = resolveResource(resource, 'canI resource');
    // A request for a cluster-scoped resource (nodes, namespaces) carries no namespace.
    const clusterScoped = lookupResource(ref.apiGroup, ref.resource)?.namespaced === false;
    return authorizer.authorize(who, {
      verb,
      apiGroup: ref.apiGroup,
      resource: ref.resource,
      subresource: ref.subresource,
      name: options.name ?? name ?? '',
      namespace: options.namespace ?? (clusterScoped ? '' : this.namespace),
    }).allowed;
  }

  /**
   * Makes a cdk8s-plus workload (Pod, Deployment, StatefulSet, Job, CronJob, ... of any
   * cdk8s-plus major from 27 on) run as this ServiceAccount. By default its pods get a
   * projected token for the API server (1 hour, re-minted by the kubelet), mounted read-only
   * where in-cluster clients look for it, with `automountServiceAccountToken: false`. A workload
   * is attached once: a second `attachTo` on it is refused.
   */
  public attachTo(workload: IWorkload, options: AttachOptions = {}): void {
    if (options.automountToken !== undefined && options.token !== undefined) {
      throw new Error(
        `attachTo options: give either automountToken (${options.automountToken}) or token, not both`,
      );
    }
    checkAttachable(workload, this.account());
    const mount =
      options.automountToken === undefined
        ? prepareTokenMount(workload, options.token ?? { audience: TokenAudience.API_SERVER })
        : undefined;
    attachWorkload(workload, this.account(), options.automountToken === true);
    mount?.();
  }

  /**
   * Mounts a projected token of this ServiceAccount into a cdk8s-plus workload (of any
   * cdk8s-plus major from 27 on), read-only, in every container and init container, with an
   * explicit audience and lifetime; the workload keeps `automountServiceAccountToken: false`.
   * The kubelet re-mints the token after 80% of its lifetime: the application must re-read the
   * file. A workload not yet attached is attached to this ServiceAccount.
   *
   * @see https://kubernetes.io/docs/concepts/storage/projected-volumes/#serviceaccounttoken
   */
  public mountToken(workload: IWorkload, options: MountTokenOptions): void {
    const account = this.account();
    const attached = attachedAccount(workload);
    const qualified = `${account.namespace}/${account.name}`;
    if (attached !== undefined && attached !== qualified) {
      throw new Error(
        `workload '${workload.node.path}' runs as service account '${attached}'; cannot mount a token of '${qualified}' into it`,
      );
    }
    const mount = prepareTokenMount(workload, options);
    if (attached === undefined) attachWorkload(workload, account, false);
    mount();
  }

  private account(): WorkloadAccount {
    return { name: this.serviceAccountName, namespace: this.namespace, by: this.node.path };
  }

  /** An authorizer over the access objects, rebuilt only after `allow()`. */
  private authorizer(): RbacAuthorizer {
    const key = this.rulesCount();
    if (this.cachedAuthorizer?.key !== key) {
      const authorizer = new RbacAuthorizer(rbacPolicyFrom(this.accessObjects()));
      this.cachedAuthorizer = { key, authorizer };
    }
    return this.cachedAuthorizer.authorizer;
  }

  /**
   * Changes whenever the namespaced rules can have changed: the permissions only grow, so
   * their count does. A number, compared once per chart that cdk8s renders (it validates the
   * whole app each time).
   */
  private rulesCount(): number {
    return this.permissions.length;
  }

  private acknowledgementAnnotation(): Record<string, string> {
    if (this.acknowledgements.length === 0) return {};
    const sorted = [...this.acknowledgements]
      .map((a) => ({ risk: a.risk, reason: a.reason }))
      .sort((a, b) => compareText(a.risk, b.risk));
    return { [ACKNOWLEDGED_RISKS_ANNOTATION]: JSON.stringify(sorted) };
  }

  /**
   * The ServiceAccount and RBAC objects this construct synthesizes, as plain data built from
   * its own state: what canI and the lint evaluate. Rendering the cdk8s objects instead would
   * double the synth's cost; a test checks that the two agree.
   */
  public accessObjects(): KubeObject[] {
    return this.accessObjectsOf(this.rules, this.clusterRules);
  }

  /** `accessObjects` with the given rules (the lint reads, and never changes, the cached ones). */
  private accessObjectsOf(
    rules: readonly PolicyRule[],
    clusterRules: readonly PolicyRule[],
  ): KubeObject[] {
    return accessObjects({
      namespace: this.namespace,
      serviceAccountName: this.serviceAccountName,
      rules,
      ...(this.clusterRole
        ? { cluster: { name: this.clusterRole.name, rules: clusterRules } }
        : {}),
      annotations: this.acknowledgementAnnotation(),
    });
  }

  /**
   * cdk8s validates the whole app once per chart it renders (`synthYaml`, `synth`), so an app
   * of 50 charts would lint each construct 51 times: the outcome is kept until `allow()`
   * changes the rules.
   */
  private validateLeastPrivilege(): readonly string[] {
    const key = this.rulesCount();
    if (this.cachedValidation?.key !== key) {
      const errors = this.lintAccessObjects();
      this.cachedValidation = { key, errors: errors.length > 0 ? errors : NONE };
    }
    return this.cachedValidation.errors;
  }

  private lintAccessObjects(): string[] {
    // Only errors fail the synth: the rules that can report nothing else are not run here
    // (`access-tokens lint` of the output reports their warnings).
    const objects = this.accessObjectsOf(this.compactedRules(), this.compactedClusterRules);
    const report = lintManifests(objects, { enable: ERROR_RISK_IDS });
    const errors = report.errors.map((f) => ({
      ...f,
      location: f.location ? { ...f.location, source: this.node.path } : undefined,
    }));
    if (errors.length === 0) return [];
    return [
      `${this.node.path}: ${errors.length} unacknowledged least-privilege finding(s); fix the grant or add { risk, reason } to acknowledge:\n${formatFindings(errors)}`,
    ];
  }
}

/**
 * The name of the ClusterRole and ClusterRoleBinding of a ServiceAccount: `<namespace>-<name>`,
 * checked to be a name the API server accepts (each part is, but together they may be too long).
 */
function clusterObjectName(namespace: string, name: string): string {
  const clusterName = clusterObjectNameOf(namespace, name);
  const problem = dnsSubdomainProblem(
    `the name of the ClusterRole of service account '${name}' in namespace '${namespace}' ('<namespace>-<serviceAccountName>')`,
    clusterName,
  );
  if (problem !== undefined) throw new Error(`clusterPermissions: ${problem}`);
  return clusterName;
}

/** The `ServiceAccountAccess` constructs of each chart, validated by one validation of it. */
const constructsOfChart = new WeakMap<Chart, ServiceAccountAccess[]>();

/** What most constructs' validation keeps, and their absent lists: one shared empty list. */
const NONE: readonly never[] = Object.freeze([]);

/** A rule with lists of its own. */
function copyRule(rule: PolicyRule): PolicyRule {
  const copy: { -readonly [K in keyof PolicyRule]: PolicyRule[K] } = { ...rule };
  for (const key of RULE_LIST_FIELDS) {
    const values = rule[key];
    if (values) copy[key] = [...values];
  }
  return copy;
}

/**
 * Throws unless `permissions` is undefined or a list of `Permission`s (a JavaScript app may give
 * anything). By shape, not `instanceof`: an app may hold two copies of this package.
 */
function checkPermissionList(field: string, permissions: unknown): void {
  checkOptionalList(
    field,
    permissions,
    (p) => typeof (p as Partial<Permission> | null)?.rule === 'object',
    'Permissions',
    "[Permission.read('pods')]",
  );
}

/** A Role grants only inside its namespace: a cluster-scoped resource there grants nothing. */
function checkNamespaced(permission: Permission): void {
  const { apiGroups = [], resources = [], nonResourceURLs = [] } = permission.rule;
  if (nonResourceURLs.length > 0) {
    throw new Error(
      `permissions: non-resource URLs (${nonResourceURLs.join(', ')}) can only be granted cluster-wide: put them in clusterPermissions`,
    );
  }
  for (const group of apiGroups) {
    for (const resource of resources) {
      const entry = lookupResource(group, resource.split('/')[0]);
      if (entry && !entry.namespaced) {
        const notation = group ? `${entry.resource}.${group}` : entry.resource;
        throw new Error(
          `permissions: '${notation}' is cluster-scoped, so a namespaced Role cannot grant it; put it in clusterPermissions`,
        );
      }
    }
  }
}
