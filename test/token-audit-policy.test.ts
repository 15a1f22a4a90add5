import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart, Testing, Yaml } from 'cdk8s';
import { loadAll } from 'js-yaml';
import {
  AUDIT_POLICY_CONFIGMAP_KEY,
  Permission,
  ServiceAccountAccess,
  TokenAuditPolicy,
} from '../src/index.js';
import { auditLevelOf, validateAuditPolicy, type AuditPolicy } from '../src/rbac/audit-policy.js';
import { checkAuditPolicy } from '../src/rbac/audit-policy-check.js';
import type { KubeObject } from '../src/rbac/kube-object.js';
import { tempDir } from './temp-dir.js';

function testApp(): App {
  return Testing.app({ outdir: tempDir('cdk8s.outdir.') });
}

function appWithDeployer(): App {
  const app = testApp();
  const chart = new Chart(app, 'app', { namespace: 'shop' });
  new ServiceAccountAccess(chart, 'deployer', { permissions: [Permission.read('pods')] });
  return app;
}

function policyOf(p: TokenAuditPolicy): AuditPolicy {
  const [doc] = Testing.synth(p) as KubeObject[];
  return doc as unknown as AuditPolicy;
}

const sa = (ns: string, name: string) => `system:serviceaccount:${ns}:${name}`;
const request = (
  user: string,
  verb: string,
  apiGroup: string,
  resource: string,
  subresource = '',
  namespace = 'shop',
) => ({
  user,
  groups: ['system:authenticated'],
  verb,
  resource: { apiGroup, resource, subresource, namespace, name: 'x' },
});

