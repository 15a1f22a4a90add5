/**
 * `revoke` deletes what a token is bound to only when the API server vouches for the token: the
 * claims name the object, and a forged token's claims could name any Secret (with its real uid,
 * which anyone who can read the Secret's metadata knows). Also: a token minted for another
 * audience than the server's is revoked and confirmed, because the reviews ask for its audience.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { decodeJwtClaims } from '../../src/runtime/jwt.js';
import { mintToken } from '../../src/runtime/mint.js';
import { reviewToken } from '../../src/runtime/review.js';
import { revoke } from '../../src/runtime/revoke.js';
import { tempDir } from '../temp-dir.js';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import { capturedOutput, createServiceAccountWithRole, runCli } from './runtime-fixtures.js';

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

describeE2E('revoke trusts a token only once the API server accepts it', () => {
  const kc = adminKubeConfig();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const tokens: string[] = [];
  let ns: string;

  beforeAll(async () => {
    ns = await createNamespace(kc, 'revoke-genuine');
    await createServiceAccountWithRole(kc, ns, 'deployer', [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
    ]);
  });

  afterAll(() => {
    for (const token of tokens) expect(capturedOutput.join('\n')).not.toContain(token);
  });

  test("a forged token naming someone's Secret (with its real uid) deletes nothing", async () => {
    // GIVEN an application's Secret, and a token that names it as its bound object
    const secret = await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'db-password' }, stringData: { password: 'hunter2' } },
    });
    const now = Math.floor(Date.now() / 1000);
    const forged = [
      b64({ alg: 'RS256', kid: 'x' }),
      b64({
        iss: 'https://kubernetes.default.svc',
        aud: ['https://kubernetes.default.svc'],
        sub: `system:serviceaccount:${ns}:deployer`,
        iat: now,
        nbf: now,
        exp: now + 3600,
        'kubernetes.io': {
          namespace: ns,
          serviceaccount: { name: 'deployer', uid: 'e8d8' },
          secret: { name: 'db-password', uid: secret.metadata!.uid },
        },
      }),
      'c2lnbmF0dXJlLWZvcmdlZC1ub3QtdmFsaWQtYXQtYWxs',
    ].join('.');
    tokens.push(forged);
    const file = join(tempDir('revoke-genuine-'), 'forged.jwt');
    writeFileSync(file, forged, { mode: 0o600 });
    // WHEN
    const out = await runCli(['revoke', '--token-file', file, '--kubeconfig', E2E_KUBECONFIG!]);
    // THEN refused as not found (exit 3), with the server's reason, and the Secret is still there
    expect(out.code).toBe(3);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(
      /the API server does not accept this token \(\[invalid bearer token, .*\]\): .*nothing was deleted/,
    );
    const still = await core.readNamespacedSecret({ name: 'db-password', namespace: ns });
    expect(still.metadata?.uid).toBe(secret.metadata!.uid);
  });

  test("a token for another audience is revoked and confirmed; revoking it again is 'not found'", async () => {
    // GIVEN a bound token for audience 'vault', which a review for the server's own audiences
    // does not accept (so a review must ask for the token's audience)
    const kubeConfig = kc;
    const minted = await mintToken({
      kubeConfig,
      namespace: ns,
      serviceAccount: 'deployer',
      audiences: ['vault'],
      bindToNewSecret: true,
    });
    tokens.push(minted.token);
    expect(decodeJwtClaims(minted.token).aud).toEqual(['vault']);
    expect((await reviewToken(minted.token, { kubeConfig })).authenticated).toBe(false);
    expect(
      (await reviewToken(minted.token, { kubeConfig, audiences: ['vault'] })).authenticated,
    ).toBe(true);
    // WHEN
    const result = await revoke(minted.token, { kubeConfig, wait: true, waitTimeoutMs: 30_000 });
    // THEN its binding Secret is gone and the server rejects the token for its audience
    expect(result.confirmed).toBe(true);
    await expect(
      core.readNamespacedSecret({ name: result.deleted.name, namespace: ns }),
    ).rejects.toMatchObject({ code: 404 });
    // AND a second revoke says there is nothing left to revoke
    await expect(revoke(minted.token, { kubeConfig })).rejects.toMatchObject({
      category: 'not-found',
      message: expect.stringContaining('the API server does not accept this token'),
    });
  });
});
