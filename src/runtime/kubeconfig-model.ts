/**
 * A kubeconfig as data, read the way @kubernetes/client-node 1.x reads it (the same field
 * names, the same checks, the same in-cluster configuration), without loading client-node: its
 * bundle costs ~80 ms to load, more than a TokenRequest takes. client-node is loaded only for
 * what needs its code (an exec plugin, an auth provider, a proxy, the API classes);
 * `test/runtime-kubeconfig-model.test.ts` holds this reading to client-node's, field by field.
 */
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { isAbsolute, join } from 'node:path';
import yaml from 'js-yaml';

/** A cluster of a kubeconfig, as client-node names its fields. */
export interface KubeCluster {
  /** The cluster's name in the kubeconfig. */
  readonly name: string;
  /** The API server's URL, without a trailing slash. */
  readonly server: string;
  /** The CA bundle, base64 (`certificate-authority-data`). */
  readonly caData?: string;
  /** The CA bundle's file (`certificate-authority`), absolute once loaded from a file. */
  caFile?: string;
  /** `insecure-skip-tls-verify`. */
  readonly skipTLSVerify: boolean;
  /** `tls-server-name`: the name to verify the server's certificate against. */
  readonly tlsServerName?: string;
  /** `proxy-url`. */
  readonly proxyUrl?: string;
}

/** A user (credentials) of a kubeconfig, as client-node names its fields. */
export interface KubeUser {
  /** The user's name in the kubeconfig. */
  readonly name: string;
  /** A bearer token (`token`, or the contents of `token-file`, read when loaded). */
  readonly token?: string;
  /** The client certificate, base64 (`client-certificate-data`). */
  readonly certData?: string | null;
  /** The client certificate's file (`client-certificate`). */
  certFile?: string | null;
  /** The client key, base64 (`client-key-data`). */
  readonly keyData?: string | null;
  /** The client key's file (`client-key`). */
  keyFile?: string | null;
  /** Basic authentication's user name. */
  readonly username?: string | null;
  /** Basic authentication's password. */
  readonly password?: string | null;
  /** The user to impersonate (`as`). */
  readonly impersonateUser?: string | null;
  /** An exec credential plugin (`exec`): needs client-node. */
  readonly exec?: unknown;
  /** An auth provider (`auth-provider`): needs client-node, except the in-cluster token file. */
  readonly authProvider?: unknown;
}

/** A context of a kubeconfig. */
export interface KubeContext {
  /** The context's name. */
  readonly name: string;
  /** The cluster it uses. */
  readonly cluster: string;
  /** The user it uses, if any. */
  readonly user?: string;
  /** Its default namespace, if any. */
  readonly namespace?: string;
}

/** What a kubeconfig holds: a client-node `KubeConfig` has this shape too. */
export interface KubeconfigData {
  /** The clusters. */
  readonly clusters: readonly KubeCluster[];
  /** The users. */
  readonly users: readonly KubeUser[];
  /** The contexts. */
  readonly contexts: readonly KubeContext[];
  /** The current context's name. */
  readonly currentContext: string;
}

type Entry = Record<string, unknown> | undefined | null;

const SERVICEACCOUNT_ROOT = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The in-cluster configuration's names, as client-node's `loadFromCluster` gives them. */
export const IN_CLUSTER = {
  cluster: 'inCluster',
  user: 'inClusterUser',
  context: 'inClusterContext',
  caFile: `${SERVICEACCOUNT_ROOT}/ca.crt`,
  tokenFile: `${SERVICEACCOUNT_ROOT}/token`,
  namespaceFile: `${SERVICEACCOUNT_ROOT}/namespace`,
} as const;

function list(value: unknown): Entry[] {
  return Array.isArray(value) ? (value as Entry[]) : [];
}

function field<T>(entry: Entry, key: string): T | null {
  return entry ? (entry[key] as T) : null;
}

/** A loaded kubeconfig: its data and the lookups kubectl's flags need. */
export class KubeconfigModel implements KubeconfigData {
  /** Parses a kubeconfig's text (client-node's `loadFromString`); relative paths stay relative. */
  static parse(text: string): KubeconfigModel {
    return KubeconfigModel.fromDocument((yaml.load(text) ?? {}) as Record<string, unknown>);
  }

