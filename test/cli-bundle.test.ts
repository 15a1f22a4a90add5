/**
 * The bundled CLI (lib/cli/, `npm run build`): two CommonJS bundles, the CLI and
 * @kubernetes/client-node, each loaded by bin/load-bundle.cjs with a V8 code cache.
 *
 * Offline commands must never load client-node. In the bundle, client-node is not a module that
 * Node resolves by name, so a hook on that name would pass vacuously; instead a preloaded probe
 * reports every file under lib/cli/ that the process reads, and a control shows that the cluster
 * form of a command does read client-node.cjs.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dir.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = join(ROOT, 'lib', 'cli');
const BIN = join(ROOT, 'bin', 'access-tokens.cjs');
const LOADER = join(ROOT, 'bin', 'load-bundle.cjs');
const CHART = join(ROOT, 'test', 'fixtures', 'rbac-chart');
const LINT = join(ROOT, 'test', 'fixtures', 'lint');
const MARKER = 'BUNDLE FILE READ ';
const { digest } = createRequire(import.meta.url)(LOADER) as {
  digest: (bytes: Uint8Array) => string;
};

interface BundleManifest {
  readonly cli: { readonly file: string; readonly buildId: string };
  readonly clientNode: {
    readonly file: string;
    readonly buildId: string;
    readonly exports: readonly string[];
  };
}

const built = existsSync(join(BUNDLE, 'bundle.json'));
const manifest: BundleManifest | undefined = built
  ? JSON.parse(readFileSync(join(BUNDLE, 'bundle.json'), 'utf8'))
  : undefined;

/** A probe, preloaded with --require, that reports each file under lib/cli/ the process reads. */
function probe(dir: string): string {
  const file = join(dir, 'probe.cjs');
  writeFileSync(
    file,
    `const fs = require('node:fs');\n` +
      `const read = fs.readFileSync;\n` +
      `fs.readFileSync = function (path, ...rest) {\n` +
      `  if (typeof path === 'string' && path.startsWith(${JSON.stringify(`${BUNDLE}/`)}))\n` +
      `    fs.writeSync(2, ${JSON.stringify(MARKER)} + path.slice(${BUNDLE.length + 1}) + '\\n');\n` +
      `  return read.call(this, path, ...rest);\n` +
      `};\n`,
  );
  return file;
}

/** Runs the CLI and lists the bundle files it read. */
function runCli(...args: string[]): { status: number | null; stderr: string; read: string[] } {
  const dir = tempDir('cli-bundle-');
  const token = join(dir, 'token');
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  writeFileSync(
    token,
    `${b64({ alg: 'RS256' })}.${b64({ sub: 'system:serviceaccount:a:b' })}.c2ln`,
  );
  const result = spawnSync(
    process.execPath,
    ['--require', probe(dir), BIN, ...args.map((a) => a.replace('<token>', token))],
    {
      encoding: 'utf8',
      // No kubeconfig anywhere: the cluster form fails after loading client-node, never hangs.
      env: { PATH: process.env.PATH ?? '', HOME: dir },
      timeout: 20_000,
    },
  );
  const read = result.stderr
    .split('\n')
    .filter((line) => line.startsWith(MARKER))
    .map((line) => line.slice(MARKER.length));
  return { status: result.status, stderr: result.stderr, read };
}

