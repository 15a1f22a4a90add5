/**
 * `kubectl access-tokens`: kubectl runs `kubectl-access_tokens` from PATH (dashes in the
 * plugin name become underscores), which is the package's second bin.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tempDir } from './temp-dir.js';

const root = new URL('..', import.meta.url).pathname;

function kubectlPath(): string | undefined {
  try {
    return (
      execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

describe('kubectl plugin', () => {
  test('package.json installs the CLI as kubectl-access_tokens', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.bin['kubectl-access_tokens']).toBe(pkg.bin['access-tokens']);
  });

  const kubectl = kubectlPath();
  if (!kubectl) console.warn('SKIPPED kubectl plugin run: no kubectl on PATH');
  (kubectl ? test : test.skip)('`kubectl access-tokens can-i` runs the CLI', () => {
    // GIVEN the bin on PATH under kubectl's plugin name
    const dir = tempDir('kubectl-plugin-');
    symlinkSync(join(root, 'bin', 'access-tokens.cjs'), join(dir, 'kubectl-access_tokens'));
    const manifests = join(root, 'test', 'fixtures', 'rbac-chart');
    // WHEN
    const run = spawnSync(
      kubectl as string,
      ['access-tokens', 'can-i', 'get', 'pods', '--manifests', manifests, '--as', 'nobody-at-all'],
      { encoding: 'utf8', env: { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH}` } },
    );
    // THEN kubectl found the plugin, and the CLI answered (no, exit 1, as kubectl does)
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 1, stdout: 'no\n' });
  });
});
