import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { symmetricEigen } from '../../src/spectral/index.js';
import { OckhamError } from '../../src/errors.js';
import { randomMatrix } from './helpers.js';

function randomSymmetric(n: number, seed: number): Float64Array {
  const a = randomMatrix(n, n, seed);
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] = a[i * n + j] + a[j * n + i];
  return s;
}

describe('symmetricEigen', () => {
  it('2×2 known answer', () => {
    const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2, { vectors: true });
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
    expect(Math.abs(vectors![0])).toBeCloseTo(Math.SQRT1_2, 14);
    expect(Math.abs(vectors![2])).toBeCloseTo(Math.SQRT1_2, 14);
  });

  it('1×1, diagonal and zero matrices', () => {
    expect(Array.from(symmetricEigen(new Float64Array([-4]), 1).values)).toEqual([-4]);
    const diag = new Float64Array(9);
    diag[0] = 1;
    diag[4] = -2;
    diag[8] = 5;
    expect(Array.from(symmetricEigen(diag, 3).values)).toEqual([5, 1, -2]);
    const z = symmetricEigen(new Float64Array(16), 4, { vectors: true });
    expect(Array.from(z.values)).toEqual([0, 0, 0, 0]);
    expect(z.vectors!.every(Number.isFinite)).toBe(true);
  });

  it('agrees with ml-matrix and satisfies A V = V Λ, VᵀV = I (random symmetric)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const a = randomSymmetric(n, seed);
        const { values, vectors } = symmetricEigen(a, n, { vectors: true });
        const ref = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, i * n + n)))), { assumeSymmetric: true }).realEigenvalues.slice().sort((x, y) => y - x);
        const scale = Math.max(Math.abs(values[0]), Math.abs(values[n - 1]));
        for (let i = 0; i < n; i++) expect(Math.abs(values[i] - ref[i])).toBeLessThan(1e-12 * scale * n);
        const v = vectors!;
        let resid = 0;
        let orth = 0;
        for (let j = 0; j < n; j++) {
          for (let i = 0; i < n; i++) {
            let s = 0;
            for (let k = 0; k < n; k++) s += a[i * n + k] * v[k * n + j];
            resid = Math.max(resid, Math.abs(s - values[j] * v[i * n + j]));
          }
          for (let l = 0; l < n; l++) {
            let s = 0;
            for (let k = 0; k < n; k++) s += v[k * n + j] * v[k * n + l];
            orth = Math.max(orth, Math.abs(s - (j === l ? 1 : 0)));
          }
        }
        expect(resid).toBeLessThan(1e-12 * scale * n);
        expect(orth).toBeLessThan(1e-13 * n);
      }),
      { seed: 42, numRuns: 40 },
    );
  });

  it('handles repeated eigenvalues (projector)', () => {
    // P = I − 2uuᵀ/… style: eigenvalues {1 (×n−1), −1}
    const n = 30;
    const u = randomMatrix(n, 1, 7);
    let nn = 0;
    for (const x of u) nn += x * x;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = (i === j ? 1 : 0) - (2 * u[i] * u[j]) / nn;
    const { values } = symmetricEigen(a, n);
    for (let i = 0; i < n - 1; i++) expect(values[i]).toBeCloseTo(1, 13);
    expect(values[n - 1]).toBeCloseTo(-1, 13);
  });

  it('Float32 input and no mutation', () => {
    const a = new Float32Array([4, 1, 0, 1, 3, 1, 0, 1, 2]);
    const copy = a.slice();
    const { values } = symmetricEigen(a, 3);
    expect(a).toEqual(copy);
    expect(values[0] + values[1] + values[2]).toBeCloseTo(9, 12);
  });

  it('bad input throws OckhamError naming the argument', () => {
    const err = (f: () => unknown, arg: string) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(OckhamError);
        expect((e as OckhamError).argument).toBe(arg);
        return;
      }
      throw new Error('did not throw');
    };
    err(() => symmetricEigen(new Float64Array([1, NaN, NaN, 1]), 2), 'a');
    err(() => symmetricEigen(new Float64Array([1, 2, 3]), 2), 'a');
    err(() => symmetricEigen(new Float64Array([1, 2, 3, 4]), 0), 'n');
    err(() => symmetricEigen(new Float64Array([1, 2, 3, 4]), 2), 'a');
    err(() => symmetricEigen(new Float64Array([1, 2, 2, 4]), 2, { vector: true } as never), 'options.vector');
    expect(symmetricEigen(new Float64Array([1, 2, 3, 4]), 2, { symmetrize: true }).values[0]).toBeCloseTo(2.5 + Math.sqrt(2.25 + 6.25), 12);
  });
});

describe('symmetricEigen values-only blocked path (n ≥ 64)', () => {
  it('equals the unblocked path (the vectors run) on sizes around the panel widths, SIMD and pure JS', async () => {
    const { setWasmGemmEnabled } = await import('../../src/spectral/wasm-gemm.js');
    for (const wasm of [true, false]) {
      setWasmGemmEnabled(wasm);
      try {
        for (const n of [64, 65, 97, 130]) {
          const a = randomSymmetric(n, n);
          const blocked = symmetricEigen(a, n).values;
          const plain = symmetricEigen(a, n, { vectors: true }).values;
          const scale = Math.max(Math.abs(plain[0]), Math.abs(plain[n - 1]));
          for (let i = 0; i < n; i++) expect(Math.abs(blocked[i] - plain[i])).toBeLessThan(1e-12 * scale);
        }
      } finally {
        setWasmGemmEnabled(true);
      }
    }
  });

  it('entries near ±1e300 and 1e-300: eigenvalues scale exactly', () => {
    const n = 70;
    const a = randomSymmetric(n, 5);
    const v = symmetricEigen(a, n).values;
    for (const f of [2 ** 990, 2 ** -990]) {
      const w = symmetricEigen(a.map((x) => x * f), n).values;
      for (let i = 0; i < n; i++) expect(Math.abs(w[i] / f - v[i])).toBeLessThan(1e-13 * Math.abs(v[0]));
    }
  });
});
