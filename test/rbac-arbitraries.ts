/**
 * fast-check generators over a small, finite universe of verbs, groups, resources, names and
 * URLs, so that a brute-force reference can enumerate every request.
 */
import fc from 'fast-check';
import type { PolicyRule, ResourceRequest, NonResourceRequest } from '../src/rbac/policy-rule.js';

export const VERBS = ['get', 'list', 'watch', 'create', 'patch', 'delete'];
export const GROUPS = ['', 'apps', 'batch'];
export const RESOURCES = ['pods', 'deployments', 'jobs', 'secrets'];
export const SUBRESOURCES = ['', 'log', 'scale', 'status'];
export const NAMES = ['', 'a', 'b', 'c'];
export const NAMESPACES = ['', 'ns1', 'ns2'];
export const PATHS = ['/healthz', '/healthz/ping', '/metrics', '/api', '/apis/apps'];

const sub = <T>(values: readonly T[], wildcard?: T) =>
  fc.subarray(wildcard === undefined ? [...values] : [...values, wildcard], { minLength: 1 });

const resourceEntry = fc.oneof(
  fc
    .tuple(fc.constantFrom(...RESOURCES), fc.constantFrom(...SUBRESOURCES))
    .map(([r, s]) => (s ? `${r}/${s}` : r)),
  fc.constantFrom('*', '*/log', '*/scale'),
);

/** A resource rule over the universe, with wildcards. */
export const resourceRule: fc.Arbitrary<PolicyRule> = fc
  .record({
    verbs: sub(VERBS, '*'),
    apiGroups: sub(GROUPS, '*'),
    resources: fc.uniqueArray(resourceEntry, { minLength: 1, maxLength: 4 }),
    resourceNames: fc.subarray(['a', 'b', 'c']),
  })
  .map((r) =>
    r.resourceNames.length ? r : { verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources },
  );

/** A non-resource rule, with exact paths and prefix wildcards. */
export const nonResourceRule: fc.Arbitrary<PolicyRule> = fc.record({
  verbs: sub(['get', 'post'], '*'),
  nonResourceURLs: sub(['/healthz', '/healthz/*', '/metrics', '/api*', '/apis/apps'], '*'),
});

export const anyRule = fc.oneof(
  { weight: 4, arbitrary: resourceRule },
  { weight: 1, arbitrary: nonResourceRule },
);

/** Every resource request of the universe (verb × group × resource × sub × name × ns). */
export function allResourceRequests(): ResourceRequest[] {
  const out: ResourceRequest[] = [];
  for (const verb of VERBS)
    for (const apiGroup of GROUPS)
      for (const resource of RESOURCES)
        for (const subresource of SUBRESOURCES)
          for (const name of NAMES)
            for (const namespace of NAMESPACES)
              out.push({ verb, apiGroup, resource, subresource, name, namespace });
  return out;
}

/** Every non-resource request of the universe. */
export function allNonResourceRequests(): NonResourceRequest[] {
  return ['get', 'post', 'delete'].flatMap((verb) => PATHS.map((path) => ({ verb, path })));
}
