/**
 * The Gram route (σᵢ² = eigenvalues of the smaller of AᵀA / AAᵀ) against the bidiagonal SVD and
 * against numpy (python3 + numpy as an oracle, skipped when absent).
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { effectiveRank, singularValues, spectralEntropy, spectralMetrics } from '../../src/spectral/index.js';
import { gramSingularValues } from '../../src/spectral/gram.js';
import { setWasmGemmEnabled } from '../../src/spectral/wasm-gemm.js';
import { OckhamError } from '../../src/errors.js';
import { matmul, randomMatrix } from './helpers.js';

afterEach(() => setWasmGemmEnabled(true));

const EPS = 2.220446049250313e-16;

/** Max |σ_gram − σ_svd| / σ₁ over the σ above the Gram noise floor; and the floor respected. */
function compare(a: Float32Array | Float64Array, m: number, n: number): number {
  const g = singularValues(a, [m, n], { method: 'gram' });
  const s = singularValues(a, [m, n], { method: 'svd' });
  expect(g.length).toBe(Math.min(m, n));
  const floor = Math.sqrt(Math.max(m, n) * EPS) * s[0];
  let err = 0;
  for (let i = 0; i < g.length; i++) {
    if (i > 0) expect(g[i]).toBeLessThanOrEqual(g[i - 1]);
    expect(g[i]).toBeGreaterThanOrEqual(0);
    if (s[i] > 4 * floor) err = Math.max(err, Math.abs(g[i] - s[i]) / s[0]);
    else expect(g[i]).toBeLessThan(8 * floor); // lost in the noise: 0 or near the floor
  }
  return err;
}

describe('Gram route vs the bidiagonal SVD', () => {
  for (const wasm of [true, false]) {
    it(`random shapes, tall / wide / square, float32 and float64 (${wasm ? 'SIMD' : 'pure JS'}; property, fixed seed)`, () => {
      setWasmGemmEnabled(wasm);
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 90 }), fc.integer({ min: 0, max: 1e6 }), fc.boolean(), (m, n, seed, f32) => {
          const a64 = randomMatrix(m, n, seed);
          const a = f32 ? Float32Array.from(a64) : a64;
          // σᵢ error of the Gram route ~ ε·σ₁²/σᵢ: relative to σ₁ it stays ≤ ~1e-12 above 4× the floor.
          expect(compare(a, m, n)).toBeLessThan(2e-10);
        }),
        { seed: 17, numRuns: wasm ? 60 : 25 },
      );
    });
  }

  it('several tridiagonalisation panels and SYRK panels (odd sizes around the block widths)', () => {
    for (const [m, n] of [[97, 300], [300, 97], [65, 513], [130, 130], [33, 257]] as const) {
      expect(compare(randomMatrix(m, n, m + n), m, n)).toBeLessThan(1e-11);
    }
  });

  it('low rank: exactly r nonzero σ, and entropy / effective rank equal the SVD route', () => {
    const r = 5;
    const u = randomMatrix(80, r, 1);
    const v = randomMatrix(r, 120, 2);
    const a = matmul(u, v, 80, r, 120);
    const g = singularValues(a, [80, 120], { method: 'gram' });
    for (let i = 0; i < r; i++) expect(g[i]).toBeGreaterThan(0);
    for (let i = r; i < g.length; i++) expect(g[i]).toBe(0);
    const hs = spectralEntropy(a, [80, 120], { method: 'svd' });
    expect(Math.abs(spectralEntropy(a, [80, 120]) - hs) / hs).toBeLessThan(1e-12);
    expect(spectralMetrics(a, [80, 120]).rank).toBe(r);
    expect(spectralMetrics(a, [80, 120], { method: 'svd' }).rank).toBe(r);
    expect(effectiveRank(a, [80, 120])).toBeCloseTo(effectiveRank(a, [80, 120], { method: 'svd' }), 12);
  });

  it('exact cases: identity → ln n, rank 1 → 0, zero matrix → zeros', () => {
    const id = new Float64Array(49);
    for (let i = 0; i < 7; i++) id[i * 8] = 1;
    expect(spectralEntropy(id, [7, 7])).toBeCloseTo(Math.log(7), 14);
    const r1 = matmul(randomMatrix(9, 1, 3), randomMatrix(1, 11, 4), 9, 1, 11);
    expect(spectralEntropy(r1, [9, 11])).toBe(0);
    expect(Array.from(gramSingularValues(new Float64Array(12), 3, 4))).toEqual([0, 0, 0]);
  });

  it('entries near the ends of the double range: σ scale exactly (power-of-two scaling)', () => {
    const a = randomMatrix(20, 30, 9);
    const s = singularValues(a, [20, 30], { method: 'gram' });
    for (const f of [2 ** 1000, 2 ** -1000, 2 ** -1060]) {
      const b = a.map((x) => x * f);
      const t = singularValues(b, [20, 30], { method: 'gram' });
      const tol = f === 2 ** -1060 ? 1e-3 : 1e-15; // subnormal entries keep few digits
      for (let i = 0; i < s.length; i++) expect(Math.abs(t[i] / f - s[i]) / s[0]).toBeLessThan(tol);
    }
  });

  it('validates the method option', () => {
    const a = randomMatrix(3, 3, 1);
    expect(() => singularValues(a, [3, 3], { method: 'qr' as 'svd' })).toThrow(OckhamError);
    expect(() => spectralEntropy(a, [3, 3], { method: 'x' as 'svd' })).toThrow(/options.method/);
    expect(() => spectralMetrics(a, [3, 3], { bogus: 1 } as object)).toThrow(OckhamError);
  });
});

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasNumpy)('Gram route vs numpy (python3 + numpy oracle)', () => {
  it('σ and spectral entropy of float32 Gaussian matrices equal numpy float64 SVD of the same values', () => {
    const shapes = [[64, 200], [200, 64], [128, 128]] as const;
    const mats = shapes.map(([m, n]) => Float32Array.from(randomMatrix(m, n, m * 3 + n)));
    // One python3 process for all shapes (its start-up dominates on a loaded machine).
    const script =
      'import sys, numpy as np\n' +
      'buf = sys.stdin.buffer.read(); off = 0\n' +
      `for m, n in ${JSON.stringify(shapes)}:\n` +
      '    a = np.frombuffer(buf, dtype=np.float32, count=m * n, offset=off).reshape(m, n).astype(np.float64); off += 4 * m * n\n' +
      '    s = np.linalg.svd(a, compute_uv=False)\n' +
      '    p = s / s.sum(); h = -(p[p > 0] * np.log(p[p > 0])).sum()\n' +
      '    print(repr(float(h))); print(" ".join(repr(float(x)) for x in s))\n';
    const input = Buffer.concat(mats.map((a) => Buffer.from(a.buffer)));
    const r = spawnSync('python3', ['-c', script], { input, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    shapes.forEach(([m, n], k) => {
      const hRef = Number(lines[2 * k]);
      const sRef = lines[2 * k + 1].split(' ').map(Number);
      const a = mats[k];
      const g = singularValues(a, [m, n], { method: 'gram' });
      for (let i = 0; i < g.length; i++) expect(Math.abs(g[i] - sRef[i]) / sRef[0]).toBeLessThan(1e-11);
      expect(Math.abs(spectralEntropy(a, [m, n]) - hRef) / hRef).toBeLessThan(1e-12);
    });
  });
});
