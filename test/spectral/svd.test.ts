import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SVD, Matrix } from 'ml-matrix';
import { singularValues, svd } from '../../src/spectral/index.js';
import { OckhamError } from '../../src/errors.js';
import { matmul, randomMatrix, withSingularValues } from './helpers.js';

function mlValues(a: Float64Array, m: number, n: number): number[] {
  const M = new Matrix(m, n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) M.set(i, j, a[i * n + j]);
  return new SVD(M, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal;
}

/** max |σᵢ − σᵢ^ref| / σ₁^ref. */
function relErr(s: Float64Array, ref: number[]): number {
  expect(s.length).toBe(ref.length);
  let e = 0;
  for (let i = 0; i < s.length; i++) e = Math.max(e, Math.abs(s[i] - ref[i]));
  return ref[0] === 0 ? e : e / ref[0];
}

describe('singularValues vs ml-matrix (Float64 input, 1e-10 relative to σ₁)', () => {
  it('random matrices, tall, wide and square (property, fixed seed)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 1e6 }), (m, n, seed) => {
        const a = randomMatrix(m, n, seed);
        const s = singularValues(a, [m, n]);
        expect(relErr(s, mlValues(a, m, n))).toBeLessThan(1e-10);
        for (let i = 1; i < s.length; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('strongly tall and wide (blocked-QR pre-reduction path, several panels) and mid-size 120×90', () => {
    for (const [m, n] of [[200, 20], [20, 200], [200, 70], [70, 200], [120, 90], [90, 120], [61, 36], [300, 33]] as const) {
      const a = randomMatrix(m, n, m * 7 + n);
      expect(relErr(singularValues(a, [m, n]), mlValues(a, m, n))).toBeLessThan(1e-10);
    }
  });

  it('ill-conditioned (κ = 1e12) and rank-deficient, against known σ and ml-matrix', () => {
    const k = 25;
    const sig = Array.from({ length: k }, (_, i) => 10 ** (-(12 * i) / (k - 1)));
    for (const [m, n] of [[40, 25], [25, 40]] as const) {
      const a = withSingularValues(m, n, sig, 11);
      const s = singularValues(a, [m, n]);
      expect(relErr(s, mlValues(a, m, n))).toBeLessThan(1e-10);
      expect(relErr(s, sig)).toBeLessThan(1e-12);
    }
    const rd = withSingularValues(30, 20, [5, 4, 3, 2, 1], 5); // rank 5
    const s = singularValues(rd, [30, 20]);
    expect(relErr(s, mlValues(rd, 30, 20))).toBeLessThan(1e-10);
    for (let i = 5; i < 20; i++) expect(s[i]).toBeLessThan(1e-13 * s[0]);
  });

  it('exact small cases, Float32 input, >2-D and 1-D shapes, zero matrix', () => {
    expect(Array.from(singularValues(new Float64Array([3, 0, 0, 4]), [2, 2]))).toEqual([4, 3]);
    const f32 = new Float32Array([1, 2, 3, 4, 5, 6]);
    const s32 = singularValues(f32, [2, 3]);
    expect(relErr(s32, mlValues(Float64Array.from(f32), 2, 3))).toBeLessThan(1e-14);
    // (2, 3, 2) is viewed as 2×6
    const t = randomMatrix(2, 6, 3);
    expect(Array.from(singularValues(t, [2, 3, 2]))).toEqual(Array.from(singularValues(t, [2, 6])));
    expect(singularValues(new Float64Array([3, 4]), [2])[0]).toBeCloseTo(5, 14);
    const z = singularValues(new Float64Array(12), [3, 4]);
    expect(Array.from(z)).toEqual([0, 0, 0]);
  });

  it('does not mutate its input', () => {
    const a = randomMatrix(9, 5, 1);
    const c = a.slice();
    singularValues(a, [9, 5]);
    svd(a, [9, 5]);
    expect(a).toEqual(c);
  });

  it('bad input throws OckhamError naming the argument', () => {
    const cases: [() => unknown, string, string][] = [
      [() => singularValues(new Float64Array([1, NaN]), [1, 2]), 'matrix', 'NON_FINITE'],
      [() => singularValues(new Float64Array([1, Infinity]), [1, 2]), 'matrix', 'NON_FINITE'],
      [() => singularValues(new Float64Array([1, 2, 3]), [2, 2]), 'matrix', 'SHAPE_MISMATCH'],
      [() => singularValues(new Float64Array([1, 2]), [2, 0]), 'shape[1]', 'INVALID_ARGUMENT'],
      [() => singularValues([1, 2] as never, [1, 2]), 'matrix', 'INVALID_ARGUMENT'],
      [() => svd(new Float64Array(0), [0]), 'matrix', 'EMPTY'],
    ];
    for (const [f, arg, code] of cases) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OckhamError);
      expect((err as OckhamError).argument).toBe(arg);
      expect((err as OckhamError).code).toBe(code);
    }
  });
});

describe('svd factors', () => {
  it('M = U diag(S) Vt with orthonormal U, V (property, fixed seed)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 1e6 }), (m, n, seed) => {
        const a = randomMatrix(m, n, seed);
        const { U, S, Vt, k } = svd(a, [m, n]);
        expect(k).toBe(Math.min(m, n));
        const us = new Float64Array(m * k);
        for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us[i * k + j] = U[i * k + j] * S[j];
        const rec = matmul(us, Vt, m, k, n);
        for (let i = 0; i < a.length; i++) expect(Math.abs(rec[i] - a[i])).toBeLessThan(1e-12 * S[0]);
        for (let p = 0; p < k; p++) {
          for (let q = 0; q < k; q++) {
            let uu = 0;
            let vv = 0;
            for (let i = 0; i < m; i++) uu += U[i * k + p] * U[i * k + q];
            for (let j = 0; j < n; j++) vv += Vt[p * n + j] * Vt[q * n + j];
            expect(Math.abs(uu - (p === q ? 1 : 0))).toBeLessThan(1e-12);
            expect(Math.abs(vv - (p === q ? 1 : 0))).toBeLessThan(1e-12);
          }
        }
        expect(relErr(S, Array.from(singularValues(a, [m, n])))).toBeLessThan(1e-13);
      }),
      { seed: 7, numRuns: 40 },
    );
  });

  it('rank-deficient and zero matrices give orthonormal factors without NaN', () => {
    for (const a of [withSingularValues(12, 8, [3, 3, 1], 2), new Float64Array(96)]) {
      const { U, S, Vt } = svd(a, [12, 8]);
      expect([...U, ...S, ...Vt].every(Number.isFinite)).toBe(true);
      for (let p = 0; p < 8; p++) {
        let vv = 0;
        for (let j = 0; j < 8; j++) vv += Vt[p * 8 + j] ** 2;
        expect(vv).toBeCloseTo(1, 12);
      }
    }
  });
});

