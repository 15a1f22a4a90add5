#!/usr/bin/env node
// The `access-tokens` CLI, also installed as `kubectl-access_tokens` (`kubectl access-tokens`).
//
// Runs the esbuild bundle (lib/cli/, `npm run build`): one file instead of ~25 ES modules to
// resolve and link starts faster. The modules tsc compiled (lib/src/) are the fallback when the
// bundle is missing or older than them (a `tsc`-only rebuild during development), so a stale
// bundle never runs; ACCESS_TOKENS_UNBUNDLED=1 forces them (readable stack traces).
import { statSync } from 'node:fs';
import { URL } from 'node:url';

const bundle = new URL('../lib/cli/access-tokens.mjs', import.meta.url);
const modules = new URL('../lib/src/cli/main.js', import.meta.url);
const mtime = (url) => statSync(url, { throwIfNoEntry: false })?.mtimeMs ?? -1;
const useBundle = process.env.ACCESS_TOKENS_UNBUNDLED !== '1' && mtime(bundle) >= mtime(modules);

const { main } = await import(useBundle ? bundle.href : modules.href);
process.exitCode = await main(process.argv.slice(2));
