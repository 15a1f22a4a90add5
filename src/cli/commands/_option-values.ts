/**
 * Parsers of option values that several commands share: whole numbers, durations and
 * repeatable options. Private to the CLI.
 */
import { CONCURRENCY } from '../../runtime/concurrency.js';
import { CliError } from '../exit-codes.js';

/**
 * Collects a repeatable option (`--audience a --audience b`), as kubectl's: a variadic one would
 * also swallow the positional arguments after it.
 */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `90`, `600s`, `10m`, `1h30m`, `2d` into seconds. */
export function parseDurationSeconds(text: string, flag: string, min = 0): number {
  const t = text.trim();
  let seconds: number;
  if (/^\d+$/.test(t)) seconds = Number(t);
  else if (/^(\d+[smhd])+$/.test(t)) {
    seconds = 0;
    for (const [, n, unit] of t.matchAll(/(\d+)([smhd])/g)) seconds += Number(n) * UNITS[unit];
  } else {
    throw new CliError(`${flag} must be a duration like 600s, 10m, 1h30m or 2d, got '${text}'`);
  }
  if (seconds < min) throw new CliError(`${flag} must be at least ${min} s, got ${seconds} s`);
  return seconds;
}

/** The range of a whole-number option, both ends allowed. */
export interface IntegerRange {
  readonly min: number;
  readonly max: number;
}

/**
 * Parses a whole-number option (`--concurrency 16`): decimal digits only, from `range.min` to
 * `range.max`. `Number()` alone would also take `0x10`, `1e2`, `16.0`, `' 8'` and `''` (as 0).
 */
export function parseIntegerOption(text: string, flag: string, range: IntegerRange): number {
  const n = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= range.min && n <= range.max)) {
    throw new CliError(
      `${flag} must be an integer from ${range.min} to ${range.max}, got '${text}'`,
    );
  }
  return n;
}

/**
 * `--concurrency` of `mint --from` and `rotate --from`, checked before client-node loads: the
 * runtime's range (src/runtime/concurrency.ts); undefined leaves the runtime's default.
 */
export function parseConcurrency(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseIntegerOption(text, '--concurrency', CONCURRENCY);
}
