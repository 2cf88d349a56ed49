import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OckhamError } from '../../src/errors.js';
import { roundHalfEven, roundToStep } from '../../src/quantize/index.js';

describe('roundHalfEven', () => {
  it('ties go to the even neighbour', () => {
    const cases: Array<[number, number]> = [
      [0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [-0.5, -0], [-1.5, -2], [-2.5, -2],
      [0.49999999999999994, 0], [2.5000000000000004, 3], [4503599627370495.5, 4503599627370496], [1e300, 1e300],
    ];
    for (const [v, r] of cases) expect(roundHalfEven(v)).toBe(r);
  });
  it('agrees with a floor-based definition on random doubles and half-integers', () => {
    const ref = (v: number): number => {
      const f = Math.floor(v);
      const d = v - f;
      return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
    };
    fc.assert(
      fc.property(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: -1e6, max: 1e6 }).map((k) => k + 0.5)), (v) => {
        expect(roundHalfEven(v) === ref(v) || (roundHalfEven(v) === 0 && ref(v) === 0)).toBe(true);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});

describe('roundToStep', () => {
  it('round(x/Δ)·Δ with ties to even', () => {
    const y = roundToStep(new Float32Array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.26, 2.74]), 1);
    expect(Array.from(y)).toEqual([0, 2, 2, -0, -2, -2, 0, 3]);
    expect(Array.from(roundToStep(new Float32Array([0.26, -0.74, 0.25, 0.75]), 0.5))).toEqual([0.5, -0.5, 0, 1]);
  });
  it('is idempotent, lands on the grid, and moves each value by at most Δ/2', () => {
    fc.assert(
      fc.property(
        fc.float32Array({ min: Math.fround(-100), max: Math.fround(100), noNaN: true, minLength: 1, maxLength: 100 }),
        fc.double({ min: 1e-3, max: 10, noNaN: true }),
        fc.constantFrom('float32' as const, 'float64' as const),
        (x, delta, arithmetic) => {
          const before = Float32Array.from(x);
          const y = roundToStep(x, delta, { arithmetic });
          expect(x).toEqual(before);
          const d = arithmetic === 'float32' ? Math.fround(delta) : delta;
          expect(roundToStep(y, delta, { arithmetic })).toEqual(y);
          for (let i = 0; i < x.length; i++) {
            const k = y[i] / d;
            expect(Math.abs(k - Math.round(k))).toBeLessThanOrEqual(Math.abs(k) * 2 ** -21 + 1e-9); // float32 storage
            expect(Math.abs(y[i] - x[i])).toBeLessThanOrEqual(d / 2 + Math.abs(x[i]) * 2 ** -22 + 1e-30);
          }
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
  it('float32 mode follows float32 tensor arithmetic', () => {
    const f = Math.fround;
    const x = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i * 0.37) * 3);
    const d = 0.1;
    const y = roundToStep(x, d);
    for (let i = 0; i < x.length; i++) {
      const v = f(x[i] / f(d));
      const r = Math.floor(v + 0.5) - (v + 0.5 === Math.floor(v + 0.5) && Math.floor(v + 0.5) % 2 !== 0 ? 1 : 0);
      expect(y[i]).toBe(f(r * f(d)) || 0);
    }
  });
  it('rejects bad Δ, non-finite x, empty x and unknown options', () => {
    const x = new Float32Array([1, 2]);
    for (const d of [0, -1, NaN, Infinity]) {
      try {
        roundToStep(x, d);
        throw new Error('no throw');
      } catch (e) {
        expect(e).toBeInstanceOf(OckhamError);
        expect((e as OckhamError).argument).toBe('delta');
      }
    }
    expect(() => roundToStep(x, 1e-50)).toThrow(/underflows/);
    expect(() => roundToStep(new Float32Array([1, NaN]), 1)).toThrow(/element 1/);
    expect(() => roundToStep(new Float32Array(0), 1)).toThrow(OckhamError);
    expect(() => roundToStep(x, 1, { arith: 'float64' } as never)).toThrow(/options.arith/);
    expect(() => roundToStep(new Float32Array([3e38]), 1e-5)).toThrow(/overflows/);
  });
});
