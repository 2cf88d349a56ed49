import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scanJson } from '../../src/io/json-scan.js';
import { OckhamError } from '../../src/errors.js';

const enc = (s: string) => new TextEncoder().encode(s);

function depth(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const kids = Array.isArray(v) ? v : Object.values(v as object);
  return 1 + Math.max(0, ...kids.map(depth));
}

describe('scanJson', () => {
  it('accepts any JSON.stringify output within the depth limit and refuses deeper (fast-check)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 1, max: 7 }), fc.boolean(), (v, limit, pretty) => {
        const text = JSON.stringify(v, null, pretty ? 1 : 0);
        const d = depth(v);
        try {
          scanJson(enc(text), limit, 'x', 'json');
          return d <= limit;
        } catch (e) {
          return e instanceof OckhamError && /nests deeper/.test(e.message) && d > limit;
        }
      }),
      { seed: 15, numRuns: 500 },
    );
  });

  it('refuses a duplicated key at any level, including escaped spellings, and ignores keys inside strings', () => {
    expect(() => scanJson(enc('{"a": 1, "b": {"c": 1, "c": 2}}'), 128, 'x', 'json')).toThrow(/"c" twice/);
    expect(() => scanJson(enc('{"a": 1, "\\u0061": 2}'), 128, 'x', 'json')).toThrow(/"a" twice/);
    expect(() => scanJson(enc('[{"a": 1}, {"a": 2}]'), 128, 'x', 'json')).not.toThrow();
    expect(() => scanJson(enc('{"a": "\\"a\\": {", "b": ["a", "a"]}'), 128, 'x', 'json')).not.toThrow();
    expect(() => scanJson(enc('{"a": [[1]]}'), 128, 'x', 'json', { flatArrays: true })).toThrow(/inside an array/);
    expect(() => scanJson(enc('{"a": [1, 2, 3]}'), 128, 'x', 'json', { maxArrayItems: 2 })).toThrow(/more than 2 items/);
    expect(() => scanJson(enc('{"a": [1, 2], "b": [3, 4]}'), 128, 'x', 'json', { maxArrayItems: 2, flatArrays: true })).not.toThrow();
  });
});
