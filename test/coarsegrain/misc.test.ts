import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitLogCurve, noisyWeights } from '../../src/coarsegrain/index.js';
import { OckhamError } from '../../src/errors.js';
import { normalArray } from '../../src/util/random.js';
import { expectOckhamError } from '../helpers.js';

function throwsArg(f: () => unknown, arg: string, code?: string): void {
  expectOckhamError(f, { argument: arg, ...(code ? { code } : {}) });
}

describe('noisyWeights', () => {
  const x = Float32Array.from(normalArray(20000, 9, 0, 0.3));

  it('is seeded, returns a new array of the same type and does not mutate the input', () => {
    const copy = x.slice();
    const a = noisyWeights(x, 0.01, 42);
    const b = noisyWeights(x, 0.01, 42);
    const c = noisyWeights(x, 0.01, 43);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a).not.toBe(x);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(x).toEqual(copy);
    expect(noisyWeights(new Float64Array([1, 2]), 0.5, 1)).toBeInstanceOf(Float64Array);
  });

  it('adds δ·N(0, 1): the noise is the seeded normal stream times δ; δ = 0 copies', () => {
    const d = 0.05;
    const z = normalArray(x.length, 42);
    const y = noisyWeights(new Float64Array(x), d, 42);
    for (let i = 0; i < 100; i++) expect(y[i]).toBe(x[i] + d * z[i]);
    let m = 0;
    let s = 0;
    for (let i = 0; i < x.length; i++) {
      const e = y[i] - x[i];
      m += e / x.length;
      s += (e * e) / x.length;
    }
    expect(Math.abs(m)).toBeLessThan(4 * d / Math.sqrt(x.length));
    expect(Math.sqrt(s)).toBeCloseTo(d, 2);
    expect(noisyWeights(x, 0, 1)).toEqual(x);
  });

  it('models: one stream consumed tensor by tensor in order', () => {
    const model = [
      { name: 'a', data: new Float64Array([1, 2, 3]), shape: [3] },
      { name: 'b', data: new Float64Array([4, 5]), shape: [1, 2] },
    ];
    const r = noisyWeights(model, 0.1, 7);
    const flat = noisyWeights(new Float64Array([1, 2, 3, 4, 5]), 0.1, 7);
    expect(Array.from(r[0].data)).toEqual(Array.from(flat.subarray(0, 3)));
    expect(Array.from(r[1].data)).toEqual(Array.from(flat.subarray(3)));
    expect(r[1].shape).toEqual([1, 2]);
    expect(model[0].data).toEqual(new Float64Array([1, 2, 3]));
  });

  it('rejects bad input', () => {
    throwsArg(() => noisyWeights(x, -1, 1), 'delta', 'OUT_OF_RANGE');
    throwsArg(() => noisyWeights(x, NaN, 1), 'delta', 'NON_FINITE');
    throwsArg(() => noisyWeights(x, 0.1, -1), 'seed', 'OUT_OF_RANGE');
    throwsArg(() => noisyWeights(new Float32Array([1, Infinity]), 0.1, 1), 'x', 'NON_FINITE');
    throwsArg(() => noisyWeights(new Int8Array(2) as never, 0.1, 1), 'x', 'INVALID_ARGUMENT');
    throwsArg(() => noisyWeights([], 0.1, 1), 'x', 'EMPTY');
  });
});

describe('fitLogCurve', () => {
  it('recovers a and b exactly from noiseless data', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.array(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 20 }),
        (a, b, xs) => {
          fc.pre(Math.max(...xs) / Math.min(...xs) > 1.01);
          const ys = xs.map((x) => a * Math.log(x) + b);
          const f = fitLogCurve(xs, ys);
          const scale = Math.abs(a) * 14 + Math.abs(b) + 1;
          expect(Math.abs(f.a - a)).toBeLessThan(1e-9 * scale);
          expect(Math.abs(f.b - b)).toBeLessThan(1e-9 * scale);
          expect(f.r2).toBeGreaterThan(1 - 1e-9);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
    expect(fitLogCurve([1, Math.E, Math.E ** 2], [5, 3, 1])).toMatchObject({ a: expect.closeTo(-2, 12), b: expect.closeTo(5, 12), r2: expect.closeTo(1, 12) });
  });

  it('R² on noisy data matches the textbook formula', () => {
    const xs = [1, 2, 4, 8];
    const ys = [1, 2.2, 2.9, 4.1];
    const f = fitLogCurve(xs, ys);
    // hand: ln x = k·ln 2, k = 0..3 → slope over k = 1.0 (Σ(k−1.5)(y−2.55) = 5.0/5.0·…): a·ln2 = 1.0
    expect(f.a * Math.LN2).toBeCloseTo(1.0, 12);
    expect(f.b).toBeCloseTo(1.05, 12);
    // residuals: −0.05, 0.15, −0.15, 0.05 → SS_res = 0.05; SS_tot = 5.05
    expect(f.r2).toBeCloseTo(1 - 0.05 / 5.05, 12);
  });

  it('rejects bad input', () => {
    throwsArg(() => fitLogCurve([1, 2], [1]), 'ys', 'SHAPE_MISMATCH');
    throwsArg(() => fitLogCurve([1], [1]), 'xs', 'EMPTY');
    throwsArg(() => fitLogCurve([1, 0], [1, 2]), 'xs[1]', 'OUT_OF_RANGE');
    throwsArg(() => fitLogCurve([2, 2], [1, 2]), 'xs', 'INVALID_ARGUMENT');
    throwsArg(() => fitLogCurve([1, 2], [1, NaN]), 'ys[1]', 'NON_FINITE');
  });
});
