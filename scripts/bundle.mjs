// Bundles the compiled CLI (lib/src/cli/main.js, from `tsc`) into lib/cli/ so that
// `access-tokens` starts without resolving and linking dozens of ES modules one by one:
//
//   lib/cli/access-tokens.mjs   the entry: commander, yaml and the offline commands
//   lib/cli/chunks/*.mjs        what the CLI imports dynamically, one chunk per boundary;
//                               @kubernetes/client-node only in the chunks of cluster commands
//   lib/cli/bundle.json         which chunks hold client-node (read by test/cli-bundle.test.ts)
//
// Run by `npm run build` after tsc. Fails the build when the entry would load client-node
// statically (offline commands must not evaluate it).
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'lib', 'cli');
const ENTRY = 'lib/src/cli/main.js';
const CLIENT_NODE = 'node_modules/@kubernetes/client-node/';

rmSync(OUT, { recursive: true, force: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: [{ in: ENTRY, out: 'access-tokens' }],
  outdir: OUT,
  bundle: true,
  // Dynamic import() boundaries become chunks, so cluster code stays unevaluated offline.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // Some dependencies are CommonJS and call require() (node:* built-ins, JSON files).
  banner: {
    js: "import { createRequire as __accessTokensCreateRequire } from 'node:module';\nconst require = __accessTokensCreateRequire(import.meta.url);",
  },
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

const outputs = result.metafile.outputs;
const holdsClientNode = (file) =>
  Object.keys(outputs[file].inputs).some((input) => input.includes(CLIENT_NODE));
const entry = Object.keys(outputs).find((file) => outputs[file].entryPoint === ENTRY);

// Everything the entry loads before main() runs: its static imports, transitively.
const loadedAtStart = new Set();
const pending = [entry];
while (pending.length > 0) {
  const file = pending.pop();
  if (loadedAtStart.has(file)) continue;
  loadedAtStart.add(file);
  for (const imported of outputs[file].imports)
    if (imported.kind === 'import-statement' && !imported.external) pending.push(imported.path);
}
const eager = [...loadedAtStart].filter(holdsClientNode);
if (eager.length > 0) {
  throw new Error(
    `the CLI entry loads @kubernetes/client-node at start-up through ${eager.join(', ')}: ` +
      'import it only from commands that talk to a cluster (dynamic import)',
  );
}

const chunks = Object.keys(outputs).filter((file) => file.endsWith('.mjs'));
const manifest = {
  entry: relative(OUT, join(ROOT, entry)),
  loadedAtStart: [...loadedAtStart].map((file) => relative(OUT, join(ROOT, file))).sort(),
  clientNodeChunks: chunks
    .filter(holdsClientNode)
    .map((file) => relative(OUT, join(ROOT, file)))
    .sort(),
};
writeFileSync(join(OUT, 'bundle.json'), `${JSON.stringify(manifest, null, 2)}\n`);

const kib = (file) => `${(outputs[file].bytes / 1024).toFixed(0)} KiB`;
console.log(
  `bundled ${relative(ROOT, join(ROOT, entry))} (${kib(entry)}) + ${chunks.length - 1} chunks; ` +
    `client-node in ${manifest.clientNodeChunks.length} of them`,
);
