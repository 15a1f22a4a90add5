import { explainForbidden } from '../src/runtime/permission-hint.js';

describe('explainForbidden', () => {
  test('GIVEN a namespaced refusal WHEN explained THEN who may not do what where, and what would grant it', () => {
    expect(
      explainForbidden(
        { verb: 'create', resource: 'serviceaccounts/token', name: 'deployer', namespace: 'shop' },
        'serviceaccounts "deployer" is forbidden: User "system:serviceaccount:shop:ci" cannot create resource',
      ),
    ).toBe(
      "forbidden: 'system:serviceaccount:shop:ci' may not create serviceaccounts/token 'deployer' in namespace 'shop'; it would be granted by Permission.verbs(['create'], 'serviceaccounts/token', 'deployer') in a Role bound in namespace 'shop'",
    );
  });

  test('GIVEN a cluster-wide refusal WHEN explained THEN a ClusterRole with a ClusterRoleBinding would grant it', () => {
    expect(
      explainForbidden({
        verb: 'list',
        resource: 'clusterrolebindings',
        apiGroup: 'rbac.authorization.k8s.io',
      }),
    ).toMatch(
      /cluster-wide; it would be granted by Permission.verbs\(\['list'\], 'clusterrolebindings.rbac.authorization.k8s.io'\) in a ClusterRole bound by a ClusterRoleBinding$/,
    );
  });
});
