/**
 * Revoking one token: deleting the object it is bound to (Kubernetes's only per-token
 * revocation). The API server caches successful authentications for about 10 s, so the
 * token stops working within that time, not at once; the `wait` option polls TokenReview.
 * The token's claims name that object, but they are only the holder's word until the API
 * server has checked the token's signature: a TokenReview comes first, so that a forged token
 * cannot have the caller's own credentials delete any Secret or Pod it names.
 */
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import { AccessTokensError } from './errors.js';
import { registerSecret } from './redact.js';
import { decodeJwtClaims, subjectOf, type TokenSubject } from './jwt.js';
import { reviewToken } from './review.js';
import { clearRevokedStores } from './revoked-stores.js';

/** Options of `revoke`. */
export interface RevokeOptions extends ClusterOptions {
  /** Also delete a Pod the token is bound to (that stops the Pod's workload). @default false */
  readonly allowPodDeletion?: boolean;
  /** Poll TokenReview until the token is rejected. @default false */
  readonly wait?: boolean;
  /** Bound on the wait. @default 60000 */
  readonly waitTimeoutMs?: number;
  /**
   * A client to reuse.
   * @default - connects with the options above
   */
  readonly client?: ClusterClient;
}

/** What was revoked. */
export interface RevokeResult {
  /** The object deleted to revoke the token: the Secret (or Pod) it is bound to. */
  readonly deleted: {
    /** `Secret` or `Pod`. */
    readonly kind: string;
    /** The token's namespace, which is the object's. */
    readonly namespace: string;
    /** The object's name. */
    readonly name: string;
    /** The object's UID, a precondition of the delete (always set). */
    readonly uid?: string;
  };
  /** With `wait`: whether TokenReview rejected the token before the timeout. */
  readonly confirmed?: boolean;
  /** The managed Secrets (token stores) the revoked token was removed from. */
  readonly clearedStores: readonly string[];
  /** What could not be done after the revocation (stores that could not be cleared). */
  readonly warnings: readonly string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Revokes a token by deleting its bound Secret (or Pod, when allowed), once a TokenReview has
 * shown the API server accepts it (so the caller needs `create tokenreviews` as well as
 * `delete` on the object). A token the server does not accept is refused: `not-found`.
 */
export async function revoke(token: string, options: RevokeOptions = {}): Promise<RevokeResult> {
  registerSecret(token);
  const claims = decodeJwtClaims(token);
  const subject = subjectOf(claims);
  const bound = subject.boundObject;
  const namespace = subject.namespace;
  if (!bound || !namespace) {
    throw new AccessTokensError(
      `this token (ServiceAccount ${namespace ?? '?'}/${subject.serviceAccount ?? '?'}) is not bound to an object, ` +
        'so it cannot be revoked alone: delete and recreate the ServiceAccount (revokes all its tokens) or let it expire; ' +
        'mint with --bind-to-new-secret to get revocable tokens',
      'usage',
    );
  }
  if (bound.kind === 'Node' || (bound.kind === 'Pod' && !options.allowPodDeletion)) {
    throw new AccessTokensError(
      `this token is bound to ${bound.kind} '${namespace}/${bound.name}'; revoking it means deleting that ${bound.kind}` +
        (bound.kind === 'Pod'
          ? ': pass --allow-pod-deletion to do so'
          : ', which this command does not do'),
      'usage',
    );
  }
  // Without the UID, a delete by name could remove a newer object that merely reuses the name
  // (and whatever tokens are bound to it), so such a token is refused, not guessed at.
  const uid = bound.uid;
  if (!uid) {
    throw new AccessTokensError(
      `this token names its bound ${bound.kind} '${namespace}/${bound.name}' without a uid, ` +
        `so deleting by name could remove a newer ${bound.kind} of the same name: refusing to revoke it; ` +
        `delete the ${bound.kind} yourself after checking it is the one the token was bound to`,
      'usage',
    );
  }
  const client = options.client ?? connect({ ...options, namespace });
  // For the token's own audiences: one minted for another audience is not the server's.
  const audiences = claims.aud?.length ? claims.aud : undefined;
  await checkGenuine(token, subject, client, audiences);
  const core = await client.api('CoreV1Api');
  const resource = bound.kind === 'Secret' ? 'secrets' : 'pods';
  const action = { verb: 'delete', resource, namespace, name: bound.name };
  // The UID precondition makes sure that a newer object with the same name is left alone.
  const body = { preconditions: { uid } };
  try {
    if (bound.kind === 'Secret') {
      await client.call(action, (o) =>
        core.deleteNamespacedSecret({ name: bound.name, namespace, body }, o),
      );
    } else {
      await client.call(action, (o) =>
        core.deleteNamespacedPod({ name: bound.name, namespace, body }, o),
      );
    }
  } catch (err) {
    // An earlier attempt that failed transiently (a timeout, a lost answer) may have deleted
    // it: a 404 on a retry means our own delete went through.
    const retriedAway =
      err instanceof AccessTokensError && err.status === 404 && (err.attempts ?? 1) > 1;
    if (retriedAway) {
      client.log.debug(
        `delete ${resource} '${bound.name}': 404 on a retry; the earlier attempt deleted it`,
      );
    } else if (err instanceof AccessTokensError && err.status === 409) {
      throw new AccessTokensError(
        `${bound.kind} '${namespace}/${bound.name}' was already replaced by a newer object (UID differs): the token was already revoked`,
        'conflict',
        409,
      );
    } else {
      throw err;
    }
  }
  const deleted = { kind: bound.kind, namespace, name: bound.name, uid };
  // The dead token must not stay where clients read it as if it were valid.
  const { cleared, warnings } = await clearRevokedStores(
    client,
    namespace,
    subject.serviceAccount ?? '',
    token,
  );
  const done = { deleted, clearedStores: cleared, warnings };
  if (!options.wait) return done;
  const deadline = Date.now() + (options.waitTimeoutMs ?? 60000);
  for (;;) {
    const review = await reviewToken(token, { client, audiences });
    if (!review.authenticated) return { ...done, confirmed: true };
    if (Date.now() >= deadline) return { ...done, confirmed: false };
    await sleep(1000);
  }
}

/**
 * Throws unless the API server accepts the token as the ServiceAccount its claims name: only
 * then are its claims (the bound object's name and uid) the server's own. A token it does not
 * accept has expired, was revoked already, or is not one of this cluster's: nothing to delete.
 */
async function checkGenuine(
  token: string,
  subject: TokenSubject,
  client: ClusterClient,
  audiences: readonly string[] | undefined,
): Promise<void> {
  const review = await reviewToken(token, { client, audiences });
  const claimed = `system:serviceaccount:${subject.namespace}:${subject.serviceAccount}`;
  if (!review.authenticated) {
    throw new AccessTokensError(
      `the API server does not accept this token (${review.error ?? 'no reason given'}): ` +
        'it has expired, was revoked already, or was not issued by this cluster, so it has nothing left to revoke; ' +
        `nothing was deleted (its claims name ${subject.boundObject?.kind} '${subject.namespace}/${subject.boundObject?.name}', ` +
        'but claims the server does not vouch for could name any object)',
      'not-found',
    );
  }
  if (review.username !== claimed) {
    throw new AccessTokensError(
      `the API server accepts this token as '${review.username ?? '?'}', but its claims say '${claimed}': ` +
        'refusing to delete the object its claims name; nothing was deleted',
      'usage',
    );
  }
}
