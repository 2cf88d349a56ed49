/** calibrateLlc's AbortSignal and onProgress: passed to every pilot and the final run; progress in sampler steps; results unchanged. */
import { describe, expect, it } from 'vitest';
import { OckhamError } from '../../src/errors.js';
import { calibrateLlc, type CalibrateLlcOptions } from '../../src/llc/calibrate.js';

const quad = (w: Float64Array, _b: number, g: Float64Array): number => {
  let l = 0;
  for (let i = 0; i < 2; i++) {
    g[i] = w[i];
    l += 0.5 * w[i] * w[i];
  }
  return l;
};
// ε = 1e6 diverges (a skipped pilot); 3 × 2 = 6 pilots of 2 chains × (30 + 30) steps, final 2 × (10 + 20).
const opts: CalibrateLlcOptions = {
  weights: new Float64Array(2), nBeta: 100, chains: 2, draws: 20, burnIn: 10, seed: 3, lossAndGrad: quad,
  epsilons: [1e6, 1e-2, 1e-3], gammas: [1, 10], pilotDraws: 30,
};
const pilotSteps = 2 * 60;
const total = 6 * pilotSteps + 2 * 30;

describe('calibrateLlc signal and progress', () => {
  it('progress is monotone over pilots and the final run, ends on (total, total, "done"); the result is identical', async () => {
    const seen: [number, number, string][] = [];
    const r = await calibrateLlc({ ...opts, signal: new AbortController().signal, onProgress: (d, t, l) => seen.push([d, t, l]) });
    expect(r).toEqual(await calibrateLlc(opts));
    expect(r.candidates.some((c) => c.reason.startsWith('diverged'))).toBe(true);
    expect(seen[0]).toEqual([0, total, 'pilot 1/6 (ε = 1000000, γ = 1) · chain 0 · burn-in step 0']);
    expect(seen.at(-1)).toEqual([total, total, 'done']);
    for (let k = 0; k < seen.length; k++) {
      expect(seen[k][1]).toBe(total);
      expect(seen[k][0]).toBeLessThanOrEqual(total);
      if (k > 0) expect(seen[k][0]).toBeGreaterThanOrEqual(seen[k - 1][0]);
    }
    // each pilot starts at its offset; the final run follows the pilots
    for (let k = 1; k < 6; k++) expect(seen.some(([d, , l]) => d === k * pilotSteps && l.startsWith(`pilot ${k + 1}/6 `) && l.endsWith('chain 0 · burn-in step 0'))).toBe(true);
    expect(seen.some(([d, , l]) => d === 6 * pilotSteps && l === `final (ε = ${r.epsilon}, γ = ${r.gamma}) · chain 0 · burn-in step 0`)).toBe(true);
  });

  it('rejects with the reason when aborted before the call or from onProgress mid-pilot, then stops', async () => {
    await expect(calibrateLlc({ ...opts, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    const ac = new AbortController();
    const reason = new Error('enough');
    const seen: string[] = [];
    let calls = 0;
    let callsAtAbort = -1;
    const run = calibrateLlc({
      ...opts,
      lossAndGrad: (w, b, g) => (calls++, quad(w, b, g)),
      signal: ac.signal,
      onProgress: (_d, _t, l) => {
        seen.push(l);
        if (l.startsWith('pilot 3/6') && l.endsWith('chain 1 · draw 5')) {
          callsAtAbort = calls;
          ac.abort(reason);
        }
      },
    });
    await expect(run).rejects.toBe(reason);
    expect(seen.at(-1)).toMatch(/^pilot 3\/6 .* · chain 1 · draw 5$/);
    expect(calls).toBe(callsAtAbort);
  });

  it('validates signal and onProgress naming the option', async () => {
    await expect(calibrateLlc({ ...opts, signal: 5 as never })).rejects.toThrow(OckhamError);
    await expect(calibrateLlc({ ...opts, signal: 5 as never })).rejects.toThrow(/options\.signal/);
    await expect(calibrateLlc({ ...opts, onProgress: 'x' as never })).rejects.toThrow(/options\.onProgress/);
  });
});
