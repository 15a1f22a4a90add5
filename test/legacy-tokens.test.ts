import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rbacPolicyFrom } from '../src/rbac/kube-object.js';
import { findLegacyTokens, rulesGrantedTo } from '../src/rbac/legacy-tokens.js';
import { parseManifests } from '../src/rbac/manifest-reader.js';
import { rulesAllow } from '../src/rbac/policy-rule.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/legacy/legacy-tokens.yaml');
const objects = parseManifests(readFileSync(FIXTURE, 'utf8'), FIXTURE);

describe('findLegacyTokens', () => {
  test('finds every service-account-token Secret and no other Secret', () => {
    // WHEN
    const tokens = findLegacyTokens(objects);
    // THEN (sorted by namespace, then name; the Opaque copy is not a legacy token)
    expect(tokens.map((t) => `${t.namespace}/${t.secret}:${t.serviceAccount}`)).toEqual([
      'monitoring/exporter-token:exporter',
      'shop/ci-token:ci',
      'shop/ci-token-old:ci',
    ]);
  });

  test('names the workloads of the same namespace that mount or read each one', () => {
    // WHEN
    const byName = new Map(findLegacyTokens(objects).map((t) => [t.secret, t]));
    // THEN a volume in a Deployment, an env reference in a CronJob's pod template; the
    // Deployment of another namespace that names 'ci-token' reads a Secret of its own namespace
    expect(byName.get('ci-token')?.usedBy).toEqual([
      { kind: 'Deployment', name: 'deployer', how: 'volume' },
    ]);
    expect(byName.get('ci-token-old')?.usedBy).toEqual([
      { kind: 'CronJob', name: 'report', how: 'env' },
    ]);
    expect(byName.get('exporter-token')?.usedBy).toEqual([]);
  });

  test('reports the last-used date where the server records it, and says what to do', () => {
    // WHEN
    const [exporter, ci] = findLegacyTokens(objects);
    // THEN
    expect(ci.lastUsed).toBe('2026-11-30');
    expect(exporter.lastUsed).toBeUndefined();
    expect(ci.steps[0]).toMatch(
      /Deployment deployer reads it \(volume\): give it a projected token/,
    );
    expect(ci.steps.at(-1)).toMatch(
      /delete secret shop\/ci-token once nothing uses it \(last used 2026-11-30/,
    );
    expect(exporter.steps.at(-1)).toMatch(/kubernetes.io\/legacy-token-last-used label/);
  });

  test('objects without a namespace take the one given (kubectl apply -n)', () => {
    // GIVEN a namespace-less Secret
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: 't', annotations: { 'kubernetes.io/service-account.name': 'a' } },
    };
    // WHEN / THEN
    expect(findLegacyTokens([secret], 'tenant-1')[0].namespace).toBe('tenant-1');
  });
});

describe('rulesGrantedTo', () => {
  const policy = rbacPolicyFrom(objects);

  test('splits what the bindings grant by where they grant it', () => {
    // WHEN
    const granted = rulesGrantedTo(policy, 'shop', 'ci');
    // THEN every grant of the Role (bound in shop) is there, and nothing else in shop
    const req = (verb: string, apiGroup: string, resource: string) => ({
      verb,
      apiGroup,
      resource,
      subresource: '',
      name: '',
      namespace: 'shop',
    });
    expect(rulesAllow(granted.namespaced, req('patch', 'apps', 'deployments'))).toBe(true);
    expect(rulesAllow(granted.namespaced, req('get', '', 'secrets'))).toBe(true);
    expect(rulesAllow(granted.namespaced, req('list', '', 'secrets'))).toBe(false);
    expect(rulesAllow(granted.namespaced, req('delete', 'apps', 'deployments'))).toBe(false);
    // the ClusterRoleBinding grants everywhere; the RoleBinding in staging names a role not read
    expect(granted.cluster).toEqual([
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] },
    ]);
    expect(granted.otherNamespaces).toEqual({});
    expect(granted.unresolved).toEqual([
      'RoleBinding staging/ci-reads-staging -> ClusterRole view',
    ]);
  });

  test('a ServiceAccount nothing binds is granted nothing', () => {
    // WHEN
    const granted = rulesGrantedTo(policy, 'monitoring', 'exporter');
    // THEN
    expect(granted).toEqual({
      namespaced: [],
      otherNamespaces: {},
      cluster: [],
      unresolved: [],
      everyServiceAccount: [],
    });
  });
});
