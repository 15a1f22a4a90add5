import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/**
 * Makes a fresh directory named `<prefix>XXXXXX` under `parent` (default: the OS temp
 * folder) and records it, so that it is removed after the test file (test/temp-dir.setup.ts).
 * Tests mint ServiceAccount tokens into such folders, and this product promises never to leave
 * a token on disk: a test must not either.
 */
export function tempDir(prefix: string, parent: string = tmpdir()): string {
  const dir = mkdtempSync(join(parent, prefix));
  made.push(dir);
  return dir;
}

/** Removes every directory made by tempDir so far, with all it holds, and forgets them. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
