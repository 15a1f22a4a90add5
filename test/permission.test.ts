import * as kplus from 'cdk8s-plus-27';
import { Permission } from '../src/index.js';

describe('Permission', () => {
  test('read is get, list and watch; names restrict it', () => {
    expect(Permission.read('pods').rule).toEqual({
      verbs: ['get', 'list', 'watch'],
      apiGroups: [''],
      resources: ['pods'],
    });
    expect(Permission.read('deployments.apps/scale', 'web').rule).toEqual({
      verbs: ['get', 'list', 'watch'],
      apiGroups: ['apps'],
      resources: ['deployments/scale'],
      resourceNames: ['web'],
    });
  });

  test('accepts kubectl notation, ApiResource and extension groups', () => {
    expect(Permission.read('pods.metrics.k8s.io').rule.apiGroups).toEqual(['metrics.k8s.io']);
    expect(Permission.verbs(['get'], kplus.ApiResource.DEPLOYMENTS).rule).toEqual({
      verbs: ['get'],
      apiGroups: ['apps'],
      resources: ['deployments'],
    });
    expect(Permission.read(kplus.ApiResource.PODS).rule.apiGroups).toEqual(['']);
    expect(Permission.read('widgets.example.com').rule.resources).toEqual(['widgets']);
    expect(Permission.nonResourceUrls(['get'], '/healthz', '/metrics*').rule).toEqual({
      verbs: ['get'],
      nonResourceURLs: ['/healthz', '/metrics*'],
    });
    expect(
      Permission.of({ verbs: ['get'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments'] })
        .rule.resources,
    ).toEqual(['pods', 'deployments']);
  });

  test('custom verbs are kept only when declared as such', () => {
    expect(() => Permission.verbs(['frobnicate'], 'widgets.example.com')).toThrow(
      /verb 'frobnicate' is unknown \(known: get, list.*\); declare an extension API's verb with Permission.customVerbs\(\)/,
    );
    expect(Permission.customVerbs(['frobnicate'], 'widgets.example.com').customVerbs).toEqual([
      'frobnicate',
    ]);
  });

  test.each([
    [
      'deployments',
      /resource 'deployments' is unknown: the core API group has no resource 'deployments'; did you mean 'deployments.apps'\?/,
    ],
    [
      'pod',
      /resource 'pod' is unknown: the core API group has no resource 'pod' \(RBAC uses plural names\); did you mean 'pods'\?$/,
    ],
    // Every hint is the complete right answer, not one step towards it.
    ['deployment', /\(RBAC uses plural names\); did you mean 'deployments.apps'\?$/],
    [
      'Pods',
      /resource 'Pods' is malformed: expected 'resource\[.group\]\[\/subresource\]' in lowercase, .*; did you mean 'pods'\?$/,
    ],
    ['Deployments.Apps/Scale', /is malformed: .*; did you mean 'deployments.apps\/scale'\?$/],
    ['Ingress', /did you mean 'ingresses.networking.k8s.io'\?$/],
    ['pods/', /resource 'pods\/' is malformed/],
    [
      'pods/shell',
      /resource 'pods\/shell' is unknown: 'pods' has no subresource 'shell' \(known: attach, /,
    ],
    ['deployments.apps/log', /'deployments' has no subresource 'log'/],
    ['a/b/c', /resource 'a\/b\/c' is malformed/],
  ])('rejects the resource string %s', (resource, message) => {
    expect(() => Permission.read(resource)).toThrow(message);
  });

  test('rejects empty verbs, bad names and create restricted by name', () => {
    expect(() => Permission.verbs([], 'pods')).toThrow(/verbs must not be empty/);
    expect(() => Permission.read('pods', 'a/b')).toThrow(
      /resourceNames entry 'a\/b' is invalid: .*only signers.certificates.k8s.io has names with '\/'/,
    );
    expect(() => Permission.verbs(['create'], 'configmaps', 'x')).toThrow(
      /verb 'create' cannot be restricted by resourceNames/,
    );
    // create of a subresource names the parent object, so names do apply.
    expect(Permission.verbs(['create'], 'serviceaccounts/token', 'ci').rule.resourceNames).toEqual([
      'ci',
    ]);
    expect(() => Permission.nonResourceUrls(['get'])).toThrow(/urls must not be empty/);
    expect(() => Permission.nonResourceUrls(['get'], 'healthz')).toThrow(
      /nonResourceURL 'healthz' is invalid: it must start with '\/'/,
    );
    expect(() => Permission.nonResourceUrls(['list'], '/healthz')).toThrow(
      /verb 'list' does not apply to non-resource URLs/,
    );
    expect(() => Permission.of({ verbs: ['get'], resources: [] })).toThrow(
      /resources must not be empty/,
    );
  });

  test('rejects names given as one list (JavaScript): it rendered resourceNames: [[a, b]]', () => {
    const names = ['a', 'b'] as unknown as string;
    expect(() => Permission.read('configmaps', names)).toThrow(
      `Permission for 'configmaps': names[0] must be a string (e.g. 'web', one argument each), got ["a","b"]`,
    );
    expect(() => Permission.verbs(['get'], 'configmaps', 'a', 7 as unknown as string)).toThrow(
      `Permission for 'configmaps': names[1] must be a string`,
    );
    expect(Permission.read('configmaps', 'a', 'b').rule.resourceNames).toEqual(['a', 'b']);
  });
});

describe('Permission on signers (names with a slash)', () => {
  // cert-manager's approver role (corpora/real-world-rbac/cert-manager.yaml) and Kubernetes'
  // own (system:certificates.k8s.io:kube-apiserver-client-approver) name signers this way.
  test('GIVEN signer names, one per domain with * WHEN declared THEN kept as resourceNames', () => {
    const p = Permission.verbs(
      ['approve'],
      'signers.certificates.k8s.io',
      'issuers.cert-manager.io/*',
      'kubernetes.io/kube-apiserver-client',
    );
    expect(p.rule).toEqual({
      verbs: ['approve'],
      apiGroups: ['certificates.k8s.io'],
      resources: ['signers'],
      resourceNames: ['issuers.cert-manager.io/*', 'kubernetes.io/kube-apiserver-client'],
    });
    expect(
      Permission.of({
        verbs: ['sign'],
        apiGroups: ['certificates.k8s.io'],
        resources: ['signers'],
        resourceNames: ['example.com/my-signer'],
      }).rule.resourceNames,
    ).toEqual(['example.com/my-signer']);
  });

  test("GIVEN a signer name with '%' or empty WHEN declared THEN refused, naming the entry", () => {
    expect(() => Permission.verbs(['approve'], 'signers.certificates.k8s.io', 'a%2Fb')).toThrow(
      /resourceNames entry 'a%2Fb' is invalid: names must be non-empty and contain no '%'/,
    );
  });
});

describe('Permission.of with custom verbs', () => {
  test('GIVEN an extension API verb over several resources and groups WHEN declared THEN kept, as customVerbs keeps it', () => {
    const p = Permission.of({
      verbs: ['publish', 'get'],
      apiGroups: ['*'],
      resources: ['topics', 'queues'],
      customVerbs: ['publish'],
    });
    expect(p.rule).toEqual({
      verbs: ['publish', 'get'],
      apiGroups: ['*'],
      resources: ['topics', 'queues'],
    });
    expect(p.customVerbs).toEqual(['publish']);
  });

  test('GIVEN an unknown verb not declared custom WHEN given to Permission.of THEN it throws naming it', () => {
    expect(() =>
      Permission.of({ verbs: ['publish'], apiGroups: ['*'], resources: ['topics'] }),
    ).toThrow(
      /Permission.of: verb 'publish' is unknown .*; declare an extension API's verb with Permission.customVerbs\(\), or customVerbs in Permission.of$/,
    );
  });

  test('is immutable, and equal grants without names are one instance', () => {
    // GIVEN
    const first = Permission.read(kplus.ApiResource.PODS);
    // WHEN
    const again = Permission.read('pods');
    const named = Permission.read('pods', 'web');
    // THEN
    expect(again).toBe(first);
    expect(named).not.toBe(Permission.read('pods', 'web'));
    expect(Permission.verbs(['get'], 'pods')).not.toBe(first);
    for (const p of [first, named, Permission.of({ verbs: ['get'], resources: ['pods'] })]) {
      expect(Object.isFrozen(p.rule)).toBe(true);
      expect(Object.values(p.rule).every((list) => Object.isFrozen(list))).toBe(true);
      expect(Object.isFrozen(p.customVerbs)).toBe(true);
    }
  });

  test('a bad grant throws every time, not only when first built', () => {
    expect(() => Permission.verbs(['frob'], 'pods')).toThrow(/verb 'frob' is unknown/);
    expect(() => Permission.verbs(['frob'], 'pods')).toThrow(/verb 'frob' is unknown/);
    expect(() => Permission.verbs(['get,list'], 'pods')).toThrow(/verb 'get,list' is invalid/);
    expect(Permission.customVerbs(['frob'], 'pods').customVerbs).toEqual(['frob']);
  });
});
