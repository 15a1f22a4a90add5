/**
 * Minting a ServiceAccount token through TokenRequest. The real lifetime is read from the
 * token's `exp` (the server may shorten it silently or lengthen it), and reported when it
 * differs from the request.
 */
import type * as k8s from '@kubernetes/client-node';
import { durationProblem } from '../contract/token-declaration.js';
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import { AccessTokensError } from './errors.js';
import { sendJson } from './json-request.js';
import { registerSecret } from './redact.js';
import { decodeJwtClaims, subjectOf, type ServiceAccountClaims } from './jwt.js';
import {
  createBindingSecret,
  deleteBindingSecret,
  recordBindingSecretExpiry,
} from './binding-secret.js';
import { withHiddenToken, type BoundObject, type MintedToken } from './minted-token.js';

export { withHiddenToken, type BoundObject, type MintedToken } from './minted-token.js';

/** kubelet asks for exactly this lifetime, and servers extend such tokens to a year. */
export const KUBELET_MAGIC_SECONDS = 3607;

/** What to mint. */
export interface MintOptions extends ClusterOptions {
  /** The ServiceAccount's name. */
  readonly serviceAccount: string;
  /** Requested lifetime in seconds (600 to 2^32). @default 3600 */
  readonly durationSeconds?: number;
  /**
   * The audiences the token is valid for; without the API server's own, it cannot call the API.
   * @default - the API server's audience
   * @see https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/
   */
  readonly audiences?: readonly string[];
  /** Bind the token to an existing Secret or Pod. */
  readonly boundObject?: BoundObject;
  /** Create a Secret owned by the ServiceAccount and bind the token to it. @default false */
  readonly bindToNewSecret?: boolean;
  /** A client to reuse (e.g. when minting many). @default - connects with the options above */
  readonly client?: ClusterClient;
}

/** The lifetime to request: validated, and never kubelet's 3607. */
export function requestedLifetime(durationSeconds: number | undefined): {
  seconds: number;
  warning?: string;
} {
  const seconds = durationSeconds ?? 3600;
  const problem = durationProblem(seconds);
  if (problem) throw new AccessTokensError(problem, 'usage');
  if (seconds === KUBELET_MAGIC_SECONDS) {
    return {
      seconds: KUBELET_MAGIC_SECONDS + 1,
      warning: `requested 3608 s instead of 3607 s: servers extend 3607 s tokens (kubelet's value) to a year`,
    };
  }
  return { seconds };
}

/** A warning when the granted lifetime differs from the requested one, else undefined. */
export function lifetimeWarning(requested: number, granted: number): string | undefined {
  // exp and iat are whole seconds; allow one second of rounding.
  if (Math.abs(granted - requested) <= 1) return undefined;
  const change = granted < requested ? 'shortened' : 'lengthened';
  const why =
    granted < requested
      ? ' (its --service-account-max-token-expiration is lower)'
      : ' (it extends some tokens, e.g. with --service-account-extend-token-expiration)';
  return `the server ${change} the token's lifetime from ${requested} s to ${granted} s${why}`;
}

/**
 * The object a token is bound to, with the UID the server put in its claims. The server looks the
 * object up itself when the request names no UID (and refuses a UID that does not match, 409), so
 * binding needs no `get` on the object: `create serviceaccounts/token` is all.
 */
function boundObjectOf(
  claims: ServiceAccountClaims,
  requested: BoundObject,
): Required<BoundObject> {
  const bound = subjectOf(claims).boundObject;
  const uid =
    bound?.kind === requested.kind && bound.name === requested.name ? bound.uid : undefined;
  if (!uid)
    throw new AccessTokensError(
      `the server returned a token that is not bound to ${requested.kind} '${requested.name}'`,
      'internal',
    );
  return { ...requested, uid };
}

/** Mints a token for a ServiceAccount through TokenRequest. */
export async function mintToken(options: MintOptions): Promise<MintedToken> {
  // The options are checked before a cluster is looked for.
  const { seconds, warning } = requestedLifetime(options.durationSeconds);
  if (options.boundObject && options.bindToNewSecret) {
    throw new AccessTokensError(
      `boundObject (${options.boundObject.kind} '${options.boundObject.name}') and bindToNewSecret cannot both be set: the token is bound to one object`,
      'usage',
    );
  }
  const client = options.client ?? connect(options);
  const namespace = options.namespace ?? client.namespace;
  const name = options.serviceAccount;
  const warnings: string[] = warning ? [warning] : [];
  const newSecret = options.bindToNewSecret
    ? await createBindingSecret(client, namespace, name)
    : undefined;
  const bound: BoundObject | undefined = newSecret ?? options.boundObject;

  const body: k8s.AuthenticationV1TokenRequest = {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: {
      audiences: [...(options.audiences ?? [])],
      expirationSeconds: seconds,
      ...(bound
        ? {
            boundObjectRef: {
              apiVersion: 'v1',
              kind: bound.kind,
              name: bound.name,
              ...(bound.uid ? { uid: bound.uid } : {}),
            },
          }
        : {}),
    },
  };
  let response: k8s.AuthenticationV1TokenRequest;
  try {
    // Retried like every request: if an attempt timed out after the server minted, that token
    // is never received; it is bound to nothing new (at most to the same object) and expires.
    response = await client.call(
      { verb: 'create', resource: 'serviceaccounts/token', namespace, name },
      (o) =>
        sendJson(
          client,
          'POST',
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}/token`,
          body,
          async () =>
            (await client.api('CoreV1Api')).createNamespacedServiceAccountToken(
              { name, namespace, body },
              o,
            ),
        ),
    );
  } catch (err) {
    if (newSecret) await deleteBindingSecret(client, namespace, newSecret).catch(() => undefined);
    throw err;
  }
  const token = response.status?.token;
  if (!token)
    throw new AccessTokensError(
      `the server returned no token for ServiceAccount '${namespace}/${name}'`,
      'internal',
    );
  registerSecret(token);
  const claims = decodeJwtClaims(token);
  const lifetimeSeconds = (claims.exp ?? 0) - (claims.iat ?? 0);
  const changed = lifetimeWarning(seconds, lifetimeSeconds);
  if (changed) warnings.push(changed);
  const expiresAt = new Date((claims.exp ?? 0) * 1000).toISOString();
  let boundObject: Required<BoundObject> | undefined;
  try {
    boundObject = bound ? boundObjectOf(claims, bound) : undefined;
  } catch (err) {
    if (newSecret) await deleteBindingSecret(client, namespace, newSecret).catch(() => undefined);
    throw err;
  }
  if (newSecret) {
    try {
      await recordBindingSecretExpiry(client, namespace, newSecret, expiresAt);
    } catch (err) {
      // The token is good; only the later clean-up of its Secret depends on this.
      warnings.push(
        `could not record the expiry on binding Secret '${newSecret.name}', so it will not be deleted automatically: ${(err as Error).message}`,
      );
    }
  }
  const statusExpiration = response.status?.expirationTimestamp as unknown;
  const minted: Omit<MintedToken, 'token'> = {
    namespace,
    serviceAccount: name,
    audiences: claims.aud ?? [],
    requestedSeconds: seconds,
    expiresAt,
    lifetimeSeconds,
    ...(statusExpiration
      ? {
          statusExpiresAt:
            statusExpiration instanceof Date
              ? statusExpiration.toISOString()
              : String(statusExpiration),
        }
      : {}),
    ...(boundObject ? { boundObject } : {}),
    warnings,
  };
  return withHiddenToken(minted, token);
}
