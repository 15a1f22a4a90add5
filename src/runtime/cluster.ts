/**
 * Connecting to a cluster the way kubectl does: `--kubeconfig`, else `KUBECONFIG` (a list of
 * files, the first one's choices winning, missing ones skipped), else `~/.kube/config`, else
 * the in-cluster ServiceAccount; `--context` picks a context; `-n` beats the context's
 * namespace. Every request goes through `ClusterClient.call`: a per-attempt timeout, retries,
 * and errors converted to safe, typed ones.
 */
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import yaml from 'js-yaml';
import {
  AccessTokensError,
  connectionProblemOf,
  isNetworkError,
  registerSecret,
  safeLogger,
  toAccessTokensError,
  type ApiAction,
  type RuntimeLogger,
} from './errors.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry.js';

/** How to reach the cluster (kubectl's flags). */
export interface ClusterOptions {
  /** Path of a kubeconfig file (`--kubeconfig`). @default - KUBECONFIG, ~/.kube/config, in-cluster */
  readonly kubeconfig?: string;
  /** The context to use (`--context`). @default - the current context */
  readonly context?: string;
  /** The namespace (`-n`). @default - the context's namespace, else `default` */
  readonly namespace?: string;
  /** Environment for KUBECONFIG and in-cluster detection. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** An already loaded configuration (library use); the options above are then ignored except namespace and context. */
  readonly kubeConfig?: k8s.KubeConfig;
  /**
   * Timeouts and retries of every API call; unset fields take their `DEFAULT_RETRY_POLICY` value.
   * @default DEFAULT_RETRY_POLICY
   */
  readonly retry?: RetryPolicy;
  /** Warnings and debug lines (redacted). @default - silent */
  readonly logger?: RuntimeLogger;
}

const IN_CLUSTER_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function addMissing(into: k8s.KubeConfig, from: k8s.KubeConfig): void {
  // kubectl's merge: the first file to set a value wins.
  for (const c of from.clusters) if (!into.getCluster(c.name)) into.addCluster(c);
  for (const u of from.users) if (!into.getUser(u.name)) into.addUser(u);
  for (const c of from.contexts) if (!into.getContextObject(c.name)) into.addContext(c);
  if (!into.currentContext && from.currentContext) into.setCurrentContext(from.currentContext);
}

/**
 * Reads one kubeconfig file. An empty one (or only comments) is `'empty'`, a missing file of the
 * KUBECONFIG list `'missing'`: kubectl takes the first for an empty configuration and skips the
 * second, but an explicit file must exist. Anything else that is not a YAML mapping is an error
 * (client-node would take a scalar for an empty configuration).
 */
