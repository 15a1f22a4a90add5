import type { KubeObject } from '../src/rbac/kube-object.js';
import { lintRules } from '../src/rbac/lint.js';
import type { PolicyRule } from '../src/rbac/policy-rule.js';
import {
  automountedToken,
  clusterWideGrant,
  legacyTokenSecret,
  Risk,
  RISK_RULES,
  secretsRead,
} from '../src/rbac/risks/index.js';

const RBAC = 'rbac.authorization.k8s.io';

function idsOf(rule: PolicyRule): string[] {
  return lintRules([rule]).map((f) => f.id);
}

function messageOf(rule: PolicyRule, id: string): string {
  const finding = lintRules([rule]).find((f) => f.id === id);
  if (!finding) throw new Error(`expected a '${id}' finding`);
  return finding.message;
}

/** [risk id, a rule that must fire it, a close rule that must not]. */
const CASES: readonly [string, PolicyRule, PolicyRule][] = [
  [
    Risk.WILDCARD_VERBS,
    { verbs: ['*'], apiGroups: [''], resources: ['configmaps'] },
    {
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      apiGroups: [''],
      resources: ['configmaps'],
    },
  ],
  [
    Risk.WILDCARD_RESOURCES,
    { verbs: ['get'], apiGroups: ['apps'], resources: ['*'] },
    { verbs: ['get'], apiGroups: ['apps'], resources: ['deployments', 'replicasets'] },
  ],
  [
    Risk.WILDCARD_API_GROUPS,
    { verbs: ['get'], apiGroups: ['*'], resources: ['configmaps'] },
    { verbs: ['get'], apiGroups: ['', 'apps'], resources: ['configmaps'] },
  ],
  [
    Risk.ESCALATE_VERB,
    { verbs: ['escalate'], apiGroups: [RBAC], resources: ['roles'] },
    { verbs: ['escalate'], apiGroups: [''], resources: ['pods'] },
  ],
  [
    Risk.BIND_VERB,
    { verbs: ['bind'], apiGroups: [RBAC], resources: ['clusterroles'] },
    { verbs: ['get', 'list'], apiGroups: [RBAC], resources: ['clusterroles'] },
  ],
  [
    Risk.IMPERSONATE_VERB,
    { verbs: ['impersonate'], apiGroups: [''], resources: ['serviceaccounts'] },
    { verbs: ['get', 'list'], apiGroups: [''], resources: ['serviceaccounts'] },
  ],
  [
    Risk.TOKEN_CREATE,
    { verbs: ['create'], apiGroups: [''], resources: ['serviceaccounts/token'] },
    { verbs: ['create'], apiGroups: [''], resources: ['serviceaccounts'] },
  ],
  [
    Risk.SECRETS_READ,
    { verbs: ['list'], apiGroups: [''], resources: ['secrets'] },
    { verbs: ['create', 'update', 'patch', 'delete'], apiGroups: [''], resources: ['secrets'] },
  ],
  [
    Risk.PODS_EXEC,
    { verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] },
    { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'pods/log'] },
  ],
  [
    Risk.PODS_ATTACH,
    { verbs: ['get'], apiGroups: [''], resources: ['pods/attach'] },
    { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
  ],
  [
    Risk.PODS_PORTFORWARD,
    { verbs: ['create'], apiGroups: [''], resources: ['pods/portforward'] },
    { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'services'] },
  ],
  [
    Risk.NODES_PROXY,
    { verbs: ['get'], apiGroups: [''], resources: ['nodes/proxy'] },
    { verbs: ['get'], apiGroups: [''], resources: ['nodes', 'nodes/status'] },
  ],
  [
    Risk.WORKLOAD_CREATE,
    { verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] },
    {
      verbs: ['get', 'list', 'update', 'patch'],
      apiGroups: ['apps'],
      resources: ['deployments/scale', 'deployments/status'],
    },
  ],
  [
    Risk.WORKLOAD_UPDATE,
    { verbs: ['patch'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] },
    {
      verbs: ['patch'],
      apiGroups: ['apps'],
      resources: ['deployments/scale'],
      resourceNames: ['web'],
    },
  ],
  [
    Risk.PERSISTENTVOLUME_CREATE,
    { verbs: ['create'], apiGroups: [''], resources: ['persistentvolumes'] },
    { verbs: ['create'], apiGroups: [''], resources: ['persistentvolumeclaims'] },
  ],
  [
    Risk.CSR_APPROVAL,
    {
      verbs: ['update'],
      apiGroups: ['certificates.k8s.io'],
      resources: ['certificatesigningrequests/approval'],
    },
    {
      verbs: ['create', 'get'],
      apiGroups: ['certificates.k8s.io'],
      resources: ['certificatesigningrequests'],
    },
  ],
  [
    Risk.WEBHOOK_CONFIGURATION,
    {
      verbs: ['patch'],
      apiGroups: ['admissionregistration.k8s.io'],
      resources: ['validatingwebhookconfigurations'],
    },
    {
      verbs: ['get', 'list'],
      apiGroups: ['admissionregistration.k8s.io'],
      resources: ['validatingwebhookconfigurations'],
    },
  ],
  [
    Risk.NAMESPACE_WRITE,
    { verbs: ['patch'], apiGroups: [''], resources: ['namespaces'] },
    { verbs: ['get', 'list', 'create'], apiGroups: [''], resources: ['namespaces'] },
  ],
  [
    Risk.RBAC_WRITE,
    { verbs: ['create'], apiGroups: [RBAC], resources: ['rolebindings'] },
    { verbs: ['get', 'list', 'watch'], apiGroups: [RBAC], resources: ['roles', 'rolebindings'] },
  ],
  [
    Risk.CUSTOM_VERB,
    { verbs: ['gett'], apiGroups: [''], resources: ['configmaps'] },
    { verbs: ['get'], apiGroups: [''], resources: ['configmaps'] },
  ],
];

