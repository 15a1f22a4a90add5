import { explainForbidden, permissionFor } from '../src/runtime/permission-hint.js';

describe('permissionFor', () => {
  test('names a resource in kubectl notation and restricts by name where RBAC can', () => {
    expect(
      permissionFor({ verb: 'patch', resource: 'deployments', apiGroup: 'apps', name: 'web' }),
    ).toBe("Permission.verbs(['patch'], 'deployments.apps', 'web')");
    expect(permissionFor({ verb: 'create', resource: 'secrets', name: 'x' })).toBe(
      "Permission.verbs(['create'], 'secrets')",
    );
    expect(permissionFor({ verb: 'get', resource: 'deployments/scale', apiGroup: 'apps' })).toBe(
      "Permission.verbs(['get'], 'deployments.apps/scale')",
    );
  });

  test("an extension API's verb, which Kubernetes does not know, takes customVerbs", () => {
    expect(
      permissionFor({
        verb: 'frobnicate',
        resource: 'widgets',
        apiGroup: 'example.com',
        name: 'w',
      }),
    ).toBe("Permission.customVerbs(['frobnicate'], 'widgets.example.com', 'w')");
    expect(
      permissionFor({ verb: 'escalate', resource: 'roles', apiGroup: 'rbac.authorization.k8s.io' }),
    ).toBe("Permission.verbs(['escalate'], 'roles.rbac.authorization.k8s.io')");
  });

  test('never names a resource for top-level create or collection verbs (RBAC cannot restrict them by name)', () => {
    expect(permissionFor({ verb: 'create', resource: 'configmaps', name: 'x' })).toBe(
      "Permission.verbs(['create'], 'configmaps')",
    );
    expect(permissionFor({ verb: 'deletecollection', resource: 'pods', name: 'x' })).toBe(
      "Permission.verbs(['deletecollection'], 'pods')",
    );
    expect(permissionFor({ verb: 'list', resource: 'pods', name: 'x' })).toBe(
      "Permission.verbs(['list'], 'pods')",
    );
    // create on a subresource of a named object can be restricted by the object's name
    expect(permissionFor({ verb: 'create', resource: 'serviceaccounts/token', name: 'ci' })).toBe(
      "Permission.verbs(['create'], 'serviceaccounts/token', 'ci')",
    );
  });

  test('cluster-wide refusals point at a ClusterRole', () => {
    expect(
      explainForbidden({
        verb: 'list',
        resource: 'clusterrolebindings',
        apiGroup: 'rbac.authorization.k8s.io',
      }),
    ).toMatch(/cluster-wide; it is granted by .* in a ClusterRole$/);
  });
});
