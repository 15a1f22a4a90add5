/**
 * Typed runtime errors. Each carries a category that the CLI maps to an exit code, and a
 * message that never contains a token: client-node's ApiException embeds response bodies and
 * headers in its message, so messages are built from the server's Status and then redacted.
 */
import { permissionHint } from '../rbac/permission-hint.js';
import type { ResourceRequest } from '../rbac/policy-rule.js';

/** What went wrong, in the terms the CLI's exit codes use. */
export type ErrorCategory =
  'usage' | 'not-found' | 'forbidden' | 'conflict' | 'transient' | 'internal';

/** An error from the runtime. The message is safe to print. */
export class AccessTokensError extends Error {
  constructor(
    message: string,
    /**
     * What went wrong. The CLI exits with 2 for `usage`, 3 `not-found`, 4 `forbidden`,
     * 5 `conflict`, 6 `transient` (still failing after every retry), 70 `internal`.
     */
    public readonly category: ErrorCategory,
    /** The HTTP status, when the error came from the API server. */
    public readonly status?: number,
    /**
     * How many attempts were made. More than one means earlier attempts failed transiently
     * and may still have been carried out by the server.
     */
    public readonly attempts?: number,
  ) {
    super(redactSecrets(message));
    this.name = 'AccessTokensError';
  }
}

/** What a request was trying to do, so that a refusal can be explained in words. */
export interface ApiAction {
  /** The RBAC verb, e.g. `create`, not the HTTP method. */
  readonly verb: string;
  /** RBAC resource, with subresource: `serviceaccounts/token`. */
  readonly resource: string;
  /** `''` for the core group. */
  readonly apiGroup?: string;
  /** The namespace; absent for cluster-scoped resources and cluster-wide requests. */
  readonly namespace?: string;
  /** The object's name, when the request names one. */
  readonly name?: string;
}

const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
/** A JWT base64-encoded again, as a Secret's `data` holds it (`eyJ` encodes to `ZXlK`). */
const BASE64_JWT = /ZXlK[A-Za-z0-9+/_=-]{20,}/g;
/** A private key in PEM, the whole block (or to the end of a text cut inside it). */
const PEM_PRIVATE_KEY =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[\s\S]*$)/g;
const BEARER = /(bearer\s+)[^\s"',;]+/gi;
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
  if (value.length < 8) return;
  known.add(value);
  // A Secret's `data` carries it base64-encoded, and an API answer may quote that form.
  const encoded = Buffer.from(value, 'utf8');
  known.add(encoded.toString('base64'));
  known.add(encoded.toString('base64url'));
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

/** A sink for warnings and progress; every line passes through `redactSecrets`. */
export interface RuntimeLogger {
  /** Warnings. The runtime's own warnings are returned in results (`MintedToken.warnings`). */
  readonly warn: (message: string) => void;
  /**
   * Progress lines.
   * @default - dropped
   */
  readonly info?: (message: string) => void;
  /**
   * Details for troubleshooting, e.g. each retry with its status and delay.
   * @default - dropped
   */
  readonly debug?: (message: string) => void;
}

/** A logger that drops everything. */
export const silentLogger: RuntimeLogger = { warn: () => undefined };

/** Wraps a logger so that nothing secret reaches it. */
export function safeLogger(logger: RuntimeLogger | undefined): Required<RuntimeLogger> {
  const l = logger ?? silentLogger;
  return {
    warn: (m) => l.warn(redactSecrets(m)),
    info: (m) => l.info?.(redactSecrets(m)),
    debug: (m) => l.debug?.(redactSecrets(m)),
  };
}

interface StatusBody {
  readonly message?: string;
  readonly reason?: string;
  readonly details?: {
    readonly causes?: readonly { readonly message?: string; readonly field?: string }[];
  };
}

/** The HTTP status of a client-node ApiException (duck-typed: no client-node import here). */
export function httpStatusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 100 && code < 600 ? code : undefined;
}

/** A response header of a client-node ApiException. */
export function headerOf(err: unknown, name: string): string | undefined {
  const headers = (err as { headers?: Record<string, string> } | null)?.headers;
  if (!headers || typeof headers !== 'object') return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : String(headers[key]);
}

function statusBody(err: unknown): StatusBody | undefined {
  let body = (err as { body?: unknown } | null)?.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  return body && typeof body === 'object' ? (body as StatusBody) : undefined;
}

/** The request an action makes, in the authorizer's terms. */
function requestOf(action: ApiAction): ResourceRequest {
  const [resource, subresource = ''] = action.resource.split('/', 2);
  return {
    verb: action.verb,
    apiGroup: action.apiGroup ?? '',
    resource,
    subresource,
    name: action.name ?? '',
    namespace: action.namespace ?? '',
  };
}

