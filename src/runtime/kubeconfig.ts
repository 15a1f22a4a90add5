/**
 * Loading a kubeconfig the way kubectl does: `--kubeconfig`, else `KUBECONFIG` (a list of
 * files, the first one's choices winning, missing ones skipped), else `~/.kube/config`, else
 * the in-cluster ServiceAccount; `--context` picks a context; `-n` beats the context's
 * namespace.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import yaml from 'js-yaml';
import { AccessTokensError } from './errors.js';
import { KubeconfigModel, type KubeconfigData } from './kubeconfig-model.js';
import { registerSecret } from './redact.js';

/** Which kubeconfig, context and namespace to use (kubectl's flags). */
export interface KubeconfigOptions {
  /** Path of a kubeconfig file (`--kubeconfig`). @default - KUBECONFIG, ~/.kube/config, in-cluster */
  readonly kubeconfig?: string;
  /** The context to use (`--context`). @default - the current context */
  readonly context?: string;
  /** The namespace (`-n`). @default - the context's namespace, else `default` */
  readonly namespace?: string;
  /** Environment for KUBECONFIG and in-cluster detection. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * An already loaded configuration (library use), e.g. a client-node `KubeConfig`; the options
   * above are then ignored except namespace and context. It is copied, never changed.
   */
  readonly kubeConfig?: KubeconfigData;
}

const IN_CLUSTER_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function addMissing(into: KubeconfigModel, from: KubeconfigModel): void {
  // kubectl's merge: the first file to set a value wins.
  for (const c of from.clusters) if (!into.getCluster(c.name)) into.clusters.push(c);
  for (const u of from.users) if (!into.getUser(u.name)) into.users.push(u);
  for (const c of from.contexts) if (!into.getContextObject(c.name)) into.contexts.push(c);
  if (!into.currentContext && from.currentContext) into.currentContext = from.currentContext;
}

/**
 * Reads one kubeconfig file. An empty one (or only comments) is `'empty'`, a missing file of the
 * KUBECONFIG list `'missing'`: kubectl takes the first for an empty configuration and skips the
 * second, but an explicit file must exist. Anything else that is not a YAML mapping is an error
 * (client-node would take a scalar for an empty configuration).
 */
function loadFile(path: string, inList: false): KubeconfigModel;
function loadFile(path: string, inList: true): KubeconfigModel | 'empty' | 'missing';
function loadFile(path: string, inList: boolean): KubeconfigModel | 'empty' | 'missing' {
  let parsed: unknown;
  try {
    parsed = yaml.load(readFileSync(path, 'utf8'));
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
  try {
    // client-node's loadFromFile without reading or parsing the file again
    const kc = KubeconfigModel.fromDocument(parsed as Record<string, unknown>);
    kc.makePathsAbsolute(dirname(path));
    return kc;
  } catch (err) {
    throw cannotRead(path, err);
  }
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
function loadList(files: readonly string[]): KubeconfigModel {
  const kc = new KubeconfigModel();
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
function checkCurrentContext(kc: KubeconfigModel, source: string): void {
  const name = kc.currentContext;
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
    if (!kc.getUser(ANONYMOUS_USER)) kc.users.push({ name: ANONYMOUS_USER });
    kc.contexts[kc.contexts.indexOf(ctx)] = { ...ctx, user: ANONYMOUS_USER };
  }
}

const ANONYMOUS_USER = '';

/** Loads a KubeConfig like kubectl and reports where it came from. */
export function loadKubeConfig(options: KubeconfigOptions = {}): {
  kc: KubeconfigModel;
  source: string;
} {
  const env = options.env ?? process.env;
  let kc = options.kubeConfig ? KubeconfigModel.of(options.kubeConfig) : undefined;
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
      kc = KubeconfigModel.inCluster(env);
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
      const known = kc.contexts.map((c) => c.name);
      throw new AccessTokensError(
        `context '${options.context}' is not in ${source}: known contexts are ${known.join(', ') || 'none'}`,
        'usage',
      );
    }
    kc.currentContext = options.context;
  }
  checkCurrentContext(kc, source);
  return { kc, source };
}

/**
 * Registers the current user's own credentials for redaction, so that no error or log line can
 * show them: the static token (client-node has already read a `token-file` into it), the
 * password with the basic-auth pair made of it, and the client key, decoded and as given. Files
 * client-node reads only per request (`client-key`, in-cluster and exec tokens) are not read here:
 * the credential of each request's `Authorization` header is registered as it is sent
 * (`registerAuthorization`).
 */
export function registerCredentials(kc: KubeconfigModel): void {
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
export function resolveNamespace(kc: KubeconfigModel, explicit?: string): string {
  if (explicit) return explicit;
  const ctx = kc.getContextObject(kc.currentContext);
  if (ctx?.namespace) return ctx.namespace;
  if (kc.getCurrentCluster()?.name === 'inCluster' && existsSync(IN_CLUSTER_NAMESPACE)) {
    return readFileSync(IN_CLUSTER_NAMESPACE, 'utf8').trim();
  }
  return 'default';
}
