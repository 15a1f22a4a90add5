import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACKNOWLEDGED_RISKS_ANNOTATION, type KubeObject } from '../src/rbac/kube-object.js';
import {
  ERROR_RISK_IDS,
  applyAcknowledgements,
  formatFindings,
  formatRule,
  lintManifests,
  lintRules,
  selectedRules,
  validateAcknowledgements,
} from '../src/rbac/lint.js';
import { parseManifests, readManifestPaths } from '../src/rbac/manifest-reader.js';
import type { PolicyRule } from '../src/rbac/policy-rule.js';
import { Risk, RISK_RULES } from '../src/rbac/risks/index.js';
import { POLICY_RULE_CHECKS } from '../src/rbac/risks/risk-rules.js';

/** What `helm template` prints for a typical operator chart, comments and empty docs included. */
const HELM_OUTPUT = `---
# Source: operator/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: release-operator
  labels:
    helm.sh/chart: operator-1.2.3
---
# Source: operator/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: release-operator-token
  annotations:
    kubernetes.io/service-account.name: release-operator
type: kubernetes.io/service-account-token
---
# Source: operator/templates/empty.yaml
---
# Source: operator/templates/clusterrole.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: release-operator
rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log"]
    verbs: ["get", "list", "watch"]
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list", "watch", "create", "update"]
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["*"]
  - nonResourceURLs: ["/metrics"]
    verbs: ["get"]
---
# Source: operator/templates/clusterrolebinding.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: release-operator
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: release-operator
subjects:
  - kind: ServiceAccount
    name: release-operator
    namespace: operators
---
# Source: operator/templates/role.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: release-operator-leader
  namespace: operators
rules:
  - apiGroups: ["coordination.k8s.io"]
    resources: ["leases"]
    verbs: ["get", "create", "update"]
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get", "list"]
---
# Source: operator/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-operator
spec:
  replicas: 1
  template:
    spec:
      serviceAccountName: release-operator
      containers:
        - name: operator
          image: example/operator:1.2.3
`;

const role = (name: string, rules: unknown[], acks?: unknown): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: {
    name,
    namespace: 'ci',
    ...(acks === undefined
      ? {}
      : {
          annotations: {
            [ACKNOWLEDGED_RISKS_ANNOTATION]: typeof acks === 'string' ? acks : JSON.stringify(acks),
          },
        }),
  },
  rules,
});
const SECRET_LIST = { apiGroups: [''], resources: ['secrets'], verbs: ['list'] };

/** The objects with a RoleBinding of each Role to a ServiceAccount, so that its risk is held. */
const withBindings = (objects: KubeObject[]): KubeObject[] => [
  ...objects,
  ...objects
    .filter((o) => o.kind === 'Role')
    .map((o) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: o.metadata?.name, namespace: o.metadata?.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: o.metadata?.name },
      subjects: [{ kind: 'ServiceAccount', name: 'app' }],
    })),
];

describe('lintRules', () => {
  test('locates each finding at its rule index', () => {
    // GIVEN a safe rule followed by a risky one
    const rules = [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }, SECRET_LIST];
    // WHEN linted at a location
    const findings = lintRules(rules, {
      kind: 'Role',
      name: 'r',
      namespace: 'ci',
      source: 'Chart/r',
    });
    // THEN the finding points at rules[1] and keeps the source
    expect(findings.map((f) => [f.id, f.location?.ruleIndex, f.location?.source])).toEqual([
      ['secrets-read', 1, 'Chart/r'],
    ]);
  });

  test('tolerates malformed rules from untrusted manifests', () => {
    const rules = [{ resources: ['secrets'] }, { verbs: 'list', apiGroups: [''] }] as never[];
    expect(() => lintRules(rules)).not.toThrow();
    expect(lintRules(rules)).toEqual([]);
  });
});

