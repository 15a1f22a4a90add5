/**
 * What a cdk8s user does (issue 12, §1): scaffold an app with the cdk8s CLI's `typescript-app`
 * template, install the packed package, and run the template's own tsc, jest and
 * `cdk8s synth`, with the template's config unchanged (CommonJS, node10 resolution,
 * skipLibCheck off, ts-jest in CommonJS mode, `npx ts-node main.ts`), over an app that uses
 * the constructs, `attachTo` with the template's cdk8s-plus, and the runtime.
 *
 * The template's `cdk8s import` step needs the internet (raw.githubusercontent.com): `cdk8s init`
 * fails there, after it wrote the project and ran `npm install`; that scaffold is all this uses.
 */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../temp-dir.js';
import { ROOT, install, pack, run } from './packed.js';

let app = '';
let plus = '';

const npx = (args: string[], mayFail = false) =>
  run('npx', ['--no-install', ...args], app, { mayFail });

beforeAll(() => {
  app = join(tempDir('cdk8s-init-'), 'app');
  run('mkdir', [app], ROOT);
  const init = run(
    join(ROOT, 'node_modules', '.bin', 'cdk8s'),
    ['init', 'typescript-app', '--check-upgrade', 'false'],
    app,
    { mayFail: true },
  );
  // Only the import step may fail (no internet here): the scaffold and its install are there.
  if (init.status !== 0 && !/npm run import/.test(`${init.stdout}${init.stderr}`))
    throw new Error(`cdk8s init failed before its import step:\n${init.stdout}\n${init.stderr}`);
  for (const file of ['package.json', 'tsconfig.json', 'jest.config.js', 'cdk8s.yaml'])
    if (!existsSync(join(app, file))) throw new Error(`cdk8s init wrote no ${file}`);
  const deps = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).dependencies;
  plus = Object.keys(deps).find((name) => /^cdk8s-plus-\d+$/.test(name)) ?? '';
  install(app, pack(tempDir('packed-')));

  // The app: the template's main.ts, with our constructs and a declared token.
  writeFileSync(
    join(app, 'main.ts'),
    `import { Construct } from 'constructs';
import { App, Chart, ChartProps, Duration } from 'cdk8s';
import { Permission, ServiceAccountAccess, TokenStore } from 'cdk8s-access-tokens';

export class MyChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'shop', ...props });
    new ServiceAccountAccess(this, 'deployer', {
      permissions: [Permission.verbs(['get', 'patch'], 'deployments.apps', 'web')],
      token: { duration: Duration.hours(1), store: TokenStore.secret('deployer-token') },
    });
  }
}

const app = new App();
new MyChart(app, 'app');
app.synth();
`,
  );
  // The template's snapshot is of its empty chart: the template's own test writes a new one.
  rmSync(join(app, '__snapshots__'), { recursive: true, force: true });
  writeFileSync(
    join(app, 'access.test.ts'),
    `import { Testing } from 'cdk8s';
import { MyChart } from './main';

test('the chart holds the ServiceAccount, its Role and RoleBinding, and no token', () => {
  const objects = Testing.synth(new MyChart(Testing.app(), 'c'));
  const kinds = objects.map((o) => o.kind);
  expect(kinds).toEqual(expect.arrayContaining(['ServiceAccount', 'Role', 'RoleBinding', 'Secret']));
  const account = objects.find((o) => o.kind === 'ServiceAccount');
  expect(account.automountServiceAccountToken).toBe(false);
  expect(Object.keys(account.metadata.annotations)).toContain('access-tokens.cdk8s.io/token');
  expect(objects.find((o) => o.kind === 'Secret').data).toBeUndefined();
});
`,
  );
});

