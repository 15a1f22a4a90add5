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

const ZERO = 48;
const MICROS_PER_DAY = 86_400_000_000;

/** The text of a stamp: the API server's text back, byte for byte. */
export function textOfStamp(stamp: Stamp): string {
  if (typeof stamp === 'string') return stamp;
  // The civil date of a day count (H. Hinnant's days_from_civil, inverted): a report writes two
  // stamps per request kind, and a Date and its ISO text per stamp cost several times more.
  const days = Math.floor(stamp / MICROS_PER_DAY);
  let rest = stamp - days * MICROS_PER_DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const micros = rest % 1_000_000;
  rest = (rest - micros) / 1_000_000;
  const second = rest % 60;
  rest = (rest - second) / 60;
  const minute = rest % 60;
  const hour = (rest - minute) / 60;
  // One flat string of its characters: a template or concatenation keeps its pieces (192
  // bytes where a report keeps two stamps per request kind; 48 flat).
  return String.fromCharCode(
    ZERO + Math.floor(year / 1000),
    ZERO + (Math.floor(year / 100) % 10),
    ZERO + (Math.floor(year / 10) % 10),
    ZERO + (year % 10),
    0x2d, // -
    ZERO + Math.floor(month / 10),
    ZERO + (month % 10),
    0x2d,
    ZERO + Math.floor(day / 10),
    ZERO + (day % 10),
    0x54, // T
    ZERO + Math.floor(hour / 10),
    ZERO + (hour % 10),
    0x3a, // :
    ZERO + Math.floor(minute / 10),
    ZERO + (minute % 10),
    0x3a,
    ZERO + Math.floor(second / 10),
    ZERO + (second % 10),
    0x2e, // .
    ZERO + Math.floor(micros / 100_000),
    ZERO + (Math.floor(micros / 10_000) % 10),
    ZERO + (Math.floor(micros / 1000) % 10),
    ZERO + (Math.floor(micros / 100) % 10),
    ZERO + (Math.floor(micros / 10) % 10),
    ZERO + (micros % 10),
    0x5a, // Z
  );
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
