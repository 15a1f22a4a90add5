/**
 * The guides in docs/guides cannot rot: every TypeScript block is a complete program that
 * type-checks against the built package; every block that synthesizes is run, and what it
 * writes validates against the Kubernetes schema, passes the lint and holds no token; every
 * `access-tokens` command shown exists with the flags it uses; every relative link resolves.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { main } from '../src/cli/main.js';
import { validateAuditPolicy } from '../src/rbac/audit-policy.js';
import { lintManifests } from '../src/rbac/lint.js';
import { readManifestPaths } from '../src/rbac/manifest-reader.js';
import { validateAgainstSchema } from './schema.js';
import { tempDir } from './temp-dir.js';
import { strictProgram } from './ts-program.js';
import { withoutRotatorProgram } from './rotator-program.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GUIDES = join(ROOT, 'docs/guides');
const guides = readdirSync(GUIDES)
  .filter((f) => f.endsWith('.md'))
  .map((f) => ({ name: f, text: readFileSync(join(GUIDES, f), 'utf8') }));

function blocks(text: string, langs: readonly string[]): string[] {
  return [...text.matchAll(/```(\w+)\n([\s\S]*?)```/g)]
    .filter((m) => langs.includes(m[1]))
    .map((m) => m[2]);
}

const tsBlocks = guides.flatMap((g) =>
  blocks(g.text, ['ts']).map((code, i) => ({ guide: g.name, i, code })),
);

async function cli(argv: string[]): Promise<string> {
  let out = '';
  await main(argv, { stdout: (t) => (out += t), stderr: (t) => (out += t) });
  return out;
}

describe('docs/guides', () => {
  test('there are guides, each with at least one example', () => {
    expect(guides.map((g) => g.name)).toEqual(
      expect.arrayContaining([
        'getting-started.md',
        'least-privilege.md',
        'pipelines.md',
        'legacy-migration.md',
        'kubectl-plugin.md',
        'gitops.md',
        'rotation.md',
        'audit.md',
      ]),
    );
    for (const g of guides)
      expect([g.name, blocks(g.text, ['ts', 'sh', 'yaml']).length > 0]).toEqual([g.name, true]);
  });

  test('every TypeScript block is a complete program that type-checks against the package', () => {
    // GIVEN each block as a file inside the package (so 'cdk8s-access-tokens' resolves to it)
    const dir = tempDir('guides-', join(ROOT, 'lib'));
    const files = tsBlocks.map(({ guide, i, code }) => {
      expect([guide, i, code]).toEqual([
        guide,
        i,
        expect.stringContaining("from 'cdk8s-access-tokens'"),
      ]);
      const file = join(dir, `${guide.replace('.md', '')}-${i}.ts`);
      writeFileSync(file, code);
      return file;
    });
    // WHEN
    const problems = ts
      .getPreEmitDiagnostics(strictProgram(files))
      .map(
        (d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      );
    // THEN
    expect(problems).toEqual([]);
  });

  test.each(
    tsBlocks.filter((b) => b.code.includes('app.synth()')).map((b) => [`${b.guide} #${b.i}`, b]),
  )('%s synthesizes valid, lint-clean manifests with no token', async (_name, block) => {
    // GIVEN the block compiled as the package's user would run it
    const dir = tempDir('guide-run-', join(ROOT, 'lib'));
    const js = ts.transpileModule(block.code, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    writeFileSync(join(dir, 'app.mjs'), js);
    // WHEN
    execFileSync(process.execPath, [join(dir, 'app.mjs')], { cwd: dir, encoding: 'utf8' });
    // THEN
    const { objects, sources } = await readManifestPaths([join(dir, 'dist')]);
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) {
      // The audit Policy is no API object: it is checked against the audit.k8s.io/v1 types.
      if (o.apiVersion === 'audit.k8s.io/v1') expect(validateAuditPolicy(o)).toEqual([]);
      else await validateAgainstSchema(o);
    }
    expect(lintManifests(objects, { sources }).errors).toEqual([]);
    // (the rotator's program and its hash, exactly as built, are no secret: cut out)
    const yaml = readdirSync(join(dir, 'dist'))
      .map((f) => withoutRotatorProgram(readFileSync(join(dir, 'dist', f), 'utf8')))
      .join('\n');
    expect(yaml).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}\./); // no JWT
    expect(yaml).not.toMatch(/^\s*token:\s*\S/m);
  });

  test('every access-tokens command shown exists, with the flags it uses', async () => {
    // GIVEN each command line of the shell and CI blocks
    const lines = guides.flatMap((g) =>
      blocks(g.text, ['sh', 'yaml'])
        .join('\n')
        .split('\n')
        .flatMap((line) => [
          ...line.matchAll(/(?:kubectl |npx )?access-tokens ((?:[a-z-]+ )*[a-z-]+)(.*)/g),
        ])
        .map((m) => ({ guide: g.name, words: m[1].split(' '), rest: m[2] })),
    );
    expect(lines.length).toBeGreaterThan(10);
    const groups = new Set(['legacy', 'audit']);
    const commands = new Set([
      'rotate',
      'audit',
      'mint',
      'inspect',
      'lint',
      'can-i',
      'who-can',
      'revoke',
      'describe',
      'legacy',
    ]);
    for (const { guide, words, rest } of lines) {
      // the subcommand path: the known command and, for groups, its subcommand
      const path = groups.has(words[0]) ? words.slice(0, 2) : words.slice(0, 1);
      expect([guide, path[0], commands.has(path[0])]).toEqual([guide, path[0], true]);
      const help = await cli([...path, '--help']);
      for (const flag of `${words.slice(path.length).join(' ')} ${rest}`.match(
        /(?<=\s|^)--[a-z][a-z-]*/g,
      ) ?? []) {
        expect([guide, path.join(' '), flag, help.includes(flag)]).toEqual([
          guide,
          path.join(' '),
          flag,
          true,
        ]);
      }
    }
  });

  test('every relative link resolves', () => {
    for (const g of guides) {
      for (const [, target] of g.text.matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)) {
        expect([g.name, target, existsSync(join(GUIDES, target))]).toEqual([g.name, target, true]);
      }
    }
  });
});
