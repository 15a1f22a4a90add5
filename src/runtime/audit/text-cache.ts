/**
 * The same string for the same bytes: a reader that decodes the same few values over and over
 * (verbs, resources, namespaces, user names) gets one string each instead of a new one per
 * line, and a string whose hash the maps it is looked up in have already computed.
 */

import { bytesAt } from './_bytes.js';

/** Slots of a `TextCache` (a power of two). */
const TEXT_SLOTS = 4096;
/** Bytes hashed, at most: the last ones. */
const HASHED_BYTES = 16;
/** Texts longer than this are not cached (hashing and comparing them costs more than decoding). */
const MAX_CACHED_BYTES = 96;

/**
 * The texts of recent byte strings, by a hash of their bytes: one slot per hash, the newest
 * text in it. A miss decodes the bytes, as without it.
 */
export class TextCache {
  private readonly bytes: (Buffer | undefined)[] = new Array<Buffer | undefined>(TEXT_SLOTS).fill(
    undefined,
  );
  private readonly texts: string[] = new Array<string>(TEXT_SLOTS).fill('');

  textOf(buf: Buffer, from: number, to: number): string {
    const length = to - from;
    if (length > MAX_CACHED_BYTES) return buf.toString('utf8', from, to);
    // The length and the last bytes: where values of one field differ (user names share their
    // first 22, `system:serviceaccount:`), and a bounded cost for long ones.
    let hash = Math.imul(0x811c9dc5 ^ length, 0x01000193);
    for (let i = Math.max(from, to - HASHED_BYTES); i < to; i++)
      hash = Math.imul(hash ^ buf[i], 0x01000193);
    const slot = (hash >>> 0) & (TEXT_SLOTS - 1);
    const kept = this.bytes[slot];
    if (kept !== undefined && kept.length === length && bytesAt(buf, from, kept))
      return this.texts[slot];
    const text = buf.toString('utf8', from, to);
    this.bytes[slot] = Buffer.from(buf.subarray(from, to));
    this.texts[slot] = text;
    return text;
  }
}
