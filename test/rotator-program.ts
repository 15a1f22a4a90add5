/**
 * The rotation ConfigMap carries the rotator's program (JavaScript, which says `token:` and has
 * long identifiers) and its SHA-256 (64 hex digits, which look like base64): scans for secrets
 * in synthesized YAML would flag both. This cuts out exactly the program this package builds and
 * exactly its hash, nothing else: a changed program, or a hash on another key, is still scanned.
 */
import { parseAllDocuments, stringify } from 'yaml';
import { ROTATOR_CODE, ROTATOR_CODE_SHA256 } from '../src/constructs/rotator-code.generated.js';
import { ROTATOR_CODE_SHA256_ANNOTATION } from '../src/constructs/token-rotation.js';

type Untyped = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function cut(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(cut);
  if (typeof node !== 'object' || node === null) return node;
  const o = node as Untyped;
  const copy: Untyped = {};
  for (const [key, value] of Object.entries(o)) {
    if (value === ROTATOR_CODE) copy[key] = '<the rotator program>';
    else if (key === ROTATOR_CODE_SHA256_ANNOTATION && value === ROTATOR_CODE_SHA256)
      copy[key] = '<its sha256>';
    else copy[key] = cut(value);
  }
  return copy;
}

/** `text` (YAML documents) with the rotator's program and its hash replaced by placeholders. */
export function withoutRotatorProgram(text: string): string {
  return parseAllDocuments(text)
    .map((d) => stringify(cut(d.toJSON())))
    .join('---\n');
}
