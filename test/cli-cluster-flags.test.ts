/**
 * The runtime's ClusterOptions made from kubectl's flags: what each retry flag becomes.
 */
import { clusterOptions } from '../src/cli/commands/_cluster-flags.js';
import { DEFAULT_RETRY_POLICY } from '../src/runtime/retry.js';

const io = { stdout: () => undefined, stderr: () => undefined, env: {} };
const retryOf = (flags: Record<string, string>): Record<string, number> =>
  clusterOptions(flags, io).retry as Record<string, number>;

describe('--request-timeout, read as kubectl reads it', () => {
  test.each([
    ['500ms', 500],
    ['1ms', 1],
    ['1.5s', 1500],
    ['1.1s', 1100],
    ['0.4ms', 1],
    ['90', 90_000],
    ['15s', 15_000],
    ['1m30s', 90_000],
  ])('GIVEN %s THEN each attempt times out after %d ms', (value, ms) => {
    expect(retryOf({ requestTimeout: value }).attemptTimeoutMs).toBe(ms);
  });

  test.each([['0'], ['0s'], ['0ms']])(
    'GIVEN %s (kubectl: no timeout) THEN an attempt may last the whole retry budget, never a 1 ms timeout',
    (value) => {
      expect(retryOf({ requestTimeout: value }).attemptTimeoutMs).toBe(
        DEFAULT_RETRY_POLICY.maxTotalMs,
      );
      expect(retryOf({ requestTimeout: value, maxRetryTime: '2m' })).toMatchObject({
        attemptTimeoutMs: 120_000,
        maxTotalMs: 120_000,
      });
    },
  );

  test.each([['soon'], ['-1s'], ['1us'], ['1.s'], ['s'], ['']])(
    'GIVEN %p THEN a usage error names the flag, the value and what is allowed',
    (value) => {
      expect(() => retryOf({ requestTimeout: value })).toThrow(
        `--request-timeout must be a duration like 500ms, 15s, 1m or 1h30m, or a whole number of seconds (0: no timeout), got '${value}'`,
      );
    },
  );
});
