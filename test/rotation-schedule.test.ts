import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  checkRotationSchedule,
  deriveRotationSchedule,
  intervalInWords,
} from '../src/constructs/rotation-schedule.js';

/**
 * The test's own cron matcher (the oracle): does minute `t` (minutes since a Sunday 00:00)
 * match the expression? Only the syntax the tests use: `*`, `N`, `A-B`, `* /N`, `A-B/N`, lists.
 */
function matches(expression: string, t: number): boolean {
  const [min, hour, , , dow] = expression.trim().split(/\s+/);
  const field = (spec: string, value: number, low: number, high: number) =>
    spec.split(',').some((part) => {
      const [range, stepText] = part.split('/');
      const step = stepText ? Number(stepText) : 1;
      const [a, b] =
        range === '*'
          ? [low, high]
          : range.includes('-')
            ? range.split('-').map(Number)
            : [Number(range), stepText ? high : Number(range)];
      return value >= a && value <= b && (value - a) % step === 0;
    });
  const minuteOfDay = t % 1440;
  return (
    field(min, minuteOfDay % 60, 0, 59) &&
    field(hour, Math.floor(minuteOfDay / 60), 0, 23) &&
    field(dow, Math.floor(t / 1440) % 7, 0, 6)
  );
}

/** The run times (minutes) of an expression in [from, to), by brute force over every minute. */
function runsBetween(expression: string, from: number, to: number): number[] {
  const runs: number[] = [];
  for (let t = from; t < to; t++) if (matches(expression, t)) runs.push(t);
  return runs;
}

/**
 * Replays the schedule: a token (lifetime L seconds) minted at `startMinute`, each run (from
 * `runs`, sorted minutes) replacing it once 80% of its lifetime has passed, except the run at
 * index `failed` (counted from the first run after the start). Returns the first moment
 * (seconds) with no valid token stored, or undefined when there is none in `lifetimes`.
 */
function firstGap(
  runs: readonly number[],
  lifetime: number,
  startMinute: number,
  failed: number | undefined,
  lifetimes = 4,
): number | undefined {
  let iat = startMinute * 60;
  const end = iat + lifetimes * lifetime;
  const after = runs.filter((r) => r > startMinute && r * 60 < end);
  for (const [i, run] of after.entries()) {
    const now = run * 60;
    if (now >= iat + lifetime) return iat + lifetime; // expired before this run
    if (i === failed) continue;
    if (now - iat >= 0.8 * lifetime) iat = now;
  }
  return iat + lifetime < end ? iat + lifetime : undefined;
}

