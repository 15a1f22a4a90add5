/**
 * Rotating every token whose declaration asks for rotation (`rotate --from`): bounded
 * concurrency, one client shared by all requests. Each namespace's managed Secrets are listed
 * once: a token that is not due then costs no request of its own, a due one a mint and a write
 * (where the Secrets cannot be listed, each is read on its own). A failure is recorded and the
 * others go on.
 */
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import { concurrencyOf, mapConcurrently } from './concurrency.js';
import { AccessTokensError, type ErrorCategory } from './errors.js';
import type { DeclaredToken } from './manifests.js';
import { managedSecretsLister } from './managed-secret.js';
import type { SecretObject } from './read-objects.js';
import { rotateToken, type RotationResult } from './rotate.js';

/** Options of `rotateDeclaredTokens`. */
export interface RotateDeclaredOptions extends ClusterOptions {
  /** Rotations in flight at once. @default 16 */
  readonly concurrency?: number;
  /** Replace every token, due or not. @default false */
  readonly force?: boolean;
  /** Called after each token, for progress display. */
  readonly onProgress?: (done: number, total: number) => void;
  /** A client to reuse. @default - connects with the options above */
  readonly client?: ClusterClient;
}

/** The outcome for one declared rotation: the rotation's result, or why it failed. */
export type DeclaredRotationResult =
  | (RotationResult & {
      /** The rotation ran: `rotated` says whether it replaced the token. */
      readonly ok: true;
    })
  | {
      /** It failed: `error` and `category` say why. */
      readonly ok: false;
      /** The ServiceAccount's namespace. */
      readonly namespace: string;
      /** The ServiceAccount's name. */
      readonly serviceAccount: string;
      /** Why it failed. */
      readonly error: string;
      /** The failure's category, for exit codes. */
      readonly category: ErrorCategory;
    };

/** The declarations that ask for rotation (`TokenProps.rotation`). */
export function declaredRotations(declared: readonly DeclaredToken[]): DeclaredToken[] {
  return declared.filter((d) => d.declaration.rotation !== undefined);
}

async function rotateOneDeclared(
  client: ClusterClient,
  decl: DeclaredToken,
  force: boolean,
  managedSecretsOf: (namespace: string) => Promise<readonly SecretObject[] | undefined>,
): Promise<DeclaredRotationResult> {
  const base = { namespace: decl.namespace, serviceAccount: decl.serviceAccount };
  try {
    const store = decl.declaration.store;
    if (store.kind !== 'secret') {
      throw new AccessTokensError(
        `ServiceAccount ${decl.namespace}/${decl.serviceAccount} declares rotation with a ${store.kind} store: only a Secret store can be rotated`,
        'usage',
      );
    }
    // Not in the LIST: unlabelled or absent; a GET says which (and rotateToken refuses the former).
    const listed = (await managedSecretsOf(decl.namespace))?.find(
      (s) => s.metadata?.name === store.name,
    );
    const result = await rotateToken({
      client,
      namespace: decl.namespace,
      serviceAccount: decl.serviceAccount,
      secret: store.name,
      durationSeconds: decl.declaration.durationSeconds,
      audiences: decl.declaration.audiences,
      force,
      ...(listed ? { listed } : {}),
    });
    return { ...result, ok: true };
  } catch (err) {
    const e =
      err instanceof AccessTokensError
        ? err
        : new AccessTokensError(String((err as Error)?.message ?? err), 'internal');
    return { ...base, ok: false, error: e.message, category: e.category };
  }
}

/** Rotates every declared rotation that is due; one result per declaration, in order. */
export async function rotateDeclaredTokens(
  declared: readonly DeclaredToken[],
  options: RotateDeclaredOptions = {},
): Promise<DeclaredRotationResult[]> {
  const limit = concurrencyOf(options.concurrency);
  const client = options.client ?? connect(options);
  const managedSecretsOf = managedSecretsLister(client);
  return mapConcurrently(
    declared,
    limit,
    (d) => rotateOneDeclared(client, d, options.force === true, managedSecretsOf),
    (done) => options.onProgress?.(done, declared.length),
  );
}
