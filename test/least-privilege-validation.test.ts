/**
 * `LeastPrivilegeValidation`, the lint as a cdk8s CLI validation plugin: what it reports through
 * the plugin contract (a recording context), and the real cdk8s CLI failing a synth over a plain
 * cdk8s-plus Role until the risk is acknowledged.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import {
  LeastPrivilegeValidation,
  type ValidationContextLike,
} from '../src/validation/least-privilege-validation.js';
import { tempDir } from './temp-dir.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

const secretReader = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: { name: 'secret-reader', namespace: 'shop' },
  rules: [
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] },
  ],
};
const binding = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: 'secret-reader', namespace: 'shop' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' },
  subjects: [{ kind: 'ServiceAccount', name: 'app', namespace: 'shop' }],
};

/** A context as the cdk8s CLI builds it, recording what the plugin reports. */
function recordingContext(objects: readonly object[]) {
  const violations: Parameters<ValidationContextLike['report']['addViolation']>[0][] = [];
  const submitted: string[] = [];
  const logged: string[] = [];
  const context: ValidationContextLike = {
    manifests: ['dist/app.k8s.yaml'],
    parseManifest: () => [...objects],
    report: {
      addViolation: (v) => void violations.push(v),
      submit: (status) => void submitted.push(status),
    },
    logger: { log: (m) => void logged.push(m) },
  };
  return { context, violations, submitted, logged };
}

describe('LeastPrivilegeValidation', () => {
  test('reports an unacknowledged risk as a violation at its object, rule and manifest', async () => {
    // GIVEN
    const { context, violations, submitted } = recordingContext([secretReader, binding]);
    // WHEN
    await new LeastPrivilegeValidation().validate(context);
    // THEN
    expect(submitted).toEqual(['failure']);
    const read = violations.find((v) => v.ruleName === 'secrets-read');
    expect(read?.violatingResources).toEqual([
      {
        resourceName: 'Role/shop/secret-reader',
        locations: ['rules[1]'],
        manifestPath: 'dist/app.k8s.yaml',
      },
    ]);
    expect(read?.fix).not.toBe('');
  });

  test('an acknowledgement with a reason passes it; one that matches nothing is logged as stale', async () => {
    // GIVEN
    const { context, violations, submitted, logged } = recordingContext([secretReader, binding]);
    // WHEN
    await new LeastPrivilegeValidation({
      acknowledgements: [
        {
          rule: 'secrets-read',
          object: 'Role/shop/secret-*',
          reason: 'the app reads its own TLS secrets',
        },
        {
          rule: 'pods-exec',
          object: 'Role/shop/nothing',
          reason: 'an entry that no longer applies',
        },
      ],
    }).validate(context);
    // THEN
    expect(violations).toEqual([]);
    expect(submitted).toEqual(['success']);
    expect(logged).toEqual([
      'stale acknowledgement (matches nothing): pods-exec on Role shop/nothing',
    ]);
  });

  test('failOn warning also fails on warnings; clean manifests succeed', async () => {
    // GIVEN a Role bound by nobody (its findings are warnings) and a harmless one
    const unbound = recordingContext([secretReader]);
    const harmless = recordingContext([
      { ...secretReader, rules: [secretReader.rules[0]] },
      binding,
    ]);
    // WHEN
    await new LeastPrivilegeValidation().validate(unbound.context);
    await new LeastPrivilegeValidation({ failOn: 'warning' }).validate(
      recordingContext([secretReader]).context,
    );
    await new LeastPrivilegeValidation({ failOn: 'warning' }).validate(harmless.context);
    // THEN
    expect(unbound.submitted).toEqual(['success']);
    expect(harmless.submitted).toEqual(['success']);
    const strict = recordingContext([secretReader]);
    await new LeastPrivilegeValidation({ failOn: 'warning' }).validate(strict.context);
    expect(strict.submitted).toEqual(['failure']);
  });

  test('rejects bad properties, naming the value and what is allowed', () => {
    expect(() => new LeastPrivilegeValidation({ failOn: 'never' as 'error' })).toThrow(
      /failOn must be 'error' or 'warning', got 'never'/,
    );
    const { context } = recordingContext([secretReader, binding]);
    return expect(
      new LeastPrivilegeValidation({
        acknowledgements: [
          { rule: 'secrets-read', object: 'Role/shop/secret-reader', reason: 'short' },
        ],
      }).validate(context),
    ).rejects.toThrow(/reason/);
  });
});

describe('LeastPrivilegeValidation in the cdk8s CLI', () => {
  /** A cdk8s app with a plain cdk8s-plus Role that reads Secrets, and the plugin in cdk8s.yaml. */
  function app(properties: object): string {
    const dir = tempDir('validation-plugin-', ROOT);
    writeFileSync(
      join(dir, 'app.mjs'),
      [
        "import { App, Chart } from 'cdk8s';",
        "import * as kplus from 'cdk8s-plus-27';",
        'const app = new App();',
        "const chart = new Chart(app, 'plain', { namespace: 'shop', disableResourceNameHashes: true });",
        "const role = new kplus.Role(chart, 'reader');",
        'role.allowRead(kplus.ApiResource.SECRETS);',
        "const sa = new kplus.ServiceAccount(chart, 'app');",
        'role.bind(sa);',
        'app.synth();',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'cdk8s.yaml'),
      dump({
        language: 'typescript',
        app: 'node app.mjs',
        output: 'dist',
        validations: [
          { package: ROOT, version: VERSION, class: 'LeastPrivilegeValidation', properties },
        ],
      }),
    );
    return dir;
  }
  const synth = (cwd: string) =>
    spawnSync(join(ROOT, 'node_modules/.bin/cdk8s'), ['synth', '--check-upgrade', 'false'], {
      cwd,
      encoding: 'utf8',
    });

  test('fails the synth on the risk, and passes once it is acknowledged', () => {
    // WHEN
    const failed = synth(app({}));
    // THEN our violation is in the CLI's report, naming the rule
    expect(failed.status).not.toBe(0);
    expect(`${failed.stdout}${failed.stderr}`).toContain('secrets-read');
    expect(`${failed.stdout}${failed.stderr}`).toContain('Resource Name: Role/shop/plain-reader');
    // WHEN acknowledged in the plugin's properties
    const passed = synth(
      app({
        acknowledgements: [
          {
            rule: 'secrets-read',
            object: { kind: 'Role', name: '*' },
            reason: 'the app reads its own TLS secrets',
          },
        ],
      }),
    );
    // THEN
    expect(`${passed.stdout}${passed.stderr}`).not.toContain('secrets-read');
    expect(passed.status).toBe(0);
  });
});

describe('the package as a cdk8s app loads it', () => {
  test('GIVEN an app that requires the package WHEN it loads THEN js-yaml is not loaded: only the plugin reads acknowledgement files', () => {
    // GIVEN the CommonJS build that the package's `require` entry names (npm test builds it)
    const script =
      `require(${JSON.stringify(join(ROOT, 'lib/cjs/index.js'))});\n` +
      `const loaded = Object.keys(require.cache);\n` +
      `console.log(JSON.stringify({ ours: loaded.filter((f) => f.includes('/lib/cjs/')).length, yaml: loaded.filter((f) => f.includes('/node_modules/js-yaml/')) }));`;
    // WHEN
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    // THEN the package's modules loaded (the probe works) and none of js-yaml's
    expect(run.stderr).toBe('');
    const { ours, yaml } = JSON.parse(run.stdout) as { ours: number; yaml: string[] };
    expect(ours).toBeGreaterThan(10);
    expect(yaml).toEqual([]);
  });
});
