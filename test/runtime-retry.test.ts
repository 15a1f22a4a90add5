import { backoffDelayMs, isRetryable, retryAfterMs, withRetry } from '../src/runtime/retry.js';

const http = (code: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`HTTP ${code}`), { code, headers, body: {} });
const net = (code: string) =>
  Object.assign(new Error(`request failed, reason: ${code}`), { code, type: 'system' });

describe('isRetryable', () => {
  test.each([429, 500, 502, 503, 504])('retries HTTP %i', (code) =>
    expect(isRetryable(http(code))).toBe(true),
  );
  test.each([400, 401, 403, 404, 409, 422])('does not retry HTTP %i', (code) =>
    expect(isRetryable(http(code))).toBe(false),
  );
  test.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE'])('retries %s', (code) =>
    expect(isRetryable(net(code))).toBe(true),
  );
  test('retries an aborted (timed out) attempt', () => {
    expect(
      isRetryable(
        Object.assign(new Error('The operation was aborted.'), {
          name: 'AbortError',
          type: 'aborted',
        }),
      ),
    ).toBe(true);
  });
  test('does not retry a programming error', () =>
    expect(isRetryable(new TypeError('x is undefined'))).toBe(false));
});

describe('backoff', () => {
  test('full jitter under an exponential ceiling, capped', () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 1000, random: () => 0.999 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, http(503), policy))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(backoffDelayMs(3, http(503), { ...policy, random: () => 0 })).toBe(0);
  });

  test('Retry-After in seconds or as a date', () => {
    expect(retryAfterMs(http(429, { 'Retry-After': '3' }))).toBe(3000);
    expect(retryAfterMs(http(429, { 'retry-after': new Date(10_000).toUTCString() }), 4_000)).toBe(
      6000,
    );
    expect(retryAfterMs(http(429))).toBeUndefined();
    expect(backoffDelayMs(1, http(429, { 'retry-after': '2' }))).toBe(2000);
  });
});

describe('withRetry', () => {
  const noSleep = { sleep: async () => undefined, random: () => 0.5 };

  test('retries transient failures until success', async () => {
    const failures = [http(503), net('ECONNRESET')];
    let calls = 0;
    const result = await withRetry(
      'op',
      async () => {
        calls++;
        const f = failures.shift();
        if (f) throw f;
        return 'ok';
      },
      noSleep,
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  test('gives up after maxAttempts and rethrows the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        'op',
        async () => {
          calls++;
          throw http(500);
        },
        { ...noSleep, maxAttempts: 4 },
      ),
    ).rejects.toMatchObject({ code: 500 });
    expect(calls).toBe(4);
  });

  test('does not retry a 404', async () => {
    let calls = 0;
    await expect(
      withRetry(
        'op',
        async () => {
          calls++;
          throw http(404);
        },
        noSleep,
      ),
    ).rejects.toMatchObject({ code: 404 });
    expect(calls).toBe(1);
  });

  test('stops when the next wait would exceed the total time budget', async () => {
    let calls = 0;
    const waits: number[] = [];
    await expect(
      withRetry(
        'op',
        async () => {
          calls++;
          throw http(429, { 'retry-after': '10' });
        },
        { maxTotalMs: 15_000, sleep: async (ms) => void waits.push(ms) },
      ),
    ).rejects.toMatchObject({ code: 429 });
    // One 10 s wait fits in 15 s; a second would not.
    expect(waits).toEqual([10_000]);
    expect(calls).toBe(2);
    let once = 0;
    await expect(
      withRetry(
        'op',
        async () => {
          once++;
          throw http(429, { 'retry-after': '20' });
        },
        { maxTotalMs: 15_000, sleep: async () => undefined },
      ),
    ).rejects.toMatchObject({ code: 429, headers: { 'retry-after': '20' } });
    expect(once).toBe(1);
  });

  test("each attempt's timeout is the attempt timeout, cut to what is left of the total budget", async () => {
    const timeouts: number[] = [];
    await expect(
      withRetry(
        'op',
        async (_n, timeoutMs) => {
          timeouts.push(timeoutMs);
          throw http(429, { 'retry-after': '4' });
        },
        {
          maxTotalMs: 10_000,
          attemptTimeoutMs: 5_000,
          maxAttempts: 5,
          sleep: async () => undefined,
        },
      ),
    ).rejects.toMatchObject({ code: 429 });
    // 0 s elapsed: 5 s; after a 4 s wait: 5 s; after 8 s: only 2 s are left.
    expect(timeouts).toEqual([5_000, 5_000, 2_000]);
  });

  test('debug lines name the operation and status, never a token', async () => {
    const lines: string[] = [];
    let first = true;
    await withRetry(
      'create serviceaccounts/token',
      async () => {
        if (first) {
          first = false;
          throw http(503);
        }
        return 1;
      },
      noSleep,
      { warn: () => undefined, debug: (m) => lines.push(m) },
    );
    expect(lines).toEqual([
      expect.stringMatching(
        /^create serviceaccounts\/token: attempt 1 failed \(503\); retrying in \d+ ms$/,
      ),
    ]);
  });
});
