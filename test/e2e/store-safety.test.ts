/**
 * Where a token may be kept. A Secret is replaced only when it is ours (labelled managed) and
 * holds this ServiceAccount's token, so that a typo in `--secret` or a manifest naming someone
 * else's Secret cannot take it over; a declared kubeconfig file cannot leave `--out-dir` through
 * a symbolic link. When a token minted with a new binding Secret cannot be kept, that Secret is
 * deleted, not left behind.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart, Duration } from 'cdk8s';
import * as k8s from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { ServiceAccountAccess, TokenStore } from '../../src/index.js';
import { BINDING_SECRET_LABEL } from '../../src/runtime/binding-secret.js';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import {
  createServiceAccountWithRole,
  declaringServiceAccount,
  runCli,
} from './runtime-fixtures.js';
import { tempDir } from '../temp-dir.js';
import { startFaultProxy } from './fault-proxy.js';

/** kubectl, when one is on PATH (KUBECTL overrides): the kubectl apply check runs only then. */
const kubectl = ((name) =>
  spawnSync(name, ['version', '--client'], { stdio: 'ignore' }).status === 0 ? name : undefined)(
  process.env.KUBECTL ?? 'kubectl',
);

describeE2E('where tokens may be kept', () => {
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let ns: string;
  const cli = (...args: string[]) =>
    runCli([...args, '-n', ns, '--kubeconfig', E2E_KUBECONFIG as string]);
  /** `mint deployer` with a new binding Secret, into a Secret and a file. */
  const mintToBoth = (secret: string, file: string) =>
    cli(
      'mint',
      'deployer',
      '--bind-to-new-secret',
      '--secret',
      secret,
      '-o',
      'token',
      '--out',
      file,
    );
  const bindingSecrets = async () =>
    (
      await core.listNamespacedSecret({
        namespace: ns,
        labelSelector: `${BINDING_SECRET_LABEL}=true`,
      })
    ).items.map((s) => s.metadata?.name);

  /** The app's manifests with a token stored in `secret`, synthesized into a file. */
  const synthesizedWithStore = (
    secret: string,
  ): { file: string; objects: k8s.KubernetesObject[] } => {
    const app = new App({ outdir: tempDir('store-safety-dist-') });
    const chart = new Chart(app, 'app', { namespace: ns });
    new ServiceAccountAccess(chart, 'deployer', {
      serviceAccountName: 'deployer',
      token: { duration: Duration.hours(1), store: TokenStore.secret(secret) },
    });
    const objects = chart.toJson() as k8s.KubernetesObject[];
    const file = join(app.outdir, 'app.k8s.yaml');
    writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
    return { file, objects };
  };
  /** `mint --from` over manifests, `--kubeconfig` the e2e cluster's. */
  const mintFrom = (file: string) =>
    runCli(['mint', '--from', file, '--kubeconfig', E2E_KUBECONFIG as string]);

  beforeAll(async () => {
    kc = adminKubeConfig();
    core = kc.makeApiClient(k8s.CoreV1Api);
    ns = await createNamespace(kc, 'store-safety');
    for (const name of ['deployer', 'other']) await createServiceAccountWithRole(kc, ns, name, []);
    // GIVEN a Secret of someone else's, and one of ours holding another ServiceAccount's token
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'app-credentials' }, stringData: { password: 'hunter2' } },
    });
    expect((await cli('mint', 'other', '--secret', 'other-token')).code).toBe(0);
  });

  test('--secret naming a Secret that is not managed: refused, the Secret untouched', async () => {
    const r = await cli('mint', 'deployer', '--secret', 'app-credentials');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `error: secret '${ns}/app-credentials' exists and is not managed by access-tokens (no label access-tokens.cdk8s.io/managed=true): refusing to overwrite it`,
    );
    const secret = await core.readNamespacedSecret({ name: 'app-credentials', namespace: ns });
    expect(Object.keys(secret.data ?? {})).toEqual(['password']);
    expect(secret.metadata?.labels).toBeUndefined();
  });

  test("--secret naming another ServiceAccount's token Secret: refused", async () => {
    const before = await core.readNamespacedSecret({ name: 'other-token', namespace: ns });
    const r = await cli('mint', 'deployer', '--secret', 'other-token');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `error: secret '${ns}/other-token' holds the token of ServiceAccount 'other': refusing to overwrite it with one of 'deployer'`,
    );
    const after = await core.readNamespacedSecret({ name: 'other-token', namespace: ns });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    // ... while its own ServiceAccount replaces it
    expect((await cli('mint', 'other', '--secret', 'other-token')).code).toBe(0);
  });

  test("someone else's Secret as --secret: refused before minting, so no token and no binding Secret", async () => {
    const before = await bindingSecrets();
    const r = await cli('mint', 'deployer', '--bind-to-new-secret', '--secret', 'app-credentials');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`secret '${ns}/app-credentials' exists and is not managed`);
    // nothing was minted to discard: no binding Secret was made, none deleted
    expect(r.stderr).not.toContain('discarded');
    expect(await bindingSecrets()).toEqual(before);
  });

  test('--secret naming a binding Secret: refused (it binds a token, it holds none)', async () => {
    const before = await bindingSecrets();
    const kept = await cli(
      'mint',
      'deployer',
      '--bind-to-new-secret',
      '--secret',
      'deployer-token',
    );
    expect(kept.code).toBe(0);
    const [binding] = (await bindingSecrets()).filter((b) => !before.includes(b));
    expect(binding).toBeDefined();
    const r = await cli('mint', 'deployer', '--secret', binding as string);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`is the binding Secret of a token`);
  });

  test('--out and --secret: the file first; when it fails nothing is stored and the binding Secret goes', async () => {
    expect((await cli('mint', 'deployer', '--secret', 'deployer-token')).code).toBe(0);
    const before = await core.readNamespacedSecret({ name: 'deployer-token', namespace: ns });
    const bindings = await bindingSecrets();
    // /proc is a folder (the check before minting passes) where no file can be created
    const r = await mintToBoth('deployer-token', '/proc/access-tokens-test');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /cannot write the token file '\/proc\/access-tokens-test'.*the token was discarded and its binding Secret \S+ deleted/,
    );
    const after = await core.readNamespacedSecret({ name: 'deployer-token', namespace: ns });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(await bindingSecrets()).toEqual(bindings);
  });

  test('--out and --secret: when the Secret fails after the file, the error says where the token is', async () => {
    // GIVEN a store that is absent when read, then created by someone else before our create
    const proxy = await startFaultProxy(kc);
    try {
      const late = 'created-meanwhile';
      proxy.inject({
        method: 'GET',
        path: new RegExp(`/secrets/${late}$`),
        fault: {
          kind: 'before',
          run: async () => {
            proxy.inject({
              method: 'POST',
              path: new RegExp(`/namespaces/${ns}/secrets$`),
              // the binding Secret's create (before the mint) goes through; the store's fails
              fault: { kind: 'status', status: 409, body: '{"kind":"Status","code":409}' },
            });
            proxy.inject({
              method: 'POST',
              path: new RegExp(`/namespaces/${ns}/secrets$`),
              fault: { kind: 'before', run: async () => undefined },
            });
          },
        },
      });
      const file = join(tempDir('store-safety-'), 'token');
      const bindings = await bindingSecrets();
      const kubeconfig = join(tempDir('store-safety-'), 'proxy.kubeconfig');
      writeFileSync(kubeconfig, proxy.kubeConfig().exportConfig(), { mode: 0o600 });
      // WHEN
      const r = await runCli([
        'mint',
        'deployer',
        '--bind-to-new-secret',
        '--secret',
        late,
        '-o',
        'token',
        '--out',
        file,
        '-n',
        ns,
        '--kubeconfig',
        kubeconfig,
        '--max-attempts',
        '1',
      ]);
      // THEN
      expect(r.code).toBe(5);
      expect(r.stderr).toContain(`(the token was kept in ${file})`);
      expect(existsSync(file)).toBe(true);
      // ... so its binding Secret stays: deleting it would revoke the token in the file
      expect((await bindingSecrets()).length).toBe(bindings.length + 1);
    } finally {
      await proxy.close();
    }
  });

  test('mint --from: a Secret store that is not ours fails that token only, before its token is minted', async () => {
    // GIVEN two declarations: one naming someone else's Secret (bound to a Secret of its own),
    // one a kubeconfig file
    const work = tempDir('store-safety-');
    const dist = join(work, 'dist');
    mkdirSync(dist);
    const docs = [
      declaringServiceAccount(ns, 'deployer', {
        durationSeconds: 3600,
        audiences: [],
        store: { kind: 'secret', name: 'app-credentials' },
        boundToSecret: true,
      }),
      declaringServiceAccount(ns, 'other', {
        durationSeconds: 3600,
        audiences: [],
        store: { kind: 'kubeconfigFile', path: 'other.kubeconfig' },
        boundToSecret: false,
      }),
    ];
    writeFileSync(join(dist, 'app.k8s.yaml'), docs.map((d) => stringify(d)).join('---\n'));
    const before = await bindingSecrets();
    // WHEN
    const r = await runCli([
      'mint',
      '--from',
      dist,
      '--out-dir',
      join(work, 'out'),
      '--kubeconfig',
      E2E_KUBECONFIG as string,
    ]);
    // THEN the first fails as a usage error (exit 2: every failure is one), the second is kept
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /deployer +FAILED +- *\n[\s\S]*failed: [^/]+\/deployer: secret .* is not managed by access-tokens/,
    );
    // refused before its token was minted: nothing to discard
    expect(r.stdout).not.toContain('discarded');
    expect(r.stdout).toMatch(/other +minted/);
    expect(existsSync(join(work, 'out', 'other.kubeconfig'))).toBe(true);
    expect(await bindingSecrets()).toEqual(before);
  });

  test("TokenStore.secret named like someone else's Secret: applying the store fails loudly, the Secret untouched", async () => {
    // GIVEN db-credentials (Opaque, a password), and an app whose token store has that name
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'db-credentials' }, stringData: { password: 'hunter2' } },
    });
    const before = await core.readNamespacedSecret({ name: 'db-credentials', namespace: ns });
    const { file, objects } = synthesizedWithStore('db-credentials');
    const store = objects.find((o) => o.kind === 'Secret') as k8s.KubernetesObject;
    // WHEN the store is applied as a pipeline applies it (a strategic merge patch, as `kubectl
    // apply` sends for an object that exists)
    const patched = await k8s.KubernetesObjectApi.makeApiClient(kc)
      .patch(store)
      .then(
        () => undefined,
        (err: unknown) => err as { code?: number; body?: string },
      );
    // THEN the server refuses to change the type, and nothing was merged into the Secret
    expect(patched?.code).toBe(422);
    expect(String(patched?.body)).toMatch(/type: Invalid value: .*field is immutable/);
    const after = await core.readNamespacedSecret({ name: 'db-credentials', namespace: ns });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(after.metadata?.labels).toBeUndefined();
    expect(Object.keys(after.data ?? {})).toEqual(['password']);
    // ... and kubectl apply of the whole synthesized file says so and fails, when kubectl is here
    if (kubectl) {
      const applied = spawnSync(
        kubectl,
        ['apply', '-f', file, '--kubeconfig', E2E_KUBECONFIG as string],
        { encoding: 'utf8' },
      );
      expect(applied.status).not.toBe(0);
      expect(applied.stderr).toMatch(
        /Secret "db-credentials" is invalid: type: .*field is immutable/,
      );
      const afterKubectl = await core.readNamespacedSecret({
        name: 'db-credentials',
        namespace: ns,
      });
      expect(afterKubectl.metadata?.labels).toBeUndefined();
      expect(Object.keys(afterKubectl.data ?? {})).toEqual(['password']);
    } else {
      console.warn('kubectl not on PATH: the kubectl apply half of this test did not run');
    }
  });

  test("mint --from into someone else's Secret that has our label merged in (0.1's Opaque store applied onto it): refused, nothing written", async () => {
    // GIVEN a Secret with a password that an Opaque store of the same name was applied onto
    // (what `kubectl apply` did before stores had a type of their own): our label merged in
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'db-password' }, stringData: { password: 'hunter2' } },
    });
    const { file, objects } = synthesizedWithStore('db-password');
    const store = objects.find((o) => o.kind === 'Secret') as k8s.V1Secret;
    await k8s.KubernetesObjectApi.makeApiClient(kc).patch({ ...store, type: 'Opaque' });
    const before = await core.readNamespacedSecret({ name: 'db-password', namespace: ns });
    expect(before.metadata?.labels?.['access-tokens.cdk8s.io/managed']).toBe('true');
    // WHEN
    const r = await mintFrom(file);
    // THEN the token is refused (exit 2, a usage error), the password alone in its Secret
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      `failed: ${ns}/deployer: secret '${ns}/db-password' holds keys that access-tokens did not write (password): refusing to put a token beside them`,
    );
    const after = await core.readNamespacedSecret({ name: 'db-password', namespace: ns });
    expect(Object.keys(after.data ?? {})).toEqual(['password']);
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  test('the synthesized store, applied where no Secret of that name exists: created with its own type, then mint --from fills it', async () => {
    // GIVEN the app applied (its store created empty)
    const { file, objects } = synthesizedWithStore('deployer-store');
    const store = objects.find((o) => o.kind === 'Secret') as k8s.KubernetesObject;
    await k8s.KubernetesObjectApi.makeApiClient(kc).create(store);
    // WHEN
    const r = await mintFrom(file);
    // THEN
    expect(r.code).toBe(0);
    const after = await core.readNamespacedSecret({ name: 'deployer-store', namespace: ns });
    expect(after.type).toBe('access-tokens.cdk8s.io/token');
    expect(Object.keys(after.data ?? {})).toEqual(['token']);
    expect(after.metadata?.annotations?.['access-tokens.cdk8s.io/service-account']).toBe(
      'deployer',
    );
  });

  test('mint --from: a declared file cannot leave --out-dir through a symbolic link', async () => {
    // GIVEN --out-dir holding a link to a folder outside it, and a declaration through the link
    const work = tempDir('store-safety-');
    const outside = join(work, 'outside');
    const out = join(work, 'out');
    mkdirSync(outside);
    mkdirSync(out);
    symlinkSync(outside, join(out, 'link'));
    const dist = join(work, 'dist');
    mkdirSync(dist);
    writeFileSync(
      join(dist, 'app.k8s.yaml'),
      stringify(
        declaringServiceAccount(ns, 'deployer', {
          durationSeconds: 3600,
          audiences: [],
          store: { kind: 'kubeconfigFile', path: 'link/stolen.kubeconfig' },
          boundToSecret: false,
        }),
      ),
    );
    // WHEN
    const r = await runCli([
      'mint',
      '--from',
      dist,
      '--out-dir',
      out,
      '--kubeconfig',
      E2E_KUBECONFIG as string,
    ]);
    // THEN refused, naming the link, and nothing written outside
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      `cannot create the folder '${join(out, 'link')}' for the token file '${join(out, 'link', 'stolen.kubeconfig')}' (a symbolic link: a declared token file must stay inside --out-dir)`,
    );
    expect(readdirSync(outside)).toEqual([]);
  });
});
