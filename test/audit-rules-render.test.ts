import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Chart, Testing } from 'cdk8s';
import ts from 'typescript';
import * as lib from '../src/index.js';
import { compactRules } from '../src/rbac/compact.js';
import type { ObservedRules } from '../src/rbac/audit-rules.js';
import { observedPermissionCode, observedRoleManifests } from '../src/rbac/audit-rules-render.js';
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

/** Rules the first renderer got wrong: each printed code that threw or granted something else. */
const ODD_RULES: PolicyRule[] = [
  { apiGroups: ['', 'example.com'], resources: ['pods', 'widgets'], verbs: ['frobnicate', 'get'] },
  { apiGroups: ['*'], resources: ['widgets'], verbs: ['frobnicate'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['*'] },
  { apiGroups: [''], resources: ['foo.bar'], verbs: ['get'] },
  {
    apiGroups: [''],
    resources: ['configmaps'],
    resourceNames: ["it's", 'a\\b', 'x\ny', 'c\r'],
    verbs: ['get'],
  },
  { nonResourceURLs: ["/it's", '/a\nb'], verbs: ['get'] },
];
/** A rule no Permission accepts: RBAC never matches create restricted by name. */
const REFUSED: PolicyRule = {
  apiGroups: ['coordination.k8s.io'],
  resources: ['leases'],
  resourceNames: ['lock'],
  verbs: ['create'],
};
const ODD: ObservedRules[] = [
  { namespace: 'shop', rules: [...ODD_RULES.filter((r) => !r.nonResourceURLs), REFUSED] },
  { namespace: '', rules: ODD_RULES.filter((r) => r.nonResourceURLs) },
];

/** The type errors of `code` as a module beside the built package (strict settings). */
function typeErrorsOf(code: string): string[] {
  const file = join(tempDir('audit-code-', join(root, 'lib')), 'observed.ts');
  writeFileSync(file, code);
  return ts
    .getPreEmitDiagnostics(strictProgram([file]))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('observedPermissionCode', () => {
  test('type-checks against the built package', () => {
    // GIVEN
    const code = observedPermissionCode(OBSERVED, 'system:serviceaccount:shop:deployer', 'shop');
    // WHEN
    const problems = typeErrorsOf(code);
    // THEN
    expect(problems).toEqual([]);
  });

  test('odd rules type-check, and run to exactly the rules observed; a refused rule is a comment', () => {
    // GIVEN custom verbs over several resources, a `*` verb, a dotted core resource, names with
    // quotes and line breaks, and a rule Permission refuses
    const code = observedPermissionCode(ODD, 'system:serviceaccount:shop:deployer', 'shop');
    // WHEN
    const problems = typeErrorsOf(code);
    const { permissions, clusterPermissions } = evaluate(code) as Record<string, lib.Permission[]>;
    // THEN
    expect(problems).toEqual([]);
    expect(permissions.map((p) => p.rule)).toEqual(ODD[0].rules.slice(0, -1));
    expect(clusterPermissions.map((p) => p.rule)).toEqual(ODD[1].rules);
    expect(code).toMatch(
      /^ {2}\/\/ not a Permission \(verb 'create' cannot be restricted by resourceNames.*\{"apiGroups":\["coordination\.k8s\.io"\]/m,
    );
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
    const code = observedPermissionCode(OBSERVED, 'system:serviceaccount:shop:deployer', 'shop');
    expect(code).toContain(
      [
        'export const permissions: Permission[] = [',
        "  Permission.read('pods'),",
        "  Permission.verbs(['get', 'patch'], 'deployments.apps/scale', 'web'),",
        "  Permission.verbs(['create'], 'serviceaccounts/token', 'deployer'),",
        "  Permission.of({ verbs: ['get'], apiGroups: [''], resources: ['configmaps', 'secrets'], resourceNames: ['cfg'] }),",
        "  Permission.customVerbs(['frobnicate'], 'widgets.example.com'),",
        '];',
      ].join('\n'),
    );
    expect(code).toContain("  Permission.nonResourceUrls(['get'], '/healthz'),");
  });
});

test('a user name with line breaks stays inside the comment that names it', () => {
  // GIVEN an identity as an audit log may carry it (any text an authenticator accepted)
  const identity = "alice\nthrow new Error('ran')\r\u2028//";
  // WHEN
  const code = observedPermissionCode([OBSERVED[1]], identity, 'other');
  // THEN the code runs to the permissions, and the name is on the first line, escaped
  expect(code.split('\n')[0]).toBe(
    "// The rules observed for alice\\u000athrow new Error('ran')\\u000d\\u2028// in the audit log (access-tokens audit rules).",
  );
  const { permissions } = evaluate(code) as Record<string, lib.Permission[]>;
  expect(permissions.map((p) => p.rule)).toEqual(OBSERVED[1].rules);
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
