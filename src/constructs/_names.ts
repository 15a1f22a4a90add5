/**
 * Name checks and the per-app registries of names two constructs must not share, nor share with
 * Kubernetes' own objects: the ServiceAccounts, their cluster-wide objects, the token Secrets
 * and the tokens' local stores (kubeconfig files and stdout) (private to the constructs).
 */
import { posix } from 'node:path';
import type { Construct } from 'constructs';
import type { TokenStoreDeclaration } from '../contract/token-declaration.js';
import { BOOTSTRAP_OBJECTS } from '../rbac/bootstrap-policy.js';
import { dnsLabelProblem, dnsSubdomainProblem } from '../rbac/names.js';

/** Throws unless `value` is a DNS-1123 label (namespaces). */
export function checkDnsLabel(field: string, value: string): void {
  const problem = dnsLabelProblem(field, value);
  if (problem !== undefined) throw new Error(problem);
}

/** Throws unless `value` is a DNS-1123 subdomain (names of most objects). */
export function checkDnsSubdomain(field: string, value: string): void {
  const problem = dnsSubdomainProblem(field, value);
  if (problem !== undefined) throw new Error(problem);
}

/** A label's name (the key after any prefix) or a non-empty value, as Kubernetes checks them. */
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_RULE =
  "at most 63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit";

/**
 * Throws unless `labels` (a prop a JavaScript app may give as anything) is an object of labels
 * Kubernetes accepts: each key an optional DNS-1123 subdomain prefix and '/', then a name; each
 * value a string, empty or like a name. The API server would refuse every object otherwise.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
export function checkLabels(field: string, labels: unknown): void {
  if (labels === undefined) return;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new Error(
      `${field} must be an object of label keys to string values, got ${JSON.stringify(labels)}`,
    );
  }
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.indexOf('/');
    const name = key.slice(slash + 1);
    const prefix = slash === -1 ? undefined : key.slice(0, slash);
    if (
      name.length > 63 ||
      !LABEL_NAME.test(name) ||
      (prefix !== undefined && dnsSubdomainProblem('prefix', prefix) !== undefined)
    ) {
      throw new Error(
        `${field}: key '${key}' is invalid: expected an optional prefix (a DNS-1123 subdomain) and '/', then a name of ${LABEL_RULE}`,
      );
    }
    if (
      typeof value !== 'string' ||
      value.length > 63 ||
      !(value === '' || LABEL_NAME.test(value))
    ) {
      throw new Error(
        `${field}['${key}'] is invalid: expected a string, empty or of ${LABEL_RULE}, got ${JSON.stringify(value)}`,
      );
    }
  }
}

const claimed = new WeakMap<Construct, Map<string, Construct>>();
const claimedClusterNames = new WeakMap<Construct, Map<string, Construct>>();

/** The app's registry in `registries`, made on first use. */
function registryOf(
  registries: WeakMap<Construct, Map<string, Construct>>,
  scope: Construct,
): Map<string, Construct> {
  const root = scope.node.root;
  let names = registries.get(root);
  if (names === undefined) {
    names = new Map<string, Construct>();
    registries.set(root, names);
  }
  return names;
}

/**
 * Records `key` for `scope` in the app's registry, or throws `taken(owner)` when another
 * construct recorded it first.
 */
function claimIn(
  registries: WeakMap<Construct, Map<string, Construct>>,
  scope: Construct,
  key: string,
  taken: (owner: Construct) => string,
): void {
  const names = registryOf(registries, scope);
  const owner = names.get(key);
  if (owner !== undefined) throw new Error(taken(owner));
  // The construct, not its path: the path is only needed for the message.
  names.set(key, scope);
}

/** `kind/namespace/name` of each object of Kubernetes' bootstrap policy, made on first use. */
let builtinKeys: ReadonlySet<string> | undefined;

/**
 * The first of `kinds` (RBAC kinds, cluster-scoped without `namespace`) of which Kubernetes'
 * bootstrap policy, which the API server creates itself, has an object named `name`; undefined
 * when it has none. A set, not a scan: every construct asks.
 */
