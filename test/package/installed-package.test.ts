/**
 * The packed package installed into a fresh project with `--ignore-scripts`: the CLI runs its
 * bundle under every bin name, and the library loads through require() and import alike, with
 * one copy of each class.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../temp-dir.js';
import { ROOT, install, pack, run } from './packed.js';
import { unreachableClusterFlags } from '../unreachable-cluster.js';

const CHART = join(ROOT, 'test', 'fixtures', 'rbac-chart');
const MARKER = 'LOADED ';
let project = '';
let installed = '';

beforeAll(() => {
  project = tempDir('installed-package-');
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
  );
  install(project, pack(tempDir('packed-')));
  installed = join(project, 'node_modules', 'cdk8s-access-tokens');
});

/** Runs a bin of the installed package with a probe listing what it loaded of the package's lib/. */
function cli(
  bin: string,
  ...args: string[]
): { status: number | null; stdout: string; loaded: string[]; stderr: string } {
  const probe = join(project, 'probe.cjs');
  writeFileSync(
    probe,
    `process.on('exit', () => {\n` +
      `  for (const path of Object.keys(require.cache))\n` +
      `    if (path.startsWith(${JSON.stringify(`${installed}/lib/`)}))\n` +
      `      require('node:fs').writeSync(2, ${JSON.stringify(MARKER)} + path.slice(${installed.length + 1}) + '\\n');\n` +
      `});\n`,
  );
  const home = tempDir('home-');
  const result = run(
    process.execPath,
    ['--require', probe, join(project, 'node_modules', '.bin', bin), ...args],
    project,
    {
      mayFail: true,
      // No kubeconfig unless the arguments name one.
      env: { PATH: process.env.PATH ?? '', HOME: home },
    },
  );
  const lines = result.stderr.split('\n');
  return {
    status: result.status,
    stdout: result.stdout,
    loaded: lines
      .filter((l) => l.startsWith(MARKER))
      .map((l) => l.slice(MARKER.length))
      .sort(),
    stderr: lines.filter((l) => !l.startsWith(MARKER)).join('\n'),
  };
}

