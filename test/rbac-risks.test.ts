import type { BindingObject, KubeObject, RoleObject } from '../src/rbac/kube-object.js';
import { lintManifests, lintRules } from '../src/rbac/lint.js';
import type { PolicyRule } from '../src/rbac/policy-rule.js';
import {
  automountedToken,
  clusterWideGrant,
  configmapsWriteClusterWide,
  legacyTokenSecret,
  nodeSteering,
  podsDeleteClusterWide,
  publicSubjectBinding,
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
    Risk.CLUSTER_ADMIN_EQUIVALENT,
    { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
    { verbs: ['get', 'list', 'watch'], apiGroups: ['example.com'], resources: ['widgets'] },
  ],
  [
    Risk.SECRETS_WRITE,
    { verbs: ['create'], apiGroups: [''], resources: ['secrets'] },
    { verbs: ['update', 'patch'], apiGroups: [''], resources: ['secrets'], resourceNames: ['tls'] },
  ],
  [
    Risk.PROXY_SUBRESOURCE,
    { verbs: ['get'], apiGroups: [''], resources: ['services/proxy'] },
    { verbs: ['get'], apiGroups: [''], resources: ['services', 'endpoints'] },
  ],
  [
    Risk.PODS_UPDATE,
    { verbs: ['patch'], apiGroups: [''], resources: ['pods'] },
    { verbs: ['get', 'list', 'watch', 'delete'], apiGroups: [''], resources: ['pods'] },
  ],
  [
    Risk.STATUS_WRITE,
    { verbs: ['update'], apiGroups: [''], resources: ['services/status'] },
    { verbs: ['update', 'patch'], apiGroups: ['apps'], resources: ['deployments/status'] },
  ],
  [
    Risk.ADMISSION_POLICY_WRITE,
    {
      verbs: ['delete'],
      apiGroups: ['admissionregistration.k8s.io'],
      resources: ['validatingadmissionpolicybindings'],
    },
    {
      verbs: ['get', 'list', 'watch'],
      apiGroups: ['admissionregistration.k8s.io'],
      resources: ['validatingadmissionpolicies'],
    },
  ],
  [
    Risk.CRD_WRITE,
    {
      verbs: ['create'],
      apiGroups: ['apiextensions.k8s.io'],
      resources: ['customresourcedefinitions'],
    },
    {
      verbs: ['get', 'list'],
      apiGroups: ['apiextensions.k8s.io'],
      resources: ['customresourcedefinitions'],
    },
  ],
  [
    Risk.APISERVICE_WRITE,
    { verbs: ['update'], apiGroups: ['apiregistration.k8s.io'], resources: ['apiservices'] },
    { verbs: ['get', 'list'], apiGroups: ['apiregistration.k8s.io'], resources: ['apiservices'] },
  ],
  [
    Risk.NAMESPACE_FINALIZE,
    { verbs: ['update'], apiGroups: [''], resources: ['namespaces/finalize'] },
    { verbs: ['update'], apiGroups: [''], resources: ['namespaces/status'] },
  ],
  [
    Risk.EVENTS_DELETE,
    { verbs: ['deletecollection'], apiGroups: ['events.k8s.io'], resources: ['events'] },
    { verbs: ['create', 'patch'], apiGroups: ['', 'events.k8s.io'], resources: ['events'] },
  ],
  [
    Risk.UNKNOWN_RESOURCE,
    { verbs: ['get'], apiGroups: [''], resources: ['persistentvolumerclaims'] },
    { verbs: ['get'], apiGroups: [''], resources: ['persistentvolumeclaims'] },
  ],
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
    { verbs: ['delete', 'deletecollection'], apiGroups: [''], resources: ['secrets'] },
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

  test("a cluster-admin rule is one 'equivalent to cluster-admin' finding, not one per capability", () => {
    // GIVEN '*' verbs on '*' resources of '*' groups (cluster-admin's own rule)
    const rule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };
    // WHEN linted / THEN exactly one finding, an error
    const findings = lintRules([rule]);
    expect(findings.map((f) => [f.id, f.severity])).toEqual([
      [Risk.CLUSTER_ADMIN_EQUIVALENT, 'error'],
    ]);
    // AND a rule one wildcard short is reported capability by capability
    expect(idsOf({ ...rule, apiGroups: [''] }).length).toBeGreaterThan(10);
  });

  test("'*' confined to a project's own groups with read verbs is a warning, on core groups an error", () => {
    // GIVEN Flux's read-only '*' on its own groups and the same on the core group
    const own = {
      verbs: ['get', 'list', 'watch'],
      apiGroups: ['source.toolkit.fluxcd.io'],
      resources: ['*'],
    };
    const core = { ...own, apiGroups: [''] };
    // WHEN / THEN the own-groups one is a warning that says so, the core one an error
    const [ownFinding] = lintRules([own]);
    expect([ownFinding.id, ownFinding.severity]).toEqual([Risk.WILDCARD_RESOURCES, 'warning']);
    expect(ownFinding.message).toMatch(/confined to 'source.toolkit.fluxcd.io'/);
    expect(lintRules([core]).find((f) => f.id === Risk.WILDCARD_RESOURCES)?.severity).toBe('error');
    // AND writing through '*' on its own groups stays an error, as does '*.k8s.io'
    expect(lintRules([{ ...own, verbs: ['create'] }])[0].severity).toBe('error');
    expect(lintRules([{ ...own, apiGroups: ['metrics.k8s.io'] }])[0].severity).toBe('error');
  });

  test("verbs '*' on a project's own groups is a warning, on built-in groups an error", () => {
    const own = { verbs: ['*'], apiGroups: ['argoproj.io'], resources: ['applications'] };
    expect(lintRules([own]).map((f) => [f.id, f.severity])).toEqual([
      [Risk.WILDCARD_VERBS, 'warning'],
    ]);
    expect(
      lintRules([{ ...own, apiGroups: ['apps'], resources: ['deployments'] }])[0].severity,
    ).toBe('error');
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

  test('creating pods and patching workload controllers are workload-create; patching pods is pods-update', () => {
    expect(idsOf({ verbs: ['create'], apiGroups: [''], resources: ['pods'] })).toEqual([
      Risk.WORKLOAD_CREATE,
    ]);
    expect(idsOf({ verbs: ['patch'], apiGroups: ['batch'], resources: ['cronjobs'] })).toEqual([
      Risk.WORKLOAD_CREATE,
    ]);
    expect(idsOf({ verbs: ['patch'], apiGroups: [''], resources: ['pods'] })).toEqual([
      Risk.PODS_UPDATE,
    ]);
  });

  test("patching Jobs is not workload-create: a Job's pod template is immutable; creating them is", () => {
    // GIVEN update/patch on jobs (the pod template cannot change after creation)
    expect(
      idsOf({ verbs: ['update', 'patch'], apiGroups: ['batch'], resources: ['jobs'] }),
    ).toEqual([]);
    expect(idsOf({ verbs: ['create'], apiGroups: ['batch'], resources: ['jobs'] })).toEqual([
      Risk.WORKLOAD_CREATE,
    ]);
    // AND each workload kind whose pod template is mutable is reported for patch
    for (const [group, resource] of [
      ['', 'replicationcontrollers'],
      ['apps', 'deployments'],
      ['apps', 'replicasets'],
      ['apps', 'statefulsets'],
      ['apps', 'daemonsets'],
      ['batch', 'cronjobs'],
    ])
      expect(idsOf({ verbs: ['patch'], apiGroups: [group], resources: [resource] })).toEqual([
        Risk.WORKLOAD_CREATE,
      ]);
  });

  test('get and update on a secret named by resourceNames is secrets-read only, create is secrets-write', () => {
    // GIVEN a rule granting get,create on secrets: today's complaint was "reported as a read only"
    expect(idsOf({ verbs: ['get', 'create'], apiGroups: [''], resources: ['secrets'] })).toEqual([
      Risk.SECRETS_READ,
      Risk.SECRETS_WRITE,
    ]);
    expect(
      idsOf({ verbs: ['update'], apiGroups: [''], resources: ['secrets'], resourceNames: ['own'] }),
    ).toEqual([]);
  });

  test('unknown resources of built-in groups are warned with a hint, CRD groups are not', () => {
    const [finding] = lintRules([{ verbs: ['get'], apiGroups: [''], resources: ['deployment'] }]);
    expect([finding.id, finding.severity]).toEqual([Risk.UNKNOWN_RESOURCE, 'warning']);
    expect(finding.message).toMatch(/did you mean|plural/);
    // a cross product: a resource is fine when some listed group has it
    expect(
      idsOf({ verbs: ['get'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments'] }),
    ).toEqual([]);
    expect(
      idsOf({ verbs: ['get'], apiGroups: ['example.com'], resources: ['deployment'] }),
    ).toEqual([]);
    // kubelet subresources and finalizers are real
    expect(
      idsOf({ verbs: ['get'], apiGroups: [''], resources: ['nodes/metrics', 'nodes/stats'] }),
    ).toEqual([]);
    expect(
      idsOf({ verbs: ['update'], apiGroups: ['apps'], resources: ['deployments/finalizers'] }),
    ).toEqual([]);
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

  const clusterRole = (name: string, rules: PolicyRule[]): KubeObject => ({
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRole',
    metadata: { name },
    rules,
  });
  const binding = (
    kind: 'ClusterRoleBinding' | 'RoleBinding',
    role: string,
    subjects: unknown[] = [{ kind: 'ServiceAccount', name: 'ci', namespace: 'build' }],
  ): KubeObject => ({
    apiVersion: `${RBAC}/v1`,
    kind,
    metadata: {
      name: `${role}-binding`,
      ...(kind === 'RoleBinding' ? { namespace: 'build' } : {}),
    },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role },
    subjects,
  });

  test('cluster-wide-grant fires on a ClusterRoleBinding of namespaced resources, not on a RoleBinding', () => {
    // GIVEN a ClusterRole on configmaps bound cluster-wide and in one namespace
    const role = clusterRole('reader', [
      { verbs: ['get'], apiGroups: [''], resources: ['configmaps'] },
    ]);
    const crb = binding('ClusterRoleBinding', 'reader');
    const rb = binding('RoleBinding', 'reader');
    // WHEN / THEN only the cluster-wide one is reported, a warning naming resources and namespace
    const [finding] = clusterWideGrant(crb, ctx([role, crb]));
    expect(finding.severity).toBe('warning');
    expect(finding.message).toBe(
      "binds clusterrole 'reader' cluster-wide to ServiceAccount build/ci: its namespaced resources (configmaps) are granted in every namespace; a RoleBinding in 'build' (its ServiceAccounts' namespace) or in each namespace it works in could grant them",
    );
    expect(clusterWideGrant(rb, ctx([role, rb]))).toEqual([]);
  });

  test('cluster-wide-grant is not reported where a RoleBinding could not do the job', () => {
    // GIVEN ClusterRoles of only cluster-scoped resources and of only nonResourceURLs
    const nodes = clusterRole('nodes', [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['nodes'] },
    ]);
    const metrics = clusterRole('metrics', [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]);
    for (const role of [nodes, metrics]) {
      const crb = binding('ClusterRoleBinding', role.metadata!.name!);
      // WHEN / THEN nothing: only a ClusterRoleBinding can grant these
      expect(clusterWideGrant(crb, ctx([role, crb]))).toEqual([]);
    }
  });

  test('cluster-wide-grant leaves bindings to unknown roles and to cluster-admin to their own rules', () => {
    const unknown = binding('ClusterRoleBinding', 'not-here');
    expect(clusterWideGrant(unknown, ctx([unknown]))).toEqual([]);
    const admin = binding('ClusterRoleBinding', 'cluster-admin');
    const report = lintManifests([admin]);
    expect(report.findings.map((f) => f.id)).toEqual([Risk.BUILTIN_ADMIN_ROLE]);
  });

  test('public-subject-binding fires for anonymous, unauthenticated and all authenticated users', () => {
    for (const subject of [
      { kind: 'User', name: 'system:anonymous' },
      { kind: 'Group', name: 'system:unauthenticated' },
      { kind: 'Group', name: 'system:authenticated' },
    ]) {
      const rb = binding('RoleBinding', 'view', [subject]);
      const found = publicSubjectBinding(rb, ctx([rb]));
      expect(found.map((f) => [f.id, f.severity])).toEqual([
        [Risk.PUBLIC_SUBJECT_BINDING, 'error'],
      ]);
      expect(found[0].message).toContain(`'${subject.name}'`);
    }
    // a User named like the group is someone else
    const lookalike = binding('RoleBinding', 'view', [
      { kind: 'User', name: 'system:authenticated' },
    ]);
    expect(publicSubjectBinding(lookalike, ctx([lookalike]))).toEqual([]);
  });
});

describe('role-level risk rules', () => {
  const role = (kind: 'Role' | 'ClusterRole', rules: PolicyRule[]): RoleObject => ({
    kind,
    name: 'r',
    namespace: kind === 'Role' ? 'ns' : '',
    rules,
    annotations: {},
  });
  const crb: BindingObject = {
    kind: 'ClusterRoleBinding',
    name: 'r-everywhere',
    namespace: '',
    roleRef: { kind: 'ClusterRole', name: 'r' },
    subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }],
    annotations: {},
  };
  const rb: BindingObject = { ...crb, kind: 'RoleBinding', name: 'r-here', namespace: 'ns' };
  const location = { kind: 'ClusterRole', name: 'r', namespace: '' };

  test('node-steering needs both halves: patch nodes and evict or delete pods', () => {
    const patchNodes = { verbs: ['patch'], apiGroups: [''], resources: ['nodes'] };
    const evict = { verbs: ['create'], apiGroups: [''], resources: ['pods/eviction'] };
    const del = { verbs: ['delete'], apiGroups: [''], resources: ['pods'] };
    // GIVEN either half alone: nothing
    expect(nodeSteering(role('ClusterRole', [patchNodes]), { bindings: [crb] })).toEqual([]);
    expect(nodeSteering(role('ClusterRole', [evict, del]), { bindings: [crb] })).toEqual([]);
    // GIVEN both: one finding at the nodes rule, naming both halves
    const [finding] = nodeSteering(role('ClusterRole', [evict, patchNodes]), {
      location,
      bindings: [],
    });
    expect(finding.location?.ruleIndex).toBe(1);
    expect(finding.message).toBe('grants patch on nodes together with create on pods/eviction');
    // AND patching only named nodes is not steering
    const named = { ...patchNodes, resourceNames: ['n1'] };
    expect(nodeSteering(role('ClusterRole', [named, del]), { bindings: [] })).toEqual([]);
  });

  test('configmaps-write-cluster-wide fires for a ClusterRole bound by a ClusterRoleBinding only', () => {
    const write = { verbs: ['update'], apiGroups: [''], resources: ['configmaps'] };
    const cr = role('ClusterRole', [
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      write,
    ]);
    const [finding] = configmapsWriteClusterWide(cr, { location, bindings: [crb] });
    expect(finding.location?.ruleIndex).toBe(1);
    expect(finding.message).toBe(
      "grants update on configmaps in every namespace, through ClusterRoleBinding 'r-everywhere'",
    );
    // a RoleBinding of the same ClusterRole, or named configmaps, are not cluster-wide writes
    expect(configmapsWriteClusterWide(cr, { bindings: [rb] })).toEqual([]);
    const named = role('ClusterRole', [{ ...write, resourceNames: ['mine'] }]);
    expect(configmapsWriteClusterWide(named, { bindings: [crb] })).toEqual([]);
  });

  test('pods-delete-cluster-wide is a warning through a ClusterRoleBinding', () => {
    const cr = role('ClusterRole', [{ verbs: ['delete'], apiGroups: [''], resources: ['pods'] }]);
    expect(podsDeleteClusterWide(cr, { bindings: [crb] }).map((f) => f.severity)).toEqual([
      'warning',
    ]);
    expect(podsDeleteClusterWide(cr, { bindings: [rb] })).toEqual([]);
  });
});

describe('object-level risk rules, continued', () => {
  const ctx = (objects: KubeObject[] = []) => ({ objects });
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
