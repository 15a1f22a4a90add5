/**
 * Tokens bound to a Pod: the binding carries the Pod's UID, revoking refuses to delete a Pod
 * unless told to, and deleting the Pod invalidates the token. The 1.20 test server runs no
 * pods, but a Pod object (automount off, its ServiceAccount present) can be created.
 */
import * as k8s from '@kubernetes/client-node';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { inspectToken, mintToken, reviewToken, revoke } from '../../src/runtime/index.js';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import {
  capturedOutput,
  createServiceAccountWithRole,
  runCli,
  waitUntilRejected,
} from './runtime-fixtures.js';

describeE2E('runtime: Pod-bound tokens', () => {
  const kc = adminKubeConfig();
  let ns: string;
  let podUid: string;

  beforeAll(async () => {
    ns = await createNamespace(kc, 'rt-pod');
    await createServiceAccountWithRole(kc, ns, 'worker', []);
    const pod = await kc.makeApiClient(k8s.CoreV1Api).createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'job-1' },
        spec: {
          serviceAccountName: 'worker',
          automountServiceAccountToken: false,
          containers: [{ name: 'main', image: 'busybox' }],
        },
      },
    });
    podUid = pod.metadata?.uid ?? '';
    expect(podUid).not.toBe('');
  });

  test('a token bound to a Pod names it with its UID, and dies with it', async () => {
    // GIVEN a token bound to the Pod (its UID filled in by the server)
    const minted = await mintToken({
      kubeconfig: E2E_KUBECONFIG,
      namespace: ns,
      serviceAccount: 'worker',
      boundObject: { kind: 'Pod', name: 'job-1' },
    });
    expect(minted.boundObject).toEqual({ kind: 'Pod', name: 'job-1', uid: podUid });
    expect(inspectToken(minted.token).serviceAccount.boundObject).toEqual({
      kind: 'Pod',
      name: 'job-1',
      uid: podUid,
    });
    expect((await reviewToken(minted.token, { kubeConfig: kc })).authenticated).toBe(true);

    // WHEN revoking without --allow-pod-deletion THEN it refuses, naming the Pod, and keeps it
    await expect(revoke(minted.token, { kubeconfig: E2E_KUBECONFIG })).rejects.toThrow(
      /bound to Pod '.*\/job-1'/,
    );
    await kc.makeApiClient(k8s.CoreV1Api).readNamespacedPod({ name: 'job-1', namespace: ns });
    const cli = await runCli(
      ['revoke', '--token-env', 'POD_TOKEN', '--kubeconfig', E2E_KUBECONFIG as string],
      {
        ...process.env,
        POD_TOKEN: minted.token,
      },
    );
    expect(cli.code).toBe(ExitCode.USAGE);
    expect(cli.stderr).toMatch(/--allow-pod-deletion/);

    // WHEN allowed THEN the Pod is deleted and the token stops working (within the auth cache)
    const result = await revoke(minted.token, {
      kubeconfig: E2E_KUBECONFIG,
      allowPodDeletion: true,
    });
    expect(result.deleted).toMatchObject({ kind: 'Pod', namespace: ns, name: 'job-1' });
    expect(await waitUntilRejected(kc, minted.token)).toBeGreaterThanOrEqual(1);
    expect(capturedOutput.join('\n')).not.toContain(minted.token);
  });

  test('binding to a Pod that does not exist is a not-found error', async () => {
    await expect(
      mintToken({
        kubeconfig: E2E_KUBECONFIG,
        namespace: ns,
        serviceAccount: 'worker',
        boundObject: { kind: 'Pod', name: 'nope' },
      }),
    ).rejects.toMatchObject({ category: 'not-found' });
  });
});
