/**
 * `TokenRotation`: keeps a ServiceAccount's token in a Secret valid by itself. A CronJob runs
 * `access-tokens rotate` on a schedule derived from the token's lifetime (or a checked given
 * one), and optionally a deploy-time Job (an Argo CD / Helm hook) mints the first token as soon
 * as the manifests are applied. Both run as a rotator ServiceAccount of their own whose Role may
 * only mint that one ServiceAccount's token and read and replace that one Secret. The program
 * they run (`rotate` alone, built from this package's sources) is synthesized into a ConfigMap
 * and run by a stock, pinned Node.js image: nothing to publish, nothing downloaded at run time.
 */
import { createHash } from 'node:crypto';
import { ApiObject, Chart, type Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { durationProblem, secretNameProblem } from '../contract/token-declaration.js';
import { ACKNOWLEDGED_RISKS_ANNOTATION, type KubeObject } from '../rbac/kube-object.js';
import { formatFindings, lintManifests } from '../rbac/lint.js';
import type { PolicyRule } from '../rbac/policy-rule.js';
import { Risk } from '../rbac/risks/risk-rules.js';
import {
  checkRotationSchedule,
  deriveRotationSchedule,
  type RotationSchedule,
} from './rotation-schedule.js';
import { ROTATOR_CODE, ROTATOR_CODE_SHA256 } from './rotator-code.generated.js';
import { audiencesOf, ManagedTokenSecret, secondsOf, type TokenProps } from './token.js';
import { checkOptionalBoolean, checkString } from './_prop-types.js';
import { checkDnsLabel, checkDnsSubdomain, checkLabels, claimServiceAccount } from './_names.js';

import { PACKAGE_VERSION } from '../contract/package-version.js';
import { compareText } from '../rbac/text-order.js';
export { PACKAGE_VERSION };

/**
 * The default image of the rotation pods: the official Node.js image, pinned to the Node
 * version the e2e suite runs the rotator with (.ci/run's Node 24). Pin it by digest for
 * production (`rotation: { image: 'node:24.22.3-slim@sha256:...' }`) or point it at a mirror.
 */
export const DEFAULT_ROTATOR_IMAGE = 'node:24.22.3-slim';

/** Where the rotator's ConfigMap (its program, `rotator.cjs`) is mounted in the pods. */
export const ROTATOR_CODE_PATH = '/opt/access-tokens';

/** The key of the program in the rotator's ConfigMap. */
export const ROTATOR_CODE_KEY = 'rotator.cjs';

/** The annotation on the ConfigMap and the pod templates with the program's SHA-256. */
export const ROTATOR_CODE_SHA256_ANNOTATION = 'access-tokens.cdk8s.io/rotator-sha256';

/** Where the rotation pod's projected ServiceAccount token, CA and namespace are mounted. */
export const ROTATOR_CREDENTIALS_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The numeric non-root user and group the rotation pods run as. */
export const ROTATOR_USER_ID = 65532;

/** Lifetime of the rotator's own projected token (the shortest a projected volume allows). */
export const ROTATOR_TOKEN_SECONDS = 600;

/** Properties of `TokenRotation`. */
export interface TokenRotationProps {
  /**
   * The ServiceAccount whose token is rotated (it may be declared elsewhere, or not in this app).
   * One TokenRotation per ServiceAccount of an app: its rotator is named after it.
   * @see https://kubernetes.io/docs/concepts/security/service-accounts/
   */
  readonly serviceAccountName: string;
  /**
   * The namespace of the ServiceAccount, its Secret, and the rotation objects.
   * @default - the chart's namespace; one of the two is required
   */
  readonly namespace?: string;
  /**
   * The Secret that holds the token, labelled `access-tokens.cdk8s.io/managed: "true"`: the
   * rotator may only get and update it (RBAC cannot restrict create by name).
   * @see https://kubernetes.io/docs/concepts/configuration/secret/
   */
  readonly secretName: string;
  /**
   * Synthesize that Secret, empty and labelled as managed.
   * @default true - false when it is synthesized elsewhere (`ServiceAccountAccess` does)
   */
  readonly createSecret?: boolean;
  /**
   * The lifetime of each token (10 minutes or more); the schedule is derived from it.
   * @see https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/
   */
  readonly duration: Duration;
  /**
   * The audiences of each token: distinct names without surrounding spaces.
   * @default - the API server's own audience
   */
  readonly audiences?: readonly string[];
  /**
   * The CronJob's schedule: 5-field cron whose runs are evenly spaced and at most 10% of the
   * lifetime apart.
   * @default - derived from the duration (every 6 minutes for 1 hour)
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax
   */
  readonly schedule?: string;
  /**
   * Synthesize the rotation CronJob.
   * @default true
   */
  readonly rotate?: boolean;
  /**
   * Also synthesize a Job that mints the first token when the manifests are applied (an Argo CD
   * `PostSync` and Helm `post-install,post-upgrade` hook).
   * @default false
   * @see https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/
   */
  readonly mintOnDeploy?: boolean;
  /**
   * The image that runs the rotator's program: any image with Node.js 20 or newer as `node` on
   * its PATH (the program is in the rotator's ConfigMap); pin it by tag or digest
   * (`...@sha256:...`).
   * @default DEFAULT_ROTATOR_IMAGE - the official Node.js 24 image, pinned by version
   */
  readonly image?: string;
  /**
   * Labels added to every object this construct creates; a key or value the API server would
   * refuse is refused at construction.
   * @default - none
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A name of at most `max` characters: `base` + `suffix`, `base` shortened with a hash if needed. */
function boundedName(base: string, suffix: string, max: number): string {
  const name = `${base}${suffix}`;
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 8);
  return `${base.slice(0, max - suffix.length - 9).replace(/[-.]+$/, '')}-${hash}${suffix}`;
}

/** A repository's path component, a registry host, a tag: the grammar of image references. */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const REGISTRY_HOST =
  /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const TAG = /^\w[\w.-]{0,127}$/;

/**
 * Why an image reference is not a valid, pinned one (a digest, or a tag other than `latest`),
 * if it is not.
 *
 * @see https://github.com/distribution/reference/blob/main/reference.go
 */
function imageProblem(image: string): string | undefined {
  if (/\s/.test(image) || image === '') return 'must be an image reference without spaces';
  const at = image.indexOf('@');
  const named = at === -1 ? image : image.slice(0, at);
  if (at !== -1 && !/^sha256:[0-9a-f]{64}$/.test(image.slice(at + 1))) {
    return "must have a digest of 'sha256:' and 64 lowercase hexadecimal digits (name@sha256:...)";
  }
  const colon = named.lastIndexOf(':');
  const hasTag = colon > named.lastIndexOf('/');
  const tag = hasTag ? named.slice(colon + 1) : undefined;
  const parts = (hasTag ? named.slice(0, colon) : named).split('/');
  const host =
    parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost')
      ? parts.shift()
      : undefined;
  if (
    (host !== undefined && !REGISTRY_HOST.test(host)) ||
    !parts.every((p) => PATH_COMPONENT.test(p))
  ) {
    return "must name a repository in lowercase letters and digits, with '.', '_', '__' or '-' between them, after an optional registry host (name:1.2.3 or registry.example.com/team/name:1.2.3)";
  }
  if (tag !== undefined && !TAG.test(tag)) {
    return "must have a tag of at most 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'";
  }
  if (at !== -1) return undefined;
  if (tag === undefined || tag === 'latest') {
    return 'must be pinned by a tag other than latest or by a digest (name:1.2.3 or name@sha256:...)';
  }
  return undefined;
}

/** The acknowledgements the rotator's Role carries: why each risky grant is needed. */
const ROTATOR_ACKNOWLEDGEMENTS = [
  {
    risk: Risk.SECRETS_READ,
    reason:
      'the rotator reads the one Secret that stores the token to decide whether it is due, and replaces it (get and update, restricted by resourceNames)',
  },
  {
    risk: Risk.TOKEN_CREATE,
    reason:
      "the rotator mints the one ServiceAccount's token through TokenRequest (create serviceaccounts/token, restricted by resourceNames)",
  },
].sort((a, b) => compareText(a.risk, b.risk));

/**
 * A rotation CronJob (and optionally a deploy-time Job) that keeps a ServiceAccount's token
 * in a Secret valid: its rotator ServiceAccount, Role and RoleBinding may only create that
 * ServiceAccount's token and get/update that Secret. The pods meet the Pod Security
 * "restricted" profile.
 */
export class TokenRotation extends Construct {
  /** The namespace of everything this construct synthesizes. */
  public readonly namespace: string;
  /** The ServiceAccount whose token is rotated. */
  public readonly serviceAccountName: string;
  /** The Secret that holds the token. */
  public readonly secretName: string;
  /** The rotator's ServiceAccount, Role and RoleBinding name. */
  public readonly rotatorName: string;
  /** The CronJob's checked schedule. */
  public readonly schedule: RotationSchedule;
  /** The image the pods run. */
  public readonly image: string;
  /** The rotator's ServiceAccount. */
  public readonly rotatorServiceAccount: ApiObject;
  /** The rotator's Role. */
  public readonly role: ApiObject;
  /** The rotator's RoleBinding. */
  public readonly roleBinding: ApiObject;
  /** The rotation CronJob, unless `rotate: false`. */
  public readonly cronJob?: ApiObject;
  /** The deploy-time Job, with `mintOnDeploy`. */
  public readonly mintJob?: ApiObject;
  /** The ConfigMap with the rotator's program (`rotator.cjs`), mounted read-only in the pods. */
  public readonly codeConfigMap: ApiObject;
  /** The empty store Secret, unless `createSecret: false`. */
  public readonly tokenSecret?: ManagedTokenSecret;
  /** The rotator's rules. */
  public readonly rules: readonly PolicyRule[];
  /** The command of the rotation pods: `node`, the program, and what `rotate` is given. */
  public readonly command: readonly string[];

  constructor(scope: Construct, id: string, props: TokenRotationProps) {
    super(scope, id);
    checkDnsSubdomain('serviceAccountName', props.serviceAccountName);
    const secretProblem = secretNameProblem(props.secretName);
    if (secretProblem) throw new Error(`secretName: ${secretProblem}`);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    if (namespace === undefined) {
      throw new Error(
        `namespace is required for TokenRotation '${this.node.path}': set props.namespace or the chart's namespace`,
      );
    }
    checkDnsLabel('namespace', namespace);
    checkLabels('labels', props.labels);
    const seconds = secondsOf('duration', props.duration);
    const problem = durationProblem(seconds, 'duration');
    if (problem) throw new Error(problem);
    const audiences = audiencesOf('audiences', props.audiences);
    checkOptionalBoolean('createSecret', props.createSecret);
    checkOptionalBoolean('rotate', props.rotate);
    checkOptionalBoolean('mintOnDeploy', props.mintOnDeploy);
    const rotate = props.rotate ?? true;
    if (!rotate && !props.mintOnDeploy) {
      throw new Error(
        `TokenRotation '${this.node.path}' with rotate: false needs mintOnDeploy: true, or it synthesizes nothing that runs`,
      );
    }
    if (!rotate && props.schedule !== undefined) {
      throw new Error(`schedule '${props.schedule}' needs rotate: true (the CronJob runs on it)`);
    }
    this.image = props.image ?? DEFAULT_ROTATOR_IMAGE;
    checkString('image', this.image, `'${DEFAULT_ROTATOR_IMAGE}'`);
    const imageIssue = imageProblem(this.image);
    if (imageIssue) throw new Error(`image ${imageIssue}, got '${this.image}'`);
    this.namespace = namespace;
    this.serviceAccountName = props.serviceAccountName;
    this.secretName = props.secretName;
    this.schedule =
      props.schedule === undefined
        ? deriveRotationSchedule(seconds)
        : checkRotationSchedule(props.schedule, seconds, 'schedule');
    this.rotatorName = boundedName(props.serviceAccountName, '-token-rotator', 253);
    // Its name derives from the rotated ServiceAccount's, and stays so: synthesized names of
    // existing apps do not change. So one TokenRotation per ServiceAccount.
    claimServiceAccount(
      this,
      namespace,
      this.rotatorName,
      undefined,
      `it is the rotator of service account '${props.serviceAccountName}', and a ServiceAccount's tokens are rotated by one TokenRotation (one rotator, one Secret): give that one token every audience (audiences: ['a', 'b']), or rotate a token of another ServiceAccount for the other audience`,
    );

    const labels = {
      ...(props.labels ?? {}),
      'app.kubernetes.io/name': 'access-tokens-rotator',
      'app.kubernetes.io/instance': boundedName(props.serviceAccountName, '', 63),
    };
    const meta = (name: string, annotations?: Record<string, string>) => ({
      name,
      namespace,
      labels,
      ...(annotations ? { annotations } : {}),
    });
    this.rules = [
      {
        apiGroups: [''],
        resources: ['serviceaccounts/token'],
        resourceNames: [props.serviceAccountName],
        verbs: ['create'],
      },
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: [props.secretName],
        verbs: ['get', 'update'],
      },
    ];
    this.command = [
      'node',
      `${ROTATOR_CODE_PATH}/${ROTATOR_CODE_KEY}`,
      'rotate',
      props.serviceAccountName,
      '--namespace',
      namespace,
      '--secret',
      props.secretName,
      '--duration',
      `${seconds}s`,
      ...audiences.flatMap((a) => ['--audience', a]),
    ];

    this.rotatorServiceAccount = new ApiObject(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(this.rotatorName),
      automountServiceAccountToken: false,
    });
    this.role = new ApiObject(this, 'Role', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(this.rotatorName, {
        [ACKNOWLEDGED_RISKS_ANNOTATION]: JSON.stringify(ROTATOR_ACKNOWLEDGEMENTS),
      }),
      rules: this.rules.map((r) => ({ ...r })),
    });
    this.roleBinding = new ApiObject(this, 'RoleBinding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(this.rotatorName),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.rotatorName },
      subjects: [{ kind: 'ServiceAccount', name: this.rotatorName, namespace }],
    });

    this.codeConfigMap = new ApiObject(this, 'Code', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(this.rotatorName, { [ROTATOR_CODE_SHA256_ANNOTATION]: ROTATOR_CODE_SHA256 }),
      data: { [ROTATOR_CODE_KEY]: ROTATOR_CODE },
    });

    if (props.createSecret ?? true) {
      this.tokenSecret = new ManagedTokenSecret(this, 'TokenSecret', {
        name: props.secretName,
        namespace,
        labels: props.labels,
      });
    }

    // The program's hash on the pod template: a Job made from a changed program is a changed Job.
    const podTemplate = {
      metadata: { labels, annotations: { [ROTATOR_CODE_SHA256_ANNOTATION]: ROTATOR_CODE_SHA256 } },
      spec: this.podSpec(),
    };
    if (rotate) {
      const interval = this.schedule.intervalSeconds;
      this.cronJob = new ApiObject(this, 'CronJob', {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        // A CronJob's name is at most 52 characters: its Jobs add 11.
        metadata: meta(boundedName(props.serviceAccountName, '-token-rotation', 52)),
        spec: {
          schedule: this.schedule.expression,
          concurrencyPolicy: 'Forbid',
          // A run that could not start on time is skipped: the next one comes one interval later.
          startingDeadlineSeconds: interval,
          successfulJobsHistoryLimit: 1,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            metadata: { labels },
            spec: {
              backoffLimit: 2,
              activeDeadlineSeconds: Math.min(600, Math.max(120, interval)),
              template: podTemplate,
            },
          },
        },
      });
    }
    if (props.mintOnDeploy) {
      this.mintJob = new ApiObject(this, 'Job', {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: meta(boundedName(props.serviceAccountName, '-token-mint', 63), {
          'argocd.argoproj.io/hook': 'PostSync',
          'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
          'helm.sh/hook': 'post-install,post-upgrade',
          'helm.sh/hook-delete-policy': 'before-hook-creation',
        }),
        spec: {
          backoffLimit: 4,
          activeDeadlineSeconds: 600,
          ttlSecondsAfterFinished: 3600,
          template: podTemplate,
        },
      });
    }
    this.node.addValidation({ validate: () => this.validateLeastPrivilege() });
  }

  /** The rotation pod: restricted profile, a projected short-lived token, nothing writable. */
  private podSpec(): Record<string, unknown> {
    return {
      serviceAccountName: this.rotatorName,
      automountServiceAccountToken: false,
      restartPolicy: 'Never',
      securityContext: {
        runAsNonRoot: true,
        runAsUser: ROTATOR_USER_ID,
        runAsGroup: ROTATOR_USER_ID,
        fsGroup: ROTATOR_USER_ID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'rotate',
          image: this.image,
          imagePullPolicy: 'IfNotPresent',
          command: [...this.command],
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            privileged: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: ROTATOR_USER_ID,
            runAsGroup: ROTATOR_USER_ID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          resources: {
            requests: { cpu: '50m', memory: '96Mi' },
            limits: { cpu: '500m', memory: '256Mi' },
          },
          volumeMounts: [
            { name: 'kube-api-access', mountPath: ROTATOR_CREDENTIALS_PATH, readOnly: true },
            { name: 'rotator', mountPath: ROTATOR_CODE_PATH, readOnly: true },
          ],
        },
      ],
      // What kubelet's automount would give, with a 10-minute token: the in-cluster
      // configuration (token, CA, namespace) at the path client libraries read.
      volumes: [
        {
          name: 'rotator',
          configMap: { name: this.rotatorName, defaultMode: 0o444 },
        },
        {
          name: 'kube-api-access',
          projected: {
            sources: [
              { serviceAccountToken: { path: 'token', expirationSeconds: ROTATOR_TOKEN_SECONDS } },
              {
                configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
              },
              {
                downwardAPI: {
                  items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }],
                },
              },
            ],
          },
        },
      ],
    };
  }

  /** The rotator's ServiceAccount, Role and RoleBinding as plain data (lint, canI, tests). */
  public accessObjects(): KubeObject[] {
    return [this.rotatorServiceAccount, this.role, this.roleBinding].map(
      (o) => o.toJson() as KubeObject,
    );
  }

  private validateLeastPrivilege(): string[] {
    const objects = [
      this.rotatorServiceAccount,
      this.role,
      this.roleBinding,
      this.cronJob,
      this.mintJob,
    ]
      .filter((o): o is ApiObject => o !== undefined)
      .map((o) => o.toJson() as KubeObject);
    const report = lintManifests(objects);
    if (report.errors.length === 0) return [];
    return [
      `the rotator's objects have unacknowledged findings:\n${formatFindings(report.errors)}`,
    ];
  }
}