describe('rule-level risk rules', () => {
  test.each(CASES)('%s fires on the risky rule and only that risk', (id, risky) => {
    // GIVEN a rule with exactly one risky grant
    // WHEN it is linted
    const ids = idsOf(risky);
    // THEN exactly that risk is found
    expect(ids).toEqual([id]);
  });

  test.each(CASES)('%s does not fire on a close safe rule', (_id, _risky, safe) => {
    // GIVEN a rule next to the risky one that grants nothing risky
    // WHEN / THEN it is clean
    expect(idsOf(safe)).toEqual([]);
  });

  test('every rule-level risk has a case', () => {
    const covered = new Set(CASES.map(([id]) => id));
    const ruleLevel = RISK_RULES.filter((r) => r.scope === 'rule').map((r) => r.id);
    expect(ruleLevel.filter((id) => !covered.has(id))).toEqual([]);
  });

  test('a finding carries the rule, severity, explanation and fix of its risk', () => {
    // GIVEN a rule that lists secrets, at a location
    const rule = { verbs: ['list'], apiGroups: [''], resources: ['secrets'] };
    // WHEN it is checked
    const [finding] = secretsRead(rule, {
      location: { kind: 'Role', name: 'r', namespace: 'ns', ruleIndex: 2 },
    });
    // THEN the finding describes itself
    const info = RISK_RULES.find((r) => r.id === Risk.SECRETS_READ)!;
    expect(finding).toMatchObject({ id: 'secrets-read', severity: 'error', rule, fix: info.fix });
    expect(finding.explanation).toBe(info.explanation);
    expect(finding.location).toEqual({ kind: 'Role', name: 'r', namespace: 'ns', ruleIndex: 2 });
    expect(finding.message).toBe('grants list on secrets');
  });

  test('messages are lowercase-led and have no trailing period', () => {
    for (const [id, risky] of CASES) {
      const message = messageOf(risky, id);
      expect(message).not.toMatch(/\.$/);
      expect(message.charAt(0)).toBe(message.charAt(0).toLowerCase());
    }
  });
});