  /** Reads a parsed kubeconfig document, checking entries as client-node does. */
  static fromDocument(doc: Record<string, unknown>): KubeconfigModel {
    const clusters = list(doc.clusters).map((e, i): KubeCluster => {
      if (!e?.name) throw new Error(`clusters[${i}].name is missing`);
      const c = field<Record<string, unknown>>(e, 'cluster');
      if (!c) throw new Error(`clusters[${i}].cluster is missing`);
      if (!c.server) throw new Error(`clusters[${i}].cluster.server is missing`);
      return {
        caData: c['certificate-authority-data'] as string | undefined,
        caFile: c['certificate-authority'] as string | undefined,
        name: e.name as string,
        server: String(c.server).replace(/\/$/, ''),
        skipTLSVerify: c['insecure-skip-tls-verify'] === true,
        tlsServerName: c['tls-server-name'] as string | undefined,
        proxyUrl: c['proxy-url'] as string | undefined,
      };
    });
    const contexts = list(doc.contexts).map((e, i): KubeContext => {
      if (!e?.name) throw new Error(`contexts[${i}].name is missing`);
      const c = field<Record<string, unknown>>(e, 'context');
      if (!c) throw new Error(`contexts[${i}].context is missing`);
      if (!c.cluster) throw new Error(`contexts[${i}].context.cluster is missing`);
      return {
        cluster: c.cluster as string,
        name: e.name as string,
        user: (c.user as string) || undefined,
        namespace: (c.namespace as string) || undefined,
      };
    });
    const users = list(doc.users).map((e, i): KubeUser => {
      if (!e?.name) throw new Error(`users[${i}].name is missing`);
      const u = field<Record<string, unknown>>(e, 'user');
      return {
        authProvider: field(u, 'auth-provider'),
        certData: field(u, 'client-certificate-data'),
        certFile: field(u, 'client-certificate'),
        exec: field(u, 'exec'),
        keyData: field(u, 'client-key-data'),
        keyFile: field(u, 'client-key'),
        name: e.name as string,
        token: tokenOf(u),
        password: field(u, 'password'),
        username: field(u, 'username'),
        impersonateUser: field(u, 'as'),
      };
    });
    return new KubeconfigModel(clusters, users, contexts, doc['current-context'] as string);
  }

  /** The in-cluster configuration (client-node's `loadFromCluster`), from `env`. */
  static inCluster(
    env: Readonly<Record<string, string | undefined>> = process.env,
  ): KubeconfigModel {
    const host = env.KUBERNETES_SERVICE_HOST;
    const port = env.KUBERNETES_SERVICE_PORT;
    const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
    const serverHost = host && isIPv6(host) ? `[${host}]` : host;
    let namespace: string | undefined;
    try {
      namespace = readFileSync(IN_CLUSTER.namespaceFile, 'utf8');
    } catch {
      namespace = undefined;
    }
    return new KubeconfigModel(
      [
        {
          name: IN_CLUSTER.cluster,
          caFile: IN_CLUSTER.caFile,
          server: `${scheme}://${serverHost}:${port}`,
          skipTLSVerify: false,
        },
      ],
      [
        {
          name: IN_CLUSTER.user,
          authProvider: { name: 'tokenFile', config: { tokenFile: IN_CLUSTER.tokenFile } },
        },
      ],
      [{ cluster: IN_CLUSTER.cluster, name: IN_CLUSTER.context, user: IN_CLUSTER.user, namespace }],
      IN_CLUSTER.context,
    );
  }

  /** A copy of `data` (a client-node `KubeConfig`, say), so that changes stay here. */
  static of(data: KubeconfigData): KubeconfigModel {
    return new KubeconfigModel(
      (data.clusters ?? []).map((c) => ({ ...c })),
      (data.users ?? []).map((u) => ({ ...u })),
      (data.contexts ?? []).map((c) => ({ ...c })),
      data.currentContext,
    );
  }

  constructor(
    public clusters: KubeCluster[] = [],
    public users: KubeUser[] = [],
    public contexts: KubeContext[] = [],
    public currentContext: string = '',
  ) {}

  /** Makes the file paths of clusters and users absolute against `dir` (client-node's rule). */
  makePathsAbsolute(dir: string): void {
    const absolute = (file: string): string => (isAbsolute(file) ? file : join(dir, file));
    for (const c of this.clusters) if (c.caFile) c.caFile = absolute(c.caFile);
    for (const u of this.users) {
      if (u.certFile) u.certFile = absolute(u.certFile);
      if (u.keyFile) u.keyFile = absolute(u.keyFile);
    }
  }

  /** The current context's name (client-node's name for it). */
  getCurrentContext(): string {
    return this.currentContext;
  }

  /** The contexts (client-node's name for them). */
  getContexts(): readonly KubeContext[] {
    return this.contexts;
  }

