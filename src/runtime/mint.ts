/**
 * Minting a ServiceAccount token through TokenRequest. The real lifetime is read from the
 * token's `exp` (the server may shorten it silently or lengthen it), and reported when it
 * differs from the request.
 */
import * as k8s from '@kubernetes/client-node';
import { durationProblem } from '../contract/token-declaration.js';
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import { AccessTokensError, registerSecret } from './errors.js';
import { decodeJwtClaims } from './jwt.js';
import {
  createBindingSecret,
  deleteBindingSecret,
  recordBindingSecretExpiry,
} from './binding-secret.js';

/** kubelet asks for exactly this lifetime, and servers extend such tokens to a year. */
export const KUBELET_MAGIC_SECONDS = 3607;

/** An object a token is bound to: deleting it invalidates the token. */
export interface BoundObject {
  readonly kind: 'Secret' | 'Pod';
  readonly name: string;
  /** Looked up when not given. */
  readonly uid?: string;
}

/** What to mint. */
export interface MintOptions extends ClusterOptions {
  /** The ServiceAccount's name. */
  readonly serviceAccount: string;
  /** Requested lifetime in seconds (600 to 2^32). @default 3600 */
  readonly durationSeconds?: number;
  /** @default - the API server's audience */
  readonly audiences?: readonly string[];
  /** Bind the token to an existing Secret or Pod. */
  readonly boundObject?: BoundObject;
  /** Create a Secret owned by the ServiceAccount and bind the token to it. @default false */
  readonly bindToNewSecret?: boolean;
  /** A client to reuse (e.g. when minting many). @default - connects with the options above */
  readonly client?: ClusterClient;
}

/** A minted token. `token` is not enumerable: JSON.stringify and console.log leave it out. */
export interface MintedToken {
  readonly token: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly audiences: readonly string[];
  readonly requestedSeconds: number;
  /** From the token's `exp`. */
  readonly expiresAt: string;
  /** `exp - iat`: the lifetime the server actually granted. */
  readonly lifetimeSeconds: number;
  /** `status.expirationTimestamp` as the server reported it. */
  readonly statusExpiresAt?: string;
  readonly boundObject?: Required<BoundObject>;
  /** Human-readable warnings (lifetime changed, 3607 avoided). */
  readonly warnings: readonly string[];
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

async function boundObjectWithUid(
  client: ClusterClient,
  namespace: string,
  ref: BoundObject,
): Promise<Required<BoundObject>> {
  if (ref.uid) return { ...ref, uid: ref.uid };
  const core = client.api(k8s.CoreV1Api);
  const obj =
    ref.kind === 'Secret'
      ? await client.call({ verb: 'get', resource: 'secrets', namespace, name: ref.name }, (o) =>
          core.readNamespacedSecret({ name: ref.name, namespace }, o),
        )
      : await client.call({ verb: 'get', resource: 'pods', namespace, name: ref.name }, (o) =>
          core.readNamespacedPod({ name: ref.name, namespace }, o),
        );
  return { ...ref, uid: obj.metadata?.uid ?? '' };
}

/** Mints a token for a ServiceAccount through TokenRequest. */
export async function mintToken(options: MintOptions): Promise<MintedToken> {
  const client = options.client ?? connect(options);
  const namespace = options.namespace ?? client.namespace;
  const name = options.serviceAccount;
  const { seconds, warning } = requestedLifetime(options.durationSeconds);
  if (options.boundObject && options.bindToNewSecret) {
    throw new AccessTokensError(
      'choose either a bound object or a new bound Secret, not both',
      'usage',
    );
  }
  const warnings: string[] = warning ? [warning] : [];
  let bound: Required<BoundObject> | undefined;
  if (options.bindToNewSecret) bound = await createBindingSecret(client, namespace, name);
  else if (options.boundObject)
    bound = await boundObjectWithUid(client, namespace, options.boundObject);

  const core = client.api(k8s.CoreV1Api);
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
              uid: bound.uid,
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
      (o) => core.createNamespacedServiceAccountToken({ name, namespace, body }, o),
    );
  } catch (err) {
    if (options.bindToNewSecret && bound)
      await deleteBindingSecret(client, namespace, bound).catch(() => undefined);
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
  if (options.bindToNewSecret && bound) {
    try {
      await recordBindingSecretExpiry(client, namespace, bound, expiresAt);
    } catch (err) {
      // The token is good; only the later clean-up of its Secret depends on this.
      warnings.push(
        `could not record the expiry on binding Secret '${bound.name}', so it will not be deleted automatically: ${(err as Error).message}`,
      );
    }
  }
  for (const w of warnings) client.log.warn(`warning: ${namespace}/${name}: ${w}`);
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
    ...(bound ? { boundObject: bound } : {}),
    warnings,
  };
  return withHiddenToken(minted, token);
}

/** Attaches the token as a non-enumerable property, so that it is not printed by accident. */
export function withHiddenToken<T extends object>(
  value: T,
  token: string,
): T & { readonly token: string } {
  return Object.defineProperty({ ...value }, 'token', { value: token, enumerable: false }) as T & {
    readonly token: string;
  };
}
