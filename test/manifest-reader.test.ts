import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lintManifests } from '../src/rbac/lint.js';
import { parseManifests, readManifestPaths } from '../src/rbac/manifest-reader.js';
import { tempDir } from './temp-dir.js';

const names = (objects: { kind?: string; metadata?: { name?: string } }[]) =>
  objects.map((o) => `${o.kind}/${o.metadata?.name}`);

describe('parseManifests', () => {
  test('reads multi-document YAML, skipping empty and comment-only documents', () => {
    // GIVEN helm-style output with empty documents
    const text =
      '---\n# Source: a.yaml\n---\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n---\nkind: Secret\nmetadata:\n  name: b\n';
    // WHEN parsed / THEN only the objects remain, in order
    expect(names(parseManifests(text, 'x.yaml'))).toEqual(['ConfigMap/a', 'Secret/b']);
  });

  test('reads JSON, including tab-indented JSON', () => {
    const text = '{\n\t"kind": "Role",\n\t"metadata": {"name": "r"},\n\t"rules": []\n}\n';
    expect(parseManifests(text, 'r.json')).toEqual([
      { kind: 'Role', metadata: { name: 'r' }, rules: [] },
    ]);
  });

  test('flattens kind: List and typed lists', () => {
    const list = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { kind: 'ConfigMap', metadata: { name: 'a' } },
        { kind: 'Secret', metadata: { name: 'b' } },
      ],
    });
    const typed =
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleList\nitems:\n  - kind: Role\n    metadata: {name: r}\n';
    expect(names(parseManifests(list, 'list.json'))).toEqual(['ConfigMap/a', 'Secret/b']);
    expect(names(parseManifests(typed, 'roles.yaml'))).toEqual(['Role/r']);
  });

  test('returns nothing for empty text', () => {
    expect(parseManifests('', 'empty.yaml')).toEqual([]);
    expect(parseManifests('# nothing\n', 'empty.yaml')).toEqual([]);
  });

  test('a parse error names the source and the line', () => {
    // GIVEN a broken second document on line 4
    const text = 'kind: A\n---\nkind: B\nrules: [a,\n  b: c: d\n';
    // WHEN / THEN
    expect(() => parseManifests(text, 'charts/broken.yaml')).toThrow(
      'cannot parse charts/broken.yaml at line 5, column 7: missed comma between flow collection entries',
    );
  });

  test('duplicate keys are a parse error', () => {
    expect(() => parseManifests('kind: A\nkind: B\n', 'dup.yaml')).toThrow(
      /cannot parse dup\.yaml at line 2/,
    );
  });

  test('a document that is not an object is rejected, naming document and source', () => {
    expect(() => parseManifests('kind: A\n---\njust a string\n', 'x.yaml')).toThrow(
      'document 2 of x.yaml (line 3) is not a kubernetes object: got a string',
    );
  });
});

