/**
 * Minting every declared token (`mint --from`): bounded concurrency, one client shared by all
 * requests, each token stored where declared. A failure is recorded and the others go on.
 */
import { lstat, mkdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { kubeconfigPathProblem } from '../contract/token-declaration.js';
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import { concurrencyOf, mapConcurrently } from './concurrency.js';
import { AccessTokensError, type ErrorCategory } from './errors.js';
import type { DeclaredToken } from './manifests.js';
import { managedSecretsLister } from './managed-secret.js';
import { mintAndStore } from './mint-and-store.js';
import { checkTokenFile, type TokenDestination } from './store.js';
import type { SecretObject } from './read-objects.js';

/** Options of `mintDeclaredTokens`. */
export interface MintDeclaredOptions extends ClusterOptions {
  /** Requests in flight at once. @default 16 */
  readonly concurrency?: number;
  /** Where `store: stdout` tokens are written. @default - process.stdout */
  readonly stdout?: (text: string) => void;
  /** The folder that `kubeconfigFile` store paths are relative to. @default - the working directory */
  readonly outDir?: string;
  /** Called after each token, for progress display. */
  readonly onProgress?: (done: number, total: number, result: DeclaredMintResult) => void;
  /**
   * A client to reuse.
   * @default - connects with the options above
   */
  readonly client?: ClusterClient;
}

/** The outcome for one declared token (never the token). */
export interface DeclaredMintResult {
  /** The ServiceAccount's namespace. */
  readonly namespace: string;
  /** The ServiceAccount's name. */
  readonly serviceAccount: string;
  /** Whether the token was minted and stored; when not, `error` and `category` say why. */
  readonly ok: boolean;
  /** Where the token went. */
  readonly destination?: string;
  /** The token's real expiry (from its `exp`) as an ISO-8601 UTC time; absent on failure. */
  readonly expiresAt?: string;
  /** With `boundToSecret`: the Secret the token is bound to; deleting it revokes the token. */
  readonly boundSecret?: string;
  /** With `boundToSecret`: how many binding Secrets of expired tokens were deleted. */
  readonly deletedBindingSecrets?: number;
  /** E.g. a lifetime the server changed, a clean-up that failed; `[]` on failure. */
  readonly warnings: readonly string[];
  /** Why it failed. */
  readonly error?: string;
  /** The failure's category, for exit codes. */
  readonly category?: ErrorCategory;
}

function destinationOf(
  decl: DeclaredToken,
  stdout: (t: string) => void,
  outDir: string,
): TokenDestination {
  const store = decl.declaration.store;
  switch (store.kind) {
    case 'secret':
      return { kind: 'secret', name: store.name, namespace: decl.namespace };
    case 'kubeconfigFile': {
      // Checked again here: a DeclaredToken may be built by library code, not the parser.
      const problem = kubeconfigPathProblem(store.path);
      if (problem) throw new AccessTokensError(problem, 'usage');
      return { kind: 'kubeconfigFile', path: resolve(outDir, store.path) };
    }
    case 'stdout':
      return { kind: 'stream', write: stdout, format: 'token' };
  }
}

/**
 * Creates the folder a declared kubeconfig file goes into (`--out-dir` and the declared path's
 * own folders), 0700, before the token is minted: a token is never minted with nowhere to go.
 * Below `outDir` it goes one folder at a time and refuses a symbolic link or a file on the way:
 * the path comes from a manifest, which must not choose where on the machine a token lands.
 */
async function createFolderInside(outDir: string, path: string): Promise<void> {
  const fail = (folder: string, reason: string): AccessTokensError =>
    new AccessTokensError(
      `cannot create the folder '${folder}' for the token file '${path}' (${reason})`,
      'usage',
    );
  const code = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String(err);
  try {
    await mkdir(outDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw fail(outDir, code(err));
  }
  let folder = outDir;
  for (const segment of relative(outDir, dirname(path))
    .split(sep)
    .filter((s) => s !== '')) {
    folder = join(folder, segment);
    // mkdir first (EEXIST when it is there, maybe made by a token minted alongside), then lstat.
    await mkdir(folder, { mode: 0o700 }).catch((err: unknown) => {
      if (code(err) !== 'EEXIST') throw fail(folder, code(err));
    });
    const stat = await lstat(folder);
    if (stat.isSymbolicLink())
      throw fail(folder, 'a symbolic link: a declared token file must stay inside --out-dir');
    if (!stat.isDirectory()) throw fail(folder, 'not a folder');
  }
  // The file itself is checked again when written; here, so that no token is minted for nothing.
  await checkTokenFile(path);
}

/**
 * The managed Secrets of a namespace, listed once for all its tokens (one LIST, label
 * selector), or undefined when they cannot be listed (a Role that grants only `get` and
 * `update` on named Secrets): each Secret store then reads its own Secret before writing.
 */
type ManagedSecretsOf = (namespace: string) => Promise<readonly SecretObject[] | undefined>;

/**
 * A declared Secret store with the Secret the namespace's LIST read (`current`), so that
 * `mintAndStore` checks it before minting without a read of its own, and the write is one
 * request based on it. One not among the managed Secrets (absent, or someone else's of that
 * name, which a LIST by our label does not show) is read by `mintAndStore` before minting.
 */
async function listedSecretStore(
  dest: Extract<TokenDestination, { kind: 'secret' }>,
  decl: DeclaredToken,
  managedSecretsOf: ManagedSecretsOf,
): Promise<TokenDestination> {
  const listed = await managedSecretsOf(decl.namespace);
  const current = listed?.find((s) => s.metadata?.name === dest.name);
  return current === undefined ? dest : { ...dest, current };
}

async function mintOneDeclared(
  client: ClusterClient,
  decl: DeclaredToken,
  stdout: (t: string) => void,
  outDir: string,
  managedSecretsOf: ManagedSecretsOf,
): Promise<DeclaredMintResult> {
  const base = { namespace: decl.namespace, serviceAccount: decl.serviceAccount };
  try {
    let destination = destinationOf(decl, stdout, outDir);
    if (destination.kind === 'kubeconfigFile') await createFolderInside(outDir, destination.path);
    if (destination.kind === 'secret')
      destination = await listedSecretStore(destination, decl, managedSecretsOf);
    const boundToSecret = decl.declaration.boundToSecret;
    const listed = boundToSecret ? await managedSecretsOf(decl.namespace) : undefined;
    const { minted, stored, deletedBindingSecrets, warnings } = await mintAndStore({
      client,
      serviceAccount: decl.serviceAccount,
      namespace: decl.namespace,
      durationSeconds: decl.declaration.durationSeconds,
      audiences: decl.declaration.audiences,
      bindToNewSecret: boundToSecret,
      destinations: [destination],
      // The managed Secrets include the binding Secrets (they carry the managed label too).
      ...(listed ? { bindingSecrets: Promise.resolve(listed) } : {}),
    });
    return {
      ...base,
      ok: true,
      destination: stored[0]?.destination,
      expiresAt: minted.expiresAt,
      ...(minted.boundObject ? { boundSecret: minted.boundObject.name } : {}),
      ...(deletedBindingSecrets !== undefined ? { deletedBindingSecrets } : {}),
      warnings,
    };
  } catch (err) {
    const e =
      err instanceof AccessTokensError
        ? err
        : new AccessTokensError(String((err as Error)?.message ?? err), 'internal');
    return { ...base, ok: false, warnings: [], error: e.message, category: e.category };
  }
}

/** Mints and stores every declared token; resolves with one result per declaration, in order. */
export async function mintDeclaredTokens(
  declared: readonly DeclaredToken[],
  options: MintDeclaredOptions = {},
): Promise<DeclaredMintResult[]> {
  // Tokens written one after another to one stream cannot be told apart: refuse before minting.
  const toStdout = declared.filter((d) => d.declaration.store.kind === 'stdout');
  if (toStdout.length > 1) {
    const shown = toStdout.slice(0, 5).map((d) => `${d.namespace}/${d.serviceAccount}`);
    const more =
      toStdout.length > shown.length ? `, and ${toStdout.length - shown.length} more` : '';
    throw new AccessTokensError(
      `${toStdout.length} ServiceAccounts declare a stdout token store (${shown.join(', ')}${more}), ` +
        'but one run can write only one token to stdout: give the others a secret or kubeconfigFile store, or mint them in separate runs',
      'usage',
    );
  }
  const limit = concurrencyOf(options.concurrency);
  const client = options.client ?? connect(options);
  const stdout = options.stdout ?? ((t: string) => void process.stdout.write(t));
  const outDir = resolve(options.outDir ?? '.');
  // A namespace's Secret stores and binding Secrets: one LIST for all its tokens.
  const managedSecretsOf = managedSecretsLister(client);
  return mapConcurrently(
    declared,
    limit,
    (d) => mintOneDeclared(client, d, stdout, outDir, managedSecretsOf),
    (done, result) => options.onProgress?.(done, declared.length, result),
  );
}
