/**
 * What a mint returns, and the object a token is bound to: the types that minting, storing and
 * the binding Secrets share (in a file of their own, so that none of those imports another's).
 */

/** An object a token is bound to: deleting it invalidates the token. */
export interface BoundObject {
  /** `Secret` or `Pod`, in the ServiceAccount's namespace. */
  readonly kind: 'Secret' | 'Pod';
  /** The object's name. */
  readonly name: string;
  /**
   * The object's UID. When omitted the server fills it in (and then needs no `get` permission
   * on the object); when given, the server refuses a token for an object with another UID (409).
   */
  readonly uid?: string;
}

/** A minted token. `token` is not enumerable: JSON.stringify and console.log leave it out. */
export interface MintedToken {
  /**
   * The token (a JWT): a credential, never to be logged. Not enumerable, so spreading,
   * `JSON.stringify` and `console.log` leave it out; the runtime's messages redact it.
   */
  readonly token: string;
  /** The ServiceAccount's namespace. */
  readonly namespace: string;
  /** The ServiceAccount's name. */
  readonly serviceAccount: string;
  /** The audiences in the token (its `aud`): the server's own when none were requested. */
  readonly audiences: readonly string[];
  /** The lifetime asked for, in seconds: `durationSeconds`, or 3608 where 3607 was asked. */
  readonly requestedSeconds: number;
  /** The real expiry, from the token's `exp`, as an ISO-8601 UTC time. */
  readonly expiresAt: string;
  /** `exp - iat`: the lifetime the server actually granted. */
  readonly lifetimeSeconds: number;
  /** `status.expirationTimestamp` as the server reported it. */
  readonly statusExpiresAt?: string;
  /** The object the token is bound to, with the UID from its claims; absent when unbound. */
  readonly boundObject?: Required<BoundObject>;
  /** Human-readable warnings (lifetime changed, 3607 avoided). */
  readonly warnings: readonly string[];
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
