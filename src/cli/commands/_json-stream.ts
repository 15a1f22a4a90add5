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
 * (one request kind) and indented to its depth. For plain data (no `toJSON`, no cycles).
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
    pending.push(text);
    size += text.length;
    if (size >= CHUNK_CHARS) flush();
  };
  writeValue(value, '', 0, put);
  put('\n');
  flush();
}

/** Depth at which values are stringified whole: report -> identities -> identity -> requests -> one. */
const MAX_DEPTH = 4;

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
  const text = JSON.stringify(value, null, 2);
  put(indent === '' || !text.includes('\n') ? text : text.replace(/\n/g, `\n${indent}`));
}
