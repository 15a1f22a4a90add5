/**
 * RBAC's resource notation with kubectl's group suffix: `pods`, `pods/log`,
 * `deployments.apps`, `deployments.apps/scale`, `pods.metrics.k8s.io`, `*`, `*\/scale`.
 */
import { groupsOfResource, isBuiltInGroup, lookupResource } from './resource-catalog.js';

/** A resource as an RBAC rule and the authorizer see it. */
export interface ResourceRef {
  /** `''` is the core group. */
  readonly apiGroup: string;
  /** Plural resource name, or `*`. */
  readonly resource: string;
  /** Subresource, e.g. `log` or `scale`; `''` for none. */
  readonly subresource: string;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const GROUP = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The resource as RBAC writes it in `resources`: `pods` or `pods/log`. */
export function rbacResourceName(ref: ResourceRef): string {
  return ref.subresource ? `${ref.resource}/${ref.subresource}` : ref.resource;
}

/** The resource in kubectl's notation: `deployments.apps/scale`. */
export function formatResource(ref: ResourceRef): string {
  const base = ref.apiGroup ? `${ref.resource}.${ref.apiGroup}` : ref.resource;
  return ref.subresource ? `${base}/${ref.subresource}` : base;
}

/**
 * Parses `resource[.group][/subresource]`. Throws, naming the value and what is allowed, when
 * the string is malformed or names a resource that a built-in group does not have.
 */
export function parseResource(notation: string): ResourceRef {
  const problem = resourceNotationProblem(notation);
  if (problem) throw new Error(problem);
  const [base, subresource = ''] = notation.split('/', 2);
  const dot = base.indexOf('.');
  const resource = dot < 0 ? base : base.slice(0, dot);
  const apiGroup = dot < 0 ? '' : base.slice(dot + 1);
  return { apiGroup, resource, subresource };
}

/** Plural forms a misspelt resource may have meant: `deployment` → `deployments`, `ingress` → `ingresses`, `policy` → `policies`. */
function pluralsOf(resource: string): string[] {
  const forms = [resource, `${resource}s`, `${resource}es`];
  if (resource.endsWith('y')) forms.push(`${resource.slice(0, -1)}ies`);
  return forms;
}

/**
 * The built-in resources a misspelt notation most likely meant, complete (lower case, plural,
 * with its group and the subresource kept when that resource has it): `deployment`,
 * `Deployments` and `deployments` all give `deployments.apps`, `Pods/Log` gives `pods/log`.
 * Empty when nothing in the catalog is close. The given group wins when it has the resource.
 */
export function suggestResources(notation: string): string[] {
  const [base = '', subresource = ''] = notation.toLowerCase().split('/', 2);
  const dot = base.indexOf('.');
  const resource = dot < 0 ? base : base.slice(0, dot);
  const apiGroup = dot < 0 ? undefined : base.slice(dot + 1);
  for (const candidate of pluralsOf(resource)) {
    const groups = groupsOfResource(candidate);
    if (groups.length === 0) continue;
    const chosen = apiGroup !== undefined && groups.includes(apiGroup) ? [apiGroup] : groups;
    return chosen.map((g) => {
      const entry = lookupResource(g, candidate);
      const sub = subresource && entry?.subresources.includes(subresource) ? subresource : '';
      return formatResource({ apiGroup: g, resource: candidate, subresource: sub });
    });
  }
  return [];
}

/** `; did you mean 'deployments.apps'?`, or '' when there is nothing to suggest. */
function suggestion(notation: string): string {
  const suggestions = suggestResources(notation).filter((s) => s !== notation);
  return suggestions.length
    ? `; did you mean ${suggestions.map((s) => `'${s}'`).join(' or ')}?`
    : '';
}

/** Options of `resourceNotationProblem`. */
export interface NotationCheckOptions {
  /** Check built-in groups' resources against the catalog. @default true */
  readonly catalog?: boolean;
  /** End the message with the complete resource it most likely meant. @default true */
  readonly suggest?: boolean;
}

/**
 * Each checked notation's problem (`null`: none), per options: every `Permission` and each
 * rule's validation ask about the same few resources again and again. Bounded by clearing.
 */
const problemsByNotation = new Map<string, string | null>();
const MAX_CACHED_NOTATIONS = 10_000;

/**
 * The problem with a resource string, or undefined when it is valid. With `catalog: false`
 * only the form is checked (for rules whose apiGroups is `*`).
 */
export function resourceNotationProblem(
  notation: string,
  options: NotationCheckOptions = {},
): string | undefined {
  // The problem depends only on the notation, the two options and the fixed catalog.
  const key = `${options.catalog === false ? '-' : '+'}${options.suggest === false ? '-' : '+'}${notation}`;
  const cached = problemsByNotation.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const problem = notationProblem(notation, options);
  if (problemsByNotation.size >= MAX_CACHED_NOTATIONS) problemsByNotation.clear();
  problemsByNotation.set(key, problem ?? null);
  return problem;
}

function notationProblem(notation: string, options: NotationCheckOptions): string | undefined {
  const didYouMean = (n: string): string => (options.suggest === false ? '' : suggestion(n));
  const allowed =
    "expected 'resource[.group][/subresource]' in lowercase, e.g. 'pods', 'pods/log', 'deployments.apps/scale'";
  const parts = notation.split('/');
  if (notation === '' || parts.length > 2 || parts.some((p) => p === '')) {
    return `resource '${notation}' is malformed: ${allowed}`;
  }
  const [base, subresource] = parts;
  if (base === '*') {
    return subresource === undefined || NAME.test(subresource)
      ? undefined
      : `resource '${notation}' has an invalid subresource: ${allowed}`;
  }
  const dot = base.indexOf('.');
  const resource = dot < 0 ? base : base.slice(0, dot);
  const apiGroup = dot < 0 ? '' : base.slice(dot + 1);
  if (!NAME.test(resource) || (apiGroup !== '' && !GROUP.test(apiGroup))) {
    return `resource '${notation}' is malformed: ${allowed}${didYouMean(notation)}`;
  }
  if (subresource !== undefined && !NAME.test(subresource)) {
    return `resource '${notation}' has an invalid subresource '${subresource}': ${allowed}${didYouMean(notation)}`;
  }
  if (options.catalog === false || !isBuiltInGroup(apiGroup)) return undefined;
  const entry = lookupResource(apiGroup, resource);
  if (!entry) {
    const plural = groupsOfResource(resource).length === 0 && suggestResources(notation).length > 0;
    const hint = `${plural ? ' (RBAC uses plural names)' : ''}${didYouMean(notation)}`;
    const group = apiGroup === '' ? 'the core API group' : `API group '${apiGroup}'`;
    return `resource '${notation}' is unknown: ${group} has no resource '${resource}'${hint}`;
  }
  // `<resource>/finalizers` is what the OwnerReferencesPermissionEnforcement admission plugin
  // checks before an object may block its owner's deletion: valid for every resource.
  if (
    subresource !== undefined &&
    subresource !== 'finalizers' &&
    !entry.subresources.includes(subresource)
  ) {
    const known = entry.subresources.length ? entry.subresources.join(', ') : 'none';
    return `resource '${notation}' is unknown: '${resource}' has no subresource '${subresource}' (known: ${known})`;
  }
  return undefined;
}
