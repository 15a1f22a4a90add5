/**
 * Declaring a ServiceAccount's token at synth time: where it is stored, how long it lives,
 * for which audiences. Synth writes only the declaration (an annotation) and, for a Secret
 * store, an empty managed Secret; the runtime mints the token after deployment.
 */
import { ApiObject, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  managedSecretManifest,
  TOKEN_DECLARATION_ANNOTATION,
  durationProblem,
  kubeconfigPathProblem,
  secretNameProblem,
  serializeTokenDeclaration,
  type TokenDeclaration,
  type TokenStoreDeclaration,
} from '../contract/token-declaration.js';
import { checkRotationSchedule } from './rotation-schedule.js';
import { checkLabels, claimTokenSecret } from './_names.js';
import { checkOptionalBoolean } from './_prop-types.js';

/**
 * Where a minted token goes.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/secret/
 */
export class TokenStore {
  /**
   * A Secret in the ServiceAccount's namespace. Synth emits it empty and labelled as managed;
   * the runtime fills in `data.token` with optimistic concurrency.
   *
   * @param name the Secret's name (a DNS-1123 subdomain)
   */
  public static secret(name: string): TokenStore {
    const problem = secretNameProblem(name);
    if (problem) throw new Error(`token.store: ${problem}`);
    return new TokenStore({ kind: 'secret', name });
  }

  /**
   * A kubeconfig file written (mode 0600, atomically) by `access-tokens mint --from` on the
   * machine that runs it, inside that command's `--out-dir` (default: its working directory).
   *
   * @param path the file's path, relative to the output folder (no absolute path, no `..`, not a
   *   folder: no trailing '/')
   */
  public static kubeconfigFile(path: string): TokenStore {
    if (path.trim() === '')
      throw new Error(`token.store: kubeconfig path must not be empty, got '${path}'`);
    const problem = kubeconfigPathProblem(path);
    if (problem) throw new Error(problem);
    if (/(^|[\\/])\.?$/.test(path)) {
      throw new Error(`token.store.path must name a file, not a folder, got '${path}'`);
    }
    return new TokenStore({ kind: 'kubeconfigFile', path });
  }

  /** Standard output of `access-tokens mint --from`, e.g. to set a pipeline variable. */
  public static stdout(): TokenStore {
    return new TokenStore({ kind: 'stdout' });
  }

  private constructor(
    /** The store as the token declaration records it: its `kind`, and its name or path. */
    public readonly declaration: TokenStoreDeclaration,
  ) {}
}

/** Rotation settings: a CronJob keeps the token's Secret holding a valid token. */
export interface TokenRotationSettings {
  /**
   * A cron schedule for the rotation CronJob: evenly spaced runs at most 10% of the lifetime
   * apart.
   *
   * @default - derived from the duration (re-mint after 80% of the lifetime, kubelet's rule)
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax
   */
  readonly schedule?: string;
  /**
   * The image that runs the rotator's program (from its ConfigMap): any image with Node.js 20
   * or newer as `node` on its PATH, pinned by tag or digest.
   *
   * @default - the official Node.js 24 image, pinned by version (`DEFAULT_ROTATOR_IMAGE`)
   */
  readonly image?: string;
}

/**
 * The seconds of a `Duration` prop, which the types require but a JavaScript app (or `as any`)
 * can leave out or give as a number or text: that is refused, naming `field`.
 */
export function secondsOf(field: string, duration: Duration): number {
  const given: unknown = duration;
  if (typeof (given as Partial<Duration> | undefined)?.toSeconds !== 'function') {
    throw new Error(
      `${field} must be a cdk8s Duration (e.g. Duration.hours(1)), got ${given === undefined ? 'nothing' : JSON.stringify(given)}`,
    );
  }
  return duration.toSeconds({ integral: false });
}

/**
 * A copy of an `audiences` prop, checked: a list (a JavaScript app may give one name, which a
 * spread would cut into letters) of distinct names without surrounding spaces, as
 * `TokenAudience.of` takes them; refused naming `field` otherwise.
 */
export function audiencesOf(field: string, audiences: readonly string[] | undefined): string[] {
  const given: unknown = audiences;
  if (given === undefined) return [];
  if (!Array.isArray(given)) {
    throw new Error(
      `${field} must be a list of audience names (e.g. ['vault']), got ${JSON.stringify(given)}`,
    );
  }
  given.forEach((audience: unknown, i) => {
    if (typeof audience !== 'string') {
      throw new Error(`${field}[${i}] must be a string, got ${JSON.stringify(audience)}`);
    }
    if (audience.trim() === '')
      throw new Error(`${field}[${i}] must not be empty, got '${audience}'`);
    if (audience !== audience.trim()) {
      throw new Error(`${field}[${i}] must not have surrounding spaces, got '${audience}'`);
    }
  });
  const list = [...(given as string[])];
  if (new Set(list).size !== list.length) {
    throw new Error(`${field} must not repeat an audience, got ${JSON.stringify(list)}`);
  }
  return list;
}

/** A token to mint for a ServiceAccount after deployment. */
export interface TokenProps {
  /**
   * The token's lifetime. TokenRequest accepts 10 minutes to 2^32 seconds; the API server may
   * shorten it (`--service-account-max-token-expiration`), which the runtime reports.
   *
   * @see https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/
   */
  readonly duration: Duration;

