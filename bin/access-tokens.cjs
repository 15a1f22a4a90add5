#!/usr/bin/env node
'use strict';
// The `access-tokens` CLI, also installed as `kubectl-access_tokens` (`kubectl access-tokens`).
//
// Runs the esbuild bundle (lib/cli/access-tokens.cjs, `npm run build`) through bin/load-bundle.cjs,
// which compiles it from V8's code cache: one CommonJS file instead of ~25 ES modules to resolve,
// link and compile starts several times faster. The modules tsc compiled (lib/src/) are the
// fallback when the bundle is missing or older than them (a `tsc`-only rebuild during
// development), so a stale bundle never runs; ACCESS_TOKENS_UNBUNDLED=1 forces them (readable
// stack traces).
const { statSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const bundle = join(__dirname, '..', 'lib', 'cli', 'access-tokens.cjs');
const modules = join(__dirname, '..', 'lib', 'src', 'cli', 'main.js');
const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
const useBundle = process.env.ACCESS_TOKENS_UNBUNDLED !== '1' && mtime(bundle) >= mtime(modules);

const cli = useBundle
  ? Promise.resolve(require('./load-bundle.cjs').loadBundle(bundle))
  : import(pathToFileURL(modules).href);
let settled = false;
cli
  .then(({ main }) => main(process.argv.slice(2)))
  .then((code) => {
    settled = true;
    process.exitCode = code;
  });
// main() resolves to the exit code; if the event loop empties first, something was left
// unfinished: never report success then.
process.on('exit', (code) => {
  if (!settled && code === 0) {
    process.stderr.write('error: access-tokens stopped before its command finished\n');
    process.exitCode = 70;
  }
});
