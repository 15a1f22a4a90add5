/**
 * The bundled CLI (lib/cli/, `npm run build`): CommonJS bundles (the CLI, the CLI with `mint`
 * alone, and @kubernetes/client-node) loaded with a plain require, with their manifest and
 * licences.
 *
 * Offline commands must never load client-node. In the bundle, client-node is not a module that
 * Node resolves by name, so a hook on that name would pass vacuously; instead a preloaded probe
 * reports every file under lib/cli/ in require's cache when the process exits, and a control
 * shows that the cluster form of a command does load client-node.cjs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dir.js';
import { unreachableClusterFlags } from './unreachable-cluster.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = join(ROOT, 'lib', 'cli');
const BIN = join(ROOT, 'bin', 'access-tokens.cjs');
const CHART = join(ROOT, 'test', 'fixtures', 'rbac-chart');
const LINT = join(ROOT, 'test', 'fixtures', 'lint');
const MARKER = 'BUNDLE FILE LOADED ';

interface BundledPackage {
  readonly name: string;
  readonly version: string;
  readonly license: string;
}

interface BundleManifest {
  readonly cli: { readonly file: string; readonly packages: readonly BundledPackage[] };
  readonly mint: { readonly file: string; readonly packages: readonly BundledPackage[] };
  readonly clientNode: {
    readonly file: string;
    readonly exports: readonly string[];
    readonly packages: readonly BundledPackage[];
  };
}

const built = existsSync(join(BUNDLE, 'bundle.json'));
const manifest: BundleManifest | undefined = built
  ? JSON.parse(readFileSync(join(BUNDLE, 'bundle.json'), 'utf8'))
  : undefined;

const UNREACHABLE = unreachableClusterFlags();

/** A probe, preloaded with --require, that reports each file under lib/cli/ the process loaded. */
function probe(dir: string): string {
  const file = join(dir, 'probe.cjs');
  writeFileSync(
    file,
    `process.on('exit', () => {\n` +
      `  for (const path of Object.keys(require.cache))\n` +
      `    if (path.startsWith(${JSON.stringify(`${BUNDLE}/`)}))\n` +
      `      require('node:fs').writeSync(2, ${JSON.stringify(MARKER)} + path.slice(${BUNDLE.length + 1}) + '\\n');\n` +
      `});\n`,
  );
  return file;
}

/** Runs the CLI and lists the bundle files it loaded. */
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
    .map((line) => line.slice(MARKER.length))
    .sort();
  return { status: result.status, stderr: result.stderr, read };
}

