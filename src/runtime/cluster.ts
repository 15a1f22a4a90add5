/**
 * The client every request goes through: `ClusterClient.call` gives each attempt a timeout,
 * retries transient failures, and converts errors to safe, typed ones. Where the configuration
 * comes from is `kubeconfig.ts`'s job.
 */
import https from 'node:https';
import type * as k8s from '@kubernetes/client-node';
import type { ApiAction } from './api-action.js';
import { connectionProblemOf, isNetworkError, toAccessTokensError } from './api-errors.js';
import { AccessTokensError } from './errors.js';
import type { KubeconfigModel } from './kubeconfig-model.js';
import {
  loadKubeConfig,
  registerCredentials,
  resolveNamespace,
  type KubeconfigOptions,
} from './kubeconfig.js';
import { safeLogger, type RuntimeLogger } from './logger.js';
import { registerAuthorization } from './redact.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry.js';

/** How to reach the cluster (kubectl's flags) and how to make requests. */
export interface ClusterOptions extends KubeconfigOptions {
  /**
   * Timeouts and retries of every API call; unset fields take their `DEFAULT_RETRY_POLICY` value.
   * @default DEFAULT_RETRY_POLICY
   */
  readonly retry?: RetryPolicy;
  /** Warnings and debug lines (redacted). @default - silent */
  readonly logger?: RuntimeLogger;
}

type ClientNode = typeof k8s;
/** The client-node API classes the runtime uses. */
type ApiName =
  'CoreV1Api' | 'RbacAuthorizationV1Api' | 'AuthenticationV1Api' | 'AuthorizationV1Api';

let clientNodeModule: Promise<ClientNode> | undefined;
let clientNodeLoaded: ClientNode | undefined;

/**
 * @kubernetes/client-node, loaded on first use: what needs only a TokenRequest and Secret
 * writes over `node:https` (json-request.ts) never pays for loading it.
 * @internal
 */
export function loadClientNode(): Promise<ClientNode> {
  clientNodeModule ??= import('@kubernetes/client-node').then((m) => (clientNodeLoaded = m));
  return clientNodeModule;
}

/**
 * A connected client: configuration, namespace, and the one way requests are made. Its
 * request methods are internal: the runtime's functions take it, and its declarations name no
 * @kubernetes/client-node type, so a consumer's program never loads client-node's.
 */
export class ClusterClient {
  /**
   * The loaded configuration, with `context` made its current context.
   * @internal
   */
  public readonly kc: KubeconfigModel;
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
  private clientNodeConfig?: Promise<k8s.KubeConfig>;
  private readonly given?: KubeconfigOptions['kubeConfig'];

  constructor(options: ClusterOptions = {}) {
    const { kc, source } = loadKubeConfig(options);
    this.kc = kc;
    this.given = options.kubeConfig;
    this.source = source;
    registerCredentials(kc);
    this.namespace = resolveNamespace(kc, options.namespace);
    this.retry = options.retry ?? {};
    this.log = safeLogger(options.logger);
  }

  /**
   * This configuration as a client-node `KubeConfig` (loading client-node): the one given, when
   * it is one and `context` did not change it, else one made from `kc`.
   * @internal
   */
  kubeConfig(): Promise<k8s.KubeConfig> {
    this.clientNodeConfig ??= loadClientNode().then((cn) => {
      const given = this.given as Partial<k8s.KubeConfig> | undefined;
      if (
        given instanceof cn.KubeConfig &&
        given.getCurrentContext() === this.kc.currentContext &&
        given.getContextObject(this.kc.currentContext)?.user !== undefined
      )
        return given;
      const made = new cn.KubeConfig();
      made.loadFromOptions({
        clusters: this.kc.clusters.map((c) => ({ ...c })),
        users: this.kc.users.map((u) => ({ ...u })) as k8s.User[],
        contexts: this.kc.contexts.map((c) => ({ ...c })),
        currentContext: this.kc.currentContext,
      });
      return made;
    });
    return this.clientNodeConfig;
  }

  /**
   * A client-node API client of the named class, made once (loading client-node).
   * @internal
   */
  async api<N extends ApiName>(name: N): Promise<InstanceType<ClientNode[N]>> {
    let client = this.apis.get(name) as InstanceType<ClientNode[N]> | undefined;
    if (!client) {
      const [cn, kc] = await Promise.all([loadClientNode(), this.kubeConfig()]);
      client = kc.makeApiClient(cn[name] as k8s.ApiConstructor<InstanceType<ClientNode[N]>>);
      this.apis.set(name, client);
    }
    return client;
  }

  /**
   * Request options that give an attempt its timeout.
   * @internal
   */
  requestOptions(
    timeout = this.retry.attemptTimeoutMs ?? DEFAULT_RETRY_POLICY.attemptTimeoutMs,
  ): k8s.ConfigurationOptions {
    // The object-parameter API passes these to the observable layer: middleware returns
    // Observables. Only client-node calls them, so client-node is loaded by then.
    const observable = <T>(ctx: T) => new clientNodeLoaded!.Observable(Promise.resolve(ctx));
    const middleware = {
      pre: (ctx: k8s.RequestContext) => {
        // The credentials are on the request by now, also an exec plugin's: masked from here on.
        registerAuthorization(ctx.getHeaders());
        ctx.setSignal(AbortSignal.timeout(timeout));
        this.reuseConnections(ctx);
        return observable(ctx);
      },
      post: (ctx: k8s.ResponseContext) => observable(ctx),
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
   * @internal
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
