/**
 * Workloads of any cdk8s-plus major (27 to the newest), seen structurally: which
 * ServiceAccount they run as, and the projected ServiceAccount token volumes mounted into
 * them. Nominal cdk8s-plus types cannot be shared across majors (each major declares its own
 * private fields), so only what is used here is typed.
 */
import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { secondsOf } from './token.js';

/** A volume as a cdk8s-plus pod lists and mounts it (`Volume` of any cdk8s-plus major). */
export interface WorkloadVolume {
  /** The volume's name, unique in the pod. */
  readonly name: string;
}

/** The ServiceAccount a cdk8s-plus workload's props name (`IServiceAccount` of any major). */
export interface WorkloadServiceAccount {
  /** The ServiceAccount's name. */
  readonly name: string;
}

/** A mount of a cdk8s-plus container (`VolumeMount` of any cdk8s-plus major). */
export interface WorkloadVolumeMount {
  /** The folder the volume is mounted at. */
  readonly path: string;
  /** The mounted volume. */
  readonly volume: WorkloadVolume;
}

/** A cdk8s-plus container (`Container` of any cdk8s-plus major), as the token mount uses it. */
export interface WorkloadContainer {
  /** The container's name. */
  readonly name?: string;
  /** The container's volume mounts. */
  readonly mounts: readonly WorkloadVolumeMount[];
  /** Mounts a volume (cdk8s-plus `Container.mount`). */
  mount(
    path: string,
    storage: { asVolume(): WorkloadVolume },
    options?: { readOnly?: boolean },
  ): void;
}

/**
 * A cdk8s-plus workload of any major from 27 on: `Pod`, `Deployment`, `StatefulSet`,
 * `DaemonSet`, `Job`, `CronJob`. Only what `attachTo` and `mountToken` use.
 */
export interface IWorkload extends IConstruct {
  /** The ServiceAccount given in the workload's props, if any. */
  readonly serviceAccount?: WorkloadServiceAccount;
  /** The pod's containers. */
  readonly containers: readonly WorkloadContainer[];
  /** The pod's init containers. */
  readonly initContainers: readonly WorkloadContainer[];
  /** The pod's volumes. */
  readonly volumes: readonly WorkloadVolume[];
  /** Adds a volume to the pod (cdk8s-plus `addVolume`). */
  addVolume(volume: WorkloadVolume): void;
}

/**
 * Who a projected token is for. The API server is named explicitly
 * (`TokenAudience.API_SERVER`), any other audience by its name, so that a token for a third
 * party is never minted for the API server by omission.
 *
 * @see https://kubernetes.io/docs/concepts/storage/projected-volumes/#serviceaccounttoken
 */
export class TokenAudience {
  /** The API server's own audience (the projected source then sets no `audience`). */
  public static readonly API_SERVER = new TokenAudience(undefined);

  /**
   * Another audience, e.g. `vault` or `https://sts.example.com`: the token is accepted only by
   * a system that checks for that audience.
   */
  public static of(audience: string): TokenAudience {
    if (audience.trim() === '' || audience !== audience.trim()) {
      throw new Error(
        `mountToken audience must be a non-empty name without surrounding spaces, got '${audience}'; for the API server use TokenAudience.API_SERVER`,
      );
    }
    return new TokenAudience(audience);
  }

  private constructor(
    /** The audience name, or undefined for the API server. */
    public readonly audience: string | undefined,
  ) {}
}

/** Options of `ServiceAccountAccess.mountToken`. */
export interface MountTokenOptions {
  /**
   * Who the token is for: `TokenAudience.API_SERVER`, or `TokenAudience.of('vault')`.
   * @see https://kubernetes.io/docs/reference/access-authn-authz/authentication/#service-account-tokens
   */
  readonly audience: TokenAudience;
  /**
   * The token's lifetime; at least 10 minutes. The kubelet re-mints it after 80% of it.
   * @default Duration.hours(1)
   * @see https://kubernetes.io/docs/concepts/storage/projected-volumes/#serviceaccounttoken
   */
  readonly expiration?: Duration;
  /**
   * The folder the token (file `token`) is mounted at, read-only, in every container and init
   * container. For the API server the folder also holds `ca.crt` and `namespace`, as the
   * kubelet's automounted token does, so that in-cluster clients work unchanged.
   * @default - '/var/run/secrets/kubernetes.io/serviceaccount' for the API server,
   * '/var/run/secrets/tokens' for another audience
   */
  readonly path?: string;
}

/** Where the kubelet's automounted token lives; in-cluster clients read it there. */
export const IN_CLUSTER_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const OTHER_AUDIENCE_PATH = '/var/run/secrets/tokens';
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

/** The ServiceAccount each workload was attached to, by whom: one attachment per workload. */
const attachments = new WeakMap<IWorkload, { readonly account: string; readonly by: string }>();

/** The pod spec's JSON pointer in the synthesized object of each workload kind. */
function podSpecPath(workload: IWorkload): string {
  const kind = ApiObject.of(workload).kind;
  if (kind === 'Pod') return '/spec';
  if (kind === 'CronJob') return '/spec/jobTemplate/spec/template/spec';
  return '/spec/template/spec';
}

/** A ServiceAccount as a workload is attached to it, and the construct that attaches it. */
export interface WorkloadAccount {
  /** The ServiceAccount's name. */
  readonly name: string;
  /** The ServiceAccount's namespace. */
  readonly namespace: string;
  /** The path of the construct that attaches the workload, for error messages. */
  readonly by: string;
}

/**
 * Makes `workload` run as `account` with `automount` as its pod's
 * `automountServiceAccountToken`.
 */
