/**
 * Classifying what client-node throws: an HTTP answer (status, headers, the server's Status
 * body), a network failure worth retrying, or a TLS/DNS problem that retrying cannot fix; and
 * turning each into an AccessTokensError with a safe message. Duck-typed: no client-node import.
 */
import type { ApiAction } from './api-action.js';
import { AccessTokensError } from './errors.js';
import { explainForbidden } from './permission-hint.js';
import { redactSecrets } from './redact.js';

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
