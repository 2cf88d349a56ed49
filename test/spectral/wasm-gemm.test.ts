import { afterEach, describe, expect, it } from 'vitest';
import { SVD, Matrix } from 'ml-matrix';
import { singularValues } from '../../src/spectral/index.js';
import { columnCombine, columnDots, columnRank1, panelDots, panelUpdate } from '../../src/spectral/gemm.js';
import { activeGemm, moduleBytes, setWasmGemmEnabled, wasmArena } from '../../src/spectral/wasm-gemm.js';
import { randomMatrix, withSingularValues } from './helpers.js';

function mlValues(a: Float64Array, m: number, n: number): number[] {
  const M = new Matrix(m, n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) M.set(i, j, a[i * n + j]);
  return new SVD(M, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal;
}

function maxRel(s: ArrayLike<number>, ref: ArrayLike<number>, scale: number): number {
  let e = 0;
  for (let i = 0; i < s.length; i++) e = Math.max(e, Math.abs(s[i] - ref[i]));
  return e / scale;
}

const hasSimd = (() => {
  const ar = wasmArena(1 << 14, 0);
  const on = activeGemm !== null;
  ar.release();
  return on;
})();

afterEach(() => setWasmGemmEnabled(true));

describe('wasm module', () => {
  it('is valid WebAssembly and under 4 KiB (browsers allow synchronous compilation on the main thread only below 4 KiB)', () => {
    const b = moduleBytes();
    expect(b.length).toBeLessThan(4096);
    // Runtimes without SIMD reject it; then the arena falls back to plain arrays (see hasSimd).
    expect(WebAssembly.validate(b)).toBe(hasSimd);
  });
});

describe.skipIf(!hasSimd)('WebAssembly SIMD GEMM kernels (skipped: this runtime has no wasm SIMD)', () => {
  it('panelDots / panelUpdate in the arena equal the JS kernels on every remainder shape', () => {
    // nb, nc, row ranges chosen so the SIMD bulk and each JS remainder (reflectors mod 4, columns
    // mod 4 / mod 2, an odd row, several row blocks, non-zero offsets) all run.
    for (const [ld, r0, nb, nc, vo, ao] of [
      [3072, 5, 32, 37, 0, 0],
      [101, 3, 7, 13, 101, 0],
      [768, 32, 64, 705, 0, 768],
      [9, 0, 4, 4, 0, 9],
      [40, 39, 6, 3, 0, 0],
    ] as const) {
      const ar = wasmArena(1 << 22, 0);
      const v = ar.f64((nb + 2) * ld);
      const a = ar.f64((nc + 2) * ld);
      const z = ar.f64(nb * (nc + 1) + 1);
      const w = ar.f64(nb * nc);
      const fill = (x: Float64Array, s: number): void => {
        const g = randomMatrix(1, x.length, s);
        x.set(g);
      };
      fill(v, 1);
      fill(a, 2);
      fill(z, 3);
      const v2 = new Float64Array(v);
      const a2 = new Float64Array(a);
      const z2 = new Float64Array(z);
      const w2 = new Float64Array(nb * nc);
      panelDots(v, vo, a, ao, ld, r0, ld, nb, nc, w, nc);
      panelDots(v2, vo, a2, ao, ld, r0, ld, nb, nc, w2, nc);
      // Same sums in another order: agree to round-off of the column length.
      expect(maxRel(w, w2, Math.sqrt(ld))).toBeLessThan(1e-13);
      let nonzero = 0;
      for (let i = 0; i < w.length; i++) if (w[i] !== 0) nonzero++;
      expect(nonzero).toBe(w.length);
      panelUpdate(v, vo, a, ao, ld, r0, ld, nb, nc + 1, z.subarray(1), nc + 1);
      panelUpdate(v2, vo, a2, ao, ld, r0, ld, nb, nc + 1, z2.subarray(1), nc + 1);
      expect(maxRel(a, a2, 1)).toBeLessThan(1e-13);
      // Rows outside [r0, ld) and columns past nc + 1 are untouched.
      expect(a[ao + r0 - 1] ?? 0).toBe(a2[ao + r0 - 1] ?? 0);
      ar.release();
      expect(activeGemm).toBeNull();
    }
  });

  it('columnDots / columnCombine / columnRank1 (level 2) in the arena equal the JS kernels, odd rows and columns included', () => {
    for (const [ld, r0, r1, c0, c1] of [
      [300, 7, 300, 3, 40],
      [64, 0, 64, 0, 4],
      [129, 1, 128, 5, 7],
      [50, 11, 49, 2, 23],
    ] as const) {
      const ar = wasmArena(1 << 20, 0);
      const a = ar.f64(ld * c1);
      const x = ar.f64(ld + 3);
      const u = ar.f64(c1 + 2);
      const out = ar.f64(Math.max(ld, c1) + 5);
      a.set(randomMatrix(1, a.length, 11));
      x.set(randomMatrix(1, x.length, 12));
      u.set(randomMatrix(1, u.length, 13));
      out.set(randomMatrix(1, out.length, 14));
      const a2 = new Float64Array(a);
      const x2 = new Float64Array(x);
      const u2 = new Float64Array(u);
      const out2 = new Float64Array(out);
      columnDots(a, ld, r0, r1, c0, c1, x, 3, out, 2);
      columnDots(a2, ld, r0, r1, c0, c1, x2, 3, out2, 2);
      expect(maxRel(out, out2, Math.sqrt(ld))).toBeLessThan(1e-13);
      expect(out[0]).toBe(out2[0]); // outside [oo + c0, oo + c1): untouched
      columnCombine(a, ld, r0, r1, c0, c1, u, 2, out, 1);
      columnCombine(a2, ld, r0, r1, c0, c1, u2, 2, out2, 1);
      expect(maxRel(out, out2, Math.sqrt(c1))).toBeLessThan(1e-13);
      columnRank1(a, ld, r0, r1, c0, c1, x, 1, u, 2);
      columnRank1(a2, ld, r0, r1, c0, c1, x2, 1, u2, 2);
      expect(maxRel(a, a2, 1)).toBe(0); // same single multiply-subtract per entry
      ar.release();
    }
  });

  it('singularValues: SIMD arena and the pure-JS fallback agree, and both match ml-matrix to 1e-10', () => {
    const cases: [number, number, Float64Array][] = [
      [131, 67, randomMatrix(131, 67, 1)],
      [67, 131, randomMatrix(67, 131, 2)],
      [150, 150, randomMatrix(150, 150, 3)],
      [300, 45, randomMatrix(300, 45, 4)],
      [97, 97, withSingularValues(97, 97, Array.from({ length: 97 }, (_, i) => 10 ** (-12 * i / 96)), 5)],
    ];
    for (const [m, n, a] of cases) {
      setWasmGemmEnabled(true);
      const sw = singularValues(a, [m, n]);
      setWasmGemmEnabled(false);
      const sj = singularValues(a, [m, n]);
      const ref = mlValues(a, m, n);
      expect(maxRel(sw, ref, ref[0])).toBeLessThan(1e-10);
      expect(maxRel(sj, ref, ref[0])).toBeLessThan(1e-10);
      expect(maxRel(sw, sj, sj[0])).toBeLessThan(1e-13);
      expect(activeGemm).toBeNull();
    }
  });
});