export function attachWorkload(
  workload: IWorkload,
  account: WorkloadAccount,
  automount: boolean,
): void {
  checkAttachable(workload, account);
  attachments.set(workload, { account: `${account.namespace}/${account.name}`, by: account.by });
  const podSpec = podSpecPath(workload);
  const obj = ApiObject.of(workload);
  obj.addJsonPatch(JsonPatch.add(`${podSpec}/serviceAccountName`, account.name));
  obj.addJsonPatch(JsonPatch.add(`${podSpec}/automountServiceAccountToken`, automount));
}

/**
 * Throws unless `workload` can be attached to `account`: not attached before, not running as
 * another ServiceAccount, not in another namespace.
 */
export function checkAttachable(workload: IWorkload, account: WorkloadAccount): void {
  const qualified = `${account.namespace}/${account.name}`;
  const previous = attachments.get(workload);
  if (previous !== undefined) {
    throw new Error(
      `workload '${workload.node.path}' is already attached to service account '${previous.account}' by '${previous.by}'; cannot attach it again to '${qualified}' by '${account.by}'`,
    );
  }
  const existing = workload.serviceAccount?.name;
  if (existing !== undefined && existing !== account.name) {
    throw new Error(
      `workload '${workload.node.path}' already runs as service account '${existing}'; cannot attach '${account.name}'`,
    );
  }
  const namespace = ApiObject.of(workload).metadata.namespace;
  if (namespace !== undefined && namespace !== account.namespace) {
    throw new Error(
      `workload '${workload.node.path}' is in namespace '${namespace}'; service account '${qualified}' can only run pods in namespace '${account.namespace}'`,
    );
  }
}

/** The ServiceAccount `workload` was attached to (namespace/name), if any. */
export function attachedAccount(workload: IWorkload): string | undefined {
  return attachments.get(workload)?.account;
}

function checkMountPath(path: string): void {
  const segments = path.split('/');
  if (!path.startsWith('/') || path.length === 1 || segments.includes('..') || path.includes(':')) {
    throw new Error(
      `mountToken path must be an absolute folder other than '/', without '..' or ':', got '${path}'`,
    );
  }
}

/** The projected volume of a token: the token file, plus ca.crt and namespace for the API server. */
function projectedSources(audience: TokenAudience, expirationSeconds: number): unknown[] {
  const token = {
    serviceAccountToken: {
      ...(audience.audience !== undefined ? { audience: audience.audience } : {}),
      expirationSeconds,
      path: 'token',
    },
  };
  if (audience.audience !== undefined) return [token];
  return [
    token,
    // What the kubelet's own automount adds; kube-root-ca.crt is published in every namespace.
    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    // `downwardApi`: the field's name in cdk8s's generated props, which render it as downwardAPI.
    {
      downwardApi: {
        items: [
          { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
        ],
      },
    },
  ];
}

/**
 * Checks a projected ServiceAccount token mount and returns what mounts it (read-only) into
 * every container and init container of `workload`, with a synth-time check that containers
 * added later got it too. Nothing changes until the returned function runs.
 */
export function prepareTokenMount(workload: IWorkload, options: MountTokenOptions): () => void {
  if (!(options.audience instanceof TokenAudience)) {
    throw new Error(
      'mountToken audience is required: TokenAudience.API_SERVER, or TokenAudience.of(name) for another audience',
    );
  }
  const expiration = options.expiration ?? Duration.hours(1);
  const seconds = secondsOf('mountToken expiration', expiration);
  if (
    !Number.isInteger(seconds) ||
    seconds < MIN_EXPIRATION_SECONDS ||
    seconds > MAX_EXPIRATION_SECONDS
  ) {
    throw new Error(
      `mountToken expiration must be whole seconds from 10 minutes (600 s) to 2^32 s, got ${seconds} s`,
    );
  }
  const path =
    options.path ??
    (options.audience.audience === undefined ? IN_CLUSTER_TOKEN_PATH : OTHER_AUDIENCE_PATH);
  checkMountPath(path);
  const containers = [...workload.initContainers, ...workload.containers];
  for (const container of containers) {
    const clash = container.mounts.find((m) => m.path === path);
    if (clash) {
      throw new Error(
        `mountToken path '${path}' is already mounted in container '${container.name ?? '?'}' of workload '${workload.node.path}'; give another path`,
      );
    }
  }
  const taken = new Set(workload.volumes.map((v) => v.name));
  for (const c of containers) for (const m of c.mounts) taken.add(m.volume.name);
  let n = 1;
  while (taken.has(`access-token-${n}`)) n++;
  const volume = projectedVolume(`access-token-${n}`, projectedSources(options.audience, seconds));
  return () => {
    workload.addVolume(volume);
    for (const container of containers) container.mount(path, volume, { readOnly: true });
    workload.node.addValidation({
      validate: () =>
        [...workload.initContainers, ...workload.containers]
          .filter((c) => !c.mounts.some((m) => m.path === path))
          .map(
            (c) =>
              `container '${c.name ?? '?'}' of workload '${workload.node.path}' was added after mountToken and has no token at '${path}'; add containers before attachTo/mountToken`,
          ),
    });
  };
}

/**
 * A volume that renders as cdk8s-plus renders its own (`name` plus the source): cdk8s-plus has
 * no projected volume of its own, and the pod takes any object with this shape.
 */
function projectedVolume(
  name: string,
  sources: unknown[],
): WorkloadVolume & { asVolume(): WorkloadVolume } {
  const volume = {
    name,
    asVolume: () => volume,
    _toKube: () => ({ name, projected: { sources } }),
  };
  return volume;
}
