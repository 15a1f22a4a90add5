/**
 * The rotation CronJob's schedule: derived from the token's lifetime, or a given cron
 * expression checked to run evenly and often enough. A stored token is replaced once 80% of
 * its lifetime has passed, so runs must be at most 10% of the lifetime apart: the token is then
 * replaced between 80% and 90% of its life, and one failed run still leaves another chance.
 */
import { MAX_RUN_GAP_FRACTION } from '../contract/rotation.js';
import { checkString } from './_prop-types.js';

const MINUTE = 60;
const DAY_MINUTES = 24 * 60;
const WEEK_MINUTES = 7 * DAY_MINUTES;

/** A checked cron schedule for a rotation CronJob. */
export interface RotationSchedule {
  /** The cron expression (5 fields, the CronJob's `spec.schedule`). */
  readonly expression: string;
  /** Seconds between two runs (always the same: the runs are evenly spaced). */
  readonly intervalSeconds: number;
  /** The interval in words, e.g. `every 6 minutes`. */
  readonly description: string;
}

/** Even cron intervals, in minutes: steps that divide an hour, a day, and the week. */
const EVEN_INTERVALS = [
  1,
  2,
  3,
  4,
  5,
  6,
  10,
  12,
  15,
  20,
  30,
  60,
  120,
  180,
  240,
  360,
  480,
  720,
  DAY_MINUTES,
  WEEK_MINUTES,
];

/** A span of minutes in words: `1 minute`, `40 minutes`, `2 hours`, `1 day`, `1 week`. */
function spanInWords(minutes: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (minutes % WEEK_MINUTES === 0) return unit(minutes / WEEK_MINUTES, 'week');
  if (minutes % DAY_MINUTES === 0) return unit(minutes / DAY_MINUTES, 'day');
  if (minutes % 60 === 0) return unit(minutes / 60, 'hour');
  return unit(minutes, 'minute');
}

/** `every minute`, `every 6 minutes`, `every 2 hours`, `every day`, `every week`. */
export function intervalInWords(minutes: number): string {
  return `every ${spanInWords(minutes).replace(/^1 /, '')}`;
}

/** A lifetime in words: `3600 s (1 h)`. */
function lifetimeInWords(seconds: number): string {
  const units: [number, string][] = [
    [86400, 'd'],
    [3600, 'h'],
    [60, 'min'],
  ];
  const [size, unit] = units.find(([s]) => seconds % s === 0) ?? [1, 's'];
  return size === 1 ? `${seconds} s` : `${seconds} s (${seconds / size} ${unit})`;
}

/** The longest even interval (minutes) that meets the 10% rule for a lifetime, at least 1. */
function longestIntervalFor(lifetimeSeconds: number): number {
  const limit = (lifetimeSeconds * MAX_RUN_GAP_FRACTION) / MINUTE;
  return [...EVEN_INTERVALS].reverse().find((m) => m <= limit) ?? 1;
}

function expressionFor(minutes: number): string {
  if (minutes === 1) return '* * * * *';
  if (minutes < 60) return `*/${minutes} * * * *`;
  if (minutes === 60) return '0 * * * *';
  if (minutes < DAY_MINUTES) return `0 */${minutes / 60} * * *`;
  if (minutes === DAY_MINUTES) return '0 0 * * *';
  return '0 0 * * 0';
}

/**
 * The schedule derived from a token's lifetime: the sparsest evenly spaced cron schedule whose
 * runs are at most 10% of the lifetime apart (every minute for a 10-minute token, the shortest
 * TokenRequest allows; cron cannot run more often).
 */
export function deriveRotationSchedule(lifetimeSeconds: number): RotationSchedule {
  const minutes = longestIntervalFor(lifetimeSeconds);
  return {
    expression: expressionFor(minutes),
    intervalSeconds: minutes * MINUTE,
    description: intervalInWords(minutes),
  };
}

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  // 0-6: Kubernetes' parser (robfig/cron) refuses 7 ('End of range (7) above maximum (6)').
  {
    name: 'day of week',
    min: 0,
    max: 6,
    names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
  },
];

/**
 * The descriptors Kubernetes' cron parser accepts, as 5-field expressions: exactly these, in
 * lowercase, with nothing around them (robfig/cron compares the whole schedule; '@HOURLY' is an
 * 'Unrecognized descriptor').
 */
