/**
 * The offline CLI commands (`can-i --manifests`, `who-can`, `lint`), run in-process through
 * `main(argv, io)` over fixture manifests: a Helm-like chart (`fixtures/rbac-chart`) and lint
 * fixtures (`fixtures/lint`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInProcess, type CliRun } from './cli-in-process.js';
import { tempDir } from './temp-dir.js';
import { unreachableClusterFlags } from './unreachable-cluster.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const CHART = join(FIXTURES, 'rbac-chart');
const LINT = join(FIXTURES, 'lint');
const DEPLOYER = 'system:serviceaccount:shop:deployer';

const run = (...argv: string[]): Promise<CliRun> => runInProcess(argv);

/** `can-i` over the chart, as `who` (user, then flags). */
function canI(verb: string, target: string, ...flags: string[]): Promise<CliRun> {
  return run('can-i', verb, target, '--manifests', CHART, ...flags);
}

describe('can-i --manifests', () => {
  test.each([
    ['TYPE', ['get', 'pods', '-n', 'shop', '--as', 'alice'], 'yes'],
    ['TYPE in the default namespace', ['get', 'pods', '--as', 'alice'], 'no'],
    ['TYPE/NAME', ['get', 'pods/web', '-n', 'shop', '--as', 'alice'], 'yes'],
    [
      'TYPE.GROUP/NAME in resourceNames',
      ['patch', 'deployments.apps/web', '-n', 'shop', '--as', DEPLOYER],
      'yes',
    ],
    [
      'TYPE.GROUP/NAME not in resourceNames',
      ['patch', 'deployments.apps/api', '-n', 'shop', '--as', DEPLOYER],
      'no',
    ],
    [
      'TYPE.GROUP without a name, rule restricted by name',
      ['patch', 'deployments.apps', '-n', 'shop', '--as', DEPLOYER],
      'no',
    ],
    [
      'TYPE without the group is the core group',
      ['get', 'deployments/web', '-n', 'shop', '--as', DEPLOYER],
      'no',
    ],
    [
      '--subresource',
      ['get', 'pods', '--subresource', 'log', '-n', 'shop', '--as', 'alice'],
      'yes',
    ],
    [
      'TYPE.GROUP/NAME with --subresource',
      ['update', 'deployments.apps/web', '--subresource', 'scale', '-n', 'shop', '--as', DEPLOYER],
      'yes',
    ],
    [
      'the part after / is a name, not a subresource',
      ['update', 'deployments.apps/scale', '-n', 'shop', '--as', DEPLOYER],
      'no',
    ],
    ['TYPE is case-sensitive', ['get', 'Pods', '-n', 'shop', '--as', 'alice'], 'no'],
    [
      'a RoleBinding to a ClusterRole grants only in its namespace',
      ['get', 'pods', '-n', 'other', '--as', 'alice'],
      'no',
    ],
    ['-A: a RoleBinding never grants cluster-wide', ['list', 'pods', '-A', '--as', 'alice'], 'no'],
    [
      '-A: a ClusterRoleBinding grants cluster-wide',
      ['list', 'nodes', '-A', '--as', 'carol', '--as-group', 'ops'],
      'yes',
    ],
    [
      '--as-group matches a Group subject',
      ['get', 'pods', '--as', 'carol', '--as-group', 'developers'],
      'yes',
    ],
    [
      '--as-group is repeatable',
      ['list', 'nodes', '--as', 'carol', '--as-group', 'developers', '--as-group', 'ops'],
      'yes',
    ],
    [
      "a ServiceAccount subject without namespace means the binding's",
      ['get', 'pods', '-n', 'shop', '--as', 'system:serviceaccount:shop:dashboard'],
      'yes',
    ],
    [
      'ServiceAccount users given no groups get the ServiceAccount groups',
      ['list', 'nodes', '-A', '--as', 'system:serviceaccount:monitoring:prometheus'],
      'yes',
    ],
    [
      'ServiceAccount users given groups get only those',
      [
        'list',
        'nodes',
        '-A',
        '--as',
        'system:serviceaccount:monitoring:prometheus',
        '--as-group',
        'x',
      ],
      'no',
    ],
    ['a non-resource URL', ['get', '/healthz', '--as', 'bob'], 'yes'],
    [
      'a non-resource URL with a prefix rule',
      ['get', '/debug/pprof/heap', '--as', 'carol', '--as-group', 'ops'],
      'yes',
    ],
    ['a non-resource URL with another verb', ['post', '/healthz', '--as', 'bob'], 'no'],
    [
      'system:authenticated is added to every user',
      ['get', '/livez', '--as', 'nobody-in-particular'],
      'yes',
    ],
    [
      // (the bootstrap system:public-info-viewer grants /healthz to it: left out here)
      'system:anonymous is not authenticated',
      ['get', '/healthz', '--as', 'system:anonymous', '--no-builtin-roles'],
      'no',
    ],
    [
      'system:unauthenticated given keeps system:authenticated out',
      [
        'get',
        '/healthz',
        '--as',
        'bob',
        '--as-group',
        'system:unauthenticated',
        '--no-builtin-roles',
      ],
      'no',
    ],
  ])('GIVEN the chart WHEN asking %s THEN the answer is the RBAC one', async (_, args, answer) => {
    // WHEN
    const result = await canI(args[0], args[1], ...args.slice(2));
    // THEN
    expect(result.stdout).toBe(`${answer}\n`);
    expect(result.code).toBe(answer === 'yes' ? 0 : 1);
  });

  test('GIVEN several paths, a file and a JSON List WHEN asking THEN objects from all are used', async () => {
    const result = await run(
      'can-i',
      'get',
      'configmaps',
      '--manifests',
      join(CHART, 'rbac.yaml'),
      join(CHART, 'extra.json'),
      '--as',
      'bob',
    );
    expect(result).toMatchObject({ code: 0, stdout: 'yes\n' });
  });

  test('GIVEN -o json WHEN allowed THEN the decision names the grant, the user and the request', async () => {
    const result = await canI('get', 'pods/web', '-n', 'shop', '--as', 'alice', '-o', 'json');
    const decision = JSON.parse(result.stdout);
    expect(result.code).toBe(0);
    expect(decision.allowed).toBe(true);
    expect(decision.reason).toMatch(/RoleBinding shop\/read-pods of ClusterRole pod-reader/);
    expect(decision.subject).toEqual({ user: 'alice', groups: ['system:authenticated'] });
    expect(decision.denied).toBe(false);
    expect(decision.wouldBeGrantedBy).toBeUndefined();
    expect(decision.request).toMatchObject({
      verb: 'get',
      resource: 'pods',
      name: 'web',
      namespace: 'shop',
      apiGroup: '',
    });
  });

  test("GIVEN kubectl's -n=NS and -o=FORMAT THEN the same as -n NS -o FORMAT", async () => {
    const spaced = await canI('get', 'pods/web', '-n', 'shop', '--as', 'alice', '-o', 'json');
    const joined = await canI('get', 'pods/web', '-n=shop', '--as', 'alice', '-o=json');
    expect(joined).toEqual(spaced);
    expect(JSON.parse(joined.stdout).request.namespace).toBe('shop');
  });

  test('GIVEN -o json WHEN denied THEN allowed is false, no reason, what would grant it, and the exit code is 1', async () => {
    const result = await canI('delete', 'pods', '-n', 'shop', '--as', DEPLOYER, '-o', 'json');
    const decision = JSON.parse(result.stdout);
    expect(result.code).toBe(1);
    // One shape with the cluster's answer (runtime canI): the same keys in the same order.
    expect(Object.keys(decision)).toEqual([
      'allowed',
      'denied',
      'request',
      'subject',
      'wouldBeGrantedBy',
    ]);
    expect(decision).toMatchObject({
      allowed: false,
      denied: false,
      wouldBeGrantedBy: "Permission.verbs(['delete'], 'pods') in a Role bound in namespace 'shop'",
    });
    expect(decision.reason).toBeUndefined();
    expect(decision.subject.groups).toEqual([
      'system:serviceaccounts',
      'system:serviceaccounts:shop',
      'system:authenticated',
    ]);
  });

  test('GIVEN -A WHEN asking with -o json THEN the request namespace is empty', async () => {
    const result = await canI(
      'list',
      'nodes',
      '-A',
      '--as',
      'carol',
      '--as-group',
      'ops',
      '-o',
      'json',
    );
    expect(JSON.parse(result.stdout).request.namespace).toBe('');
  });

  test('GIVEN --quiet WHEN asking THEN nothing is printed and the exit code answers', async () => {
    const yes = await canI('get', 'pods', '-n', 'shop', '--as', 'alice', '--quiet');
    const no = await canI('get', 'pods', '--as', 'alice', '-q');
    expect(yes).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(no).toEqual({ code: 1, stdout: '', stderr: '' });
  });

  test('GIVEN a singular type WHEN asking THEN it is asked literally with a warning', async () => {
    const result = await canI('get', 'pod', '-n', 'shop', '--as', 'alice');
    expect(result).toMatchObject({ code: 1, stdout: 'no\n' });
    expect(result.stderr).toMatch(/warning: resource 'pod' is unknown.*'pods'/);
  });

  test.each([
    ['--as is missing', ['get', 'pods'], /--as USER is required/],
    [
      '--subresource with a non-resource URL',
      ['get', '/healthz', '--subresource', 'x', '--as', 'a'],
      /subresource 'x' cannot be used with the non-resource URL '\/healthz'/,
    ],
    ['an unknown output format', ['get', 'pods', '--as', 'a', '-o', 'xml'], /xml/],
    [
      'a cluster flag with --manifests',
      ['get', 'pods', '--as', 'a', '--kubeconfig', '/k'],
      /--kubeconfig asks the cluster/,
    ],
    ['an empty --as', ['get', 'pods', '--as', ''], /user '' is invalid/],
  ])(
    'GIVEN %s WHEN asking THEN it is a usage error (exit 2) that says so',
    async (_, args, message) => {
      const result = await canI(args[0], args[1], ...args.slice(2));
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
    },
  );

  test('GIVEN a missing manifest path WHEN asking THEN exit 2 names the path', async () => {
    const result = await run(
      'can-i',
      'get',
      'pods',
      '--manifests',
      join(FIXTURES, 'no-such-dir'),
      '--as',
      'a',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/manifest path '.*no-such-dir' does not exist/);
  });

  test('GIVEN an unparsable manifest WHEN asking THEN exit 2 names the file and line', async () => {
    const result = await run(
      'can-i',
      'get',
      'pods',
      '--manifests',
      join(FIXTURES, 'broken'),
      '--as',
      'a',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot parse .*broken\.yaml at line \d+/);
  });

  test('GIVEN no positional arguments WHEN asking THEN exit 2', async () => {
    expect((await run('can-i')).code).toBe(2);
  });

  test.each([
    [['--as-group', 'devs'], '--as-group needs --as: the user whose group it is'],
    [
      ['--as', 'alice', '--token-env', 'T'],
      '--as asks about another user with your kubeconfig credentials; --token-file/--token-env ask as that token: give one or the other',
    ],
    [
      ['--as', 'alice', '--token-file', '-'],
      '--as asks about another user with your kubeconfig credentials; --token-file/--token-env ask as that token: give one or the other',
    ],
  ])(
    'GIVEN the cluster form with %j WHEN asking THEN exit 2 says what goes together',
    async (flags, message) => {
      const result = await run('can-i', 'get', 'pods', ...flags);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`error: ${message}\n`);
    },
  );
});

