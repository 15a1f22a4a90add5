/**
 * JSON output written piece by piece, byte for byte what `JSON.stringify(value, null, 2)`
 * writes, so that a large report (tens of thousands of request kinds) is never one string in
 * memory. Private to the CLI.
 */

/** Pieces are gathered up to this many characters before each write. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Writes `value` as indented JSON through `write`, in chunks: objects are opened key by key
 * and arrays item by item down to `MAX_DEPTH`, where each value is stringified on its own
 * (one identity of a report) and indented to its depth. For plain data (no `toJSON`, no cycles).
 */
export function writeJson(value: unknown, write: (text: string) => void): void {
  let pending: string[] = [];
  let size = 0;
  const flush = () => {
    if (pending.length > 0) write(pending.join(''));
    pending = [];
    size = 0;
  };
  const put = (text: string) => {
    if (text.length >= CHUNK_CHARS) {
      // Written as it is: joined with the pieces before it, it would be copied once more.
      flush();
      write(text);
      return;
    }
    pending.push(text);
    size += text.length;
    if (size >= CHUNK_CHARS) flush();
  };
  writeValue(value, '', 0, put);
  put('\n');
  flush();
}

/**
 * Depth at which values are stringified whole: report -> identities -> one identity. One
 * `JSON.stringify` per identity costs a fraction of one per request kind, and an identity's
 * text is bounded by its own request kinds.
 */
const MAX_DEPTH = 2;

/**
 * How many characters JSON.stringify writes before and after a value wrapped in `levels`
 * arrays: the value then comes out indented as deep as those levels, with no pass over its
 * text to indent it.
 */
const wrapperLengths: { before: number; after: number }[] = [];
function wrapperLength(levels: number): { before: number; after: number } {
  let lengths = wrapperLengths[levels];
  if (lengths === undefined) {
    const text = JSON.stringify(wrappedIn(0, levels), null, 2);
    const before = text.indexOf('0');
    lengths = wrapperLengths[levels] = { before, after: text.length - before - 1 };
  }
  return lengths;
}

/** `value` inside `levels` arrays, `[[value]]` for 2. */
function wrappedIn(value: unknown, levels: number): unknown {
  let wrapped = value;
  for (let i = 0; i < levels; i++) wrapped = [wrapped];
  return wrapped;
}

/** `JSON.stringify(value, null, 2)` with every line after the first indented by `indent`. */
function stringifyIndented(value: unknown, indent: string): string {
  if (indent === '' || typeof value !== 'object' || value === null)
    return JSON.stringify(value, null, 2);
  const levels = indent.length / 2;
  const text = JSON.stringify(wrappedIn(value, levels), null, 2);
  const { before, after } = wrapperLength(levels);
  return text.slice(before, text.length - after);
}

/** What JSON.stringify leaves out of an object and writes as null in an array. */
function isUnrepresentable(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function writeValue(value: unknown, indent: string, depth: number, put: (t: string) => void): void {
  if (depth < MAX_DEPTH && Array.isArray(value)) {
    if (value.length === 0) return put('[]');
    const inner = `${indent}  `;
    for (let i = 0; i < value.length; i++) {
      put(i === 0 ? `[\n${inner}` : `,\n${inner}`);
      if (isUnrepresentable(value[i])) put('null');
      else writeValue(value[i], inner, depth + 1, put);
    }
    return put(`\n${indent}]`);
  }
  if (depth < MAX_DEPTH && typeof value === 'object' && value !== null) {
    const inner = `${indent}  `;
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      if (isUnrepresentable(item)) continue;
      put(`${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `);
      first = false;
      writeValue(item, inner, depth + 1, put);
    }
    return put(first ? '{}' : `\n${indent}}`);
  }
  put(stringifyIndented(value, indent));
}
