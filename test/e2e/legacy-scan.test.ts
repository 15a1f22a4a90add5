/**
 * `legacy scan` and `legacy plan` against the real API server: legacy token Secrets created as
 * a user asks for one on 1.20 (the type and the ServiceAccount annotation), a Pod mounting one,
 * and the plan granting what the account's Role grants. Their data is never printed.
 */
import * as k8s from '@kubernetes/client-node';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import { capturedOutput, createServiceAccountWithRole, runCli } from './runtime-fixtures.js';

// Data the token controller would have written; here a marker that must never be printed.
const MARKER = 'legacy-marker-value-that-must-never-be-printed';

describeE2E('legacy scan and plan (real API server)', () => {
  const kc = adminKubeConfig();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  let ns: string;

  beforeAll(async () => {
    ns = await createNamespace(kc, 'legacy');
    await createServiceAccountWithRole(kc, ns, 'ci', [
      {
        apiGroups: ['apps'],
        resources: ['deployments'],
        verbs: ['get', 'patch'],
        resourceNames: ['web'],
      },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
    ]);
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'ci-token', annotations: { 'kubernetes.io/service-account.name': 'ci' } },
        type: 'kubernetes.io/service-account-token',
        stringData: { token: MARKER },
      },
    });
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'unrelated' }, type: 'Opaque', stringData: { password: MARKER } },
    });
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'uses-it' },
        spec: {
          serviceAccountName: 'ci',
          automountServiceAccountToken: false,
          containers: [
            {
              name: 'main',
              image: 'example.invalid/app:1',
              volumeMounts: [{ name: 't', mountPath: '/t' }],
            },
          ],
          volumes: [{ name: 't', secret: { secretName: 'ci-token' } }],
        },
      },
    });
  });

  afterAll(() => {
    // No legacy Secret's data in anything the CLI printed.
    expect(capturedOutput.join('\n')).not.toContain(MARKER);
  });

  test('scan lists the legacy Secret, its ServiceAccount and the Pod that mounts it; exit 1', async () => {
    // WHEN
    const { code, stdout } = await runCli([
      'legacy',
      'scan',
      '-n',
      ns,
      '--kubeconfig',
      E2E_KUBECONFIG!,
    ]);
    // THEN
    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`${ns}\\s+ci-token\\s+ci\\s+unknown\\s+Pod/uses-it`));
    expect(stdout).not.toContain('unrelated');
    expect(stdout).toContain(`delete secret ${ns}/ci-token once nothing uses it`);
  });

  test('scan -o json carries the same, and a namespace without legacy tokens exits 0', async () => {
    // WHEN
    const { code, stdout } = await runCli([
      'legacy',
      'scan',
      '-n',
      ns,
      '--kubeconfig',
      E2E_KUBECONFIG!,
      '-o',
      'json',
    ]);
    const empty = await createNamespace(kc, 'legacy-none');
    const none = await runCli(['legacy', 'scan', '-n', empty, '--kubeconfig', E2E_KUBECONFIG!]);
    // THEN
    expect(code).toBe(1);
    const { tokens } = JSON.parse(stdout) as { tokens: { secret: string; usedBy: unknown[] }[] };
    expect(tokens.map((t) => [t.secret, t.usedBy])).toEqual([
      ['ci-token', [{ kind: 'Pod', name: 'uses-it', how: 'volume' }]],
    ]);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('no legacy token secrets found');
  });

  test('plan prints a ServiceAccountAccess granting what the Role grants', async () => {
    // WHEN
    const { code, stdout, stderr } = await runCli([
      'legacy',
      'plan',
      '-n',
      ns,
      '--kubeconfig',
      E2E_KUBECONFIG!,
    ]);
    // THEN
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(stdout).toContain(`new ServiceAccountAccess(chart, 'ci', {`);
    expect(stdout).toContain(`namespace: '${ns}',`);
    expect(stdout).toContain("Permission.verbs(['get', 'patch'], 'deployments.apps', 'web'),");
    expect(stdout).toContain("Permission.read('configmaps'),");
    expect(stdout).toContain("store: TokenStore.secret('ci-access-token')");
    // the server's own bindings of system:authenticated and system:serviceaccounts are not
    // copied into a ClusterRole: every ServiceAccount holds them anyway, and the plan says so
    expect(stdout).not.toMatch(/clusterPermissions|nonResourceUrls|selfsubject/);
    for (const binding of [
      'system:basic-user',
      'system:discovery',
      'system:public-info-viewer',
      'system:service-account-issuer-discovery',
    ])
      expect(stdout).toContain(`//   ClusterRoleBinding ${binding} -> ClusterRole ${binding}\n`);
    // nothing to acknowledge: the Role's grants fail no lint rule of error severity
    expect(stdout).not.toMatch(/acknowledge|CLUSTER_WIDE_GRANT/);
  });
});
