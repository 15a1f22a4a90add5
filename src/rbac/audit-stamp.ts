/**
 * Audit timestamps held without the event's string. An aggregate that keeps each event's
 * `stageTimestamp` string keeps that fresh string alive, and the garbage collector then copies
 * it out of the young generation: most of its work on a large log. RFC 3339 in UTC with
 * microseconds, as the API server writes them (`2026-01-01T00:00:00.123456Z`), is held as
 * microseconds since 1970 (a number, updated in place); any other text as itself.
 */

/** A timestamp: microseconds since 1970, or the text it was not converted from; `''` for none. */
export type Stamp = number | string;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** The stamp of a timestamp's text: a number when the text is exactly what `textOfStamp` gives back. */
export function stampOf(text: string): Stamp {
  if (
    text.length !== 27 ||
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== 'T' ||
    text[13] !== ':' ||
    text[16] !== ':' ||
    text[19] !== '.' ||
    text[26] !== 'Z'
  )
    return text;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  const micros = digits(text, 20, 26);
  // Years up to 2199 keep microseconds exact in a double (below 2^53).
  if (year < 1970 || year > 2199 || month < 1 || month > 12 || day < 1) return text;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS[month - 1] + (leap ? 1 : 0) || hour > 23 || minute > 59 || second > 59)
    return text;
  if (hour < 0 || minute < 0 || second < 0 || micros < 0) return text;
  return Date.UTC(year, month - 1, day, hour, minute, second) * 1000 + micros;
}

/** The text of a stamp: the API server's text back, byte for byte. */
export function textOfStamp(stamp: Stamp): string {
  if (typeof stamp === 'string') return stamp;
  const micros = stamp % 1_000_000;
  const seconds = new Date((stamp - micros) / 1000).toISOString().slice(0, 19);
  // Joined, not a template: a template's result keeps its pieces (the ISO text, a slice of it,
  // the padded digits), 192 bytes, where a report keeps two stamps per request kind; 48 joined.
  return [seconds, '.', String(micros).padStart(6, '0'), 'Z'].join('');
}

/** The earlier of two stamps, ignoring none (`''`); compared as their texts would be. */
export function earlierStamp(a: Stamp, b: Stamp): Stamp {
  if (typeof a === 'number' && typeof b === 'number') return b < a ? b : a;
  const x = textOfStamp(a);
  const y = textOfStamp(b);
  return x === '' ? b : y !== '' && y < x ? b : a;
}

/** The later of two stamps; compared as their texts would be. */
export function laterStamp(a: Stamp, b: Stamp): Stamp {
  if (typeof a === 'number' && typeof b === 'number') return b > a ? b : a;
  return textOfStamp(b) > textOfStamp(a) ? b : a;
}
