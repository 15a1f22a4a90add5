import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import { Permission } from '../src/constructs/permission.js';
import { BOOTSTRAP_OBJECTS } from '../src/rbac/bootstrap-policy.js';
import { planLegacyTokens } from '../src/rbac/legacy-plan.js';
import { parseManifests } from '../src/rbac/manifest-reader.js';
import { rulesAllow, type PolicyRule, type ResourceRequest } from '../src/rbac/policy-rule.js';
import { tempDir } from './temp-dir.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = join(ROOT, 'test/fixtures/legacy/legacy-tokens.yaml');
const objects = parseManifests(readFileSync(FIXTURE, 'utf8'), FIXTURE);

/** Every request over the fixture's resources, in and outside the account's namespace. */
function universe(namespace: string): ResourceRequest[] {
  const out: ResourceRequest[] = [];
  for (const verb of ['get', 'list', 'watch', 'patch', 'delete', 'create'])
    for (const [apiGroup, resource] of [
      ['apps', 'deployments'],
      ['', 'secrets'],
      ['', 'nodes'],
      ['', 'namespaces'],
      ['', 'pods'],
    ])
      for (const name of ['', 'web'])
        out.push({ verb, apiGroup, resource, subresource: '', name, namespace });
  return out;
}

describe('planLegacyTokens', () => {
  const { tokens, plans } = planLegacyTokens(objects);

  test('one plan per ServiceAccount, replacing all of its legacy Secrets', () => {
    // THEN
    expect(tokens).toHaveLength(3);
    expect(plans.map((p) => [p.namespace, p.serviceAccount, p.secrets])).toEqual([
      ['monitoring', 'exporter', ['exporter-token']],
      ['shop', 'ci', ['ci-token', 'ci-token-old']],
    ]);
  });

  test('the code grants what the bindings grant, says what it left out, and lints it', () => {
    // GIVEN
    const ci = plans.find((p) => p.serviceAccount === 'ci')!;
    // THEN a new store Secret (ci-token is the legacy one), the risks to acknowledge, the rule a
    // RoleBinding could never grant and the binding whose role was not read
    expect(ci.code).toContain("store: TokenStore.secret('ci-access-token')");
    expect(ci.code).toContain('//   { risk: Risk.SECRETS_READ, reason:');
    // cluster-wide-grant is a warning: the synth never fails on it
    expect(ci.code).not.toContain('CLUSTER_WIDE_GRANT');
    expect(ci.code).toContain(
      '// Left out: 1 cluster-scoped resource or URL that a RoleBinding cannot grant',
    );
    expect(ci.code).toContain('RoleBinding staging/ci-reads-staging -> ClusterRole view');
    expect(ci.findings.map((f) => f.id)).toContain('secrets-read');
    // no acknowledgement is made for the user: the synth fails until someone writes a reason
    expect(ci.code).not.toMatch(/^\s*acknowledge:/m);
  });

  /** The plan as a user would paste it, its acknowledgements uncommented with a reason. */
  function acknowledged(code: string): string {
    return code
      .replace('  // acknowledge: [', '  acknowledge: [')
      .replace(
        /^ {2}\/\/ {3}(\{ risk: .*), reason: '\.\.\.' \},$/gm,
        "    $1, reason: 'reviewed when replacing the legacy token' },",
      )
      .replace(/^ {2}\/\/ \],$/m, '  ],');
  }

  /** Writes `code` into a cdk8s app; the path of the app to run with node. */
  function appOf(code: string): { app: string; dir: string } {
    const dir = tempDir('legacy-plan-', ROOT);
    const app = join(dir, 'app.mjs');
    writeFileSync(
      app,
      [
        "import { App, Chart, Duration } from 'cdk8s';",
        `import { Permission, Risk, ServiceAccountAccess, TokenStore } from ${JSON.stringify(join(ROOT, 'lib/src/index.js'))};`,
        `const app = new App({ outdir: ${JSON.stringify(join(dir, 'dist'))} });`,
        "const chart = new Chart(app, 'legacy', { disableResourceNameHashes: true });",
        code,
        'process.stdout.write(app.synthYaml());',
      ].join('\n'),
    );
    return { app, dir };
  }

  test('the acknowledgements listed are exactly those the synth needs: without any one of them it fails', () => {
    // GIVEN the plan's acknowledgements, uncommented
    const code = acknowledged(plans.find((p) => p.serviceAccount === 'ci')!.code);
    const acks = code.split('\n').filter((l) => /^ {4}\{ risk: /.test(l));
    expect(acks.length).toBeGreaterThan(0);
    // WHEN each is left out in turn, THEN the synth fails naming its risk
    for (const ack of acks) {
      const { app, dir } = appOf(code.replace(`${ack}\n`, ''));
      const run = spawnSync(process.execPath, [app], { cwd: dir, encoding: 'utf8' });
      const risk = /risk: Risk\.(\w+)/.exec(ack)![1];
      expect([risk, run.status]).toEqual([risk, 1]);
    }
  });

  test('round trip: the plan, acknowledged, synthesizes a cdk8s app with the same grants', () => {
    // GIVEN the plan as a user would paste it, acknowledgements uncommented with a reason
    const ci = plans.find((p) => p.serviceAccount === 'ci')!;
    const { app, dir } = appOf(acknowledged(ci.code));
    // WHEN
    const yaml = execFileSync(process.execPath, [app], { cwd: dir, encoding: 'utf8' });
    // THEN the Role grants in shop exactly what the legacy account's Role could grant there,
    // and the ClusterRole what its ClusterRoleBinding granted
    const docs = loadAll(yaml) as {
      kind: string;
      metadata: { namespace?: string };
      rules?: PolicyRule[];
    }[];
    const role = docs.find((d) => d.kind === 'Role')!;
    const clusterRole = docs.find((d) => d.kind === 'ClusterRole')!;
    expect(role.metadata.namespace).toBe('shop');
    const expectedInShop: PolicyRule[] = [
      { verbs: ['get', 'list', 'watch', 'patch'], apiGroups: ['apps'], resources: ['deployments'] },
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'] },
    ];
    const expectedEverywhere: PolicyRule[] = [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['namespaces'] },
    ];
    for (const request of universe('shop')) {
      expect([request, rulesAllow(role.rules!, request)]).toEqual([
        request,
        rulesAllow(expectedInShop, request),
      ]);
      expect([request, rulesAllow(clusterRole.rules!, request)]).toEqual([
        request,
        rulesAllow(expectedEverywhere, request),
      ]);
    }
    // and no token value: the Secret it declares is empty
    expect(yaml).not.toMatch(/^\s*token:\s*\S/m);
  });
});

