/** estimateLlc's AbortSignal and onProgress: checked before every step; progress in sampler steps; results unchanged. */
import { describe, expect, it } from 'vitest';
import { OckhamError } from '../../src/errors.js';
import { estimateLlc } from '../../src/llc/estimate.js';
import type { EstimateLlcOptions, LossAndGradFn } from '../../src/llc/types.js';

const quad: LossAndGradFn = (w, _b, g) => {
  let l = 0;
  for (let i = 0; i < w.length; i++) {
    g[i] = w[i];
    l += 0.5 * w[i] * w[i];
  }
  return l;
};
const base: EstimateLlcOptions = { weights: new Float64Array(3), nBeta: 50, chains: 3, draws: 40, burnIn: 20, stepsBetweenDraws: 2, seed: 7, lossAndGrad: quad };
const perChain = 20 + 40 * 2;
const total = 3 * perChain;

describe.each(['sgld', 'mala'] as const)('estimateLlc signal and progress (%s)', (sampler) => {
  it('progress is monotone in steps, done ≤ total, ends on (total, total, "done"); the result is identical', async () => {
    const seen: [number, number, string][] = [];
    const ac = new AbortController();
    const r = await estimateLlc({ ...base, sampler, signal: ac.signal, onProgress: (d, t, l) => seen.push([d, t, l]) });
    const plain = await estimateLlc({ ...base, sampler });
    expect(r).toEqual(plain);
    expect(seen.at(-1)).toEqual([total, total, 'done']);
    expect(seen[0]).toEqual([0, total, 'chain 0 · burn-in step 0']);
    for (let k = 0; k < seen.length; k++) {
      expect(seen[k][1]).toBe(total);
      expect(seen[k][0]).toBeLessThanOrEqual(total);
      if (k > 0) expect(seen[k][0]).toBeGreaterThanOrEqual(seen[k - 1][0]);
    }
    // Every chain starts with a report; post-burn-in labels count draws.
    expect(seen.some(([d, , l]) => d === perChain && l === 'chain 1 · burn-in step 0')).toBe(true);
    expect(seen.some(([d, , l]) => d === 2 * perChain + 20 && l === 'chain 2 · draw 0')).toBe(true);
    expect(seen.some(([d, , l]) => d === 2 * perChain + 30 && l === 'chain 2 · draw 5')).toBe(true);
  });

  it('rejects with the reason when aborted before the call, without calling the loss', async () => {
    let calls = 0;
    const counting: LossAndGradFn = (w, b, g) => (calls++, quad(w, b, g));
    await expect(estimateLlc({ ...base, sampler, lossAndGrad: counting, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    const reason = new Error('stop');
    await expect(estimateLlc({ ...base, sampler, lossAndGrad: counting, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(calls).toBe(0);
  });

  it('aborting from onProgress mid-run rejects and stops: no loss call and no progress after it', async () => {
    const ac = new AbortController();
    const seen: number[] = [];
    let calls = 0;
    let callsAtAbort = -1;
    const run = estimateLlc({
      ...base,
      sampler,
      lossAndGrad: (w, b, g) => (calls++, quad(w, b, g)),
      signal: ac.signal,
      onProgress: (d) => {
        seen.push(d);
        if (d >= perChain + 30) {
          callsAtAbort = calls;
          ac.abort();
        }
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.at(-1)).toBe(perChain + 30);
    expect(calls).toBe(callsAtAbort);
  });
});

describe('estimateLlc cancellation from elsewhere', () => {
  it('a synchronous loss run is interrupted by a timer abort (the sampler yields to the event loop)', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('timeout')), 20);
    const t0 = performance.now();
    // 4 × 10⁷ steps take ≈ 20 s uninterrupted (0.5 µs a step on the dev VM); the abort lands within about 100 ms of the timer.
    await expect(estimateLlc({ ...base, chains: 4, draws: 1e7, burnIn: 0, stepsBetweenDraws: 1, signal: ac.signal })).rejects.toThrow('timeout');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('validates signal and onProgress, naming the option', async () => {
    await expect(estimateLlc({ ...base, signal: 'no' as never })).rejects.toThrow(OckhamError);
    await expect(estimateLlc({ ...base, signal: {} as never })).rejects.toThrow(/options\.signal/);
    await expect(estimateLlc({ ...base, onProgress: 3 as never })).rejects.toThrow(/options\.onProgress/);
  });
});
