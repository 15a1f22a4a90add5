// Bundles the compiled CLI (lib/src/cli/main.js, from `tsc`) into lib/cli/ so that
// `access-tokens` starts without resolving, linking and compiling dozens of ES modules:
//
//   lib/cli/access-tokens.cjs        the CLI: commander, js-yaml, every command and the runtime;
//                                    what a command imports dynamically is evaluated only then
//   lib/cli/client-node.cjs          @kubernetes/client-node, minified; the CLI requires it
//                                    (through bin/load-bundle.cjs) only when a command that
//                                    talks to a cluster initializes the runtime modules
//   lib/cli/*.cjs.cache              V8's code cache of each, made by this Node (see
//                                    bin/load-bundle.cjs); another Node rejects it and compiles,
//                                    unless `code-cache.cjs --refresh` (postinstall) rewrote it
//   lib/cli/bundle.json              what is where (read by test/cli-bundle.test.ts)
//
// CommonJS, not ES modules, because only vm.Script takes a code cache on Node 20. Run by
// `npm run build` after tsc.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { Buffer } from 'node:buffer';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'lib', 'cli');
const LOADER = join(ROOT, 'bin', 'load-bundle.cjs');
const { digest } = createRequire(import.meta.url)(LOADER);
const CLI = join(OUT, 'access-tokens.cjs');
const CLIENT_NODE = join(OUT, 'client-node.cjs');

const common = {
  absWorkingDir: ROOT,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  legalComments: 'linked',
  metafile: true,
  write: false,
  logLevel: 'warning',
};

// Inside the CLI bundle, '@kubernetes/client-node' is this module: it loads the other bundle.
const clientNodeShim = {
  name: 'client-node-bundle',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({
      path: 'client-node',
      namespace: 'client-node-bundle',
    }));
    b.onResolve({ filter: /load-bundle\.cjs$/, namespace: 'client-node-bundle' }, (args) => ({
      path: args.path,
      external: true,
    }));
    b.onLoad({ filter: /.*/, namespace: 'client-node-bundle' }, () => ({
      loader: 'js',
      contents:
        `module.exports = require(${JSON.stringify(relative(OUT, LOADER))})` +
        `.loadBundle(require('node:path').join(__dirname, ${JSON.stringify(basename(CLIENT_NODE))}));`,
    }));
  },
};

// Dependencies that a package requires at start-up but uses, if ever, only later: in the bundle,
// that package gets a stand-in whose exports are getters that require the real module on first
// use (which stays in the bundle, unevaluated until then). A stand-in is right only while its
// importer reads the module's exports inside functions, never at start-up: each entry says why.
const LAZY_REQUIRES = [
  // commander requires child_process (10 ms) for executable subcommands; this CLI has none.
  { importer: 'commander', module: /^(node:)?child_process$/ },
  // node-fetch 2 (client-node's HTTP) requires whatwg-url, with tr46's 250 KB Unicode table,
  // for `Url.URL || whatwgUrl.URL`: on Node >= 10 `Url.URL` is always there.
  { importer: 'node-fetch', module: /^whatwg-url$/ },
  // client-node's KubeConfig imports socks-proxy-agent (with socks and ip-address, ~8 ms) and
  // constructs one in createAgent() only, for a cluster behind a SOCKS proxy.
  { importer: '@kubernetes/client-node', module: /^socks-proxy-agent$/ },
];

const lazyRequires = {
  name: 'lazy-requires',
  setup(b) {
    for (const { importer, module } of LAZY_REQUIRES) {
      const from = new RegExp(
        `[\\\\/]node_modules[\\\\/]${importer.replace('/', '[\\\\/]')}[\\\\/]`,
      );
      b.onResolve({ filter: module }, async (args) => {
        if (!from.test(args.importer) || args.namespace !== 'file') return undefined;
        const real = await b.resolve(args.path, {
          kind: 'require-call',
          resolveDir: args.resolveDir,
        });
        if (real.errors.length > 0) return { errors: real.errors };
        // What the real module exports, read now, so that the stand-in has the same names.
        const target = real.external ? args.path : real.path;
        const exported = createRequire(join(args.resolveDir, 'index.js'))(target);
        return {
          path: args.path,
          namespace: 'lazy-require',
          pluginData: {
            target,
            names: Object.keys(exported),
            esModule: exported.__esModule === true,
          },
        };
      });
    }
    b.onLoad({ filter: /.*/, namespace: 'lazy-require' }, ({ pluginData }) => ({
      loader: 'js',
      resolveDir: ROOT,
      contents:
        'let real;\n' +
        `const load = () => (real ??= require(${JSON.stringify(pluginData.target)}));\n` +
        (pluginData.esModule
          ? "Object.defineProperty(exports, '__esModule', { value: true });\n"
          : '') +
        `for (const name of ${JSON.stringify(pluginData.names)})\n` +
        '  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });\n',
    }));
  },
};

