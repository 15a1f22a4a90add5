import { TextCache } from '../src/runtime/audit/text-cache.js';

describe('TextCache', () => {
  test('the same string for the same bytes, a right one for other bytes in the same slot', () => {
    // GIVEN
    const cache = new TextCache();
    const buf = Buffer.from('pods|pods|secrets|pöds');
    // WHEN
    const a = cache.textOf(buf, 0, 4);
    const b = cache.textOf(buf, 5, 9);
    // THEN
    expect(a).toBe('pods');
    expect(b).toBe(a);
    expect(cache.textOf(buf, 10, 17)).toBe('secrets');
    expect(cache.textOf(buf, 18, buf.length)).toBe('pöds');
    // Every text is right, whatever the slots hold: 10,000 distinct ones through 4,096 slots.
    const wrong: string[] = [];
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 10_000; i++) {
        const text = `name-${i}`;
        const bytes = Buffer.from(`x${text}y`);
        if (cache.textOf(bytes, 1, bytes.length - 1) !== text) wrong.push(text);
      }
    expect(wrong).toEqual([]);
    const long = Buffer.from('n'.repeat(500));
    expect(cache.textOf(long, 0, long.length)).toBe('n'.repeat(500));
  });
});
