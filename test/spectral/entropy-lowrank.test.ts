import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  effectiveRank,
  lowRankTruncate,
  lowRankTruncateModel,
  reconstructLowRank,
  singularValues,
  spectralEntropy,
} from '../../src/spectral/index.js';
import { OckhamError } from '../../src/errors.js';
import { randomMatrix, withSingularValues } from './helpers.js';
import { expectOckhamError } from '../helpers.js';

function throwsArg(f: () => unknown, arg: string, code?: string): void {
  expectOckhamError(f, { argument: arg, ...(code ? { code } : {}) });
}

function eye(n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = 1;
  return a;
}

describe('spectralEntropy / effectiveRank', () => {
  it('identity n×n → H = ln n, effective rank n', () => {
    for (const n of [1, 2, 7, 32]) {
      expect(spectralEntropy(eye(n), [n, n])).toBeCloseTo(Math.log(n), 13);
      expect(effectiveRank(eye(n), [n, n])).toBeCloseTo(n, 11);
    }
  });

  it('rank-1 → H = 0, effective rank 1', () => {
    const u = randomMatrix(9, 1, 1);
    const v = randomMatrix(1, 6, 2);
    const a = new Float64Array(54);
    for (let i = 0; i < 9; i++) for (let j = 0; j < 6; j++) a[i * 6 + j] = u[i] * v[j];
    expect(Math.abs(spectralEntropy(a, [9, 6]))).toBeLessThan(1e-12);
    expect(effectiveRank(a, [9, 6])).toBeCloseTo(1, 12);
  });

  it('matches −Σ p ln p of known singular values, scale-invariant, in [0, ln min(m,n)]', () => {
    const sig = [4, 2, 1, 1];
    const a = withSingularValues(8, 5, sig, 3);
    const tot = 8;
    const h = -sig.reduce((acc, s) => acc + (s / tot) * Math.log(s / tot), 0);
    expect(spectralEntropy(a, [8, 5])).toBeCloseTo(h, 12);
    const b = a.map((x) => x * 1e6);
    expect(spectralEntropy(b, [8, 5])).toBeCloseTo(h, 12);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), fc.integer(), (m, n, seed) => {
        const H = spectralEntropy(randomMatrix(m, n, seed), [m, n]);
        expect(H).toBeGreaterThanOrEqual(-1e-15);
        expect(H).toBeLessThanOrEqual(Math.log(Math.min(m, n)) + 1e-12);
      }),
      { seed: 1, numRuns: 30 },
    );
  });

  it('zero matrix → typed error (never NaN)', () => {
    throwsArg(() => spectralEntropy(new Float64Array(6), [2, 3]), 'matrix', 'INVALID_ARGUMENT');
    throwsArg(() => effectiveRank(new Float32Array(4), [2, 2]), 'matrix', 'INVALID_ARGUMENT');
  });

  it('bad input', () => {
    throwsArg(() => spectralEntropy(new Float64Array([NaN, 1]), [1, 2]), 'matrix', 'NON_FINITE');
    throwsArg(() => spectralEntropy(new Float64Array([1, 1]), [3]), 'matrix', 'SHAPE_MISMATCH');
  });
});

