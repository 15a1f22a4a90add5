/**
 * Observed rules (`rulesFromUsage`) as something to paste: Role/ClusterRole manifests, or
 * `Permission` code for a cdk8s app's `ServiceAccountAccess`.
 */
import type { ObservedRules } from './audit-rules.js';
import type { KubeObject } from './kube-object.js';
import { commentText, permissionListItems, quoteString } from './permission-code.js';
import type { PolicyRule } from './policy-rule.js';

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

function block(name: string, doc: string, rules: readonly PolicyRule[]): string {
  const items = permissionListItems(rules, '  ');
  const list = items.length ? `[\n${items.join('\n')}\n]` : '[]';
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
    `// The rules observed for ${commentText(identity)} in the audit log (access-tokens audit rules).\n`,
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
          `  ${quoteString(o.namespace)}: [\n${permissionListItems(o.rules, '    ').join('\n')}\n  ],\n`,
      )
      .join('');
    parts.push(
      `/** Other namespaces: ServiceAccountAccess grants only in its own, bind these with a Role there. */\nexport const permissionsByNamespace: Record<string, Permission[]> = {\n${entries}};\n`,
    );
  }
  return parts.join('\n');
}
