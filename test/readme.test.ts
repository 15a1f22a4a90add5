/**
 * The README's examples are real: its first code block is examples/quickstart.ts, which is
 * compiled by `npm run build` and run here; its risk table is RISK_RULES; the failed synth it
 * shows is what the lint prints.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Chart, Testing } from 'cdk8s';
import { Permission } from '../src/constructs/permission.js';
import { ServiceAccountAccess } from '../src/constructs/service-account-access.js';
import { RISK_RULES } from '../src/rbac/risks/index.js';
import { tempDir } from './temp-dir.js';
import { strictProgram } from './ts-program.js';

const root = new URL('..', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function codeBlocks(lang: string): string[] {
  return [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map(
    (m) => m[1],
  );
}

describe('README', () => {
  test('the 30-second example is examples/quickstart.ts', () => {
    expect(codeBlocks('ts')[0]).toBe(readFileSync(join(root, 'examples/quickstart.ts'), 'utf8'));
  });

  test('the 30-second example runs and synthesizes the rules it shows', () => {
    // GIVEN a scratch working directory (the example writes dist/ there)
    const cwd = tempDir('access-tokens-readme-');
    // WHEN
    const out = execFileSync(process.execPath, [join(root, 'lib/examples/quickstart.js')], {
      cwd,
      encoding: 'utf8',
    });
    // THEN
    expect(out.trim().split('\n')).toEqual(['true', 'false']);
    const objects = parseAllDocuments(readFileSync(join(cwd, 'dist/ci.k8s.yaml'), 'utf8')).map(
      (d) => d.toJSON(),
    );
    const role = objects.find((o) => o.kind === 'Role');
    const shown = parseAllDocuments(codeBlocks('yaml')[0])[0].toJSON();
    expect(role.rules).toEqual(shown.rules);
    expect(objects.find((o) => o.kind === 'ServiceAccount').automountServiceAccountToken).toBe(
      false,
    );
  });

  test('the risk table lists every rule with its severity', () => {
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // prettier escapes '*' in markdown tables.
    const table = readme.replace(/\\\*/g, '*');
    for (const rule of RISK_RULES) {
      expect(table).toMatch(
        new RegExp(
          `\\| \`${rule.id}\`\\s*\\| ${rule.severity}\\s*\\| ${escape(rule.title)}\\s*\\|`,
        ),
      );
    }
  });

  test('the failed synth it shows is what the lint prints', () => {
    // GIVEN the README's block (indented in a list item) and its example's construct
    const block = /\n( *)```\n\1(Validation failed[\s\S]*?)\n\1```/.exec(readme);
    expect(block).not.toBeNull();
    const [, indent, shown] = block!;
    const app = Testing.app({ outdir: tempDir('readme-synth-') });
    new ServiceAccountAccess(new Chart(app, 'ci'), 'snoop', {
      namespace: 'shop',
      permissions: [Permission.verbs(['get', 'list', 'watch'], 'secrets')],
    });
    // WHEN
    const error = (() => {
      try {
        app.synth();
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    })();
    // THEN
    expect(error).toBe(
      shown
        .split('\n')
        .map((line) => line.replace(indent, ''))
        .join('\n'),
    );
  });

  test('shows the two commands of a fresh machine', () => {
    expect(readme).toContain('npm ci && npm run synth');
    expect(readme).toContain('npm ci && npm test');
  });
});

describe('README code', () => {
  test('every TypeScript block type-checks against the built package', async () => {
    // GIVEN each ts block, with a prelude for the fragments that use `chart`
    const ts = (await import('typescript')).default;
    const prelude = [
      "import { App, Chart, Duration } from 'cdk8s';",
      "import { ApiResource } from 'cdk8s-plus-27';",
      "import { Permission, Risk, ServiceAccountAccess, TokenStore } from 'cdk8s-access-tokens';",
      "const chart = new Chart(new App(), 'readme', { namespace: 'shop' });",
      'void [ApiResource, Duration, Permission, Risk, ServiceAccountAccess, TokenStore];',
      '',
    ].join('\n');
    const dir = tempDir('readme-', join(root, 'lib'));
    const files = codeBlocks('ts').map((code, i) => {
      const file = join(dir, `block${i}.ts`);
      writeFileSync(file, code.includes("from 'cdk8s-access-tokens'") ? code : prelude + code);
      return file;
    });
    expect(files.length).toBeGreaterThanOrEqual(3);
    // WHEN
    const program = strictProgram(files);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map(
        (d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      );
    // THEN
    expect(problems).toEqual([]);
  });
});
