/**
 * What a consumer's TypeScript program loads from the built declarations: every .d.ts file an
 * entry point reaches through its imports, and the packages they name. The runtime's reach no
 * package at all (no @kubernetes/client-node, whose declarations need @types/ws and
 * esModuleInterop); the constructs' reach only their peers. test/package/ type-checks an
 * installed copy under every moduleResolution; this is the fast check of the same property.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dir.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The declaration files `entry` reaches, and each package import found in them. */
function reach(entry: string): { files: string[]; packages: Map<string, string[]> } {
  const files: string[] = [];
  const packages = new Map<string, string[]>();
  const visit = (file: string): void => {
    if (files.includes(file)) return;
    files.push(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) {
        const base = resolve(dirname(file), spec);
        const asFile = base.replace(/\.js$/, '.d.ts');
        visit(existsSync(asFile) ? asFile : join(base, 'index.d.ts'));
      } else {
        packages.set(spec, [...(packages.get(spec) ?? []), file.slice(ROOT.length + 1)]);
      }
    }
  };
  visit(resolve(entry));
  return { files, packages };
}

const built = existsSync(join(ROOT, 'lib', 'src', 'runtime', 'index.d.ts'));

describe('the public declarations', () => {
  test('GIVEN the build WHEN looked for THEN the declarations exist (run `npm run build` first)', () => {
    expect(built).toBe(true);
  });

  test('GIVEN the `./runtime` entry WHEN every declaration it reaches is read THEN none imports a package', () => {
    const { files, packages } = reach(join(ROOT, 'lib', 'src', 'runtime', 'index.d.ts'));
    // It reaches the runtime's own files and the engine's types it speaks of.
    expect(files.length).toBeGreaterThan(20);
    expect(files.some((f) => f.endsWith('/runtime/cluster.d.ts'))).toBe(true);
    expect(Object.fromEntries(packages)).toEqual({});
    // nor Node's own types: a consumer without @types/node (`types: []`) type-checks too
    const nodeTypes = files.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/\b(NodeJS\.\w+|Buffer)\b/g)].map(
        (m) => `${f.slice(ROOT.length + 1)}: ${m[1]}`,
      ),
    );
    expect(nodeTypes).toEqual([]);
  });

  test('GIVEN ClusterClient WHEN declared THEN its request methods are stripped (@internal) and its fields are ours', () => {
    const text = readFileSync(join(ROOT, 'lib', 'src', 'runtime', 'cluster.d.ts'), 'utf8');
    for (const internal of [
      'kubeConfig(',
      'api<',
      'requestOptions(',
      'call<',
      'loadClientNode',
      'readonly kc:',
    ])
      expect(text).not.toContain(internal);
    expect(text).toMatch(/readonly namespace: string;/);
    expect(text).toMatch(/close\(\): void;/);
  });

  test.each([
    ['`.`', join('lib', 'cjs', 'index.d.ts')],
    ['`./rbac`', join('lib', 'cjs', 'rbac', 'index.d.ts')],
  ])(
    'GIVEN the %s entry WHEN every declaration it reaches is read THEN it imports only the peers',
    (_, entry) => {
      const { packages } = reach(join(ROOT, entry));
      for (const name of packages.keys())
        expect(['cdk8s', 'constructs', 'cdk8s-plus-27']).toContain(name);
    },
  );

  test('GIVEN a declaration that imports client-node two files away WHEN reached THEN the check names it (the check works)', () => {
    const dir = tempDir('declarations-');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'index.d.ts'), "export type { A } from './sub/a.js';\n");
    writeFileSync(
      join(dir, 'sub', 'a.d.ts'),
      "import type * as k8s from '@kubernetes/client-node';\nexport type A = k8s.V1Secret;\n",
    );
    const { packages } = reach(join(dir, 'index.d.ts'));
    expect([...packages.keys()]).toEqual(['@kubernetes/client-node']);
  });
});
