/**
 * attachTo and mountToken on workloads of every cdk8s-plus major (27 and the newest, 34): the
 * types accept them, the synthesized pod specs run as the ServiceAccount with a projected token
 * and validate against the Kubernetes schema, and each rejected input says why.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Cron, Duration, Testing } from 'cdk8s';
import * as kplus27 from 'cdk8s-plus-27';
import * as kplus34 from 'cdk8s-plus-34';
import { Permission, ServiceAccountAccess, TokenAudience } from '../src/index.js';
import type { KubeObject } from '../src/rbac/kube-object.js';
import { lintManifests } from '../src/rbac/lint.js';
import { validateAgainstSchema } from './schema.js';
import { tempDir } from './temp-dir.js';
import { strictProgram } from './ts-program.js';

const root = new URL('..', import.meta.url).pathname;

function chart(namespace = 'shop'): Chart {
  return new Chart(Testing.app({ outdir: tempDir('cdk8s.outdir.') }), 'test', { namespace });
}

function access(c: Chart, id = 'worker'): ServiceAccountAccess {
  return new ServiceAccountAccess(c, id, { permissions: [Permission.read('configmaps')] });
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const at = (o: unknown, ...path: string[]): any => path.reduce((v: any, k) => v?.[k], o);

const POD_SPEC: Record<string, string[]> = {
  Pod: ['spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};
function podSpec(o: KubeObject): any {
  return at(o, ...(POD_SPEC[o.kind ?? ''] ?? ['spec', 'template', 'spec']));
}

const VERSIONS = [
  ['cdk8s-plus-27', kplus27],
  ['cdk8s-plus-34', kplus34],
] as const;

describe('attachTo and mountToken accept workloads of every cdk8s-plus major', () => {
  test('attachTo and mountToken type-check with cdk8s-plus-27 and cdk8s-plus-34 workloads', async () => {
    // GIVEN a user's file that passes both majors' workloads, and one that passes a ConfigMap
    const ts = (await import('typescript')).default;
    const dir = tempDir('workload-types-', join(root, 'lib'));
    const good = join(dir, 'good.ts');
    const bad = join(dir, 'bad.ts');
    const prelude = [
      "import { App, Chart, Cron, Duration } from 'cdk8s';",
      "import * as k27 from 'cdk8s-plus-27';",
      "import * as k34 from 'cdk8s-plus-34';",
      "import { ServiceAccountAccess, TokenAudience } from 'cdk8s-access-tokens';",
      "const chart = new Chart(new App(), 'c', { namespace: 'shop' });",
      "const sa = new ServiceAccountAccess(chart, 'sa');",
      "const containers = [{ image: 'busybox' }];",
      'void [k27, k34, Cron, Duration, TokenAudience];',
    ].join('\n');
    writeFileSync(
      good,
      [
        prelude,
        "sa.attachTo(new k34.Deployment(chart, 'd34', { containers }));",
        "sa.attachTo(new k34.CronJob(chart, 'c34', { containers, schedule: Cron.hourly() }));",
        "sa.attachTo(new k34.StatefulSet(chart, 's34', { containers, service: new k34.Service(chart, 'svc') }));",
        "sa.mountToken(new k34.Pod(chart, 'p34', { containers }), { audience: TokenAudience.of('vault'), expiration: Duration.minutes(20), path: '/vault' });",
        "sa.attachTo(new k27.Deployment(chart, 'd27', { containers }));",
        "sa.attachTo(new k27.Job(chart, 'j27', { containers }));",
        "sa.mountToken(new k27.Pod(chart, 'p27', { containers }), { audience: TokenAudience.API_SERVER });",
      ].join('\n'),
    );
    writeFileSync(bad, [prelude, "sa.attachTo(new k34.ConfigMap(chart, 'cm'));"].join('\n'));
    // WHEN
    const problems = (file: string) =>
      ts
        .getPreEmitDiagnostics(strictProgram([file]))
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    // THEN the workloads of both majors are accepted; a ConfigMap is not a workload
    expect(problems(good)).toEqual([]);
    expect(problems(bad).join('\n')).toMatch(
      /ConfigMap.*not assignable to parameter of type 'IWorkload'/s,
    );
  });

  for (const [version, kplus] of VERSIONS) {
    test(`${version}: attachTo's default is a projected API-server token, read-only, automount off`, async () => {
      // GIVEN a Deployment with a container and an init container, and a CronJob
      const c = chart();
      const sa = access(c);
      const deployment = new kplus.Deployment(c, 'web', {
        containers: [{ image: 'nginx', name: 'web' }],
        initContainers: [{ image: 'busybox', name: 'init' }],
      });
      deployment.addContainer({ image: 'envoy', name: 'proxy' });
      const cron = new kplus.CronJob(c, 'nightly', {
        containers: [{ image: 'busybox', name: 'job' }],
        schedule: Cron.daily(),
      });
      // WHEN
      sa.attachTo(deployment);
      sa.attachTo(cron);
      const objects = Testing.synth(c) as KubeObject[];
      // THEN both run as the ServiceAccount with a projected token and no automount
      for (const kind of ['Deployment', 'CronJob']) {
        const workload = objects.find((o) => o.kind === kind)!;
        const spec = podSpec(workload);
        expect(spec.serviceAccountName).toBe('worker');
        expect(spec.automountServiceAccountToken).toBe(false);
        const volumes = spec.volumes.filter((v: any) => v.projected);
        expect(volumes).toHaveLength(1);
        const [{ name, projected }] = volumes;
        expect(projected.sources).toEqual([
          { serviceAccountToken: { expirationSeconds: 3600, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          {
            downwardAPI: {
              items: [
                {
                  path: 'namespace',
                  fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' },
                },
              ],
            },
          },
        ]);
        const containers = [...(spec.initContainers ?? []), ...spec.containers];
        for (const container of containers) {
          expect(container.volumeMounts).toContainEqual({
            name,
            mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
            readOnly: true,
          });
        }
        await validateAgainstSchema(workload);
      }
      expect(podSpec(objects.find((o) => o.kind === 'Deployment')!).containers).toHaveLength(2);
      // AND the lint no longer reports an automounted token
      expect(lintManifests(objects).findings.filter((f) => f.id === 'automounted-token')).toEqual(
        [],
      );
    });

    test(`${version}: mountToken for another audience, beside the API server's token`, async () => {
      // GIVEN
      const c = chart();
      const sa = access(c);
      const pod = new kplus.Pod(c, 'p', { containers: [{ image: 'app', name: 'app' }] });
      // WHEN a Vault token with a 20-minute lifetime, after the default attachment
      sa.attachTo(pod);
      sa.mountToken(pod, { audience: TokenAudience.of('vault'), expiration: Duration.minutes(20) });
      const [obj] = (Testing.synth(c) as KubeObject[]).filter((o) => o.kind === 'Pod');
      // THEN the Vault token has its audience and lifetime, at its own path
      const spec = podSpec(obj);
      const vault = spec.volumes.find(
        (v: any) => v.projected?.sources[0].serviceAccountToken.audience === 'vault',
      );
      expect(vault.projected.sources).toEqual([
        { serviceAccountToken: { audience: 'vault', expirationSeconds: 1200, path: 'token' } },
      ]);
      expect(spec.containers[0].volumeMounts).toContainEqual({
        name: vault.name,
        mountPath: '/var/run/secrets/tokens',
        readOnly: true,
      });
      expect(new Set(spec.volumes.map((v: any) => v.name)).size).toBe(spec.volumes.length);
      expect(spec.automountServiceAccountToken).toBe(false);
      await validateAgainstSchema(obj);
    });

    test(`${version}: a second attachTo on the same workload is refused, naming both`, () => {
      // GIVEN a workload attached to one account
      const c = chart();
      const first = access(c, 'first');
      const second = access(c, 'second');
      const d = new kplus.Deployment(c, 'd', { containers: [{ image: 'x' }] });
      first.attachTo(d);
      // WHEN / THEN another account, or the same one again, is refused
      expect(() => second.attachTo(d)).toThrow(
        /workload 'test\/d' is already attached to service account 'shop\/first' by 'test\/first'; cannot attach it again to 'shop\/second' by 'test\/second'/,
      );
      expect(() => first.attachTo(d)).toThrow(/already attached to service account 'shop\/first'/);
      expect(() =>
        second.mountToken(d, { audience: TokenAudience.API_SERVER, path: '/t' }),
      ).toThrow(
        /workload 'test\/d' runs as service account 'shop\/first'; cannot mount a token of 'shop\/second'/,
      );
      // AND the first attachment is what is synthesized
      const spec = podSpec(
        (Testing.synth(c) as KubeObject[]).find((o) => o.kind === 'Deployment')!,
      );
      expect(spec.serviceAccountName).toBe('first');
      expect(spec.volumes.filter((v: any) => v.projected)).toHaveLength(1);
    });
  }
});

describe('attachTo options', () => {
  test('automountToken: true is the kubelet automount (explicit), with no projected volume', () => {
    const c = chart();
    const d = new kplus34.Deployment(c, 'd', { containers: [{ image: 'x' }] });
    access(c).attachTo(d, { automountToken: true });
    const spec = podSpec((Testing.synth(c) as KubeObject[]).find((o) => o.kind === 'Deployment')!);
    expect(spec.automountServiceAccountToken).toBe(true);
    expect(spec.volumes).toBeUndefined();
  });

  test('automountToken: false mounts no token at all', () => {
    const c = chart();
    const d = new kplus27.Deployment(c, 'd', { containers: [{ image: 'x' }] });
    access(c).attachTo(d, { automountToken: false });
    const spec = podSpec((Testing.synth(c) as KubeObject[]).find((o) => o.kind === 'Deployment')!);
    expect(spec.serviceAccountName).toBe('worker');
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.volumes).toBeUndefined();
  });

  test('token sets the default projected token', () => {
    const c = chart();
    const d = new kplus27.Deployment(c, 'd', { containers: [{ image: 'x' }] });
    access(c).attachTo(d, {
      token: { audience: TokenAudience.API_SERVER, expiration: Duration.hours(2), path: '/api' },
    });
    const spec = podSpec((Testing.synth(c) as KubeObject[]).find((o) => o.kind === 'Deployment')!);
    expect(spec.volumes[0].projected.sources[0]).toEqual({
      serviceAccountToken: { expirationSeconds: 7200, path: 'token' },
    });
    expect(spec.containers[0].volumeMounts[0].mountPath).toBe('/api');
  });

  test('automountToken and token together are refused, and nothing is attached', () => {
    const c = chart();
    const sa = access(c);
    const d = new kplus27.Deployment(c, 'd', { containers: [{ image: 'x' }] });
    expect(() =>
      sa.attachTo(d, { automountToken: true, token: { audience: TokenAudience.API_SERVER } }),
    ).toThrow(/attachTo options: give either automountToken \(true\) or token, not both/);
    expect(() => sa.attachTo(d)).not.toThrow();
  });

  test('a workload whose serviceAccount prop names another account is refused', () => {
    const c = chart();
    const other = new kplus27.ServiceAccount(c, 'other', { metadata: { name: 'other' } });
    const d = new kplus27.Deployment(c, 'd', {
      containers: [{ image: 'x' }],
      serviceAccount: other,
    });
    expect(() => access(c).attachTo(d)).toThrow(
      /workload 'test\/d' already runs as service account 'other'; cannot attach 'worker'/,
    );
  });

  test('a workload in another namespace is refused', () => {
    const c = chart();
    const d = new kplus27.Deployment(c, 'd', {
      containers: [{ image: 'x' }],
      metadata: { namespace: 'web' },
    });
    expect(() => access(c).attachTo(d)).toThrow(
      /workload 'test\/d' is in namespace 'web'; service account 'shop\/worker' can only run pods in namespace 'shop'/,
    );
  });
});

describe('mountToken validation', () => {
  function setup() {
    const c = chart();
    const sa = access(c);
    const d = new kplus34.Deployment(c, 'd', { containers: [{ image: 'x', name: 'app' }] });
    return { c, sa, d };
  }

  test('an expiration under 10 minutes is refused', () => {
    const { sa, d } = setup();
    expect(() =>
      sa.mountToken(d, { audience: TokenAudience.API_SERVER, expiration: Duration.minutes(5) }),
    ).toThrow(
      /mountToken expiration must be whole seconds from 10 minutes \(600 s\) to 2\^32 s, got 300 s/,
    );
    expect(() =>
      sa.mountToken(d, { audience: TokenAudience.API_SERVER, expiration: Duration.minutes(10) }),
    ).not.toThrow();
  });

  test('an expiration that is not a Duration (from JavaScript) is refused, naming it', () => {
    const { sa, d } = setup();
    expect(() =>
      sa.mountToken(d, { audience: TokenAudience.API_SERVER, expiration: '1h' as never }),
    ).toThrow('mountToken expiration must be a cdk8s Duration (e.g. Duration.hours(1)), got "1h"');
    // A fractional Duration is refused by the seconds check, not by cdk8s's own error
    expect(() =>
      sa.mountToken(d, {
        audience: TokenAudience.API_SERVER,
        expiration: Duration.millis(600_500),
      }),
    ).toThrow(/mountToken expiration must be whole seconds .*, got 600.5 s/);
  });

  test('an audience is required, and TokenAudience.of needs a name', () => {
    const { sa, d } = setup();
    expect(() => sa.mountToken(d, {} as never)).toThrow(
      /mountToken audience is required: TokenAudience.API_SERVER, or TokenAudience.of\(name\)/,
    );
    expect(() => sa.mountToken(d, { audience: 'vault' as never })).toThrow(/audience is required/);
    expect(() => TokenAudience.of('')).toThrow(
      /mountToken audience must be a non-empty name without surrounding spaces, got ''; for the API server use TokenAudience.API_SERVER/,
    );
    expect(() => TokenAudience.of(' vault')).toThrow(/got ' vault'/);
  });

  test('a second mount at the same path is refused, in any container', () => {
    const { sa, d } = setup();
    sa.mountToken(d, { audience: TokenAudience.of('vault'), path: '/tokens' });
    expect(() => sa.mountToken(d, { audience: TokenAudience.of('sts'), path: '/tokens' })).toThrow(
      /mountToken path '\/tokens' is already mounted in container 'app' of workload 'test\/d'; give another path/,
    );
  });

  test('a path that is not an absolute folder is refused', () => {
    const { sa, d } = setup();
    for (const path of ['tokens', '/', '/a/../b', 'C:/x']) {
      expect(() => sa.mountToken(d, { audience: TokenAudience.of('vault'), path })).toThrow(
        new RegExp(
          `mountToken path must be an absolute folder other than '/', without '..' or ':', got '${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}'`,
        ),
      );
    }
  });

  test('a container added after mountToken fails the synth, naming it', () => {
    const { c, sa, d } = setup();
    sa.mountToken(d, { audience: TokenAudience.of('vault') });
    d.addContainer({ image: 'late', name: 'late' });
    expect(() => Testing.synth(c)).toThrow(
      /container 'late' of workload 'test\/d' was added after mountToken and has no token at '\/var\/run\/secrets\/tokens'/,
    );
  });

  test("volume names do not clash with the workload's own volumes", () => {
    const c = chart();
    const sa = access(c);
    const taken = kplus27.Volume.fromEmptyDir(c, 'v', 'access-token-1');
    const d = new kplus27.Deployment(c, 'd', { containers: [{ image: 'x' }], volumes: [taken] });
    sa.mountToken(d, { audience: TokenAudience.API_SERVER });
    const spec = podSpec((Testing.synth(c) as KubeObject[]).find((o) => o.kind === 'Deployment')!);
    expect(spec.volumes.map((v: any) => v.name).sort()).toEqual([
      'access-token-1',
      'access-token-2',
    ]);
  });

  test('mountToken attaches a workload that was not attached, without automount', () => {
    const { c, sa, d } = setup();
    sa.mountToken(d, { audience: TokenAudience.of('vault') });
    const spec = podSpec((Testing.synth(c) as KubeObject[]).find((o) => o.kind === 'Deployment')!);
    expect(spec.serviceAccountName).toBe('worker');
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(() => sa.attachTo(d)).toThrow(/already attached/);
  });
});
