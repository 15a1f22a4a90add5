// Fails (exit 1) when the TypeScript files under a folder import each other in a cycle, and
// names each cycle. Run by `npm run lint` on src/: imports point one way (cli -> runtime ->
// rbac <- constructs), and within a part a cycle means two files that are one idea, or a type
// in the wrong file. Every import counts, `import type` and `import()` too: a type-only cycle
// is still two files that cannot be read, moved or tested apart.
//
//   node scripts/check-import-cycles.mjs [folder]     (default: src)
//
// Uses only the TypeScript compiler's own scanner (a devDependency already), no other package.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * Cycles that are known and owned by someone, each with a comment saying whose and why. An
 * entry must match a cycle exactly (the same files); an entry that matches none fails the check
 * too, so that it is removed once the cycle is cut. Paths are relative to the repository.
 */
const ALLOWED_CYCLES = [];

function sourceFiles(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(c|m)?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The files of `files` that `file` imports: relative specifiers, `.js` meaning `.ts`. */
function importsOf(file, files) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((i) => i.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => {
      const base = resolve(dirname(file), spec);
      const candidates = [
        base.replace(/\.(c|m)?js$/, (_m, k) => `.${k ?? ''}ts`),
        base,
        `${base}.ts`,
        join(base, 'index.ts'),
      ];
      return candidates.find((c) => files.has(c));
    })
    .filter((target) => target !== undefined);
}

/** Strongly connected components (Tarjan): each with more than one file, or a self-import, is a cycle. */
function cyclesOf(graph) {
  let index = 0;
  const indexOf = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (v) => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), indexOf.get(w)));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v).includes(v)) components.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indexOf.has(v)) visit(v);
  return components;
}

/** One concrete path around a component, from its first file back to it, for the message. */
function pathAround(component, graph) {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of graph.get(v)) {
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = previous.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (members.has(w) && !previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return component;
}

const root = process.cwd();
const folder = resolve(process.argv[2] ?? 'src');
const files = new Set(sourceFiles(folder));
const graph = new Map([...files].map((f) => [f, [...new Set(importsOf(f, files))]]));
const show = (f) => relative(root, f).split(sep).join('/');
const key = (paths) => [...paths].sort().join(' ');
const allowed = new Map(ALLOWED_CYCLES.map((c) => [key(c), c]));
const inFolder = (p) => resolve(root, p).startsWith(folder + sep);

let failed = false;
const seen = new Set();
for (const component of cyclesOf(graph)) {
  const k = key(component.map(show));
  const path = pathAround(component, graph).map(show).join(' -> ');
  if (allowed.has(k)) {
    seen.add(k);
    console.log(`import cycle (allowed, see ALLOWED_CYCLES): ${path}`);
  } else {
    failed = true;
    console.error(
      `import cycle among ${component.length} file${component.length === 1 ? '' : 's'}: ${path}`,
    );
  }
}
for (const [k, entry] of allowed) {
  if (!seen.has(k) && entry.every(inFolder)) {
    failed = true;
    console.error(
      `ALLOWED_CYCLES lists ${entry.join(', ')}, which is no longer a cycle: remove the entry`,
    );
  }
}
if (failed) process.exit(1);
console.log(
  `no import cycle in ${show(folder) || '.'} besides ALLOWED_CYCLES (${files.size} files)`,
);
