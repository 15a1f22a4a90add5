/**
 * The bundled CLI (lib/cli/, `npm run build`) keeps @kubernetes/client-node out of the offline
 * commands. In the bundle, client-node is code inside a chunk, not a module that Node resolves by
 * name, so a hook on the name '@kubernetes/client-node' would pass vacuously. Instead a
 * resolution hook reports every bundle file the process loads, and the test checks them against
 * lib/cli/bundle.json, where scripts/bundle.mjs lists the chunks that contain client-node.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = join(ROOT, 'lib', 'cli');
const BIN = join(ROOT, 'bin', 'access-tokens.js');
const CHART = join(ROOT, 'test', 'fixtures', 'rbac-chart');
const LINT = join(ROOT, 'test', 'fixtures', 'lint');
const MARKER = 'BUNDLE FILE ';

interface BundleManifest {
  readonly entry: string;
  readonly loadedAtStart: readonly string[];
  readonly clientNodeChunks: readonly string[];
}

const built = existsSync(join(BUNDLE, 'bundle.json'));
const manifest: BundleManifest = built
  ? JSON.parse(readFileSync(join(BUNDLE, 'bundle.json'), 'utf8'))
  : { entry: '', loadedAtStart: [], clientNodeChunks: [] };

/** Runs the CLI with a hook that prints `BUNDLE FILE <path under lib/cli>` for each file loaded. */
function runCli(...args: string[]): { status: number | null; stderr: string; loaded: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'cli-bundle-'));
  const prefix = `${pathToFileURL(BUNDLE).href}/`;
  const resolver =
    `import { writeSync } from 'node:fs';\n` +
    `export async function resolve(s, c, next) {\n` +
    `  const r = await next(s, c);\n` +
    `  if (r.url.startsWith(${JSON.stringify(prefix)}))\n` +
    `    writeSync(2, ${JSON.stringify(MARKER)} + r.url.slice(${prefix.length}) + '\\n');\n` +
    `  return r;\n` +
    `}\n`;
  const hook = join(dir, 'hook.mjs');
  writeFileSync(
    hook,
    `import { register } from 'node:module';\n` +
      `register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(resolver)}));\n`,
  );
  const token = join(dir, 'token');
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  writeFileSync(
    token,
    `${b64({ alg: 'RS256' })}.${b64({ sub: 'system:serviceaccount:a:b' })}.c2ln`,
  );
  const result = spawnSync(
    process.execPath,
    ['--import', hook, BIN, ...args.map((a) => a.replace('<token>', token))],
    {
      encoding: 'utf8',
      // No kubeconfig anywhere: the cluster form fails after loading client-node, never hangs.
      env: { PATH: process.env.PATH ?? '', HOME: dir },
      timeout: 20_000,
    },
  );
  const loaded = result.stderr
    .split('\n')
    .filter((line) => line.startsWith(MARKER))
    .map((line) => line.slice(MARKER.length));
  return { status: result.status, stderr: result.stderr, loaded };
}

describe('the bundled CLI', () => {
  test('GIVEN `npm run build` WHEN it bundled THEN lib/cli/bundle.json names client-node chunks', () => {
    expect(built).toBe(true);
    expect(manifest.clientNodeChunks.length).toBeGreaterThan(0);
    for (const chunk of manifest.clientNodeChunks) {
      expect(existsSync(join(BUNDLE, chunk))).toBe(true);
      expect(manifest.loadedAtStart).not.toContain(chunk);
    }
  });

  test('GIVEN the hook WHEN the cluster form of can-i runs THEN it loads a client-node chunk (the probe works)', () => {
    const result = runCli('can-i', 'get', 'pods');
    expect(result.loaded).toContain(manifest.entry);
    expect(result.loaded.some((f) => manifest.clientNodeChunks.includes(f))).toBe(true);
    // It got as far as looking for a cluster, i.e. client-node evaluated without error.
    expect(result.stderr).toMatch(/no cluster configured/);
  });

  test.each([
    ['can-i', ['can-i', 'get', 'pods', '--manifests', CHART, '--as', 'alice', '-n', 'shop'], 0],
    ['who-can', ['who-can', 'get', 'pods', '--manifests', CHART], 0],
    ['lint', ['lint', join(LINT, 'clean.yaml')], 0],
    ['lint -o yaml', ['lint', join(LINT, 'clean.yaml'), '-o', 'yaml'], 0],
    ['inspect', ['inspect', '--token-file', '<token>'], 0],
    ['--help', ['--help'], 0],
  ])(
    'GIVEN %s WHEN it runs from the bundle THEN no client-node chunk is loaded',
    (_, args, code) => {
      const result = runCli(...args);
      // The bundle ran (not the lib/src fallback, which test/cli-offline.test.ts covers).
      expect(result.loaded).toContain(manifest.entry);
      expect(result.loaded.filter((f) => manifest.clientNodeChunks.includes(f))).toEqual([]);
      expect(result.status).toBe(code);
    },
  );
});
