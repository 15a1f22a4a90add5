/**
 * `access-tokens --version`: this package's version, read from its package.json when asked
 * (not at start-up). The CLI runs as tsc's ES modules (lib/src/cli) or as one CommonJS bundle
 * (lib/cli), so the package is found by walking up from the running file.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'cdk8s-access-tokens';

/**
 * Where to start looking: the bundle's folder (CommonJS has `__dirname`), else the running
 * script's (`bin/access-tokens.cjs`, through npm's and kubectl's symlinks). Not
 * `import.meta.url`, which the CommonJS bundle cannot have.
 */
function startDir(): string {
  if (typeof __dirname === 'string') return __dirname;
  return dirname(realpathSync(process.argv[1] ?? process.cwd()));
}

/** The version in the nearest package.json named `cdk8s-access-tokens` above `from`. */
export function packageVersion(from: string = startDir()): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here (or not JSON): keep walking up
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the package.json of ${PACKAGE_NAME}`);
  }
}
