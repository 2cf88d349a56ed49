import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { powerLawFit, spectralEntropy, spectralEntropyGradient, spectralMetrics } from '../../src/spectral/index.js';
import { OckhamError } from '../../src/errors.js';
import { randomMatrix, rng, withSingularValues } from './helpers.js';

describe('spectralEntropyGradient', () => {
  it('matches central finite differences to 1e-5 relative (property, fixed seed)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 1e6 }), (m, n, seed) => {
        fc.pre(Math.min(m, n) > 1); // H ≡ 0 for vectors
        const a = randomMatrix(m, n, seed);
        const { gradient, entropy } = spectralEntropyGradient(a, [m, n]);
        expect(entropy).toBeCloseTo(spectralEntropy(a, [m, n]), 13);
        const h = 1e-5;
        let gmax = 0;
        for (const g of gradient) gmax = Math.max(gmax, Math.abs(g));
        for (let i = 0; i < a.length; i++) {
          const p = a.slice();
          const q = a.slice();
          p[i] += h;
          q[i] -= h;
          const fd = (spectralEntropy(p, [m, n]) - spectralEntropy(q, [m, n])) / (2 * h);
          expect(Math.abs(fd - gradient[i])).toBeLessThan(1e-5 * Math.max(Math.abs(gradient[i]), gmax));
        }
      }),
      { seed: 42, numRuns: 30 },
    );
  });

  it('diag(2, 1) known answer: ∂H/∂σⱼ = −(ln pⱼ + H)/Σσ', () => {
    const { entropy, gradient } = spectralEntropyGradient(new Float64Array([2, 0, 0, 1]), [2, 2]);
    const H = -((2 / 3) * Math.log(2 / 3) + (1 / 3) * Math.log(1 / 3));
    expect(entropy).toBeCloseTo(H, 14);
    expect(gradient[0]).toBeCloseTo(-(Math.log(2 / 3) + H) / 3, 14);
    expect(gradient[3]).toBeCloseTo(-(Math.log(1 / 3) + H) / 3, 14);
    expect(Math.abs(gradient[1]) + Math.abs(gradient[2])).toBeLessThan(1e-15);
  });

  it('repeated singular values: finite, equals FD, and identity has zero gradient (H is maximal)', () => {
    const n = 5;
    const I = new Float64Array(n * n);
    for (let i = 0; i < n; i++) I[i * n + i] = 1;
    const gI = spectralEntropyGradient(I, [n, n]).gradient;
    for (const g of gI) expect(Math.abs(g)).toBeLessThan(1e-14);
    const a = withSingularValues(6, 5, [2, 2, 2, 1, 0.5], 3);
    const { gradient } = spectralEntropyGradient(a, [6, 5]);
    expect(gradient.every(Number.isFinite)).toBe(true);
    const h = 1e-6;
    for (let i = 0; i < a.length; i += 3) {
      const p = a.slice();
      const q = a.slice();
      p[i] += h;
      q[i] -= h;
      const fd = (spectralEntropy(p, [6, 5]) - spectralEntropy(q, [6, 5])) / (2 * h);
      expect(Math.abs(fd - gradient[i])).toBeLessThan(1e-6);
    }
  });

  it('zero singular values: no NaN; gradient lives in the row/column spaces', () => {
    const a = withSingularValues(7, 5, [3, 1], 4); // rank 2
    const r = spectralEntropyGradient(a, [7, 5]);
    expect(r.zeroSingularValues).toBe(3);
    expect(r.gradient.every(Number.isFinite)).toBe(true);
    // Directional derivative along M itself is 0 (H is scale-invariant): ⟨G, M⟩ = Σ σᵢ ∂H/∂σᵢ = 0.
    let dot = 0;
    for (let i = 0; i < a.length; i++) dot += r.gradient[i] * a[i];
    expect(Math.abs(dot)).toBeLessThan(1e-13);
    // Along a perturbation inside the row/column spaces (δM = M·P for a random P keeps the
    // column space; the rank stays 2) it matches the central difference.
    const P = randomMatrix(5, 5, 8);
    const dM = new Float64Array(35);
    for (let i = 0; i < 7; i++) for (let j = 0; j < 5; j++) for (let l = 0; l < 5; l++) dM[i * 5 + j] += a[i * 5 + l] * P[l * 5 + j];
    let dir = 0;
    for (let i = 0; i < 35; i++) dir += r.gradient[i] * dM[i];
    const h = 1e-6;
    const fd = (spectralEntropy(a.map((x, i) => x + h * dM[i]), [7, 5]) - spectralEntropy(a.map((x, i) => x - h * dM[i]), [7, 5])) / (2 * h);
    expect(Math.abs(fd - dir)).toBeLessThan(1e-5 * Math.abs(dir) + 1e-9);
  });

  it('zero matrix → typed error', () => {
    expect(() => spectralEntropyGradient(new Float64Array(4), [2, 2])).toThrow(OckhamError);
  });
});

