/**
 * Decoding a ServiceAccount JWT's claims offline. The signature is not checked here: that is
 * what a TokenReview (`inspect --verify`) is for.
 */
import { AccessTokensError } from './errors.js';

/** The claims Kubernetes puts in a ServiceAccount token. */
export interface ServiceAccountClaims {
  /** Issuer: the API server's `--service-account-issuer`. */
  readonly iss?: string;
  /** Subject: `system:serviceaccount:NS:NAME`. */
  readonly sub?: string;
  /** Audiences the token is valid for; a single-string `aud` is turned into a one-item array. */
  readonly aud?: readonly string[];
  /** Expiry, in seconds since the Unix epoch: the real one, whatever lifetime was requested. */
  readonly exp?: number;
  /** Issued at, in seconds since the Unix epoch. */
  readonly iat?: number;
  /** Not valid before, in seconds since the Unix epoch. */
  readonly nbf?: number;
  /** The token's unique id, on servers that set one. */
  readonly jti?: string;
  /** A TokenRequest token's claims: its ServiceAccount and the object it is bound to. */
  readonly 'kubernetes.io'?: {
    /** The ServiceAccount's namespace. */
    readonly namespace?: string;
    /** The ServiceAccount. */
    readonly serviceaccount?: {
      /** The ServiceAccount's name. */
      readonly name?: string;
      /** The ServiceAccount's UID. */
      readonly uid?: string;
    };
    /** The Secret the token is bound to: deleting it invalidates the token. */
    readonly secret?: {
      /** The Secret's name. */
      readonly name?: string;
      /** The Secret's UID. */
      readonly uid?: string;
    };
    /** The Pod the token is bound to: deleting it invalidates the token. */
    readonly pod?: {
      /** The Pod's name. */
      readonly name?: string;
      /** The Pod's UID. */
      readonly uid?: string;
    };
    /** The Node the token is bound to, or (on newer servers) the Node of its bound Pod. */
    readonly node?: {
      /** The Node's name. */
      readonly name?: string;
      /** The Node's UID. */
      readonly uid?: string;
    };
    /**
     * On a token whose lifetime the server extended: when (seconds since the Unix epoch) the
     * requested lifetime ends; the server flags uses after it, the token stays valid to `exp`.
     */
    readonly warnafter?: number;
  };
  /** A legacy Secret-based token (it never expires): the ServiceAccount's namespace. */
  readonly 'kubernetes.io/serviceaccount/namespace'?: string;
  /** A legacy token: the Secret that holds it (deleting the Secret invalidates the token). */
  readonly 'kubernetes.io/serviceaccount/secret.name'?: string;
  /** A legacy token: the ServiceAccount's name. */
  readonly 'kubernetes.io/serviceaccount/service-account.name'?: string;
  /** A legacy token: the ServiceAccount's UID. */
  readonly 'kubernetes.io/serviceaccount/service-account.uid'?: string;
  readonly [claim: string]: unknown;
}

/** Why a token is not three base64url parts, in words that quote no part of it. */
function malformedReason(token: string): string | undefined {
  if (/^bearer\s/i.test(token)) return "the token starts with 'Bearer ': give the token alone";
  if (token.startsWith('ZXlK')) {
    return "the token is base64-encoded again (as in a Secret's data): decode it first, e.g. with base64 -d";
  }
  if (/\s/.test(token)) return 'the token contains whitespace: give one token alone';
  const parts = token.split('.');
  if (parts.length !== 3) {
    return `the token is not a JWT: expected three base64url parts separated by '.', got ${parts.length} part(s)`;
  }
  const names = ['header', 'payload', 'signature'];
  const bad = parts.findIndex((p) => !/^[A-Za-z0-9_-]*$/.test(p));
  if (bad === 1) return "the token's payload is not base64url-encoded JSON";
  if (bad !== -1) {
    return `the token is not a JWT: its ${names[bad]} has characters other than base64url's (A-Z, a-z, 0-9, '-' and '_')`;
  }
  if (parts[1] === '') return "the token's payload is empty";
  return undefined;
}

/** The largest time a JavaScript Date holds, in seconds since the Unix epoch (either way). */
const MAX_DATE_SECONDS = 8_640_000_000_000;

/**
 * Why a time claim is not a JWT NumericDate (RFC 7519: a JSON number of seconds since the
 * epoch) that a date can hold: a string such as "2030" is reported, never read as a number.
 */
