'use strict';
// Loads the CommonJS bundles in lib/cli/ (scripts/bundle.mjs) with V8's code cache: Node 20
// caches compiled code for neither CommonJS nor ES modules, but vm.Script takes a cache.
// `npm run build` writes one beside each bundle (writeCodeCache, in the Node that runs the CLI).
//
// V8 rejects a cache made by another V8 version or with other V8 flags (the bundle is then
// compiled as usual, only slower), but of the source it checks only the length, and release
// builds do not checksum the cache: damaged data crashes the process. So before V8 sees a cache,
// the bundle must match the build id on its first line (a checksum of the rest of it) and the
// cache must be for that id and match its own checksum; else the bundle is compiled without it.
// CRC-32 (zlib's, native), not a cryptographic hash: these guard against edits and damage, not
// against someone who can write the package (they can change the code itself), and loading
// node:crypto would add ~10 ms to every offline command.

const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { basename, dirname, join, resolve } = require('node:path');
const { Script } = require('node:vm');
const { crc32 } = require('node:zlib');

// The first line of a bundle: its build id and whether it is ASCII (read faster as latin1).
const HEADER = /^\/\* access-tokens build ([0-9a-f]{8}) (ascii|utf8) \*\/\n/;
const CACHE_HEADER = /^access-tokens code cache v2 ([0-9a-f]{8}) ([0-9a-f]{8})\n/;
// The bundle becomes the body of a function, as Node wraps a CommonJS module; on the bundle's
// first line, so that stack traces keep its line numbers.
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) { ';
const WRAPPER_END = '\n})';

/** A build id or a cache checksum: the bytes' CRC-32, in hex. */
function digest(bytes) {
  return crc32(bytes).toString(16).padStart(8, '0');
}

/** A bundle's text, and its build id when the rest of it still matches that id. */
function readBundle(file) {
  const bytes = readFileSync(file);
  const header = HEADER.exec(bytes.toString('latin1', 0, 128));
  const source = bytes.toString(header?.[2] === 'ascii' ? 'latin1' : 'utf8');
  const id = header && digest(bytes.subarray(header[0].length)) === header[1] ? header[1] : null;
  return { source, id };
}

/** The code cache for build `id`: its payload when it is there and intact, else why not. */
function codeCacheOf(file, id) {
  let data;
  try {
    data = readFileSync(`${file}.cache`);
  } catch {
    return { status: 'missing' };
  }
  const header = CACHE_HEADER.exec(data.toString('latin1', 0, 128));
  if (!id || !header || header[1] !== id) return { status: 'missing' };
  const payload = data.subarray(header[0].length);
  return digest(payload) === header[2] ? { status: 'intact', payload } : { status: 'damaged' };
}

function compile(file, useCache) {
  const { source, id } = readBundle(file);
  const cache = useCache ? codeCacheOf(file, id) : { status: 'missing' };
  const script = new Script(WRAPPER_START + source + WRAPPER_END, {
    filename: file,
    cachedData: cache.payload,
  });
  return { id, script, cache: cache.status };
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
 * Evaluates the CommonJS bundle `file` (an absolute path) once per process and returns its
 * exports, compiled from the code cache of this build of it when there is one.
 */
function loadBundle(file) {
  let exports = loaded.get(file);
  if (exports === undefined) {
    exports = run(file, compile(file, true).script);
    loaded.set(file, exports);
  }
  return exports;
}

/**
 * Compiles and evaluates `file`, runs `warmUp(exports)` (so that V8 compiles the functions a
 * typical run calls), then writes the code V8 compiled to `file`.cache, for the bundle's build
 * id and with a checksum, atomically. Resolves to the cache's size in bytes.
 */
async function writeCodeCache(file, warmUp = async () => {}) {
  const path = resolve(file);
  const { id, script } = compile(path, false);
  if (!id) throw new Error(`${basename(path)} has no build id matching its contents`);
  await warmUp(run(path, script));
  const payload = script.createCachedData();
  const data = Buffer.concat([
    Buffer.from(`access-tokens code cache v2 ${id} ${digest(payload)}\n`, 'latin1'),
    payload,
  ]);
  const temp = join(dirname(path), `.${basename(path)}.cache.${process.pid}`);
  writeFileSync(temp, data);
  renameSync(temp, `${path}.cache`);
  return data.length;
}

/**
 * Whether this Node would compile `file` from its code cache: 'accepted', or why not: 'missing'
 * (no cache, or not for this build of the bundle), 'damaged' (checksum) or 'rejected' (by V8:
 * another V8 version or other V8 flags). Compiles, does not run.
 */
function cacheStatus(file) {
  const { script, cache } = compile(resolve(file), true);
  if (cache !== 'intact') return cache;
  return script.cachedDataRejected ? 'rejected' : 'accepted';
}

module.exports = { cacheStatus, digest, loadBundle, writeCodeCache };
