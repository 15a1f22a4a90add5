/**
 * Minting every declared token (`mint --from`): bounded concurrency, one client shared by all
 * requests, each token stored where declared. A failure is recorded and the others go on.
 */
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import { AccessTokensError } from './errors.js';
import type { DeclaredToken } from './manifests.js';
import { mintToken } from './mint.js';
import { storeToken, type TokenDestination } from './store.js';

/** Options of `mintDeclaredTokens`. */
export interface MintDeclaredOptions extends ClusterOptions {
  /** Requests in flight at once. @default 16 */
  readonly concurrency?: number;
  /** Where `store: stdout` tokens are written. @default - process.stdout */
  readonly stdout?: (text: string) => void;
  /** Called after each token, for progress display. */
  readonly onProgress?: (done: number, total: number, result: DeclaredMintResult) => void;
  readonly client?: ClusterClient;
}

/** The outcome for one declared token (never the token). */
export interface DeclaredMintResult {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly ok: boolean;
  /** Where the token went. */
  readonly destination?: string;
  readonly expiresAt?: string;
  readonly boundSecret?: string;
  readonly warnings: readonly string[];
  /** Why it failed. */
  readonly error?: string;
  /** The failure's category, for exit codes. */
  readonly category?: string;
}

function destinationOf(decl: DeclaredToken, stdout: (t: string) => void): TokenDestination {
  const store = decl.declaration.store;
  switch (store.kind) {
    case 'secret':
      return { kind: 'secret', name: store.name, namespace: decl.namespace };
    case 'kubeconfigFile':
      return { kind: 'kubeconfigFile', path: store.path };
    case 'stdout':
      return { kind: 'stream', write: stdout, format: 'token' };
  }
}

async function mintOneDeclared(
  client: ClusterClient,
  decl: DeclaredToken,
  stdout: (t: string) => void,
): Promise<DeclaredMintResult> {
  const base = { namespace: decl.namespace, serviceAccount: decl.serviceAccount };
  try {
    const minted = await mintToken({
      client,
      serviceAccount: decl.serviceAccount,
      namespace: decl.namespace,
      durationSeconds: decl.declaration.durationSeconds,
      audiences: decl.declaration.audiences,
      bindToNewSecret: decl.declaration.boundToSecret,
    });
    const stored = await storeToken(client, minted, destinationOf(decl, stdout));
    return {
      ...base,
      ok: true,
      destination: stored.destination,
      expiresAt: minted.expiresAt,
      ...(minted.boundObject ? { boundSecret: minted.boundObject.name } : {}),
      warnings: minted.warnings,
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
  const client = options.client ?? connect(options);
  const stdout = options.stdout ?? ((t: string) => void process.stdout.write(t));
  const limit = Math.max(1, Math.min(options.concurrency ?? 16, 256));
  const results: DeclaredMintResult[] = new Array(declared.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < declared.length) {
      const i = next++;
      results[i] = await mintOneDeclared(client, declared[i], stdout);
      done++;
      options.onProgress?.(done, declared.length, results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, declared.length) }, worker));
  return results;
}