describe("can-i and who-can --manifests with Kubernetes' bootstrap bindings of everyone", () => {
  // What every cluster grants every authenticated user (ClusterRoleBindings system:discovery,
  // system:basic-user, system:public-info-viewer), whatever the manifests say: the real
  // server's answers for these are checked in test/e2e/sar-agreement.test.ts.
  /** A manifest that grants alice a read in shop, and nothing else. */
  function aliceOnly(): string {
    const file = join(tempDir('cli-everyone-'), 'alice.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: RoleBinding',
        'metadata: { name: alice-view, namespace: shop }',
        'roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }',
        'subjects: [{ kind: User, name: alice }]',
      ].join('\n'),
    );
    return file;
  }

  test.each([
    ['get', '/healthz'],
    ['get', '/api'],
    ['get', '/version'],
    ['create', 'selfsubjectaccessreviews.authorization.k8s.io'],
    ['create', 'selfsubjectrulesreviews.authorization.k8s.io'],
  ])('GIVEN alice WHEN asking %s %s THEN yes; with --no-builtin-roles no', async (verb, target) => {
    const args = ['can-i', verb, target, '--manifests', aliceOnly(), '--as', 'alice', '-A'];
    const withBuiltins = await run(...args);
    const without = await run(...args, '--no-builtin-roles');
    expect([withBuiltins.code, withBuiltins.stdout]).toEqual([0, 'yes\n']);
    expect([without.code, without.stdout]).toEqual([1, 'no\n']);
  });

  test('GIVEN alice WHEN asking what they do not grant THEN still no', async () => {
    for (const [verb, target] of [
      ['get', '/metrics'],
      ['create', 'subjectaccessreviews.authorization.k8s.io'],
      ['get', '/openid/v1/jwks'],
    ])
      expect([
        verb,
        target,
        (await run('can-i', verb, target, '--manifests', aliceOnly(), '--as', 'alice', '-A')).code,
      ]).toEqual([verb, target, 1]);
  });

  test('GIVEN who-can on a resource the bootstrap bindings do not grant THEN no group of everyone is listed', async () => {
    const result = await run('who-can', 'get', 'pods', '-n', 'shop', '--manifests', CHART);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/system:(authenticated|unauthenticated|serviceaccounts)\b/);
    expect(result.stdout).not.toMatch(/system:discovery|system:basic-user|public-info-viewer/);
  });

  test('GIVEN the lint of the manifests THEN the bootstrap bindings are not findings of theirs', async () => {
    const report = JSON.parse((await run('lint', CHART, '-o', 'json')).stdout) as {
      findings: { location?: { name: string } }[];
    };
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.filter((f) => f.location?.name.startsWith('system:'))).toEqual([]);
  });
});

