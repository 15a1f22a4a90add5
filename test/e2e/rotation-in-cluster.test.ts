/**
 * The rotation pod exactly as the synthesized CronJob runs it: its command (`node` and the
 * program from the synthesized ConfigMap, mounted where the Pod spec mounts it; no
 * node_modules), with the environment, projected token, CA and namespace files its Pod spec
 * gives it, in a private
 * mount namespace (`unshare -m`, root only), against the real API server with RBAC enforced,
 * authenticated as the synthesized rotator ServiceAccount bound by the synthesized Role. This
 * proves the Role is sufficient; asking the server as the same token proves nothing more is
 * granted. Also: everything synthesized except the CronJob (1.20 has no batch/v1 CronJob; the
 * unit tests validate it against the schema) is applied to the server, and `rotate --from`
 * runs over the synthesized folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, Chart, Duration } from 'cdk8s';
import * as k8s from '@kubernetes/client-node';
import { Permission, ServiceAccountAccess, TokenStore } from '../../src/index.js';
import { ROTATOR_CREDENTIALS_PATH } from '../../src/constructs/token-rotation.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { managedSecretManifest } from '../../src/contract/token-declaration.js';
import { parseManifests } from '../../src/rbac/manifest-reader.js';
import { decodeJwtClaims } from '../../src/runtime/jwt.js';
import { readFileSync, readdirSync } from 'node:fs';
import { tempDir } from '../temp-dir.js';
import { adminKubeConfig, describeE2E, E2E_KUBECONFIG, uniqueNamespace } from './cluster.js';
import { capturedOutput, runCli } from './runtime-fixtures.js';

const canUnshare =
  spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind /tmp /mnt && true'], { encoding: 'utf8' })
    .status === 0;
if (!canUnshare)
  console.warn('SKIPPED rotation pod e2e: needs root and `unshare -m` (a private mount namespace)');

type Untyped = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describeE2E('rotation: the synthesized pod against the real server', () => {
  const kc = adminKubeConfig();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const namespace = uniqueNamespace('e2e-rotation');
  const dist = tempDir('rotation-dist-');
  let objects: Untyped[] = [];
  let rotatorToken = '';

  const storedToken = async (name = 'exporter-token'): Promise<string> => {
    const s = await core.readNamespacedSecret({ name, namespace });
    return Buffer.from(s.data?.token ?? '', 'base64').toString('utf8');
  };
  const storedVersion = async (): Promise<string | undefined> =>
    (await core.readNamespacedSecret({ name: 'exporter-token', namespace })).metadata
      ?.resourceVersion;
  const podSpec = (kind: 'CronJob' | 'Job'): Untyped => {
    const o = objects.find((x) => x.kind === kind) as Untyped;
    return kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec;
  };

  /** Runs a pod spec's container command as kubelet would start it: its files, its variables. */
  const runPod = (spec: Untyped) => {
    const server = new URL(kc.getCurrentCluster()!.server);
    const cluster = kc.getCurrentCluster()!;
    // the projected volume: token (what kubelet requests for the pod), CA, namespace
    const fakeRun = tempDir('fake-run-');
    const credentials = join(fakeRun, ROTATOR_CREDENTIALS_PATH.replace(/^\/var\/run\//, ''));
    mkdirSync(credentials, { recursive: true });
    writeFileSync(join(credentials, 'token'), rotatorToken, { mode: 0o600 });
    writeFileSync(join(credentials, 'ca.crt'), Buffer.from(cluster.caData ?? '', 'base64'));
    writeFileSync(join(credentials, 'namespace'), namespace);
    // the program: the ConfigMap volume's files, at its mount path (a stock Node image has no
    // node_modules and no access-tokens; only `node` is on its PATH)
    const mount = spec.containers[0].volumeMounts.find((m: Untyped) => m.name === 'rotator');
    const volume = spec.volumes.find((v: Untyped) => v.name === 'rotator');
    const configMap = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name,
    ) as Untyped;
    const fakeOpt = tempDir('fake-opt-');
    const codeDir = join(fakeOpt, mount.mountPath.replace(/^\/opt\//, ''));
    mkdirSync(codeDir, { recursive: true });
    for (const [key, value] of Object.entries(configMap.data as Record<string, string>))
      writeFileSync(join(codeDir, key), value, { mode: 0o444 });
    expect(mount.mountPath.startsWith('/opt/')).toBe(true);
    const command = spec.containers[0].command as string[];
    expect(command.slice(0, 2)).toEqual(['node', `${mount.mountPath}/rotator.cjs`]);
    const run = spawnSync(
      'unshare',
      [
        '-m',
        'sh',
        '-c',
        `mount --bind "${fakeRun}" /run && mount --bind "${fakeOpt}" /opt && exec "$@"`,
        'sh',
        ...command,
      ],
      {
        cwd: tempDir('pod-cwd-'),
        encoding: 'utf8',
        env: {
          // the Node running this suite (20, and 24 as the default image has) as the image's `node`
          PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
          HOME: tempDir('no-kube-'),
          KUBERNETES_SERVICE_HOST: server.hostname,
          KUBERNETES_SERVICE_PORT: server.port,
        },
      },
    );
    capturedOutput.push(run.stdout, run.stderr);
    return run;
  };

  beforeAll(async () => {
    // GIVEN the example, synthesized and applied (except the CronJob)
    const app = new App({ outdir: dist });
    const chart = new Chart(app, 'app', { namespace, disableResourceNameHashes: true });
    new ServiceAccountAccess(chart, 'exporter', {
      permissions: [Permission.read('configmaps')],
      token: {
        duration: Duration.hours(1),
        store: TokenStore.secret('exporter-token'),
        rotation: {},
        mintOnDeploy: true,
      },
    });
    app.synth();
    objects = readdirSync(dist).flatMap(
      (f) => parseManifests(readFileSync(join(dist, f), 'utf8'), f) as Untyped[],
    );
    const api = k8s.KubernetesObjectApi.makeApiClient(kc);
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    for (const obj of objects)
      if (obj.kind !== 'CronJob') await api.create(obj as k8s.KubernetesObject);
    await core.createNamespacedSecret({ namespace, body: managedSecretManifest('other-token') });
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'other' } } });
    // the token kubelet would project for the rotator's pod: its ServiceAccount, 10 minutes
    const volume = podSpec('CronJob').volumes.find((v: Untyped) => v.name === 'kube-api-access')
      .projected.sources[0].serviceAccountToken;
    const response = await core.createNamespacedServiceAccountToken({
      name: podSpec('CronJob').serviceAccountName,
      namespace,
      body: { spec: { audiences: [], expirationSeconds: volume.expirationSeconds } },
    });
    rotatorToken = response.status?.token ?? '';
  });

  const run = canUnshare ? test : test.skip;

  run('the CronJob pod fills the empty store as the rotator, then keeps it until due', () => {
    const first = runPod(podSpec('CronJob'));
    expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: '' });
    expect(first.stdout).toMatch(
      new RegExp(
        `^rotated: secret/exporter-token -n ${namespace} holds a new token of exporter, valid until \\S+ \\(the store holds no token yet\\)\\n$`,
      ),
    );
    const second = runPod(podSpec('CronJob'));
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(
      /^kept: secret\/exporter-token .*: not due: the stored token has used 0% of its lifetime/,
    );
  });

  run('the deploy-time Job pod runs the same command and keeps a fresh token', async () => {
    expect(podSpec('Job').containers[0].command).toEqual(podSpec('CronJob').containers[0].command);
    const before = await storedVersion();
    const job = runPod(podSpec('Job'));
    expect({ status: job.status, stderr: job.stderr }).toEqual({ status: 0, stderr: '' });
    expect(job.stdout).toMatch(/^kept: secret\/exporter-token /);
    expect(await storedVersion()).toBe(before);
  });

  run('the stored token is a valid token of exporter with the declared lifetime', async () => {
    const token = await storedToken();
    expect(token).not.toBe('');
    const claims = decodeJwtClaims(token);
    expect(claims.sub).toBe(`system:serviceaccount:${namespace}:exporter`);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
    expect(capturedOutput.join('\n').includes(token)).toBe(false);
    expect(capturedOutput.join('\n').includes(rotatorToken)).toBe(false);
  });

  test("the rotator's token may do nothing but its three grants (asked of the real server)", async () => {
    // GIVEN a client authenticated with the rotator's token
    const cluster = kc.getCurrentCluster()!;
    const asRotator = new k8s.KubeConfig();
    asRotator.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'rotator', token: rotatorToken }],
      contexts: [{ name: 'rotator', cluster: cluster.name, user: 'rotator', namespace }],
      currentContext: 'rotator',
    });
    const rotatorCore = asRotator.makeApiClient(k8s.CoreV1Api);
    const status = (p: Promise<unknown>) =>
      p.then(
        () => 200,
        (err: { code?: number }) => err.code,
      );
    // THEN what it needs works
    expect(
      await status(rotatorCore.readNamespacedSecret({ name: 'exporter-token', namespace })),
    ).toBe(200);
    // AND everything around it is refused by the server
    expect(await status(rotatorCore.readNamespacedSecret({ name: 'other-token', namespace }))).toBe(
      403,
    );
    expect(await status(rotatorCore.listNamespacedSecret({ namespace }))).toBe(403);
    expect(
      await status(
        rotatorCore.createNamespacedServiceAccountToken({
          name: 'other',
          namespace,
          body: { spec: { audiences: [] } },
        }),
      ),
    ).toBe(403);
    expect(
      await status(
        rotatorCore.createNamespacedServiceAccountToken({
          name: 'exporter-token-rotator',
          namespace,
          body: { spec: { audiences: [] } },
        }),
      ),
    ).toBe(403);
    expect(
      await status(rotatorCore.deleteNamespacedSecret({ name: 'exporter-token', namespace })),
    ).toBe(403);
    expect(
      await status(
        rotatorCore.createNamespacedSecret({ namespace, body: managedSecretManifest('new-one') }),
      ),
    ).toBe(403);
    expect(await status(rotatorCore.listNamespacedPod({ namespace }))).toBe(403);
    expect(
      await status(
        rotatorCore.readNamespacedSecret({ name: 'exporter-token', namespace: 'default' }),
      ),
    ).toBe(403);
  });

  test('rotate --from over the synthesized folder: --force replaces, then a second run keeps', async () => {
    const args = ['rotate', '--from', dist, '--kubeconfig', E2E_KUBECONFIG as string];
    const before = await storedVersion();
    const forced = await runCli([...args, '--force']);
    expect(forced.code).toBe(ExitCode.OK);
    expect(forced.stdout).toMatch(new RegExp(`${namespace} +exporter +rotated +exporter-token`));
    expect(forced.stdout).toMatch(/1 rotated, 0 not due, 0 failed/);
    const after = await storedVersion();
    expect(after).not.toBe(before);
    const kept = await runCli(args);
    expect(kept.code).toBe(ExitCode.OK);
    expect(kept.stdout).toMatch(new RegExp(`${namespace} +exporter +kept +exporter-token`));
    expect(kept.stdout).toMatch(/0 rotated, 1 not due, 0 failed/);
    expect(await storedVersion()).toBe(after);
  });
});