describe('parseManifests refuses a field the RBAC engine reads that is not of its type', () => {
  const role = (metadata: string, rest = ''): string =>
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: ${metadata}\n${rest}`;
  test.each([
    [
      role('{ name: {{ .Values.name }}, namespace: shop }'),
      'metadata.name is a map, expected a string',
    ],
    [role('{ name: r, namespace: [shop] }'), 'metadata.namespace is a list, expected a string'],
    [role('x'), 'metadata is a string, expected a map'],
    [
      role('{ name: r }', 'roleRef: { kind: Role, name: {{ .Values.role }} }\n'),
      'roleRef.name is a map, expected a string',
    ],
    [role('{ name: r }', 'roleRef: r\n'), 'roleRef is a string, expected a map'],
    [
      role('{ name: r }', 'subjects: [{ kind: ServiceAccount, name: {{ .Values.sa }} }]\n'),
      'subjects[0].name is a map, expected a string',
    ],
    [
      role('{ name: r }', 'subjects: [{ kind: ServiceAccount, name: a, namespace: 7 }]\n'),
      'subjects[0].namespace is a number, expected a string',
    ],
    [
      role('{ name: r }', 'subjects: { kind: User, name: a }\n'),
      'subjects is a map, expected a list',
    ],
    ['apiVersion: v1\nkind: { a: b }\nmetadata: { name: r }\n', 'kind is a map, expected a string'],
  ])('GIVEN %p THEN the error names the source, the object and the field', (text, problem) => {
    expect(() => parseManifests(text, 'chart/templates/rbac.yaml')).toThrow(
      new RegExp(
        `^cannot read .*in document 1 of chart/templates/rbac\\.yaml \\(line 1\\): ${problem.replace(/[[\]().]/g, '\\$&')} \\(an unrendered template`,
      ),
    );
  });

  test('GIVEN the same objects with string fields THEN they parse', () => {
    const [binding] = parseManifests(
      role(
        '{ name: r, namespace: shop }',
        'roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: r }\nsubjects: [{ kind: ServiceAccount, name: a, namespace: shop }]\n',
      ),
      'x.yaml',
    );
    expect(binding.metadata?.name).toBe('r');
  });
});

describe('readManifestPaths', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('manifests-');
  });

  test('walks folders recursively in sorted order, reading only manifest files, and tags sources', async () => {
    // GIVEN a folder tree with yaml, yml, json and other files
    await mkdir(join(dir, 'b-sub'));
    await writeFile(join(dir, 'c.yml'), 'kind: ConfigMap\nmetadata: {name: c}\n');
    await writeFile(
      join(dir, 'a.yaml'),
      'kind: ConfigMap\nmetadata: {name: a1}\n---\nkind: ConfigMap\nmetadata: {name: a2}\n',
    );
    await writeFile(
      join(dir, 'b-sub', 'b.json'),
      '{"kind": "ConfigMap", "metadata": {"name": "b"}}',
    );
    await writeFile(join(dir, 'README.md'), '# not a manifest: [');
    // WHEN read
    const { objects, sources } = await readManifestPaths([dir]);
    // THEN the order is sorted and each object knows its file, without being changed
    expect(names(objects)).toEqual(['ConfigMap/a1', 'ConfigMap/a2', 'ConfigMap/b', 'ConfigMap/c']);
    expect(objects.map((o) => sources.get(o))).toEqual([
      join(dir, 'a.yaml'),
      join(dir, 'a.yaml'),
      join(dir, 'b-sub', 'b.json'),
      join(dir, 'c.yml'),
    ]);
    expect(Object.keys(objects[0])).toEqual(['kind', 'metadata']);
  });

  test('reads a named file whatever its extension, once', async () => {
    const file = join(dir, 'out.txt');
    await writeFile(file, 'kind: ConfigMap\nmetadata: {name: t}\n');
    const { objects } = await readManifestPaths([file, file]);
    expect(names(objects)).toEqual(['ConfigMap/t']);
  });

  test('a missing path is named in the error', async () => {
    await expect(readManifestPaths([join(dir, 'nope')])).rejects.toThrow(
      `manifest path '${join(dir, 'nope')}' does not exist`,
    );
  });

  test('a parse error names the file', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'a: [\n');
    await expect(readManifestPaths([dir])).rejects.toThrow(
      `cannot parse ${join(dir, 'bad.yaml')} at line`,
    );
  });

  test('sources flow into lint findings', async () => {
    // GIVEN a Role that reads secrets, in a file
    await writeFile(
      join(dir, 'role.yaml'),
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: ci}\nrules:\n  - {apiGroups: [""], resources: [secrets], verbs: [list]}\n',
    );
    // WHEN read and linted
    const { objects, sources, positions } = await readManifestPaths([dir]);
    const report = lintManifests(objects, { sources, positions });
    // THEN the finding names the file (a warning: no binding holds the Role), and its line
    expect(report.findings.map((f) => [f.location?.source, f.location?.line])).toEqual([
      [join(dir, 'role.yaml'), 1],
    ]);
  });
});

describe('readManifestPaths, keeping going', () => {
  let folder: string;
  beforeEach(() => {
    folder = tempDir('manifests-keep-');
  });

  test('GIVEN an unrendered Helm template and a values.yaml WHEN keepGoing THEN the rest is read, the bad file is a failure and values are skipped', async () => {
    // GIVEN a good Role, a template that does not parse, and a values file
    await writeFile(
      join(folder, 'a-role.yaml'),
      '---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules: []\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app}\n',
    );
    await writeFile(
      join(folder, 'b-template.yaml'),
      'metadata:\n  name: {{ .Release.Name }\n  x: [\n',
    );
    await writeFile(join(folder, 'values.yaml'), 'replicaCount: 1\nimage: {tag: v1}\n');
    // WHEN read with keepGoing
    const set = await readManifestPaths([folder], { keepGoing: true, defaultNamespace: 'shop' });
    // THEN the good objects are read with their positions and the default namespace
    expect(set.objects.map((o) => `${o.kind}/${o.metadata?.namespace}`)).toEqual([
      'Role/shop',
      'ServiceAccount/shop',
    ]);
    expect(set.objects.map((o) => set.positions.get(o))).toEqual([
      { line: 2, documentIndex: 0 },
      { line: 7, documentIndex: 1 },
    ]);
    expect(set.failures.map((f) => f.file)).toEqual([join(folder, 'b-template.yaml')]);
    expect(set.failures[0].message).toMatch(/cannot parse .*b-template\.yaml at line \d+/);
    expect(set.skipped).toEqual([{ file: join(folder, 'values.yaml'), documentIndex: 0 }]);
    // AND without keepGoing the bad file throws, naming it
    await expect(readManifestPaths([folder])).rejects.toThrow(/b-template\.yaml/);
  });

  test('GIVEN cluster-scoped kinds WHEN a default namespace is set THEN they keep no namespace', async () => {
    await writeFile(
      join(folder, 'x.yaml'),
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: c}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: m, namespace: own}\n',
    );
    const set = await readManifestPaths([folder], { defaultNamespace: 'shop' });
    expect(set.objects.map((o) => o.metadata?.namespace)).toEqual([undefined, 'own']);
  });
});
