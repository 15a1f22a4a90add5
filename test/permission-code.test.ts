import fc from 'fast-check';
import { Permission } from '../src/constructs/permission.js';
import { permissionCode } from '../src/rbac/permission-code.js';
import { rulesAllow, type PolicyRule } from '../src/rbac/policy-rule.js';
import { allNonResourceRequests, allResourceRequests } from './rbac-arbitraries.js';

const REQUESTS = [...allResourceRequests(), ...allNonResourceRequests()];

/** Runs generated code the way a cdk8s app would: with the real Permission class. */
function evaluate(code: readonly string[]): PolicyRule[] {
  const build = new Function('Permission', `return [${code.join(', ')}];`) as (
    p: typeof Permission,
  ) => Permission[];
  return build(Permission).map((p) => p.rule);
}

function decisions(rules: readonly PolicyRule[]): boolean[] {
  return REQUESTS.map((r) => rulesAllow(rules, r));
}

// Real resources of the arbitraries' universe, so that Permission's validation accepts them.
const REAL = [
  ['', 'pods'],
  ['', 'pods/log'],
  ['', 'secrets'],
  ['apps', 'deployments'],
  ['apps', 'deployments/scale'],
  ['batch', 'jobs'],
  ['batch', 'jobs/status'],
] as const;

const validRule: fc.Arbitrary<PolicyRule> = fc
  .record({
    verbs: fc.subarray(['get', 'list', 'watch', 'create', 'patch', 'delete'], { minLength: 1 }),
    targets: fc.subarray([...REAL], { minLength: 1 }),
    names: fc.subarray(['a', 'b', 'c']),
  })
  .map(({ verbs, targets, names }) => {
    const groups = [...new Set(targets.map(([g]) => g))];
    // One group per rule with several resources, as Permission.of validates each pair.
    const inGroup = targets.filter(([g]) => g === groups[0]).map(([, r]) => r);
    const named = names.length > 0 && !verbs.includes('create');
    return {
      verbs,
      apiGroups: [groups[0]],
      resources: inGroup,
      ...(named ? { resourceNames: names } : {}),
    };
  });

describe('permissionCode', () => {
  test('reads best with the factories for one resource', () => {
    // GIVEN rules of one resource each
    // WHEN / THEN
    expect(
      permissionCode({ verbs: ['list', 'get', 'watch'], apiGroups: [''], resources: ['pods'] }),
    ).toEqual(["Permission.read('pods')"]);
    expect(
      permissionCode({
        verbs: ['get', 'patch'],
        apiGroups: ['apps'],
        resources: ['deployments/scale'],
        resourceNames: ['web'],
      }),
    ).toEqual(["Permission.verbs(['get', 'patch'], 'deployments.apps/scale', 'web')"]);
    expect(permissionCode({ verbs: ['get'], nonResourceURLs: ['/healthz', '/metrics'] })).toEqual([
      "Permission.nonResourceUrls(['get'], '/healthz', '/metrics')",
    ]);
    expect(
      permissionCode({
        verbs: ['publish'],
        apiGroups: ['streams.example.com'],
        resources: ['topics'],
      }),
    ).toEqual(["Permission.customVerbs(['publish'], 'topics.streams.example.com')"]);
  });

  test('a rule over several resources is one Permission.of', () => {
    // GIVEN
    const rule: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['pods', 'secrets'] };
    // WHEN
    const code = permissionCode(rule);
    // THEN
    expect(code).toEqual([
      "Permission.of({ verbs: ['get'], apiGroups: [''], resources: ['pods', 'secrets'] })",
    ]);
  });

  test('quotes values so that the code stays code', () => {
    // GIVEN a name with a quote and a backslash (a CRD object can be named oddly in a test)
    const code = permissionCode({ verbs: ['get'], nonResourceURLs: ["/it's\\x"] });
    // THEN the string round-trips through the parser
    expect(evaluate(code)[0].nonResourceURLs).toEqual(["/it's\\x"]);
  });

  test('the generated code grants exactly what the rule grants (run with the real Permission)', () => {
    fc.assert(
      fc.property(validRule, (rule) => {
        expect(decisions(evaluate(permissionCode(rule)))).toEqual(decisions([rule]));
      }),
      { numRuns: 150 },
    );
  });
});