describe('acknowledgements', () => {
  test('an acknowledgement with a reason marks the finding and removes it from errors', () => {
    // GIVEN a Role that lists secrets and acknowledges it with a reason
    const obj = role(
      'r',
      [SECRET_LIST],
      [{ risk: Risk.SECRETS_READ, reason: 'the controller syncs every secret' }],
    );
    // WHEN linted
    const report = lintManifests(withBindings([obj]));
    // THEN the finding is kept, visible, with its reason, and is no error
    expect(report.findings.map((f) => [f.id, f.acknowledgedReason])).toEqual([
      ['secrets-read', 'the controller syncs every secret'],
    ]);
    expect(report.errors).toEqual([]);
    expect(report.problems).toEqual([]);
    expect(report.counts).toEqual({
      total: 1,
      errors: 0,
      warnings: 0,
      acknowledged: 1,
      baselined: 0,
    });
  });

  test('a reason shorter than 10 characters acknowledges nothing and is a problem', () => {
    const obj = role('r', [SECRET_LIST], [{ risk: Risk.SECRETS_READ, reason: 'x' }]);
    const report = lintManifests(withBindings([obj]));
    expect(report.errors.map((f) => f.id)).toEqual(['secrets-read']);
    expect(report.problems).toEqual([
      {
        location: { kind: 'Role', name: 'r', namespace: 'ci' },
        message:
          "acknowledgement of risk 'secrets-read' needs a reason of at least 10 characters, got 'x'",
      },
    ]);
  });

  test('an unknown risk id is a problem naming the known ids', () => {
    const [problem] = validateAcknowledgements([
      { risk: 'secret-read', reason: 'a long enough reason' },
    ]);
    expect(problem).toMatch(
      /^acknowledgement names unknown risk 'secret-read', expected one of: cluster-admin-equivalent, wildcard-verbs, /,
    );
  });

  test('an acknowledgement of another risk does not acknowledge this one', () => {
    const obj = role(
      'r',
      [SECRET_LIST],
      [{ risk: Risk.PODS_EXEC, reason: 'debugging the operator' }],
    );
    expect(lintManifests(withBindings([obj])).errors.map((f) => f.id)).toEqual(['secrets-read']);
  });

  test('an annotation that is not a JSON array is a problem', () => {
    const report = lintManifests([role('r', [], '{not json')]);
    expect(report.problems[0].message).toMatch(
      /must be a JSON array of \{"risk", "reason"\}, got invalid JSON/,
    );
    expect(lintManifests([role('r', [], '{"risk":"x"}')]).problems[0].message).toMatch(
      /got \{"risk":"x"\}$/,
    );
  });

  test('applyAcknowledgements ignores invalid acknowledgements', () => {
    const findings = lintRules([SECRET_LIST]);
    expect(
      applyAcknowledgements(findings, [{ risk: 'secrets-read', reason: 'short' }])[0]
        .acknowledgedReason,
    ).toBeUndefined();
    expect(
      applyAcknowledgements(findings, [
        { risk: 'secrets-read', reason: '  needs all secrets  ' },
      ])[0].acknowledgedReason,
    ).toBe('needs all secrets');
  });

  test("a ClusterRoleBinding's cluster-wide grant can be acknowledged on its ClusterRole", () => {
    // GIVEN a ClusterRole that acknowledges cluster scope, and its ClusterRoleBinding
    const objects = parseManifests(HELM_OUTPUT, 'helm.yaml').map((o) =>
      o.kind === 'ClusterRole'
        ? {
            ...o,
            metadata: {
              ...o.metadata,
              annotations: {
                [ACKNOWLEDGED_RISKS_ANNOTATION]: JSON.stringify([
                  { risk: Risk.CLUSTER_WIDE_GRANT, reason: 'the operator watches every namespace' },
                ]),
              },
            },
          }
        : o,
    );
    // WHEN linted / THEN the binding's finding carries the ClusterRole's reason
    const finding = lintManifests(objects).findings.find((f) => f.id === Risk.CLUSTER_WIDE_GRANT);
    expect(finding?.acknowledgedReason).toBe('the operator watches every namespace');
  });
});

describe('lintManifests over a Helm chart', () => {
  const objects = parseManifests(HELM_OUTPUT, 'operator.yaml');
  const sources = new Map(objects.map((o) => [o, 'operator.yaml']));
  const report = lintManifests(objects, { sources });

  test('finds every risk of the chart, on the right objects', () => {
    // THEN each risky thing is found where it is
    const found = report.findings.map(
      (f) => `${f.id} ${f.location?.kind}/${f.location?.name}#${f.location?.ruleIndex ?? '-'}`,
    );
    expect(found.sort()).toEqual(
      [
        'secrets-read ClusterRole/release-operator#1',
        'secrets-write ClusterRole/release-operator#1',
        'wildcard-verbs ClusterRole/release-operator#2',
        'workload-create ClusterRole/release-operator#2',
        'cluster-wide-grant ClusterRoleBinding/release-operator#-',
        'legacy-token-secret Secret/release-operator-token#-',
        'automounted-token ServiceAccount/release-operator#-',
        'automounted-token Deployment/release-operator#-',
      ].sort(),
    );
  });

  test('reports errors and counts', () => {
    // cluster-wide-grant is a warning: the risky grants are errors of their own rules
    expect(report.counts).toEqual({
      total: 8,
      errors: 5,
      warnings: 3,
      acknowledged: 0,
      baselined: 0,
    });
    expect(report.errors.every((f) => f.severity === 'error')).toBe(true);
    expect(report.findings.every((f) => f.location?.source === 'operator.yaml')).toBe(true);
  });

  test('the order does not depend on the order of the objects', () => {
    const reversed = lintManifests([...objects].reverse(), { sources });
    expect(formatFindings(reversed.findings)).toBe(formatFindings(report.findings));
    expect(reversed.findings).toEqual(report.findings);
  });

  test('a least-privilege set of manifests has no findings', () => {
    const clean = lintManifests([
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'a', namespace: 'ci' },
        automountServiceAccountToken: false,
      },
      role('a', [
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
      ]),
    ]);
    expect(clean.findings).toEqual([]);
  });

  test('non-RBAC lookalikes are ignored', () => {
    const fake = {
      apiVersion: 'example.com/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'x' },
      rules: [SECRET_LIST],
    };
    expect(lintManifests([fake]).findings).toEqual([]);
  });
});

