import { jest } from '@jest/globals';
import { ApiObject, App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Permission, Risk, ServiceAccountAccess, TokenStore } from '../src/index.js';
import { ACKNOWLEDGED_RISKS_ANNOTATION } from '../src/rbac/index.js';
import {
  MANAGED_LABEL,
  TOKEN_DECLARATION_ANNOTATION,
  parseTokenDeclaration,
} from '../src/contract/token-declaration.js';
import type { KubeObject } from '../src/rbac/kube-object.js';
import { tempDir } from './temp-dir.js';

/** Testing.app(), whose outdir is removed after the file (Testing.app() alone leaves it). */
function testApp(): App {
  return Testing.app({ outdir: tempDir('cdk8s.outdir.') });
}

function chart(namespace: string | null = 'shop'): Chart {
  return new Chart(testApp(), 'test', namespace ? { namespace } : {});
}

function byKind(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}

describe('ServiceAccountAccess', () => {
  test('the issue example: compacted Role, canI, automount off', () => {
    // GIVEN
    const c = chart();
    const deployer = new ServiceAccountAccess(c, 'deployer', {
      permissions: [
        Permission.read(kplus.ApiResource.PODS),
        Permission.verbs(['get', 'patch'], 'deployments.apps', 'web', 'worker'),
      ],
    });
    // WHEN
    const objects = Testing.synth(c) as KubeObject[];
    // THEN
    expect(deployer.canI('patch', 'deployments.apps', { name: 'web' })).toBe(true);
    expect(deployer.canI('patch', 'deployments.apps', { name: 'api' })).toBe(false);
    expect(deployer.canI('delete', 'pods')).toBe(false);
    expect(deployer.canI('list', 'pods')).toBe(true);
    expect(deployer.canI('list', 'pods', { namespace: 'other' })).toBe(false);
    const [sa] = byKind(objects, 'ServiceAccount');
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(sa.metadata).toMatchObject({ name: 'deployer', namespace: 'shop' });
    const [role] = byKind(objects, 'Role');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      {
        apiGroups: ['apps'],
        resourceNames: ['web', 'worker'],
        resources: ['deployments'],
        verbs: ['get', 'patch'],
      },
    ]);
    expect(role.rules).toEqual(deployer.rules);
    const [binding] = byKind(objects, 'RoleBinding');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'deployer',
    });
    expect(binding.subjects).toEqual([
      { apiGroup: '', kind: 'ServiceAccount', name: 'deployer', namespace: 'shop' },
    ]);
    expect(byKind(objects, 'ClusterRole')).toHaveLength(0);
    expect(byKind(objects, 'ClusterRoleBinding')).toHaveLength(0);
  });

  test('allow() after construction is synthesized and seen by canI', () => {
    const c = chart();
    const access = new ServiceAccountAccess(c, 'reader', {
      permissions: [Permission.read('configmaps')],
    });
    expect(access.canI('get', 'secrets', { name: 'x' })).toBe(false);
    access.allow(Permission.read('services'));
    const [role] = byKind(Testing.synth(c) as KubeObject[], 'Role');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps', 'services'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(access.canI('watch', 'services')).toBe(true);
  });

  test('canI on non-resource URLs and cdk8s-plus objects', () => {
    const c = chart();
    const web = new kplus.Deployment(c, 'web', {
      metadata: { name: 'web' },
      containers: [{ image: 'nginx' }],
    });
    const access = new ServiceAccountAccess(c, 'ops', {
      permissions: [Permission.verbs(['get'], web)],
      clusterPermissions: [Permission.nonResourceUrls(['get'], '/healthz*')],
      acknowledge: [
        { risk: Risk.CLUSTER_WIDE_GRANT, reason: 'probes the API server health endpoints' },
      ],
    });
    expect(access.canI('get', web)).toBe(true);
    expect(access.canI('get', 'deployments.apps', { name: 'api' })).toBe(false);
    expect(access.canI('get', '/healthz/etcd')).toBe(true);
    expect(access.canI('get', '/metrics')).toBe(false);
    const objects = Testing.synth(c) as KubeObject[];
    const [clusterRole] = byKind(objects, 'ClusterRole');
    expect(clusterRole.rules).toEqual([{ nonResourceURLs: ['/healthz*'], verbs: ['get'] }]);
    expect(byKind(objects, 'ClusterRoleBinding')[0].subjects).toEqual([
      { apiGroup: '', kind: 'ServiceAccount', name: 'ops', namespace: 'shop' },
    ]);
  });

  test('canI asks cluster-scoped resources without a namespace, as a real request does', () => {
    const c = chart();
    const access = new ServiceAccountAccess(c, 'inventory', {
      clusterPermissions: [Permission.read('nodes')],
      acknowledge: [
        { risk: Risk.CLUSTER_WIDE_GRANT, reason: 'node inventory for capacity reports' },
      ],
    });
    expect(access.canI('list', 'nodes')).toBe(true);
    expect(access.canI('list', 'nodes', { namespace: '' })).toBe(true);
    expect(access.canI('delete', 'nodes')).toBe(false);
  });

  test('synth fails on an unacknowledged risk, naming rule id, path, rule and fix', () => {
    const app = testApp();
    const c = new Chart(app, 'ci', { namespace: 'shop' });
    new ServiceAccountAccess(c, 'snoop', { permissions: [Permission.read('secrets')] });
    expect(() => app.synth()).toThrow(
      /secrets-read[\s\S]*ci\/snoop[\s\S]*verbs=\[get,list,watch\][\s\S]*fix:/,
    );
  });

  test('an acknowledged risk synthesizes and is recorded on the Role for reviewers', () => {
    const c = chart();
    new ServiceAccountAccess(c, 'backup', {
      permissions: [Permission.verbs(['get'], 'secrets', 'db')],
      acknowledge: [{ risk: Risk.SECRETS_READ, reason: 'backup reads the db password' }],
    });
    const [role] = byKind(Testing.synth(c) as KubeObject[], 'Role');
    expect(JSON.parse(role.metadata!.annotations![ACKNOWLEDGED_RISKS_ANNOTATION])).toEqual([
      { risk: 'secrets-read', reason: 'backup reads the db password' },
    ]);
  });

  test('cluster permissions a RoleBinding could not grant need no acknowledgement; risky ones do', () => {
    // GIVEN reading nodes (cluster-scoped: only a ClusterRoleBinding can grant it)
    const app = testApp();
    const c = new Chart(app, 'ci', { namespace: 'shop' });
    new ServiceAccountAccess(c, 'nodes', { clusterPermissions: [Permission.read('nodes')] });
    // WHEN / THEN it synthesizes: cluster-wide-grant is only for namespaced resources
    expect(() => app.synth()).not.toThrow();
    // AND a risky cluster permission still fails the synth, by its own rule
    const risky = testApp();
    new ServiceAccountAccess(new Chart(risky, 'ci', { namespace: 'shop' }), 'pv', {
      clusterPermissions: [Permission.verbs(['create'], 'persistentvolumes')],
    });
    expect(() => risky.synth()).toThrow(/persistentvolume-create/);
  });

  test('attachTo sets the service account of cdk8s-plus workloads', () => {
    const c = chart();
    const access = new ServiceAccountAccess(c, 'worker', {
      permissions: [Permission.read('configmaps')],
    });
    const deployment = new kplus.Deployment(c, 'd', { containers: [{ image: 'busybox' }] });
    const cron = new kplus.CronJob(c, 'cj', {
      schedule: { expressionString: '0 * * * *' } as never,
      containers: [{ image: 'busybox' }],
    });
    access.attachTo(deployment);
    access.attachTo(cron, { automountToken: false });
    const objects = Testing.synth(c) as KubeObject[];
    const spec = (o: KubeObject, path: string[]) => path.reduce((v: any, k) => v?.[k], o); // eslint-disable-line @typescript-eslint/no-explicit-any
    const d = byKind(objects, 'Deployment')[0];
    expect(spec(d, ['spec', 'template', 'spec', 'serviceAccountName'])).toBe('worker');
    // A projected token by default, not the kubelet's automount (test/workload.test.ts).
    expect(spec(d, ['spec', 'template', 'spec', 'automountServiceAccountToken'])).toBe(false);
    const cj = byKind(objects, 'CronJob')[0];
    expect(
      spec(cj, ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'serviceAccountName']),
    ).toBe('worker');
  });

  test('accessObjects (what canI and the lint evaluate) agree with the synthesized objects', () => {
    // GIVEN an account with namespaced and cluster grants, acknowledgements and a late allow()
    const c = chart();
    const access = new ServiceAccountAccess(c, 'ops', {
      permissions: [Permission.verbs(['get'], 'secrets', 'a')],
      clusterPermissions: [
        Permission.read('nodes'),
        Permission.nonResourceUrls(['get'], '/metrics'),
      ],
      acknowledge: [
        { risk: Risk.SECRETS_READ, reason: 'reads its own configuration secret' },
        { risk: Risk.CLUSTER_WIDE_GRANT, reason: 'node inventory for the dashboard' },
      ],
    });
    access.allow(Permission.read('configmaps'));
    access.allow(Permission.verbs(['get'], kplus.ApiResource.SERVICES));
    // WHEN
    const synthesized = Testing.synth(c) as KubeObject[];
    // THEN every access object is synthesized with the same fields
    const strip = (o: KubeObject): KubeObject =>
      JSON.parse(JSON.stringify(o, (k, v) => (k === 'labels' ? undefined : v)));
    for (const expected of access.accessObjects()) {
      const actual = synthesized.find(
        (o) => o.kind === expected.kind && o.metadata?.name === expected.metadata?.name,
      );
      const { annotations, ...meta } = expected.metadata ?? {};
      const expectedClean = {
        ...expected,
        metadata: Object.keys(annotations ?? {}).length ? { ...meta, annotations } : meta,
      };
      expect(strip(actual!)).toEqual(strip(expectedClean));
    }
  });

  test('role and roleBinding are plain ApiObjects: grants come from allow(), metadata from the user', () => {
    // GIVEN an account, a later grant, and the user's own annotation on the Role
    const c = chart();
    const access = new ServiceAccountAccess(c, 'mixed', {
      permissions: [Permission.read('configmaps')],
    });
    access.allow(Permission.read(kplus.ApiResource.SERVICES));
    access.role.metadata.addAnnotation('example.com/owner', 'team-a');
    // WHEN
    const objects = Testing.synth(c) as KubeObject[];
    // THEN the Role has the compacted rules and the annotation
    const [role] = byKind(objects, 'Role');
    expect(access.role).toBeInstanceOf(ApiObject);
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps', 'services'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(role.metadata?.annotations).toEqual({ 'example.com/owner': 'team-a' });
    expect(access.roleBinding).toBeInstanceOf(ApiObject);
    expect(access.canI('list', 'services')).toBe(true);
  });

  test('a risky grant added by a later allow() fails the synth', () => {
    const app = testApp();
    const c = new Chart(app, 'ci', { namespace: 'shop' });
    const access = new ServiceAccountAccess(c, 'sneaky', {
      permissions: [Permission.read('configmaps')],
    });
    access.allow(Permission.verbs(['list'], kplus.ApiResource.SECRETS));
    expect(() => app.synth()).toThrow(/secrets-read/);
  });

  test('the lint runs once per construct in an app of many charts, again after allow()', () => {
    // GIVEN three charts (cdk8s validates the whole app once per chart it renders)
    const app = testApp();
    const charts = ['a', 'b', 'c'].map((id) => new Chart(app, id, { namespace: id }));
    const access = charts.map(
      (c) => new ServiceAccountAccess(c, 'x', { permissions: [Permission.read('configmaps')] }),
    );
    // (the lint reads the objects from the private `accessObjectsOf`, without copies of the rules)
    const linted = access.map((a) =>
      jest.spyOn(a as unknown as { accessObjectsOf: () => unknown }, 'accessObjectsOf'),
    );
    // WHEN
    app.synthYaml();
    // THEN each construct's objects were linted once
    expect(linted.map((spy) => spy.mock.calls.length)).toEqual([1, 1, 1]);
    // AND a later risky allow() is linted, not answered from the first outcome
    access[1].allow(Permission.read('secrets'));
    expect(() => app.synthYaml()).toThrow(/\[b\] b\/x: .*secrets-read/s);
    access[2].allow(Permission.verbs(['list'], kplus.ApiResource.SECRETS));
    expect(() => app.synthYaml()).toThrow(/\[c\] c\/x: .*secrets-read/s);
  });

  test('every risky construct of a chart is reported, and a grant after a synth is linted', () => {
    // GIVEN one chart with a safe construct linted once, and two risky ones
    const app = testApp();
    const c = new Chart(app, 'team', { namespace: 'shop' });
    const safe = new ServiceAccountAccess(c, 'safe', {
      permissions: [Permission.read('configmaps')],
    });
    new ServiceAccountAccess(c, 'one', { permissions: [Permission.read('secrets')] });
    new ServiceAccountAccess(c, 'two', { permissions: [Permission.verbs(['*'], 'pods')] });
    const failure = (): string => {
      try {
        app.synthYaml();
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    // WHEN / THEN both risky constructs are named, the safe one is not
    const first = failure();
    expect(first).toMatch(/\[team\] team\/one: .*secrets-read/s);
    expect(first).toMatch(/\[team\] team\/two: .*wildcard-verbs/s);
    expect(first).not.toContain('team/safe');
    // AND a grant added by allow() after that synth is linted
    safe.allow(Permission.read(kplus.ApiResource.SECRETS));
    expect(failure()).toMatch(/\[team\] team\/safe: .*secrets-read/s);
  });

  test('a declared token: annotation on the ServiceAccount, an empty managed Secret, no value', () => {
    // GIVEN
    const c = chart();
    const access = new ServiceAccountAccess(c, 'ci', {
      permissions: [Permission.read('configmaps')],
      token: {
        duration: Duration.hours(2),
        audiences: ['https://kubernetes.default.svc'],
        store: TokenStore.secret('ci-token'),
        boundToSecret: true,
      },
    });
    // WHEN
    const objects = Testing.synth(c) as KubeObject[];
    // THEN
    const [sa] = byKind(objects, 'ServiceAccount');
    const declaration = parseTokenDeclaration(
      sa.metadata!.annotations![TOKEN_DECLARATION_ANNOTATION],
      'test',
    );
    expect(declaration).toMatchObject({
      version: 1,
      durationSeconds: 7200,
      audiences: ['https://kubernetes.default.svc'],
      store: { kind: 'secret', name: 'ci-token' },
      boundToSecret: true,
    });
    const [secret] = byKind(objects, 'Secret');
    expect(secret.metadata).toMatchObject({
      name: 'ci-token',
      namespace: 'shop',
      labels: { [MANAGED_LABEL]: 'true' },
    });
    expect(secret.data).toBeUndefined();
    expect(secret.stringData).toBeUndefined();
    expect(access.tokenSecret?.name).toBe('ci-token');
  });

  test('a token shorter than 10 minutes is rejected, saying so', () => {
    expect(
      () =>
        new ServiceAccountAccess(chart(), 'x', {
          permissions: [Permission.read('pods')],
          token: { duration: Duration.minutes(5) },
        }),
    ).toThrow(/token.duration must be at least 10 minutes \(600 s\), got 300 s/);
  });

  test('a token without a Duration (from JavaScript) is rejected, naming the field', () => {
    // GIVEN props as a JavaScript app may write them, without the types' help
    const token = (duration: unknown) => ({ duration }) as unknown as { duration: Duration };
    for (const [given, shown] of [
      [undefined, 'nothing'],
      [3600, '3600'],
      ['1h', '"1h"'],
    ] as const) {
      expect(
        () =>
          new ServiceAccountAccess(chart(), 'x', {
            permissions: [Permission.read('pods')],
            token: token(given),
          }),
      ).toThrow(`token.duration must be a cdk8s Duration (e.g. Duration.hours(1)), got ${shown}`);
    }
  });

  describe('rejects bad input with the field, the value and what is allowed', () => {
    test('invalid names and namespaces', () => {
      expect(
        () =>
          new ServiceAccountAccess(chart(), 'x', {
            serviceAccountName: 'Bad_Name',
            permissions: [Permission.read('pods')],
          }),
      ).toThrow(/serviceAccountName 'Bad_Name' is invalid: expected a DNS-1123 subdomain/);
      expect(
        () =>
          new ServiceAccountAccess(chart(), 'x', {
            namespace: 'a.b',
            permissions: [Permission.read('pods')],
          }),
      ).toThrow(/namespace 'a.b' is invalid: expected a DNS-1123 label/);
    });

    test('a missing namespace', () => {
      expect(
        () =>
          new ServiceAccountAccess(chart(null), 'x', { permissions: [Permission.read('pods')] }),
      ).toThrow(/namespace is required .*set props.namespace or the chart's namespace/);
    });

    test('duplicate service accounts in one namespace, across charts', () => {
      const app = testApp();
      const a = new Chart(app, 'a', { namespace: 'shop' });
      const b = new Chart(app, 'b', { namespace: 'shop' });
      new ServiceAccountAccess(a, 'deployer', { permissions: [Permission.read('pods')] });
      expect(
        () =>
          new ServiceAccountAccess(b, 'x', {
            serviceAccountName: 'deployer',
            permissions: [Permission.read('pods')],
          }),
      ).toThrow(
        /service account 'deployer' in namespace 'shop' is already declared by 'a\/deployer'/,
      );
      // Same name in another namespace is fine.
      new ServiceAccountAccess(b, 'y', {
        serviceAccountName: 'deployer',
        namespace: 'prod',
        permissions: [Permission.read('pods')],
      });
    });

    test('two service accounts whose cluster-wide objects would get the same name', () => {
      // GIVEN 'a-b'/'c' and 'a'/'b-c': both ClusterRoles would be 'a-b-c', and the one applied
      // last would replace the other's grant
      const app = testApp();
      const c = new Chart(app, 'c');
      const nodes = [Permission.read('nodes')];
      new ServiceAccountAccess(c, 'one', {
        namespace: 'a-b',
        serviceAccountName: 'c',
        clusterPermissions: nodes,
      });
      expect(
        () =>
          new ServiceAccountAccess(c, 'two', {
            namespace: 'a',
            serviceAccountName: 'b-c',
            clusterPermissions: [Permission.read('namespaces')],
          }),
      ).toThrow(
        /ClusterRole and ClusterRoleBinding 'a-b-c' .* of service account 'b-c' in namespace 'a' are already declared by 'c\/one'; give one of them another serviceAccountName/,
      );
      // Without cluster permissions there is no cluster-wide object, and no clash.
      new ServiceAccountAccess(c, 'three', {
        namespace: 'a',
        serviceAccountName: 'b-c',
        permissions: [Permission.read('pods')],
      });
      const clusterRoles = byKind(Testing.synth(c) as KubeObject[], 'ClusterRole');
      expect(clusterRoles.map((o) => o.metadata?.name)).toEqual(['a-b-c']);
    });

    test('two tokens stored in one Secret', () => {
      // GIVEN a token stored in the Secret 'shared' of namespace 'shop'
      const app = testApp();
      const c = new Chart(app, 'c', { namespace: 'shop' });
      const token = { duration: Duration.hours(1), store: TokenStore.secret('shared') };
      new ServiceAccountAccess(c, 'a', { permissions: [Permission.read('pods')], token });
      // WHEN another ServiceAccount stores its token there THEN it is refused, naming both
      expect(
        () => new ServiceAccountAccess(c, 'b', { permissions: [Permission.read('pods')], token }),
      ).toThrow(
        /token Secret 'shared' in namespace 'shop' is already declared by 'c\/a\/TokenSecret'; give each token a Secret of its own/,
      );
      // AND the same Secret name in another namespace is fine, with rotation too
      new ServiceAccountAccess(c, 'd', {
        namespace: 'prod',
        permissions: [Permission.read('pods')],
        token: { ...token, rotation: {} },
      });
      expect(
        byKind(Testing.synth(c) as KubeObject[], 'Secret').map((o) => o.metadata?.namespace),
      ).toEqual(['shop', 'prod']);
    });

    test('two tokens written to one kubeconfig file, across charts and spellings of the path', () => {
      // GIVEN a token stored in ci.kubeconfig (mint --from writes it under --out-dir)
      const app = testApp();
      const a = new Chart(app, 'a', { namespace: 'shop' });
      const b = new Chart(app, 'b', { namespace: 'prod' });
      const pods = [Permission.read('pods')];
      const token = (path: string) => ({
        duration: Duration.hours(1),
        store: TokenStore.kubeconfigFile(path),
      });
      new ServiceAccountAccess(a, 'one', { permissions: pods, token: token('ci.kubeconfig') });
      // WHEN another ServiceAccount of the app writes the same file, however its path is spelled
      // THEN it is refused, naming the first (the runtime would replace the first token)
      for (const [i, path] of [
        'ci.kubeconfig',
        './ci.kubeconfig',
        './/ci.kubeconfig',
        '.\\ci.kubeconfig',
      ].entries()) {
        expect(
          () =>
            new ServiceAccountAccess(b, `two-${i}`, {
              permissions: pods,
              token: token(path),
            }),
        ).toThrow(
          `token.store: kubeconfig file '${path}' is already declared by 'a/one', and a second token written there would replace the first; give each token a file of its own (TokenStore.kubeconfigFile(path))`,
        );
      }
      // AND another file, or one in a folder, is fine
      new ServiceAccountAccess(b, 'three', { permissions: pods, token: token('ci2.kubeconfig') });
      new ServiceAccountAccess(b, 'four', { permissions: pods, token: token('x/ci.kubeconfig') });
      // AND another app may use the same file
      const other = new Chart(testApp(), 'c', { namespace: 'shop' });
      new ServiceAccountAccess(other, 'one', { permissions: pods, token: token('ci.kubeconfig') });
    });

    test('two tokens written to stdout (the default store)', () => {
      // GIVEN one token to stdout, by default
      const app = testApp();
      const c = new Chart(app, 'c', { namespace: 'shop' });
      const pods = [Permission.read('pods')];
      new ServiceAccountAccess(c, 'one', {
        permissions: pods,
        token: { duration: Duration.hours(1) },
      });
      // WHEN a second token of the app goes to stdout, by default or explicitly THEN it is refused
      for (const store of [undefined, TokenStore.stdout()]) {
        expect(
          () =>
            new ServiceAccountAccess(c, `two-${store ? 'x' : 'd'}`, {
              permissions: pods,
              token: { duration: Duration.hours(1), store },
            }),
        ).toThrow(
          "token.store: stdout (the default) is already declared by 'c/one', and one run of access-tokens mint --from can write only one token to stdout; give this token another store",
        );
      }
      // AND a ServiceAccount without a token declares no store
      new ServiceAccountAccess(c, 'three', { permissions: pods });
    });

    test("token.rotation.schedule '@hourly', which the README allows, synthesizes its CronJob", () => {
      // GIVEN a 1-day token rotated hourly
      const c = chart();
      // WHEN
      const access = new ServiceAccountAccess(c, 'exporter', {
        permissions: [Permission.read('pods')],
        token: {
          duration: Duration.days(1),
          store: TokenStore.secret('exporter-token'),
          rotation: { schedule: '@hourly' },
        },
      });
      // THEN the CronJob runs on it
      expect(access.tokenRotation?.schedule.intervalSeconds).toBe(3600);
      const [cronJob] = byKind(Testing.synth(c) as KubeObject[], 'CronJob');
      expect((cronJob.spec as { schedule: string }).schedule).toBe('@hourly');
    });

    // What a kube-apiserver 1.20.2 answered for a ConfigMap with each label (kubectl apply
    // --dry-run=server): the server is the oracle.
    const long = (n: number, c = 'x') => c.repeat(n);
    const prefix253 = [long(63, 'a'), long(63, 'b'), long(63, 'c'), long(61, 'd')].join('.');
    test.each([
      [
        { team: 'platform engineering' },
        "labels['team'] is invalid: expected a string, empty or of at most 63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit, got \"platform engineering\"",
      ],
      [
        { 'bad key!': 'x' },
        "labels: key 'bad key!' is invalid: expected an optional prefix (a DNS-1123 subdomain) and '/', then a name of at most 63 characters",
      ],
      [{ team: long(64) }, `labels['team'] is invalid`],
      [{ [long(64)]: 'x' }, `labels: key '${long(64)}' is invalid`],
      [{ 'a/b/c': 'x' }, "labels: key 'a/b/c' is invalid"],
      [{ '/a': 'x' }, "labels: key '/a' is invalid"],
      [{ 'Ex.com/a': 'x' }, "labels: key 'Ex.com/a' is invalid"],
      [{ 'ex.com/': 'x' }, "labels: key 'ex.com/' is invalid"],
      [{ [`${prefix253}e/a`]: 'x' }, 'is invalid: expected an optional prefix'],
      [{ _a: 'x' }, "labels: key '_a' is invalid"],
      [{ team: '-a' }, "labels['team'] is invalid"],
      [
        { team: 7 },
        "labels['team'] is invalid: expected a string, empty or of at most 63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit, got 7",
      ],
      [['a', 'b'], 'labels must be an object of label keys to string values, got ["a","b"]'],
      ['team=x', 'labels must be an object of label keys to string values, got "team=x"'],
    ])('labels the API server refuses: %j', (labels, message) => {
      expect(
        () =>
          new ServiceAccountAccess(chart(), 'x', {
            permissions: [Permission.read('pods')],
            labels: labels as unknown as Record<string, string>,
          }),
      ).toThrow(message);
    });

    test('labels the API server accepts are kept as given', () => {
      const labels = {
        team: long(63),
        [long(63)]: 'x',
        'ex.com/A_b.c': 'x_Y.z',
        empty: '',
        version: '1.2',
        [`${prefix253}/a`]: 'x',
      };
      const c = chart();
      new ServiceAccountAccess(c, 'x', { permissions: [Permission.read('pods')], labels });
      for (const o of Testing.synth(c)) expect(o.metadata.labels).toEqual(labels);
    });

    test('wrong types from JavaScript are refused, naming the field', () => {
      const access = (props: object) => () =>
        new ServiceAccountAccess(chart(), 'x', props as never);
      const read = Permission.read('pods');
      expect(access({ permissions: ['pods'] })).toThrow(
        `permissions[0] must be one of Permissions (e.g. [Permission.read('pods')]), got "pods"`,
      );
      expect(access({ permissions: read })).toThrow(
        /^permissions must be a list of Permissions \(e\.g\. \[Permission\.read\('pods'\)\]\), got \{/,
      );
      expect(access({ clusterPermissions: [Permission.read('nodes'), 'nodes'] })).toThrow(
        'clusterPermissions[1] must be one of Permissions',
      );
      const token = {
        duration: Duration.hours(1),
        store: TokenStore.secret('x-token'),
        rotation: {},
      };
      expect(access({ permissions: [read], token: { ...token, mintOnDeploy: 'false' } })).toThrow(
        'token.mintOnDeploy must be true or false, got "false"',
      );
      expect(access({ permissions: [read], token: { ...token, rotation: { image: 5 } } })).toThrow(
        'image must be a string',
      );
      const valid = new ServiceAccountAccess(chart(), 'y', { permissions: [read] });
      expect(() => valid.allow('pods' as never)).toThrow(
        'allow() permissions[0] must be one of Permissions',
      );
    });

    test("a name that is one of Kubernetes' own: 'cluster' + 'admin', a kube-system Role", () => {
      // GIVEN namespace 'cluster' and service account 'admin': '<namespace>-<name>' is
      // 'cluster-admin', whose ClusterRoleBinding binds system:masters
      expect(
        () =>
          new ServiceAccountAccess(chart(), 'x', {
            namespace: 'cluster',
            serviceAccountName: 'admin',
            clusterPermissions: [Permission.read('nodes')],
          }),
      ).toThrow(
        /would be named 'cluster-admin' .*, the name of Kubernetes' built-in ClusterRole: applying them would replace it; give the service account another serviceAccountName/,
      );
      // The same names with namespaced grants only make no cluster-wide object, and pass.
      const c = chart();
      new ServiceAccountAccess(c, 'y', {
        namespace: 'cluster',
        serviceAccountName: 'admin',
        permissions: [Permission.read('pods')],
      });
      expect(byKind(Testing.synth(c) as KubeObject[], 'ClusterRole')).toEqual([]);
      // AND the Role and RoleBinding, named as the service account, are checked the same way
      const reader = 'extension-apiserver-authentication-reader';
      expect(
        () =>
          new ServiceAccountAccess(chart(), 'z', {
            namespace: 'kube-system',
            serviceAccountName: reader,
            permissions: [Permission.read('pods')],
          }),
      ).toThrow(
        `the Role and RoleBinding of service account '${reader}' in namespace 'kube-system' would have its name, the name of Kubernetes' built-in Role there`,
      );
      new ServiceAccountAccess(chart(), 'z', {
        namespace: 'shop',
        serviceAccountName: reader,
        permissions: [Permission.read('pods')],
      });
    });

    test('a cluster-wide name longer than a Kubernetes name may be', () => {
      // GIVEN a namespace of 63 and a name of 200 characters, each valid: '<namespace>-<name>'
      // has 264, over the 253 of a DNS-1123 subdomain, which the API server would refuse
      const namespace = 'n'.repeat(63);
      const serviceAccountName = 'x'.repeat(200);
      expect(
        () =>
          new ServiceAccountAccess(chart(), 'x', {
            namespace,
            serviceAccountName,
            clusterPermissions: [Permission.read('nodes')],
          }),
      ).toThrow(
        /clusterPermissions: the name of the ClusterRole of service account 'x{200}' in namespace 'n{63}' \('<namespace>-<serviceAccountName>'\) 'n{63}-x{200}' is invalid: expected a DNS-1123 subdomain \(at most 253 characters/,
      );
      // The same two names are fine for namespaced grants alone.
      new ServiceAccountAccess(chart(), 'y', {
        namespace,
        serviceAccountName,
        permissions: [Permission.read('pods')],
      });
    });

    test('cluster-scoped resources and non-resource URLs in namespaced permissions', () => {
      expect(
        () => new ServiceAccountAccess(chart(), 'x', { permissions: [Permission.read('nodes')] }),
      ).toThrow(
        /permissions: 'nodes' is cluster-scoped, so a namespaced Role cannot grant it; put it in clusterPermissions/,
      );
      const access = new ServiceAccountAccess(chart(), 'y');
      expect(() => access.allow(Permission.nonResourceUrls(['get'], '/healthz'))).toThrow(
        /non-resource URLs \(\/healthz\) can only be granted cluster-wide/,
      );
    });

    test('empty permission lists', () => {
      expect(() => new ServiceAccountAccess(chart(), 'x', { permissions: [] })).toThrow(
        /permissions must not be an empty list/,
      );
      expect(() => new ServiceAccountAccess(chart(), 'x', { clusterPermissions: [] })).toThrow(
        /clusterPermissions must not be an empty list/,
      );
      const access = new ServiceAccountAccess(chart(), 'x');
      expect(() => access.allow()).toThrow(/allow\(\) needs at least one Permission/);
    });

    test('acknowledgements without a real reason or of unknown risks', () => {
      expect(
        () =>
          new ServiceAccountAccess(chart(), 'x', {
            acknowledge: [{ risk: Risk.SECRETS_READ, reason: 'because' }],
          }),
      ).toThrow(/secrets-read.*at least 10 characters.*'because'/);
      expect(
        () =>
          new ServiceAccountAccess(chart(), 'x', {
            acknowledge: [{ risk: 'no-such-risk', reason: 'a long enough reason' }],
          }),
      ).toThrow(/no-such-risk/);
    });

    test('attaching a workload that already runs as another account', () => {
      const c = chart();
      const access = new ServiceAccountAccess(c, 'x', { permissions: [Permission.read('pods')] });
      const other = new kplus.ServiceAccount(c, 'other', { metadata: { name: 'other' } });
      const pod = new kplus.Pod(c, 'p', {
        serviceAccount: other,
        containers: [{ image: 'busybox' }],
      });
      expect(() => access.attachTo(pod)).toThrow(
        /already runs as service account 'other'; cannot attach 'x'/,
      );
    });
  });
});
