/** criticalBits' AbortSignal and onProgress: checked before every loss evaluation; progress in bit depths; results unchanged. */
import { describe, expect, it } from 'vitest';
import { OckhamError } from '../../src/errors.js';
import { criticalBits } from '../../src/llc/critical-bits.js';

const a = Float64Array.from([-3, -2, -1, 0, 1, 2, 3, 1, -2], (k) => k / 3); // 3 bits
const b = Float64Array.from([-1, 0, 1, 1, -1, 0]); // 2 bits
const sse = (ts: Float64Array[]): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (ts[0][i] - a[i]) ** 2;
  for (let i = 0; i < b.length; i++) s += (ts[1][i] - b[i]) ** 2;
  return s;
};

describe('criticalBits signal and progress', () => {
  it('model mode: one call per bit depth tried, then (total, total, "done"); same result', async () => {
    const seen: [number, number, string][] = [];
    const r = await criticalBits([a, b], { loss: sse, epsilon: 1e-12, maxBits: 8, signal: new AbortController().signal, onProgress: (d, t, l) => seen.push([d, t, l]) });
    expect(r).toEqual(await criticalBits([a, b], { loss: sse, epsilon: 1e-12, maxBits: 8 }));
    expect(r.bits).toBe(3);
    expect(seen).toEqual([
      [0, 7, '2 bits'],
      [1, 7, '3 bits'],
      [7, 7, 'done'],
    ]);
  });

  it('tensor mode: bit depths per tensor, monotone, the scan of each tensor starting at its offset', async () => {
    const seen: [number, number, string][] = [];
    const r = await criticalBits([a, b], { loss: sse, epsilon: 1e-12, mode: 'tensor', minBits: 2, maxBits: 5, onProgress: (d, t, l) => seen.push([d, t, l]) });
    expect(r).toEqual(await criticalBits([a, b], { loss: sse, epsilon: 1e-12, mode: 'tensor', minBits: 2, maxBits: 5 }));
    expect(seen).toEqual([
      [0, 8, 'tensor 0 · 2 bits'],
      [1, 8, 'tensor 0 · 3 bits'],
      [4, 8, 'tensor 1 · 2 bits'],
      [8, 8, 'done'],
    ]);
  });

  it('rejects with the reason when aborted before the call (no loss evaluated) or from onProgress (no evaluation after)', async () => {
    let calls = 0;
    const counting = (ts: Float64Array[]): number => (calls++, sse(ts));
    await expect(criticalBits([a, b], { loss: counting, epsilon: 1e-12, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toBe(0);
    const ac = new AbortController();
    const reason = new Error('halt');
    const labels: string[] = [];
    const run = criticalBits([a, b], {
      loss: counting,
      epsilon: 1e-12,
      rangeCandidates: 4,
      signal: ac.signal,
      onProgress: (_d, _t, l) => {
        labels.push(l);
        if (l === '3 bits') ac.abort(reason);
      },
    });
    await expect(run).rejects.toBe(reason);
    expect(labels).toEqual(['2 bits', '3 bits']);
    expect(calls).toBe(1 + 4); // the unquantized loss and the 4 ranges at 2 bits
  });

  it('a synchronous loss is interrupted by a timer abort (the search yields to the event loop)', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('timeout')), 20);
    // ε < 0 is refused, so ask for the impossible with a huge range grid: 31 × 4096 slow evaluations.
    const slow = (ts: Float64Array[]): number => {
      const t0 = performance.now();
      while (performance.now() - t0 < 0.2);
      return sse(ts) + 1;
    };
    const t0 = performance.now();
    await expect(criticalBits([a, b], { loss: slow, epsilon: 0, maxBits: 32, rangeCandidates: 4096, signal: ac.signal })).rejects.toThrow('timeout');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('validates signal and onProgress naming the option', async () => {
    await expect(criticalBits([a, b], { loss: sse, epsilon: 0, signal: {} as never })).rejects.toThrow(OckhamError);
    await expect(criticalBits([a, b], { loss: sse, epsilon: 0, signal: {} as never })).rejects.toThrow(/options\.signal/);
    await expect(criticalBits([a, b], { loss: sse, epsilon: 0, onProgress: true as never })).rejects.toThrow(/options\.onProgress/);
  });
});
