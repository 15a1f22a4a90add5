import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Chart, Testing } from 'cdk8s';
import ts from 'typescript';
import * as lib from '../src/index.js';
import { compactRules } from '../src/rbac/compact.js';
import type { ObservedRules } from '../src/rbac/audit-rules.js';
import {
  observedPermissionCode,
  observedRoleManifests,
  permissionExpression,
} from '../src/rbac/audit-rules-render.js';
import type { KubeObject } from '../src/rbac/kube-object.js';
import type { PolicyRule } from '../src/rbac/policy-rule.js';
import { validateAgainstSchema } from './schema.js';
import { tempDir } from './temp-dir.js';
import { strictProgram } from './ts-program.js';

const root = join(fileURLToPath(import.meta.url), '..', '..');

const OBSERVED: ObservedRules[] = [
  {
    namespace: 'shop',
    rules: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      {
        apiGroups: ['apps'],
        resources: ['deployments/scale'],
        resourceNames: ['web'],
        verbs: ['get', 'patch'],
      },
      {
        apiGroups: [''],
        resources: ['serviceaccounts/token'],
        resourceNames: ['deployer'],
        verbs: ['create'],
      },
      {
        apiGroups: [''],
        resources: ['configmaps', 'secrets'],
        resourceNames: ['cfg'],
        verbs: ['get'],
      },
      { apiGroups: ['example.com'], resources: ['widgets'], verbs: ['frobnicate'] },
    ],
  },
  { namespace: 'other', rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] },
  {
    namespace: '',
    rules: [
      { nonResourceURLs: ['/healthz'], verbs: ['get'] },
      { apiGroups: [''], resources: ['nodes'], resourceNames: ['n1'], verbs: ['get'] },
    ],
  },
];

/** Runs generated code (transpiled to CommonJS) with `cdk8s-access-tokens` bound to the source. */
function evaluate(
  code: string,
): Record<string, lib.Permission[] | Record<string, lib.Permission[]>> {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const exports: Record<string, never> = {};
  const require = (id: string) => {
    if (id !== 'cdk8s-access-tokens') throw new Error(`unexpected import ${id}`);
    return lib;
  };
  new Function('require', 'exports', js)(require, exports);
  return exports;
}

const canon = (rules: readonly PolicyRule[]) => compactRules(rules);

describe('observedPermissionCode', () => {
  test('type-checks against the built package', () => {
    // GIVEN
    const code = observedPermissionCode(OBSERVED, 'system:serviceaccount:shop:deployer', 'shop');
    const dir = tempDir('audit-code-', join(root, 'lib'));
    const file = join(dir, 'observed.ts');
    writeFileSync(file, code);
    // WHEN
    const problems = ts
      .getPreEmitDiagnostics(strictProgram([file]))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    // THEN
    expect(problems).toEqual([]);
  });

  test('round trip: the code, pasted into a cdk8s app, synthesizes the same rules', () => {
    // GIVEN
    const code = observedPermissionCode(OBSERVED, 'system:serviceaccount:shop:deployer', 'shop');
    const { permissions, clusterPermissions, permissionsByNamespace } = evaluate(code) as {
      permissions: lib.Permission[];
      clusterPermissions: lib.Permission[];
      permissionsByNamespace: Record<string, lib.Permission[]>;
    };
    const chart = new Chart(Testing.app({ outdir: tempDir('cdk8s.outdir.') }), 'app', {
      namespace: 'shop',
    });
    new lib.ServiceAccountAccess(chart, 'deployer', {
      permissions,
      clusterPermissions,
      acknowledge: [
        { risk: lib.Risk.CLUSTER_WIDE_GRANT, reason: 'observed in the audit log, reviewed' },
        { risk: lib.Risk.TOKEN_CREATE, reason: 'observed in the audit log, reviewed' },
        { risk: lib.Risk.SECRETS_READ, reason: 'observed in the audit log, reviewed' },
      ],
    });
    // WHEN
    const objects = Testing.synth(chart) as KubeObject[];
    // THEN
    const role = objects.find((o) => o.kind === 'Role');
    const clusterRole = objects.find((o) => o.kind === 'ClusterRole');
    expect(role?.rules).toEqual(canon(OBSERVED[0].rules));
    expect(clusterRole?.rules).toEqual(canon(OBSERVED[2].rules));
    expect(canon(permissionsByNamespace.other.map((p) => p.rule))).toEqual(
      canon(OBSERVED[1].rules),
    );
  });

  test('reads like hand-written code: read(), verbs(), customVerbs(), of(), nonResourceUrls()', () => {
    expect(OBSERVED[0].rules.map(permissionExpression)).toEqual([
      "Permission.read('pods')",
      "Permission.verbs(['get', 'patch'], 'deployments.apps/scale', 'web')",
      "Permission.verbs(['create'], 'serviceaccounts/token', 'deployer')",
      "Permission.of({ verbs: ['get'], apiGroups: [''], resources: ['configmaps', 'secrets'], resourceNames: ['cfg'] })",
      "Permission.customVerbs(['frobnicate'], 'widgets.example.com')",
    ]);
    expect(permissionExpression({ verbs: ['get'], nonResourceURLs: ['/healthz', "/it's"] })).toBe(
      "Permission.nonResourceUrls(['get'], '/healthz', '/it\\'s')",
    );
  });
});

test('an empty group renders as an empty list', () => {
  const code = observedPermissionCode([OBSERVED[0]], 'system:serviceaccount:shop:deployer', 'shop');
  expect(code).toContain('export const clusterPermissions: Permission[] = [];\n');
  expect(code).not.toContain('permissionsByNamespace');
});

describe('observedRoleManifests', () => {
  test('a Role per namespace and a ClusterRole, valid against the upstream schema', async () => {
    const manifests = observedRoleManifests(OBSERVED, 'deployer-observed');
    expect(manifests.map((m) => [m.kind, m.metadata?.namespace, m.metadata?.name])).toEqual([
      ['Role', 'shop', 'deployer-observed'],
      ['Role', 'other', 'deployer-observed'],
      ['ClusterRole', undefined, 'deployer-observed'],
    ]);
    for (const m of manifests) await validateAgainstSchema(m);
  });
});
