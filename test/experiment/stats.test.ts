import { describe, expect, it } from 'vitest';
import { tQuantile, tCdf, pearson, spearman, ranks, bootstrapInterval } from '../../src/experiment/stats.js';

describe('experiment statistics', () => {
  it('Student-t quantiles match tables', () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706204736, 6);
    expect(tQuantile(0.975, 3)).toBeCloseTo(3.182446305, 8);
    expect(tQuantile(0.995, 7)).toBeCloseTo(3.499483297, 8);
    expect(tQuantile(0.975, 1e6)).toBeCloseTo(1.959966, 4);
    expect(tCdf(0, 5)).toBeCloseTo(0.5, 14);
    expect(tQuantile(0.025, 3)).toBeCloseTo(-3.182446305, 8);
  });
  it('Pearson, Spearman (ties averaged), bootstrap interval covers the sample value', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 14);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 14);
    expect(Number.isNaN(pearson([1, 1, 1], [1, 2, 3]))).toBe(true);
    expect(Array.from(ranks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 16])).toBeCloseTo(1, 14);
    const x = Array.from({ length: 30 }, (_, i) => i);
    const y = x.map((v) => v + 5 * Math.sin(v * 1.7));
    const r = pearson(x, y);
    const ci = bootstrapInterval(x, y, pearson, { seed: 1, resamples: 500 });
    expect(ci.lo).toBeLessThan(r);
    expect(ci.hi).toBeGreaterThan(r);
    expect(ci).toEqual(bootstrapInterval(x, y, pearson, { seed: 1, resamples: 500 }));
  });
});
