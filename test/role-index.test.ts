import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapRoles } from '../src/rbac/bootstrap-policy.js';
import type { KubeObject, RoleObject } from '../src/rbac/kube-object.js';
import { readManifestPaths } from '../src/rbac/manifest-reader.js';
import { roleIndexOf, type RoleIndex } from '../src/rbac/role-index.js';

// roleIndexOf indexes a frozen list of extra roles (the bootstrap roles) once and shares it
// between calls. The oracle: the same index over an unfrozen copy, which is never shared.

const CORPUS = new URL('../../shared/corpora/real-world-rbac/', import.meta.url).pathname;
const FILES = readdirSync(CORPUS).filter((f) => f.endsWith('.yaml'));

function thawed(roles: readonly RoleObject[]): RoleObject[] {
  return JSON.parse(JSON.stringify(roles)) as RoleObject[];
}

/** Every answer of an index about the manifests' bindings and roles. */
function answers(index: RoleIndex) {
  return {
    roleOf: index.bindings.map((b) => index.roleOf(b)),
    definesRole: index.bindings.map((b) =>
      index.definesRole(b.roleRef.kind, b.namespace, b.roleRef.name),
    ),
    bindingsOf: index.roles.map((r) => index.bindingsOf(r)),
  };
}

describe('bootstrapRoles', () => {
  test('are one shared list, frozen through', () => {
    // GIVEN
    const roles = bootstrapRoles();
    // THEN
    expect(bootstrapRoles()).toBe(roles);
    expect(Object.isFrozen(roles)).toBe(true);
    for (const role of roles) {
      expect(Object.isFrozen(role)).toBe(true);
      for (const rule of role.rules) {
        expect(Object.isFrozen(rule)).toBe(true);
        expect(Object.isFrozen(rule.verbs)).toBe(true);
      }
    }
    expect(() => (roles as RoleObject[]).push(roles[0])).toThrow();
  });
});

describe('roleIndexOf with shared extra roles', () => {
  test.each(FILES)('answers as an unshared index does over %s', async (file) => {
    // GIVEN
    const { objects } = await readManifestPaths([join(CORPUS, file)]);
    const copy = thawed(bootstrapRoles());
    // WHEN
    const first = roleIndexOf(objects, bootstrapRoles());
    const second = roleIndexOf(objects, bootstrapRoles());
    const unshared = roleIndexOf(objects, copy);
    // THEN
    expect(answers(first)).toEqual(answers(unshared));
    expect(answers(second)).toEqual(answers(unshared));
  });

  test('an unfrozen list of extra roles is read again on every call', () => {
    // GIVEN
    const binding: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'b' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'extra' },
      subjects: [{ kind: 'User', name: 'alice' }],
    };
    const extra: RoleObject[] = [];
    const before = roleIndexOf([binding], extra);
    // WHEN
    extra.push({ kind: 'ClusterRole', name: 'extra', namespace: '', rules: [], annotations: {} });
    const after = roleIndexOf([binding], extra);
    // THEN
    expect(before.roleOf(before.bindings[0])).toBeUndefined();
    expect(after.roleOf(after.bindings[0])?.name).toBe('extra');
  });
});
