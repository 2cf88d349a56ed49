import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OckhamError } from '../../src/errors.js';
import { learningCoefficientDln, reducedRankRegression } from '../../src/llc/dln.js';
import { llcDescriptionLength } from '../../src/llc/description-length.js';

describe('learningCoefficientDln', () => {
  it('reduced-rank regression (M, H, N), r = 0 — the issue’s figures', () => {
    expect(learningCoefficientDln([5, 3, 5], 0)).toBe(6.5);
    expect(learningCoefficientDln([5, 4, 5], 0)).toBe(8);
    expect(learningCoefficientDln([4, 3, 8], 0)).toBe(6);
    expect(learningCoefficientDln([8, 3, 4], 0)).toBe(6);
    expect(learningCoefficientDln([3, 8, 4], 0)).toBe(6);
  });

  it('deep linear networks — the issue’s figures', () => {
    expect(learningCoefficientDln([10, 5, 10], 5)).toBe(37.5);
    expect(learningCoefficientDln([4, 4, 4, 4], 2)).toBe(7.5);
    expect(learningCoefficientDln([3, 3, 3], 1)).toBe(4);
    expect(learningCoefficientDln([10, 1, 10], 0)).toBe(5);
  });

  it('two layers: equals Aoyagi & Watanabe’s reduced-rank-regression cases (independent formula)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.nat(), (M, H, N, rr) => {
        const r = rr % (Math.min(M, H, N) + 1);
        expect(learningCoefficientDln([M, H, N], r)).toBe(reducedRankRegression(M, H, N, r).lambda);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('structural properties: one layer is regular (HᵢHⱼ/2); full rank everywhere is the product dimension; λ ≤ #params/2', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 6 }), fc.nat(), (widths, rr) => {
        const minW = Math.min(...widths);
        const r = rr % (minW + 1);
        const lam = learningCoefficientDln(widths, r);
        let params = 0;
        for (let i = 0; i + 1 < widths.length; i++) params += widths[i] * widths[i + 1];
        expect(lam).toBeLessThanOrEqual(params / 2 + 1e-9);
        expect(lam).toBeGreaterThanOrEqual(0);
        if (widths.length === 2) expect(lam).toBe((widths[0] * widths[1]) / 2);
        // The rank-r part alone: λ ≥ r(H₁ + H_L − r)/2, the dimension of rank-r matrices over 2.
        expect(lam).toBeGreaterThanOrEqual((r * (widths[0] + widths[widths.length - 1] - r)) / 2 - 1e-9);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('rejects bad input with typed errors', () => {
    expect(() => learningCoefficientDln([5], 0)).toThrow(OckhamError);
    expect(() => learningCoefficientDln([5, 0, 5], 0)).toThrow(/widths\[1\]/);
    expect(() => learningCoefficientDln([5, 3, 5], 4)).toThrow(/rank/);
    expect(() => learningCoefficientDln([5, 3, 5], 1.5)).toThrow(OckhamError);
  });
});

describe('llcDescriptionLength', () => {
  it('n·L_n + λ·ln n − (m−1)·ln ln n, in nats and bits', () => {
    const n = 1000;
    const nats = 1000 * 0.1 + 2.5 * Math.log(n) - 1 * Math.log(Math.log(n));
    expect(llcDescriptionLength({ empiricalLoss: 0.1, llc: 2.5, n, multiplicity: 2, unit: 'nats' })).toBeCloseTo(nats, 10);
    expect(llcDescriptionLength({ empiricalLoss: 0.1, llc: 2.5, n, multiplicity: 2 })).toBeCloseTo(nats / Math.LN2, 10);
    expect(llcDescriptionLength({ empiricalLoss: 0, llc: 1, n: Math.E ** 2, unit: 'nats' })).toBeCloseTo(2, 12);
  });
  it('rejects bad input', () => {
    expect(() => llcDescriptionLength({ empiricalLoss: 0.1, llc: -1, n: 10 })).toThrow(/options.llc/);
    expect(() => llcDescriptionLength({ empiricalLoss: 0.1, llc: 1, n: 1 })).toThrow(/options.n/);
    expect(() => llcDescriptionLength({ empiricalLoss: 0.1, llc: 1, n: 2, multiplicity: 2 })).toThrow(/options.n/);
    expect(() => llcDescriptionLength({ empiricalLoss: NaN, llc: 1, n: 10 })).toThrow(/empiricalLoss/);
    expect(() => llcDescriptionLength({ empiricalLoss: 0, llc: 1, n: 10, unit: 'bytes' as never })).toThrow(/unit/);
  });
});
