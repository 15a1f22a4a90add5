import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { removeTempDirs, tempDir } from './temp-dir.js';

/** A directory holding a token file (0600) and a nested folder, as the tests leave them. */
function tempDirWithToken(prefix: string, parent?: string): string {
  const dir = tempDir(prefix, parent);
  writeFileSync(join(dir, 'token'), 'eyJ.not-a-real-token.c2ln', { mode: 0o600 });
  mkdirSync(join(dir, 'dist', 'nested'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'nested', 'kubeconfig'), 'token: x', { mode: 0o600 });
  return dir;
}

describe('tempDir', () => {
  test('GIVEN a prefix WHEN making a directory THEN it is fresh, private and under the OS temp folder', () => {
    const a = tempDir('temp-dir-test-');
    const b = tempDir('temp-dir-test-');
    expect(a).not.toBe(b);
    expect(dirname(a)).toBe(tmpdir());
    expect(a).toMatch(/\/temp-dir-test-[A-Za-z0-9]{6}$/);
    expect(statSync(a).mode & 0o777).toBe(0o700);
  });

  test('GIVEN a parent WHEN making a directory THEN it is made there', () => {
    const parent = tempDir('temp-dir-parent-');
    expect(dirname(tempDir('child-', parent))).toBe(parent);
  });
});

describe('removeTempDirs', () => {
  test('GIVEN directories with tokens inside, one inside another WHEN removing THEN all are gone', () => {
    // GIVEN
    const parent = tempDirWithToken('temp-dir-test-');
    const dirs = [parent, tempDirWithToken('child-', parent), tempDirWithToken('temp-dir-test-')];
    expect(dirs.every((dir) => existsSync(join(dir, 'token')))).toBe(true);
    // WHEN
    removeTempDirs();
    // THEN
    expect(dirs.filter((dir) => existsSync(dir))).toEqual([]);
  });

  test('GIVEN directories already removed WHEN removing again THEN they are forgotten, not removed twice', () => {
    // GIVEN a removed directory whose path is taken again by something tempDir did not make
    const removed = tempDir('temp-dir-test-');
    removeTempDirs();
    mkdirSync(removed);
    const current = tempDir('temp-dir-test-');
    try {
      // WHEN
      removeTempDirs();
      // THEN only the directory made since is removed
      expect({ removed: existsSync(removed), current: existsSync(current) }).toEqual({
        removed: true,
        current: false,
      });
    } finally {
      rmSync(removed, { recursive: true, force: true });
    }
  });
});

// The wiring: a directory a test leaves is gone once the file's afterAll hooks ran. The setup
// file registered its afterAll before this file's top-level one (not one inside a describe,
// which would run first), so a failure here means no setup file or a module instance of its own.
let left = '';

test('GIVEN a test that makes a directory and leaves it WHEN the file ends THEN test/temp-dir.setup.ts removes it', () => {
  left = tempDirWithToken('temp-dir-left-');
  expect(existsSync(left)).toBe(true);
});

afterAll(() => {
  expect(left).not.toBe('');
  expect(existsSync(left)).toBe(false);
});
