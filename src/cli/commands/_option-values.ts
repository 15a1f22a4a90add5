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

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `90` (seconds, as kubectl reads a plain number), `500ms`, `1.5s`, `10m`, `1h30m`, `2d` in
 * milliseconds, a fraction of one rounded up (a timeout must not become 0); undefined when
 * the text is none of these.
 */
function durationMs(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(t)) return undefined;
  let ms = 0;
  for (const [, n, unit] of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g))
    ms += Number(n) * UNIT_MS[unit];
  // Rounded to a microsecond first, so that 1.1s (1100.0000000000002 ms) stays 1100 ms.
  return Math.ceil(Math.round(ms * 1000) / 1000);
}

/** Parses `90`, `600s`, `10m`, `1h30m`, `2d` into whole seconds. */
export function parseDurationSeconds(text: string, flag: string, min = 0): number {
  const ms = durationMs(text);
  if (ms === undefined) {
    throw new CliError(`${flag} must be a duration like 600s, 10m, 1h30m or 2d, got '${text}'`);
  }
  if (ms % 1000 !== 0) throw new CliError(`${flag} must be whole seconds, got '${text}'`);
  const seconds = ms / 1000;
  if (seconds < min) throw new CliError(`${flag} must be at least ${min} s, got ${seconds} s`);
  return seconds;
}

/**
 * Parses kubectl's `--request-timeout`: a duration with a unit (`500ms`, `15s`, `1m`) or a
 * plain number of seconds, into milliseconds; 0 is kubectl's "no timeout", left to the caller.
 */
export function parseDurationMilliseconds(text: string, flag: string): number {
  const ms = durationMs(text);
  if (ms === undefined) {
    throw new CliError(
      `${flag} must be a duration like 500ms, 15s, 1m or 1h30m, or a whole number of seconds (0: no timeout), got '${text}'`,
    );
  }
  return ms;
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
