import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/runtime/atomic-file.js';

describe('writeFileAtomic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-'));

  test('writes the content with mode 0600 and leaves no temp file', async () => {
    const file = join(dir, 'a.kubeconfig');
    await writeFileAtomic(file, 'hello');
    expect(readFileSync(file, 'utf8')).toBe('hello');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['a.kubeconfig']);
  });

  test('replaces an existing, wider file and narrows it to 0600', async () => {
    const file = join(dir, 'b');
    writeFileSync(file, 'old');
    chmodSync(file, 0o644);
    await writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test('a failed write leaves the old file intact and no partial or temp file', async () => {
    const file = join(dir, 'c');
    writeFileSync(file, 'old');
    // Renaming onto a directory fails after the temp file was fully written.
    const target = join(dir, 'sub');
    mkdirSync(join(target, 'x'), { recursive: true });
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a missing directory is an error, not a partial file', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'x'), 'y')).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
