/**
 * Decoding a ServiceAccount JWT's claims offline. The signature is not checked here: that is
 * what a TokenReview (`inspect --verify`) is for.
 */
import { AccessTokensError } from './errors.js';

/** The claims Kubernetes puts in a ServiceAccount token. */
export interface ServiceAccountClaims {
  readonly iss?: string;
  readonly sub?: string;
  readonly aud?: readonly string[];
  readonly exp?: number;
  readonly iat?: number;
  readonly nbf?: number;
  readonly jti?: string;
  readonly 'kubernetes.io'?: {
    readonly namespace?: string;
    readonly serviceaccount?: { readonly name?: string; readonly uid?: string };
    readonly secret?: { readonly name?: string; readonly uid?: string };
    readonly pod?: { readonly name?: string; readonly uid?: string };
    readonly node?: { readonly name?: string; readonly uid?: string };
    readonly warnafter?: number;
  };
  /** Legacy Secret-based tokens use these instead. */
  readonly 'kubernetes.io/serviceaccount/namespace'?: string;
  readonly 'kubernetes.io/serviceaccount/secret.name'?: string;
  readonly 'kubernetes.io/serviceaccount/service-account.name'?: string;
  readonly 'kubernetes.io/serviceaccount/service-account.uid'?: string;
  readonly [claim: string]: unknown;
}

/** Decodes a JWT's payload. Throws a usage error (never quoting the token) when malformed. */
export function decodeJwtClaims(token: string): ServiceAccountClaims {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)) || parts[1] === '') {
    throw new AccessTokensError(
      `the token is not a JWT: expected three base64url parts separated by '.', got ${parts.length} part(s)`,
      'usage',
    );
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new AccessTokensError(
      'the token is not a JWT: its payload is not base64url-encoded JSON',
      'usage',
    );
  }
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) {
    throw new AccessTokensError(
      'the token is not a JWT: its payload is not a JSON object',
      'usage',
    );
  }
  const c = claims as Record<string, unknown>;
  // `aud` may be a single string in JWTs; normalise to an array.
  return { ...c, ...(typeof c.aud === 'string' ? { aud: [c.aud] } : {}) } as ServiceAccountClaims;
}

/** The ServiceAccount, namespace and bound object a token names. */
export interface TokenSubject {
  readonly namespace?: string;
  readonly serviceAccount?: string;
  readonly serviceAccountUid?: string;
  readonly boundObject?: {
    readonly kind: 'Secret' | 'Pod' | 'Node';
    readonly name: string;
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
