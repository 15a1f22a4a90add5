/**
 * Bounded concurrency for the `--from` commands (mint, rotate): one checked limit, and a pool of
 * workers that keeps results in the declarations' order.
 */
import { AccessTokensError } from './errors.js';

/** What the `concurrency` option takes (the CLI's `--concurrency` checks the same range). */
export const CONCURRENCY = { min: 1, max: 256, default: 16 } as const;

/** The `concurrency` option, checked: an integer from 1 to 256 (default 16). */
export function concurrencyOf(value: number | undefined): number {
  const limit = value ?? CONCURRENCY.default;
  if (!Number.isInteger(limit) || limit < CONCURRENCY.min || limit > CONCURRENCY.max)
    throw new AccessTokensError(
      `concurrency must be an integer from ${CONCURRENCY.min} to ${CONCURRENCY.max}, got ${String(value)}`,
      'usage',
    );
  return limit;
}

/** Maps `items` through `fn`, at most `limit` at once; `onDone` after each, results in order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
  onDone?: (done: number, result: R) => void,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
      onDone?.(++done, results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
