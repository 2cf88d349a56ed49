import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gpFit, gpFitFixed, gpPredict, matern52 } from '../../src/coarsegrain/gp.js';
import { backSolveTransposed, cholesky, forwardSolve } from '../../src/coarsegrain/linalg.js';
import { nelderMead } from '../../src/coarsegrain/nelder-mead.js';
import { createRng } from '../../src/util/random.js';

describe('linear algebra', () => {
  it('cholesky reconstructs random SPD matrices and solves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1000 }), (n, seed) => {
        const rng = createRng(seed);
        const B = new Float64Array(n * n).map(() => rng.normal());
        const A = new Float64Array(n * n);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            let s = i === j ? 0.5 : 0;
            for (let k = 0; k < n; k++) s += B[i * n + k] * B[j * n + k];
            A[i * n + j] = s;
          }
        const L = new Float64Array(n * n);
        expect(cholesky(A, n, L)).toBe(true);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let k = 0; k < n; k++) s += L[i * n + k] * L[j * n + k];
            expect(s).toBeCloseTo(A[i * n + j], 9);
          }
        const b = new Float64Array(n).map(() => rng.normal());
        const x = Float64Array.from(b);
        forwardSolve(L, n, x);
        backSolveTransposed(L, n, x);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += A[i * n + k] * x[k];
          expect(s).toBeCloseTo(b[i], 7);
        }
      }),
      { seed: 42, numRuns: 40 },
    );
  });

  it('cholesky refuses a non-SPD matrix', () => {
    expect(cholesky(new Float64Array([1, 2, 2, 1]), 2, new Float64Array(4))).toBe(false);
  });

  it('nelderMead minimises a shifted quadratic inside the box and respects the box', () => {
    const f = (x: Float64Array): number => (x[0] - 0.3) ** 2 + 2 * (x[1] + 0.2) ** 2;
    const r = nelderMead(f, new Float64Array([0.9, 0.9]), new Float64Array([0, 0]), new Float64Array([1, 1]), new Float64Array([0.1, 0.1]), 400, 1e-14, 1e-9);
    expect(r.x[0]).toBeCloseTo(0.3, 4);
    expect(r.x[1]).toBe(0); // constrained optimum on the box edge
  });
});

describe('Gaussian process (Matérn 5/2)', () => {
  it('matern52 closed form', () => {
    expect(matern52(0)).toBe(1);
    const s = Math.sqrt(5);
    expect(matern52(1)).toBeCloseTo((1 + s + 5 / 3) * Math.exp(-s), 15);
    expect(matern52(0.4)).toBeCloseTo((1 + 0.4 * s + (5 * 0.16) / 3) * Math.exp(-0.4 * s), 15);
  });

  it('posterior mean and variance match a hand-computed two-point case', () => {
    // X = {0, 1}, y = {1, 3}, ℓ = 0.5, α = 1e-6, no normalisation; predict at x* = 0.25.
    const ell = 0.5;
    const alpha = 1e-6;
    const k12 = matern52(1 / ell);
    const a = 1 + alpha;
    const det = a * a - k12 * k12;
    // K⁻¹ = [[a, −k12], [−k12, a]] / det
    const ks = [matern52(0.25 / ell), matern52(0.75 / ell)];
    const Kinv = (v: number[]): number[] => [(a * v[0] - k12 * v[1]) / det, (-k12 * v[0] + a * v[1]) / det];
    const w = Kinv([1, 3]);
    const mean = ks[0] * w[0] + ks[1] * w[1];
    const kk = Kinv(ks);
    const variance = 1 - (ks[0] * kk[0] + ks[1] * kk[1]);
    const gp = gpFitFixed(new Float64Array([0, 1]), 2, 1, new Float64Array([1, 3]), new Float64Array([ell]), alpha, false);
    const out = new Float64Array(2);
    gpPredict(gp, new Float64Array([0.25]), new Float64Array(2), out);
    expect(out[0]).toBeCloseTo(mean, 12);
    expect(out[1]).toBeCloseTo(Math.sqrt(variance), 12);
    // Log marginal likelihood: −½ yᵀK⁻¹y − ½ ln det K − ln 2π.
    const lml = -0.5 * (1 * w[0] + 3 * w[1]) - 0.5 * Math.log(det) - Math.log(2 * Math.PI);
    expect(gp.logMarginalLikelihood).toBeCloseTo(lml, 12);
    // At a training point the posterior interpolates (up to α) with ~zero variance.
    gpPredict(gp, new Float64Array([1]), new Float64Array(2), out);
    expect(out[0]).toBeCloseTo(3, 5);
    expect(out[1]).toBeLessThan(2e-3);
  });

  it('normalize_y: y standardised (mean 2, std 1 here), predictions mapped back', () => {
    const ell = 0.5;
    const raw = gpFitFixed(new Float64Array([0, 1]), 2, 1, new Float64Array([-1, 1]), new Float64Array([ell]), 1e-6, false);
    const norm = gpFitFixed(new Float64Array([0, 1]), 2, 1, new Float64Array([1, 3]), new Float64Array([ell]), 1e-6, true);
    expect(norm.yMean).toBe(2);
    expect(norm.yStd).toBe(1);
    const a = new Float64Array(2);
    const b = new Float64Array(2);
    gpPredict(raw, new Float64Array([0.4]), new Float64Array(2), a);
    gpPredict(norm, new Float64Array([0.4]), new Float64Array(2), b);
    expect(b[0]).toBeCloseTo(a[0] + 2, 12);
    expect(b[1]).toBeCloseTo(a[1], 12);
  });

  it('fitted length-scale maximises the marginal likelihood over a fine grid', () => {
    const rng = createRng(3);
    const n = 15;
    const X = new Float64Array(n).map(() => rng.next());
    const y = X.map((x) => Math.sin(6 * x));
    const gp = gpFit(X, n, 1, y, { lengthScale: 'isotropic', lengthScaleBounds: [1e-5, 1e5], alpha: 1e-6, normalizeY: true, nRestarts: 5 }, createRng(1));
    let gridBest = -Infinity;
    for (let e = -3; e <= 2; e += 0.01) {
      const g = gpFitFixed(X, n, 1, y, new Float64Array([10 ** e]), 1e-6, true);
      if (g.jitter === 0) gridBest = Math.max(gridBest, g.logMarginalLikelihood);
    }
    expect(gp.logMarginalLikelihood).toBeGreaterThanOrEqual(gridBest - 1e-3);
    expect(gp.lengthScales[0]).toBeGreaterThan(0.05);
    expect(gp.lengthScales[0]).toBeLessThan(2);
  });
});