describe(`a cdk8s init typescript-app project`, () => {
  test('GIVEN the template WHEN scaffolded THEN it pins a cdk8s-plus and compiles as CommonJS with skipLibCheck off', () => {
    expect(plus).toMatch(/^cdk8s-plus-\d+$/);
    const tsconfig = JSON.parse(readFileSync(join(app, 'tsconfig.json'), 'utf8')).compilerOptions;
    expect(tsconfig.module).toBe('CommonJS');
    expect(tsconfig.skipLibCheck).toBeUndefined();
    expect(tsconfig.moduleResolution).toBeUndefined();
  });

  test("GIVEN the app with the constructs WHEN the template's tsc, jest and cdk8s synth run THEN each succeeds", () => {
    npx(['tsc', '--build']);
    // The template's snapshot test writes its first snapshot, as on a developer's machine; with
    // CI=true (as .ci/run runs) jest would refuse to write a new snapshot and fail it.
    const jest = npx(['jest', '--ci=false'], true);
    expect({ status: jest.status, output: jest.stderr }).toEqual({
      status: 0,
      output: expect.stringMatching(/Tests: +2 passed, 2 total/),
    });
    npx(['cdk8s', 'synth', '--check-upgrade', 'false']);
    const yaml = readFileSync(join(app, 'dist', 'app.k8s.yaml'), 'utf8');
    expect(yaml).toMatch(/kind: ServiceAccount/);
    expect(yaml).toMatch(/access-tokens\.cdk8s\.io\/token/);
  });

  test('GIVEN the synthesized app WHEN a script imports cdk8s-access-tokens/runtime THEN it finds the declared token', () => {
    writeFileSync(
      join(app, 'declared.mjs'),
      `import { findDeclaredTokens, readManifests } from 'cdk8s-access-tokens/runtime';
const set = await readManifests(['dist']);
console.log(JSON.stringify(findDeclaredTokens(set.objects, 'default').map((t) => [t.namespace, t.serviceAccount])));
`,
    );
    const out = run(process.execPath, ['declared.mjs'], app).stdout;
    expect(JSON.parse(out)).toEqual([['shop', expect.stringMatching(/deployer/)]]);
  });

  /** Type-checks the project with `file` added, with the template's tsconfig; removes it after. */
  function typecheckWith(file: string, source: string): string {
    writeFileSync(join(app, file), source);
    try {
      const tsc = npx(['tsc', '--noEmit', '-p', '.'], true);
      return `${tsc.stdout}${tsc.stderr}`.trim();
    } finally {
      rmSync(join(app, file));
    }
  }

  // attachTo takes any cdk8s-plus major's workloads structurally (IWorkload): the template's
  // cdk8s-plus-33 Deployment type-checks.
  test("GIVEN the template's cdk8s-plus WHEN a Deployment is given to attachTo THEN it type-checks", () => {
    const errors = typecheckWith(
      'attach.ts',
      `import { App, Chart } from 'cdk8s';
import * as kplus from '${plus}';
import { Permission, ServiceAccountAccess } from 'cdk8s-access-tokens';

const chart = new Chart(new App(), 'attach');
const web = new kplus.Deployment(chart, 'web', { containers: [{ image: 'nginx' }] });
new ServiceAccountAccess(chart, 'web-access', { permissions: [Permission.verbs(['get'], 'configmaps')] }).attachTo(web);
`,
    );
    expect(errors).toBe('');
  });

  // The runtime's public declarations name no client-node type, so the template's tsconfig (no
  // esModuleInterop, no @types/ws, skipLibCheck off) type-checks a script using the runtime.
  test('GIVEN a TypeScript script importing cdk8s-access-tokens/runtime WHEN type-checked (node10 resolution, skipLibCheck off) THEN it passes', () => {
    const errors = typecheckWith(
      'mint-all.ts',
      `import { findDeclaredTokens, readManifests } from 'cdk8s-access-tokens/runtime';

export async function declared(dir: string): Promise<number> {
  const set = await readManifests([dir]);
  return findDeclaredTokens(set.objects, 'default').length;
}
`,
    );
    expect(errors).toBe('');
  });

  test('GIVEN the project WHEN scanned THEN the tests above left no extra file behind', () => {
    expect(
      readdirSync(app)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
        .sort(),
    ).toEqual(['access.test.ts', 'main.test.ts', 'main.ts']);
  });
});