describe('can-i --manifests asks every request literally, as kubectl sends it and the API server compares it', () => {
  const dir = tempDir('cli-can-i-literal-');
  const policy = join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: everything-on-pods }
rules:
  - { apiGroups: ['*'], resources: ['*'], verbs: ['*'] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: root }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything-on-pods }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: root }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: reader, namespace: shop }
rules:
  - { apiGroups: [''], resources: ['pods'], verbs: ['get'] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: reader, namespace: shop }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader }
subjects:
  - { apiGroup: rbac.authorization.k8s.io, kind: User, name: alice }
  - { kind: ServiceAccount, name: deployer, namespace: shop }
`,
  );
  const ask = (...argv: string[]) => run('can-i', ...argv, '--manifests', policy);

  test.each([
    [
      'GET',
      'pods',
      'root',
      /verb 'GET' is not a known verb \(verbs are case-sensitive\); did you mean 'get'\?/,
    ],
    ['frobnicate', 'pods', 'root', /verb 'frobnicate' is not a known verb; it is asked literally/],
    ['', 'pods', 'root', /verb '' is not a known verb/],
    ['get', 'Pods', 'root', /resource 'Pods' is malformed.*did you mean 'pods'\?/],
    [
      'get',
      'widgets.example.com',
      'root',
      /API group 'example.com' is neither built in nor defined/,
    ],
    ['get', 'deployment/web', 'root', /did you mean 'deployments.apps\/web'\?/],
  ])(
    'GIVEN verb %j on %j WHEN a rule with * allows it THEN yes, with a warning, never a usage error',
    async (verb, target, user, warning) => {
      const result = await ask(verb, target, '-n', 'shop', '--as', user);
      expect(result).toMatchObject({ code: 0, stdout: 'yes\n' });
      expect(result.stderr).toMatch(warning);
    },
  );

  test('GIVEN GET WHEN only a rule with get exists THEN no: verbs are case-sensitive', async () => {
    expect(await ask('get', 'pods', '-n', 'shop', '--as', 'alice')).toMatchObject({ code: 0 });
    const result = await ask('GET', 'pods', '-n', 'shop', '--as', 'alice');
    expect(result).toMatchObject({ code: 1, stdout: 'no\n' });
    expect(result.stderr).toMatch(
      /warning: verb 'GET' is not a known verb.*did you mean 'get'\?\n/,
    );
    expect(result.stderr).toMatch(
      /not allowed; it would be granted by Permission.customVerbs\(\['GET'\], 'pods'\) in a Role bound in namespace 'shop'\n$/,
    );
  });

  test("GIVEN -n '*' WHEN asking THEN only ClusterRoleBindings apply, with a warning", async () => {
    const alice = await ask('get', 'pods', '-n', '*', '--as', 'alice', '-o', 'json');
    expect(alice.code).toBe(1);
    expect(JSON.parse(alice.stdout)).toMatchObject({
      allowed: false,
      request: { namespace: '*' },
      wouldBeGrantedBy:
        "Permission.verbs(['get'], 'pods') in a ClusterRole bound by a ClusterRoleBinding",
    });
    expect(alice.stderr).toMatch(
      /namespace '\*' is not a valid namespace name.*only ClusterRoleBindings apply/,
    );
    expect(await ask('get', 'pods', '-n', '*', '--as', 'root')).toMatchObject({ code: 0 });
  });

  test('GIVEN a name with a slash, an empty name, -n with -A WHEN asking THEN they are asked as kubectl sends them', async () => {
    const slash = JSON.parse(
      (await ask('get', 'pods/a/b', '-n', 'shop', '--as', 'root', '-o', 'json')).stdout,
    );
    expect(slash.request).toMatchObject({ resource: 'pods', name: 'a/b' });
    const empty = JSON.parse(
      (await ask('get', 'pods/', '-n', 'shop', '--as', 'alice', '-o', 'json')).stdout,
    );
    expect(empty).toMatchObject({ allowed: true, request: { name: '' } });
    const both = await ask('get', 'pods', '-n', 'shop', '-A', '--as', 'alice');
    expect(both).toMatchObject({ code: 1, stdout: 'no\n' });
    expect(both.stderr).toMatch(/warning: -A asks cluster-wide: -n shop is ignored/);
  });

  test('GIVEN a ServiceAccount and no -n WHEN asking THEN stderr says which namespace was assumed', async () => {
    const sa = 'system:serviceaccount:shop:deployer';
    const assumed = await ask('get', 'pods', '--as', sa);
    expect(assumed).toMatchObject({ code: 1, stdout: 'no\n' });
    expect(assumed.stderr).toContain(
      "warning: no namespace given: asking in namespace 'default', not in the ServiceAccount's namespace 'shop' (pass -n shop for that, -A for cluster-wide)\n",
    );
    const own = await ask('get', 'pods', '-n', 'shop', '--as', sa);
    expect(own).toEqual({ code: 0, stdout: 'yes\n', stderr: '' });
    expect((await ask('get', 'pods', '--as', sa, '-q')).stderr).toBe('');
  });
});

/** Rows of an aligned table, read by the header's column positions. */
function parseTable(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trimEnd().split('\n');
  const columns = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], start: m.index ?? 0 }));
  return lines.map((line) =>
    Object.fromEntries(
      columns.map((c, i) => [
        c.name,
        line.slice(c.start, columns[i + 1]?.start ?? line.length).trim(),
      ]),
    ),
  );
}

describe('who-can', () => {
  test('GIVEN the chart WHEN asking who can get pods in shop THEN the table lists the subjects and their grants', async () => {
    const result = await run('who-can', 'get', 'pods', '--manifests', CHART, '-n', 'shop');
    expect(result.code).toBe(0);
    expect(parseTable(result.stdout)).toEqual([
      {
        KIND: 'ServiceAccount',
        NAMESPACE: 'shop',
        NAME: 'dashboard',
        BINDING: 'RoleBinding shop/read-pods',
        ROLE: 'ClusterRole pod-reader',
      },
      {
        KIND: 'User',
        NAMESPACE: '',
        NAME: 'alice',
        BINDING: 'RoleBinding shop/read-pods',
        ROLE: 'ClusterRole pod-reader',
      },
    ]);
  });

  test('GIVEN -A WHEN asking THEN only ClusterRoleBindings grant', async () => {
    const result = await run('who-can', 'list', 'nodes', '--manifests', CHART, '-A', '-o', 'json');
    const { subjects, request } = JSON.parse(result.stdout);
    expect(request.namespace).toBe('');
    expect(subjects.map((s: { subject: { name: string } }) => s.subject.name)).toEqual([
      'ops',
      'system:serviceaccounts:monitoring',
    ]);
    expect(
      subjects.every((s: { binding: string }) => s.binding.startsWith('ClusterRoleBinding ')),
    ).toBe(true);
  });

  test('GIVEN a name and --subresource WHEN asking THEN the named and subresource rules apply', async () => {
    const byName = JSON.parse(
      (
        await run(
          'who-can',
          'patch',
          'deployments.apps/web',
          '--manifests',
          CHART,
          '-n',
          'shop',
          '-o',
          'json',
        )
      ).stdout,
    );
    const scale = JSON.parse(
      (
        await run(
          'who-can',
          'update',
          'deployments.apps/web',
          '--subresource',
          'scale',
          '--manifests',
          CHART,
          '-n',
          'shop',
          '-o',
          'json',
        )
      ).stdout,
    );
    expect(byName.subjects.map((s: { subject: { name: string } }) => s.subject.name)).toEqual([
      'deployer',
    ]);
    expect(scale.subjects.map((s: { subject: { name: string } }) => s.subject.name)).toEqual([
      'deployer',
    ]);
  });

  test('GIVEN a non-resource URL WHEN asking THEN the system:authenticated group is listed', async () => {
    const result = await run('who-can', 'get', '/healthz', '--manifests', CHART);
    expect(result.stdout).toMatch(
      /^Group\s+system:authenticated\s+ClusterRoleBinding health-checkers/m,
    );
  });

  test('GIVEN nobody may WHEN asking THEN nothing on stdout, a note on stderr, exit 0', async () => {
    const result = await run('who-can', 'delete', 'pods', '--manifests', CHART, '-n', 'shop');
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toMatch(/no subject may delete pods in namespace shop/);
  });

  test.each([
    ['no --manifests', ['get', 'pods'], /--manifests/],
    [
      'a missing path',
      ['get', 'pods', '--manifests', '/no/such/path'],
      /'\/no\/such\/path' does not exist/,
    ],
  ])('GIVEN %s WHEN asking THEN exit 2', async (_, args, message) => {
    const result = await run('who-can', ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('lint', () => {
  test('GIVEN an empty folder or a file without objects WHEN linted THEN exit 2: nothing was linted, and what to do', async () => {
    const empty = tempDir('lint-empty-');
    const comments = join(tempDir('lint-comments-'), 'only-comments.yaml');
    writeFileSync(comments, '# nothing here\n---\n');
    for (const path of [empty, comments]) {
      const result = await run('lint', path);
      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: `error: no kubernetes objects found in ${path}: nothing was linted; synthesize or render the manifests first (e.g. cdk8s synth) and pass the files or folders that hold them\n`,
      });
    }
  });

  test.each([
    [
      'clean manifests',
      'clean.yaml',
      0,
      /passed: 2 objects checked, 0 unacknowledged errors, 0 warnings, 0 acknowledged/,
    ],
    [
      'warnings only',
      'warnings-only.yaml',
      0,
      /warning automounted-token: ServiceAccount shop\/legacy-app/,
    ],
    [
      'an unacknowledged error',
      'risky.yaml',
      1,
      /error secrets-read: Role shop\/secret-lister rules\[0\][\s\S]*FAILED: 2 objects checked, 1 unacknowledged error/,
    ],
    [
      'an acknowledged error',
      'acknowledged.yaml',
      0,
      /error \(acknowledged\) secrets-read[\s\S]*acknowledged: the nightly backup[\s\S]*passed:.*1 acknowledged/,
    ],
  ])(
    'GIVEN %s WHEN linting THEN the exit code and the output say so',
    async (_, file, code, output) => {
      const result = await run('lint', join(LINT, file));
      expect(result.code).toBe(code);
      expect(result.stdout).toMatch(output);
    },
  );

  test('GIVEN a folder WHEN linting THEN every file is read and one error fails it', async () => {
    const result = await run('lint', LINT);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /FAILED: 7 objects checked, 1 unacknowledged error, 1 warning, 1 acknowledged/,
    );
  });

  test('GIVEN -o json WHEN linting THEN the report is JSON with counts and the source of each finding', async () => {
    const result = await run('lint', LINT, '-o', 'json');
    const report = JSON.parse(result.stdout);
    expect(result.code).toBe(1);
    expect(report.counts).toEqual({
      total: 3,
      errors: 1,
      warnings: 1,
      acknowledged: 1,
      baselined: 0,
    });
    expect(report.errors[0]).toMatchObject({
      id: 'secrets-read',
      location: { name: 'secret-lister', source: join(LINT, 'risky.yaml') },
    });
  });

  test('GIVEN only an unparsable file WHEN linting THEN exit 3 (incomplete) names the file and line', async () => {
    const result = await run('lint', join(FIXTURES, 'broken'));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/cannot parse .*broken\.yaml at line \d+/);
  });

  test('GIVEN a Helm-like chart with ClusterRoleBindings of nodes and health URLs WHEN linting THEN no cluster-wide-grant: a RoleBinding could not grant them', async () => {
    const result = await run('lint', CHART, '-o', 'json');
    const findings = JSON.parse(result.stdout).findings.map(
      (f: { id: string; severity: string }) => `${f.id} ${f.severity}`,
    );
    expect(result.code).toBe(0);
    expect(findings).not.toContain('cluster-wide-grant warning');
    // health-checker (get /healthz) bound to system:authenticated: reported, as a warning
    expect(findings).toContain('public-subject-binding warning');
  });

  test.each([
    [
      'a missing path',
      [join(FIXTURES, 'missing.yaml')],
      /manifest path '.*missing\.yaml' does not exist/,
    ],
    ['no path', [], /missing required argument/],
  ])('GIVEN %s WHEN linting THEN exit 2 names the problem', async (_, paths, message) => {
    const result = await run('lint', ...paths);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('inspect', () => {
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const tokenFile = (claims: unknown): string => {
    const file = join(tempDir('inspect-'), 'token');
    writeFileSync(file, `${b64({ alg: 'RS256' })}.${b64(claims)}.c2ln`);
    return file;
  };
  const OIDC = { iss: 'https://accounts.google.com', sub: '1234567890', aud: 'my-client' };

  test('GIVEN an OIDC ID token WHEN inspected THEN it is not called a service account token', async () => {
    const result = await run('inspect', '--token-file', tokenFile({ ...OIDC, exp: 1_900_000_000 }));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Kind: +not a Kubernetes ServiceAccount token/m);
    expect(result.stdout).not.toMatch(/service account token$/m);
    expect(result.stdout).toMatch(/^Expires: +2030-03-17T17:46:40.000Z$/m);
  });

  test.each([
    [
      'an exp no date can hold',
      1e20,
      /'exp' claim must be a number of seconds since the Unix epoch .*got 100000000000000000000/,
    ],
    [
      'a string exp',
      '2030',
      /'exp' claim must be a number of seconds since the Unix epoch .*got the string "2030"/,
    ],
  ])(
    'GIVEN %s WHEN inspected THEN a usage error names the claim and the value',
    async (_, exp, message) => {
      const result = await run('inspect', '--token-file', tokenFile({ ...OIDC, exp }));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/Invalid time value/);
      expect(result.stdout).toBe('');
    },
  );
});

describe('offline commands do not load @kubernetes/client-node', () => {
  const bin = join(ROOT, 'bin', 'access-tokens.cjs');
  const built = existsSync(join(ROOT, 'lib', 'src', 'cli', 'commands', 'can-i.js'));
  const hook = join(FIXTURES, 'report-client-node.mjs');
  const marker = 'LOADED @kubernetes/client-node';
  // An unsigned token (inspect only decodes it).
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const TOKEN_FILE = join(tempDir('inspect-'), 'token');
  writeFileSync(
    TOKEN_FILE,
    `${b64({ alg: 'RS256' })}.${b64({ sub: 'system:serviceaccount:a:b', exp: 4102444800, iat: 4102441200 })}.c2ln`,
  );
  const node = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', hook, bin, ...args], {
      encoding: 'utf8',
      // The unbundled modules: test/cli-bundle.test.ts checks the bundle the same way.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: tempDir('no-kube-'),
        ACCESS_TOKENS_UNBUNDLED: '1',
      },
      timeout: 20_000,
    });

  test('GIVEN the built CLI WHEN it runs THEN lib/ exists (run `npm run build` first)', () => {
    expect(built).toBe(true);
  });

  // A token for a server nobody listens on: the cluster form gets as far as its first request.
  const cluster = unreachableClusterFlags();

  test('GIVEN the loader hook WHEN the cluster form of can-i runs THEN the hook sees client-node load (the probe works)', () => {
    const result = node('can-i', 'get', 'pods', ...cluster);
    expect(result.stderr).toContain(marker);
    expect(result.stderr).toMatch(/selfsubjectaccessreviews: ECONNREFUSED/);
  });

  test('GIVEN a kubeconfig with a token WHEN mint runs THEN client-node is never resolved', () => {
    const result = node('mint', 'app', ...cluster);
    expect(result.stderr).not.toContain(marker);
    expect(result.stderr).toMatch(/serviceaccounts\/token.*ECONNREFUSED/);
  });

  test.each([
    ['can-i', ['can-i', 'get', 'pods', '--manifests', CHART, '--as', 'alice', '-n', 'shop'], 0],
    ['who-can', ['who-can', 'get', 'pods', '--manifests', CHART], 0],
    ['lint', ['lint', join(LINT, 'clean.yaml')], 0],
    ['inspect', ['inspect', '--token-file', '<token>'], 0],
    ['--help', ['--help'], 0],
  ])('GIVEN %s WHEN it runs in a process THEN client-node is never resolved', (_, args, code) => {
    const result = node(...args.map((a) => (a === '<token>' ? TOKEN_FILE : a)));
    expect(result.stderr).not.toContain(marker);
    expect(result.status).toBe(code);
  });

  test('GIVEN inspect WHEN it runs in a process THEN it shows the subject and never the token', () => {
    const result = node('inspect', '--token-file', TOKEN_FILE);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/ServiceAccount: +a\/b/);
    expect(result.stdout + result.stderr).not.toContain(readFileSync(TOKEN_FILE, 'utf8'));
  });
});
