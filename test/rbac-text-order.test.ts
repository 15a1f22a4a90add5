import fc from 'fast-check';
import { compareText } from '../src/rbac/text-order.js';

describe('compareText', () => {
  test("sorts as JavaScript's default sort does (UTF-16 code units), whatever the text", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), (values) => {
        // GIVEN any strings; WHEN sorted with compareText; THEN the default sort's order
        expect([...values].sort(compareText)).toEqual([...values].sort());
      }),
    );
  });

  test('is a consistent comparison: antisymmetric, and 0 only for equal text', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(Math.sign(compareText(a, b)) + Math.sign(compareText(b, a))).toBe(0);
        expect(compareText(a, b) === 0).toBe(a === b);
      }),
    );
  });

  test('orders case and accents by code unit, unlike a locale', () => {
    expect(['b', 'B', 'a', 'é', 'A'].sort(compareText)).toEqual(['A', 'B', 'a', 'b', 'é']);
  });
});