describe('the installed package (npm pack, npm install --ignore-scripts)', () => {
  test.each(['access-tokens', 'cdk8s-access-tokens', 'kubectl-access_tokens'])(
    'GIVEN the bin %s WHEN it answers an offline can-i THEN it ran the CLI bundle alone',
    (bin) => {
      const result = cli(
        bin,
        'can-i',
        'get',
        'pods',
        '--manifests',
        CHART,
        '--as',
        'alice',
        '-n',
        'shop',
      );
      expect({ status: result.status, stdout: result.stdout }).toEqual({
        status: 0,
        stdout: 'yes\n',
      });
      expect(result.loaded).toEqual(['lib/cli/access-tokens.cjs']);
    },
  );

  test("GIVEN the cluster form of can-i WHEN it runs THEN it loads the client-node bundle, not tsc's modules", () => {
    const result = cli('cdk8s-access-tokens', 'can-i', 'get', 'pods', ...unreachableClusterFlags());
    expect(result.stderr).toMatch(/selfsubjectaccessreviews: ECONNREFUSED/);
    expect(result.loaded).toEqual(['lib/cli/access-tokens.cjs', 'lib/cli/client-node.cjs']);
  });

  test('GIVEN a token kubeconfig WHEN mint runs THEN the TokenRequest goes out from the mint bundle alone, without the client-node bundle', () => {
    const result = cli('cdk8s-access-tokens', 'mint', 'app', ...unreachableClusterFlags());
    expect(result.stderr).toMatch(/serviceaccounts\/token.*ECONNREFUSED/);
    expect(result.loaded).toEqual(['lib/cli/mint.cjs']);
  });

  test('GIVEN an app that requires the package and imports it WHEN both load THEN each class exists once', () => {
    // GIVEN an ES module that imports `.` and `./rbac` and requires both too
    const script = join(project, 'both.mjs');
    writeFileSync(
      script,
      `import { createRequire } from 'node:module';\n` +
        `import * as esm from 'cdk8s-access-tokens';\n` +
        `import * as rbacEsm from 'cdk8s-access-tokens/rbac';\n` +
        `const require = createRequire(import.meta.url);\n` +
        `const cjs = require('cdk8s-access-tokens');\n` +
        `const rbacCjs = require('cdk8s-access-tokens/rbac');\n` +
        `const classes = Object.keys(cjs).filter((k) => typeof cjs[k] === 'function' && /^[A-Z]/.test(k));\n` +
        `const rbacShared = Object.keys(rbacCjs).filter((k) => k in cjs);\n` +
        `console.log(JSON.stringify({\n` +
        `  classes: classes.length,\n` +
        `  sameClasses: classes.every((k) => esm[k] === cjs[k]),\n` +
        `  sameNames: Object.keys(esm).sort().join() === Object.keys(cjs).sort().join(),\n` +
        `  rbacShared: rbacShared.length,\n` +
        `  sameRbac: rbacShared.every((k) => rbacCjs[k] === cjs[k] && rbacEsm[k] === cjs[k]),\n` +
        `}));\n`,
    );
    // WHEN
    const out = JSON.parse(run(process.execPath, [script], project).stdout);
    // THEN
    expect(out.classes).toBeGreaterThanOrEqual(3);
    expect(out.rbacShared).toBeGreaterThan(0);
    expect(out).toEqual({ ...out, sameClasses: true, sameNames: true, sameRbac: true });
  });

  test('GIVEN a CommonJS app WHEN it requires the constructs and synthesizes THEN the ServiceAccount is in the output', () => {
    const script = join(project, 'synth.cjs');
    writeFileSync(
      script,
      `const { Testing, Chart } = require('cdk8s');\n` +
        `const { ServiceAccountAccess, Permission } = require('cdk8s-access-tokens');\n` +
        `const app = Testing.app({ outdir: ${JSON.stringify(tempDir('outdir-'))} });\n` +
        `const chart = new Chart(app, 'c', { namespace: 'shop' });\n` +
        `new ServiceAccountAccess(chart, 'reader', { permissions: [Permission.verbs(['get'], 'configmaps')] });\n` +
        `console.log(JSON.stringify(Testing.synth(chart).map((o) => o.kind)));\n`,
    );
    const kinds = JSON.parse(run(process.execPath, [script], project).stdout) as string[];
    expect(kinds).toEqual(expect.arrayContaining(['ServiceAccount', 'Role', 'RoleBinding']));
  });

  test('GIVEN an ES module WHEN it imports the runtime THEN its functions are there', () => {
    mkdirSync(join(project, 'esm'), { recursive: true });
    const script = join(project, 'esm', 'runtime.mjs');
    writeFileSync(
      script,
      `import * as runtime from 'cdk8s-access-tokens/runtime';\n` +
        `console.log(JSON.stringify(['mintToken', 'findDeclaredTokens', 'connect'].map((k) => typeof runtime[k])));\n`,
    );
    expect(JSON.parse(run(process.execPath, [script], project).stdout)).toEqual([
      'function',
      'function',
      'function',
    ]);
  });

  /** The package as TypeScript consumers see it: one folder per resolution mode, its own tsconfig. */
  const MODES = [
    { resolution: 'node10', module: 'commonjs', type: 'commonjs' },
    { resolution: 'node16', module: 'node16', type: 'module' },
    { resolution: 'bundler', module: 'esnext', type: 'module' },
  ] as const;

  function typecheck(mode: (typeof MODES)[number], name: string, source: string): string {
    const dir = join(project, `ts-${mode.resolution}-${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: mode.type }));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: mode.module,
          moduleResolution: mode.resolution,
          target: 'es2022',
          strict: true,
          noEmit: true,
          // Every declaration file the package brings in is checked.
          skipLibCheck: false,
          types: [],
        },
        files: ['index.ts'],
      }),
    );
    writeFileSync(join(dir, 'index.ts'), source);
    const tsc = run(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir],
      project,
      {
        mayFail: true,
      },
    );
    return `${tsc.stdout}${tsc.stderr}`.trim();
  }

  test.each(MODES)(
    'GIVEN moduleResolution $resolution and skipLibCheck off WHEN a consumer imports `.` and `./rbac` THEN it type-checks',
    (mode) => {
      const errors = typecheck(
        mode,
        'constructs',
        `import { App, Chart } from 'cdk8s';\n` +
          `import { Permission, ServiceAccountAccess, TOKEN_DECLARATION_ANNOTATION } from 'cdk8s-access-tokens';\n` +
          `import { RbacAuthorizer } from 'cdk8s-access-tokens/rbac';\n` +
          `const chart = new Chart(new App(), 'c');\n` +
          `const access = new ServiceAccountAccess(chart, 'a', { permissions: [Permission.verbs(['get'], 'pods')] });\n` +
          `export const answer: boolean = access.canI('get', 'pods');\n` +
          `export const key: string = TOKEN_DECLARATION_ANNOTATION;\n` +
          `export type Engine = RbacAuthorizer;\n`,
      );
      expect(errors).toBe('');
    },
  );

  // The runtime's public declarations name no @kubernetes/client-node type (read-objects.ts,
  // ClusterClient's request methods are @internal and stripped), so a consumer's program never
  // loads client-node's .d.ts files, which need @types/ws and esModuleInterop.
  test.each(MODES)(
    'GIVEN moduleResolution $resolution and skipLibCheck off WHEN a consumer imports `./runtime` THEN it type-checks',
    (mode) => {
      const errors = typecheck(
        mode,
        'runtime',
        `import type { DeclaredToken, MintOptions } from 'cdk8s-access-tokens/runtime';\n` +
          `export const names = (tokens: readonly DeclaredToken[]): string[] => tokens.map((t) => t.serviceAccount);\n` +
          `export type Options = MintOptions;\n`,
      );
      expect(errors).toBe('');
    },
  );

  test.each(MODES)(
    'GIVEN moduleResolution $resolution WHEN a consumer imports `./runtime` THEN its types resolve to the package (TS2307 never)',
    (mode) => {
      const errors = typecheck(
        mode,
        'runtime-resolves',
        `import type { DeclaredToken } from 'cdk8s-access-tokens/runtime';\n` +
          `export const names = (tokens: readonly DeclaredToken[]): string[] => tokens.map((t) => t.serviceAccount);\n`,
      );
      expect(errors).not.toMatch(/TS2307|cdk8s-access-tokens\/runtime. could not be resolved/);
      // Control: what errors there are come from client-node's declarations, not from ours.
      for (const line of errors.split('\n').filter((l) => /error TS/.test(l)))
        expect(line).not.toMatch(/cdk8s-access-tokens\/lib\//);
    },
  );
});
