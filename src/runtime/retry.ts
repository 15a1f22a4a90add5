/**
 * Retries with exponential backoff and full jitter for what a healthy server does now and
 * then under load: 429 (honouring Retry-After), 5xx, connection resets and timeouts. Other
 * 4xx answers are final. Attempts and total time are bounded.
 */
import { headerOf, httpStatusOf, isNetworkError } from './api-errors.js';
import { type RuntimeLogger } from './logger.js';

/** How hard to try. */
export interface RetryPolicy {
  /**
   * Attempts in all, the first one included: 1 means no retry.
   * @default 5
   */
  readonly maxAttempts?: number;
  /** First backoff ceiling. @default 200 */
  readonly initialDelayMs?: number;
  /** Largest backoff ceiling. @default 5000 */
  readonly maxDelayMs?: number;
  /** Give up when the next wait would end after this much time since the first attempt. @default 30000 */
  readonly maxTotalMs?: number;
  /** Each attempt's timeout. @default 15000 */
  readonly attemptTimeoutMs?: number;
  /** Random source in [0, 1), for tests. @default Math.random */
  readonly random?: () => number;
  /** Sleep, for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The defaults of `RetryPolicy`. */
export const DEFAULT_RETRY_POLICY = {
  maxAttempts: 5,
  initialDelayMs: 200,
  maxDelayMs: 5000,
  maxTotalMs: 30000,
  attemptTimeoutMs: 15000,
} as const;

const sleepReal = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a failure may succeed when tried again. */
export function isRetryable(err: unknown): boolean {
  const status = httpStatusOf(err);
  if (status === undefined) return isNetworkError(err);
  return status === 429 || status >= 500;
}

/** Retry-After in milliseconds (seconds or an HTTP date), when the server sent one. */
export function retryAfterMs(err: unknown, now = Date.now()): number | undefined {
  const value = headerOf(err, 'retry-after');
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait before attempt `attempt + 1` (attempt counts from 1). */
export function backoffDelayMs(attempt: number, err: unknown, policy: RetryPolicy = {}): number {
  const initial = policy.initialDelayMs ?? DEFAULT_RETRY_POLICY.initialDelayMs;
  const max = policy.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs;
  const hinted =
    httpStatusOf(err) === 429 || httpStatusOf(err) === 503 ? retryAfterMs(err) : undefined;
  if (hinted !== undefined) return hinted;
  const ceiling = Math.min(max, initial * 2 ** (attempt - 1));
  return Math.floor((policy.random ?? Math.random)() * ceiling);
}

/** Counts of what happened, for reports and tests. */
export interface RetryStats {
  attempts: number;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy is exhausted; rethrows the
 * last error. `describe` names the operation in log lines (never a token). Each attempt is
 * given its timeout: `attemptTimeoutMs`, cut to what is left of `maxTotalMs`, so that a slow
 * last attempt cannot overrun the total budget.
 */
export async function withRetry<T>(
  describe: string,
  attempt: (attemptNumber: number, timeoutMs: number) => Promise<T>,
  policy: RetryPolicy = {},
  logger?: RuntimeLogger,
  stats?: RetryStats,
): Promise<T> {
  const maxAttempts = policy.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts;
  const maxTotal = policy.maxTotalMs ?? DEFAULT_RETRY_POLICY.maxTotalMs;
  const attemptTimeout = policy.attemptTimeoutMs ?? DEFAULT_RETRY_POLICY.attemptTimeoutMs;
  const sleep = policy.sleep ?? sleepReal;
  const started = Date.now();
  let waited = 0; // counted too, so that the budget holds even when `sleep` is simulated
  const elapsed = (): number => Math.max(Date.now() - started, waited);
  for (let n = 1; ; n++) {
    if (stats) stats.attempts = n;
    try {
      // At least 1 ms: the first attempt always runs, even with a zero budget.
      return await attempt(n, Math.max(1, Math.min(attemptTimeout, maxTotal - elapsed())));
    } catch (err) {
      if (!isRetryable(err) || n >= maxAttempts) throw err;
      const delay = backoffDelayMs(n, err, policy);
      // The next attempt needs some of the budget left after the wait.
      if (elapsed() + delay >= maxTotal) throw err;
      waited += delay;
      const status = httpStatusOf(err);
      logger?.debug?.(
        `${describe}: attempt ${n} failed (${status ?? 'network error'}); retrying in ${delay} ms`,
      );
      await sleep(delay);
    }
  }
}