describe('formatFindings', () => {
  test('lists id, location, source, the rule on one line, the fix and the acknowledgement', () => {
    // GIVEN an acknowledged and an unacknowledged finding
    const findings = lintManifests(
      withBindings([
        role(
          'r',
          [SECRET_LIST, { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }],
          [{ risk: 'pods-exec', reason: 'break-glass access for on-call' }],
        ),
      ]),
      { sources: new Map() },
    ).findings;
    // WHEN formatted
    const text = formatFindings(findings);
    // THEN each part is there, in rule order
    expect(text).toContain('error secrets-read: Role ci/r rules[0]');
    expect(text.split('\n')).toContain('  rule: verbs=[list] apiGroups=[""] resources=[secrets]');
    expect(text).toContain(`  fix: ${RISK_RULES.find((r) => r.id === 'secrets-read')!.fix}`);
    expect(text).toContain('error (acknowledged) pods-exec: Role ci/r rules[1]');
    expect(text).toContain('  acknowledged: break-glass access for on-call');
    expect(text.indexOf('secrets-read')).toBeLessThan(text.indexOf('pods-exec'));
  });

  test('shows the source when set, and nonResourceURLs rules', () => {
    const [finding] = lintRules([{ verbs: ['*'], nonResourceURLs: ['/metrics'] }], {
      kind: 'ClusterRole',
      name: 'm',
      namespace: '',
      source: 'Chart/Access/Resource',
    });
    expect(formatFindings([finding])).toContain(
      'wildcard-verbs: ClusterRole m rules[0] (from Chart/Access/Resource)',
    );
    expect(formatRule(finding.rule!)).toBe('verbs=[*] nonResourceURLs=[/metrics]');
  });

  test('formatRule names resourceNames only when the rule has some (none means every name)', () => {
    const rule = { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] };
    expect(formatRule(rule)).toBe('verbs=[get] apiGroups=[apps] resources=[deployments]');
    expect(formatRule({ ...rule, resourceNames: [] })).toBe(formatRule(rule));
    expect(formatRule({ ...rule, resourceNames: ['web', 'api'] })).toBe(
      'verbs=[get] apiGroups=[apps] resources=[deployments] resourceNames=[web,api]',
    );
  });

  test('is empty for no findings', () => {
    expect(formatFindings([])).toBe('');
  });
});

describe('docs/risk-rules.md', () => {
  // The docs escape '*' and '_' in plain text so that markdown does not read them as emphasis.
  const docs = readFileSync(new URL('../docs/risk-rules.md', import.meta.url), 'utf8').replace(
    /\\([*_])/g,
    '$1',
  );

  test.each(RISK_RULES.map((r) => [r.id, r]))(
    'documents %s with its severity and fix',
    (id, rule) => {
      // Prettier pads the table's cells, so match the row loosely.
      expect(docs).toMatch(new RegExp(`\\|\\s*\`${id}\`\\s*\\|\\s*${rule.severity}\\s*\\|`));
      expect(docs).toContain(rule.fix);
    },
  );
});