function frob(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

describe('lowRankTruncate', () => {
  it('Eckart–Young: ‖M − M_k‖_F = √Σ_{i>k}σᵢ² to 1e-8 relative (property, fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 40 }),
        fc.integer({ min: 4, max: 40 }),
        fc.double({ min: 0.05, max: 0.6, noNaN: true }),
        fc.integer({ min: 0, max: 1e6 }),
        (m, n, tau, seed) => {
          const a = randomMatrix(m, n, seed);
          const t = lowRankTruncate(a, [m, n], tau);
          const s = singularValues(a, [m, n]);
          let tail = 0;
          for (let i = t.k; i < s.length; i++) tail += s[i] * s[i];
          const expected = t.kind === 'factors' ? Math.sqrt(tail) : 0;
          const err = frob(reconstructLowRank(t), a);
          expect(Math.abs(err - expected)).toBeLessThanOrEqual(1e-8 * Math.max(expected, 1e-300) + 1e-13 * s[0]);
          if (t.kind === 'factors') {
            expect(Math.abs(t.truncationError - err)).toBeLessThanOrEqual(1e-8 * err);
            expect(t.left.length).toBe(m * t.k);
            expect(t.right.length).toBe(t.k * n);
          }
        },
      ),
      { seed: 42, numRuns: 40 },
    );
  });

  it('k(τ): τ = 1 → full (numerical) rank; one dominant σ → k = 1; monotone in τ', () => {
    const a = randomMatrix(10, 6, 5);
    expect(lowRankTruncate(a, [10, 6], 1).k).toBe(6);
    expect(lowRankTruncate(a, [10, 6], 1).kind).toBe('dense');
    // rank-3 matrix: τ = 1 gives k = 3 (round-off σ₄..σ₆ ≈ 1e-16 are not counted)
    const r3 = withSingularValues(10, 6, [3, 2, 1], 4);
    const t3 = lowRankTruncate(r3, [10, 6], 1);
    expect(t3.rank).toBe(3);
    expect(t3.k).toBe(3);
    expect(t3.kind).toBe('factors'); // 3·16 = 48 < 60
    const dom = withSingularValues(10, 6, [1000, 1, 0.5, 0.25], 6);
    expect(lowRankTruncate(dom, [10, 6], 0.99).k).toBe(1);
    let prev = 0;
    for (const tau of [0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1]) {
      const k = lowRankTruncate(a, [10, 6], tau).k;
      expect(k).toBeGreaterThanOrEqual(prev);
      prev = k;
    }
  });

  it('paper vs code rule: code keeps one singular value fewer (reference searchsorted)', () => {
    // σ = 4, 3, 2, 1 (Σ = 10): partial sums 4, 7, 9, 10
    const a = withSingularValues(12, 12, [4, 3, 2, 1], 8);
    const cases: [number, number][] = [[0.3, 1], [0.4, 1], [0.41, 2], [0.7, 2], [0.75, 3], [0.95, 4]];
    for (const [tau, k] of cases) {
      // partial sums are exact only up to round-off in σ; stay away from ties except where tested below
      if (tau === 0.4 || tau === 0.7) continue;
      expect(lowRankTruncate(a, [12, 12], tau).k).toBe(k);
      expect(lowRankTruncate(a, [12, 12], tau, { kRule: 'code' }).k).toBe(k - 1);
    }
    // exact ties with exactly representable σ (diagonal matrix): paper → k = 1 at τ = 0.4
    const d = new Float64Array(16);
    [4, 3, 2, 1].forEach((s, i) => (d[i * 4 + i] = s));
    expect(lowRankTruncate(d, [4, 4], 0.4).k).toBe(1);
    expect(lowRankTruncate(d, [4, 4], 0.4, { kRule: 'code' }).k).toBe(0);
    // τ = 1 on exact σ (on the 12×12 matrix round-off σ ≈ 1e-15 make Σσ a hair above 10: a tie
    // at round-off level that says nothing about the rule).
    expect(lowRankTruncate(d, [4, 4], 1).k).toBe(4);
    expect(lowRankTruncate(d, [4, 4], 1, { kRule: 'code' }).k).toBe(3);
    const z = lowRankTruncate(d, [4, 4], 0.3, { kRule: 'code' });
    expect(z.kind).toBe('factors');
    expect(z.k).toBe(0);
    expect(Array.from(reconstructLowRank(z))).toEqual(new Array(16).fill(0));
  });

  it('the k < mn/(m+n) rule at its boundary (4×4: mn/(m+n) = 2; 6×3: = 2)', () => {
    const d = new Float64Array(16);
    [4, 3, 2, 1].forEach((s, i) => (d[i * 4 + i] = s));
    const k1 = lowRankTruncate(d, [4, 4], 0.4);
    expect(k1.k).toBe(1);
    expect(k1.kind).toBe('factors');
    expect(k1.storedParams).toBe(8);
    const k2 = lowRankTruncate(d, [4, 4], 0.7);
    expect(k2.k).toBe(2); // 2·(4+4) = 16 = mn → not smaller: dense
    expect(k2.kind).toBe('dense');
    expect(k2.kind === 'dense' && k2.reason).toBe('k-not-below-mn/(m+n)');
    expect(Array.from(reconstructLowRank(k2))).toEqual(Array.from(d));
    const r = withSingularValues(6, 3, [5, 1, 0.5], 9);
    expect(lowRankTruncate(r, [6, 3], 0.5).kind).toBe('factors'); // k = 1 < 2
    const t = lowRankTruncate(r, [6, 3], 0.9);
    expect(t.k).toBe(2);
    expect(t.kind).toBe('dense'); // 2·9 = 18 = mn
  });

  it('Float32 in → Float32 factors and reconstruction; input not mutated', () => {
    const a = Float32Array.from(withSingularValues(20, 10, [5, 4, 0.01, 0.01], 1));
    const copy = a.slice();
    const t = lowRankTruncate(a, [20, 10], 0.99);
    expect(t.kind).toBe('factors');
    if (t.kind !== 'factors') return;
    expect(t.left).toBeInstanceOf(Float32Array);
    const rec = reconstructLowRank(t);
    expect(rec).toBeInstanceOf(Float32Array);
    expect(frob(rec, a)).toBeCloseTo(t.truncationError, 5);
    expect(a).toEqual(copy);
  });

  it('zero matrix → k = 0 factors, exact zero reconstruction', () => {
    const t = lowRankTruncate(new Float64Array(12), [3, 4], 0.5);
    expect(t.k).toBe(0);
    expect(t.rank).toBe(0);
    expect(t.kind).toBe('factors');
    expect(Array.from(reconstructLowRank(t))).toEqual(new Array(12).fill(0));
  });

  it('bad input: τ outside (0, 1], NaN, wrong shape, unknown option', () => {
    const a = randomMatrix(3, 3, 1);
    for (const tau of [0, -0.1, 1.0000001, 2]) throwsArg(() => lowRankTruncate(a, [3, 3], tau), 'tau', 'OUT_OF_RANGE');
    throwsArg(() => lowRankTruncate(a, [3, 3], NaN), 'tau', 'NON_FINITE');
    throwsArg(() => lowRankTruncate(a, [3, 3], Infinity), 'tau', 'NON_FINITE');
    throwsArg(() => lowRankTruncate(a, [3, 4], 0.5), 'matrix', 'SHAPE_MISMATCH');
    throwsArg(() => lowRankTruncate(a, [3, 3], 0.5, { kRule: 'exact' as never }), 'options.kRule', 'INVALID_ARGUMENT');
    throwsArg(() => lowRankTruncate(a, [3, 3], 0.5, { krule: 'code' } as never), 'options.krule', 'UNKNOWN_OPTION');
    throwsArg(() => reconstructLowRank({} as never), 't');
  });
});

