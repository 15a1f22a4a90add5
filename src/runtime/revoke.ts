/**
 * Revoking one token: deleting the object it is bound to (Kubernetes's only per-token
 * revocation). The API server caches successful authentications for about 10 s, so the
 * token stops working within that time, not at once; the `wait` option polls TokenReview.
 */
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import { AccessTokensError } from './errors.js';
import { registerSecret } from './redact.js';
import { decodeJwtClaims, subjectOf } from './jwt.js';
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

/** Revokes a token by deleting its bound Secret (or Pod, when allowed). */
export async function revoke(token: string, options: RevokeOptions = {}): Promise<RevokeResult> {
  registerSecret(token);
  const subject = subjectOf(decodeJwtClaims(token));
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
    const review = await reviewToken(token, { client });
    if (!review.authenticated) return { ...done, confirmed: true };
    if (Date.now() >= deadline) return { ...done, confirmed: false };
    await sleep(1000);
  }
}