describe('lintManifests with every rule selected by default', () => {
  const corpus = new URL('../../shared/corpora/real-world-rbac/', import.meta.url).pathname;
  const files = readdirSync(corpus).filter((f) => f.endsWith('.yaml'));

  // Without enable/disable, the lint shares one set of every rule id and parses each object's
  // RBAC once: the same report as naming every rule explicitly.
  test.each(files)('reports as `enable: every rule` does over %s', async (file) => {
    // GIVEN
    const { objects } = await readManifestPaths([join(corpus, file)]);
    // WHEN
    const byDefault = lintManifests(objects);
    const explicit = lintManifests(objects, { enable: RISK_RULES.map((r) => r.id) });
    // THEN
    expect(byDefault).toEqual(explicit);
  });

  // A construct lints with only the rules that can report errors: its errors must be the full
  // lint's, and every finding it reports one the full lint reports.
  test.each(files)('finds the same errors with only ERROR_RISK_IDS over %s', async (file) => {
    // GIVEN
    const { objects } = await readManifestPaths([join(corpus, file)]);
    // WHEN
    const full = lintManifests(objects);
    const errorRules = lintManifests(objects, { enable: ERROR_RISK_IDS });
    // THEN
    expect(errorRules.errors).toEqual(full.errors);
    expect(errorRules.findings).toEqual(full.findings.filter((f) => ERROR_RISK_IDS.includes(f.id)));
  });

  test('ERROR_RISK_IDS is every rule of error severity, and only those', () => {
    expect([...ERROR_RISK_IDS].sort()).toEqual(
      RISK_RULES.filter((r) => r.severity === 'error')
        .map((r) => r.id)
        .sort(),
    );
    expect(Object.isFrozen(ERROR_RISK_IDS)).toBe(true);
  });

  test('selectedRules gives a set of its own each call', () => {
    // GIVEN
    const first = selectedRules({});
    // WHEN
    first.clear();
    // THEN
    expect(selectedRules({}).size).toBe(RISK_RULES.length);
  });
});

describe('named rules', () => {
  // The lint answers a named rule from its shape (names replaced by a stand-in) when the shape
  // has no findings: no check may depend on which names a rule lists, only on whether it has
  // some. The oracle runs each check itself on the same rule under other names.
  const requests = POLICY_RULE_CHECKS.flatMap(({ info }) => info.requests ?? []);
  const shapes: PolicyRule[] = [
    ...requests.map((r) => ({
      verbs: [r.verb],
      apiGroups: [r.apiGroup],
      resources: [r.subresource ? `${r.resource}/${r.subresource}` : r.resource],
    })),
    { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
    { verbs: ['get', 'patch'], apiGroups: ['apps'], resources: ['deployments', '*/scale'] },
    { verbs: ['impersonate'], apiGroups: ['authentication.k8s.io'], resources: ['userextras/x'] },
    { verbs: ['frobnicate'], apiGroups: [''], resources: ['podz'] },
  ];
  const namings = [['app'], ['a', 'b'], ['system:masters'], ['example.com/*'], ['\u0000name']];

  test.each(POLICY_RULE_CHECKS.map((c) => [c.info.id, c.check] as const))(
    '%s finds something on a named rule whatever its names',
    (_id, check) => {
      for (const shape of shapes) {
        const found = namings.map(
          (resourceNames) => check({ ...shape, resourceNames }, {}).length > 0,
        );
        expect(found).toEqual(found.map(() => found[0]));
      }
    },
  );

  test('a named rule with findings is reported with its own names', () => {
    // GIVEN two rules of one shape that reads secrets
    const rule = (name: string) => ({
      verbs: ['get'],
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: [name],
    });
    // WHEN
    const first = lintRules([rule('first-secret')]);
    const second = lintRules([rule('second-secret')]);
    // THEN
    expect(first.map((f) => f.message)).toEqual([expect.stringContaining("'first-secret'")]);
    expect(second.map((f) => f.message)).toEqual([expect.stringContaining("'second-secret'")]);
  });

  test('a named rule without findings has none under other names, nor its unnamed twin less', () => {
    // GIVEN a shape with no error under names, and its unnamed twin (patch any deployment)
    const named = (name: string) => ({
      verbs: ['get', 'patch'],
      apiGroups: ['apps'],
      resources: ['deployments'],
      resourceNames: [name],
    });
    // WHEN
    const first = lintManifests([role('r', [named('one')])], { enable: ERROR_RISK_IDS });
    const second = lintManifests([role('r', [named('two')])], { enable: ERROR_RISK_IDS });
    const unnamed = lintRules([
      { verbs: ['patch'], apiGroups: ['apps'], resources: ['deployments'] },
    ]);
    // THEN
    expect(first.findings).toEqual([]);
    expect(second.findings).toEqual([]);
    expect(unnamed.map((f) => f.id)).toContain(Risk.WORKLOAD_CREATE);
  });
});