describe('lowRankTruncateModel', () => {
  it('truncates matrices with one τ, keeps vectors, totals parameters', () => {
    const w1 = withSingularValues(16, 8, [10, 0.1], 1);
    const w2 = randomMatrix(4, 6, 2);
    const conv = Float32Array.from(withSingularValues(8, 12, [3, 0.01], 3)); // viewed as 8×(3·2·2)
    const r = lowRankTruncateModel(
      { w1: { data: w1, shape: [16, 8] }, b: { data: new Float64Array([1, 2, 3]), shape: [3] }, w2: { data: w2, shape: [4, 6] }, conv: { data: conv, shape: [8, 3, 2, 2] } },
      0.9,
    );
    expect(Object.keys(r.layers)).toEqual(['w1', 'b', 'w2', 'conv']);
    expect(r.layers.w1.kind).toBe('factors');
    expect(r.layers.w1.k).toBe(1);
    expect(r.layers.b.kind).toBe('dense');
    expect(r.layers.b.kind === 'dense' && r.layers.b.reason).toBe('not-a-matrix');
    expect(r.layers.conv.kind).toBe('factors');
    expect(r.layers.conv.shape).toEqual([8, 3, 2, 2]);
    expect(r.originalParams).toBe(128 + 3 + 24 + 96);
    const single = lowRankTruncate(w2, [4, 6], 0.9);
    expect(r.layers.w2.k).toBe(single.k);
    expect(r.storedParams).toBe(24 + 3 + single.storedParams + 20);
  });

  it('names the offending tensor', () => {
    throwsArg(() => lowRankTruncateModel({ a: { data: new Float64Array([1, NaN]), shape: [1, 2] } }, 0.5), 'tensors.a.data', 'NON_FINITE');
    throwsArg(() => lowRankTruncateModel({ a: { data: new Float64Array([1, 2]), shape: [3] } }, 0.5), 'tensors.a.data', 'SHAPE_MISMATCH');
    throwsArg(() => lowRankTruncateModel({}, 0), 'tau');
    throwsArg(() => lowRankTruncateModel({}, 0.5), 'tensors', 'EMPTY');
    // array form, same result as the record form
    const w = randomMatrix(6, 4, 3);
    const a = lowRankTruncateModel([{ name: 'w', data: w, shape: [6, 4] }], 0.5);
    expect(a.layers.w.k).toBe(lowRankTruncateModel({ w: { data: w, shape: [6, 4] } }, 0.5).layers.w.k);
  });
});
