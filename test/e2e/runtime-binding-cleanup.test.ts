/**
 * Binding Secrets (`boundToSecret`, `--bind-to-new-secret`) record their token's expiry, and a
 * later mint for the same ServiceAccount deletes the ones whose token has expired — only those:
 * never a Secret without a recorded expiry, nor another ServiceAccount's.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { stringify } from 'yaml';
import {
  EXPIRES_AT_ANNOTATION,
  SERVICE_ACCOUNT_ANNOTATION,
} from '../../src/contract/token-declaration.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { BINDING_SECRET_LABEL } from '../../src/runtime/binding-secret.js';
import { inspectToken } from '../../src/runtime/index.js';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import {
  capturedOutput,
  createServiceAccountWithRole,
  declaringServiceAccount,
  runCli,
} from './runtime-fixtures.js';
import { tempDir } from '../temp-dir.js';

const declaringBound = (ns: string, name: string) =>
  declaringServiceAccount(ns, name, {
    durationSeconds: 3600,
    audiences: [],
    store: { kind: 'secret', name: `${name}-token` },
    boundToSecret: true,
  });

const PAST = '2000-01-01T00:00:00.000Z';

describeE2E('runtime: binding Secrets of expired tokens are cleaned up', () => {
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let ns: string;
  const dir = tempDir('binding-cleanup-');
  const both = join(dir, 'both');
  const appOnly = join(dir, 'app-only');
  const tokens: string[] = [];

  const bindingSecrets = async (serviceAccount: string): Promise<k8s.V1Secret[]> =>
    (
      await core.listNamespacedSecret({
        namespace: ns,
        labelSelector: `${BINDING_SECRET_LABEL}=true`,
      })
    ).items.filter((s) => s.metadata?.annotations?.[SERVICE_ACCOUNT_ANNOTATION] === serviceAccount);
  const names = (secrets: k8s.V1Secret[]): string[] => secrets.map((s) => s.metadata!.name!).sort();
  const expire = (name: string) =>
    core.patchNamespacedSecret(
      {
        name,
        namespace: ns,
        body: { metadata: { annotations: { [EXPIRES_AT_ANNOTATION]: PAST } } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  const storedToken = async (serviceAccount: string): Promise<string> => {
    const s = await core.readNamespacedSecret({ name: `${serviceAccount}-token`, namespace: ns });
    const token = Buffer.from(s.data!.token, 'base64').toString();
    tokens.push(token);
    return token;
  };

  beforeAll(async () => {
    kc = adminKubeConfig();
    core = kc.makeApiClient(k8s.CoreV1Api);
    ns = await createNamespace(kc, 'rt-cleanup');
    for (const name of ['app', 'other']) await createServiceAccountWithRole(kc, ns, name, []);
    mkdirSync(both);
    writeFileSync(
      join(both, 'a.yaml'),
      [declaringBound(ns, 'app'), declaringBound(ns, 'other')]
        .map((d) => stringify(d))
        .join('---\n'),
    );
    mkdirSync(appOnly);
    writeFileSync(join(appOnly, 'a.yaml'), stringify(declaringBound(ns, 'app')));
  });

  afterAll(() => {
    const all = capturedOutput.join('\n');
    for (const t of tokens) expect(all).not.toContain(t);
  });

  test('a binding Secret records the expiry of the token bound to it', async () => {
    const out = await runCli(['mint', '--from', both, '--kubeconfig', E2E_KUBECONFIG as string]);
    expect(out.code).toBe(ExitCode.OK);
    expect(out.stdout).toMatch(/2 minted, 0 failed\n/);
    const info = inspectToken(await storedToken('app'));
    const [secret] = await bindingSecrets('app');
    expect(info.serviceAccount.boundObject?.name).toBe(secret.metadata!.name);
    expect(secret.metadata!.annotations![EXPIRES_AT_ANNOTATION]).toBe(info.expiresAt);
  });

  test('minting again deletes only the ServiceAccount’s binding Secrets of expired tokens', async () => {
    await runCli(['mint', '--from', both, '--kubeconfig', E2E_KUBECONFIG as string]);
    await storedToken('app');
    const [expired, live] = names(await bindingSecrets('app'));
    expect(live).toBeDefined();
    await expire(expired);
    const [otherExpired] = names(await bindingSecrets('other'));
    await expire(otherExpired);
    // Carries the label and names the ServiceAccount, but no expiry: its token may be live.
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: {
          name: 'app-no-expiry',
          labels: { [BINDING_SECRET_LABEL]: 'true' },
          annotations: { [SERVICE_ACCOUNT_ANNOTATION]: 'app' },
        },
      },
    });
    // Expired, but names no ServiceAccount.
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: {
          name: 'unowned-expired',
          labels: { [BINDING_SECRET_LABEL]: 'true' },
          annotations: { [EXPIRES_AT_ANNOTATION]: PAST },
        },
      },
    });

    const out = await runCli([
      'mint',
      '--from',
      appOnly,
      '-o',
      'json',
      '--kubeconfig',
      E2E_KUBECONFIG as string,
    ]);
    expect(out.code).toBe(ExitCode.OK);
    expect(JSON.parse(out.stdout)).toMatchObject([
      { serviceAccount: 'app', ok: true, deletedBindingSecrets: 1 },
    ]);
    const fresh = inspectToken(await storedToken('app')).serviceAccount.boundObject!.name;

    const remaining = names(await bindingSecrets('app'));
    expect(remaining).not.toContain(expired);
    expect(remaining).toEqual([live, fresh, 'app-no-expiry'].sort());
    expect(names(await bindingSecrets('other'))).toContain(otherExpired);
    await expect(
      core.readNamespacedSecret({ name: 'unowned-expired', namespace: ns }),
    ).resolves.toBeDefined();
    // The Secret the token is stored in has the expiry too, but is no binding Secret.
    await expect(
      core.readNamespacedSecret({ name: 'app-token', namespace: ns }),
    ).resolves.toBeDefined();
  });

  test('the summary counts the deletions; mint --bind-to-new-secret cleans up too', async () => {
    const [one] = names(await bindingSecrets('app')).filter((n) => n !== 'app-no-expiry');
    await expire(one);
    const out = await runCli([
      'mint',
      'app',
      '-n',
      ns,
      '--bind-to-new-secret',
      '--secret',
      'app-token',
      '-o',
      'json',
      '--kubeconfig',
      E2E_KUBECONFIG as string,
    ]);
    expect(out.code).toBe(ExitCode.OK);
    expect(JSON.parse(out.stdout)).toMatchObject({ deletedBindingSecrets: 1 });
    await storedToken('app');
    expect(names(await bindingSecrets('app'))).not.toContain(one);

    const [two] = names(await bindingSecrets('app')).filter((n) => n !== 'app-no-expiry');
    await expire(two);
    const text = await runCli([
      'mint',
      '--from',
      appOnly,
      '--kubeconfig',
      E2E_KUBECONFIG as string,
    ]);
    expect(text.code).toBe(ExitCode.OK);
    expect(text.stdout).toMatch(/1 minted, 0 failed, 1 expired binding Secret\(s\) deleted\n/);
    await storedToken('app');
    expect(names(await bindingSecrets('app'))).toContain('app-no-expiry');
  });
});
