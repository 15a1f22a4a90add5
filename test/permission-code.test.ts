import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Permission } from '../src/constructs/permission.js';
import type { KubeObject } from '../src/rbac/kube-object.js';
import { readManifestPaths } from '../src/rbac/manifest-reader.js';
import {
  permissionAccepts,
  permissionCode,
  permissionListItems,
  quoteString,
} from '../src/rbac/permission-code.js';
import { KNOWN_VERBS, rulesAllow, type PolicyRule } from '../src/rbac/policy-rule.js';
import { allNonResourceRequests, allResourceRequests, anyRule } from './rbac-arbitraries.js';

const REQUESTS = [...allResourceRequests(), ...allNonResourceRequests()];

/** Runs generated code the way a cdk8s app would: with the real Permission class. */
function evaluate(code: string): PolicyRule[] {
  const build = new Function('Permission', `return [${code}];`) as (
    p: typeof Permission,
  ) => Permission[];
  return build(Permission).map((p) => p.rule);
}

/** A rule with each list sorted and empty lists dropped: equal when the two grant alike. */
function canon(rule: PolicyRule): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(rule)
      .filter(([, v]) => Array.isArray(v) && v.length > 0)
      .map(([k, v]) => [k, [...(v as string[])].sort()])
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

/** Printed, then run with the real Permission: the rule that comes back. */
function roundTrip(rule: PolicyRule): Record<string, string[]>[] {
  return evaluate(permissionCode(rule)).map(canon);
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
    ).toBe("Permission.read('pods')");
    expect(
      permissionCode({
        verbs: ['get', 'patch'],
        apiGroups: ['apps'],
        resources: ['deployments/scale'],
        resourceNames: ['web'],
      }),
    ).toBe("Permission.verbs(['get', 'patch'], 'deployments.apps/scale', 'web')");
    expect(permissionCode({ verbs: ['get'], nonResourceURLs: ['/healthz', '/metrics'] })).toBe(
      "Permission.nonResourceUrls(['get'], '/healthz', '/metrics')",
    );
    expect(
      permissionCode({
        verbs: ['publish'],
        apiGroups: ['streams.example.com'],
        resources: ['topics'],
      }),
    ).toBe("Permission.customVerbs(['publish'], 'topics.streams.example.com')");
  });

  test('a rule over several resources is one Permission.of', () => {
    // GIVEN
    const rule: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['pods', 'secrets'] };
    // WHEN
    const code = permissionCode(rule);
    // THEN
    expect(code).toBe(
      "Permission.of({ verbs: ['get'], apiGroups: [''], resources: ['pods', 'secrets'] })",
    );
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

  test('round trip: printed, then run, every rule Permission accepts comes back as itself', () => {
    // GIVEN rules over real, custom and dotted resources, known, custom and `*` verbs, names
    // with quotes and line breaks
    const rule: fc.Arbitrary<PolicyRule> = fc
      .record({
        verbs: fc.uniqueArray(fc.constantFrom('get', 'list', 'watch', 'patch', '*', 'publish'), {
          minLength: 1,
        }),
        apiGroups: fc.uniqueArray(fc.constantFrom('', 'apps', 'example.com', '*'), {
          minLength: 1,
          maxLength: 2,
        }),
        resources: fc.uniqueArray(
          fc.constantFrom('pods', 'pods/log', 'deployments/scale', 'widgets', 'foo.bar', '*'),
          { minLength: 1, maxLength: 3 },
        ),
        resourceNames: fc.uniqueArray(fc.constantFrom('web', "it's", 'a\\b', 'x\ny', 'z\u2028'), {
          maxLength: 2,
        }),
      })
      .map((r) => (r.resourceNames.length ? r : { ...r, resourceNames: undefined }));
    fc.assert(
      fc.property(fc.oneof(rule, anyRule), (r) => {
        fc.pre(permissionAccepts(r));
        expect(roundTrip(r)).toEqual([canon(r)]);
      }),
      { numRuns: 300 },
    );
  });

  test.each<[string, PolicyRule]>([
    [
      'custom verbs over several resources in several groups',
      {
        verbs: ['publish', 'get'],
        apiGroups: ['', 'streams.example.com'],
        resources: ['pods', 'topics'],
      },
    ],
    [
      'custom verbs in every group',
      { verbs: ['publish'], apiGroups: ['*'], resources: ['topics'] },
    ],
    [
      'a `*` verb with a custom verb',
      { verbs: ['*', 'publish'], apiGroups: [''], resources: ['pods'] },
    ],
    [
      'a dotted resource in the core group',
      { verbs: ['get'], apiGroups: [''], resources: ['foo.bar'] },
    ],
    [
      'a dotted resource in a group',
      { verbs: ['get'], apiGroups: ['example.com'], resources: ['foo.bar/status'] },
    ],
    [
      'a subresource of every resource in a group',
      { verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] },
    ],
    [
      'names with a quote, a backslash and line breaks',
      {
        verbs: ['get', 'list', 'watch'],
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: ["it's", 'a\\b', 'x\ny', 'cr\r', 'ls\u2028'],
      },
    ],
    ['a URL with a line break', { verbs: ['get'], nonResourceURLs: ['/a\nb', "/it's"] }],
  ])('round trip: %s', (_, rule) => {
    expect(permissionAccepts(rule)).toBe(true);
    expect(roundTrip(rule)).toEqual([canon(rule)]);
  });

  test('a `*` verb is not a custom verb', () => {
    expect(permissionCode({ verbs: ['*'], apiGroups: [''], resources: ['pods'] })).toBe(
      "Permission.verbs(['*'], 'pods')",
    );
  });

  test('a rule Permission refuses is a comment naming the problem, not code that throws', () => {
    // GIVEN create restricted by name (RBAC never matches it), on a name with a line break
    const rule: PolicyRule = {
      verbs: ['create'],
      apiGroups: [''],
      resources: ['pods'],
      resourceNames: ['a\nb'],
    };
    // WHEN
    const items = permissionListItems(
      [rule, { verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
      '  ',
    );
    // THEN
    expect(permissionAccepts(rule)).toBe(false);
    expect(items).toEqual([
      expect.stringMatching(
        /^ {2}\/\/ not a Permission \(verb 'create' cannot be restricted by resourceNames/,
      ),
      "  Permission.verbs(['get'], 'pods'),",
    ]);
    expect(items[0]).not.toMatch(/[\n\r\u2028\u2029]/);
    expect(evaluate(`\n${items.join('\n')}\n`)).toEqual([
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
    ]);
  });
});

describe('quoteString', () => {
  test('evaluates to the string it quotes, whatever it holds', () => {
    fc.assert(
      fc.property(fc.fullUnicodeString(), (value) => {
        expect(new Function(`return ${quoteString(value)};`)()).toBe(value);
      }),
      { numRuns: 500 },
    );
    for (const value of ["it's", 'a\\b', 'x\ny', '\r\u2028\u2029\u0000', '${x}`']) {
      expect(new Function(`return ${quoteString(value)};`)()).toBe(value);
    }
  });
});

describe('permissionCode on the RBAC of 12 real projects', () => {
  const CORPUS = new URL('../../shared/corpora/real-world-rbac/', import.meta.url).pathname;

  test('every rule Permission accepts comes back as itself; every other one Permission refuses', async () => {
    // GIVEN every rule of every Role and ClusterRole of the corpus
    const files = readdirSync(CORPUS)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(CORPUS, f));
    const { objects } = await readManifestPaths(files);
    const rules = (objects as KubeObject[])
      .filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
      .flatMap((o) => (o.rules ?? []) as PolicyRule[]);
    expect(rules.length).toBeGreaterThan(300);
    let accepted = 0;
    for (const rule of rules) {
      if (permissionAccepts(rule)) {
        accepted++;
        expect([rule, roundTrip(rule)]).toEqual([rule, [canon(rule)]]);
      } else {
        // THEN what is not printed as code is what Permission itself throws on (its own oracle)
        const customVerbs = rule.verbs.filter((v) => v !== '*' && !KNOWN_VERBS.includes(v));
        expect(() =>
          rule.nonResourceURLs
            ? Permission.nonResourceUrls(rule.verbs, ...rule.nonResourceURLs)
            : Permission.of({
                verbs: rule.verbs,
                apiGroups: rule.apiGroups,
                resources: rule.resources ?? [],
                resourceNames: rule.resourceNames,
                customVerbs,
              }),
        ).toThrow();
      }
    }
    expect(accepted / rules.length).toBeGreaterThan(0.9);
  });
});
