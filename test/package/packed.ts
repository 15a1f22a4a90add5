/**
 * The package as `npm pack` makes it, installed as users install it: into a fresh project, from
 * the tarball, with `--ignore-scripts` (npm 11 and pnpm 10 skip a dependency's install scripts
 * unless allowed), dependencies from the registry.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs a command, failing with its output when it exits non-zero (unless `mayFail`). */
export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  options: { mayFail?: boolean; env?: NodeJS.ProcessEnv; input?: string } = {},
): SpawnSyncReturns<string> {
  const result = spawnSync(command, [...args], {
    cwd,
    encoding: 'utf8',
    env: options.env ?? process.env,
    input: options.input,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  if (!options.mayFail && result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} in ${cwd} exited with ${result.status ?? result.signal}:\n` +
        `${result.stdout}\n${result.stderr}`,
    );
  return result;
}

/** Packs the built package (lib/ from `npm run build`) into `dir`; returns the tarball's path. */
export function pack(dir: string): string {
  if (!existsSync(join(ROOT, 'lib', 'cli', 'access-tokens.cjs')))
    throw new Error('lib/ is not built: run `npm run build` first');
  // --ignore-scripts: `prepare` would build again; lib/ is current.
  const out = run(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', dir],
    ROOT,
  ).stdout;
  const [{ filename }] = JSON.parse(out) as { filename: string }[];
  return join(dir, filename);
}

/** Installs `specs` into the project `dir` without running any install script. */
export function install(dir: string, ...specs: string[]): void {
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', ...specs], dir);
}