/**
 * The `TokenRotation` props for a `ServiceAccountAccess` token that asks for rotation or
 * mintOnDeploy, or undefined when it asks for neither. Throws when the token cannot be
 * rotated in the cluster.
 */
export function rotationPropsOf(
  token: TokenProps,
  serviceAccountName: string,
  namespace: string,
  labels: Readonly<Record<string, string>>,
): TokenRotationProps | undefined {
  if (token.rotation === undefined && !token.mintOnDeploy) return undefined;
  const asked = token.rotation !== undefined ? 'token.rotation' : 'token.mintOnDeploy';
  const store = token.store?.declaration;
  if (store?.kind !== 'secret') {
    throw new Error(
      `${asked} needs token.store to be TokenStore.secret(...): the pod keeps the token in that Secret, got store ${store?.kind ?? 'stdout (the default)'}`,
    );
  }
  if (token.boundToSecret) {
    // Refused rather than acknowledged: the grant cannot be narrowed to any one Secret.
    throw new Error(
      `token.boundToSecret cannot be combined with ${asked}: a new binding Secret per token needs create on secrets, which RBAC cannot restrict by name, and delete on the old ones, so the rotator could create and delete every Secret in namespace '${namespace}'; drop boundToSecret (a rotated token is short-lived, and deleting ServiceAccount '${serviceAccountName}' revokes it), or mint bound tokens from a pipeline with access-tokens mint --from`,
    );
  }
  return {
    serviceAccountName,
    namespace,
    secretName: store.name,
    createSecret: false,
    duration: token.duration,
    audiences: token.audiences,
    schedule: token.rotation?.schedule,
    rotate: token.rotation !== undefined,
    mintOnDeploy: token.mintOnDeploy ?? false,
    image: token.rotation?.image,
    labels,
  };
}
