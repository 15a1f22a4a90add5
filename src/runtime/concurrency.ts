/**
 * Bounded concurrency for the `--from` commands (mint, rotate): one checked limit, and a pool of
 * workers that keeps results in the declarations' order.
 */
import { AccessTokensError } from './errors.js';

/** The `concurrency` option, checked: an integer from 1 to 256 (default 16). */
export function concurrencyOf(value: number | undefined): number {
  const limit = value ?? 16;
  if (!Number.isInteger(limit) || limit < 1 || limit > 256)
    throw new AccessTokensError(
      `concurrency must be an integer from 1 to 256, got ${String(value)}`,
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
