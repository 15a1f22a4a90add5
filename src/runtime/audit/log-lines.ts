/**
 * Reads audit logs line by line, streaming: JSON-lines files, gzip files (by their magic
 * bytes, whatever the name), folders of rotated files (oldest first), and `-` for standard
 * input. Lines are handed to a synchronous callback (no promise per line) so that reading
 * costs little next to parsing.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';

/** A line longer than this is counted as malformed and skipped, so memory stays bounded. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Called for each line: its text (without the newline), file and 1-based line number. */
export type LineHandler = (line: string, source: string, lineNumber: number) => void;

/**
 * Called for each line with its bytes, `buf[start, end)` (without the newline), valid only
 * during the call; then its file and 1-based line number.
 */
export type LineBytesHandler = (
  buf: Buffer,
  start: number,
  end: number,
  source: string,
  lineNumber: number,
) => void;

/** What reading found besides the lines. */
export interface LogReadStats {
  /** Files read, in order (`-` for standard input). */
  readonly files: readonly string[];
  /** Lines handed to the handler. */
  lines: number;
  /** Lines skipped for being longer than `MAX_LINE_BYTES`. */
  oversized: number;
  /** Bytes read (after decompression). */
  bytes: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await handle.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === GZIP_MAGIC[0] && buf[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

async function statOrThrow(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`audit log '${path}' does not exist`);
    throw new Error(`cannot read audit log '${path}': ${(err as Error).message}`);
  }
}

/**
 * The files a list of log paths stands for: files as given; a folder's regular files
 * (rotated logs such as `audit.log`, `audit-2024-01-01T00-00-00.000.log`, `audit.log.1.gz`),
 * oldest first by modification time; `-` as is.
 */
export async function auditLogFiles(paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0)
    throw new Error('no audit log given: name at least one file, folder or -');
  const files: string[] = [];
  for (const path of paths) {
    if (path === '-') {
      files.push(path);
      continue;
    }
    const info = await statOrThrow(path);
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const entries: { file: string; mtime: number }[] = [];
    for (const name of await readdir(path)) {
      const file = join(path, name);
      const s = await stat(file);
      if (s.isFile()) entries.push({ file, mtime: s.mtimeMs });
    }
    entries.sort((a, b) => a.mtime - b.mtime || (a.file < b.file ? -1 : 1));
    if (entries.length === 0) throw new Error(`audit log folder '${path}' holds no files`);
    files.push(...entries.map((e) => e.file));
  }
  return files;
}

/** Bytes read from a plain file at a time. */
const READ_BYTES = 1024 * 1024;

/**
 * A plain file's bytes, read into one buffer that each chunk reuses: a chunk is valid only
 * until the next is asked for. A new 1 MB buffer per read (as a read stream allocates) is
 * freed only when the garbage collector gets to it, and the process's memory then grows with
 * the size of the log.
 */
async function* fileChunks(file: string): AsyncGenerator<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, READ_BYTES, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** A chunk of standard input as a Buffer (a stream gives Buffers, or strings with an encoding). */
function bufferOf(chunk: string | Uint8Array): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** A file's (or standard input's) bytes, decompressed; a chunk is valid until the next is asked for. */
async function* chunksOf(
  file: string,
  stdin: AsyncIterable<string | Uint8Array> | undefined,
): AsyncGenerator<Buffer> {
  let stream: NodeJS.ReadableStream;
  if (file === '-') {
    if (!stdin) throw new Error("audit log '-' needs standard input, and none is available");
    // Standard input may be gzip too (kubectl cp of a rotated file): peek at the first chunk.
    const iterator = stdin[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) return;
    const head = bufferOf(first.value);
    if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) {
      const gunzip = createGunzip();
      (async () => {
        gunzip.write(head);
        for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
          if (!gunzip.write(r.value)) await new Promise((resolve) => gunzip.once('drain', resolve));
        }
        gunzip.end();
      })().catch((err: Error) => gunzip.destroy(err));
      stream = gunzip;
    } else {
      yield head;
      for (let r = await iterator.next(); !r.done; r = await iterator.next())
        yield bufferOf(r.value);
      return;
    }
  } else if (await isGzip(file)) {
    const raw = createReadStream(file, { highWaterMark: READ_BYTES });
    const gunzip = createGunzip({ chunkSize: READ_BYTES });
    raw.on('error', (err) => gunzip.destroy(err));
    stream = raw.pipe(gunzip);
  } else {
    yield* fileChunks(file);
    return;
  }
  for await (const chunk of stream) yield chunk as Buffer;
}

/**
 * Calls `onLine` for every line of every file, in order, with its text. Empty lines are
 * skipped (not counted). Throws, naming the file, when one cannot be read or decompressed.
 */
export function forEachLogLine(
  paths: readonly string[],
  onLine: LineHandler,
  options: { stdin?: AsyncIterable<string | Uint8Array> } = {},
): Promise<LogReadStats> {
  return forEachLogLineBytes(
    paths,
    (buf, start, end, source, lineNumber) =>
      onLine(buf.toString('utf8', start, end), source, lineNumber),
    options,
  );
}

/**
 * `forEachLogLine`, with each line's bytes rather than its text: a reader that needs only
 * some of a line need not decode all of it.
 */
export async function forEachLogLineBytes(
  paths: readonly string[],
  onLine: LineBytesHandler,
  options: { stdin?: AsyncIterable<string | Uint8Array> } = {},
): Promise<LogReadStats> {
  const files = await auditLogFiles(paths);
  const stats: LogReadStats = { files, lines: 0, oversized: 0, bytes: 0 };
  for (const file of files) {
    const source = file === '-' ? '(stdin)' : file;
    let rest: Buffer | undefined;
    let lineNumber = 0;
    let skipping = false;
    const emit = (buf: Buffer, start: number, end: number) => {
      lineNumber++;
      if (skipping) {
        skipping = false;
        stats.oversized++;
        return;
      }
      if (end > start && buf[end - 1] === 0x0d) end--;
      if (end <= start) return;
      stats.lines++;
      onLine(buf, start, end, source, lineNumber);
    };
    try {
      for await (const chunk of chunksOf(file, options.stdin)) {
        stats.bytes += chunk.length;
        let buf = chunk;
        let pos = 0;
        let nl = buf.indexOf(10);
        if (rest !== undefined) {
          if (nl < 0) {
            rest =
              rest.length + buf.length > MAX_LINE_BYTES ? undefined : Buffer.concat([rest, buf]);
            if (rest === undefined) skipping = true;
            continue;
          }
          const joined = Buffer.concat([rest, buf.subarray(0, nl)]);
          rest = undefined;
          emit(joined, 0, joined.length);
          pos = nl + 1;
          nl = buf.indexOf(10, pos);
        } else if (skipping && nl >= 0) {
          emit(buf, 0, 0);
          pos = nl + 1;
          nl = buf.indexOf(10, pos);
        } else if (skipping) {
          continue;
        }
        while (nl >= 0) {
          emit(buf, pos, nl);
          pos = nl + 1;
          nl = buf.indexOf(10, pos);
        }
        if (pos < buf.length) {
          buf = buf.subarray(pos);
          if (buf.length > MAX_LINE_BYTES) skipping = true;
          else rest = Buffer.from(buf);
        }
      }
      if (rest !== undefined && rest.length > 0) emit(rest, 0, rest.length);
      else if (skipping) emit(Buffer.alloc(0), 0, 0);
    } catch (err) {
      throw new Error(
        `cannot read audit log '${source}' at line ${lineNumber + 1}: ${(err as Error).message}`,
      );
    }
  }
  return stats;
}