describe('deriveRotationSchedule', () => {
  test('the README table: common lifetimes in words', () => {
    const table = [
      600,
      1800,
      3600,
      4 * 3600,
      8 * 3600,
      12 * 3600,
      86400,
      7 * 86400,
      30 * 86400,
    ].map((s) => {
      const d = deriveRotationSchedule(s);
      return [s, d.expression, d.description];
    });
    expect(table).toEqual([
      [600, '* * * * *', 'every minute'],
      [1800, '*/3 * * * *', 'every 3 minutes'],
      [3600, '*/6 * * * *', 'every 6 minutes'],
      [14400, '*/20 * * * *', 'every 20 minutes'],
      [28800, '*/30 * * * *', 'every 30 minutes'],
      [43200, '0 * * * *', 'every hour'],
      [86400, '0 */2 * * *', 'every 2 hours'],
      [604800, '0 */12 * * *', 'every 12 hours'],
      [2592000, '0 0 * * *', 'every day'],
    ]);
  });

  test("the README's schedule table is what is derived", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### The schedule'));
    const units: Record<string, number> = {
      minutes: 60,
      hour: 3600,
      hours: 3600,
      day: 86400,
      days: 86400,
    };
    const rows = [...section.matchAll(/^\| (\d+) (\w+) +\| `([^`]+)` +\| ([\w ]+?) +\|$/gm)];
    expect(rows.length).toBe(9);
    for (const [, n, unit, expression, words] of rows) {
      const derived = deriveRotationSchedule(Number(n) * units[unit]);
      expect({ n, unit, expression, words }).toEqual({
        n,
        unit,
        expression: derived.expression,
        words: derived.description,
      });
    }
  });

  test('runs at most 10% of the lifetime apart, and never less often than needed by a full step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 600, max: 2 ** 32 }), (lifetime) => {
        const d = deriveRotationSchedule(lifetime);
        expect(d.intervalSeconds).toBeLessThanOrEqual(Math.max(60, lifetime * 0.1));
        // it is a schedule its own check accepts
        expect(checkRotationSchedule(d.expression, lifetime).intervalSeconds).toBe(
          d.intervalSeconds,
        );
      }),
    );
  });

  // Lifetimes from 10 minutes to 30 days: the stored token never expires, even when any one
  // run fails, over four lifetimes and from any start minute.
  const lifetimes = [
    600,
    601,
    659,
    660,
    900,
    1199,
    1200,
    1800,
    2400,
    3000,
    3599,
    3600,
    3607,
    5400,
    7200,
    10800,
    14400,
    21600,
    28800,
    43200,
    86400,
    2 * 86400,
    3 * 86400,
    7 * 86400,
    14 * 86400,
    30 * 86400,
  ];
  test.each(lifetimes)('a %i s token stays valid with any single failed run', (lifetime) => {
    const { expression } = deriveRotationSchedule(lifetime);
    const starts = [0, 1, 7, 59, 61, 719, 1439, 3 * 1440 + 17];
    const runs = runsBetween(
      expression,
      0,
      Math.max(...starts) + Math.ceil((4 * lifetime) / 60) + 2,
    );
    const runsPerWindow = runs.filter((r) => r * 60 < 4 * lifetime).length;
    const stride = Math.max(1, Math.floor(runsPerWindow / 80));
    for (const start of starts) {
      expect({ start, gap: firstGap(runs, lifetime, start, undefined) }).toEqual({
        start,
        gap: undefined,
      });
      for (let failed = 0; failed < runsPerWindow; failed += stride) {
        expect({ start, failed, gap: firstGap(runs, lifetime, start, failed) }).toEqual({
          start,
          failed,
          gap: undefined,
        });
      }
    }
  });

  test('the simulation catches a schedule that is too sparse (the oracle can fail)', () => {
    // every 12 minutes for a 1-hour token: one failed run lets it expire
    const runs = runsBetween('*/12 * * * *', 0, 300);
    const gaps = Array.from({ length: 10 }, (_, failed) => firstGap(runs, 3600, 0, failed));
    expect(gaps.some((g) => g !== undefined)).toBe(true);
  });
});

describe('checkRotationSchedule', () => {
  test('accepts evenly spaced schedules that run often enough', () => {
    expect(checkRotationSchedule('*/5 * * * *', 3600)).toEqual({
      expression: '*/5 * * * *',
      intervalSeconds: 300,
      description: 'every 5 minutes',
    });
    expect(checkRotationSchedule('3-59/6 * * * *', 3600).intervalSeconds).toBe(360);
    expect(checkRotationSchedule('0,30 * * * *', 36000).intervalSeconds).toBe(1800);
    expect(checkRotationSchedule('15 */2 * * *', 86400).intervalSeconds).toBe(7200);
    expect(checkRotationSchedule('@hourly', 86400).intervalSeconds).toBe(3600);
    expect(checkRotationSchedule('@daily', 30 * 86400).intervalSeconds).toBe(86400);
    expect(checkRotationSchedule('0 0 * * SUN', 90 * 86400).intervalSeconds).toBe(7 * 86400);
    expect(checkRotationSchedule('0 0 * * sun', 90 * 86400).intervalSeconds).toBe(7 * 86400);
    expect(checkRotationSchedule('0 0 ? * 0-6', 30 * 86400).intervalSeconds).toBe(86400);
    expect(checkRotationSchedule('? * * * *', 600).intervalSeconds).toBe(60);
    expect(checkRotationSchedule('* * * * *', 600).description).toBe('every minute');
  });

  test('refuses runs that are not evenly spaced, naming the gaps and what would work', () => {
    expect(() => checkRotationSchedule('*/40 * * * *', 86400)).toThrow(
      /^token\.rotation\.schedule '\*\/40 \* \* \* \*' does not run evenly: its runs are 40 minutes and 20 minutes apart; for a 86400 s \(1 d\) token use '0 \*\/2 \* \* \*' \(every 2 hours\)/,
    );
    expect(() => checkRotationSchedule('0 */5 * * *', 30 * 86400)).toThrow(/does not run evenly/);
    expect(() => checkRotationSchedule('0 0 * * 1-5', 30 * 86400)).toThrow(/does not run evenly/);
    expect(() => checkRotationSchedule('0 0 1 * *', 365 * 86400)).toThrow(
      /restricts the day of month or the month: months differ in length/,
    );
    expect(() => checkRotationSchedule('@monthly', 365 * 86400)).toThrow(
      /restricts the day of month/,
    );
    expect(() => checkRotationSchedule('0 0 * 1 *', 365 * 86400)).toThrow(
      /restricts the day of month/,
    );
  });

  // What a kube-apiserver 1.20.2 (robfig/cron's ParseStandard) answered for each schedule, given
  // a batch/v1beta1 CronJob (kubectl apply --dry-run=server): the server is the oracle. It
  // accepted the '?' and 'sun' schedules of the test above.
  test.each([
    [
      '@HOURLY',
      /is not a cron descriptor Kubernetes knows: expected one of @yearly, .*@hourly, in lowercase and without spaces/,
    ], // Unrecognized descriptor: @HOURLY
    ['@Daily', /is not a cron descriptor Kubernetes knows/],
    ['@hourly ', /is not a cron descriptor Kubernetes knows/], // the whole string is compared
    [' @hourly', /must have 5 fields .*got 1/], // not '@' first: a field list of one
    ['0 0 * * 7', /its day of week field has '7', expected 0-6/], // End of range (7) above maximum (6)
    ['0 0 * * 0-7', /its day of week field has '7', expected 0-6/],
    ['0 0 * * 0,7', /its day of week field has '7', expected 0-6/],
  ])('refuses %j as Kubernetes does', (schedule, message) => {
    expect(() => checkRotationSchedule(schedule, 90 * 86400)).toThrow(message);
  });

  test('refuses schedules that run less often than 10% of the lifetime', () => {
    expect(() => checkRotationSchedule('0 * * * *', 3600)).toThrow(
      /'0 \* \* \* \*' runs every hour, but the token must be checked at least every 360 s \(10% of its lifetime\).*use '\*\/6 \* \* \* \*' \(every 6 minutes\)/,
    );
    expect(() => checkRotationSchedule('*/2 * * * *', 600)).toThrow(
      /runs every 2 minutes.*at least every 60 s.*use '\* \* \* \* \*' \(every minute\)/,
    );
  });

  test('refuses what is not cron, naming the field and the value', () => {
    expect(() => checkRotationSchedule('* * * *', 3600)).toThrow(/must have 5 fields.*got 4/);
    expect(() => checkRotationSchedule('61 * * * *', 3600)).toThrow(
      /its minute field has '61', expected 0-59/,
    );
    expect(() => checkRotationSchedule('* 24 * * *', 3600)).toThrow(
      /its hour field has '24', expected 0-23/,
    );
    expect(() => checkRotationSchedule('*/0 * * * *', 3600)).toThrow(
      /step '0', expected at least 1/,
    );
    expect(() => checkRotationSchedule('5-1 * * * *', 3600)).toThrow(
      /the range '5-1', which is backwards/,
    );
    expect(() => checkRotationSchedule('a * * * *', 3600)).toThrow(/minute field has 'a'/);
    expect(() => checkRotationSchedule('*/x * * * *', 3600)).toThrow(
      /'\*\/x', which is not cron syntax/,
    );
    expect(() => checkRotationSchedule('@every 5m', 3600)).toThrow(/uses @every/);
    expect(() => checkRotationSchedule('@often', 3600)).toThrow(/is not a cron descriptor/);
    expect(() => checkRotationSchedule('CRON_TZ=UTC */5 * * * *', 3600)).toThrow(
      /sets a time zone/,
    );
    expect(() => checkRotationSchedule('TZ=Europe/Paris */5 * * * *', 3600)).toThrow(
      /sets a time zone/,
    );
  });

  test('agrees with the brute-force matcher on the interval of even schedules', () => {
    const cases = ['*/4 * * * *', '7-59/15 * * * *', '0 */3 * * *', '30 1-23/2 * * *', '0 0 * * 3'];
    for (const expression of cases) {
      const runs = runsBetween(expression, 0, 3 * 7 * 1440);
      const gaps = new Set(runs.slice(1).map((r, i) => r - runs[i]));
      expect({ expression, gaps: [...gaps] }).toEqual({
        expression,
        gaps: [checkRotationSchedule(expression, 2 ** 32).intervalSeconds / 60],
      });
    }
  });

  test('intervals in words', () => {
    expect([1, 2, 60, 120, 1440, 2880, 10080].map(intervalInWords)).toEqual([
      'every minute',
      'every 2 minutes',
      'every hour',
      'every 2 hours',
      'every day',
      'every 2 days',
      'every week',
    ]);
  });
});
