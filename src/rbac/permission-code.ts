/**
 * RBAC rules written back as the constructs' `Permission` factories, as TypeScript source a
 * user pastes into a cdk8s app (`legacy plan`, `audit rules`). Pure: it writes text only.
 */
import { isNonResourceRule, KNOWN_VERBS, READ_VERBS, type PolicyRule } from './policy-rule.js';
import { formatResource } from './resource-notation.js';

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function list(values: readonly string[]): string {
  return `[${values.map(quote).join(', ')}]`;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v) => b.includes(v));
}

/** `pods`, `deployments.apps/scale`: the notation `Permission.verbs` reads. */
function notation(apiGroup: string, resource: string): string {
  const [base, subresource = ''] = resource.split('/', 2);
  return formatResource({ apiGroup, resource: base, subresource });
}

/** One resource in one group, with the factory that reads best. */
function singleResource(
  verbs: readonly string[],
  apiGroup: string,
  resource: string,
  names: readonly string[],
): string {
  const args = [quote(notation(apiGroup, resource)), ...names.map(quote)].join(', ');
  if (sameSet(verbs, READ_VERBS)) return `Permission.read(${args})`;
  const custom = verbs.some((v) => v !== '*' && !KNOWN_VERBS.includes(v));
  return `Permission.${custom ? 'customVerbs' : 'verbs'}(${list(verbs)}, ${args})`;
}

/**
 * The `Permission` expressions that grant exactly `rule`: one for a rule of one resource in
 * one group (`Permission.read('pods')`), `Permission.of({...})` for a rule over several, and
 * one per resource where custom verbs need `Permission.customVerbs`.
 */
export function permissionCode(rule: PolicyRule): string[] {
  const verbs = rule.verbs;
  if (isNonResourceRule(rule)) {
    return [
      `Permission.nonResourceUrls(${list(verbs)}, ${rule.nonResourceURLs!.map(quote).join(', ')})`,
    ];
  }
  const groups = rule.apiGroups ?? [];
  const resources = rule.resources ?? [];
  const names = rule.resourceNames ?? [];
  const wildcard = groups.includes('*') || resources.some((r) => r === '*' || r.startsWith('*/'));
  const custom = verbs.some((v) => v !== '*' && !KNOWN_VERBS.includes(v));
  if (!wildcard && (groups.length * resources.length === 1 || custom)) {
    return groups.flatMap((g) => resources.map((r) => singleResource(verbs, g, r, names)));
  }
  const fields = [
    `verbs: ${list(verbs)}`,
    `apiGroups: ${list(groups)}`,
    `resources: ${list(resources)}`,
    ...(names.length ? [`resourceNames: ${list(names)}`] : []),
  ];
  return [`Permission.of({ ${fields.join(', ')} })`];
}
