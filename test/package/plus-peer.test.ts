/**
 * cdk8s-plus-27 is a required peer dependency: `ServiceAccountAccess` builds on its
 * `ServiceAccount`, `Role` and bindings at run time (src/constructs/service-account-access.ts).
 * An app that depends only on the newest cdk8s-plus (34) still installs with
 * `--strict-peer-deps` (npm 7+ installs the missing peer beside it: both majors ask for the same
 * cdk8s and constructs) and synthesizes, with `attachTo` given that major's Deployment.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../temp-dir.js';
import { ROOT, pack, run } from './packed.js';

const ours = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
let project = '';

beforeAll(() => {
  project = tempDir('plus-peer-');
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'plus-34-app', version: '1.0.0', private: true }),
  );
  // The app names cdk8s-plus-34 and not cdk8s-plus-27; the same cdk8s and constructs as ours.
  const app = ['cdk8s', 'constructs', 'cdk8s-plus-34'].map(
    (name) => `${name}@${ours.devDependencies[name]}`,
  );
  run(
    'npm',
    [
      'install',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--strict-peer-deps',
      pack(tempDir('packed-')),
      ...app,
    ],
    project,
  );
});

test('GIVEN an app with only cdk8s-plus-34 WHEN installed with --strict-peer-deps THEN npm adds the cdk8s-plus-27 peer beside it', () => {
  const deps = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies;
  expect(Object.keys(deps).filter((d) => d.startsWith('cdk8s-plus-'))).toEqual(['cdk8s-plus-34']);
  expect(existsSync(join(project, 'node_modules', 'cdk8s-plus-27', 'package.json'))).toBe(true);
});

test("GIVEN that app WHEN it attaches cdk8s-plus-34's Deployment and synthesizes THEN the Deployment runs as the ServiceAccount", () => {
  const script = join(project, 'main.cjs');
  writeFileSync(
    script,
    `const { App, Chart } = require('cdk8s');
const { Deployment } = require('cdk8s-plus-34');
const { Permission, ServiceAccountAccess } = require('cdk8s-access-tokens');
const app = new App({ outdir: ${JSON.stringify(join(project, 'dist'))} });
const chart = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
const access = new ServiceAccountAccess(chart, 'deployer', {
  permissions: [Permission.read('configmaps')],
});
const web = new Deployment(chart, 'web', { containers: [{ image: 'example/web:1' }] });
access.attachTo(web);
const objects = chart.toJson();
console.log(JSON.stringify(objects.map((o) => [o.kind, o.metadata.name, o.spec?.template?.spec?.serviceAccountName ?? null])));
`,
  );
  const out = JSON.parse(run(process.execPath, [script], project).stdout) as (string | null)[][];
  expect(out).toEqual(
    expect.arrayContaining([
      ['ServiceAccount', 'deployer', null],
      ['Role', expect.any(String), null],
      ['RoleBinding', expect.any(String), null],
      ['Deployment', expect.any(String), 'deployer'],
    ]),
  );
});
