/** TokenReview: asking the API server whether a token is valid now, and as whom. */
import type * as k8s from '@kubernetes/client-node';
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import { redactSecrets, registerSecret } from './redact.js';

/** The server's verdict on a token. */
export interface TokenReviewResult {
  /**
   * Whether the server accepts the token now: signed by it, not expired, its ServiceAccount
   * and bound object still there, and meant for the audiences asked about.
   * @see https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-review-v1/
   */
  readonly authenticated: boolean;
  /** The user the token authenticates as, e.g. `system:serviceaccount:NS:NAME`. */
  readonly username?: string;
  /** The user's UID (for a ServiceAccount token, the ServiceAccount's). */
  readonly uid?: string;
  /** The user's groups; `[]` when not authenticated. */
  readonly groups: readonly string[];
  /** The audiences both the token and the review accept; `[]` when the server returned none. */
  readonly audiences: readonly string[];
  /** The server's reason when not authenticated, with the token and any credential masked. */
  readonly error?: string;
}

/** Options of `reviewToken`. */
export interface ReviewOptions extends ClusterOptions {
  /** Audiences to check the token against. @default - the server's */
  readonly audiences?: readonly string[];
  /**
   * A client to reuse.
   * @default - connects with the options above
   */
  readonly client?: ClusterClient;
}

/** Reviews a token with the caller's own credentials (which need `create tokenreviews`). */
export async function reviewToken(
  token: string,
  options: ReviewOptions = {},
): Promise<TokenReviewResult> {
  registerSecret(token);
  const client = options.client ?? connect(options);
  const api = await client.api('AuthenticationV1Api');
  const body: k8s.V1TokenReview = {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenReview',
    spec: { token, ...(options.audiences ? { audiences: [...options.audiences] } : {}) },
  };
  const review = await client.call(
    { verb: 'create', resource: 'tokenreviews', apiGroup: 'authentication.k8s.io' },
    (o) => api.createTokenReview({ body }, o),
  );
  const status = review.status ?? {};
  return {
    authenticated: status.authenticated === true,
    ...(status.user?.username ? { username: status.user.username } : {}),
    ...(status.user?.uid ? { uid: status.user.uid } : {}),
    groups: status.user?.groups ?? [],
    audiences: status.audiences ?? [],
    // The server's words, which an authenticator (a webhook) may have written with the token.
    ...(status.error ? { error: redactSecrets(status.error) } : {}),
  };
}
