/** Whether `buf` holds `bytes` from `from` on (a plain loop: the strings compared are short). */
export function bytesAt(buf: Uint8Array, from: number, bytes: Uint8Array): boolean {
  if (from + bytes.length > buf.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[from + i] !== bytes[i]) return false;
  return true;
}
