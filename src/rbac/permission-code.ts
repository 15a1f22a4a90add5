/**
 * RBAC rules written back as the constructs' `Permission` factories, as TypeScript source a
 * user pastes into a cdk8s app (`legacy plan`, `audit rules`, `can-i`'s hint). The one place
 * that writes `Permission` code: evaluated, the code grants exactly the rule. Pure: it writes
 * text only.
 */
import { isNonResourceRule, KNOWN_VERBS, READ_VERBS, type PolicyRule } from './policy-rule.js';
import { formatResource, resourceNotationProblem } from './resource-notation.js';
import { validateRule } from './validate-rule.js';

/** Characters a single-quoted string literal cannot hold as they are. */
const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * A string as a single-quoted TypeScript literal that evaluates to exactly `value`: quotes,
 * backslashes, line breaks and other control characters escaped.
 */
export function quoteString(value: string): string {
  const escaped = value.replace(
    // eslint-disable-next-line no-control-regex
    /[\\'\u0000-\u001f\u007f\u2028\u2029]/g,
    (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `'${escaped}'`;
}

function list(values: readonly string[]): string {
  return `[${values.map(quoteString).join(', ')}]`;
}

/** The verbs Kubernetes does not know (an extension API's), which only `customVerbs` accepts. */
function customVerbsOf(rule: PolicyRule): string[] {
  return rule.verbs.filter((v) => v !== '*' && !KNOWN_VERBS.includes(v));
}

/**
 * Whether a `Permission` factory accepts the rule (with its unknown verbs declared as custom
 * verbs), so that `permissionCode` prints code that runs.
 */
export function permissionAccepts(rule: PolicyRule): boolean {
  return refusals(rule).length === 0;
}

/** Why `Permission` would refuse the rule: its validation's errors. */
function refusals(rule: PolicyRule): string[] {
  return validateRule(rule, { customVerbs: customVerbsOf(rule) })
    .filter((p) => p.severity === 'error')
    .map((p) => p.message);
}

/**
 * `pods`, `deployments.apps/scale`: the notation `Permission.verbs` reads, or undefined when
 * the notation would not read back as the same group and resource (a wildcard, a resource
 * with a dot, such as `foo.bar` in the core group, which reads as `foo` in group `bar`).
 */
function notationOf(apiGroup: string, resource: string): string | undefined {
  const parts = resource.split('/');
  if (parts.length > 2 || apiGroup === '*') return undefined;
  const [base, subresource = ''] = parts;
  if (base === '*' || base.includes('.')) return undefined;
  const notation = formatResource({ apiGroup, resource: base, subresource });
  return resourceNotationProblem(notation, { suggest: false }) === undefined ? notation : undefined;
}

function sameVerbs(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && new Set(a).size === a.length && a.every((v) => b.includes(v));
}

/**
 * The `Permission` expression that grants exactly `rule`: the factory that reads best for a
 * rule of one resource (`Permission.read('pods')`, `Permission.verbs([...], 'deployments.apps',
 * 'web')`, `Permission.customVerbs(...)`), `Permission.of({...})` for anything else, and
 * `Permission.nonResourceUrls(...)` for URLs. Only for rules `permissionAccepts`.
 */
export function permissionCode(rule: PolicyRule): string {
  const verbs = rule.verbs;
  if (isNonResourceRule(rule)) {
    const urls = (rule.nonResourceURLs ?? []).map(quoteString).join(', ');
    return `Permission.nonResourceUrls(${list(verbs)}, ${urls})`;
  }
  const groups = rule.apiGroups ?? [];
  const resources = rule.resources ?? [];
  const names = rule.resourceNames ?? [];
  const custom = customVerbsOf(rule);
  const notation =
    groups.length === 1 && resources.length === 1 ? notationOf(groups[0], resources[0]) : undefined;
  if (notation !== undefined) {
    const args = [notation, ...names].map(quoteString).join(', ');
    if (sameVerbs(verbs, READ_VERBS)) return `Permission.read(${args})`;
    return `Permission.${custom.length ? 'customVerbs' : 'verbs'}(${list(verbs)}, ${args})`;
  }
  const fields = [
    `verbs: ${list(verbs)}`,
    `apiGroups: ${list(groups)}`,
    `resources: ${list(resources)}`,
    ...(names.length ? [`resourceNames: ${list(names)}`] : []),
    ...(custom.length ? [`customVerbs: ${list(custom)}`] : []),
  ];
  return `Permission.of({ ${fields.join(', ')} })`;
}

/**
 * A text for a `//` comment in printed code: line breaks escaped, as the comment ends at any of
 * them and what follows would be code (an audit log's user name is anyone's text).
 */
export function commentText(text: string): string {
  return text.replace(
    /[\n\r\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The rules as items of a `Permission[]` literal, one line each (`    Permission.read('pods'),`),
 * and a comment naming the problem and the raw rule for a rule no factory accepts (a real Role
 * may restrict `create` by name, which RBAC never matches).
 */
export function permissionListItems(rules: readonly PolicyRule[], indent: string): string[] {
  return rules.map((rule) => {
    const problems = refusals(rule);
    if (problems.length === 0) return `${indent}${permissionCode(rule)},`;
    return commentText(
      `${indent}// not a Permission (${problems.join('; ')}): ${JSON.stringify(rule)}`,
    );
  });
}
