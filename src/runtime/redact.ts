/**
 * Redaction: no token, key or password may reach a message, a log line or an error. Values the
 * runtime handles are registered (`registerSecret`); anything that looks like a credential is
 * replaced as well. Imports nothing, so that the CLI can redact without loading client-node.
 */

const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
/** A JWT base64-encoded again, as a Secret's `data` holds it (`eyJ` encodes to `ZXlK`). */
const BASE64_JWT = /ZXlK[A-Za-z0-9+/_=-]{20,}/g;
/** A private key in PEM, the whole block (or to the end of a text cut inside it). */
const PEM_PRIVATE_KEY =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[\s\S]*$)/g;
/** `Bearer X`, not the words `bearer token` (the API server's "invalid bearer token, ..."). */
const BEARER = /(bearer\s+)(?!token(?:[\s"',;]|$))[^\s"',;]+/gi;
/**
 * A `token`-like field (`token`, `id-token`, `accessToken`...) with a quoted value: JSON, or
 * JavaScript as `util.inspect` prints it (`{ token: '...' }`). Escaped quotes stay inside. Only
 * as a key (after `{`, `,` or a line start), not prose such as `the token: 'file.txt'`.
 */
const TOKEN_FIELD =
  /(?<=(?:^|[{,\n])\s*)((["']?)[A-Za-z_-]{0,40}token\2\s*:\s*)(["'])(?:(?!\3)[^\\]|\\.)*\3/gi;
/** Runs of base64url characters joined by dots, to look for a JWT whose header was cut off. */
// Starts only where a run starts: otherwise a long run without a dot costs quadratic time.
const DOTTED_RUNS = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+/g;

/** A long run with upper case, lower case and digits: encoded data, not a word or a version. */
function isEncodedRun(part: string, minLength: number): boolean {
  return part.length >= minLength && /[A-Z]/.test(part) && /[a-z]/.test(part) && /[0-9]/.test(part);
}

/**
 * `payload.signature` of a JWT cut at the front: two adjacent encoded runs, the second as long
 * as the shortest signature (HS256: 43 characters; RS256 342), so that a file name such as
 * `MyProject2024.Release20240101Final` is not taken for one.
 */
function redactCutJwt(run: string): string {
  const parts = run.split('.');
  return parts.some((p, i) => i > 0 && isEncodedRun(parts[i - 1], 24) && isEncodedRun(p, 43))
    ? '[REDACTED]'
    : run;
}

const known = new Set<string>();

/**
 * Registers a secret value (a token) so that every later message, log line and error of the
 * runtime has it (or its base64 form) replaced with `[REDACTED]`, in addition to anything that looks like a JWT or
 * a bearer credential.
 */
export function registerSecret(value: string): void {
  if (value.length < 8 || known.has(value)) return;
  known.add(value);
  // A Secret's `data` carries it base64-encoded, and an API answer may quote that form.
  const encoded = Buffer.from(value, 'utf8');
  known.add(encoded.toString('base64'));
  known.add(encoded.toString('base64url'));
}

/**
 * Registers the credential of a request's `Authorization` header (`Bearer X`; `Basic X` with
 * the `user:password` it encodes and the password), so that a credential made per request (an
 * exec plugin's, the in-cluster token file's) is masked as a kubeconfig's static token is.
 */
export function registerAuthorization(headers: Readonly<Record<string, unknown>>): void {
  const value = headers.Authorization ?? headers.authorization;
  if (typeof value !== 'string') return;
  const [scheme, credential = ''] = value.trim().split(/\s+/, 2);
  registerSecret(credential);
  if (scheme.toLowerCase() !== 'basic') return;
  // The pair before the password: redaction replaces in registration order.
  const pair = Buffer.from(credential, 'base64').toString('utf8');
  registerSecret(pair);
  registerSecret(pair.slice(pair.indexOf(':') + 1));
}

/**
 * Replaces every registered secret, bearer credential, `token` field value, JWT (whole, cut at
 * the front, or base64-encoded again) and PEM private key in a text.
 */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of known) out = out.split(secret).join('[REDACTED]');
  return out
    .replace(PEM_PRIVATE_KEY, '[REDACTED PRIVATE KEY]')
    .replace(JWT, '[REDACTED]')
    .replace(BASE64_JWT, '[REDACTED]')
    .replace(DOTTED_RUNS, redactCutJwt)
    .replace(BEARER, '$1[REDACTED]')
    .replace(TOKEN_FIELD, '$1$3[REDACTED]$3');
}
