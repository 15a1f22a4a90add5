import { writeJson } from '../src/cli/commands/_json-stream.js';

function streamed(value: unknown): { text: string; writes: number } {
  const parts: string[] = [];
  writeJson(value, (t) => parts.push(t));
  return { text: parts.join(''), writes: parts.length };
}

describe('writeJson', () => {
  test.each([
    [
      'a nested report',
      { files: ['a'], n: 1, empty: [], none: {}, list: [{ a: [1, { b: 'x\ny' }], c: { d: [] } }] },
    ],
    ['deep nesting', { a: [{ b: [{ c: [{ d: { e: [1, 2] } }] }] }] }],
    [
      'what JSON leaves out or nulls',
      { u: undefined, f: () => 1, arr: [undefined, () => 1, null, 'q"\\'] },
    ],
    ['a top-level array', [1, 'two', { three: 3 }]],
    ['a scalar', 'just "text"'],
    ['an empty object', {}],
  ])('writes what JSON.stringify(value, null, 2) writes: %s', (_, value) => {
    expect(streamed(value).text).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });

  test('writes a large value in chunks, never as one string', () => {
    // GIVEN 2,000 identities of 50 request kinds each (several MB of JSON)
    const value = {
      identities: Array.from({ length: 2000 }, (_, i) => ({
        identity: `user-${i}`,
        requests: Array.from({ length: 50 }, (_, k) => ({
          verb: 'get',
          resource: `r${k}`,
          names: ['a', 'b'],
        })),
      })),
    };
    // WHEN
    const { text, writes } = streamed(value);
    // THEN
    expect(text).toBe(`${JSON.stringify(value, null, 2)}\n`);
    expect(writes).toBeGreaterThan(10);
  });

  test('writes an item larger than a chunk whole, between the smaller ones', () => {
    // GIVEN a small identity, one of 5,000 request kinds (far more than a 64 KB chunk), a small one
    const kinds = (n: number) =>
      Array.from({ length: n }, (_, k) => ({ verb: 'get', resource: `r${k}`, codes: { 200: k } }));
    const value = {
      files: ['a.log'],
      identities: [
        { identity: 'a', requests: kinds(1) },
        { identity: 'b', requests: kinds(5000) },
        { identity: 'c', requests: [] },
      ],
      minting: [],
    };
    // WHEN
    const { text } = streamed(value);
    // THEN
    expect(text).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });
});
