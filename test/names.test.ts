import { dnsLabelProblem, dnsSubdomainProblem } from '../src/rbac/names.js';

describe('DNS-1123 names', () => {
  test.each([
    ['a', true, true],
    ['a-b', true, true],
    ['0', true, true],
    ['a.b', false, true],
    ['x'.repeat(63), true, true],
    ['x'.repeat(64), false, true],
    [`${'x'.repeat(63)}.${'y'.repeat(63)}.${'z'.repeat(63)}.${'w'.repeat(61)}`, false, true], // 253
    [`${'x'.repeat(63)}.${'y'.repeat(63)}.${'z'.repeat(63)}.${'w'.repeat(62)}`, false, false], // 254
    ['', false, false],
    ['-a', false, false],
    ['a-', false, false],
    ['A', false, false],
    ['a_b', false, false],
    ['a..b', false, false],
    ['.a', false, false],
  ])('%j: label %s, subdomain %s', (value, label, subdomain) => {
    expect(dnsLabelProblem('namespace', value) === undefined).toBe(label);
    expect(dnsSubdomainProblem('name', value) === undefined).toBe(subdomain);
  });

  test('the problem names the field, the value and what is allowed', () => {
    expect(dnsLabelProblem('namespace', 'Shop')).toBe(
      "namespace 'Shop' is invalid: expected a DNS-1123 label (at most 63 characters, lowercase letters, digits and '-', starting and ending with a letter or digit)",
    );
    expect(dnsSubdomainProblem('secret name', 'a_b')).toMatch(
      /^secret name 'a_b' is invalid: expected a DNS-1123 subdomain \(at most 253 characters/,
    );
  });
});
