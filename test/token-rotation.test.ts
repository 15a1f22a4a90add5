import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANAGED_SECRET_TYPE } from '../src/contract/token-declaration.js';
import { App, Chart, Duration, Testing } from 'cdk8s';
import {
  DEFAULT_ROTATOR_IMAGE,
  Permission,
  ServiceAccountAccess,
  TokenRotation,
  TokenStore,
} from '../src/index.js';
import {
  PACKAGE_VERSION,
  ROTATOR_CODE_KEY,
  ROTATOR_CODE_PATH,
  ROTATOR_CODE_SHA256_ANNOTATION,
  ROTATOR_CREDENTIALS_PATH,
} from '../src/constructs/token-rotation.js';
import {
  RbacAuthorizer,
  serviceAccountGroups,
  serviceAccountUser,
} from '../src/rbac/authorizer.js';
import {
  ACKNOWLEDGED_RISKS_ANNOTATION,
  rbacPolicyFrom,
  type KubeObject,
} from '../src/rbac/kube-object.js';
import { lintManifests } from '../src/rbac/lint.js';
import { validateAgainstSchema } from './schema.js';
import { tempDir } from './temp-dir.js';

function testApp(): App {
  return Testing.app({ outdir: tempDir('cdk8s.outdir.') });
}

function chart(namespace = 'shop'): Chart {
  return new Chart(testApp(), 'test', { namespace });
}

/** The issue's example: a 1-hour token in a Secret, rotated, minted on deploy. */
function exporter(c: Chart, token: Record<string, unknown> = {}): ServiceAccountAccess {
  return new ServiceAccountAccess(c, 'exporter', {
    permissions: [Permission.read('pods.metrics.k8s.io')],
    token: {
      duration: Duration.hours(1),
      store: TokenStore.secret('exporter-token'),
      rotation: {},
      mintOnDeploy: true,
      ...token,
    },
  });
}

const byKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);
type Untyped = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function podSpecs(objects: KubeObject[]): [string, Untyped][] {
  return objects.flatMap((o): [string, Untyped][] => {
    const u = o as Untyped;
    if (o.kind === 'CronJob') return [['CronJob', u.spec.jobTemplate.spec.template.spec]];
    if (o.kind === 'Job') return [['Job', u.spec.template.spec]];
    return [];
  });
}