describe('singularValues: blocked kernels (panels of 32, GEMM trailing updates)', () => {
  it('several panels on both paths (direct bidiagonalisation and QR first), odd sizes, vs ml-matrix', () => {
    // Ratios < 1.4 take the blocked bidiagonalisation directly, ≥ 1.4 the blocked QR first;
    // sizes are chosen so panels, 4×3 / 4×4 GEMM blocks and their remainders all occur.
    for (const [m, n] of [[100, 100], [130, 97], [97, 130], [67, 65], [257, 101], [101, 257], [160, 33], [33, 160]] as const) {
      const a = randomMatrix(m, n, 3 * m + n);
      const s = singularValues(a, [m, n]);
      expect(relErr(s, mlValues(a, m, n))).toBeLessThan(1e-10);
    }
  });

  it('κ = 1e12 on both paths, against the known singular values', () => {
    const k = 70;
    const sig = Array.from({ length: k }, (_, i) => 10 ** (-(12 * i) / (k - 1)));
    for (const [m, n] of [[80, 70], [70, 80], [150, 70], [70, 150]] as const) {
      const s = singularValues(withSingularValues(m, n, sig, 17), [m, n]);
      expect(relErr(s, sig)).toBeLessThan(1e-12);
    }
  });

  it('zero columns and rows inside panels (β = 0 reflectors) and rank deficiency', () => {
    for (const [m, n] of [[90, 80], [80, 90], [200, 80], [80, 200]] as const) {
      const a = randomMatrix(m, n, m + 5 * n);
      for (let i = 0; i < m; i++) for (let j = 10; j < 45; j++) a[i * n + j] = 0; // zero columns
      for (let i = 3; i < 9; i++) for (let j = 0; j < n; j++) a[i * n + j] = 0; // zero rows
      const s = singularValues(a, [m, n]);
      expect(relErr(s, mlValues(a, m, n))).toBeLessThan(1e-10);
      // rank = min(m − 6, n − 35): the rest are round-off
      const r = Math.min(m - 6, n - 35);
      for (let i = r; i < s.length; i++) expect(s[i]).toBeLessThan(1e-13 * s[0]);
      expect(s[r - 1]).toBeGreaterThan(1e-3 * s[0]);
    }
  });

  it('scale equivariance far from 1: σ(c·A) = c·σ(A) for c = 2^±900 and 1e±200 (no overflow/underflow)', () => {
    for (const [m, n] of [[60, 40], [40, 120]] as const) {
      const a = randomMatrix(m, n, 9);
      const s = singularValues(a, [m, n]);
      for (const c of [2 ** 900, 2 ** -900, 1e200, 1e-200]) {
        const sc = singularValues(a.map((v) => v * c), [m, n]);
        for (let i = 0; i < s.length; i++) expect(Math.abs(sc[i] / c - s[i])).toBeLessThan(1e-13 * s[0]);
      }
    }
  });
});
