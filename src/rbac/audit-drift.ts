/**
 * Granted versus used: for each ServiceAccount of a set of manifests, the grants it never used
 * in the audit log's window (candidates to remove) and the requests it was refused (403).
 * A grant is one verb on one resource (or URL) of one rule of a bound role, in the binding's
 * scope: used when an allowed request of the ServiceAccount in that scope matches it.
 */
import type { RequestUsage } from './audit-usage.js';
import {
  parseServiceAccountUser,
  serviceAccountUser,
  subjectAppliesToServiceAccount,
} from './authorizer.js';
import type { KubeObject, RbacPolicySet, RoleObject } from './kube-object.js';
import { ruleAllows, type AccessRequest, type PolicyRule } from './policy-rule.js';

/** One grant not used in the log window. */
export interface UnusedGrant {
  /** `RoleBinding shop/deployer` or `ClusterRoleBinding x`. */
  readonly binding: string;
  /** `Role shop/deployer` or `ClusterRole x`. */
  readonly role: string;
  /** Index of the rule in the role. */
  readonly ruleIndex: number;
  /** The unused part: one verb on one resource (or URL), with the rule's names. */
  readonly grant: PolicyRule;
}

/** The drift of one ServiceAccount. */
export interface ServiceAccountDrift {
  /** `NAMESPACE/NAME`. */
  readonly serviceAccount: string;
  /** Grants never used. */
  readonly unused: readonly UnusedGrant[];
  /** Requests the authorizer refused. */
  readonly denied: readonly RequestUsage[];
  /** Allowed requests in the log (all kinds). */
  readonly used: number;
}

function describe(obj: { kind: string; namespace: string; name: string }): string {
  return obj.namespace ? `${obj.kind} ${obj.namespace}/${obj.name}` : `${obj.kind} ${obj.name}`;
}

/** The requests a usage entry stands for, as the authorizer sees them. */
function requestsOf(u: RequestUsage): AccessRequest[] {
  if (u.path !== undefined) return [{ verb: u.verb, path: u.path }];
  const base = {
    verb: u.verb,
    apiGroup: u.apiGroup,
    resource: u.resource,
    subresource: u.subresource,
    namespace: u.namespace,
  };
  const names = u.nameless ? [''] : [];
  return [...names, ...u.names].map((name) => ({ ...base, name }));
}

/** Splits a rule into one rule per verb and resource (or URL), keeping its names. */
function grantsOf(rule: PolicyRule): PolicyRule[] {
  if (rule.nonResourceURLs?.length)
    return rule.verbs.flatMap((verb) =>
      rule.nonResourceURLs!.map((url) => ({ verbs: [verb], nonResourceURLs: [url] })),
    );
  return rule.verbs.flatMap((verb) =>
    (rule.apiGroups ?? []).flatMap((group) =>
      (rule.resources ?? []).map((resource) => ({
        verbs: [verb],
        apiGroups: [group],
        resources: [resource],
        ...(rule.resourceNames?.length ? { resourceNames: [...rule.resourceNames] } : {}),
      })),
    ),
  );
}

function used(grant: PolicyRule, usage: readonly RequestUsage[], scope: string): boolean {
  return usage.some((u) => {
    if (!u.allowed) return false;
    // A RoleBinding grants only in its namespace (and no URLs).
    if (scope !== '' && (u.path !== undefined || u.namespace !== scope)) return false;
    // Names beyond the kept ones are unknown: count the grant as used rather than wrongly unused.
    if (u.namesTruncated && u.path === undefined && (grant.resourceNames?.length ?? 0) > 0) {
      const probe = {
        verb: u.verb,
        apiGroup: u.apiGroup,
        resource: u.resource,
        subresource: u.subresource,
        namespace: u.namespace,
        name: grant.resourceNames![0],
      };
      if (ruleAllows(grant, probe)) return true;
    }
    return requestsOf(u).some((r) => ruleAllows(grant, r));
  });
}

/** The ServiceAccounts a manifest set declares or binds, as `NAMESPACE/NAME`, sorted. */
export function serviceAccountsOf(objects: readonly KubeObject[], policy: RbacPolicySet): string[] {
  const found = new Set<string>();
  for (const o of objects) {
    if (o.kind === 'ServiceAccount' && o.metadata?.name)
      found.add(`${o.metadata.namespace ?? 'default'}/${o.metadata.name}`);
  }
  for (const b of policy.bindings) {
    for (const s of b.subjects) {
      const namespace = s.namespace || b.namespace;
      if (s.kind === 'ServiceAccount' && namespace) found.add(`${namespace}/${s.name}`);
    }
  }
  return [...found].sort();
}

/**
 * The drift of each ServiceAccount in `serviceAccounts` (`NAMESPACE/NAME`): grants of its
 * bound roles that no allowed request in `usage` matched, and its refused requests.
 */
export function auditDrift(
  policy: RbacPolicySet,
  serviceAccounts: readonly string[],
  usage: readonly RequestUsage[],
): ServiceAccountDrift[] {
  const roles = new Map<string, RoleObject>();
  for (const r of policy.roles) roles.set(`${r.kind}/${r.namespace}/${r.name}`, r);
  return serviceAccounts.map((key) => {
    const [namespace, name] = key.split('/', 2);
    const user = serviceAccountUser(namespace, name);
    const mine = usage.filter((u) => u.identity === user);
    const unused: UnusedGrant[] = [];
    for (const b of policy.bindings) {
      if (
        !b.subjects.some((s) =>
          subjectAppliesToServiceAccount(
            s,
            namespace,
            name,
            b.kind === 'RoleBinding' ? b.namespace : '',
          ),
        )
      )
        continue;
      const roleNs = b.roleRef.kind === 'Role' ? b.namespace : '';
      const role = roles.get(`${b.roleRef.kind}/${roleNs}/${b.roleRef.name}`);
      if (!role) continue;
      const scope = b.kind === 'RoleBinding' ? b.namespace : '';
      role.rules.forEach((rule, ruleIndex) => {
        for (const grant of grantsOf(rule)) {
          if (scope !== '' && grant.nonResourceURLs) continue;
          if (!used(grant, mine, scope))
            unused.push({ binding: describe(b), role: describe(role), ruleIndex, grant });
        }
      });
    }
    return {
      serviceAccount: key,
      unused,
      denied: mine.filter((u) => !u.allowed),
      used: mine.filter((u) => u.allowed).reduce((n, u) => n + u.count, 0),
    };
  });
}

/** `NAMESPACE/NAME` of a ServiceAccount user, or undefined for other users. */
export function serviceAccountKey(identity: string): string | undefined {
  const sa = parseServiceAccountUser(identity);
  return sa ? `${sa.namespace}/${sa.name}` : undefined;
}
