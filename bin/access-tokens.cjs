#!/usr/bin/env node
'use strict';
// The `access-tokens` CLI, also installed as `cdk8s-access-tokens` (for `npx`) and as
// `kubectl-access_tokens` (`kubectl access-tokens`).
//
// Runs an esbuild bundle (lib/cli/access-tokens.cjs, or lib/cli/mint.cjs for `mint`; `npm run
// build`): one CommonJS file instead of ~25 ES modules to resolve, link and compile starts
// several times faster. Where Node has a compile cache (22.1+), it is on, in the user's own
// cache folder (a shared temporary folder would let another user plant compiled code) unless
// NODE_COMPILE_CACHE names one.
// ACCESS_TOKENS_UNBUNDLED=1 runs tsc's modules (lib/src/) instead, for readable stack traces.
const { join } = require('node:path');

// node-fetch 2 (inside @kubernetes/client-node 1.x) calls url.parse(), which Node 24 reports as
// DEP0169 on every cluster command when the package does not sit in node_modules (a clone, a
// link). It is not ours to fix and tells the user nothing: that one warning is dropped, every
// other warning is printed as usual.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const code = typeof rest[0] === 'object' && rest[0] !== null ? rest[0].code : rest[1];
  if (code === 'DEP0169') return;
  return emitWarning.call(process, warning, ...rest);
};

const { enableCompileCache } = require('node:module');
if (enableCompileCache !== undefined) {
  try {
    const cacheHome = process.env.XDG_CACHE_HOME || join(require('node:os').homedir(), '.cache');
    enableCompileCache(
      process.env.NODE_COMPILE_CACHE ? undefined : join(cacheHome, 'cdk8s-access-tokens'),
    );
  } catch {
    // No home folder: the CLI runs as well without a cache, only slower to start.
  }
}

// `mint`, the command that scripts and loops run and wait for, has a program of its own with
// only that command (src/cli/mint-main.ts): half the code to load.
const mint = process.argv[2] === 'mint';
const cli =
  process.env.ACCESS_TOKENS_UNBUNDLED === '1'
    ? import(
        require('node:url').pathToFileURL(
          join(__dirname, '..', 'lib', 'src', 'cli', mint ? 'mint-main.js' : 'main.js'),
        ).href
      )
    : Promise.resolve(
        mint ? require('../lib/cli/mint.cjs') : require('../lib/cli/access-tokens.cjs'),
      );
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
