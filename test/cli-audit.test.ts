import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { auditLog, saUser, tokenRequestSpec, type EventSpec } from './audit-events.js';
import { runInProcess } from './cli-in-process.js';
import { tempDir } from './temp-dir.js';

const USER = saUser('shop', 'deployer');
const SESSION: EventSpec[] = [
  tokenRequestSpec('admin', 'shop', 'deployer'),
  { user: USER, verb: 'get', resource: 'pods', namespace: 'shop', name: 'web' },
  { user: USER, verb: 'list', resource: 'pods', namespace: 'shop' },
  {
    user: USER,
    verb: 'delete',
    resource: 'secrets',
    namespace: 'shop',
    name: 's',
    decision: 'forbid',
  },
];

function logFile(specs: EventSpec[] = SESSION, extra = ''): string {
  const file = join(tempDir('cli-audit-'), 'audit.log');
  writeFileSync(file, auditLog(specs) + extra);
  return file;
}

describe('access-tokens audit', () => {
  test('report: per identity table, token minting; -o json has the same data', async () => {
    const log = logFile();
    const human = await runInProcess(['audit', 'report', '--log', log]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/IDENTITY\s+KIND\s+REQUESTS\s+DENIED/);
    expect(human.stdout).toMatch(new RegExp(`${USER}\\s+ServiceAccount\\s+3\\s+1`));
    expect(human.stdout).toMatch(/delete \(denied\)\s+secrets\s+shop\s+s\s+403×1/);
    expect(human.stdout).toMatch(
      /TOKEN MINTING\nSERVICE ACCOUNT\s+MINTED BY[^\n]*\nshop\/deployer\s+admin\s+1\s+0\s+\(not recorded\)/,
    );
    const json = await runInProcess(['audit', 'report', '--log', log, '-o', 'json']);
    const data = JSON.parse(json.stdout);
    expect(data.identities.map((i: { identity: string }) => i.identity)).toEqual(['admin', USER]);
    expect(data.malformed).toBe(0);
  });

  test("report: the real server's 401 events (refused credentials) are listed apart, not skipped as malformed", async () => {
    // GIVEN events captured from kube-apiserver 1.20.2 (see test/audit-usage.test.ts): four
    // requests with an invalid bearer token, one admin request
    const log = 'test/fixtures/audit/kube-apiserver-1.20-refused-credentials.log';
    // WHEN
    const human = await runInProcess(['audit', 'report', '--log', log]);
    // THEN
    expect(human.code).toBe(0);
    expect(human.stderr).toBe('');
    expect(human.stdout).toMatch(/^admin\s+User\s+1\s+0/m);
    expect(human.stdout).toMatch(
      /CREDENTIALS REFUSED \(401, attributed to no identity\)\nVERB\s+RESOURCE\s+NAMESPACE\s+NAMES\s+CODES\s+SOURCE IPS\s+COUNT/,
    );
    expect(human.stdout).toMatch(
      /create\s+serviceaccounts\/token\s+shop\s+deployer\s+401×2\s+127\.0\.0\.1,203\.0\.113\.7\s+2/,
    );
    expect(human.stdout).not.toMatch(/TOKEN MINTING/);
  });

  test('report: names beyond the cap of 20 are counted as unlisted, in the table and in -o json', async () => {
    // GIVEN 25 names, the last five requested twice
    const specs: EventSpec[] = Array.from({ length: 30 }, (_, i) => ({
      user: USER,
      verb: 'get',
      resource: 'configmaps',
      namespace: 'shop',
      name: `c${String(i < 25 ? i : i - 5).padStart(2, '0')}`,
    }));
    const log = logFile(specs);
    // WHEN
    const human = await runInProcess(['audit', 'report', '--log', log]);
    const json = await runInProcess(['audit', 'report', '--log', log, '-o', 'json']);
    // THEN
    expect(human.stdout).toMatch(/c00,c01,[^\n]*,c19 \+10 unlisted\s+200×30\s+30/);
    const [kind] = JSON.parse(json.stdout).identities[0].requests;
    expect([kind.count, kind.names.length, kind.unlistedNameRequests]).toEqual([30, 20, 10]);
  });

  test('rules: Role YAML by default, Permission code with -o code, exit 1 when nothing was observed', async () => {
    const log = logFile();
    const yaml = await runInProcess([
      'audit',
      'rules',
      '--log',
      log,
      '--service-account',
      'shop:deployer',
    ]);
    expect(yaml.code).toBe(0);
    expect(loadAll(yaml.stdout)).toEqual([
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'deployer-observed', namespace: 'shop' },
        rules: [
          { apiGroups: [''], resourceNames: ['web'], resources: ['pods'], verbs: ['get'] },
          { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
        ],
      },
    ]);
    const code = await runInProcess([
      'audit',
      'rules',
      '--log',
      log,
      '--service-account',
      'shop:deployer',
      '-o',
      'code',
    ]);
    expect(code.stdout).toContain("Permission.verbs(['get'], 'pods', 'web'),");
    expect(code.stdout).toContain("Permission.verbs(['list'], 'pods'),");
    const none = await runInProcess(['audit', 'rules', '--log', log, '--user', 'nobody']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no allowed request of nobody in /);
  });

  test("drift: unused grants and denied requests of the manifests' ServiceAccounts", async () => {
    const log = logFile();
    const manifests = join(tempDir('cli-audit-m-'), 'rbac.yaml');
    writeFileSync(
      manifests,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: deployer, namespace: shop }
rules:
  - { apiGroups: [''], resources: [pods], verbs: [get, list, delete] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: deployer, namespace: shop }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer }
subjects: [{ kind: ServiceAccount, name: deployer, namespace: shop }]
`,
    );
    const run = await runInProcess(['audit', 'drift', '--log', log, '--manifests', manifests]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /shop\/deployer: 2 allowed requests, 1 unused grants, 1 denied request kinds/,
    );
    expect(run.stdout).toMatch(
      /verbs=\[delete\] apiGroups=\[""\] resources=\[pods\]\s+Role shop\/deployer rules\[0\] via RoleBinding shop\/deployer/,
    );
    expect(run.stdout).toMatch(/DENIED[^\n]*\ndelete\s+secrets\s+shop\s+s\s+1/);
    const json = JSON.parse(
      (await runInProcess(['audit', 'drift', '--log', log, '--manifests', manifests, '-o', 'json']))
        .stdout,
    );
    expect(json.serviceAccounts[0].unused).toHaveLength(1);
  });

  test('malformed lines are a warning on stderr, not a failure', async () => {
    const run = await runInProcess(['audit', 'report', '--log', logFile(SESSION, 'not json\n')]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /warning: 1 of 5 lines are not audit events and were skipped \(.*audit\.log:5 not valid JSON\)/,
    );
  });

  test.each([
    [['audit', 'rules', '--log', 'x.log'], /--service-account NS:NAME or --user NAME is required/],
    [
      ['audit', 'rules', '--log', 'x.log', '--service-account', 'deployer'],
      /--service-account 'deployer' is invalid: expected NAMESPACE:NAME/,
    ],
    [
      ['audit', 'rules', '--log', 'x.log', '--user', 'a', '--service-account', 'a:b'],
      /give either --service-account or --user, not both/,
    ],
    [
      ['audit', 'rules', '--log', 'x.log', '--user', 'a', '--max-names', '-1'],
      /--max-names must be an integer from 0 to 1000, got '-1'/,
    ],
    [
      ['audit', 'report', '--log', '/nonexistent/audit.log'],
      /audit log '\/nonexistent\/audit\.log' does not exist/,
    ],
  ])('usage error: %j', async (argv, message) => {
    const run = await runInProcess(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  test('lint reports an audit Policy that records Secret data, exit 1', async () => {
    const file = join(tempDir('cli-audit-p-'), 'policy.yaml');
    writeFileSync(
      file,
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nmetadata: { name: loud }\nomitStages: [RequestReceived]\nrules: [{ level: RequestResponse }]\n',
    );
    const run = await runInProcess(['lint', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/error audit-policy-secret-body: Policy loud rules\[0\]/);
  });
});
