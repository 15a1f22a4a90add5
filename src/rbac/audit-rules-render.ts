/**
 * Observed rules (`rulesFromUsage`) as something to paste: Role/ClusterRole manifests, or
 * `Permission` code for a cdk8s app's `ServiceAccountAccess`.
 */
import type { ObservedRules } from './audit-rules.js';
import type { KubeObject } from './kube-object.js';
import { KNOWN_VERBS, READ_VERBS, type PolicyRule } from './policy-rule.js';
import { formatResource, resourceNotationProblem } from './resource-notation.js';

/** The Role (per namespace) and ClusterRole (for `''`) holding the observed rules. */
export function observedRoleManifests(
  observed: readonly ObservedRules[],
  name: string,
): KubeObject[] {
  return observed.map(({ namespace, rules }) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: namespace ? 'Role' : 'ClusterRole',
    metadata: namespace ? { name, namespace } : { name },
    rules: rules.map((r) => ({ ...r })),
  }));
}

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

function list(values: readonly string[]): string {
  return `[${values.map(quote).join(', ')}]`;
}

function isRead(verbs: readonly string[]): boolean {
  return verbs.length === READ_VERBS.length && READ_VERBS.every((v) => verbs.includes(v));
}

/** One rule as a `Permission` expression. */
export function permissionExpression(rule: PolicyRule): string {
  if (rule.nonResourceURLs?.length) {
    return `Permission.nonResourceUrls(${list(rule.verbs)}, ${rule.nonResourceURLs.map(quote).join(', ')})`;
  }
  const groups = rule.apiGroups ?? [];
  const resources = rule.resources ?? [];
  const names = rule.resourceNames ?? [];
  if (groups.length === 1 && resources.length === 1) {
    const [resource, subresource = ''] = resources[0].split('/', 2);
    const notation = formatResource({ apiGroup: groups[0], resource, subresource });
    if (resourceNotationProblem(notation) === undefined) {
      const args = [quote(notation), ...names.map(quote)].join(', ');
      if (isRead(rule.verbs) && names.length === 0) return `Permission.read(${args})`;
      const custom = rule.verbs.some((v) => !KNOWN_VERBS.includes(v));
      return `Permission.${custom ? 'customVerbs' : 'verbs'}(${list(rule.verbs)}, ${args})`;
    }
  }
  const fields = [
    `verbs: ${list(rule.verbs)}`,
    `apiGroups: ${list(groups)}`,
    `resources: ${list(resources)}`,
    ...(names.length ? [`resourceNames: ${list(names)}`] : []),
  ];
  return `Permission.of({ ${fields.join(', ')} })`;
}

function block(name: string, doc: string, rules: readonly PolicyRule[]): string {
  const items = rules.map((r) => `  ${permissionExpression(r)},\n`).join('');
  const list = items ? `[\n${items}]` : '[]';
  return `/** ${doc} */\nexport const ${name}: Permission[] = ${list};\n`;
}

/**
 * TypeScript for a cdk8s app: `permissions` (the ServiceAccount's own namespace, for
 * `ServiceAccountAccess`'s `permissions`), `clusterPermissions` (for `clusterPermissions`)
 * and, when the identity also acted in other namespaces, `permissionsByNamespace`.
 */
export function observedPermissionCode(
  observed: readonly ObservedRules[],
  identity: string,
  ownNamespace: string | undefined,
): string {
  const own = observed.find((o) => o.namespace !== '' && o.namespace === ownNamespace);
  const cluster = observed.find((o) => o.namespace === '');
  const others = observed.filter((o) => o.namespace !== '' && o !== own);
  const parts = [
    `// The rules observed for ${identity} in the audit log (access-tokens audit rules).\n`,
    `import { Permission } from 'cdk8s-access-tokens';\n`,
  ];
  parts.push(
    block(
      'permissions',
      `Namespace ${ownNamespace ?? '(none)'}: ServiceAccountAccess permissions.`,
      own?.rules ?? [],
    ),
  );
  parts.push(
    block(
      'clusterPermissions',
      'Cluster-wide: ServiceAccountAccess clusterPermissions (a risk to acknowledge).',
      cluster?.rules ?? [],
    ),
  );
  if (others.length > 0) {
    const entries = others
      .map(
        (o) =>
          `  ${quote(o.namespace)}: [\n${o.rules.map((r) => `    ${permissionExpression(r)},\n`).join('')}  ],\n`,
      )
      .join('');
    parts.push(
      `/** Other namespaces: ServiceAccountAccess grants only in its own, bind these with a Role there. */\nexport const permissionsByNamespace: Record<string, Permission[]> = {\n${entries}};\n`,
    );
  }
  return parts.join('\n');
}
