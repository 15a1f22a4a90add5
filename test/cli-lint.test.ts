import '@microsoft/jest-sarif';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInProcess, type CliRun } from './cli-in-process.js';
import { tempDir } from './temp-dir.js';

// `access-tokens lint`'s CI features, driven in process. SARIF is validated against the SARIF
// 2.1.0 JSON schema by @microsoft/jest-sarif (ajv), not by hand-written checks.

const run = (...argv: string[]): Promise<CliRun> => runInProcess(argv);
const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
const RISKY = join(FIXTURES, 'lint', 'risky.yaml');
const CORPUS = new URL('../../shared/corpora/real-world-rbac/', import.meta.url).pathname;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toBeValidSarifLog(): R;
    }
  }
}

describe('lint -o sarif', () => {
  test('GIVEN the 12 projects WHEN linting as SARIF THEN the log is valid SARIF 2.1.0 with rules, files, lines and fingerprints', async () => {
    const result = await run('lint', CORPUS, '-o', 'sarif');
    const sarif = JSON.parse(result.stdout);
    expect(sarif).toBeValidSarifLog();
    const [runLog] = sarif.runs;
    expect(runLog.tool.driver.version).toMatch(/^\d+\.\d+\.\d+/);
    const rule = runLog.tool.driver.rules.find((r: { id: string }) => r.id === 'node-steering');
    expect(rule.helpUri).toMatch(/docs\/risk-rules\.md#node-steering$/);
    const result0 = runLog.results.find(
      (r: { ruleId: string; message: { text: string } }) =>
        r.ruleId === 'node-steering' && r.message.text.startsWith('ClusterRole cluster-autoscaler'),
    );
    expect(result0.locations[0].physicalLocation.artifactLocation.uri).toMatch(
      /cluster-autoscaler\.yaml$/,
    );
    const line = result0.locations[0].physicalLocation.region.startLine;
    // the line is where the ClusterRole's document starts
    const text = readFileSync(join(CORPUS, 'cluster-autoscaler.yaml'), 'utf8').split('\n');
    expect(text.slice(line - 1, line + 3).join('\n')).toMatch(/kind: ClusterRole\n/);
    expect(result0.partialFingerprints['accessTokensFinding/v1']).toMatch(/^[0-9a-f]{16}$/);
    // one result per finding, fingerprints distinct
    const prints = runLog.results.map(
      (r: { partialFingerprints: Record<string, string> }) =>
        r.partialFingerprints['accessTokensFinding/v1'],
    );
    expect(new Set(prints).size).toBe(prints.length);
    expect(result.code).toBe(1);
  });

  test('GIVEN the bundled CLI started by a script outside the package WHEN linting THEN JSON and SARIF carry the version --version prints', () => {
    // GIVEN a wrapper in a folder of its own (a task runner's shim: process.argv[1] is not ours)
    const dir = tempDir('lint-version-');
    const wrapper = join(dir, 'wrapper.cjs');
    const bin = new URL('../bin/access-tokens.cjs', import.meta.url).pathname;
    writeFileSync(wrapper, `require(${JSON.stringify(bin)});\n`);
    const cli = (...argv: string[]) =>
      spawnSync(process.execPath, [wrapper, ...argv], { encoding: 'utf8', env: { PATH: '' } });
    // WHEN
    const version = cli('--version').stdout.trim();
    const json = JSON.parse(cli('lint', RISKY, '-o', 'json').stdout);
    const sarif = JSON.parse(cli('lint', RISKY, '-o', 'sarif').stdout);
    // THEN the package's version, from one place (src/cli/version.ts)
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(version).toBe(pkg.version);
    expect(json.tool.version).toBe(version);
    expect(sarif.runs[0].tool.driver.version).toBe(version);
  });

  test('GIVEN -o json THEN findings carry file, line, document index, fingerprint and the tool version', async () => {
    const result = await run('lint', RISKY, '-o', 'json');
    const report = JSON.parse(result.stdout);
    expect(report.tool.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.findings[0].location).toMatchObject({ line: 2, documentIndex: 0, source: RISKY });
    expect(report.findings[0].fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('lint --fail-on, --enable, --disable', () => {
  test('GIVEN an error WHEN --fail-on never THEN exit 0; WHEN the rule is disabled THEN exit 0', async () => {
    expect((await run('lint', RISKY)).code).toBe(1);
    expect((await run('lint', RISKY, '--fail-on', 'never')).code).toBe(0);
    expect((await run('lint', RISKY, '--disable', 'secrets-read')).code).toBe(0);
    expect((await run('lint', RISKY, '--enable', 'pods-exec,secrets-write')).code).toBe(0);
  });

  test('GIVEN warnings only WHEN --fail-on warning THEN exit 1', async () => {
    const warnings = join(FIXTURES, 'lint', 'warnings-only.yaml');
    expect((await run('lint', warnings)).code).toBe(0);
    expect((await run('lint', warnings, '--fail-on', 'warning')).code).toBe(1);
  });

  test('GIVEN an unknown rule WHEN enabling it THEN exit 2 naming it and the known ones', async () => {
    const result = await run('lint', RISKY, '--enable', 'secret-read');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /unknown risk rule 'secret-read', expected one of: .*secrets-read/,
    );
  });
});

describe('lint --acknowledgements and --baseline', () => {
  test('GIVEN a file acknowledging by glob WHEN linting THEN the error is acknowledged and a stale entry is reported', async () => {
    const dir = tempDir('lint-acks-');
    const file = join(dir, 'acks.yaml');
    writeFileSync(
      file,
      [
        'acknowledgements:',
        '  - rule: secrets-read',
        '    object: {kind: Role, namespace: shop, name: secret-*}',
        '    reason: the lister is a backup job reviewed by security',
        '  - rule: pods-exec',
        "    object: 'Role/shop/nothing-here'",
        '    reason: left over from an old chart version',
        '  - rule: secrets-read',
        '    object: Role/shop/x',
        '    reason: short',
      ].join('\n'),
    );
    const result = await run('lint', RISKY, '--acknowledgements', file);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /error \(acknowledged\) secrets-read[\s\S]*the lister is a backup job/,
    );
    expect(result.stdout).toContain(
      'stale acknowledgement: pods-exec on Role shop/nothing-here matches no finding',
    );
    expect(result.stdout).toMatch(
      /problem: .*acknowledgements\[2\]: reason must be at least 10 characters/,
    );
  });

  test('GIVEN a baseline written from a run WHEN linting again THEN only new findings fail', async () => {
    const dir = tempDir('lint-baseline-');
    const baseline = join(dir, 'baseline.json');
    const written = await run('lint', RISKY, '--write-baseline', baseline);
    expect(written.code).toBe(1);
    expect(JSON.parse(readFileSync(baseline, 'utf8')).findings).toHaveLength(1);
    // WHEN the same manifests are linted against it THEN nothing new: exit 0
    const again = await run('lint', RISKY, '--baseline', baseline);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/1 in the baseline/);
    // WHEN a new risky object appears THEN it fails
    const more = await run(
      'lint',
      RISKY,
      join(FIXTURES, 'lint', 'acknowledged.yaml'),
      '--baseline',
      baseline,
      '--acknowledgements',
      '/nonexistent.yaml',
    );
    expect(more.code).toBe(2);
    expect(more.stderr).toMatch(/cannot read acknowledgements file '\/nonexistent.yaml'/);
  });
});

describe('lint over a folder with one bad file', () => {
  test('GIVEN a folder with a broken file and a values.yaml WHEN linting THEN the rest is linted, the bad file reported, exit 3', async () => {
    const result = await run('lint', join(FIXTURES, 'lint-ci'));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/cannot parse .*zz-broken\.yaml at line \d+/);
    expect(result.stdout).toMatch(/error secrets-read: Role shop\/secret-lister/);
    expect(result.stdout).toMatch(
      /INCOMPLETE: 2 objects checked, .*1 non-kubernetes document skipped, 1 file not parsed/,
    );
  });
});

describe('lint of an unrendered Helm template that parses as YAML', () => {
  test('GIVEN a Role whose name is {{ .Values.name }} (a map to YAML) WHEN linting THEN it is reported, never linted as [object Object], and the run is incomplete (exit 3)', async () => {
    const dir = tempDir('lint-template-');
    writeFileSync(
      join(dir, 'role.yaml'),
      `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: {{ .Values.name }}, namespace: shop }
rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }]
`,
    );
    const result = await run('lint', dir);
    expect(result.stdout + result.stderr).not.toMatch(/object Object/);
    expect(result.stderr).toMatch(
      /^error: cannot read Role in document 1 of .*role\.yaml \(line 1\): metadata\.name is a map, expected a string/m,
    );
    expect(result.stdout).toMatch(/^INCOMPLETE: /m);
    expect(result.code).toBe(3);
  });
});

describe('lint --default-namespace, --by-subject, --no-builtin-roles', () => {
  test('GIVEN argo-cd RoleBindings without a namespace WHEN --default-namespace argocd THEN holders are in argocd', async () => {
    const file = join(CORPUS, 'argo-cd.yaml');
    const result = await run('lint', file, '--by-subject', '--default-namespace', 'argocd');
    expect(result.stdout).toMatch(
      /^ServiceAccount argocd\/argocd-dex-server\n {2}error secrets-read in 'argocd' through RoleBinding argocd-dex-server/m,
    );
  });

  test('GIVEN metrics-server binding system:auth-delegator WHEN --no-builtin-roles THEN it is unresolved', async () => {
    const file = join(CORPUS, 'metrics-server.yaml');
    expect((await run('lint', file)).stdout).not.toMatch(/unresolved-role/);
    expect((await run('lint', file, '--no-builtin-roles')).stdout).toMatch(
      /warning unresolved-role: RoleBinding kube-system\/metrics-server-auth-reader/,
    );
  });
});

describe("who-can and can-i --manifests with Kubernetes' bootstrap roles", () => {
  test('GIVEN Flux binding cluster-admin WHEN asking who can update nodes THEN its controllers, unless --no-builtin-roles', async () => {
    const flux = join(CORPUS, 'flux.yaml');
    const found = await run('who-can', 'update', 'nodes', '-A', '--manifests', flux);
    expect(found.stdout).toMatch(
      /ServiceAccount\s+flux-system\s+kustomize-controller\s+ClusterRoleBinding cluster-reconciler\s+ClusterRole cluster-admin/,
    );
    const without = await run(
      'who-can',
      'update',
      'nodes',
      '-A',
      '--manifests',
      flux,
      '--no-builtin-roles',
    );
    expect(without.stdout).toBe('');
    const canI = await run(
      'can-i',
      'delete',
      'secrets',
      '-n',
      'shop',
      '--manifests',
      flux,
      '--as',
      'system:serviceaccount:flux-system:helm-controller',
    );
    expect(canI.code).toBe(0);
  });
});