/** Explains a 403 in words: what is missing, where, and what would grant it. */
export function explainForbidden(action: ApiAction, serverMessage?: string): string {
  const target = action.name ? `${action.resource} '${action.name}'` : action.resource;
  const group = action.apiGroup ? ` (API group '${action.apiGroup}')` : '';
  const where = action.namespace ? `in namespace '${action.namespace}'` : 'cluster-wide';
  const who = /User "([^"]+)"/.exec(serverMessage ?? '')?.[1];
  return (
    `forbidden: ${who ? `'${who}'` : 'the caller'} may not ${action.verb} ${target}${group} ${where}; ` +
    `it would be granted by ${permissionHint(requestOf(action))}`
  );
}

function describeAction(action: ApiAction): string {
  const target = action.name ? `${action.resource} '${action.name}'` : action.resource;
  return `${action.verb} ${target}${action.namespace ? ` in namespace '${action.namespace}'` : ''}`;
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN', // the resolver could not answer now: worth another try
  'UND_ERR_SOCKET',
]);

/** The string code of a network error (node-fetch's `code`/`errno`, or undici's `cause`). */
function networkCodeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; errno?: unknown; cause?: { code?: unknown } } | null;
  if (!e) return undefined;
  for (const c of [e.code, e.errno, e.cause?.code]) if (typeof c === 'string') return c;
  return undefined;
}

/**
 * Why the API server cannot be trusted or found, for failures that retrying cannot fix: a
 * certificate that does not verify (TLS) or a host name that does not exist (DNS). Decided on
 * the error code only, since messages differ between Node versions and fetch libraries.
 */
export function connectionProblemOf(err: unknown): string | undefined {
  const code = networkCodeOf(err);
  if (code === undefined) return undefined;
  if (
    code.startsWith('ERR_TLS_') ||
    code.includes('CERT') ||
    code.startsWith('UNABLE_TO_VERIFY_') ||
    code.includes('SELF_SIGNED')
  ) {
    return `cannot verify the API server's certificate: ${code} (check the cluster's certificate-authority data in the kubeconfig and the server address)`;
  }
  if (code === 'ENOTFOUND') {
    return `cannot resolve the API server's host name: ${code} (check the server address in the kubeconfig)`;
  }
  return undefined;
}

/** Whether an error is a network failure or a timeout (not an HTTP answer). */
export function isNetworkError(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown; type?: unknown; name?: unknown } | null;
  if (!e) return false;
  if (e.name === 'AbortError' || e.type === 'aborted' || e.name === 'TimeoutError') return true;
  if (connectionProblemOf(err) !== undefined) return false; // TLS/DNS: the same on every try
  const code = networkCodeOf(err);
  if (code && TRANSIENT_CODES.has(code)) return true;
  return (
    e.type === 'system' ||
    (typeof (e as { message?: unknown }).message === 'string' &&
      /socket hang up|network timeout/i.test((e as { message: string }).message))
  );
}

/** Converts anything thrown by client-node into an AccessTokensError with a safe message. */
export function toAccessTokensError(err: unknown, action: ApiAction): AccessTokensError {
  if (err instanceof AccessTokensError) return err;
  const status = httpStatusOf(err);
  const body = statusBody(err);
  const serverMessage = body?.message ? redactSecrets(body.message) : undefined;
  const what = describeAction(action);
  if (status === undefined) {
    const problem = connectionProblemOf(err);
    if (problem) return new AccessTokensError(`cannot ${what}: ${problem}`, 'usage');
    if (isNetworkError(err)) {
      const e = err as { code?: string; message?: string; name?: string };
      const reason =
        e.name === 'AbortError' || e.name === 'TimeoutError'
          ? 'timed out'
          : (e.code ?? 'network error');
      return new AccessTokensError(`cannot ${what}: ${reason}`, 'transient');
    }
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return new AccessTokensError(`cannot ${what}: ${message}`, 'internal');
  }
  const detail = serverMessage ? `: ${serverMessage}` : '';
  switch (status) {
    case 401:
      return new AccessTokensError(
        `cannot ${what}: unauthorized (the credentials were rejected)`,
        'forbidden',
        401,
      );
    case 403:
      return new AccessTokensError(explainForbidden(action, serverMessage), 'forbidden', 403);
    case 404:
      return new AccessTokensError(`cannot ${what}: not found${detail}`, 'not-found', 404);
    case 409:
      return new AccessTokensError(`cannot ${what}: conflict${detail}`, 'conflict', 409);
    case 400:
    case 422:
      return new AccessTokensError(`cannot ${what}: invalid request${detail}`, 'usage', status);
    default:
      return new AccessTokensError(
        `cannot ${what}: HTTP ${status}${detail}`,
        status === 429 || status >= 500 ? 'transient' : 'internal',
        status,
      );
  }
}
