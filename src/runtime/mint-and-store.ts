/**
 * One token from mint to kept: mint it, store it in each destination in turn, delete its new
 * binding Secret when it could be kept nowhere, then delete the binding Secrets of the
 * ServiceAccount's expired tokens. `access-tokens mint` and `mint --from` (and rotation) all
 * go through here.
 */
import type { SecretObject } from './read-objects.js';
import { cleanUpExpiredBindingSecrets, discardBindingSecret } from './binding-secret.js';
import { connect } from './cluster.js';
import { AccessTokensError } from './errors.js';
import { mintToken, type MintOptions } from './mint.js';
import type { MintedToken } from './minted-token.js';
import {
  checkedSecretDestination,
  storeToken,
  type StoredToken,
  type TokenDestination,
} from './store.js';

/** What to mint, and where to keep it. */
export interface MintAndStoreOptions extends MintOptions {
  /**
   * Where the token goes, in this order. Put the destination most likely to fail first: once
   * one holds the token, a later failure leaves it there (and keeps its binding Secret).
   */
  readonly destinations: readonly TokenDestination[];
  /**
   * With `bindToNewSecret`: the namespace's binding Secrets, when the caller listed them
   * already (`mint --from` lists a namespace once, not once per token).
   * @default - listed after the token is kept
   */
  readonly bindingSecrets?: Promise<readonly SecretObject[]>;
}

/** A token minted and kept. `minted.token` is not enumerable. */
export interface MintedAndStored {
  /** The token and what the server granted. */
  readonly minted: MintedToken;
  /** Where it went, one entry per destination, in order. */
  readonly stored: readonly StoredToken[];
  /** With `bindToNewSecret`: how many binding Secrets of expired tokens were deleted. */
  readonly deletedBindingSecrets?: number;
  /** The mint's warnings, then a clean-up that failed. */
  readonly warnings: readonly string[];
}

/**
 * Mints a token and stores it in every destination. When the first destination fails, a new
 * binding Secret is deleted (its token is kept nowhere) and the error says so; when a later one
 * fails, the error says where the token was kept. A Secret the token was bound to on purpose
 * (`boundObject`) is never deleted.
 */
export async function mintAndStore(options: MintAndStoreOptions): Promise<MintedAndStored> {
  const client = options.client ?? connect(options);
  // Secret destinations first: one that is not ours to write fails before a token is minted.
  const namespace = options.namespace ?? client.namespace;
  const destinations: TokenDestination[] = [];
  for (const destination of options.destinations) {
    destinations.push(
      destination.kind === 'secret'
        ? await checkedSecretDestination(client, destination, namespace, options.serviceAccount)
        : destination,
    );
  }
  const minted = await mintToken({ ...options, client });
  const stored: StoredToken[] = [];
  for (const destination of destinations) {
    try {
      stored.push(await storeToken(client, minted, destination));
    } catch (err) {
      if (stored.length > 0) throw keptIn(err, stored);
      if (options.bindToNewSecret) await discardBindingSecret(client, minted, err);
      throw err;
    }
  }
  // Only now, with the new token kept: the Secrets of expired tokens revoke nothing alive.
  if (!options.bindToNewSecret) return { minted, stored, warnings: minted.warnings };
  const cleanup = await cleanUpExpiredBindingSecrets(
    client,
    minted.namespace,
    minted.serviceAccount,
    options.bindingSecrets,
  );
  return {
    minted,
    stored,
    deletedBindingSecrets: cleanup.deleted,
    warnings: cleanup.warning ? [...minted.warnings, cleanup.warning] : minted.warnings,
  };
}

/** A failure to store a token that is stored elsewhere already: the message says where. */
function keptIn(err: unknown, stored: readonly StoredToken[]): AccessTokensError {
  const e =
    err instanceof AccessTokensError
      ? err
      : new AccessTokensError(String((err as Error)?.message ?? err), 'internal');
  const where = stored.map((s) => s.destination).join(', ');
  return new AccessTokensError(
    `${e.message} (the token was kept in ${where})`,
    e.category,
    e.status,
  );
}
