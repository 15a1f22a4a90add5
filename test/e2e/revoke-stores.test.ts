/**
 * A revoked token does not linger where clients read it: `revoke` removes it from the managed
 * Secrets that hold it, and `describe` tells a valid stored token from a revoked one — also one
 * whose bound Secret someone deleted by hand (the server's TokenReview says so).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { connect } from '../../src/runtime/cluster.js';
import { describeServiceAccount } from '../../src/runtime/describe.js';
import { mintToken } from '../../src/runtime/mint.js';
import { storeToken } from '../../src/runtime/store.js';
import { tempDir } from '../temp-dir.js';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import {
  capturedOutput,
  createServiceAccountWithRole,
  runCli,
  waitUntilRejected,
} from './runtime-fixtures.js';

describeE2E('revoke clears token stores; describe tells revoked from valid', () => {
  const kc = adminKubeConfig();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const tokens: string[] = [];
  let ns: string;

  const mintInto = async (secret: string): Promise<string> => {
    const minted = await mintToken({
      kubeConfig: kc,
      namespace: ns,
      serviceAccount: 'deployer',
      bindToNewSecret: true,
    });
    tokens.push(minted.token);
    await storeToken(connect({ kubeConfig: kc, namespace: ns }), minted, {
      kind: 'secret',
      name: secret,
    });
    return minted.token;
  };
  const states = async (): Promise<Record<string, string | undefined>> =>
    Object.fromEntries(
      (await describeServiceAccount('deployer', { kubeConfig: kc, namespace: ns })).storedTokens
        .filter((t) => t.kind === 'managed')
        .map((t) => [t.secret, t.state]),
    );

  beforeAll(async () => {
    ns = await createNamespace(kc, 'revoke-stores');
    await createServiceAccountWithRole(kc, ns, 'deployer', [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
    ]);
  });

  afterAll(() => {
    for (const token of tokens) expect(capturedOutput.join('\n')).not.toContain(token);
  });

  test('revoke removes the token from its store, and describe says revoked', async () => {
    // GIVEN a token kept in a Secret store, which describe sees as valid
    const token = await mintInto('deployer-token');
    const file = join(tempDir('revoke-stores-'), 'token');
    writeFileSync(file, token, { mode: 0o600 });
    expect(await states()).toEqual({ 'deployer-token': 'valid' });
    // WHEN
    const out = await runCli(['revoke', '--token-file', file, '--kubeconfig', E2E_KUBECONFIG!]);
    // THEN the store holds no token any more, and says when it was revoked
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`removed the revoked token from secret ${ns}/deployer-token`);
    const secret = await core.readNamespacedSecret({ name: 'deployer-token', namespace: ns });
    expect(secret.data?.token).toBeUndefined();
    expect(secret.metadata?.annotations?.['access-tokens.cdk8s.io/revoked-at']).toMatch(/^\d{4}-/);
    expect(await states()).toEqual({ 'deployer-token': 'revoked' });
    const shown = await runCli(['describe', 'deployer', '-n', ns, '--kubeconfig', E2E_KUBECONFIG!]);
    expect(shown.stdout).toMatch(/deployer-token +managed +revoked \d{4}-/);
    // AND rotate says why the store is due; a new token stored there is not shown as revoked
    const rotated = await runCli([
      'rotate',
      'deployer',
      '-n',
      ns,
      '--secret',
      'deployer-token',
      '--kubeconfig',
      E2E_KUBECONFIG!,
    ]);
    expect(rotated.stdout).toMatch(/the store's token was revoked at \d{4}-/);
    await mintInto('deployer-token');
    const refilled = await core.readNamespacedSecret({ name: 'deployer-token', namespace: ns });
    expect(refilled.metadata?.annotations?.['access-tokens.cdk8s.io/revoked-at']).toBeUndefined();
    const now = await describeServiceAccount('deployer', { kubeConfig: kc, namespace: ns });
    expect(now.storedTokens.find((t) => t.secret === 'deployer-token')).toMatchObject({
      state: 'valid',
    });
    expect(now.storedTokens.find((t) => t.secret === 'deployer-token')?.revokedAt).toBeUndefined();
  });

  test('a token whose bound Secret was deleted by hand is revoked for describe, by TokenReview', async () => {
    // GIVEN a stored token whose binding Secret is then deleted outside the CLI
    const token = await mintInto('deployer-other');
    const bound = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())[
      'kubernetes.io'
    ].secret.name as string;
    await core.deleteNamespacedSecret({ name: bound, namespace: ns });
    await waitUntilRejected(kc, token);
    // WHEN / THEN the store still holds it, but describe asks the server and says revoked
    const secret = await core.readNamespacedSecret({ name: 'deployer-other', namespace: ns });
    expect(secret.data?.token).toBeDefined();
    expect((await states())['deployer-other']).toBe('revoked');
  });
});