describe('the bundled CLI', () => {
  test('GIVEN `npm run build` WHEN it bundled THEN lib/cli/ holds the bundles and both CLI bundles require the client-node one', () => {
    expect(manifest).toBeDefined();
    const { cli, mint, clientNode } = manifest as BundleManifest;
    expect([cli.file, mint.file, clientNode.file].map((f) => existsSync(join(BUNDLE, f)))).toEqual([
      true,
      true,
      true,
    ]);
    for (const file of [cli.file, mint.file]) {
      // No client-node code inside: it requires the other bundle.
      const source = readFileSync(join(BUNDLE, file), 'utf8');
      expect(source).not.toMatch(/node_modules\/@kubernetes\/client-node\//);
      expect(source).toContain(`require("./${clientNode.file}")`);
    }
    // The point of the mint bundle: much less to load than the whole CLI.
    expect(statSync(join(BUNDLE, mint.file)).size).toBeLessThan(
      0.7 * statSync(join(BUNDLE, cli.file)).size,
    );
  });

  test('GIVEN the client-node bundle WHEN loaded THEN it exports every name of scripts/client-node-exports.mjs, as client-node does', async () => {
    const { clientNode } = manifest as BundleManifest;
    // The names, read from the source module (an oracle apart from the build script).
    const source = readFileSync(join(ROOT, 'scripts', 'client-node-exports.mjs'), 'utf8');
    const listed = (/export \{([^}]*)\} from '@kubernetes\/client-node'/.exec(source)?.[1] ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '')
      .sort();
    expect(listed).toEqual(expect.arrayContaining(['KubeConfig', 'CoreV1Api']));
    expect(clientNode.exports).toEqual(listed);
    const real = await import('@kubernetes/client-node');
    const bundled = spawnSync(
      process.execPath,
      [
        '-e',
        `const m = require(${JSON.stringify(join(BUNDLE, clientNode.file))});` +
          `process.stdout.write(JSON.stringify(Object.fromEntries(Object.keys(m).map((k) => [k, typeof m[k]]))));`,
      ],
      { encoding: 'utf8' },
    );
    expect(bundled.status).toBe(0);
    const types = JSON.parse(bundled.stdout) as Record<string, string>;
    expect(Object.keys(types).sort()).toEqual(listed);
    for (const name of listed) {
      expect([name, types[name]]).toEqual([
        name,
        typeof (real as unknown as Record<string, unknown>)[name],
      ]);
      expect(types[name]).not.toBe('undefined');
    }
  });

  test('GIVEN a runtime module that reads a name the client-node bundle lacks WHEN bundling THEN the build fails naming it', async () => {
    // The same check scripts/bundle.mjs makes (import-is-undefined as an error), on a small case.
    const { build } = await import('esbuild');
    const dir = tempDir('bundle-names-');
    writeFileSync(join(dir, 'k8s.mjs'), 'export const { KubeConfig } = require("./other.cjs");\n');
    writeFileSync(
      join(dir, 'use.mjs'),
      "import * as k8s from './k8s.mjs';\nexport const f = () => new k8s.AppsV1Api();\n",
    );
    await expect(
      build({
        entryPoints: [join(dir, 'use.mjs')],
        bundle: true,
        format: 'cjs',
        platform: 'node',
        write: false,
        external: ['./other.cjs'],
        logLevel: 'silent',
        logOverride: { 'import-is-undefined': 'error' },
      }),
    ).rejects.toThrow(/Import "AppsV1Api" will always be undefined/);
    const script = readFileSync(join(ROOT, 'scripts', 'bundle.mjs'), 'utf8');
    expect(script).toContain("logOverride: { 'import-is-undefined': 'error' }");
  });

  test('GIVEN the bundles WHEN built THEN bundle.json lists each package inside with its installed version, and THIRD-PARTY-LICENSES.txt holds their licences', () => {
    const { cli, mint, clientNode } = manifest as BundleManifest;
    const installed = (name: string): string =>
      JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
    const names = (packages: readonly BundledPackage[]): string[] => packages.map((p) => p.name);
    expect(names(cli.packages)).toEqual(expect.arrayContaining(['commander', 'js-yaml']));
    expect(names(cli.packages)).not.toContain('@kubernetes/client-node');
    // What the issue names: client-node and the HTTP/auth code it carries.
    expect(names(clientNode.packages)).toEqual(
      expect.arrayContaining(['@kubernetes/client-node', 'node-fetch', 'openid-client']),
    );
    for (const name of ['commander', '@kubernetes/client-node', 'node-fetch', 'openid-client'])
      expect([...cli.packages, ...clientNode.packages].find((p) => p.name === name)?.version).toBe(
        installed(name),
      );
    const licences = readFileSync(join(BUNDLE, 'THIRD-PARTY-LICENSES.txt'), 'utf8');
    // The mint bundle is cut from the same program: nothing in it that the CLI's lacks.
    expect(names(mint.packages)).toEqual(expect.arrayContaining(['commander', 'js-yaml']));
    for (const p of mint.packages) expect(cli.packages).toContainEqual(p);
    for (const p of [...cli.packages, ...clientNode.packages]) {
      expect(p.license).not.toBe('UNKNOWN');
      expect(licences).toContain(`\n${p.name}@${p.version} (${p.license})\n`);
    }
    // client-node's own licence text, copied whole.
    expect(licences).toContain(
      readFileSync(join(ROOT, 'node_modules', '@kubernetes', 'client-node', 'LICENSE'), 'utf8')
        .trim()
        .slice(0, 2000),
    );
  });

  test('GIVEN a cluster behind a SOCKS proxy WHEN the bundled client-node makes its agent THEN the lazily loaded socks-proxy-agent builds it', () => {
    const { clientNode } = manifest as BundleManifest;
    const run = spawnSync(
      process.execPath,
      [
        '-e',
        `const k8s = require(${JSON.stringify(join(BUNDLE, clientNode.file))});` +
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

  test('GIVEN the probe WHEN the cluster form of can-i runs THEN it loads client-node.cjs (the probe works)', () => {
    const result = runCli('can-i', 'get', 'pods', ...UNREACHABLE);
    const { cli, clientNode } = manifest as BundleManifest;
    expect(result.read).toEqual([cli.file, clientNode.file].sort());
    // It got as far as sending the review, i.e. client-node evaluated without error.
    expect(result.stderr).toMatch(/cannot create selfsubjectaccessreviews: ECONNREFUSED/);
  });

  test('GIVEN a kubeconfig with a token WHEN mint runs THEN it loads the mint bundle alone: neither the whole CLI nor client-node.cjs (the TokenRequest goes over node:https)', () => {
    const result = runCli('mint', 'app', ...UNREACHABLE);
    const { mint } = manifest as BundleManifest;
    expect(result.read).toEqual([mint.file]);
    expect(result.stderr).toMatch(/serviceaccounts\/token.*ECONNREFUSED/);
  });

  test('GIVEN `mint` not as the first argument (`--version`, `help mint`) WHEN the CLI runs THEN the whole CLI answers', () => {
    const { cli } = manifest as BundleManifest;
    for (const args of [['help', 'mint'], ['--version']]) {
      const result = runCli(...args);
      expect([args, result.status, result.read]).toEqual([args, 0, [cli.file]]);
    }
  });

  // The mint bundle must be the same program as the CLI's for every `mint ...` command line:
  // the whole CLI (main.ts) is the oracle, run in the same process with recorded streams.
  test.each([
    ['help', ['mint', '--help']],
    ['no ServiceAccount', ['mint']],
    ['an unknown option', ['mint', 'app', '--frobnicate']],
    ['a bad -o', ['mint', 'app', '-o', 'xml']],
    ['kubectl short options, unreachable server', ['mint', 'app', '-n=shop', '-o=json']],
    ['a bad duration', ['mint', 'app', '--duration', 'soon']],
    ['--token on the command line', ['mint', 'app', '--token', 'abc']],
    ['--from and a name', ['mint', 'app', '--from', '/nonexistent']],
    ['--version after mint', ['mint', '--version']],
  ])(
    'GIVEN `access-tokens mint` with %s WHEN run from mint.cjs THEN it prints and exits as the whole CLI does',
    (_, args) => {
      const { cli, mint } = manifest as BundleManifest;
      const dir = tempDir('mint-same-');
      const script =
        `const io = (out) => ({ stdout: (t) => out.push(['out', t]), stderr: (t) => out.push(['err', t]),` +
        ` stdin: (async function* () {})(), env: { KUBECONFIG: process.argv[1] }, stderrIsTerminal: false });` +
        `const args = JSON.parse(process.argv[2]);` +
        `(async () => { const r = {};` +
        ` for (const f of ${JSON.stringify([cli.file, mint.file])}) {` +
        `  const out = []; const code = await require(${JSON.stringify(`${BUNDLE}/`)} + f).main(args, io(out)); r[f] = { code, out }; }` +
        ` process.stdout.write(JSON.stringify(r)); })();`;
      const kubeconfig = UNREACHABLE[UNREACHABLE.indexOf('--kubeconfig') + 1];
      const run = spawnSync(process.execPath, ['-e', script, kubeconfig, JSON.stringify(args)], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: dir },
        timeout: 20_000,
      });
      expect(run.stderr).toBe('');
      const result = JSON.parse(run.stdout) as Record<string, { code: number; out: string[][] }>;
      expect(result[cli.file].out.length).toBeGreaterThan(0);
      expect(result[mint.file]).toEqual(result[cli.file]);
    },
  );

  test.each([
    ['can-i', ['can-i', 'get', 'pods', '--manifests', CHART, '--as', 'alice', '-n', 'shop'], 0],
    ['who-can', ['who-can', 'get', 'pods', '--manifests', CHART], 0],
    ['lint', ['lint', join(LINT, 'clean.yaml')], 0],
    ['lint -o yaml', ['lint', join(LINT, 'clean.yaml'), '-o', 'yaml'], 0],
    ['inspect', ['inspect', '--token-file', '<token>'], 0],
    ['--help', ['--help'], 0],
  ])(
    'GIVEN %s WHEN it runs from the bundle THEN client-node.cjs is never loaded',
    (_, args, code) => {
      const result = runCli(...args);
      const { cli } = manifest as BundleManifest;
      // The bundle ran (not tsc's lib/src, which test/cli-offline.test.ts covers).
      expect(result.read).toEqual([cli.file]);
      expect(result.status).toBe(code);
    },
  );

  test('GIVEN lib/src newer than the bundle (npm extracts it after lib/cli) WHEN the CLI runs THEN it still runs the bundle', () => {
    const { cli } = manifest as BundleManifest;
    const dir = tempDir('newer-src-');
    const main = join(ROOT, 'lib', 'src', 'cli', 'main.js');
    const later = new Date(Date.now() + 60_000);
    const before = statSync(main);
    utimesSync(main, later, later);
    try {
      const run = spawnSync(process.execPath, ['--require', probe(dir), BIN, '--help'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: dir },
      });
      expect(run.status).toBe(0);
      expect(run.stderr).toContain(`${MARKER}${cli.file}`);
    } finally {
      utimesSync(main, before.atime, before.mtime);
    }
  });

  test('GIVEN package.json WHEN packed THEN the bundles, their manifest and licences ship, and no install script or code cache', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const script of ['preinstall', 'install', 'postinstall'])
      expect([script, pkg.scripts[script]]).toEqual([script, undefined]);
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const files = (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0].files.map(
      (f) => f.path,
    );
    const { cli, mint, clientNode } = manifest as BundleManifest;
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/access-tokens.cjs',
        `lib/cli/${cli.file}`,
        `lib/cli/${mint.file}`,
        `lib/cli/${clientNode.file}`,
        'lib/cli/bundle.json',
        'lib/cli/THIRD-PARTY-LICENSES.txt',
        'LICENSE',
      ]),
    );
    expect(files.filter((f) => f.endsWith('.cache') || f.startsWith('scripts/'))).toEqual([]);
  });
});