describe('wildcard forms', () => {
  test("'*' verbs on roles imply escalate, bind and rbac-write, naming the wildcard", () => {
    // GIVEN a rule with '*' verbs on roles
    const rule = { verbs: ['*'], apiGroups: [RBAC], resources: ['roles'] };
    // WHEN it is linted
    const ids = idsOf(rule);
    // THEN every capability that '*' implies is found, and the message names the wildcard
    expect(ids).toEqual([Risk.WILDCARD_VERBS, Risk.ESCALATE_VERB, Risk.BIND_VERB, Risk.RBAC_WRITE]);
    expect(messageOf(rule, Risk.ESCALATE_VERB)).toBe(
      `grants escalate on roles.${RBAC} (through verbs '*')`,
    );
  });

  test("'*/exec' grants pods/exec and is a wildcard resource", () => {
    const ids = idsOf({ verbs: ['create'], apiGroups: [''], resources: ['*/exec'] });
    expect(ids).toEqual([Risk.WILDCARD_RESOURCES, Risk.PODS_EXEC]);
  });

  test("'*/log' grants no exec", () => {
    expect(idsOf({ verbs: ['get'], apiGroups: [''], resources: ['*/log'] })).toEqual([
      Risk.WILDCARD_RESOURCES,
    ]);
  });

  test("apiGroups '*' with secrets reads secrets", () => {
    const ids = idsOf({ verbs: ['get', 'list'], apiGroups: ['*'], resources: ['secrets'] });
    expect(ids).toEqual([Risk.WILDCARD_API_GROUPS, Risk.SECRETS_READ]);
  });

  test('a cluster-admin rule fires every rule-level risk except custom-verb and the named-only ones', () => {
    const ids = idsOf({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
    const notExpected: string[] = [Risk.CUSTOM_VERB, Risk.WORKLOAD_UPDATE];
    const expected = RISK_RULES.filter(
      (r) => r.scope === 'rule' && !notExpected.includes(r.id),
    ).map((r) => r.id);
    expect(ids).toEqual(expected);
  });

  test("verbs '*' on nonResourceURLs is a wildcard verb and nothing else", () => {
    expect(idsOf({ verbs: ['*'], nonResourceURLs: ['/metrics'] })).toEqual([Risk.WILDCARD_VERBS]);
    expect(idsOf({ verbs: ['get'], nonResourceURLs: ['/metrics', '/healthz'] })).toEqual([]);
  });
});

describe('resourceNames', () => {
  test('get on named secrets is still secrets-read, naming the secrets', () => {
    // GIVEN get on two named secrets
    const rule = {
      verbs: ['get'],
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: ['app-tls', 'db'],
    };
    // WHEN / THEN it is an error naming them
    expect(messageOf(rule, Risk.SECRETS_READ)).toBe("grants get on secrets named 'app-tls', 'db'");
  });

  test('the fix asks to narrow the grant only when it can be narrowed', () => {
    // GIVEN get on named secrets (as narrow as RBAC allows) and get, list on named secrets
    const named = {
      verbs: ['get'],
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: ['db'],
    };
    const withList = { ...named, verbs: ['get', 'list'] };
    // WHEN checked THEN only the second is told to restrict get and drop list
    const [narrowest] = secretsRead(named, {});
    expect(narrowest.fix).not.toMatch(/restrict get|drop list/);
    expect(narrowest.fix).toMatch(/already as narrow as RBAC allows.*acknowledge it with a reason/);
    const [broader] = secretsRead(withList, {});
    expect(broader.fix).toBe(RISK_RULES.find((r) => r.id === Risk.SECRETS_READ)!.fix);
  });

  test('list and get without names says so', () => {
    const rule = { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['secrets'] };
    expect(messageOf(rule, Risk.SECRETS_READ)).toBe('grants get, list, watch on secrets');
  });

  test('create cannot be restricted by resourceNames, so create with names grants nothing', () => {
    // GIVEN create and patch on deployments named 'web'
    const rule = {
      verbs: ['create', 'patch'],
      apiGroups: ['apps'],
      resources: ['deployments'],
      resourceNames: ['web'],
    };
    // WHEN / THEN only the patch of the named workload is reported, as the narrower warning,
    // because a create request never carries a name
    expect(idsOf(rule)).toEqual([Risk.WORKLOAD_UPDATE]);
    expect(messageOf(rule, Risk.WORKLOAD_UPDATE)).toBe(
      "grants patch on deployments.apps named 'web'",
    );
    expect(idsOf({ ...rule, verbs: ['create'] })).toEqual([]);
  });

  test('create on a subresource is restricted by the parent name, and still reported', () => {
    const rule = {
      verbs: ['create'],
      apiGroups: [''],
      resources: ['serviceaccounts/token'],
      resourceNames: ['deployer'],
    };
    expect(messageOf(rule, Risk.TOKEN_CREATE)).toBe(
      "grants create on serviceaccounts/token named 'deployer'",
    );
  });
});

describe('specific risks', () => {
  test('get on pods/exec counts: the websocket upgrade is a GET', () => {
    expect(idsOf({ verbs: ['get'], apiGroups: [''], resources: ['pods/exec'] })).toEqual([
      Risk.PODS_EXEC,
    ]);
  });

  test('patching pods/ephemeralcontainers is exec by another route', () => {
    expect(
      idsOf({ verbs: ['patch'], apiGroups: [''], resources: ['pods/ephemeralcontainers'] }),
    ).toEqual([Risk.PODS_EXEC]);
  });

  test('creating pods and patching workload controllers are workload-create; patching pods is not', () => {
    expect(idsOf({ verbs: ['create'], apiGroups: [''], resources: ['pods'] })).toEqual([
      Risk.WORKLOAD_CREATE,
    ]);
    expect(idsOf({ verbs: ['patch'], apiGroups: ['batch'], resources: ['cronjobs'] })).toEqual([
      Risk.WORKLOAD_CREATE,
    ]);
    expect(idsOf({ verbs: ['patch'], apiGroups: [''], resources: ['pods'] })).toEqual([]);
  });

  test('workload resources in the wrong group are not workloads', () => {
    expect(
      idsOf({ verbs: ['create'], apiGroups: ['example.com'], resources: ['deployments'] }),
    ).toEqual([]);
  });

  test('approve on signers is csr-approval', () => {
    const rule = {
      verbs: ['approve'],
      apiGroups: ['certificates.k8s.io'],
      resources: ['signers'],
      resourceNames: ['example.com/*'],
    };
    expect(messageOf(rule, Risk.CSR_APPROVAL)).toBe(
      "grants approve on signers.certificates.k8s.io named 'example.com/*'",
    );
  });

  test('impersonating a userextra key the rule names is reported', () => {
    const rule = {
      verbs: ['impersonate'],
      apiGroups: ['authentication.k8s.io'],
      resources: ['userextras/team'],
    };
    expect(messageOf(rule, Risk.IMPERSONATE_VERB)).toBe(
      'grants impersonate on userextras.authentication.k8s.io/team',
    );
  });

  test('a verb in the wrong case is a custom verb with a hint', () => {
    expect(
      messageOf({ verbs: ['Get'], apiGroups: [''], resources: ['pods'] }, Risk.CUSTOM_VERB),
    ).toBe("verb 'Get' is not a kubernetes verb; did you mean 'get'?");
  });
});

describe('object-level risk rules', () => {
  const ctx = (objects: KubeObject[] = []) => ({ objects });

  test('cluster-wide-grant fires on a ClusterRoleBinding, not on a RoleBinding to a ClusterRole', () => {
    // GIVEN the same ClusterRole bound cluster-wide and in one namespace
    const subjects = [{ kind: 'ServiceAccount', name: 'ci', namespace: 'build' }];
    const roleRef = { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' };
    const crb = {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'ci-view' },
      roleRef,
      subjects,
    };
    const rb = { ...crb, kind: 'RoleBinding', metadata: { name: 'ci-view', namespace: 'build' } };
    // WHEN / THEN only the cluster-wide one is reported, naming role and subjects
    expect(clusterWideGrant(crb, ctx()).map((f) => f.message)).toEqual([
      "binds clusterrole 'view' cluster-wide to ServiceAccount build/ci",
    ]);
    expect(clusterWideGrant(rb, ctx())).toEqual([]);
  });

  test('legacy-token-secret fires on a service-account-token Secret, not on an Opaque one', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: 'ci-token', annotations: { 'kubernetes.io/service-account.name': 'ci' } },
    };
    expect(legacyTokenSecret(secret, ctx())[0].message).toMatch(
      /secret 'ci-token'.*serviceaccount 'ci'/,
    );
    expect(legacyTokenSecret({ ...secret, type: 'Opaque' }, ctx())).toEqual([]);
  });

  const sa = (automount?: boolean): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'app', namespace: 'web' },
    ...(automount === undefined ? {} : { automountServiceAccountToken: automount }),
  });
  const deployment = (podSpec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'web' },
    spec: { template: { spec: { serviceAccountName: 'app', containers: [], ...podSpec } } },
  });

  test('automounted-token fires on a ServiceAccount without automount false, as a warning', () => {
    expect(automountedToken(sa(), ctx()).map((f) => f.severity)).toEqual(['warning']);
    expect(automountedToken(sa(true), ctx())).toHaveLength(1);
    expect(automountedToken(sa(false), ctx())).toEqual([]);
  });

  test('a pod template is safe when its ServiceAccount sets automount false', () => {
    // GIVEN a Deployment whose ServiceAccount opts out
    const objects = [sa(false), deployment({})];
    // WHEN / THEN the pod template is clean
    expect(automountedToken(objects[1], ctx(objects))).toEqual([]);
  });

  test('a pod template mounts a token when neither it nor its ServiceAccount opts out', () => {
    const objects = [sa(), deployment({})];
    expect(automountedToken(objects[1], ctx(objects))[0].message).toBe(
      "pod template of deployment mounts the token of serviceaccount 'app': neither sets automountServiceAccountToken: false",
    );
  });

  test('a pod template that sets automount true fires even when its ServiceAccount opts out', () => {
    const objects = [sa(false), deployment({ automountServiceAccountToken: true })];
    expect(automountedToken(objects[1], ctx(objects))).toHaveLength(1);
  });

  test('a pod template that sets automount false is clean whatever its ServiceAccount does', () => {
    const objects = [sa(), deployment({ automountServiceAccountToken: false })];
    expect(automountedToken(objects[1], ctx(objects))).toEqual([]);
  });

  test("a CronJob's pod template using the default ServiceAccount not in the manifests fires", () => {
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: { jobTemplate: { spec: { template: { spec: { containers: [] } } } } },
    };
    expect(automountedToken(cronJob, ctx([cronJob]))[0].message).toMatch(
      /serviceaccount 'default': the serviceaccount is not in the manifests/,
    );
  });

  test('a ConfigMap has no pod spec', () => {
    expect(
      automountedToken({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, ctx()),
    ).toEqual([]);
  });
});

describe('the risk table', () => {
  test('Risk maps every SCREAMING_CASE name to its id, one per rule', () => {
    expect(Object.values(Risk).sort()).toEqual(RISK_RULES.map((r) => r.id).sort());
    for (const [name, id] of Object.entries(Risk))
      expect(name).toBe(id.toUpperCase().replace(/-/g, '_'));
  });

  test('every rule has a severity, a title, an explanation and a fix, without trailing periods', () => {
    for (const rule of RISK_RULES) {
      expect(['error', 'warning']).toContain(rule.severity);
      for (const text of [rule.title, rule.explanation, rule.fix]) {
        expect(text.length).toBeGreaterThan(3);
        expect(text).not.toMatch(/\.$/);
      }
    }
  });
});
