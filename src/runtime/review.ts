/** TokenReview: asking the API server whether a token is valid now, and as whom. */
import * as k8s from '@kubernetes/client-node';
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import { registerSecret } from './errors.js';

/** The server's verdict on a token. */
export interface TokenReviewResult {
  readonly authenticated: boolean;
  readonly username?: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly audiences: readonly string[];
  /** The server's reason when not authenticated. */
  readonly error?: string;
}

/** Options of `reviewToken`. */
export interface ReviewOptions extends ClusterOptions {
  /** Audiences to check the token against. @default - the server's */
  readonly audiences?: readonly string[];
  readonly client?: ClusterClient;
}

/** Reviews a token with the caller's own credentials (which need `create tokenreviews`). */
export async function reviewToken(
  token: string,
  options: ReviewOptions = {},
): Promise<TokenReviewResult> {
  registerSecret(token);
  const client = options.client ?? connect(options);
  const api = client.api(k8s.AuthenticationV1Api);
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
    ...(status.error ? { error: status.error } : {}),
  };
}