const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** The values one cron field matches; throws naming the field when it is not valid cron. */
function parseField(text: string, field: CronField, fail: (why: string) => never): Set<number> {
  const value = (v: string): number => {
    const named = field.names?.indexOf(v.toUpperCase()) ?? -1;
    const n = named >= 0 ? named + (field.name === 'month' ? 1 : 0) : /^\d+$/.test(v) ? +v : NaN;
    if (!(n >= field.min && n <= field.max)) {
      fail(`its ${field.name} field has '${v}', expected ${field.min}-${field.max}`);
    }
    return n;
  };
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|\?|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    // '?' is '*' in every field for Kubernetes' parser.
    if (!m) {
      fail(`its ${field.name} field has '${part}', which is not cron syntax`);
    }
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) fail(`its ${field.name} field has step '${m[2]}', expected at least 1`);
    let [from, to] = [field.min, field.max];
    if (m[1] !== '*' && m[1] !== '?') {
      const [a, b] = m[1].split('-');
      from = value(a);
      // `a/n` means from a to the field's end, as in Kubernetes' cron parser.
      to = b !== undefined ? value(b) : m[2] !== undefined ? field.max : from;
      if (to < from) fail(`its ${field.name} field has the range '${m[1]}', which is backwards`);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

const isFull = (values: Set<number>, field: CronField) => values.size === field.max - field.min + 1;

/**
 * Checks a given schedule for a token of `lifetimeSeconds`: it must be cron that Kubernetes
 * accepts, run evenly (`*\/40` in the minute field runs at :00 and :40, 40 and 20 minutes
 * apart), and run at least every 10% of the lifetime. Throws saying why and what would work.
 */
export function checkRotationSchedule(
  schedule: string,
  lifetimeSeconds: number,
  field = 'token.rotation.schedule',
): RotationSchedule {
  checkString(field, schedule, "'*/6 * * * *'");
  const derived = deriveRotationSchedule(lifetimeSeconds);
  const instead = `; for a ${lifetimeInWords(lifetimeSeconds)} token use '${derived.expression}' (${derived.description}), or omit the schedule to derive it`;
  const fail = (why: string): never => {
    throw new Error(`${field} '${schedule}' ${why}${instead}`);
  };
  const trimmed = schedule.trim();
  if (/^(CRON_)?TZ=/.test(trimmed)) {
    fail('sets a time zone: runs around a daylight-saving change are not evenly spaced');
  }
  if (schedule.startsWith('@every')) fail('uses @every, which is not a 5-field cron schedule');
  // A descriptor only when the schedule starts with '@', as for Kubernetes' parser.
  const expanded = schedule.startsWith('@') ? DESCRIPTORS[schedule] : trimmed;
  if (expanded === undefined) {
    fail(
      `is not a cron descriptor Kubernetes knows: expected one of ${Object.keys(DESCRIPTORS).join(', ')}, in lowercase and without spaces`,
    );
  }
  const parts = (expanded as string).split(/\s+/);
  if (parts.length !== 5)
    fail(`must have 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  const [minutes, hours, days, months, weekdays] = parts.map((p, i) =>
    parseField(p, FIELDS[i], fail),
  );
  if (!isFull(days, FIELDS[2]) || !isFull(months, FIELDS[3])) {
    fail(
      'restricts the day of month or the month: months differ in length, so its runs are not evenly spaced',
    );
  }
  // The runs repeat every day, or every week when days of the week are chosen.
  const period = isFull(weekdays, FIELDS[4]) ? DAY_MINUTES : WEEK_MINUTES;
  const dayStarts = period === DAY_MINUTES ? [0] : [...weekdays].map((d) => d * DAY_MINUTES);
  const runs: number[] = [];
  for (const day of dayStarts)
    for (const h of hours) for (const m of minutes) runs.push(day + h * 60 + m);
  runs.sort((a, b) => a - b);
  const gaps = runs.map((r, i) => (i + 1 < runs.length ? runs[i + 1] : runs[0] + period) - r);
  const distinct = [...new Set(gaps)].sort((a, b) => b - a);
  if (distinct.length > 1) {
    fail(`does not run evenly: its runs are ${distinct.map(spanInWords).join(' and ')} apart`);
  }
  const interval = distinct[0];
  if (interval * MINUTE > lifetimeSeconds * MAX_RUN_GAP_FRACTION) {
    fail(
      `runs ${intervalInWords(interval)}, but the token must be checked at least every ${lifetimeSeconds * MAX_RUN_GAP_FRACTION} s (10% of its lifetime) so that it is replaced between 80% and 90% of its life and a failed run still leaves another chance`,
    );
  }
  return {
    expression: trimmed,
    intervalSeconds: interval * MINUTE,
    description: intervalInWords(interval),
  };
}