describe('TokenAuditPolicy', () => {
  test('the synthesized Policy is valid audit.k8s.io/v1 and passes the audit-policy check', () => {
    // GIVEN
    const app = appWithDeployer();
    // WHEN
    const policy = policyOf(new TokenAuditPolicy(app, 'audit'));
    // THEN
    expect(policy.apiVersion).toBe('audit.k8s.io/v1');
    expect(policy.kind).toBe('Policy');
    expect(validateAuditPolicy(policy)).toEqual([]);
    expect(checkAuditPolicy(policy)).toEqual([]);
    expect(policy.omitStages).toEqual(['RequestReceived']);
  });

  test('tokens, token reviews, Secrets and ConfigMaps get Metadata for everyone, even a watched ServiceAccount, whatever the catch-all', () => {
    for (const catchAllLevel of ['None', 'Metadata', 'Request', 'RequestResponse'] as const) {
      // GIVEN
      const app = appWithDeployer();
      // WHEN
      const policy = policyOf(
        new TokenAuditPolicy(app, 'audit', { catchAllLevel, users: ['alice'] }),
      );
      // THEN
      for (const user of ['alice', sa('shop', 'deployer'), 'bob', 'system:kube-proxy']) {
        for (const verb of ['get', 'list', 'create', 'update', 'patch', 'delete']) {
          expect(auditLevelOf(policy, request(user, verb, '', 'secrets')).level).toBe('Metadata');
          expect(auditLevelOf(policy, request(user, verb, '', 'configmaps')).level).toBe(
            'Metadata',
          );
        }
        expect(
          auditLevelOf(policy, request(user, 'create', '', 'serviceaccounts', 'token')).level,
        ).toBe('Metadata');
        expect(
          auditLevelOf(
            policy,
            request(user, 'create', 'authentication.k8s.io', 'tokenreviews', '', ''),
          ).level,
        ).toBe('Metadata');
      }
      expect(auditLevelOf(policy, request('bob', 'get', '', 'pods')).level).toBe(catchAllLevel);
    }
  });

  test("the app's ServiceAccounts (declared before or after the policy) and named ones are recorded at Metadata despite the noise rules and a None catch-all", () => {
    // GIVEN
    const app = testApp();
    const policyChart = new TokenAuditPolicy(app, 'audit', {
      catchAllLevel: 'None',
      serviceAccounts: [{ namespace: 'ci', name: 'runner' }],
    });
    const chart = new Chart(app, 'app', { namespace: 'shop' });
    new ServiceAccountAccess(chart, 'deployer', { permissions: [Permission.read('pods')] });
    // WHEN
    const policy = policyOf(policyChart);
    // THEN
    expect(policyChart.auditedUsers()).toEqual([sa('ci', 'runner'), sa('shop', 'deployer')]);
    expect(auditLevelOf(policy, request(sa('shop', 'deployer'), 'list', '', 'pods')).level).toBe(
      'Metadata',
    );
    expect(
      auditLevelOf(policy, { user: sa('ci', 'runner'), groups: [], verb: 'get', path: '/healthz' })
        .level,
    ).toBe('Metadata');
    expect(
      auditLevelOf(policy, { user: 'someone', groups: [], verb: 'get', path: '/healthz' }).level,
    ).toBe('None');
    expect(auditLevelOf(policy, request(sa('shop', 'other'), 'list', '', 'pods')).level).toBe(
      'None',
    );
  });

  test('auditAppServiceAccounts: false leaves the users rule out entirely (an empty users list would match everyone)', () => {
    // GIVEN
    const app = appWithDeployer();
    // WHEN
    const policy = policyOf(new TokenAuditPolicy(app, 'audit', { auditAppServiceAccounts: false }));
    // THEN
    expect(
      policy.rules.some((r) => r.users !== undefined && r.level === 'Metadata' && !r.verbs),
    ).toBe(false);
    expect(policy.rules.every((r) => r.users === undefined || r.users.length > 0)).toBe(true);
  });

  test('ServiceAccount and RBAC changes are recorded with bodies; their reads and the token subresource are not', () => {
    // GIVEN
    const policy = policyOf(new TokenAuditPolicy(testApp(), 'audit'));
    // THEN
    expect(
      auditLevelOf(policy, request('bob', 'patch', 'rbac.authorization.k8s.io', 'rolebindings'))
        .level,
    ).toBe('RequestResponse');
    expect(auditLevelOf(policy, request('bob', 'create', '', 'serviceaccounts')).level).toBe(
      'RequestResponse',
    );
    expect(auditLevelOf(policy, request('bob', 'get', '', 'serviceaccounts')).level).toBe(
      'Metadata',
    );
  });

  test('dropSystemNoise drops kube-proxy watches and health checks, and only read-only ones', () => {
    // GIVEN
    const on = policyOf(new TokenAuditPolicy(testApp(), 'audit'));
    const off = policyOf(new TokenAuditPolicy(testApp(), 'audit', { dropSystemNoise: false }));
    const watch = request('system:kube-proxy', 'watch', '', 'endpoints');
    // THEN
    expect(auditLevelOf(on, watch).level).toBe('None');
    expect(auditLevelOf(off, watch).level).toBe('Metadata');
    expect(auditLevelOf(on, request('system:kube-proxy', 'update', '', 'endpoints')).level).toBe(
      'Metadata',
    );
    expect(auditLevelOf(on, { user: 'x', groups: [], verb: 'get', path: '/readyz' }).level).toBe(
      'None',
    );
    expect(auditLevelOf(on, { user: 'x', groups: [], verb: 'post', path: '/readyz' }).level).toBe(
      'Metadata',
    );
  });

  test('apiServerFlags name the policy file, log path and rotation, with defaults and overrides', () => {
    // GIVEN
    const defaults = new TokenAuditPolicy(testApp(), 'audit');
    const custom = new TokenAuditPolicy(testApp(), 'audit', {
      log: {
        policyFile: '/etc/k/p.yaml',
        logPath: '-',
        maxAgeDays: 7,
        maxBackups: 3,
        maxSizeMegabytes: 50,
      },
    });
    // THEN
    expect(defaults.apiServerFlags).toEqual([
      '--audit-policy-file=/etc/kubernetes/audit/policy.yaml',
      '--audit-log-path=/var/log/kubernetes/audit/audit.log',
      '--audit-log-maxage=30',
      '--audit-log-maxbackup=10',
      '--audit-log-maxsize=100',
    ]);
    expect(custom.apiServerFlags).toEqual([
      '--audit-policy-file=/etc/k/p.yaml',
      '--audit-log-path=-',
      '--audit-log-maxage=7',
      '--audit-log-maxbackup=3',
      '--audit-log-maxsize=50',
    ]);
  });

  test('synth writes the Policy alone to a file of its own, deterministic; the ConfigMap goes to another file and holds the same policy', () => {
    // GIVEN
    const outputs = [0, 1].map(() => {
      const outdir = tempDir('cdk8s.outdir.');
      const app = new App({ outdir });
      const chart = new Chart(app, 'app', { namespace: 'shop' });
      new ServiceAccountAccess(chart, 'deployer', { permissions: [Permission.read('pods')] });
      new TokenAuditPolicy(app, 'audit-policy', { configMap: { namespace: 'kube-system' } });
      // WHEN
      app.synth();
      return outdir;
    });
    // THEN
    const files = readdirSync(outputs[0]).sort();
    expect(files).toEqual([
      'app.k8s.yaml',
      'audit-policy-configmap.k8s.yaml',
      'audit-policy.k8s.yaml',
    ]);
    for (const f of files)
      expect(readFileSync(join(outputs[1], f), 'utf8')).toBe(
        readFileSync(join(outputs[0], f), 'utf8'),
      );
    const policyDocs = Yaml.load(join(outputs[0], 'audit-policy.k8s.yaml')) as KubeObject[];
    expect(policyDocs.map((d) => d.kind)).toEqual(['Policy']);
    const [configMap] = Yaml.load(
      join(outputs[0], 'audit-policy-configmap.k8s.yaml'),
    ) as KubeObject[];
    expect(configMap).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'audit-policy', namespace: 'kube-system' },
    });
    const wrapped = (configMap.data as Record<string, string>)[AUDIT_POLICY_CONFIGMAP_KEY];
    expect(loadAll(wrapped)).toEqual(policyDocs);
  });

  test.each([
    [
      { catchAllLevel: 'Everything' },
      /catchAllLevel 'Everything' is invalid: allowed levels are None, Metadata, Request, RequestResponse/,
    ],
    [{ serviceAccounts: [{ namespace: 'Shop', name: 'x' }] }, /serviceAccounts\[0\]\.namespace/],
    [{ serviceAccounts: [{ namespace: 'shop', name: 'a b' }] }, /serviceAccounts\[0\]\.name/],
    [{ users: [' '] }, /users\[0\] ' ' is invalid/],
    [
      { users: 'ci-bot' },
      /^users must be a list of user names \(e\.g\. \['alice'\]\), got "ci-bot"$/,
    ],
    [{ users: ['ci-bot', 7] }, /^users\[1\] must be one of user names .*got 7$/],
    [{ log: { maxAgeDays: -1 } }, /log\.maxAgeDays must be a whole number of at least 0, got -1/],
    [
      { log: { policyFile: 'policy.yaml' } },
      /log\.policyFile must be an absolute path, got 'policy\.yaml'/,
    ],
    [{ configMap: { namespace: 'Kube_System' } }, /configMap\.namespace/],
    // '-' (standard output) is for the log, not the policy file the API server reads
    [{ log: { policyFile: '-' } }, /^log\.policyFile must be an absolute path, got '-'$/],
  ])('rejects %j', (props, message) => {
    expect(() => new TokenAuditPolicy(testApp(), 'audit', props as never)).toThrow(message);
  });
});
