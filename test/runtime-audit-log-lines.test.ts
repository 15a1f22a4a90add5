import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { MAX_LINE_BYTES, auditLogFiles, forEachLogLine } from '../src/runtime/audit/log-lines.js';
import { tempDir } from './temp-dir.js';

async function linesOf(paths: string[], stdin?: NodeJS.ReadableStream) {
  const lines: [string, string, number][] = [];
  const stats = await forEachLogLine(paths, (line, source, n) => lines.push([line, source, n]), {
    stdin,
  });
  return { lines, stats };
}

describe('forEachLogLine', () => {
  test('plain and gzip files (by content, not name), CRLF, no final newline, empty lines skipped but numbered', async () => {
    // GIVEN
    const dir = tempDir('audit-lines-');
    const plain = join(dir, 'a.log');
    const zipped = join(dir, 'b.log');
    writeFileSync(plain, 'one\r\n\ntwo');
    writeFileSync(zipped, gzipSync('three\nfour\n'));
    // WHEN
    const { lines, stats } = await linesOf([plain, zipped]);
    // THEN
    expect(lines).toEqual([
      ['one', plain, 1],
      ['two', plain, 3],
      ['three', zipped, 1],
      ['four', zipped, 2],
    ]);
    expect(stats.lines).toBe(4);
  });

  test('lines split across chunks of any size come out whole (multi-byte characters too)', async () => {
    const text = Array.from(
      { length: 200 },
      (_, i) => `{"n":${i},"s":"${'é'.repeat(i % 7)}"}`,
    ).join('\n');
    for (const size of [1, 2, 3, 7, 64]) {
      const chunks: Buffer[] = [];
      const buf = Buffer.from(text);
      for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
      const { lines } = await linesOf(['-'], Readable.from(chunks));
      expect(lines.map(([l]) => l)).toEqual(text.split('\n'));
    }
  });

  test('a file longer than one read: lines across reads come out whole (the read buffer is reused)', async () => {
    // GIVEN ~3 MB of lines of varied length, so that reads of 1 MB end mid-line, mid-character
    const text = Array.from(
      { length: 30_000 },
      (_, i) => `{"n":${i},"s":"${'é'.repeat(i % 97)}"}`,
    ).join('\n');
    const file = join(tempDir('audit-lines-'), 'big.log');
    writeFileSync(file, text);
    // WHEN
    const { lines } = await linesOf([file]);
    // THEN
    expect(lines.map(([l]) => l)).toEqual(text.split('\n'));
  });

  test('standard input, plain or gzip', async () => {
    const { lines } = await linesOf(['-'], Readable.from([gzipSync('x\ny\n')]));
    expect(lines).toEqual([
      ['x', '(stdin)', 1],
      ['y', '(stdin)', 2],
    ]);
  });

  test('a folder of rotated files is read oldest first', async () => {
    const dir = tempDir('audit-rotated-');
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const files = {
      'audit.log': 'newest',
      'audit-2026-01-02T00-00-00.000.log': 'middle',
      'audit-2026-01-01T00-00-00.000.log.gz': 'oldest',
    };
    let t = 1_700_000_000;
    for (const [name, content] of Object.entries(files).reverse()) {
      const file = join(logs, name);
      writeFileSync(file, name.endsWith('.gz') ? gzipSync(content) : content);
      utimesSync(file, t, t);
      t += 60;
    }
    const { lines } = await linesOf([logs]);
    expect(lines.map(([l]) => l)).toEqual(['oldest', 'middle', 'newest']);
  });

  test('a line longer than the limit is skipped and counted, the next one read', async () => {
    const big = 'x'.repeat(MAX_LINE_BYTES + 10);
    const { lines, stats } = await linesOf(
      ['-'],
      Readable.from([
        Buffer.from('a\n'),
        Buffer.from(big.slice(0, 1000)),
        Buffer.from(big.slice(1000)),
        Buffer.from('\nb\n'),
      ]),
    );
    expect(lines.map(([l, , n]) => [l, n])).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
    expect(stats.oversized).toBe(1);
  });

  test('errors name the file', async () => {
    const dir = tempDir('audit-bad-');
    const broken = join(dir, 'broken.gz');
    writeFileSync(broken, Buffer.concat([gzipSync('a\n'.repeat(1000)).subarray(0, 20)]));
    await expect(linesOf([join(dir, 'missing.log')])).rejects.toThrow(
      /audit log '.*missing\.log' does not exist/,
    );
    await expect(linesOf([broken])).rejects.toThrow(/cannot read audit log '.*broken\.gz'/);
    await expect(linesOf([])).rejects.toThrow(/no audit log given/);
    await expect(linesOf(['-'])).rejects.toThrow(/audit log '-' needs standard input/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    await expect(auditLogFiles([empty])).rejects.toThrow(
      /audit log folder '.*empty' holds no files/,
    );
  });
});
