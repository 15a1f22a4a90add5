/**
 * Minting every declared token (`mint --from`): bounded concurrency, one client shared by all
 * requests, each token stored where declared. A failure is recorded and the others go on.
 */
import { lstat, mkdir } from 'node:fs/promises';
import type * as k8s from '@kubernetes/client-node';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { kubeconfigPathProblem } from '../contract/token-declaration.js';
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import { AccessTokensError, type ErrorCategory } from './errors.js';
import type { DeclaredToken } from './manifests.js';
import {
  cleanUpExpiredBindingSecrets,
  discardBindingSecret,
  listBindingSecrets,
} from './binding-secret.js';
import { mintToken } from './mint.js';
import { checkTokenFile, storeToken, type TokenDestination } from './store.js';

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

async function mintOneDeclared(
  client: ClusterClient,
  decl: DeclaredToken,
  stdout: (t: string) => void,
  outDir: string,
  bindingSecretsOf: (namespace: string) => Promise<readonly k8s.V1Secret[]>,
): Promise<DeclaredMintResult> {
  const base = { namespace: decl.namespace, serviceAccount: decl.serviceAccount };
  try {
    const destination = destinationOf(decl, stdout, outDir);
    if (destination.kind === 'kubeconfigFile') await createFolderInside(outDir, destination.path);
    const minted = await mintToken({
      client,
      serviceAccount: decl.serviceAccount,
      namespace: decl.namespace,
      durationSeconds: decl.declaration.durationSeconds,
      audiences: decl.declaration.audiences,
      bindToNewSecret: decl.declaration.boundToSecret,
    });
    const stored = await storeToken(client, minted, destination).catch((err: unknown) =>
      decl.declaration.boundToSecret
        ? discardBindingSecret(client, minted, err)
        : Promise.reject(err),
    );
    const cleanup = decl.declaration.boundToSecret
      ? await cleanUpExpiredBindingSecrets(
          client,
          decl.namespace,
          decl.serviceAccount,
          bindingSecretsOf(decl.namespace),
        )
      : undefined;
    return {
      ...base,
      ok: true,
      destination: stored.destination,
      expiresAt: minted.expiresAt,
      ...(minted.boundObject ? { boundSecret: minted.boundObject.name } : {}),
      ...(cleanup ? { deletedBindingSecrets: cleanup.deleted } : {}),
      warnings: cleanup?.warning ? [...minted.warnings, cleanup.warning] : minted.warnings,
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
  const limit = options.concurrency ?? 16;
  if (!Number.isInteger(limit) || limit < 1 || limit > 256)
    throw new AccessTokensError(
      `concurrency must be an integer from 1 to 256, got ${String(options.concurrency)}`,
      'usage',
    );
  const client = options.client ?? connect(options);
  const stdout = options.stdout ?? ((t: string) => void process.stdout.write(t));
  const outDir = resolve(options.outDir ?? '.');
  // Binding Secrets to clean up are listed once per namespace, not once per token.
  const listed = new Map<string, Promise<readonly k8s.V1Secret[]>>();
  const bindingSecretsOf = (namespace: string): Promise<readonly k8s.V1Secret[]> => {
    let secrets = listed.get(namespace);
    if (!secrets) {
      secrets = listBindingSecrets(client, namespace);
      secrets.catch(() => undefined); // each token's clean-up reports a failure
      listed.set(namespace, secrets);
    }
    return secrets;
  };
  const results: DeclaredMintResult[] = new Array(declared.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < declared.length) {
      const i = next++;
      results[i] = await mintOneDeclared(client, declared[i], stdout, outDir, bindingSecretsOf);
      done++;
      options.onProgress?.(done, declared.length, results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, declared.length) }, worker));
  return results;
}
