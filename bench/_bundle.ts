/**
 * The benches time `bin/access-tokens.cjs`, which runs the bundle in lib/cli/ only when it is
 * at least as new as tsc's lib/src/ (else it falls back to those modules, much slower to start).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';

/** Throws unless lib/cli/ is built and current, so that a bench never times the fallback. */
export function assertBundleCurrent(root: string): void {
  const mtime = (file: string): number =>
    statSync(join(root, file), { throwIfNoEntry: false })?.mtimeMs ?? -1;
  const bundle = mtime('lib/cli/access-tokens.cjs');
  if (bundle < 0) throw new Error('lib/cli/ is not built: run `npm run build` first');
  if (bundle < mtime('lib/src/cli/main.js'))
    throw new Error(
      'lib/cli/ is older than lib/src/ (tsc ran after the bundle), so bin/ would run lib/src/: run `npm run build`',
    );
}
