/**
 * Type checks of props that the types already require, for JavaScript apps (and `as any`),
 * which can give anything: a wrong type is refused naming the field, the value and what is
 * allowed, instead of a TypeError deep inside or YAML the API server refuses (private to the
 * constructs).
 */

/** `value` as the message shows it: JSON, or its `String` when JSON has no text for it. */
function shown(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/**
 * Throws unless `value` is true, false or undefined: the text 'false' is truthy, so it would
 * turn the option on.
 */
export function checkOptionalBoolean(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new Error(`${field} must be true or false, got ${shown(value)}`);
  }
}

/** Throws unless `value` is a string; `example` shows one. */
export function checkString(field: string, value: unknown, example: string): void {
  if (typeof value !== 'string') {
    throw new Error(`${field} must be a string (e.g. ${example}), got ${shown(value)}`);
  }
}

/**
 * Throws unless `value` is undefined or a list whose every item `isItem` accepts; `expected`
 * says what a list is of, `example` shows one.
 */
export function checkOptionalList(
  field: string,
  value: unknown,
  isItem: (item: unknown) => boolean,
  expected: string,
  example: string,
): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    throw new Error(
      `${field} must be a list of ${expected} (e.g. ${example}), got ${shown(value)}`,
    );
  }
  value.forEach((item: unknown, i) => {
    if (!isItem(item)) {
      throw new Error(
        `${field}[${i}] must be one of ${expected} (e.g. ${example}), got ${shown(item)}`,
      );
    }
  });
}