  /** The cluster named `name`. */
  getCluster(name: string | undefined): KubeCluster | undefined {
    return this.clusters.find((c) => c.name === name);
  }

  /** The user named `name`. */
  getUser(name: string | undefined): KubeUser | undefined {
    return this.users.find((u) => u.name === name);
  }

  /** The context named `name`. */
  getContextObject(name: string | undefined): KubeContext | undefined {
    return this.contexts.find((c) => c.name === name);
  }

  /** The current context's cluster. */
  getCurrentCluster(): KubeCluster | undefined {
    return this.getCluster(this.getContextObject(this.currentContext)?.cluster);
  }

  /** The current context's user. */
  getCurrentUser(): KubeUser | undefined {
    return this.getUser(this.getContextObject(this.currentContext)?.user);
  }
}

function tokenOf(user: Entry): string | undefined {
  if (!user) return undefined;
  if (user.token) return user.token as string;
  if (user['token-file']) return readFileSync(user['token-file'] as string).toString();
  return undefined;
}

/**
 * How requests reach the current cluster with `node:https` alone.
 * @internal
 */
export interface DirectTls {
  /** The server's URL. */
  readonly server: URL;
  /** TLS options for an `https.Agent`: CA, client certificate and key, server name. */
  readonly tls: {
    ca?: Buffer;
    cert?: Buffer;
    key?: Buffer;
    rejectUnauthorized?: boolean;
    servername?: string;
  };
  /** The request headers carrying the credentials (a token file is read again when it may have changed). */
  headers(): Record<string, string>;
}

/** The in-cluster user's token file, the one auth provider read without client-node. */
function tokenFileOf(user: KubeUser): string | undefined {
  const provider = user.authProvider as
    { name?: unknown; config?: { tokenFile?: unknown } } | null | undefined;
  if (!provider) return undefined;
  const file = provider.name === 'tokenFile' ? provider.config?.tokenFile : undefined;
  return typeof file === 'string' && file !== '' ? file : undefined;
}

const TOKEN_FILE_TTL_MS = 60_000;

/**
 * The settings client-node's `applyToHTTPSOptions` would give a request to the current cluster,
 * made without client-node, or undefined when only client-node can make them: an exec plugin,
 * an auth provider other than the in-cluster token file, a proxy, a server that is not https.
 * @internal
 */
export function directTlsOf(
  model: KubeconfigData & Pick<KubeconfigModel, 'getCurrentCluster' | 'getCurrentUser'>,
): DirectTls | undefined {
  const cluster = model.getCurrentCluster();
  const user = model.getCurrentUser();
  if (!cluster || !user || !cluster.server.startsWith('https:') || cluster.proxyUrl)
    return undefined;
  const tokenFile = tokenFileOf(user);
  if (user.exec || (user.authProvider && !tokenFile)) return undefined;
  const read = (file?: string | null, data?: string | null): Buffer | undefined =>
    file ? readFileSync(file) : data ? Buffer.from(data, 'base64') : undefined;
  const tls: DirectTls['tls'] = {};
  if (cluster.skipTLSVerify) tls.rejectUnauthorized = false;
  if (cluster.tlsServerName) tls.servername = cluster.tlsServerName;
  const ca = read(cluster.caFile, cluster.caData);
  if (ca) tls.ca = ca;
  const cert = read(user.certFile, user.certData);
  if (cert) tls.cert = cert;
  const key = read(user.keyFile, user.keyData);
  if (key) tls.key = key;
  // As client-node's applyToHTTPSOptions, read as json-request reads it: the token file's
  // token, then a static token, then basic authentication, each replacing the one before.
  const fixed: Record<string, string> = {};
  if (user.impersonateUser != null) fixed['Impersonate-User'] = user.impersonateUser;
  if (user.token) fixed.Authorization = `Bearer ${user.token}`;
  if (user.username)
    fixed.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  const fromFile = tokenFile !== undefined && fixed.Authorization === undefined;
  let fileToken: { value: string; readAt: number } | undefined;
  return {
    server: new URL(cluster.server),
    tls,
    headers: () => {
      if (!fromFile) return fixed;
      // client-node's FileAuth: the projected token is read again after a minute.
      if (!fileToken || Date.now() - fileToken.readAt > TOKEN_FILE_TTL_MS)
        fileToken = { value: readFileSync(tokenFile, 'utf8'), readAt: Date.now() };
      return { ...fixed, Authorization: `Bearer ${fileToken.value}` };
    },
  };
}
