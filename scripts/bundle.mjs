// Bundles the compiled CLI (lib/src/cli/main.js, from `tsc`) into lib/cli/ so that
// `access-tokens` starts without resolving, linking and compiling dozens of ES modules:
//
//   lib/cli/access-tokens.cjs          the CLI: commander, js-yaml, every command and the runtime;
//                                      what a command imports dynamically is evaluated only then
//   lib/cli/mint.cjs                   the same program with `mint` alone (src/cli/mint-main.ts),
//                                      which bin/access-tokens.cjs runs for `access-tokens mint`
//   lib/cli/client-node.cjs            @kubernetes/client-node, minified, holding only what
//                                      scripts/client-node-exports.mjs names; the CLI requires it
//                                      only when a command that talks to a cluster initializes
//                                      the runtime modules
//   lib/cli/bundle.json                the manifest: each bundle's file and the packages (name,
//                                      version, licence) it contains
//   lib/cli/THIRD-PARTY-LICENSES.txt   the licence texts of those packages
//
// bin/access-tokens.cjs loads the CLI bundle with a plain require (and Node's own compile cache
// where Node has one). Run by `npm run build` after tsc.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'lib', 'cli');
const CLI = join(OUT, 'access-tokens.cjs');
const MINT = join(OUT, 'mint.cjs');
const CLIENT_NODE = join(OUT, 'client-node.cjs');
const CLIENT_NODE_EXPORTS = join(ROOT, 'scripts', 'client-node-exports.mjs');

const common = {
  absWorkingDir: ROOT,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // The licences ship whole in THIRD-PARTY-LICENSES.txt.
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  // A name read from a module that does not export it is `undefined` at run time: fail instead.
  logOverride: { 'import-is-undefined': 'error' },
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
 * Inside the CLI bundle, '@kubernetes/client-node' is an ES module exporting `names`, each read
 * from the client-node bundle: esbuild then knows every name the runtime may read from it.
 */
function clientNodeBundle(names) {
  return {
    name: 'client-node-bundle',
    setup(b) {
      b.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({
        path: 'client-node',
        namespace: 'client-node-bundle',
      }));
      b.onResolve({ filter: /^\.\/client-node\.cjs$/, namespace: 'client-node-bundle' }, () => ({
        path: `./${basename(CLIENT_NODE)}`,
        external: true,
      }));
      b.onLoad({ filter: /.*/, namespace: 'client-node-bundle' }, () => ({
        loader: 'js',
        contents: `export const { ${names.join(', ')} } = require('./${basename(CLIENT_NODE)}');\n`,
      }));
    },
  };
}

/** The folder of the npm package that `input` (a path in esbuild's metafile) belongs to. */
function packageDirOf(input) {
  const parts = input.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const length = parts[at + 1].startsWith('@') ? 3 : 2;
  return parts.slice(0, at + length).join('/');
}

/** The packages (name, version, licence, licence files) whose code a bundle contains. */
function packagesIn(result) {
  const dirs = new Set();
  for (const output of Object.values(result.metafile.outputs))
    for (const input of Object.keys(output.inputs)) {
      const dir = packageDirOf(input);
      if (dir !== undefined) dirs.add(dir);
    }
  return [...dirs]
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
      const licenceFiles = readdirSync(join(ROOT, dir))
        .filter((f) => /^(licen[cs]e|copying|notice)([.-].*)?$/i.test(f))
        .sort();
      return {
        name: pkg.name,
        version: pkg.version,
        license: typeof pkg.license === 'string' ? pkg.license : 'UNKNOWN',
        dir,
        licenceFiles,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

function licenceText(packages) {
  const sections = packages.map((p) => {
    const texts =
      p.licenceFiles.length > 0
        ? p.licenceFiles.map((f) => readFileSync(join(ROOT, p.dir, f), 'utf8').trim())
        : [`(the package ships no licence file; its package.json declares ${p.license})`];
    return `${'='.repeat(78)}\n${p.name}@${p.version} (${p.license})\n${'='.repeat(78)}\n\n${texts.join('\n\n')}\n`;
  });
  return (
    'Third-party software bundled in lib/cli/ of cdk8s-access-tokens (bundle.json lists which\n' +
    'bundle holds which package). Generated by scripts/bundle.mjs.\n\n' +
    sections.join('\n')
  );
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

// client-node exports classes for every API group; the client-node bundle holds only the names
// scripts/client-node-exports.mjs re-exports, and esbuild leaves the rest out.
const clientNode = await build({
  ...common,
  entryPoints: [CLIENT_NODE_EXPORTS],
  outfile: CLIENT_NODE,
  // Third-party code read by nobody: minified, it is a third of the size to read and compile.
  minify: true,
  plugins: [lazyRequires],
});
const exported = Object.keys(createRequire(import.meta.url)(CLIENT_NODE)).sort();

const cli = await build({
  ...common,
  entryPoints: ['lib/src/cli/main.js'],
  outfile: CLI,
  plugins: [clientNodeBundle(exported), lazyRequires],
});

const mint = await build({
  ...common,
  entryPoints: ['lib/src/cli/mint-main.js'],
  outfile: MINT,
  plugins: [clientNodeBundle(exported), lazyRequires],
});

const cliPackages = packagesIn(cli);
const mintPackages = packagesIn(mint);
for (const [file, packages] of [
  [CLI, cliPackages],
  [MINT, mintPackages],
]) {
  const leaked = packages.find((p) => p.name === '@kubernetes/client-node');
  if (leaked) throw new Error(`${basename(file)} contains client-node itself (${leaked.dir})`);
}
const clientNodePackages = packagesIn(clientNode);

const listed = (packages) =>
  packages.map(({ name, version, license }) => ({ name, version, license }));
const manifest = {
  cli: { file: basename(CLI), packages: listed(cliPackages) },
  mint: { file: basename(MINT), packages: listed(mintPackages) },
  clientNode: {
    file: basename(CLIENT_NODE),
    exports: exported,
    packages: listed(clientNodePackages),
  },
};
writeFileSync(join(OUT, 'bundle.json'), `${JSON.stringify(manifest, null, 2)}\n`);
const all = new Map(
  [...cliPackages, ...mintPackages, ...clientNodePackages].map((p) => [
    `${p.name}@${p.version}`,
    p,
  ]),
);
writeFileSync(
  join(OUT, 'THIRD-PARTY-LICENSES.txt'),
  licenceText([...all.values()].sort((a, b) => a.name.localeCompare(b.name))),
);

const kib = (file) => `${(readFileSync(file).length / 1024).toFixed(0)} KiB`;
console.log(
  `bundled ${basename(CLI)} (${kib(CLI)}, ${cliPackages.length} packages), ` +
    `${basename(MINT)} (${kib(MINT)}, ${mintPackages.length} packages) and ` +
    `${basename(CLIENT_NODE)} (${kib(CLIENT_NODE)}, ${clientNodePackages.length} packages)`,
);