function builtinObject(
  kinds: readonly string[],
  namespace: string | undefined,
  name: string,
): string | undefined {
  builtinKeys ??= new Set(
    BOOTSTRAP_OBJECTS.map((o) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`),
  );
  for (const kind of kinds) {
    if (builtinKeys.has(`${kind}/${namespace ?? ''}/${name}`)) return kind;
  }
  return undefined;
}

/**
 * Records a ServiceAccount for the whole app, whose Role and RoleBinding have its name, and
 * with `clusterName` the name of its ClusterRole and ClusterRoleBinding; throws when another
 * construct declared either, or when either is the name of one of Kubernetes' own objects
 * (namespace `cluster` and service account `admin` give `cluster-admin`: applying them would
 * replace the built-in role and the binding of system:masters), and then records neither. A
 * cluster-wide name joins the namespace and the ServiceAccount's name with '-', so two
 * ServiceAccounts can get the same (`a-b`/`c` and `a`/`b-c`), and whichever is applied last
 * would replace the other's grant. `advice` says what to do when the name is taken.
 */
export function claimServiceAccount(
  scope: Construct,
  namespace: string,
  name: string,
  clusterName?: string,
  advice = 'give one of them another serviceAccountName',
): void {
  const builtinRole = builtinObject(['Role', 'RoleBinding'], namespace, name);
  if (builtinRole !== undefined) {
    throw new Error(
      `the Role and RoleBinding of service account '${name}' in namespace '${namespace}' would have its name, the name of Kubernetes' built-in ${builtinRole} there: applying them would replace it; give the service account another serviceAccountName`,
    );
  }
  const builtinCluster =
    clusterName === undefined
      ? undefined
      : builtinObject(['ClusterRole', 'ClusterRoleBinding'], undefined, clusterName);
  if (builtinCluster !== undefined) {
    throw new Error(
      `clusterPermissions: the ClusterRole and ClusterRoleBinding of service account '${name}' in namespace '${namespace}' would be named '${clusterName}' ('<namespace>-<serviceAccountName>'), the name of Kubernetes' built-in ${builtinCluster}: applying them would replace it; give the service account another serviceAccountName`,
    );
  }
  const accounts = registryOf(claimed, scope);
  const key = `${namespace}/${name}`;
  const owner = accounts.get(key);
  if (owner !== undefined) {
    throw new Error(
      `service account '${name}' in namespace '${namespace}' is already declared by '${owner.node.path}'; ${advice}`,
    );
  }
  const clusterNames = registryOf(claimedClusterNames, scope);
  const clusterOwner = clusterName === undefined ? undefined : clusterNames.get(clusterName);
  if (clusterOwner !== undefined) {
    throw new Error(
      `ClusterRole and ClusterRoleBinding '${clusterName}' (named '<namespace>-<serviceAccountName>') of service account '${name}' in namespace '${namespace}' are already declared by '${clusterOwner.node.path}'; give one of them another serviceAccountName`,
    );
  }
  // The construct, not its path: the path is only needed for those messages.
  accounts.set(key, scope);
  if (clusterName !== undefined) clusterNames.set(clusterName, scope);
}

const claimedSecrets = new WeakMap<Construct, Map<string, Construct>>();

/**
 * Records a managed token Secret for the whole app; throws when another construct declared it.
 * Two tokens stored in one Secret would overwrite each other (the runtime refuses to replace
 * another ServiceAccount's token, so one of the mints would fail after deployment), and a
 * rotator may update its one Secret by name.
 */
export function claimTokenSecret(scope: Construct, namespace: string, name: string): void {
  claimIn(
    claimedSecrets,
    scope,
    `${namespace}/${name}`,
    (owner) =>
      `token Secret '${name}'${namespace ? ` in namespace '${namespace}'` : ''} is already declared by '${owner.node.path}'; give each token a Secret of its own (TokenStore.secret(name))`,
  );
}

const claimedLocalStores = new WeakMap<Construct, Map<string, Construct>>();

/**
 * Records a token's local store for the whole app, when it is a kubeconfig file or stdout;
 * throws when another construct declared it. `access-tokens mint --from` writes every
 * declared token of the app: a second token in one kubeconfig file would silently replace the
 * first, and it refuses two stdout tokens only after deployment. A path is compared as the
 * runtime resolves it under `--out-dir` ('./ci.kubeconfig' is 'ci.kubeconfig', 'a//b' is 'a/b';
 * a path with '..' is refused by TokenStore), with '\\' a separator as on Windows.
 */
export function claimTokenStore(scope: Construct, store: TokenStoreDeclaration): void {
  if (store.kind === 'secret') return; // ManagedTokenSecret claims it (claimTokenSecret)
  const key =
    store.kind === 'stdout'
      ? 'stdout'
      : `kubeconfigFile:${posix.normalize(store.path.replace(/\\/g, '/'))}`;
  claimIn(claimedLocalStores, scope, key, (owner) =>
    store.kind === 'stdout'
      ? `token.store: stdout (the default) is already declared by '${owner.node.path}', and one run of access-tokens mint --from can write only one token to stdout; give this token another store (TokenStore.secret(name) or TokenStore.kubeconfigFile(path))`
      : `token.store: kubeconfig file '${store.path}' is already declared by '${owner.node.path}', and a second token written there would replace the first; give each token a file of its own (TokenStore.kubeconfigFile(path))`,
  );
}