describe('TokenRotation through ServiceAccountAccess', () => {
  test('the issue example synthesizes a CronJob, a deploy-time Job and the rotator RBAC in the namespace', () => {
    // GIVEN
    const c = chart();
    const access = exporter(c);
    // WHEN
    const objects = Testing.synth(c) as KubeObject[];
    // THEN
    expect(access.tokenRotation).toBeInstanceOf(TokenRotation);
    const names = (kind: string) =>
      byKind(objects, kind)
        .map((o) => o.metadata?.name)
        .sort();
    expect(names('ServiceAccount')).toEqual(['exporter', 'exporter-token-rotator']);
    expect(names('Role')).toEqual(['exporter', 'exporter-token-rotator']);
    expect(names('RoleBinding')).toEqual(['exporter', 'exporter-token-rotator']);
    expect(names('CronJob')).toEqual(['exporter-token-rotation']);
    expect(names('Job')).toEqual(['exporter-token-mint']);
    expect(objects.every((o) => o.metadata?.namespace === 'shop')).toBe(true);
    const [cron] = byKind(objects, 'CronJob') as Untyped[];
    expect(cron.apiVersion).toBe('batch/v1');
    expect(cron.spec).toMatchObject({
      schedule: '*/6 * * * *',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 360,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: { spec: { backoffLimit: 2, activeDeadlineSeconds: 360 } },
    });
    const [job] = byKind(objects, 'Job') as Untyped[];
    expect(job.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'PostSync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      'helm.sh/hook': 'post-install,post-upgrade',
      'helm.sh/hook-delete-policy': 'before-hook-creation',
    });
    expect(job.spec).toMatchObject({ backoffLimit: 4, ttlSecondsAfterFinished: 3600 });
    // the declaration still says it, for rotate --from
    const [sa] = byKind(objects, 'ServiceAccount').filter((o) => o.metadata?.name === 'exporter');
    expect(
      JSON.parse(sa.metadata?.annotations?.['access-tokens.cdk8s.io/token'] ?? ''),
    ).toMatchObject({ rotation: {}, mintOnDeploy: true });
  });

  test('the pods run exactly `node <the ConfigMap program> rotate` for the target, with the pinned default image', () => {
    const c = chart();
    const access = exporter(c, { audiences: ['https://vault.example'] });
    const objects = Testing.synth(c) as KubeObject[];
    const name = access.tokenRotation!.rotatorName;
    for (const [kind, spec] of podSpecs(objects)) {
      expect({
        kind,
        command: spec.containers[0].command,
        image: spec.containers[0].image,
      }).toEqual({
        kind,
        command: [
          'node',
          `${ROTATOR_CODE_PATH}/${ROTATOR_CODE_KEY}`,
          'rotate',
          'exporter',
          '--namespace',
          'shop',
          '--secret',
          'exporter-token',
          '--duration',
          '3600s',
          '--audience',
          'https://vault.example',
        ],
        image: DEFAULT_ROTATOR_IMAGE,
      });
      expect(spec.containers[0].args).toBeUndefined();
      // the program: the ConfigMap, read-only, at the path the command names
      expect(spec.containers[0].volumeMounts).toContainEqual({
        name: 'rotator',
        mountPath: ROTATOR_CODE_PATH,
        readOnly: true,
      });
      expect(spec.volumes).toContainEqual({
        name: 'rotator',
        configMap: { name, defaultMode: 0o444 },
      });
    }
  });

  test("the rotator's ConfigMap holds the program built from src/rotator/main.ts, with its hash on the pod templates", () => {
    const c = chart();
    exporter(c);
    const objects = Testing.synth(c) as KubeObject[];
    const [configMap] = byKind(objects, 'ConfigMap') as (KubeObject & {
      data: Record<string, string>;
    })[];
    const code = configMap.data[ROTATOR_CODE_KEY]!;
    expect(Object.keys(configMap.data)).toEqual([ROTATOR_CODE_KEY]);
    const sha256 = createHash('sha256').update(code).digest('hex');
    expect(configMap.metadata?.annotations?.[ROTATOR_CODE_SHA256_ANNOTATION]).toBe(sha256);
    const templates = objects.flatMap((o) => {
      const u = o as Untyped;
      if (o.kind === 'CronJob') return [u.spec.jobTemplate.spec.template];
      return o.kind === 'Job' ? [u.spec.template] : [];
    });
    expect(templates).toHaveLength(2);
    for (const template of templates)
      expect(template.metadata.annotations[ROTATOR_CODE_SHA256_ANNOTATION]).toBe(sha256);
    // a ConfigMap holds at most 1 MiB; this one is readable code, not minified
    expect(Buffer.byteLength(code)).toBeLessThan(512 * 1024);
    expect(code.split('\n').length).toBeGreaterThan(2000);
    // what it carries: the rotate command and the runtime's node:https path, not client-node
    expect(code).toContain('// src/cli/commands/rotate.ts');
    expect(code).toContain('// src/runtime/json-request.ts');
    expect(code).not.toMatch(/node_modules\/@kubernetes\/client-node/);
    expect(code).not.toMatch(/node_modules\/js-yaml/);
  });

  test('the ConfigMap program runs with Node alone (no node_modules): --help lists rotate, --version is the package version', () => {
    const c = chart();
    exporter(c);
    const [configMap] = byKind(Testing.synth(c) as KubeObject[], 'ConfigMap') as (KubeObject & {
      data: Record<string, string>;
    })[];
    const dir = tempDir('rotator-code-');
    const file = join(dir, ROTATOR_CODE_KEY);
    writeFileSync(file, configMap.data[ROTATOR_CODE_KEY]!);
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [file, ...args], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: '/usr/bin:/bin', HOME: dir },
      });
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^ {2}rotate \[options\] \[serviceAccount\]/m);
    expect(help.stdout).not.toMatch(/^ {2}(mint|lint|can-i)\b/m);
    expect(run('--version').stdout).toBe(`${PACKAGE_VERSION}\n`);
    // no configuration at all: the same usage error as the CLI's, not a missing module
    const none = run('rotate', 'exporter', '--namespace', 'shop', '--secret', 'exporter-token');
    expect({ status: none.status, stderr: none.stderr }).toEqual({
      status: 2,
      stderr: expect.stringMatching(/^error: no cluster configured/),
    });
    // what the pod leaves out says so when reached
    writeFileSync(join(dir, 'manifests.yaml'), 'kind: ConfigMap\n');
    const yaml = run('rotate', '--from', dir);
    expect(yaml.stderr).toMatch(/the rotation pod reads and writes no YAML/);
  });

  test('the default image is the official Node image of the Node version .ci/run tests on', () => {
    const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');
    const version = /^node24_version=(\S+)$/m.exec(ci)?.[1];
    expect(version).toMatch(/^24\.\d+\.\d+$/);
    expect(DEFAULT_ROTATOR_IMAGE).toBe(`node:${version}-slim`);
  });

  test('PACKAGE_VERSION is package.json version (the rotator program says it)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(PACKAGE_VERSION).toBe(pkg.version);
  });

  test('the CronJob, Job, Role and every object validate against the Kubernetes schema', async () => {
    const c = chart();
    exporter(c);
    const objects = Testing.synth(c) as KubeObject[];
    for (const o of objects) await validateAgainstSchema(o);
    // and the schema check itself rejects a broken CronJob (it can fail)
    const broken = { ...(byKind(objects, 'CronJob')[0] as Untyped) };
    broken.spec = { ...broken.spec, concurrencyPolicy: 42 };
    await expect(validateAgainstSchema(broken as KubeObject)).rejects.toThrow(/CronJob/);
  });

  test('the pods meet the Pod Security "restricted" profile, field by field', () => {
    const c = chart();
    exporter(c);
    const specs = podSpecs(Testing.synth(c) as KubeObject[]);
    expect(specs.map(([k]) => k).sort()).toEqual(['CronJob', 'Job']);
    for (const [kind, spec] of specs) {
      const where = { kind };
      const pod = spec.securityContext;
      expect({ ...where, runAsNonRoot: pod.runAsNonRoot }).toEqual({
        ...where,
        runAsNonRoot: true,
      });
      expect(pod.runAsUser).toBeGreaterThan(0);
      expect(pod.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(spec.hostNetwork ?? false).toBe(false);
      expect(spec.hostPID ?? false).toBe(false);
      expect(spec.hostIPC ?? false).toBe(false);
      // restricted allows only these volume types (and no hostPath): the program's ConfigMap
      // and the projected credentials
      const allowed = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral'];
      allowed.push('persistentVolumeClaim', 'projected', 'secret');
      for (const volume of spec.volumes) {
        const type = Object.keys(volume).filter((k) => k !== 'name');
        expect(type).toHaveLength(1);
        expect(allowed).toContain(type[0]);
      }
      expect(spec.volumes.map((v: Untyped) => Object.keys(v).find((k) => k !== 'name'))).toEqual([
        'configMap',
        'projected',
      ]);
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.serviceAccountName).toBe('exporter-token-rotator');
      for (const container of spec.containers) {
        const sc = container.securityContext;
        expect(sc.allowPrivilegeEscalation).toBe(false);
        expect(sc.capabilities).toEqual({ drop: ['ALL'] });
        expect(sc.privileged).toBe(false);
        expect(sc.readOnlyRootFilesystem).toBe(true);
        expect(sc.runAsNonRoot).toBe(true);
        expect(sc.runAsUser).toBeGreaterThan(0);
        expect(container.ports).toBeUndefined();
        expect(container.resources.requests).toEqual({ cpu: '50m', memory: '96Mi' });
        expect(container.resources.limits).toEqual({ cpu: '500m', memory: '256Mi' });
        expect(container.volumeMounts).toEqual([
          { name: 'kube-api-access', mountPath: ROTATOR_CREDENTIALS_PATH, readOnly: true },
          { name: 'rotator', mountPath: ROTATOR_CODE_PATH, readOnly: true },
        ]);
      }
      // the rotator's own token: projected, 10 minutes, with the CA and the namespace
      expect(spec.volumes[1].projected.sources).toEqual([
        { serviceAccountToken: { path: 'token', expirationSeconds: 600 } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }],
          },
        },
      ]);
    }
  });

  test('the rotator may create exactly the target token and get/update exactly the store, nothing else', () => {
    // GIVEN the synthesized RBAC of the whole chart (the app's own account included)
    const c = chart();
    exporter(c);
    const objects = Testing.synth(c) as KubeObject[];
    const authorizer = new RbacAuthorizer(rbacPolicyFrom(objects));
    const who = {
      user: serviceAccountUser('shop', 'exporter-token-rotator'),
      groups: serviceAccountGroups('shop'),
    };
    // WHEN every request of a finite universe is asked
    const verbs = [
      'get',
      'list',
      'watch',
      'create',
      'update',
      'patch',
      'delete',
      'deletecollection',
      'impersonate',
      'bind',
      'escalate',
    ];
    const resources: [string, string, string | undefined][] = [
      ['', 'secrets', undefined],
      ['', 'serviceaccounts', undefined],
      ['', 'serviceaccounts', 'token'],
      ['', 'configmaps', undefined],
      ['', 'pods', undefined],
      ['', 'pods', 'exec'],
      ['batch', 'cronjobs', undefined],
      ['rbac.authorization.k8s.io', 'roles', undefined],
    ];
    const names = ['', 'exporter', 'exporter-token', 'exporter-token-rotator', 'other'];
    const allowed: string[] = [];
    for (const namespace of ['shop', 'other', ''])
      for (const verb of verbs)
        for (const [apiGroup, resource, subresource] of resources)
          for (const name of names) {
            const request = { verb, apiGroup, resource, subresource, name, namespace };
            if (authorizer.authorize(who, request).allowed)
              allowed.push(
                `${verb} ${resource}${subresource ? `/${subresource}` : ''} ${namespace}/${name}`,
              );
          }
    // THEN exactly the three grants, by name (a hand-made expectation)
    expect(allowed.sort()).toEqual([
      'create serviceaccounts/token shop/exporter',
      'get secrets shop/exporter-token',
      'update secrets shop/exporter-token',
    ]);
  });

  test('the synthesized objects lint clean; the acknowledgements are on the Role with reasons', () => {
    const c = chart();
    exporter(c);
    const objects = Testing.synth(c) as KubeObject[];
    const report = lintManifests(objects);
    expect(report.errors).toEqual([]);
    expect(report.findings.filter((f) => !f.acknowledgedReason)).toEqual([]);
    const role = byKind(objects, 'Role').find((o) => o.metadata?.name === 'exporter-token-rotator');
    const acks = JSON.parse(role?.metadata?.annotations?.[ACKNOWLEDGED_RISKS_ANNOTATION] ?? '[]');
    expect(acks.map((a: { risk: string }) => a.risk)).toEqual(['secrets-read', 'token-create']);
    for (const a of acks) expect(a.reason).toMatch(/resourceNames/);
    // without them the lint would fail: they are needed, not decoration
    const bare = objects.map((o) =>
      o === role ? { ...o, metadata: { ...o.metadata, annotations: {} } } : o,
    );
    expect(
      lintManifests(bare)
        .errors.map((f) => f.id)
        .sort(),
    ).toEqual(['secrets-read', 'token-create']);
  });

  test('is byte-identical on every synth', () => {
    const synth = () => {
      const c = chart();
      exporter(c);
      return JSON.stringify(Testing.synth(c));
    };
    expect(synth()).toBe(synth());
  });

  test('rotation alone: a CronJob and no Job; mintOnDeploy alone: a Job and no CronJob', () => {
    const a = chart();
    exporter(a, { mintOnDeploy: undefined });
    const aObjects = Testing.synth(a) as KubeObject[];
    expect([byKind(aObjects, 'CronJob').length, byKind(aObjects, 'Job').length]).toEqual([1, 0]);
    const b = chart();
    exporter(b, { rotation: undefined });
    const bObjects = Testing.synth(b) as KubeObject[];
    expect([byKind(bObjects, 'CronJob').length, byKind(bObjects, 'Job').length]).toEqual([0, 1]);
    expect(byKind(bObjects, 'Role')).toHaveLength(2);
    const c = chart();
    exporter(c, { rotation: undefined, mintOnDeploy: undefined });
    expect(byKind(Testing.synth(c) as KubeObject[], 'Role')).toHaveLength(1);
  });

  test('a given schedule is used when it is even and often enough, and refused otherwise', () => {
    const c = chart();
    const access = exporter(c, { rotation: { schedule: '*/5 * * * *' } });
    expect(access.tokenRotation?.schedule.expression).toBe('*/5 * * * *');
    expect(() => exporter(chart(), { rotation: { schedule: '*/40 * * * *' } })).toThrow(
      /schedule '\*\/40 \* \* \* \*' does not run evenly/,
    );
    expect(() => exporter(chart(), { rotation: { schedule: '0 * * * *' } })).toThrow(
      /runs every hour, but the token must be checked at least every 360 s/,
    );
  });

  test('boundToSecret with rotation or mintOnDeploy is refused, saying why and what to do', () => {
    expect(() => exporter(chart(), { boundToSecret: true })).toThrow(
      /token\.boundToSecret cannot be combined with token\.rotation: a new binding Secret per token needs create on secrets, which RBAC cannot restrict by name.*drop boundToSecret.*access-tokens mint --from/,
    );
    expect(() => exporter(chart(), { boundToSecret: true, rotation: undefined })).toThrow(
      /cannot be combined with token\.mintOnDeploy/,
    );
  });

  test('rotation needs a Secret store', () => {
    expect(() => exporter(chart(), { store: TokenStore.kubeconfigFile('x.kubeconfig') })).toThrow(
      /token\.rotation needs token\.store to be TokenStore\.secret\(\.\.\.\).*got store kubeconfigFile/,
    );
    expect(() => exporter(chart(), { store: undefined, rotation: undefined })).toThrow(
      /token\.mintOnDeploy needs token\.store.*got store stdout \(the default\)/,
    );
  });

  test('an image must be pinned; a given pinned image is used', () => {
    const digest = `registry.example:5000/tools/access-tokens@sha256:${'a'.repeat(64)}`;
    const c = chart();
    const access = exporter(c, { rotation: { image: digest } });
    expect(access.tokenRotation?.image).toBe(digest);
    for (const bad of [
      'access-tokens',
      'access-tokens:latest',
      'registry.example:5000/access-tokens',
      'a b:1',
    ]) {
      expect(() => exporter(chart(), { rotation: { image: bad } })).toThrow(
        new RegExp(`image must .*got '${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`),
      );
    }
    // References a registry refuses: an uppercase digest or repository (the grammar of
    // distribution/reference)
    const upper = `node@sha256:${'A'.repeat(64)}`;
    expect(() => exporter(chart(), { rotation: { image: upper } })).toThrow(
      `image must have a digest of 'sha256:' and 64 lowercase hexadecimal digits (name@sha256:...), got '${upper}'`,
    );
    expect(() => exporter(chart(), { rotation: { image: 'Node:24' } })).toThrow(
      "image must name a repository in lowercase letters and digits, with '.', '_', '__' or '-' between them, after an optional registry host (name:1.2.3 or registry.example.com/team/name:1.2.3), got 'Node:24'",
    );
    expect(() => exporter(chart(), { rotation: { image: 'node:-24' } })).toThrow(
      'image must have a tag of at most 128 letters',
    );
    // AND valid ones pass: an uppercase registry host, a port, a tag and a digest, '__'
    for (const good of [
      'Registry.Example.com:5000/team/node:24',
      `localhost/a__b-c.d:1.0_X@sha256:${'0'.repeat(64)}`,
      'node:24.22.3-slim',
    ]) {
      expect(exporter(chart(), { rotation: { image: good } }).tokenRotation?.image).toBe(good);
    }
  });
});

