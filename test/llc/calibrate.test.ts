import { describe, expect, it } from 'vitest';
import { calibrateLlc, splitRhat } from '../../src/llc/calibrate.js';

const h = [1, 2, 0.5, 4];
const quad = (w: Float64Array, _b: number, g: Float64Array): number => {
  let l = 0;
  for (let i = 0; i < 4; i++) {
    g[i] = h[i] * w[i];
    l += 0.5 * h[i] * w[i] * w[i];
  }
  return l;
};

describe('calibrateLlc', () => {
  it('picks a passing (ε, γ) on a quadratic and recovers λ = d/2 within the bias of its γ', async () => {
    const r = await calibrateLlc({
      weights: new Float64Array(4),
      nBeta: 1000,
      chains: 4,
      draws: 1000,
      burnIn: 1000,
      lossAndGrad: quad,
      epsilons: [10, 1e-2, 1e-3, 3e-4, 1e-4, 1e-5],
      gammas: [1, 100],
      pilotDraws: 400,
      seed: 1,
    });
    expect(r.failed).toBe(false);
    const chosen = r.candidates.find((c) => c.epsilon === r.epsilon && c.gamma === r.gamma)!;
    expect(chosen.passed).toBe(true);
    // ε = 10 diverges or fails acceptance: never chosen
    expect(r.candidates.filter((c) => c.epsilon === 10).every((c) => !c.passed)).toBe(true);
    // the largest passing ε at the smallest γ
    expect(r.candidates.filter((c) => c.passed).every((c) => c.epsilon <= r.epsilon)).toBe(true);
    // exact stationary mean of SGLD on the quadratic (see estimateLlc's docs)
    let exact = 0;
    for (const hi of h) {
      const a = 1000 * hi + r.gamma;
      exact += (1000 * hi) / (2 * a * (1 - (r.epsilon * a) / 4));
    }
    expect(Math.abs(r.result.llc - exact)).toBeLessThan(4 * r.result.stdError + 0.05);
    expect(r.warnings.some((w) => w.code === 'NOT_A_MINIMUM')).toBe(false);
  });

  it('warns NOT_A_MINIMUM when w* is not a minimum', async () => {
    const r = await calibrateLlc({
      weights: new Float64Array([1, 1, 1, 1]),
      nBeta: 100,
      chains: 2,
      draws: 100,
      burnIn: 100,
      lossAndGrad: quad,
      epsilons: [1e-3, 1e-4],
      gammas: [1],
      pilotDraws: 50,
    });
    expect(r.warnings.some((w) => w.code === 'NOT_A_MINIMUM')).toBe(true);
    expect(r.result.llc).toBeLessThan(0);
  });

  it('split-R̂ is ≈ 1 for agreeing chains and large for disagreeing ones; options are validated', async () => {
    const a = Float64Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.3));
    const b = Float64Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.7 + 1));
    expect(splitRhat([a, b])).toBeLessThan(1.05);
    const c = b.map((v) => v + 5);
    expect(splitRhat([a, c])).toBeGreaterThan(2);
    await expect(calibrateLlc({ weights: new Float64Array(4), nBeta: 10, lossAndGrad: quad, epsilon: 1 } as never)).rejects.toThrow(/options.epsilon/);
    await expect(calibrateLlc({ weights: new Float64Array(4), nBeta: 10, lossAndGrad: quad, epsilons: [] })).rejects.toThrow(/options.epsilons/);
  });
});
