/**
 * Rotating a token stored in a Secret (`access-tokens rotate`, the rotation CronJob, the
 * deploy-time Job): read the stored token, and replace it only once 80% of its lifetime has
 * passed (kubelet's rule), with optimistic concurrency. A lost race re-reads and decides again,
 * so two rotations at once leave one valid token, never an older one over a newer one; a
 * failure midway leaves the previous token in place.
 */
import {
  MANAGED_LABEL,
  REVOKED_AT_ANNOTATION,
  TOKEN_SECRET_KEY,
} from '../contract/token-declaration.js';
import { ROTATE_AFTER_FRACTION, rotationDueAt } from '../contract/rotation.js';
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import { AccessTokensError } from './errors.js';
import { readSecret } from './json-request.js';
import { registerSecret } from './redact.js';
import { decodeJwtClaims, subjectOf } from './jwt.js';
import { mintToken } from './mint.js';
import { tokenStoreProblem } from './managed-secret.js';
import { storeToken } from './store.js';
import type { SecretObject } from './read-objects.js';

/** What to rotate. */
export interface RotateOptions extends ClusterOptions {
  /** The ServiceAccount whose token is stored. */
  readonly serviceAccount: string;
  /** The Secret (in the ServiceAccount's namespace) that holds the token. */
  readonly secret: string;
  /** Lifetime of a new token, in seconds (600 to 2^32). @default 3600 */
  readonly durationSeconds?: number;
  /** Audiences of a new token. @default - the API server's */
  readonly audiences?: readonly string[];
  /**
   * Replace the token even when it is not due, and replace a store that holds something that
   * is not a token (edited by hand).
   * @default false
   */
  readonly force?: boolean;
  /** How many lost races to re-read and decide again before giving up (a conflict). @default 5 */
  readonly maxConflicts?: number;
  /** The current time (tests). @default - Date.now() */
  readonly now?: () => number;
  /** A client to reuse. @default - connects with the options above */
  readonly client?: ClusterClient;
  /**
   * The Secret as the caller already read it (`rotate --from` lists each namespace's managed
   * Secrets once): the first decision is made from it instead of a GET. A lost race re-reads.
   * @internal
   */
  readonly listed?: SecretObject;
}

/** What a rotation did (never the token). */
export interface RotationResult {
  /** The ServiceAccount's namespace. */
  readonly namespace: string;
  /** The ServiceAccount's name. */
  readonly serviceAccount: string;
  /** The Secret holding the token. */
  readonly secret: string;
  /** Whether a new token was minted and stored. */
  readonly rotated: boolean;
  /** Why it rotated or not, in words. */
  readonly reason: string;
  /** Expiry of the token the Secret now holds (ISO-8601 UTC), when it holds one. */
  readonly expiresAt?: string;
  /** When the token the Secret now holds is due for rotation (80% of its lifetime). */
  readonly dueAt?: string;
  /** The Secret's resourceVersion after a rotation. */
  readonly resourceVersion?: string;
  /** How many times a concurrent write made it re-read the Secret. */
  readonly conflicts: number;
  /** E.g. a lifetime the server shortened. */
  readonly warnings: readonly string[];
}

