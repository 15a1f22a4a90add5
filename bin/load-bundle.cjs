'use strict';
// Loads the CommonJS bundles in lib/cli/ (scripts/bundle.mjs) with V8's code cache.
//
// Compiling the bundles is most of the CLI's start-up: @kubernetes/client-node alone is 1.6 MB of
// JavaScript. Node 20 caches compiled code for neither CommonJS nor ES modules, but vm.Script
// takes a code cache, so `npm run build` writes one beside each bundle (writeCodeCache, run by
// the same Node that runs the CLI) and loadBundle hands it to V8.
//
// V8 checks a cache's V8 version and flags, and rejects it then (the bundle is compiled as usual,
// only slower); of the source it checks only the length. So each bundle starts with a build id
// (a hash of its code) and its cache file with the same id: a cache from another build of the
// bundle is never used, whatever its length. The same line says whether the bundle is ASCII,
// which is read faster as latin1 than as UTF-8 (the same characters).

const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { basename, dirname, join } = require('node:path');
const { Script } = require('node:vm');

const BUILD_ID = /^\/\* access-tokens build ([0-9a-f]{16,}) (ascii|utf8) \*\//;
const CACHE_MAGIC = 'access-tokens code cache ';
// The bundle becomes the body of a function, as Node wraps a CommonJS module; on the bundle's
// first line, so that stack traces keep its line numbers.
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) { ';
const WRAPPER_END = '\n})';

function cacheFile(file) {
  return `${file}.cache`;
}

/** The cached data for `source` from `file`'s cache, when the cache was made for this build. */
function readCodeCache(file, source) {
  const id = BUILD_ID.exec(source)?.[1];
  if (id === undefined) return undefined;
  let data;
  try {
    data = readFileSync(cacheFile(file));
  } catch {
    return undefined;
  }
  const header = `${CACHE_MAGIC}${id}\n`;
  if (data.length <= header.length || data.toString('latin1', 0, header.length) !== header) {
    return undefined;
  }
  return data.subarray(header.length);
}

/** The bundle's text, decoded as its first line says (UTF-8 when it says nothing). */
function readSource(file) {
  const bytes = readFileSync(file);
  const charset = BUILD_ID.exec(bytes.toString('latin1', 0, 128))?.[2];
  return bytes.toString(charset === 'ascii' ? 'latin1' : 'utf8');
}

function compile(file, cachedData) {
  const source = readSource(file);
  const script = new Script(WRAPPER_START + source + WRAPPER_END, {
    filename: file,
    cachedData: cachedData === false ? undefined : readCodeCache(file, source),
  });
  return { source, script };
}

function run(file, script) {
  const module = { exports: {}, filename: file, id: file, loaded: false };
  script
    .runInThisContext()
    .call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;
  return module.exports;
}

const loaded = new Map();

/**
 * Evaluates the CommonJS bundle `file` once per process and returns its exports, using the code
 * cache written for this build of it when V8 accepts it.
 */
function loadBundle(file) {
  let exports = loaded.get(file);
  if (exports === undefined) {
    const { script } = compile(file);
    exports = run(file, script);
    loaded.set(file, exports);
  }
  return exports;
}

/**
 * Compiles and evaluates `file`, runs `warmUp(exports)` (so that V8 compiles the functions a
 * typical run calls), then writes the code V8 compiled for it to `file`.cache under the bundle's
 * build id, atomically. Resolves to the cache's size in bytes.
 */
async function writeCodeCache(file, warmUp = async () => {}) {
  const { source, script } = compile(file, false);
  const id = BUILD_ID.exec(source)?.[1];
  if (id === undefined) throw new Error(`${basename(file)} has no build id on its first line`);
  await warmUp(run(file, script));
  const data = Buffer.concat([
    Buffer.from(`${CACHE_MAGIC}${id}\n`, 'latin1'),
    script.createCachedData(),
  ]);
  const temp = join(dirname(file), `.${basename(file)}.cache.${process.pid}`);
  writeFileSync(temp, data);
  renameSync(temp, cacheFile(file));
  return data.length;
}

module.exports = { loadBundle, writeCodeCache, BUILD_ID };
