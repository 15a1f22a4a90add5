/**
 * `legacy plan`: the cdk8s code that replaces a ServiceAccount's legacy token Secret with a
 * `ServiceAccountAccess` granting what the account's bindings grant today, compacted and
 * linted, and a short-lived token minted through TokenRequest. Pure: it writes text only.
 */
import { accessObjects, clusterObjectNameOf } from './access-objects.js';
import type { Finding } from './finding.js';
import { rbacPolicyFrom, type KubeObject } from './kube-object.js';
import { ERROR_RISK_IDS, lintManifests } from './lint.js';
import {
  findLegacyTokens,
  grantedRuleFindings,
  rulesGrantedTo,
  type GrantedRules,
  type LegacyToken,
} from './legacy-tokens.js';
import { isNonResourceRule, type PolicyRule } from './policy-rule.js';
import { permissionListItems, quoteString } from './permission-code.js';
import { lookupResource } from './resource-catalog.js';
import { Risk } from './risks/risk-rules.js';

/** One ServiceAccount's replacement. */
export interface LegacyPlan {
  /** The ServiceAccount's namespace. */
  readonly namespace: string;
  /** The ServiceAccount's name. */
  readonly serviceAccount: string;
  /** The legacy token Secrets it replaces. */
  readonly secrets: readonly string[];
  /** The TypeScript to paste into a chart (a `ServiceAccountAccess` and comments). */
  readonly code: string;
  /** The lint's findings on the rules it grants (to acknowledge with a reason, or narrow). */
  readonly findings: readonly Finding[];
}

/**
 * The part of a rule a RoleBinding can grant: its namespaced (or unknown) resources; never
 * cluster-scoped resources or URLs. Undefined when nothing is left.
 */
function namespacedPart(rule: PolicyRule): PolicyRule | undefined {
  if (isNonResourceRule(rule)) return undefined;
  const resources = (rule.resources ?? []).filter((resource) => {
    const base = resource.split('/', 1)[0];
    return (rule.apiGroups ?? []).some((g) => lookupResource(g, base)?.namespaced !== false);
  });
  return resources.length > 0 ? { ...rule, resources } : undefined;
}

/**
 * The risks the synth of the planned `ServiceAccountAccess` fails on: the error-severity
 * findings of the lint its construct runs, on the objects it would synthesize (ServiceAccount,
 * Role and RoleBinding, and with cluster rules a ClusterRole and ClusterRoleBinding).
 */
function risksFailingSynth(
  namespace: string,
  serviceAccount: string,
  namespaced: readonly PolicyRule[],
  cluster: readonly PolicyRule[],
): string[] {
  const objects = accessObjects({
    namespace,
    serviceAccountName: serviceAccount,
    rules: namespaced,
    ...(cluster.length > 0
      ? { cluster: { name: clusterObjectNameOf(namespace, serviceAccount), rules: cluster } }
      : {}),
  });
  return [...new Set(lintManifests(objects, { enable: ERROR_RISK_IDS }).errors.map((f) => f.id))];
}

function riskKey(id: string): string | undefined {
  return Object.entries(Risk).find(([, value]) => value === id)?.[0];
}

/**
 * The replacement for one ServiceAccount. `tokens` are its legacy token Secrets (at least one),
 * `granted` what its bindings grant, `findings` the lint of those rules.
 */
export function planLegacyReplacement(
  tokens: readonly LegacyToken[],
  granted: GrantedRules,
  findings: readonly Finding[],
): LegacyPlan {
  const { namespace, serviceAccount } = tokens[0];
  const secrets = tokens.map((t) => t.secret);
  const storeName = secrets.includes(`${serviceAccount}-token`)
    ? `${serviceAccount}-access-token`
    : `${serviceAccount}-token`;
  const namespaced = granted.namespaced
    .map(namespacedPart)
    .filter((r): r is PolicyRule => r !== undefined);
  const count = (rules: readonly PolicyRule[]) =>
    rules.reduce((n, r) => n + (r.resources?.length ?? 0) + (r.nonResourceURLs?.length ?? 0), 0);
  const dropped = count(granted.namespaced) - count(namespaced);
  const lines: string[] = [
    `// ServiceAccount ${namespace}/${serviceAccount}: replaces the legacy token secret${secrets.length === 1 ? '' : 's'} ${secrets.join(', ')}`,
    `new ServiceAccountAccess(chart, ${quoteString(serviceAccount)}, {`,
    `  serviceAccountName: ${quoteString(serviceAccount)},`,
    `  namespace: ${quoteString(namespace)},`,
    '  permissions: [',
    ...permissionListItems(namespaced, '    '),
    '  ],',
  ];
  if (granted.cluster.length > 0) {
    lines.push('  clusterPermissions: [', ...permissionListItems(granted.cluster, '    '), '  ],');
  }
  const risks = risksFailingSynth(namespace, serviceAccount, namespaced, granted.cluster);
  if (risks.length > 0) {
    lines.push(
      '  // The lint fails the synth on these risks: narrow the permissions, or acknowledge each',
      '  // with the real reason (a reviewer reads it):',
      '  // acknowledge: [',
      ...risks.map((id) => {
        const key = riskKey(id);
        return `  //   { risk: ${key ? `Risk.${key}` : quoteString(id)}, reason: '...' },`;
      }),
      '  // ],',
    );
  }
  lines.push(
    `  token: { duration: Duration.hours(1), store: TokenStore.secret(${quoteString(storeName)}) },`,
    '});',
  );
  if (dropped > 0) {
    lines.push(
      `// Left out: ${dropped} cluster-scoped resource${dropped === 1 ? '' : 's'} or URL${dropped === 1 ? '' : 's'} that a RoleBinding cannot grant.`,
    );
  }
  for (const [ns, rules] of Object.entries(granted.otherNamespaces)) {
    lines.push(
      `// Also granted in namespace ${ns} (a RoleBinding there; keep it or move it to clusterPermissions):`,
      ...permissionListItems(rules, '//   '),
    );
  }
  if (granted.everyServiceAccount.length > 0) {
    lines.push(
      '// Left out: what every ServiceAccount is granted anyway (groups system:authenticated,',
      '// system:serviceaccounts), so this one keeps it:',
      ...granted.everyServiceAccount.map((b) => `//   ${b}`),
    );
  }
  for (const u of granted.unresolved) {
    lines.push(`// Not resolved (its role is not in what was read): ${u}`);
  }
  return { namespace, serviceAccount, secrets, code: lines.join('\n'), findings };
}

/** Every legacy token in `objects`, and a replacement per ServiceAccount that has one. */
export function planLegacyTokens(
  objects: readonly KubeObject[],
  defaultNamespace = 'default',
): { readonly tokens: readonly LegacyToken[]; readonly plans: readonly LegacyPlan[] } {
  const tokens = findLegacyTokens(objects, defaultNamespace);
  const byAccount = new Map<string, LegacyToken[]>();
  for (const t of tokens) {
    if (!t.serviceAccount) continue;
    const key = `${t.namespace}/${t.serviceAccount}`;
    byAccount.set(key, [...(byAccount.get(key) ?? []), t]);
  }
  const policy = rbacPolicyFrom(objects);
  const plans = [...byAccount.values()].map((own) => {
    const granted = rulesGrantedTo(policy, own[0].namespace, own[0].serviceAccount);
    return planLegacyReplacement(own, granted, grantedRuleFindings(granted));
  });
  return { tokens, plans };
}
