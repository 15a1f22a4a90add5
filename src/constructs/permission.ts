import type { IApiResource } from 'cdk8s-plus-27';
import { freezeRule, READ_VERBS, type PolicyRule } from '../rbac/policy-rule.js';
import {
  formatResource,
  parseResource,
  rbacResourceName,
  type ResourceRef,
} from '../rbac/resource-notation.js';
import { validateRule, type RuleProblem } from '../rbac/validate-rule.js';
import { checkString } from './_prop-types.js';

/**
 * A resource as `Permission` accepts it: a string in RBAC's notation with kubectl's group
 * suffix (`pods`, `pods/log`, `deployments.apps`, `deployments.apps/scale`,
 * `pods.metrics.k8s.io`), a cdk8s-plus `ApiResource` (`ApiResource.PODS`), or a cdk8s-plus
 * object such as a `Deployment` (which grants on that one object by name).
 */
export type PermissionResource = string | IApiResource;

/** The fields of a raw RBAC rule, for `Permission.of`. */
export interface PermissionRuleProps {
  /** Verbs, e.g. `['get', 'list']`. */
  readonly verbs: readonly string[];
  /** API groups; `''` is the core group. @default [''] */
  readonly apiGroups?: readonly string[];
  /** Resources in RBAC's notation without group suffix: `pods`, `deployments/scale`. */
  readonly resources: readonly string[];
  /** Restricts the rule to these object names. @default - any name */
  readonly resourceNames?: readonly string[];
  /**
   * The verbs among `verbs` that an extension API defines and Kubernetes does not know (kept,
   * with a warning in the lint report), as `Permission.customVerbs` declares them.
   * @default - none: every verb must be one Kubernetes knows
   */
  readonly customVerbs?: readonly string[];
}

/** How the resource came in, resolved to RBAC's terms, plus the object name if any. */
export function resolveResource(
  resource: PermissionResource,
  field: string,
): { ref: ResourceRef; name?: string } {
  if (typeof resource === 'string') {
    try {
      return { ref: parseResource(resource) };
    } catch (err) {
      throw new Error(`${field}: ${(err as Error).message}`);
    }
  }
  const group = resource.apiGroup === 'core' ? '' : resource.apiGroup;
  const [type, subresource = ''] = resource.resourceType.split('/', 2);
  return { ref: { apiGroup: group, resource: type, subresource }, name: resource.resourceName };
}

/**
 * Permissions without resource names by verbs, resource and custom verbs: immutable, so one
 * instance serves every construct that grants the same. Bounded by clearing.
 */
const SHARED = new Map<string, Permission>();
const MAX_SHARED = 1_000;

/** The custom verbs of nearly every Permission. */
const NO_CUSTOM_VERBS: readonly string[] = Object.freeze([]);

function throwOnErrors(problems: readonly RuleProblem[], what: string): void {
  const errors = problems.filter((p) => p.severity === 'error').map((p) => p.message);
  if (errors.length > 0) throw new Error(`${what}: ${errors.join('; ')}`);
}

/**
 * One grant of a `ServiceAccountAccess`: verbs on a resource (optionally on named objects),
 * or verbs on non-resource URLs. Validated when created: a bad verb, resource or name throws
 * with the value and what is allowed. Immutable (its rule is frozen), so equal grants without
 * names may be one shared instance.
 *
 * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources
 */
export class Permission {
  /** Read access: `get`, `list` and `watch` on the resource (on the named objects only). */
  public static read(resource: PermissionResource, ...names: string[]): Permission {
    return Permission.verbs(READ_VERBS, resource, ...names);
  }

  /**
   * The given verbs on the resource, optionally restricted to named objects. `create` and
   * `deletecollection` cannot be restricted by name (RBAC never matches them) and are refused.
   */
  public static verbs(
    verbs: readonly string[],
    resource: PermissionResource,
    ...names: string[]
  ): Permission {
    return Permission.build(verbs, resource, names, []);
  }

  /**
   * Like `verbs`, for an extension API whose verbs Kubernetes does not know (they are kept,
   * with a warning in the lint report).
   */
  public static customVerbs(
    verbs: readonly string[],
    resource: PermissionResource,
    ...names: string[]
  ): Permission {
    return Permission.build(verbs, resource, names, verbs);
  }

  /** A raw RBAC rule, validated the same way. */
  public static of(rule: PermissionRuleProps): Permission {
    const policyRule: PolicyRule = {
      verbs: [...rule.verbs],
      apiGroups: [...(rule.apiGroups ?? [''])],
      resources: [...rule.resources],
      ...(rule.resourceNames?.length ? { resourceNames: [...rule.resourceNames] } : {}),
    };
    const customVerbs = [...(rule.customVerbs ?? [])];
    throwOnErrors(validateRule(policyRule, { customVerbs }), 'Permission.of');
    return new Permission(freezeRule(policyRule), Object.freeze(customVerbs));
  }

  /** Verbs (`get`, `post`, ...) on non-resource URLs such as `/healthz` or `/metrics*`. */
  public static nonResourceUrls(verbs: readonly string[], ...urls: string[]): Permission {
    if (urls.length === 0) throw new Error('Permission.nonResourceUrls: urls must not be empty');
    const rule: PolicyRule = { verbs: [...verbs], nonResourceURLs: urls };
    throwOnErrors(validateRule(rule), 'Permission.nonResourceUrls');
    return new Permission(freezeRule(rule), NO_CUSTOM_VERBS);
  }

  private static build(
    verbs: readonly string[],
    resource: PermissionResource,
    names: readonly string[],
    customVerbs: readonly string[],
  ): Permission {
    const { ref, name } = resolveResource(resource, 'Permission resource');
    // Each name its own argument: a list given as one would render as a name of names. (The
    // message is made only for a name that is not a string: this runs for every grant.)
    names.forEach((n, i) => {
      if (typeof n !== 'string')
        checkString(
          `Permission for '${formatResource(ref)}': names[${i}]`,
          n,
          "'web', one argument each",
        );
    });
    const resourceNames = [...(name ? [name] : []), ...names];
    // The same grant without names recurs in every bundle of an app: built and checked once.
    const key = resourceNames.length
      ? undefined
      : JSON.stringify([verbs, ref.apiGroup, ref.resource, ref.subresource, customVerbs]);
    const shared = key === undefined ? undefined : SHARED.get(key);
    if (shared) return shared;
    const rule: PolicyRule = {
      verbs: [...verbs],
      apiGroups: [ref.apiGroup],
      resources: [rbacResourceName(ref)],
      ...(resourceNames.length ? { resourceNames } : {}),
    };
    const problems = validateRule(rule, { customVerbs });
    if (problems.length > 0) throwOnErrors(problems, `Permission for '${formatResource(ref)}'`);
    const custom = customVerbs.length ? Object.freeze([...customVerbs]) : NO_CUSTOM_VERBS;
    const permission = new Permission(freezeRule(rule), custom);
    if (key !== undefined) {
      if (SHARED.size >= MAX_SHARED) SHARED.clear();
      SHARED.set(key, permission);
    }
    return permission;
  }

  private constructor(
    /** The RBAC rule this permission grants. */
    public readonly rule: PolicyRule,
    /** Verbs declared as custom (extension API) verbs. */
    public readonly customVerbs: readonly string[],
  ) {}
}