function numericDateProblem(claim: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const allowed = `a number of seconds since the Unix epoch (a JWT NumericDate) from -${MAX_DATE_SECONDS} to ${MAX_DATE_SECONDS}`;
  if (typeof value !== 'number') {
    const shown = JSON.stringify(value) ?? String(value);
    const text = shown.length > 40 ? `${shown.slice(0, 37)}...` : shown;
    return `the token's '${claim}' claim must be ${allowed}, got ${value === null ? 'null' : `the ${Array.isArray(value) ? 'array' : typeof value} ${text}`}`;
  }
  if (!(Math.abs(value) <= MAX_DATE_SECONDS)) {
    return `the token's '${claim}' claim must be ${allowed}, got ${value}`;
  }
  return undefined;
}

/**
 * Decodes a JWT's payload. Throws a usage error (never quoting the token) when malformed or
 * when `exp`, `iat` or `nbf` is not a NumericDate.
 */
export function decodeJwtClaims(token: string): ServiceAccountClaims {
  const trimmed = token.trim();
  const problem = malformedReason(trimmed);
  if (problem !== undefined) throw new AccessTokensError(problem, 'usage');
  const parts = trimmed.split('.');
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new AccessTokensError("the token's payload is not base64url-encoded JSON", 'usage');
  }
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) {
    throw new AccessTokensError("the token's payload is not a JSON object", 'usage');
  }
  const c = claims as Record<string, unknown>;
  for (const claim of ['exp', 'iat', 'nbf'] as const) {
    const problem = numericDateProblem(claim, c[claim]);
    if (problem !== undefined) throw new AccessTokensError(problem, 'usage');
  }
  // `aud` may be a single string in JWTs; normalise to an array.
  return { ...c, ...(typeof c.aud === 'string' ? { aud: [c.aud] } : {}) } as ServiceAccountClaims;
}

/** The ServiceAccount, namespace and bound object a token names. */
export interface TokenSubject {
  /** The ServiceAccount's namespace; undefined when the claims do not name one. */
  readonly namespace?: string;
  /** The ServiceAccount's name; undefined when the token is not a ServiceAccount's. */
  readonly serviceAccount?: string;
  /** The ServiceAccount's UID; undefined when the claims carry none (only `sub` names it). */
  readonly serviceAccountUid?: string;
  /**
   * What deleting invalidates the token: the Secret, Pod or Node it is bound to (for a legacy
   * token, the Secret holding it). Undefined for an unbound token.
   */
  readonly boundObject?: {
    /** `Secret`, `Pod` or `Node` (a Pod is preferred to the Node it runs on). */
    readonly kind: 'Secret' | 'Pod' | 'Node';
    /** The object's name, in the ServiceAccount's namespace (a Node has none). */
    readonly name: string;
    /** The object's UID; undefined for a legacy token's Secret. */
    readonly uid?: string;
  };
  /** A legacy, never-expiring Secret token. */
  readonly legacy: boolean;
}

/** Reads who a token authenticates as, from its claims. */
export function subjectOf(claims: ServiceAccountClaims): TokenSubject {
  const k = claims['kubernetes.io'];
  if (k) {
    const bound = k.secret?.name
      ? { kind: 'Secret' as const, name: k.secret.name, uid: k.secret.uid }
      : k.pod?.name
        ? { kind: 'Pod' as const, name: k.pod.name, uid: k.pod.uid }
        : k.node?.name
          ? { kind: 'Node' as const, name: k.node.name, uid: k.node.uid }
          : undefined;
    return {
      namespace: k.namespace,
      serviceAccount: k.serviceaccount?.name,
      serviceAccountUid: k.serviceaccount?.uid,
      ...(bound ? { boundObject: bound } : {}),
      legacy: false,
    };
  }
  const legacyName = claims['kubernetes.io/serviceaccount/service-account.name'];
  if (legacyName !== undefined) {
    const secret = claims['kubernetes.io/serviceaccount/secret.name'];
    return {
      namespace: claims['kubernetes.io/serviceaccount/namespace'],
      serviceAccount: legacyName,
      serviceAccountUid: claims['kubernetes.io/serviceaccount/service-account.uid'],
      ...(secret ? { boundObject: { kind: 'Secret' as const, name: secret } } : {}),
      legacy: true,
    };
  }
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(claims.sub ?? '');
  return m ? { namespace: m[1], serviceAccount: m[2], legacy: false } : { legacy: false };
}