  /**
   * The audiences the token is valid for: distinct names without surrounding spaces.
   *
   * @default - the API server's own audience
   * @see https://kubernetes.io/docs/reference/access-authn-authz/authentication/#service-account-tokens
   */
  readonly audiences?: readonly string[];

  /**
   * Where the runtime stores the minted token. Each token of an app needs a store of its own:
   * a Secret, a kubeconfig file or stdout that another token of the app declared is refused.
   *
   * @default TokenStore.stdout()
   * @see https://kubernetes.io/docs/concepts/configuration/secret/
   */
  readonly store?: TokenStore;

  /**
   * Bind each token to a Secret of its own (owned by the ServiceAccount), so that deleting
   * that Secret revokes this token alone.
   *
   * @default false
   * @see https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-token-volume
   */
  readonly boundToSecret?: boolean;

  /**
   * Rotate the token in the cluster: a CronJob (`TokenRotation`) replaces it once 80% of its
   * lifetime has passed. Needs a `TokenStore.secret` store; `{}` derives the schedule.
   *
   * @default - no rotation
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/
   */
  readonly rotation?: TokenRotationSettings;

  /**
   * Mint the token when the manifests are deployed: a Job annotated as an Argo CD `PostSync`
   * and Helm `post-install,post-upgrade` hook. Needs a `TokenStore.secret` store.
   *
   * @default false - `access-tokens mint --from` mints it
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/
   */
  readonly mintOnDeploy?: boolean;
}

/** The rendered declaration for `ServiceAccountAccess` to put on its ServiceAccount. */
export interface RenderedTokenDeclaration {
  /** The annotation's key: `access-tokens.cdk8s.io/token`. */
  readonly annotationKey: string;
  /** The declaration as JSON (format version 1, keys in a fixed order); it holds no token. */
  readonly annotationValue: string;
  /** The Secret to emit empty (via `ManagedTokenSecret`), when the store is a Secret. */
  readonly secretName?: string;
  /** Where the token is stored (for the app's registry of stores, `claimTokenStore`). */
  readonly store: TokenStoreDeclaration;
}

/** Validates the props and returns the declaration (throws with a clear message). */
export function tokenDeclarationOf(props: TokenProps): TokenDeclaration {
  const durationSeconds = secondsOf('token.duration', props.duration);
  const problem = durationProblem(durationSeconds, 'token.duration');
  if (problem) throw new Error(problem);
  const audiences = audiencesOf('token.audiences', props.audiences);
  checkOptionalBoolean('token.boundToSecret', props.boundToSecret);
  checkOptionalBoolean('token.mintOnDeploy', props.mintOnDeploy);
  const store: unknown = props.store;
  // By shape, not `instanceof`: an app may hold two copies of this package.
  if (
    store !== undefined &&
    typeof (store as Partial<TokenStore> | null)?.declaration !== 'object'
  ) {
    throw new Error(
      `token.store must be a TokenStore (TokenStore.secret(name), TokenStore.kubeconfigFile(path) or TokenStore.stdout()), got ${JSON.stringify(store)}`,
    );
  }
  const schedule = props.rotation?.schedule;
  if (schedule !== undefined) checkRotationSchedule(schedule, durationSeconds);
  return {
    version: 1,
    durationSeconds,
    audiences,
    store: (props.store ?? TokenStore.stdout()).declaration,
    boundToSecret: props.boundToSecret ?? false,
    ...(props.rotation !== undefined
      ? { rotation: schedule === undefined ? {} : { schedule } }
      : {}),
    ...(props.mintOnDeploy !== undefined ? { mintOnDeploy: props.mintOnDeploy } : {}),
  };
}

/** Renders the annotation declaring the token, and the name of the Secret store if any. */
export function renderTokenDeclaration(props: TokenProps): RenderedTokenDeclaration {
  const declaration = tokenDeclarationOf(props);
  return {
    annotationKey: TOKEN_DECLARATION_ANNOTATION,
    annotationValue: serializeTokenDeclaration(declaration),
    store: declaration.store,
    ...(declaration.store.kind === 'secret' ? { secretName: declaration.store.name } : {}),
  };
}

/** Props of `ManagedTokenSecret`. */
export interface ManagedTokenSecretProps {
  /**
   * The Secret's name.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names
   */
  readonly name: string;

  /**
   * The Secret's namespace (the ServiceAccount's).
   *
   * @default - the chart's namespace
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/
   */
  readonly namespace?: string;

  /**
   * Extra labels; the managed label is always added.
   *
   * @default {}
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * An empty Opaque Secret, labelled `access-tokens.cdk8s.io/managed: "true"`, that the runtime
 * fills with a token. Synthesized because RBAC cannot restrict `create` by name: the rotator
 * may only `get`/`update` this one Secret.
 */
export class ManagedTokenSecret extends Construct {
  /** The low-level Secret object. */
  public readonly apiObject: ApiObject;
  /** The Secret's name. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: ManagedTokenSecretProps) {
    super(scope, id);
    checkLabels('labels', props.labels);
    const manifest = managedSecretManifest(props.name, {
      namespace: props.namespace,
      labels: props.labels,
    });
    claimTokenSecret(this, props.namespace ?? Chart.of(this).namespace ?? '', props.name);
    this.name = props.name;
    this.apiObject = new ApiObject(this, 'Resource', manifest);
  }
}
