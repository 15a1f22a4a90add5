/**
 * Reads Kubernetes manifests from YAML or JSON text, files and folders: multi-document YAML,
 * JSON, `kind: List` (and typed `*List`) items. Pure apart from `readManifestPaths`, which
 * reads the file system; neither talks to a cluster.
 *
 * Where each object came from is kept out of the object itself (it must stay exactly what
 * the file says): `readManifestPaths` returns a `Map` from each object (by identity) to its
 * file, which `lintManifests` accepts as `sources`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadAll, YAMLException } from 'js-yaml';
import type { KubeObject } from './kube-object.js';
import { withDefaultNamespace } from './default-namespace.js';

/** Where an object starts in its file. */
export interface ManifestPosition {
  /** 1-based line of the YAML document (or JSON file) the object is in. */
  readonly line: number;
  /** 0-based index of that document in its file. */
  readonly documentIndex: number;
}

/** A file that could not be read or parsed, when reading keeps going (`keepGoing`). */
export interface ManifestFailure {
  /** The file. */
  readonly file: string;
  /** Why, naming the line where the parser stopped. */
  readonly message: string;
}

/** Objects read from files, with the file each came from. */
export interface ManifestSet {
  /** Every object, in file order (folders in sorted order), then document order. */
  readonly objects: KubeObject[];
  /** The file of each object, keyed by the object itself. */
  readonly sources: Map<KubeObject, string>;
  /** Where each object starts in its file, keyed by the object itself. */
  readonly positions: Map<KubeObject, ManifestPosition>;
  /** Files that did not parse (only with `keepGoing`; otherwise reading throws). */
  readonly failures: ManifestFailure[];
  /**
   * Documents that parsed but are not Kubernetes objects (neither a string `apiVersion` nor a `kind`,
   * e.g. a Helm `values.yaml`): skipped, not checked.
   */
  readonly skipped: ManifestSkip[];
}

/** A document that is not a Kubernetes object, skipped. */
export interface ManifestSkip {
  /** The file. */
  readonly file: string;
  /** 0-based index of the document in the file. */
  readonly documentIndex: number;
}

/** Options of `readManifestPaths`. */
export interface ReadManifestOptions {
  /**
   * Record a file that does not parse in `failures` and read the others, instead of throwing.
   * @default false
   */
  readonly keepGoing?: boolean;
  /**
   * The namespace of namespaced objects that name none, as `kubectl apply -n NS` would set it.
   * @default - objects are kept as written
   */
  readonly defaultNamespace?: string;
}

/** A parsed object with where it starts. */
interface PositionedObject extends ManifestPosition {
  readonly object: KubeObject;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
}

/** Flattens a document's value: objects, arrays of objects and Lists' items. */
function objectsOf(value: unknown, where: string): KubeObject[] {
  if (Array.isArray(value))
    return value.flatMap((item, i) => objectsOf(item, `${where}, item ${i}`));
  if (!isPlainObject(value)) {
    throw new Error(`${where} is not a kubernetes object: got ${describeValue(value)}`);
  }
  const kind = typeof value.kind === 'string' ? value.kind : '';
  if (kind.endsWith('List') && Array.isArray(value.items)) {
    return value.items.flatMap((item: unknown, i: number) =>
      objectsOf(item, `${where}, ${kind} item ${i}`),
    );
  }
  return [value as KubeObject];
}

/** A value's type in the words of YAML: an unrendered `{{ .Values.x }}` parses as a map. */
function yamlTypeOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'a map' : `a ${typeof value}`;
}

/**
 * The first field, among those the RBAC engine reads by name, that is not of its type: a
 * name that YAML parsed as a map would otherwise become `[object Object]`, or match nothing.
 */
function fieldTypeProblem(object: KubeObject): string | undefined {
  const o = object as unknown as Record<string, unknown>;
  const strings: [string, unknown][] = [
    ['apiVersion', o.apiVersion],
    ['kind', o.kind],
  ];
  if (o.metadata !== undefined && !isPlainObject(o.metadata))
    return `metadata is ${yamlTypeOf(o.metadata)}, expected a map`;
  const metadata = isPlainObject(o.metadata) ? o.metadata : {};
  strings.push(['metadata.name', metadata.name], ['metadata.namespace', metadata.namespace]);
  if (o.roleRef !== undefined) {
    if (!isPlainObject(o.roleRef)) return `roleRef is ${yamlTypeOf(o.roleRef)}, expected a map`;
    for (const key of ['apiGroup', 'kind', 'name'])
      strings.push([`roleRef.${key}`, o.roleRef[key]]);
  }
  if (o.subjects !== undefined && o.subjects !== null) {
    if (!Array.isArray(o.subjects)) return `subjects is ${yamlTypeOf(o.subjects)}, expected a list`;
    for (const [i, subject] of o.subjects.entries()) {
      if (!isPlainObject(subject))
        return `subjects[${i}] is ${yamlTypeOf(subject)}, expected a map`;
      for (const key of ['apiGroup', 'kind', 'name', 'namespace'])
        strings.push([`subjects[${i}].${key}`, subject[key]]);
    }
  }
  const bad = strings.find(([, value]) => value !== undefined && typeof value !== 'string');
  return bad && `${bad[0]} is ${yamlTypeOf(bad[1])}, expected a string`;
}

