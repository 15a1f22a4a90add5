/**
 * The benches time `bin/access-tokens.cjs`, which runs the bundle in lib/cli/ (`npm run build`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Throws unless lib/cli/ is built, so that a bench never times a missing bundle's error. */
export function assertBundleBuilt(root: string): void {
  if (!existsSync(join(root, 'lib', 'cli', 'access-tokens.cjs')))
    throw new Error('lib/cli/ is not built: run `npm run build` first');
}
