/**
 * The requests of minting, storing and rotating (the TokenRequest, the Secret read and write)
 * as plain JSON over `node:https`, with the kubeconfig's credentials and TLS settings as
 * client-node applies them, on one keep-alive agent per client. client-node's request path
 * (node-fetch, its object serializer, a new agent per request) costs more CPU than the API
 * server spends answering, and on a small machine the two share the cores; and for a token,
 * a client certificate or the in-cluster token file, client-node is not even loaded
 * (kubeconfig-model.ts). Anything else, and a cluster reached through a proxy, goes through
 * client-node.
 */
import https from 'node:https';
import type { ConfigurationOptions } from '@kubernetes/client-node';
import type { ClusterClient } from './cluster.js';
import { directTlsOf } from './kubeconfig-model.js';
import type { SecretObject } from './read-objects.js';
import { registerAuthorization } from './redact.js';
import { DEFAULT_RETRY_POLICY } from './retry.js';

interface Transport {
  readonly agent: https.Agent;
  readonly server: URL;
  /** The credentials' headers; recomputed per request when they can change (exec, auth provider). */
  headers(): Promise<Record<string, string>>;
}

const transports = new WeakMap<ClusterClient, Promise<Transport | undefined>>();

async function httpsOptionsOf(client: ClusterClient): Promise<https.RequestOptions> {
  const options: https.RequestOptions = {};
  await (await client.kubeConfig()).applyToHTTPSOptions(options);
  return options;
}

function headersOf(options: https.RequestOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.headers ?? {}))
    if (typeof value === 'string' || typeof value === 'number') headers[key] = String(value);
  if (options.auth) headers.Authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
  return headers;
}

function keepAlive(options: https.AgentOptions): https.Agent {
  return new https.Agent({ ...options, keepAlive: true, maxSockets: 64 });
}

async function transportOf(client: ClusterClient): Promise<Transport | undefined> {
  // A token, a client certificate, basic authentication or the in-cluster token file: no
  // client-node at all.
  const direct = directTlsOf(client.kc);
  if (direct) {
    return {
      agent: keepAlive(direct.tls),
      server: direct.server,
      headers: async () => direct.headers(),
    };
  }
  const cluster = client.kc.getCurrentCluster();
  if (!cluster?.server?.startsWith('https:') || cluster.proxyUrl) return undefined;
  // An exec plugin or an auth provider: client-node computes the credentials, per request.
  const options = await httpsOptionsOf(client);
  const agent = options.agent as https.Agent | undefined;
  if (!agent || agent.constructor !== https.Agent) return undefined;
  return {
    agent: keepAlive(agent.options),
    server: new URL(cluster.server),
    headers: async () => headersOf(await httpsOptionsOf(client)),
  };
}

/** An answer other than 2xx, shaped as client-node's ApiException (`code`, `body`, `headers`). */
class HttpStatusError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
    readonly headers: Record<string, string>,
  ) {
    super(`HTTP ${code}`);
  }
}

function send<T>(
  transport: Transport,
  headers: Record<string, string>,
  method: string,
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<T> {
  const url = new URL(path.replace(/^\//, ''), transport.server.href.replace(/\/?$/, '/'));
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const request = https.request(
      url,
      {
        method,
        agent: transport.agent,
        headers: {
          ...headers,
          accept: 'application/json',
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            const answerHeaders: Record<string, string> = {};
            for (const [k, v] of Object.entries(response.headers))
              if (v !== undefined) answerHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
            reject(new HttpStatusError(status, text, answerHeaders));
            return;
          }
          try {
            resolve(JSON.parse(text) as T);
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    request.on('error', reject);
    // The socket's idle timer rather than an AbortSignal per request: the same limit, less work.
    request.setTimeout(timeoutMs, () =>
      request.destroy(
        Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' }),
      ),
    );
    request.end(payload);
  });
}

/**
 * Sends `body` as JSON (none for GET) to `path` on the client's server and resolves with the parsed answer,
 * or, when the client cannot take this path (a proxy, a server that is not https, no current
 * cluster), calls `fallback`
 * (the same request through client-node). Use it inside `client.call`: failures are thrown as
 * client-node throws them, so retries and error messages are the same on both paths.
 */
export async function sendJson<T>(
  client: ClusterClient,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body: unknown,
  fallback: () => Promise<T>,
): Promise<T> {
  let transport = transports.get(client);
  if (!transport) {
    transport = transportOf(client).catch(() => undefined);
    transports.set(client, transport);
  }
  const ready = await transport;
  if (!ready) return fallback();
  const timeoutMs = client.retry?.attemptTimeoutMs ?? DEFAULT_RETRY_POLICY.attemptTimeoutMs;
  const headers = await ready.headers();
  registerAuthorization(headers);
  return send<T>(ready, headers, method, path, body, timeoutMs);
}

/** Closes the keep-alive connections of `client`'s JSON requests, if it made any. */
export async function closeJsonTransport(client: ClusterClient): Promise<void> {
  (await transports.get(client))?.agent.destroy();
}

const secretsPath = (namespace: string): string =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;

/**
 * Reads a Secret as `CoreV1Api.readNamespacedSecret` does (over `node:https` where it can).
 * Use it inside `client.call`, passing the call's options on.
 */
export function readSecret(
  client: ClusterClient,
  namespace: string,
  name: string,
  options: ConfigurationOptions,
): Promise<SecretObject> {
  return sendJson(
    client,
    'GET',
    `${secretsPath(namespace)}/${encodeURIComponent(name)}`,
    undefined,
    async () => (await client.api('CoreV1Api')).readNamespacedSecret({ name, namespace }, options),
  );
}

/** Lists the Secrets of `namespace` matching `labelSelector`, as `listNamespacedSecret` does. */
export function listSecrets(
  client: ClusterClient,
  namespace: string,
  labelSelector: string,
  options: ConfigurationOptions,
): Promise<{ readonly items: readonly SecretObject[] }> {
  return sendJson(
    client,
    'GET',
    `${secretsPath(namespace)}?labelSelector=${encodeURIComponent(labelSelector)}`,
    undefined,
    async () =>
      (await client.api('CoreV1Api')).listNamespacedSecret({ namespace, labelSelector }, options),
  );
}