function loadFile(path: string, inList: false): k8s.KubeConfig;
function loadFile(path: string, inList: true): k8s.KubeConfig | 'empty' | 'missing';
function loadFile(path: string, inList: boolean): k8s.KubeConfig | 'empty' | 'missing' {
  let text: string;
  let parsed: unknown;
  try {
    text = readFileSync(path, 'utf8');
    parsed = yaml.load(text);
  } catch (err) {
    if (inList && (err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw cannotRead(path, err);
  }
  if (parsed === undefined || parsed === null) {
    if (inList) return 'empty';
    throw notAKubeconfig(path, 'is empty');
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw notAKubeconfig(path, 'is not a kubeconfig');
  }
  const kc = new k8s.KubeConfig();
  try {
    // loadFromFile without reading the file again
    kc.loadFromString(text);
    kc.makePathsAbsolute(dirname(path));
  } catch (err) {
    throw cannotRead(path, err);
  }
  return kc;
}

function cannotRead(path: string, err: unknown): AccessTokensError {
  return new AccessTokensError(
    `cannot read kubeconfig '${path}': ${(err as Error).message.split('\n')[0]}`,
    'usage',
  );
}

function notAKubeconfig(path: string, what: string): AccessTokensError {
  return new AccessTokensError(
    `kubeconfig '${path}' ${what} (expected apiVersion v1, kind Config)`,
    'usage',
  );
}

/** Merges the files of the KUBECONFIG list like kubectl: missing ones are skipped, empty ones add nothing. */
function loadList(files: readonly string[]): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  let found = false;
  for (const file of files) {
    const loaded = loadFile(file, true);
    if (loaded === 'missing') continue;
    found = true;
    if (loaded !== 'empty') addMissing(kc, loaded);
  }
  if (!found) {
    throw new AccessTokensError(`no file of KUBECONFIG exists: ${files.join(', ')}`, 'usage');
  }
  return kc;
}

/**
 * The context in use must name a cluster and a user that exist: kubectl, and client-node, would
 * otherwise go on anonymously or to localhost and fail later with a confusing TLS or connection
 * error. A context with no user at all is anonymous, as in kubectl.
 */
function checkCurrentContext(kc: k8s.KubeConfig, source: string): void {
  const name = kc.getCurrentContext();
  const known = (items: readonly { name: string }[]) =>
    items
      .map((i) => i.name)
      .filter((n) => n !== ANONYMOUS_USER)
      .join(', ') || 'none';
  if (!name) {
    throw new AccessTokensError(
      `${source} sets no current context: pass --context (known contexts are ${known(kc.contexts)})`,
      'usage',
    );
  }
  const ctx = kc.getContextObject(name);
  if (!ctx) {
    throw new AccessTokensError(
      `current context '${name}' of ${source} is not in it: known contexts are ${known(kc.contexts)}`,
      'usage',
    );
  }
  if (!kc.getCluster(ctx.cluster)) {
    throw new AccessTokensError(
      `context '${name}' of ${source} names cluster '${ctx.cluster}', which is not in it: known clusters are ${known(kc.clusters)}`,
      'usage',
    );
  }
  if (ctx.user && !kc.getUser(ctx.user)) {
    throw new AccessTokensError(
      `context '${name}' of ${source} names user '${ctx.user}', which is not in it: known users are ${known(kc.users)}`,
      'usage',
    );
  }
  if (!ctx.user) {
    // client-node applies the cluster's CA and TLS settings only for a context with a user; a
    // user with no credentials ('' is a name no loaded user can have) keeps them.
    if (!kc.getUser(ANONYMOUS_USER)) kc.addUser({ name: ANONYMOUS_USER });
    kc.contexts[kc.contexts.indexOf(ctx)] = { ...ctx, user: ANONYMOUS_USER };
  }
}

const ANONYMOUS_USER = '';

/** Loads a KubeConfig like kubectl and reports where it came from. */
export function loadKubeConfig(options: ClusterOptions = {}): {
  kc: k8s.KubeConfig;
  source: string;
} {
  const env = options.env ?? process.env;
  let kc = options.kubeConfig;
  let source = 'the given configuration';
  if (!kc) {
    const files = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
    const home = join(env.HOME ?? homedir(), '.kube', 'config');
    if (options.kubeconfig) {
      source = `--kubeconfig ${options.kubeconfig}`;
      kc = loadFile(options.kubeconfig, false);
    } else if (files.length > 0) {
      source = `KUBECONFIG ${files.join(delimiter)}`;
      kc = loadList(files);
    } else if (existsSync(home)) {
      source = home;
      kc = loadFile(home, false);
    } else if (env.KUBERNETES_SERVICE_HOST) {
      kc = new k8s.KubeConfig();
      kc.loadFromCluster();
      source = 'the in-cluster ServiceAccount';
    } else {
      throw new AccessTokensError(
        'no cluster configured: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a pod',
        'usage',
      );
    }
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new AccessTokensError(
        `context '${options.context}' is not in ${source}: known contexts are ${known.join(', ') || 'none'}`,
        'usage',
      );
    }
    kc.setCurrentContext(options.context);
  }
  checkCurrentContext(kc, source);
  return { kc, source };
}

/**
 * Registers the current user's own credentials for redaction, so that no error or log line can
 * show them: the static token (client-node has already read a `token-file` into it), the
 * password with the basic-auth pair made of it, and the client key, decoded and as given. Files
 * client-node reads only per request (`client-key`, in-cluster and exec tokens) are not read here.
 */
function registerCredentials(kc: k8s.KubeConfig): void {
  const user = kc.getCurrentUser();
  if (!user) return;
  if (user.token) registerSecret(user.token.trim());
  if (user.password) {
    // The pair first: redaction replaces in registration order, and the password's base64 can
    // be the tail of the pair's.
    registerSecret(`${user.username ?? ''}:${user.password}`);
    registerSecret(user.password);
  }
  if (user.keyData) {
    registerSecret(user.keyData);
    registerSecret(Buffer.from(user.keyData, 'base64').toString('utf8'));
  }
}

/** The namespace to use: `-n`, else the context's, else in-cluster's, else `default`. */
export function resolveNamespace(kc: k8s.KubeConfig, explicit?: string): string {
  if (explicit) return explicit;
  const ctx = kc.getContextObject(kc.getCurrentContext());
  if (ctx?.namespace) return ctx.namespace;
  if (kc.getCurrentCluster()?.name === 'inCluster' && existsSync(IN_CLUSTER_NAMESPACE)) {
    return readFileSync(IN_CLUSTER_NAMESPACE, 'utf8').trim();
  }
  return 'default';
}

