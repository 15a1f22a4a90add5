/**
 * `can-i --as USER` without `--manifests`: the cluster answers about another user with a
 * SubjectAccessReview. Checked against what that user's own token is told
 * (SelfSubjectAccessReview).
 */
import * as k8s from '@kubernetes/client-node';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { canI, connect, mintToken, parseAccessQuery } from '../../src/runtime/index.js';
import { clientForToken } from '../../src/runtime/token-client.js';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import { capturedOutput, createServiceAccountWithRole, runCli } from './runtime-fixtures.js';

describeE2E('runtime: can-i --as (SubjectAccessReview)', () => {
  let kc: k8s.KubeConfig;
  let ns: string;
  let sa: string;
  const tokens: string[] = [];
  const cli = (...args: string[]) =>
    runCli(['can-i', ...args, '-n', ns, '--kubeconfig', E2E_KUBECONFIG as string]);

  beforeAll(async () => {
    kc = adminKubeConfig();
    ns = await createNamespace(kc, 'rt-as');
    sa = `system:serviceaccount:${ns}:deployer`;
    await createServiceAccountWithRole(kc, ns, 'deployer', [
      {
        apiGroups: ['apps'],
        resources: ['deployments'],
        verbs: ['get', 'patch'],
        resourceNames: ['web'],
      },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    ]);
    await createServiceAccountWithRole(kc, ns, 'bystander', []);
    // A Role for the group 'devs' only.
    const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'devs' },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'devs' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'devs' },
        subjects: [{ kind: 'Group', name: 'devs', apiGroup: 'rbac.authorization.k8s.io' }],
      },
    });
  });

  test('GIVEN --as a ServiceAccount WHEN asking THEN yes/no with exit codes 0/1 and the missing Permission', async () => {
    const yes = await cli('patch', 'deployments.apps/web', '--as', sa);
    expect({ code: yes.code, stdout: yes.stdout }).toEqual({ code: ExitCode.OK, stdout: 'yes\n' });
    const no = await cli('delete', 'secrets', '--as', sa);
    expect({ code: no.code, stdout: no.stdout }).toEqual({
      code: ExitCode.FINDINGS,
      stdout: 'no\n',
    });
    // A refusal never reads like a grant: it says what WOULD grant it.
    expect(no.stderr).toBe(
      `not allowed; it would be granted by Permission.verbs(['delete'], 'secrets') in a Role bound in namespace '${ns}'\n`,
    );
    // ... a cluster-wide question and a non-resource URL only a ClusterRole answers, and an
    // extension API's verb takes customVerbs
    const wouldBeGrantedBy = async (...args: string[]) =>
      JSON.parse((await cli(...args, '--as', sa, '-o', 'json')).stdout).wouldBeGrantedBy;
    expect(await wouldBeGrantedBy('list', 'nodes', '-A')).toBe(
      "Permission.verbs(['list'], 'nodes') in a ClusterRole bound by a ClusterRoleBinding",
    );
    expect(await wouldBeGrantedBy('post', '/apis/custom/hook')).toBe(
      "Permission.nonResourceUrls(['post'], '/apis/custom/hook') in a ClusterRole bound by a ClusterRoleBinding",
    );
    expect(await wouldBeGrantedBy('frobnicate', 'widgets.example.com')).toBe(
      `Permission.customVerbs(['frobnicate'], 'widgets.example.com') in a Role bound in namespace '${ns}'`,
    );
    // -o json names who was asked about: a ServiceAccount gets its groups, as its tokens do.
    const json = await cli('get', 'pods', '--subresource', 'log', '--as', sa, '-o', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      allowed: true,
      subject: {
        user: sa,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
      },
    });
  });

  test('GIVEN a ServiceAccount WHEN asked about and asking with its own token THEN the answers agree cell by cell', async () => {
    const minted = await mintToken({
      kubeconfig: E2E_KUBECONFIG,
      namespace: ns,
      serviceAccount: 'deployer',
    });
    tokens.push(minted.token);
    const client = connect({ kubeConfig: kc, namespace: ns });
    const cells: [string, string][] = [];
    for (const verb of ['get', 'list', 'patch', 'delete'])
      for (const target of [
        'deployments.apps/web',
        'deployments.apps/api',
        'configmaps',
        'secrets',
        'pods',
      ])
        cells.push([verb, target]);
    for (const [verb, target] of cells) {
      const query = parseAccessQuery(verb, target, { namespace: ns });
      const about = await canI(query, { client, as: { user: sa } });
      const own = await canI(query, { client, token: minted.token });
      expect([verb, target, about.allowed]).toEqual([verb, target, own.allowed]);
    }
    // Not all one answer: the grid has both.
    const answers = await Promise.all(
      cells.map(([verb, target]) =>
        canI(parseAccessQuery(verb, target, { namespace: ns }), { client, as: { user: sa } }),
      ),
    );
    expect(new Set(answers.map((a) => a.allowed))).toEqual(new Set([true, false]));
  });

  test('GIVEN a binding to a group WHEN asking --as a user THEN it counts only with --as-group', async () => {
    const without = await cli('list', 'secrets', '--as', 'alice');
    expect(without.code).toBe(ExitCode.FINDINGS);
    const withGroup = await cli('list', 'secrets', '--as', 'alice', '--as-group', 'devs');
    expect({ code: withGroup.code, stdout: withGroup.stdout }).toEqual({
      code: ExitCode.OK,
      stdout: 'yes\n',
    });
  });

  test('GIVEN credentials without create subjectaccessreviews WHEN asking --as THEN forbidden names the missing permission', async () => {
    const bystander = await mintToken({
      kubeconfig: E2E_KUBECONFIG,
      namespace: ns,
      serviceAccount: 'bystander',
    });
    tokens.push(bystander.token);
    const asBystander = clientForToken(connect({ kubeConfig: kc, namespace: ns }), bystander.token);
    const err = await canI(parseAccessQuery('get', 'pods', { namespace: ns }), {
      client: asBystander,
      as: { user: sa },
    }).then(
      () => undefined,
      (e: Error & { category?: string }) => e,
    );
    expect(err?.category).toBe('forbidden');
    expect(err?.message).toBe(
      `forbidden: 'system:serviceaccount:${ns}:bystander' may not create subjectaccessreviews (API group 'authorization.k8s.io') cluster-wide; ` +
        `it would be granted by Permission.verbs(['create'], 'subjectaccessreviews.authorization.k8s.io') in a ClusterRole bound by a ClusterRoleBinding`,
    );
  });

  afterAll(() => {
    const haystack = capturedOutput.join('\n');
    for (const token of tokens) expect(haystack.includes(token)).toBe(false);
  });
});