/** The 1-based line on which each YAML document starts (after a `---` separator). */
function documentLines(text: string): number[] {
  const lines = [1];
  text.split('\n').forEach((line, i) => {
    if (/^---(\s|$)/.test(line) && i > 0) lines.push(i + 2);
  });
  return lines;
}

/**
 * Parses multi-document YAML or JSON into Kubernetes objects, flattening `kind: List` items and
 * skipping empty documents. Throws, naming `source` and the line, when the text does not parse
 * or a document is not an object. (js-yaml: about five times faster to load and to parse than
 * the `yaml` package, which matters for the CLI's cold start.)
 */
export function parseManifests(text: string, source: string): KubeObject[] {
  return parsePositioned(text, source).map((p) => p.object);
}

function parsePositioned(text: string, source: string): PositionedObject[] {
  let documents: unknown[];
  try {
    documents = loadAll(text, null, { filename: source }) as unknown[];
  } catch (err) {
    if (!(err instanceof YAMLException)) throw err;
    const at = `at line ${err.mark.line + 1}, column ${err.mark.column + 1}`;
    throw new Error(`cannot parse ${source} ${at}: ${err.reason}`);
  }
  // A leading `---` starts the first document on line 2, not an empty document.
  const lines = documentLines(text.replace(/^---\s*\n/, '\n'));
  // ... and that document's first line is the one after the separator, as for the others.
  if (/^---\s*\n/.test(text)) lines[0] = 2;
  // An object starts at its first line of content, after the document's comments (a Helm
  // `# Source:` line) and blank lines.
  const textLines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    while (lines[i] <= textLines.length && /^\s*(#.*)?$/.test(textLines[lines[i] - 1])) lines[i]++;
  }
  return documents.flatMap((value, index) => {
    if (value === null || value === undefined) return [];
    const line = lines[index] ?? 1;
    const where = `document ${index + 1} of ${source} (line ${line})`;
    return objectsOf(value, where).map((object) => {
      const problem = isKubernetesObject(object) ? fieldTypeProblem(object) : undefined;
      if (problem !== undefined) {
        const kind = typeof object.kind === 'string' ? `${object.kind} ` : '';
        throw new Error(
          `cannot read ${kind}in ${where}: ${problem} (an unrendered template such as {{ .Values.name }}? render it first, e.g. with helm template)`,
        );
      }
      return { object, line, documentIndex: index };
    });
  });
}

/** Whether a parsed value is a Kubernetes object rather than other YAML (a values.yaml). */
function isKubernetesObject(object: KubeObject): boolean {
  return typeof object.apiVersion === 'string' || typeof object.kind === 'string';
}

async function statPath(path: string) {
  try {
    return await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`manifest path '${path}' does not exist`);
    throw new Error(`cannot read manifest path '${path}': ${(e as Error).message}`);
  }
}

async function manifestFiles(path: string): Promise<string[]> {
  if (!(await statPath(path)).isDirectory()) return [path];
  const files: string[] = [];
  for (const name of (await readdir(path)).sort()) {
    const child = join(path, name);
    if ((await statPath(child)).isDirectory()) files.push(...(await manifestFiles(child)));
    else if (MANIFEST_FILE.test(name)) files.push(child);
  }
  return files;
}

/**
 * Reads manifests from files and folders. A file is read whatever its extension; a folder is
 * walked recursively in sorted order for `*.yaml`, `*.yml` and `*.json`. A file named twice is
 * read once. Documents that are not Kubernetes objects (neither `apiVersion` nor `kind`) are skipped
 * and listed in `skipped`. Throws naming the path when it does not exist, or when a file does
 * not parse unless `keepGoing` is set.
 */
export async function readManifestPaths(
  paths: readonly string[],
  options: ReadManifestOptions = {},
): Promise<ManifestSet> {
  const set: ManifestSet = {
    objects: [],
    sources: new Map(),
    positions: new Map(),
    failures: [],
    skipped: [],
  };
  const seen = new Set<string>();
  for (const path of paths) {
    for (const file of await manifestFiles(path)) {
      if (seen.has(file)) continue;
      seen.add(file);
      let parsed: PositionedObject[];
      try {
        parsed = parsePositioned(await readFile(file, 'utf8'), file);
      } catch (err) {
        if (!options.keepGoing) throw err;
        set.failures.push({ file, message: (err as Error).message });
        continue;
      }
      for (const { object: read, line, documentIndex } of parsed) {
        if (!isKubernetesObject(read)) {
          set.skipped.push({ file, documentIndex });
          continue;
        }
        const object = withDefaultNamespace(read, options.defaultNamespace);
        set.objects.push(object);
        set.sources.set(object, file);
        set.positions.set(object, { line, documentIndex });
      }
    }
  }
  return set;
}