describe('the bundled CLI', () => {
  test('GIVEN `npm run build` WHEN it bundled THEN lib/cli/ holds both bundles, each with its code cache', () => {
    expect(manifest).toBeDefined();
    const { cli, clientNode } = manifest as BundleManifest;
    for (const bundle of [cli, clientNode]) {
      const source = readFileSync(join(BUNDLE, bundle.file), 'utf8');
      expect(source.split('\n')[0]).toMatch(
        new RegExp(`^/\\* access-tokens build ${bundle.buildId} (ascii|utf8) \\*/$`),
      );
      // The id is the hash of the rest of the file; the cache is for that id, with a checksum.
      const bytes = readFileSync(join(BUNDLE, bundle.file));
      expect(digest(bytes.subarray(bytes.indexOf(10) + 1))).toBe(bundle.buildId);
      const cache = readFileSync(join(BUNDLE, `${bundle.file}.cache`));
      const [header] = cache.toString('latin1', 0, 128).split('\n');
      expect(header).toMatch(
        new RegExp(`^access-tokens code cache v2 ${bundle.buildId} [0-9a-f]{8}$`),
      );
      expect(header.split(' ')[5]).toBe(digest(cache.subarray(header.length + 1)));
    }
    expect(cli.buildId).not.toBe(clientNode.buildId);
    // client-node, minified, is ASCII: the loader reads it as latin1, faster than UTF-8.
    expect(readFileSync(join(BUNDLE, clientNode.file), 'latin1').split('\n')[0]).toMatch(
      / ascii \*\/$/,
    );
    // The CLI holds no client-node code: it requires the other bundle.
    const cliSource = readFileSync(join(BUNDLE, cli.file), 'utf8');
    expect(cliSource).not.toMatch(/node_modules\/@kubernetes\/client-node\//);
    expect(cliSource).toContain(JSON.stringify(clientNode.file));
  });

  test('GIVEN the client-node bundle WHEN loaded THEN it exports every name the runtime uses', async () => {
    const { clientNode } = manifest as BundleManifest;
    expect(clientNode.exports).toEqual(expect.arrayContaining(['KubeConfig', 'CoreV1Api']));
    const real = await import('@kubernetes/client-node');
    const bundled = spawnSync(
      process.execPath,
      [
        '-e',
        `const m = require(${JSON.stringify(LOADER)}).loadBundle(${JSON.stringify(join(BUNDLE, clientNode.file))});` +
          `process.stdout.write(JSON.stringify(Object.fromEntries(Object.keys(m).map((k) => [k, typeof m[k]]))));`,
      ],
      { encoding: 'utf8' },
    );
    expect(bundled.status).toBe(0);
    const types = JSON.parse(bundled.stdout) as Record<string, string>;
    for (const name of clientNode.exports) {
      expect([name, types[name]]).toEqual([
        name,
        typeof (real as unknown as Record<string, unknown>)[name],
      ]);
      expect(types[name]).not.toBe('undefined');
    }
  });

  test('GIVEN a cluster behind a SOCKS proxy WHEN the bundled client-node makes its agent THEN the lazily loaded socks-proxy-agent builds it', () => {
    const { clientNode } = manifest as BundleManifest;
    const run = spawnSync(
      process.execPath,
      [
        '-e',
        `const k8s = require(${JSON.stringify(LOADER)}).loadBundle(${JSON.stringify(join(BUNDLE, clientNode.file))});` +
          `const kc = new k8s.KubeConfig();` +
          `kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://10.0.0.1', proxyUrl: 'socks5://127.0.0.1:1080', skipTLSVerify: false }],` +
          ` users: [{ name: 'u', token: 't' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });` +
          `const agent = kc.createAgent(kc.getCurrentCluster(), {});` +
          `process.stdout.write(JSON.stringify({ proxy: agent.proxy, shouldLookup: agent.shouldLookup }));`,
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    // (Minified, the class has another name: what only a SocksProxyAgent has shows it is one.)
    expect(JSON.parse(run.stdout)).toEqual({
      proxy: { host: '127.0.0.1', port: 1080, type: 5 },
      shouldLookup: true,
    });
  });

  test('GIVEN the probe WHEN the cluster form of can-i runs THEN it reads client-node.cjs (the probe works)', () => {
    const result = runCli('can-i', 'get', 'pods');
    const { cli, clientNode } = manifest as BundleManifest;
    expect(result.read).toEqual(
      expect.arrayContaining([cli.file, `${cli.file}.cache`, clientNode.file]),
    );
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
    'GIVEN %s WHEN it runs from the bundle THEN client-node.cjs is never read',
    (_, args, code) => {
      const result = runCli(...args);
      const { cli } = manifest as BundleManifest;
      // The bundle ran (not the lib/src fallback, which test/cli-offline.test.ts covers).
      expect(result.read).toEqual([cli.file, `${cli.file}.cache`]);
      expect(result.status).toBe(code);
    },
  );
});

describe('bin/load-bundle.cjs', () => {
  /** A small bundle, with the build id of its contents, in a directory of its own. */
  function bundleCopy(body: string, charset = 'utf8'): string {
    const dir = tempDir('load-bundle-');
    const file = join(dir, 'b.cjs');
    const rest = Buffer.from(`${body}\n`);
    writeFileSync(
      file,
      Buffer.concat([Buffer.from(`/* access-tokens build ${digest(rest)} ${charset} */\n`), rest]),
    );
    return file;
  }

  /** Loads `file` in a fresh Node; reports its exports and what V8 did with the cache. */
  function load(file: string): { value: unknown; cached: boolean; rejected?: boolean } {
    const run = spawnSync(
      process.execPath,
      [
        '-e',
        // Spy on vm.Script to see the cachedData the loader passes, and whether V8 took it.
        `const vm = require('node:vm'); const Script = vm.Script; let cached = false, rejected;` +
          `vm.Script = function (src, opts) { cached = opts.cachedData !== undefined;` +
          ` const s = new Script(src, opts); rejected = s.cachedDataRejected; return s; };` +
          `const m = require(${JSON.stringify(LOADER)}).loadBundle(${JSON.stringify(file)});` +
          `process.stdout.write(JSON.stringify({ value: m.value, cached, rejected }));`,
      ],
      { encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout);
  }

  /** What V8 itself runs when handed `cacheOf`'s cache payload for `file`'s source. */
  function rawV8(file: string, cacheOf: string): unknown {
    const run = spawnSync(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs'), vm = require('node:vm');` +
          `const data = fs.readFileSync(${JSON.stringify(`${cacheOf}.cache`)});` +
          `const src = '(function (exports, require, module, __filename, __dirname) { ' + fs.readFileSync(${JSON.stringify(file)}, 'utf8') + '\\n})';` +
          `const s = new vm.Script(src, { filename: ${JSON.stringify(file)}, cachedData: data.subarray(data.indexOf(10) + 1) });` +
          `const m = { exports: {} }; s.runInThisContext().call(m.exports, m.exports, require, m);` +
          `process.stdout.write(JSON.stringify({ value: m.exports.value, rejected: s.cachedDataRejected }));`,
      ],
      { encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout);
  }

  function writeCache(file: string): void {
    const run = spawnSync(process.execPath, [
      '-e',
      `require(${JSON.stringify(LOADER)}).writeCodeCache(${JSON.stringify(file)})`,
    ]);
    expect(run.status).toBe(0);
  }

  test('GIVEN a bundle and its cache WHEN loaded THEN V8 takes the cache and the exports are right', () => {
    const file = bundleCopy('module.exports = { value: [1, 2, 3].map((n) => n * 2) };');
    expect(load(file)).toEqual({ value: [2, 4, 6], cached: false });
    writeCache(file);
    expect(load(file)).toEqual({ value: [2, 4, 6], cached: true, rejected: false });
  });

  test('GIVEN a cache made for another build of the same length WHEN loaded THEN it is not used', () => {
    const old = bundleCopy('module.exports = { value: "old" };');
    writeCache(old);
    const current = bundleCopy('module.exports = { value: "new" };');
    expect(readFileSync(old).length).toBe(readFileSync(current).length);
    copyFileSync(`${old}.cache`, `${current}.cache`);
    expect(load(current)).toEqual({ value: 'new', cached: false });
    // Control: V8 alone takes that cache (it checks only the length) and runs the old code.
    expect(rawV8(current, old)).toEqual({ value: 'old', rejected: false });
  });

  test('GIVEN a bundle edited after its build (same length, same first line) WHEN loaded THEN its cache is not used', () => {
    const file = bundleCopy('module.exports = { value: "old" };');
    writeCache(file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"old"', '"new"'));
    expect(load(file)).toEqual({ value: 'new', cached: false });
    expect(rawV8(file, file)).toEqual({ value: 'old', rejected: false });
  });

  test('GIVEN a cache damaged inside WHEN loaded THEN it is not used and the bundle runs', () => {
    // Release builds of V8 do not checksum a cache: damaged data can crash the process.
    const file = bundleCopy(
      `module.exports = { value: ${JSON.stringify(Array.from({ length: 200 }, (_, i) => `item ${i}`))}.length };`,
    );
    writeCache(file);
    const cache = readFileSync(`${file}.cache`);
    for (let at = cache.indexOf(10) + 40; at < cache.length; at += 97) cache[at] ^= 0x5a;
    writeFileSync(`${file}.cache`, cache);
    expect(load(file)).toEqual({ value: 200, cached: false });
  });

  test('GIVEN bundles marked ascii and utf8 WHEN loaded THEN each text is decoded exactly', () => {
    expect(load(bundleCopy('module.exports = { value: "plain" };', 'ascii')).value).toBe('plain');
    expect(load(bundleCopy('module.exports = { value: "Grüße, ✓" };', 'utf8')).value).toBe(
      'Grüße, ✓',
    );
  });

  test('GIVEN a bundle whose first line is not its build id WHEN writing its cache THEN it fails saying so', () => {
    const dir = tempDir('load-bundle-');
    const file = join(dir, 'b.cjs');
    writeFileSync(file, 'module.exports = {};\n');
    const run = spawnSync(
      process.execPath,
      ['-e', `require(${JSON.stringify(LOADER)}).writeCodeCache(${JSON.stringify(file)})`],
      { encoding: 'utf8' },
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`${basename(file)} has no build id matching its contents`);
  });
});

describe("scripts/code-cache.cjs --refresh (the package's postinstall)", () => {
  const SCRIPT = join(ROOT, 'scripts', 'code-cache.cjs');
  const status = (file: string, ...flags: string[]): string =>
    spawnSync(
      process.execPath,
      [
        ...flags,
        '-e',
        `process.stdout.write(require(${JSON.stringify(LOADER)}).cacheStatus(${JSON.stringify(file)}))`,
      ],
      { encoding: 'utf8' },
    ).stdout;

  test('GIVEN a cache made by another V8 configuration WHEN refreshing THEN only that cache is rewritten, and this Node takes it', () => {
    const { cli, clientNode } = manifest as BundleManifest;
    const dir = tempDir('refresh-');
    for (const name of [cli.file, clientNode.file])
      for (const file of [name, `${name}.cache`]) copyFileSync(join(BUNDLE, file), join(dir, file));
    // A cache written under another V8 flag is what another Node's cache looks like to this one.
    const other = spawnSync(process.execPath, [
      '--no-lazy-feedback-allocation',
      SCRIPT,
      'cli',
      join(dir, cli.file),
    ]);
    expect(other.status).toBe(0);
    expect(status(join(dir, cli.file))).toBe('rejected');
    expect(status(join(dir, cli.file), '--no-lazy-feedback-allocation')).toBe('accepted');
    const clientNodeCache = readFileSync(join(dir, `${clientNode.file}.cache`));

    const run = spawnSync(process.execPath, [SCRIPT, '--refresh', dir], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      `cdk8s-access-tokens: wrote the code cache of ${cli.file} (rejected) for Node ${process.version}\n`,
    );
    expect(status(join(dir, cli.file))).toBe('accepted');
    expect(readFileSync(join(dir, `${clientNode.file}.cache`)).equals(clientNodeCache)).toBe(true);
  });

  test('GIVEN a damaged cache WHEN refreshing THEN it is rewritten', () => {
    const { cli } = manifest as BundleManifest;
    const dir = tempDir('refresh-');
    copyFileSync(join(BUNDLE, cli.file), join(dir, cli.file));
    const cache = readFileSync(join(BUNDLE, `${cli.file}.cache`));
    cache[cache.length - 100] ^= 0xff;
    writeFileSync(join(dir, `${cli.file}.cache`), cache);
    expect(status(join(dir, cli.file))).toBe('damaged');
    const run = spawnSync(process.execPath, [SCRIPT, '--refresh', dir], { encoding: 'utf8' });
    expect(run.stdout).toContain(`${cli.file} (damaged)`);
    expect(status(join(dir, cli.file))).toBe('accepted');
  });

  test('GIVEN no build (a fresh checkout) WHEN refreshing THEN it does nothing and succeeds', () => {
    const run = spawnSync(process.execPath, [SCRIPT, '--refresh', tempDir('refresh-')], {
      encoding: 'utf8',
    });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
  });

  test('GIVEN an installed package (no cache) WHEN refreshing THEN both caches are written and taken', () => {
    const { cli, clientNode } = manifest as BundleManifest;
    const dir = tempDir('refresh-');
    for (const name of [cli.file, clientNode.file])
      copyFileSync(join(BUNDLE, name), join(dir, name));
    const run = spawnSync(process.execPath, [SCRIPT, '--refresh', dir], { encoding: 'utf8' });
    expect(run.stdout).toBe(
      `cdk8s-access-tokens: wrote the code cache of ${cli.file} (missing), ${clientNode.file} (missing) for Node ${process.version}\n`,
    );
    for (const name of [cli.file, clientNode.file])
      expect(status(join(dir, name))).toBe('accepted');
  });

  test('GIVEN package.json WHEN packed THEN the bundles and the refresh script ship, their caches do not', () => {
    // A cache is compiled code that V8 runs instead of the bundle, unseen by whoever reviews the
    // bundle: only the installing machine makes one (postinstall).
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.postinstall).toBe('node scripts/code-cache.cjs --refresh');
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const files = (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0].files.map(
      (f) => f.path,
    );
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/access-tokens.cjs',
        'bin/load-bundle.cjs',
        'scripts/code-cache.cjs',
        `lib/cli/${(manifest as BundleManifest).cli.file}`,
        `lib/cli/${(manifest as BundleManifest).clientNode.file}`,
      ]),
    );
    expect(files.filter((f) => f.endsWith('.cache'))).toEqual([]);
  });
});