/**
 * The names the CLI bundle reads from client-node. esbuild turns each `import * as k8s from
 * '@kubernetes/client-node'` into `k8sN = __toESM(require_client_node(), 1)` and each use into
 * `k8sN.Name`. Any other use of the module (passed around, destructured, indexed) would need
 * names this cannot see, so it fails the build rather than ship a bundle that lacks them.
 */
function clientNodeNamesUsedBy(text) {
  const lines = text.split('\n');
  const where = (index) => `access-tokens.cjs line ${text.slice(0, index).split('\n').length + 1}`;
  const namespaces = new Set();
  for (const m of text.matchAll(/require_client_node\(/g)) {
    const line = lines[text.slice(0, m.index).split('\n').length - 1];
    const assigned = /^\s*([\w$]+) = __toESM\(require_client_node\(\), 1\);$/.exec(line);
    if (assigned) namespaces.add(assigned[1]);
    else if (!/^var require_client_node = __commonJS\(/.test(line.trim()))
      throw new Error(
        `client-node is used other than as a namespace at ${where(m.index)}: ${line.trim()}`,
      );
  }
  const names = new Set();
  for (const ns of namespaces) {
    for (const m of text.matchAll(
      new RegExp(`(?<![\\w$.])${ns.replace('$', '\\$')}(?![\\w$])(\\.[A-Za-z_$][\\w$]*)?`, 'g'),
    )) {
      if (m[1]) {
        names.add(m[1].slice(1));
        continue;
      }
      const line = lines[text.slice(0, m.index).split('\n').length - 1].trim();
      const declaredOrAssigned =
        (/^var [\w$, ]+;$/.test(line) && line.includes(ns)) ||
        line === `${ns} = __toESM(require_client_node(), 1);`;
      if (!declaredOrAssigned)
        throw new Error(
          `client-node's namespace ${ns} is used other than as ${ns}.Name at ${where(m.index)}: ${line}`,
        );
    }
  }
  if (names.size === 0)
    throw new Error('found no use of @kubernetes/client-node in the CLI bundle');
  return [...names].sort();
}

/** Writes the output with its build id (the CRC-32 of the code) on the first line. */
function writeBundle(result, file) {
  const output = result.outputFiles.find((f) => f.path === file);
  if (output === undefined) throw new Error(`esbuild wrote no ${file}`);
  const bytes = output.contents;
  // The loader checks the rest of the file against this id before it uses a code cache.
  const id = digest(bytes);
  const charset = bytes.every((byte) => byte < 0x80) ? 'ascii' : 'utf8';
  const header = Buffer.from(`/* access-tokens build ${id} ${charset} */\n`);
  writeFileSync(file, Buffer.concat([header, bytes]));
  for (const other of result.outputFiles)
    if (other !== output) writeFileSync(other.path, other.contents);
  return { id, bytes: header.length + bytes.length };
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const cli = await build({
  ...common,
  entryPoints: ['lib/src/cli/main.js'],
  outfile: CLI,
  plugins: [clientNodeShim, lazyRequires],
});

// client-node exports classes for every API group; the CLI bundle holds only what the runtime
// names (`k8s.CoreV1Api`, ...), so client-node is bundled with exactly those exports and
// esbuild leaves the rest out.
const cliText = cli.outputFiles.find((f) => f.path === CLI).text;
const used = clientNodeNamesUsedBy(cliText);
const clientNode = await build({
  ...common,
  stdin: {
    contents: `export { ${used.join(', ')} } from '@kubernetes/client-node';`,
    resolveDir: ROOT,
    loader: 'js',
  },
  outfile: CLIENT_NODE,
  // Third-party code read by nobody: minified, it is a third of the size to read and compile.
  minify: true,
  plugins: [lazyRequires],
});
const inputs = (result) =>
  Object.values(result.metafile.outputs).flatMap((o) => Object.keys(o.inputs));
const leaked = inputs(cli).filter((input) =>
  input.includes('node_modules/@kubernetes/client-node/'),
);
if (leaked.length > 0) throw new Error(`the CLI bundle contains client-node itself: ${leaked[0]}`);

const written = { cli: writeBundle(cli, CLI), clientNode: writeBundle(clientNode, CLIENT_NODE) };

// The code caches, made by a fresh Node (as the CLI will run) after a warm-up.
const caches = {};
for (const [kind, file] of [
  ['cli', CLI],
  ['client-node', CLIENT_NODE],
]) {
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'code-cache.cjs'), kind, file], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  if (run.status !== 0) throw new Error(`code cache of ${file} failed: ${run.stderr}`);
  caches[basename(file)] = Number(run.stdout);
}

const manifest = {
  cli: { file: basename(CLI), buildId: written.cli.id },
  clientNode: { file: basename(CLIENT_NODE), buildId: written.clientNode.id, exports: used },
};
writeFileSync(join(OUT, 'bundle.json'), `${JSON.stringify(manifest, null, 2)}\n`);

const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(
  `bundled ${basename(CLI)} (${kib(written.cli.bytes)}, cache ${kib(caches[basename(CLI)])}) and ` +
    `${basename(CLIENT_NODE)} (${kib(written.clientNode.bytes)}, cache ${kib(caches[basename(CLIENT_NODE)])})`,
);