/** A connected client: configuration, namespace, and the one way requests are made. */
export class ClusterClient {
  /** The loaded configuration, with `context` made its current context. */
  public readonly kc: k8s.KubeConfig;
  /** The default namespace: `namespace`, else the context's, else in-cluster's, else `default`. */
  public readonly namespace: string;
  /** Where the configuration came from, for messages, e.g. `KUBECONFIG /a:/b` or a file path. */
  public readonly source: string;
  /** The retry policy as given (`{}` for none); unset fields mean `DEFAULT_RETRY_POLICY`'s. */
  public readonly retry: RetryPolicy;
  /** The logger, with every line redacted (`redactSecrets`); silent when none was given. */
  public readonly log: Required<RuntimeLogger>;
  private readonly apis = new Map<unknown, unknown>();
  private sharedAgent?: https.Agent;

  constructor(options: ClusterOptions = {}) {
    const { kc, source } = loadKubeConfig(options);
    this.kc = kc;
    this.source = source;
    registerCredentials(kc);
    this.namespace = resolveNamespace(kc, options.namespace);
    this.retry = options.retry ?? {};
    this.log = safeLogger(options.logger);
  }

  /** An API client of the given class, made once. */
  api<T extends k8s.ApiType>(type: k8s.ApiConstructor<T>): T {
    let client = this.apis.get(type) as T | undefined;
    if (!client) {
      client = this.kc.makeApiClient(type);
      this.apis.set(type, client);
    }
    return client;
  }

  /** Request options that give an attempt its timeout. */
  requestOptions(
    timeout = this.retry.attemptTimeoutMs ?? DEFAULT_RETRY_POLICY.attemptTimeoutMs,
  ): k8s.ConfigurationOptions {
    // The object-parameter API passes these to the observable layer: middleware returns Observables.
    const middleware = {
      pre: (ctx: k8s.RequestContext) => {
        ctx.setSignal(AbortSignal.timeout(timeout));
        this.reuseConnections(ctx);
        return new k8s.Observable(Promise.resolve(ctx));
      },
      post: (ctx: k8s.ResponseContext) => new k8s.Observable(Promise.resolve(ctx)),
    };
    return {
      middleware: [middleware],
      middlewareMergeStrategy: 'append',
    } as unknown as k8s.ConfigurationOptions;
  }

  /**
   * client-node makes a new https.Agent, so a new TLS connection, for every request; minting
   * many tokens then spends most of its time in handshakes. A plain (non-proxy) agent is
   * replaced by one keep-alive agent with the same TLS options, made once per client.
   */
  private reuseConnections(ctx: k8s.RequestContext): void {
    const agent = ctx.getAgent();
    if (!agent || agent.constructor !== https.Agent) return;
    this.sharedAgent ??= new https.Agent({
      ...(agent as https.Agent).options,
      keepAlive: true,
      maxSockets: 64,
    });
    ctx.setAgent(this.sharedAgent);
  }

  /** Closes pooled connections (idle ones never keep the process alive). */
  close(): void {
    this.sharedAgent?.destroy();
  }

  /**
   * Makes one API call with timeouts and retries; failures become AccessTokensErrors.
   *
   * Every verb is retried, also the ones that are not idempotent: an attempt that timed out or
   * lost its connection may still have been carried out. The error's `attempts` tells callers
   * when that can be the case (more than one), so that a retried DELETE answered 404 or a
   * retried create/update answered 409 can check whether its own earlier attempt did the work
   * (see `revoke` and `storeToken`). A retried TokenRequest may likewise have minted a token
   * that nobody receives; it is not bound to anything new and simply expires.
   */
  async call<T>(
    action: ApiAction,
    request: (options: k8s.ConfigurationOptions) => Promise<T>,
  ): Promise<T> {
    const what = `${action.verb} ${action.resource}${action.name ? ` '${action.name}'` : ''}`;
    const stats = { attempts: 0 };
    try {
      return await withRetry(
        what,
        (_n, timeoutMs) => request(this.requestOptions(timeoutMs)),
        this.retry,
        this.log,
        stats,
      );
    } catch (err) {
      const e = toAccessTokensError(err, action);
      // No answer from the server: say which server, and how often it was tried, as kubectl
      // names the server it could not reach.
      const unanswered =
        !(err instanceof AccessTokensError) &&
        e.status === undefined &&
        (isNetworkError(err) || connectionProblemOf(err) !== undefined);
      const where = unanswered
        ? ` (server ${this.kc.getCurrentCluster()?.server ?? 'unknown'}, ${stats.attempts} attempt${stats.attempts === 1 ? '' : 's'})`
        : '';
      throw new AccessTokensError(`${e.message}${where}`, e.category, e.status, stats.attempts);
    }
  }
}

/** Connects to a cluster (no request is made yet). */
export function connect(options: ClusterOptions = {}): ClusterClient {
  return new ClusterClient(options);
}
