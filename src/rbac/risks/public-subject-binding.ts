/**
 * `public-subject-binding`: a binding to `system:anonymous`, `system:unauthenticated` or
 * `system:authenticated`.
 */
import type { RoleObject, Subject } from '../kube-object.js';
import { ownBinding, rolesOf } from './_roles.js';
import { findingOf, type ObjectCheck, type RiskRuleInfo } from './risk-rule.js';

/** Subjects that stand for everyone, or for nobody logged in, and what they mean. */
export const PUBLIC_SUBJECTS: readonly (Pick<Subject, 'kind' | 'name'> & {
  readonly who: string;
})[] = [
  { kind: 'User', name: 'system:anonymous', who: 'every unauthenticated request' },
  { kind: 'Group', name: 'system:unauthenticated', who: 'every unauthenticated request' },
  {
    kind: 'Group',
    name: 'system:authenticated',
    who: 'every user and every ServiceAccount of the cluster',
  },
];

/** The description of `public-subject-binding`. */
export const PUBLIC_SUBJECT_BINDING: RiskRuleInfo = {
  id: 'public-subject-binding',
  severity: 'error',
  title: 'binding to anonymous or all authenticated users',
  scope: 'object',
  explanation:
    "system:anonymous and system:unauthenticated are whoever reaches the API server without credentials, and system:authenticated is every user and every ServiceAccount token of every namespace: the role is granted to people and workloads nobody chose; a warning when the role only gets non-resource URLs (health, version), as Kubernetes' own system:public-info-viewer",
  fix: 'bind the role to the users, groups or ServiceAccounts that need it',
};

/**
 * A role that only reads non-resource URLs (health and version endpoints), as Kubernetes' own
 * `system:public-info-viewer` that it binds to everyone: a warning, not an error.
 */
function readsOnlyPublicInfo(role: RoleObject | undefined): boolean {
  return (
    role !== undefined &&
    role.rules.length > 0 &&
    role.rules.every(
      (r) =>
        (r.nonResourceURLs?.length ?? 0) > 0 && r.verbs.every((v) => v === 'get' || v === 'head'),
    )
  );
}

/**
 * Reports a binding with a public subject, naming the subject and the role: an error, a warning
 * when the role only reads non-resource URLs.
 */
export const publicSubjectBinding: ObjectCheck = (object, context) => {
  const binding = ownBinding(object, context);
  if (!binding) return [];
  // Loops, not callbacks: this runs for every construct's bindings at synth (see `lintObject`).
  const publics: (typeof PUBLIC_SUBJECTS)[number][] = [];
  for (const s of binding.subjects) {
    for (const p of PUBLIC_SUBJECTS) if (p.kind === s.kind && p.name === s.name) publics.push(p);
  }
  if (publics.length === 0) return [];
  const harmless = readsOnlyPublicInfo(rolesOf(context).roleOf(binding));
  return publics.map((p) => {
    const note = harmless ? ' (it only reads non-resource URLs)' : '';
    const finding = findingOf(
      PUBLIC_SUBJECT_BINDING,
      `binds ${binding.roleRef.kind.toLowerCase()} '${binding.roleRef.name}' to ${p.kind.toLowerCase()} '${p.name}': ${p.who}${note}`,
      context,
    );
    return harmless ? { ...finding, severity: 'warning' as const } : finding;
  });
};
