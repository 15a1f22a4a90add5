import fc from 'fast-check';
import { earlierStamp, laterStamp, stampOf, textOfStamp } from '../src/rbac/audit-stamp.js';

describe('audit stamps', () => {
  test('the API server timestamps become numbers and give back the same text', () => {
    // GIVEN any instant from 1970 to 2199, with microseconds, written as the API server does
    const instant = fc.record({
      ms: fc.integer({ min: 0, max: Date.UTC(2199, 11, 31, 23, 59, 59) }),
      micros: fc.integer({ min: 0, max: 999 }),
    });
    fc.assert(
      fc.property(instant, ({ ms, micros }) => {
        const text = new Date(ms).toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);
        // THEN
        const stamp = stampOf(text);
        expect(typeof stamp).toBe('number');
        expect(textOfStamp(stamp)).toBe(text);
      }),
    );
  });

  test.each([
    '1970-01-01T00:00:00.000000Z',
    '2000-02-29T23:59:59.999999Z',
    '2100-02-28T12:00:00.000001Z',
    '2100-03-01T00:00:00.100000Z',
    '2024-12-31T23:59:59.000010Z',
    '2199-12-31T23:59:59.999999Z',
  ])('the edges of days, months, leap years and the range give back their text: %s', (text) => {
    const stamp = stampOf(text);
    expect(typeof stamp).toBe('number');
    expect(textOfStamp(stamp)).toBe(text);
  });

  test.each([
    '',
    '2026-01-01T00:00:02Z',
    '2026-01-01T00:00:02.123Z',
    '2026-01-01T00:00:02.123456+01:00',
    '2026-02-29T00:00:00.000000Z',
    '2026-13-01T00:00:00.000000Z',
    '2026-01-01T24:00:00.000000Z',
    '1969-12-31T23:59:59.000000Z',
    '2026-01-01T00:00:0x.000000Z',
  ])('any other text stays text: %s', (text) => {
    expect(stampOf(text)).toBe(text);
  });

  test('earlier and later compare as the texts do, numbers and texts mixed, none ignored', () => {
    const texts = [
      '2026-01-01T00:00:01.000001Z',
      '2026-01-01T00:00:01.000002Z',
      '2026-01-01T00:00:01Z',
      '2027-01-01T00:00:00.000000Z',
      '2026-02-29T00:00:00.000000Z',
    ];
    for (const a of texts)
      for (const b of texts) {
        const [x, y] = [stampOf(a), stampOf(b)];
        expect(textOfStamp(earlierStamp(x, y))).toBe(a <= b ? a : b);
        expect(textOfStamp(laterStamp(x, y))).toBe(a >= b ? a : b);
      }
    expect(earlierStamp('', stampOf(texts[0]))).toBe(stampOf(texts[0]));
    expect(earlierStamp(stampOf(texts[0]), '')).toBe(stampOf(texts[0]));
    expect(laterStamp('', stampOf(texts[0]))).toBe(stampOf(texts[0]));
  });
});
