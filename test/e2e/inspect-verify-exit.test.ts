/**
 * `inspect --verify` exits 1 when the API server no longer accepts the token (like can-i's
 * "no"), so that a script can tell, and keeps printing why.
 */
import * as k8s from '@kubernetes/client-node';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import { capturedOutput, runCli, waitUntilRejected } from './runtime-fixtures.js';

describeE2E('inspect --verify exit code', () => {
  let kc: k8s.KubeConfig;
  let ns: string;

  beforeAll(async () => {
    kc = adminKubeConfig();
    ns = await createNamespace(kc, 'inspect-exit');
    await kc.makeApiClient(k8s.CoreV1Api).createNamespacedServiceAccount({
      namespace: ns,
      body: { metadata: { name: 'deployer' }, automountServiceAccountToken: false },
    });
  });

  test('GIVEN a token whose binding Secret was deleted THEN --verify prints why and exits 1', async () => {
    const kubeconfig = ['--kubeconfig', E2E_KUBECONFIG as string];
    const minted = await runCli([
      'mint',
      'deployer',
      '-n',
      ns,
      '--bind-to-new-secret',
      '-o',
      'token',
      ...kubeconfig,
    ]);
    expect(minted.code).toBe(0);
    const token = minted.stdout.trim();
    const env = { ...process.env, T: token };

    // Control: accepted, exit 0
    const accepted = await runCli(['inspect', '--token-env', 'T', '--verify', ...kubeconfig], env);
    expect(accepted.code).toBe(ExitCode.OK);
    expect(accepted.stdout).toMatch(/Verified: +yes/);
    const asJson = await runCli(['inspect', '--token-env', 'T', '-o', 'json'], env);
    const secret = JSON.parse(asJson.stdout).serviceAccount.boundObject;
    expect(secret.kind).toBe('Secret');

    // WHEN the Secret the token is bound to is deleted (and the server's cache has caught up)
    await kc
      .makeApiClient(k8s.CoreV1Api)
      .deleteNamespacedSecret({ name: secret.name, namespace: ns });
    await waitUntilRejected(kc, token);

    // THEN the table says why and the exit code says no; the same with -o json
    const refused = await runCli(['inspect', '--token-env', 'T', '--verify', ...kubeconfig], env);
    expect(refused.code).toBe(ExitCode.FINDINGS);
    expect(refused.stdout).toMatch(/Verified: +no: .*invalid bearer token/);
    const refusedJson = await runCli(
      ['inspect', '--token-env', 'T', '--verify', '-o', 'json', ...kubeconfig],
      env,
    );
    expect(refusedJson.code).toBe(ExitCode.FINDINGS);
    expect(JSON.parse(refusedJson.stdout).review.authenticated).toBe(false);

    // Control: without --verify nothing is asked, so nothing is refused
    const offline = await runCli(['inspect', '--token-env', 'T'], env);
    expect(offline.code).toBe(ExitCode.OK);

    // The token itself was only ever printed where asked (mint -o token)
    expect(capturedOutput.filter((o) => o.includes(token))).toEqual([minted.stdout]);
  });
});
