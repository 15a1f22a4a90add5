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

/**
 * The problem with a resource string, or undefined when it is valid. With `catalog: false`
 * only the form is checked (for rules whose apiGroups is `*`).
 */
export function resourceNotationProblem(
  notation: string,
  options: { readonly catalog?: boolean } = {},
): string | undefined {
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
    return `resource '${notation}' is malformed: ${allowed}`;
  }
  if (subresource !== undefined && !NAME.test(subresource)) {
    return `resource '${notation}' has an invalid subresource '${subresource}': ${allowed}`;
  }
  if (options.catalog === false || !isBuiltInGroup(apiGroup)) return undefined;
  const entry = lookupResource(apiGroup, resource);
  if (!entry) {
    const elsewhere = groupsOfResource(resource).map((g) =>
      g ? `'${resource}.${g}'` : `'${resource}'`,
    );
    const singular =
      groupsOfResource(`${resource}s`).length > 0
        ? ` (RBAC uses plural names: '${resource}s')`
        : '';
    const hint = elsewhere.length ? `; did you mean ${elsewhere.join(' or ')}?` : singular;
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