/** Pareto(α, xmin) samples by inversion. */
function pareto(count: number, alpha: number, xmin: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: count }, () => xmin * (1 - r()) ** (-1 / (alpha - 1)));
}

describe('powerLawFit (Clauset–Shalizi–Newman MLE, xmin by KS)', () => {
  it('recovers α from pure Pareto samples (seeded)', () => {
    for (const [alpha, seed] of [[2, 1], [2.5, 2], [3.5, 3], [5, 4]] as const) {
      const fit = powerLawFit(pareto(3000, alpha, 1, seed));
      expect(Math.abs(fit.alpha - alpha)).toBeLessThan(Math.max(0.1, 4 * fit.sigma));
      expect(fit.xmin).toBeLessThan(1.5);
    }
  });

  it('finds xmin above a non-power-law body', () => {
    const r = rng(9);
    const body = Float64Array.from({ length: 3000 }, () => 0.1 + 0.9 * r());
    const tail = pareto(3000, 3, 1, 10);
    const fit = powerLawFit(Float64Array.from([...body, ...tail]));
    expect(fit.xmin).toBeGreaterThan(0.85);
    expect(fit.xmin).toBeLessThan(1.5);
    expect(Math.abs(fit.alpha - 3)).toBeLessThan(0.2);
  });

  it('fixed xmin gives the closed-form MLE', () => {
    const x = new Float64Array([1, 2, 4, 8]);
    const fit = powerLawFit(x, { xmin: 1 });
    const expected = 1 + 4 / (Math.log(1) + Math.log(2) + Math.log(4) + Math.log(8));
    expect(fit.alpha).toBeCloseTo(expected, 14);
    expect(fit.nTail).toBe(4);
  });

  it('bad input', () => {
    expect(() => powerLawFit(new Float64Array([1]))).toThrow(OckhamError);
    expect(() => powerLawFit(new Float64Array([1, NaN]))).toThrow(OckhamError);
    expect(() => powerLawFit(new Float64Array([2, 2, 2]))).toThrow(OckhamError);
    expect(() => powerLawFit(new Float64Array([1, 2]), { xmin: -1 })).toThrow(OckhamError);
  });
});

describe('spectralMetrics', () => {
  it('norms, stable rank and log norms of diag(3, 4)', () => {
    const m = spectralMetrics(new Float64Array([3, 0, 0, 4]), [2, 2]);
    expect(m.spectralNorm).toBe(4);
    expect(m.frobeniusNorm).toBeCloseTo(5, 14);
    expect(m.stableRank).toBeCloseTo(25 / 16, 14);
    expect(m.logSpectralNorm).toBeCloseTo(Math.log10(16), 14);
    expect(m.logFrobeniusNorm).toBeCloseTo(Math.log10(25), 14);
    expect(m.rank).toBe(2);
    // Two eigenvalues {9, 16}: xmin = 9, α = 1 + 2/ln(16/9)
    expect(m.alpha).toBeCloseTo(1 + 2 / Math.log(16 / 9), 12);
    expect(m.alphaWeighted).toBeCloseTo(m.alpha! * Math.log10(16), 12);
    expect(m.logAlphaNorm).toBeCloseTo(Math.log10(9 ** m.alpha! + 16 ** m.alpha!), 10);
  });

  it('eigenvalue spectrum with a Pareto tail → α recovered', () => {
    const evals = pareto(300, 3, 1, 5);
    const sig = Array.from(evals, Math.sqrt).sort((a, b) => b - a);
    const a = withSingularValues(320, 300, sig, 6);
    const m = spectralMetrics(a, [320, 300]);
    const direct = powerLawFit(evals);
    expect(m.alpha!).toBeCloseTo(direct.alpha, 6);
    expect(Math.abs(m.alpha! - 3)).toBeLessThan(0.5);
  }, 20_000);

  it('zero and identity matrices: no NaN, α null', () => {
    const z = spectralMetrics(new Float64Array(9), [3, 3]);
    expect(z.spectralNorm).toBe(0);
    expect(z.stableRank).toBe(0);
    expect(z.alpha).toBeNull();
    const I = spectralMetrics(new Float64Array([1, 0, 0, 1]), [2, 2]);
    expect(I.alpha).toBeNull();
    expect(I.stableRank).toBeCloseTo(2, 14);
    for (const v of [z.spectralNorm, z.frobeniusNorm, z.stableRank, z.rank]) expect(Number.isNaN(v)).toBe(false);
  });
});
