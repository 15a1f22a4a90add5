/**
 * The program itself (`src/cli/main.ts`): `--version`, and kubectl's `--token X` refused with
 * a pointer to the safe flags, never echoing the value. Run in-process through `main`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInProcess } from './cli-in-process.js';
import { packageVersion } from '../src/cli/version.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

describe('--version', () => {
  test.each([['--version'], ['-V']])(
    'GIVEN %s THEN the package version and exit 0',
    async (flag) => {
      expect(await runInProcess([flag])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    },
  );

  test('GIVEN a folder inside the package WHEN its version is looked up THEN the package.json above it is read', () => {
    expect(packageVersion(join(ROOT, 'lib', 'cli'))).toBe(VERSION);
    expect(() => packageVersion('/')).toThrow(
      /cannot find the package.json of cdk8s-access-tokens/,
    );
  });
});

describe('--token', () => {
  const SECRET = 'sha256~Xk2pQ9vL7mN4rT8wZ1yB5cD3fG6hJ0kA2sE4uI9oPq';
  test.each([
    [['inspect', '--token', SECRET]],
    [['can-i', 'get', 'pods', `--token=${SECRET}`]],
    [['mint', 'deployer', '-n', 'shop', '--token', SECRET]],
  ])(
    'GIVEN %j THEN a usage error pointing to --token-file/--token-env that never echoes the value',
    async (argv) => {
      const r = await runInProcess(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^error: --token is not an option: .*--token-file FILE, --token-file - \(standard input\) or --token-env VAR/,
      );
      expect(r.stderr + r.stdout).not.toContain(SECRET.slice(8, 24));
    },
  );

  test('GIVEN --token after -- THEN it is an argument, not the option', async () => {
    const r = await runInProcess(['lint', '--', '--token']);
    expect(r.stderr).not.toMatch(/--token is not an option/);
  });
});
