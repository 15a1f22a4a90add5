/**
 * What a token is, read offline from its claims: subject, audiences, bound object, expiry and
 * time left. Pure (no client-node), so `access-tokens inspect` starts fast.
 */
import { decodeJwtClaims, subjectOf, type ServiceAccountClaims, type TokenSubject } from './jwt.js';

/** The offline description of a token (never the token itself). */
export interface TokenInspection {
  /** The `iss` claim: who issued the token. */
  readonly issuer?: string;
  /** The `sub` claim, e.g. `system:serviceaccount:NS:NAME`. */
  readonly subject?: string;
  /** The `aud` claim; `[]` when absent. */
  readonly audiences: readonly string[];
  /**
   * What the token is: `service-account` (a TokenRequest token, with the `kubernetes.io`
   * claims), `legacy-service-account` (a Secret token, which never expires) or
   * `not-service-account` (a JWT without Kubernetes' claims, e.g. an OIDC ID token).
   */
  readonly kind: 'service-account' | 'legacy-service-account' | 'not-service-account';
  /** Who the token authenticates as and what it is bound to, not only the ServiceAccount. */
  readonly serviceAccount: TokenSubject;
  /** The `iat` claim as an ISO-8601 UTC time; undefined without the claim. */
  readonly issuedAt?: string;
  /** The `nbf` claim as an ISO-8601 UTC time; undefined without the claim. */
  readonly notBefore?: string;
  /** The `exp` claim as an ISO-8601 UTC time; undefined for a token that never expires. */
  readonly expiresAt?: string;
  /** Whole seconds until `exp` (negative when expired); undefined for a token without `exp`. */
  readonly secondsLeft?: number;
  /** Lifetime from `iat` to `exp`, in seconds. */
  readonly lifetimeSeconds?: number;
  /**
   * Whether `exp` has passed (at `now`); `false` without `exp`. Read from the claims only: an
   * unexpired token may still be revoked, which only `reviewToken` can tell.
   */
  readonly expired: boolean;
  /** Every claim as decoded; the signature is not verified. */
  readonly claims: ServiceAccountClaims;
}

const iso = (seconds: number | undefined): string | undefined =>
  seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();

/** Decodes and describes a token. `now` is injectable for tests. */
export function inspectToken(token: string, now: Date = new Date()): TokenInspection {
  const claims = decodeJwtClaims(token);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const secondsLeft = claims.exp === undefined ? undefined : claims.exp - nowSeconds;
  const serviceAccount = subjectOf(claims);
  return {
    issuer: claims.iss,
    subject: claims.sub,
    audiences: claims.aud ?? [],
    kind: serviceAccount.legacy
      ? 'legacy-service-account'
      : claims['kubernetes.io'] !== undefined
        ? 'service-account'
        : 'not-service-account',
    serviceAccount,
    issuedAt: iso(claims.iat),
    notBefore: iso(claims.nbf),
    expiresAt: iso(claims.exp),
    secondsLeft,
    lifetimeSeconds:
      claims.exp !== undefined && claims.iat !== undefined ? claims.exp - claims.iat : undefined,
    expired: secondsLeft !== undefined && secondsLeft <= 0,
    claims,
  };
}

/** A duration in seconds as `1h2m3s`. */
export function formatSeconds(total: number): string {
  const sign = total < 0 ? '-' : '';
  let s = Math.abs(Math.round(total));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [
    d ? `${d}d` : '',
    h ? `${h}h` : '',
    m ? `${m}m` : '',
    s || (!d && !h && !m) ? `${s}s` : '',
  ];
  return sign + parts.join('');
}
