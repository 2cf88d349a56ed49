/** linearMappingNumber's AbortSignal and onProgress: checked between blocks of pairs; progress in pairs; results unchanged. */
import { describe, expect, it } from 'vitest';
import { OckhamError } from '../../src/errors.js';
import { linearMappingNumber } from '../../src/lmn/index.js';
import type { LmnBatchFn, LmnLayer } from '../../src/lmn/index.js';
import { createNormalStream } from '../../src/util/normal-stream.js';

function mlp(seed: number, widths: number[]): LmnLayer[] {
  const rng = createNormalStream(seed);
  const out: LmnLayer[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const w = new Float64Array(widths[l + 1] * widths[l]);
    rng.fill(w, w.length);
    const b = new Float64Array(widths[l + 1]);
    rng.fill(b, b.length);
    out.push({ weight: w, bias: b, shape: [widths[l + 1], widths[l]], activation: l + 2 < widths.length ? 'relu' : 'identity' });
  }
  return out;
}

function samples(seed: number, m: number, d: number): { data: Float64Array; shape: [number, number] } {
  const data = new Float64Array(m * d);
  createNormalStream(seed).fill(data, data.length);
  return { data, shape: [m, d] };
}

const net = mlp(1, [3, 8, 2]);
const xs = samples(2, 60, 3); // 1770 pairs: 69 blocks of 26 for layers, 9 callback calls of 215
const total = (60 * 59) / 2;
/** The same network as a batch callback. */
const asFn: LmnBatchFn = (x, count) => {
  const out = new Float64Array(count * 2);
  const [l0, l1] = net;
  for (let r = 0; r < count; r++) {
    const h = new Float64Array(8);
    for (let o = 0; o < 8; o++) {
      let s = l0.bias![o];
      for (let i = 0; i < 3; i++) s += l0.weight[o * 3 + i] * x[r * 3 + i];
      h[o] = Math.max(0, s);
    }
    for (let o = 0; o < 2; o++) {
      let s = l1.bias![o];
      for (let i = 0; i < 8; i++) s += l1.weight[o * 8 + i] * h[i];
      out[r * 2 + o] = s;
    }
  }
  return out;
};

describe.each([
  ['layers', net],
  ['callback', asFn],
] as const)('linearMappingNumber signal and progress (%s)', (_name, f) => {
  it('progress in pairs is monotone, done ≤ total, ends with eigendecomposition then (total, total, "done"); same result', async () => {
    const seen: [number, number, string][] = [];
    const r = await linearMappingNumber(f, xs, { returnMatrix: true, signal: new AbortController().signal, onProgress: (d, t, l) => seen.push([d, t, l]) });
    expect(r).toEqual(await linearMappingNumber(f, xs, { returnMatrix: true }));
    expect(seen[0]).toEqual([0, total, 'pairs']);
    expect(seen.slice(-2)).toEqual([
      [total, total, 'eigendecomposition'],
      [total, total, 'done'],
    ]);
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.length).toBeLessThanOrEqual(103);
    for (let k = 0; k < seen.length; k++) {
      expect(seen[k][1]).toBe(total);
      expect(seen[k][0]).toBeLessThanOrEqual(total);
      if (k > 0) expect(seen[k][0]).toBeGreaterThanOrEqual(seen[k - 1][0]);
    }
  });

  it('rejects with the reason when aborted before the call, or from onProgress mid-run (and stops)', async () => {
    await expect(linearMappingNumber(f, xs, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    const ac = new AbortController();
    const reason = new Error('cut');
    const seen: number[] = [];
    const run = linearMappingNumber(f, xs, {
      signal: ac.signal,
      onProgress: (d) => {
        seen.push(d);
        if (d > 0) ac.abort(reason);
      },
    });
    await expect(run).rejects.toBe(reason);
    expect(seen.length).toBe(2);
    expect(seen[1]).toBeGreaterThan(0);
    expect(seen[1]).toBeLessThan(total);
  });

  it('validates signal and onProgress naming the option', async () => {
    await expect(linearMappingNumber(f, xs, { signal: null as never })).rejects.toThrow(OckhamError);
    await expect(linearMappingNumber(f, xs, { signal: null as never })).rejects.toThrow(/options\.signal/);
    await expect(linearMappingNumber(f, xs, { onProgress: [] as never })).rejects.toThrow(/options\.onProgress/);
  });
});

describe('linearMappingNumber cancellation from elsewhere', () => {
  it('the synchronous layers loop is interrupted by a timer abort (it yields to the event loop)', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('timeout')), 20);
    // 1200 samples: 719 400 pairs through a 3 → 64 → 16 network, ≈ 12 s uninterrupted on the dev VM (11.5 s pairs, 0.55 s eigensolve).
    const big = samples(3, 1200, 3);
    const t0 = performance.now();
    await expect(linearMappingNumber(mlp(4, [3, 64, 16]), big, { signal: ac.signal })).rejects.toThrow('timeout');
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
