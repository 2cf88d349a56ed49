import { describe, expect, it } from 'vitest';
import { spectralMetrics } from '../../src/spectral/index.js';
import { randomMatrix } from './helpers.js';

// Issue 15: finite float64 input near the ends of the double range must give finite metrics.
describe('spectralMetrics at extreme scales', () => {
  const base = randomMatrix(12, 9, 7);
  const ref = spectralMetrics(base, [12, 9]);
  for (const [label, f] of [
    ['1e300', 1e300],
    ['-1e300', -1e300],
    ['1e-310', 1e-310 / 4],
    ['2^-1000', 2 ** -1000],
  ] as const) {
    it(`entries scaled by ${label} keep stable rank, α and the logs finite and consistent`, () => {
      const pow2 = Math.abs(f) === 2 ** -1000;
      const a = base.map((x) => x * f);
      const m = spectralMetrics(a, [12, 9]);
      expect(Number.isFinite(m.stableRank)).toBe(true);
      expect(Number.isFinite(m.logSpectralNorm)).toBe(true);
      expect(Number.isFinite(m.logFrobeniusNorm)).toBe(true);
      // Scale-invariant quantities equal the unscaled matrix's (subnormal entries lose digits).
      const tol = Math.abs(f) < 1e-300 && !pow2 ? 1e-3 : 1e-10;
      expect(Math.abs(m.stableRank - ref.stableRank) / ref.stableRank).toBeLessThan(tol);
      const shift = 2 * Math.log10(Math.abs(f));
      expect(Math.abs(m.logSpectralNorm - (ref.logSpectralNorm + shift))).toBeLessThan(tol * 10);
      expect(Math.abs(m.logFrobeniusNorm - (ref.logFrobeniusNorm + shift))).toBeLessThan(tol * 10);
      expect(m.rank).toBe(ref.rank);
      if (ref.alpha !== null) {
        expect(m.alpha).not.toBeNull();
        expect(Math.abs((m.alpha as number) - ref.alpha) / ref.alpha).toBeLessThan(tol);
        expect(Number.isFinite(m.alphaWeighted)).toBe(true);
        expect(Number.isFinite(m.logAlphaNorm)).toBe(true);
        expect(Math.abs((m.logAlphaNorm as number) - ((ref.logAlphaNorm as number) + (ref.alpha as number) * shift))).toBeLessThan(1e-6 + tol * 100);
      }
    });
  }
  it('a single huge entry: stable rank 1, log spectral norm 2·log10 σ₁', () => {
    const a = new Float64Array(16);
    a[5] = 1.5e300;
    const m = spectralMetrics(a, [4, 4]);
    expect(m.stableRank).toBe(1);
    expect(m.logSpectralNorm).toBeCloseTo(2 * Math.log10(1.5e300), 10);
  });
});