describe('TokenRotation for a ServiceAccount the app does not own', () => {
  test('rotates another ServiceAccount by name, with long names kept within Kubernetes limits', () => {
    const c = chart('ops');
    const long = 'a-very-long-service-account-name-that-goes-on-and-on-forever';
    const rotation = new TokenRotation(c, 'rot', {
      serviceAccountName: long,
      secretName: 'vault-token',
      duration: Duration.days(1),
    });
    const objects = Testing.synth(c) as KubeObject[];
    const [cron] = byKind(objects, 'CronJob') as Untyped[];
    expect(cron.metadata.name.length).toBeLessThanOrEqual(52);
    expect(cron.metadata.name).toMatch(/^a-very-long-.*-[0-9a-f]{8}-token-rotation$/);
    expect(cron.spec.schedule).toBe('0 */2 * * *');
    expect(rotation.rotatorName).toBe(`${long}-token-rotator`);
    expect(rotation.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['serviceaccounts/token'],
        resourceNames: [long],
        verbs: ['create'],
      },
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['vault-token'],
        verbs: ['get', 'update'],
      },
    ]);
    // the store is synthesized empty and managed, so that the rotator need not create it
    expect(byKind(objects, 'Secret')).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: 'vault-token',
          namespace: 'ops',
          labels: { 'access-tokens.cdk8s.io/managed': 'true' },
        },
        type: MANAGED_SECRET_TYPE,
      },
    ]);
    const without = chart('ops');
    new TokenRotation(without, 'rot', {
      serviceAccountName: 'sa',
      secretName: 's',
      duration: Duration.days(1),
      createSecret: false,
    });
    expect(byKind(Testing.synth(without) as KubeObject[], 'Secret')).toEqual([]);
  });

  test('rejects bad input naming the field and the value', () => {
    const props = { serviceAccountName: 'sa', secretName: 's', duration: Duration.hours(1) };
    expect(
      () => new TokenRotation(chart(), 'r', { ...props, serviceAccountName: 'Bad_Name' }),
    ).toThrow(/serviceAccountName.*Bad_Name/);
    expect(() => new TokenRotation(chart(), 'r', { ...props, secretName: 'Bad_Name' })).toThrow(
      /secretName: .*Bad_Name/,
    );
    expect(
      () => new TokenRotation(chart(), 'r', { ...props, duration: Duration.minutes(5) }),
    ).toThrow(/duration must be at least 10 minutes \(600 s\), got 300 s/);
    // A JavaScript app's seconds, without the types' help
    expect(
      () => new TokenRotation(chart(), 'r', { ...props, duration: 3600 as unknown as Duration }),
    ).toThrow('duration must be a cdk8s Duration (e.g. Duration.hours(1)), got 3600');
    expect(() => new TokenRotation(chart(), 'r', { ...props, audiences: [' '] })).toThrow(
      /audiences\[0\] must not be empty/,
    );
    // The check of ServiceAccountAccess's token.audiences (and TokenAudience.of)
    const withAudiences = (audiences: unknown) => () =>
      new TokenRotation(chart(), 'r', { ...props, audiences: audiences as readonly string[] });
    expect(withAudiences('vault')).toThrow(
      `audiences must be a list of audience names (e.g. ['vault']), got "vault"`,
    );
    expect(withAudiences(['vault', 'vault'])).toThrow(
      'audiences must not repeat an audience, got ["vault","vault"]',
    );
    expect(withAudiences(['vault '])).toThrow(
      "audiences[0] must not have surrounding spaces, got 'vault '",
    );
    expect(() => new TokenRotation(chart(), 'r', { ...props, rotate: false })).toThrow(
      /rotate: false needs mintOnDeploy: true/,
    );
    expect(
      () =>
        new TokenRotation(chart(), 'r', {
          ...props,
          rotate: false,
          mintOnDeploy: true,
          schedule: '* * * * *',
        }),
    ).toThrow(/schedule '\* \* \* \* \*' needs rotate: true/);
    const noNamespace = new Chart(testApp(), 'nons');
    expect(() => new TokenRotation(noNamespace, 'r', props)).toThrow(
      /namespace is required for TokenRotation/,
    );
    // Wrong types from JavaScript: 'false' is truthy and synthesized the Job
    const wrong = (extra: object) => () => new TokenRotation(chart(), 'r', { ...props, ...extra });
    expect(wrong({ mintOnDeploy: 'false' })).toThrow(
      'mintOnDeploy must be true or false, got "false"',
    );
    expect(wrong({ rotate: 'false', mintOnDeploy: true })).toThrow(
      'rotate must be true or false, got "false"',
    );
    expect(wrong({ createSecret: 0 })).toThrow('createSecret must be true or false, got 0');
    expect(wrong({ schedule: 5 })).toThrow("schedule must be a string (e.g. '*/6 * * * *'), got 5");
    expect(wrong({ image: 5 })).toThrow(
      `image must be a string (e.g. '${DEFAULT_ROTATOR_IMAGE}'), got 5`,
    );
    // Labels the API server refuses (see the cases in service-account-access.test.ts)
    expect(
      () => new TokenRotation(chart(), 'r', { ...props, labels: { team: 'platform engineering' } }),
    ).toThrow(/^labels\['team'\] is invalid: expected a string, empty or of at most 63 characters/);
    expect(
      () => new TokenRotation(chart(), 'r', { ...props, labels: { 'bad key!': 'x' } }),
    ).toThrow(/^labels: key 'bad key!' is invalid/);
    const twice = chart();
    new TokenRotation(twice, 'r1', props);
    expect(() => new TokenRotation(twice, 'r2', props)).toThrow(/already declared by/);
    // One per audience, each with a Secret of its own: the rotator's name is the
    // ServiceAccount's, so the advice is what can be done, not renaming the rotator
    const perAudience = chart();
    const vault = { ...props, serviceAccountName: 'vault-auth', audiences: ['vault'] };
    const first = new TokenRotation(perAudience, 'vault', { ...vault, secretName: 'vault-token' });
    expect(
      () =>
        new TokenRotation(perAudience, 'sts', {
          ...vault,
          secretName: 'sts-token',
          audiences: ['sts'],
        }),
    ).toThrow(
      "service account 'vault-auth-token-rotator' in namespace 'shop' is already declared by 'test/vault'; it is the rotator of service account 'vault-auth', and a ServiceAccount's tokens are rotated by one TokenRotation (one rotator, one Secret): give that one token every audience (audiences: ['a', 'b']), or rotate a token of another ServiceAccount for the other audience",
    );
    // AND the names synthesized for one rotation are unchanged
    expect(first.rotatorName).toBe('vault-auth-token-rotator');
  });
});