describe("planLegacyTokens with a cluster's bootstrap bindings", () => {
  // GIVEN the objects as read from a cluster: the app's, and Kubernetes' bootstrap policy
  // (its ClusterRoleBindings system:discovery, system:basic-user and system:public-info-viewer
  // bind the group system:authenticated, system:service-account-issuer-discovery the group
  // system:serviceaccounts)
  const { plans } = planLegacyTokens([...objects, ...BOOTSTRAP_OBJECTS]);
  const ci = plans.find((p) => p.serviceAccount === 'ci')!;

  test('what every ServiceAccount is granted anyway is left out, and the plan says so', () => {
    // THEN the ServiceAccountAccess is the one planned without them
    const alone = planLegacyTokens(objects).plans.find((p) => p.serviceAccount === 'ci')!;
    const construct = (code: string) => code.slice(0, code.indexOf('\n});') + 4);
    expect(construct(ci.code)).toBe(construct(alone.code));
    // no URL, no self-review: nothing of what system:authenticated or system:serviceaccounts holds
    expect(ci.code).not.toMatch(/nonResourceUrls|selfsubject|healthz|openid/);
    // and the plan names the bindings it left out (those of Kubernetes 1.20.2's bootstrap policy)
    const note = ci.code.slice(ci.code.indexOf('// Left out: what every ServiceAccount'));
    for (const binding of [
      'system:basic-user',
      'system:discovery',
      'system:public-info-viewer',
      'system:service-account-issuer-discovery',
    ])
      expect(note.split('\n')).toContain(
        `//   ClusterRoleBinding ${binding} -> ClusterRole ${binding}`,
      );
  });
});

describe('planLegacyTokens on rules that Permission refuses or that need Permission.of', () => {
  // GIVEN a leader-election Role as real projects write it (argo-cd: create restricted by name,
  // which RBAC never matches), custom verbs of an extension API and a dotted core resource
  const manifests = `
apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata:
  name: leader-token
  namespace: shop
  annotations:
    kubernetes.io/service-account.name: leader
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: leader, namespace: shop }
rules:
  - apiGroups: [coordination.k8s.io]
    resources: [leases]
    resourceNames: [lock]
    verbs: [get, update, create]
  - apiGroups: ['', example.com]
    resources: [pods, widgets]
    verbs: [frobnicate]
  - apiGroups: ['']
    resources: [foo.bar]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: leader, namespace: shop }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: leader }
subjects: [{ kind: ServiceAccount, name: leader, namespace: shop }]
`;
  const [plan] = planLegacyTokens(parseManifests(manifests, 'leader.yaml')).plans;

  test('the refused rule is a comment saying why; the others run to exactly themselves', () => {
    // WHEN the permissions list of the plan is run with the real Permission
    const list = /^ {2}permissions: \[\n([\s\S]*?)^ {2}\],$/m.exec(plan.code)![1];
    const rules = (
      new Function('Permission', `return [\n${list}];`)(Permission) as Permission[]
    ).map((p) => p.rule);
    // THEN
    expect(list).toMatch(
      /^ {4}\/\/ not a Permission \(verb 'create' cannot be restricted by resourceNames.*"resourceNames":\["lock"\]/m,
    );
    expect(rules).toEqual([
      { verbs: ['frobnicate'], apiGroups: ['', 'example.com'], resources: ['pods', 'widgets'] },
      { verbs: ['get'], apiGroups: [''], resources: ['foo.bar'] },
    ]);
  });
});