/** Whether the token in a store is due, and why. */
interface Decision {
  readonly due: boolean;
  readonly reason: string;
  readonly expiresAt?: string;
  readonly dueAt?: string;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Decides from the Secret's content whether to rotate (pure apart from the clock). */
function decide(
  secret: SecretObject,
  where: string,
  serviceAccount: string,
  nowMs: number,
  force: boolean,
): Decision {
  const encoded = secret.data?.[TOKEN_SECRET_KEY];
  if (encoded === undefined || encoded === '') {
    const revokedAt = secret.metadata?.annotations?.[REVOKED_AT_ANNOTATION];
    return {
      due: true,
      reason: revokedAt
        ? `the store's token was revoked at ${revokedAt}`
        : 'the store holds no token yet',
    };
  }
  const token = Buffer.from(encoded, 'base64').toString('utf8').trim();
  registerSecret(token);
  let claims;
  try {
    claims = decodeJwtClaims(token);
  } catch {
    claims = undefined;
  }
  const subject = claims ? subjectOf(claims) : undefined;
  if (
    !claims ||
    typeof claims.exp !== 'number' ||
    typeof claims.iat !== 'number' ||
    claims.exp <= claims.iat ||
    subject?.serviceAccount === undefined
  ) {
    // (A token of another ServiceAccount was refused before: `tokenStoreProblem`.)
    const what = !claims
      ? 'something that is not a token'
      : subject?.serviceAccount === undefined
        ? "a token that is not a ServiceAccount's"
        : 'a token without a valid expiry';
    if (!force) {
      throw new AccessTokensError(
        `${where} holds ${what} (edited by hand?): refusing to replace it; pass --force to replace it with a token of '${serviceAccount}'`,
        'usage',
      );
    }
    return { due: true, reason: `forced: the store held ${what}` };
  }
  const now = nowMs / 1000;
  const used = Math.round(((now - claims.iat) / (claims.exp - claims.iat)) * 100);
  const dueAt = rotationDueAt(claims.iat, claims.exp);
  const state = { expiresAt: iso(claims.exp), dueAt: iso(dueAt) };
  if (now >= claims.exp) return { due: true, reason: 'the stored token has expired', ...state };
  if (now >= dueAt) {
    return {
      due: true,
      reason: `the stored token has used ${used}% of its lifetime (due at ${ROTATE_AFTER_FRACTION * 100}%)`,
      ...state,
    };
  }
  if (force) return { due: true, reason: `forced (the stored token had used ${used}%)`, ...state };
  return {
    due: false,
    reason: `not due: the stored token has used ${used}% of its lifetime; it is due at ${state.dueAt}`,
    ...state,
  };
}

/**
 * Rotates the token stored in a Secret when it is due (or forced). Idempotent: a run that finds
 * a token with less than 80% of its lifetime used does nothing. The write carries the
 * resourceVersion read, so a concurrent rotation makes it re-read and decide again; a failure
 * after the mint leaves the previous token stored (the new one is bound to nothing and expires).
 */
export async function rotateToken(options: RotateOptions): Promise<RotationResult> {
  const client = options.client ?? connect(options);
  const namespace = options.namespace ?? client.namespace;
  const { serviceAccount, secret: name } = options;
  const where = `secret '${namespace}/${name}'`;
  const now = options.now ?? Date.now;
  const maxConflicts = options.maxConflicts ?? 5;
  const base = { namespace, serviceAccount, secret: name };
  for (let conflicts = 0; ; conflicts++) {
    let current: SecretObject;
    try {
      const listed = conflicts === 0 ? options.listed : undefined;
      current =
        listed ??
        (await client.call({ verb: 'get', resource: 'secrets', namespace, name }, (o) =>
          readSecret(client, namespace, name, o),
        ));
    } catch (err) {
      if (err instanceof AccessTokensError && err.category === 'not-found') {
        throw new AccessTokensError(
          `${where} does not exist: it is the token store that the synthesized manifests create (ServiceAccountAccess token.store or TokenRotation secretName); apply them first`,
          'not-found',
          404,
        );
      }
      throw err;
    }
    if (current.metadata?.labels?.[MANAGED_LABEL] !== 'true') {
      throw new AccessTokensError(
        `${where} is not managed by access-tokens (no label ${MANAGED_LABEL}=true): refusing to rotate into it`,
        'usage',
      );
    }
    // Whether this Secret may take this ServiceAccount's token at all, as for every store
    // write: before a token is minted for it. Not even --force replaces another's token.
    const problem = tokenStoreProblem(current, namespace, name, serviceAccount);
    if (problem) throw new AccessTokensError(problem, 'usage');
    const decision = decide(current, where, serviceAccount, now(), options.force === true);
    if (!decision.due) return { ...base, rotated: false, conflicts, warnings: [], ...decision };
    const minted = await mintToken({
      client,
      serviceAccount,
      namespace,
      durationSeconds: options.durationSeconds,
      audiences: options.audiences,
    });
    try {
      const stored = await storeToken(client, minted, {
        kind: 'secret',
        name,
        namespace,
        create: false,
        expectedResourceVersion: current.metadata?.resourceVersion,
        // what was just read: the write is one PUT at its resourceVersion (409 if it changed)
        current,
      });
      const exp = Date.parse(minted.expiresAt) / 1000;
      return {
        ...base,
        rotated: true,
        reason: decision.reason,
        expiresAt: minted.expiresAt,
        dueAt: iso(rotationDueAt(exp - minted.lifetimeSeconds, exp)),
        resourceVersion: stored.resourceVersion,
        conflicts,
        warnings: minted.warnings,
      };
    } catch (err) {
      // Someone wrote the Secret since it was read: read it again and decide again.
      if (
        err instanceof AccessTokensError &&
        err.category === 'conflict' &&
        conflicts < maxConflicts
      )
        continue;
      throw err;
    }
  }
}
