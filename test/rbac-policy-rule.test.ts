/**
 * `sanitizeRule`, the one sanitiser of rules from untrusted input (the lint's and the manifest
 * reader's): it keeps exactly the lists of strings of a PolicyRule's five fields.
 */
import fc from 'fast-check';
import { freezeRule, sanitizeRule, type PolicyRule } from '../src/rbac/policy-rule.js';

const FIELDS = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const;

describe('sanitizeRule', () => {
  test('a well-formed rule comes back equal, in a new object', () => {
    // GIVEN a rule with every field
    const rule = {
      verbs: ['get'],
      apiGroups: [''],
      resources: ['pods'],
      resourceNames: ['web'],
      nonResourceURLs: [],
    };
    // WHEN sanitized, THEN equal but not the same object
    const out = sanitizeRule(rule);
    expect(out).toEqual(rule);
    expect(out).not.toBe(rule);
  });

  test('a frozen rule of string lists comes back as it is; any other frozen rule is copied', () => {
    // GIVEN
    const frozen = freezeRule({ verbs: ['get'], apiGroups: [''], resources: ['pods'] });
    const mixed = Object.freeze({ verbs: Object.freeze(['get', 7]) }) as unknown;
    const open = Object.freeze({ verbs: ['get'] });
    const extra = freezeRule({ verbs: ['get'], extra: ['x'] } as PolicyRule);
    // THEN
    expect(sanitizeRule(frozen)).toBe(frozen);
    expect(sanitizeRule(mixed)).toEqual({ verbs: ['get'] });
    expect(sanitizeRule(open)).not.toBe(open);
    expect(sanitizeRule(extra)).toEqual({ verbs: ['get'] });
  });

  test('typos grant nothing: non-list fields go, non-strings leave their list, no verbs is []', () => {
    expect(
      sanitizeRule({ verbs: 'get', apiGroups: ['', 7, null], resources: 'pods', extra: ['x'] }),
    ).toEqual({ verbs: [], apiGroups: [''] });
  });

  test.each([null, undefined, 'get pods', 42, true])('%p is no rule at all', (value) => {
    expect(sanitizeRule(value)).toBeUndefined();
  });

  test('any object: the result has only the five fields, each a list of the strings given', () => {
    // GIVEN any object whose fields may be anything
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(...FIELDS, 'other'),
          fc.oneof(fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null))), fc.anything()),
        ),
        (raw) => {
          // WHEN sanitized
          const out = sanitizeRule(raw) as unknown as Record<string, unknown>;
          // THEN verbs is always there, and each kept field is the input's strings, in order
          expect(Object.keys(out).every((k) => (FIELDS as readonly string[]).includes(k))).toBe(
            true,
          );
          for (const field of FIELDS) {
            const given = (raw as Record<string, unknown>)[field];
            const expected = Array.isArray(given)
              ? given.filter((v) => typeof v === 'string')
              : field === 'verbs'
                ? []
                : undefined;
            expect(out[field]).toEqual(expected);
          }
        },
      ),
    );
  });
});
