import { describe, expect, it } from 'vitest';
import { OckhamError } from '../../src/errors.js';
import { criticalBits, quantizeSymmetric } from '../../src/llc/critical-bits.js';

const sse =
  (orig: Float64Array[]) =>
  (ts: (Float32Array | Float64Array)[]): number => {
    let s = 0;
    for (let t = 0; t < ts.length; t++) for (let i = 0; i < ts[t].length; i++) s += (ts[t][i] - orig[t][i]) ** 2;
    return s;
  };

describe('quantizeSymmetric', () => {
  it('2^b − 1 symmetric levels, round half to even, clamped', () => {
    const out = new Float64Array(7);
    quantizeSymmetric(new Float64Array([0.5, 1.5, 2.5, -2.5, 3.49, 9, -9]), 3, 3, out); // Δ = 1, Q = 3
    expect(Array.from(out)).toEqual([0, 2, 2, -2, 3, 3, -3]);
  });
});

describe('criticalBits', () => {
  it('a tensor on the 3-bit grid {k/3} needs exactly 3 bits; one on {−1, 0, 1} needs 2 (model and tensor modes)', async () => {
    const a = Float64Array.from([-3, -2, -1, 0, 1, 2, 3, 1, -2], (k) => k / 3);
    const b = Float64Array.from([-1, 0, 1, 1, -1, 0]);
    const model = await criticalBits([a, b], { loss: sse([a, b]), epsilon: 1e-12 });
    expect(model.bits).toBe(3);
    expect(model.totalBits).toBe(3 * (a.length + b.length));
    expect(model.tensors[0].range).toBe(1);
    const per = await criticalBits([a, b], { loss: sse([a, b]), epsilon: 1e-12, mode: 'tensor' });
    expect(per.tensors.map((t) => t.bits)).toEqual([3, 2]);
    expect(per.bits).toBe(3);
    expect(per.totalBits).toBe(3 * a.length + 2 * b.length);
    // Caller's arrays untouched.
    expect(a[0]).toBe(-1);
  });

  it('chooses the loss-minimising clipping range (an outlier is clipped rather than stretching the grid)', async () => {
    const vals = [];
    for (let i = 0; i < 100; i++) vals.push(-1, 0, 1);
    vals.push(16 / 15);
    const x = Float64Array.from(vals);
    const r = await criticalBits([x], { loss: sse([x]), epsilon: 0.01, maxBits: 2 });
    expect(r.bits).toBe(2);
    // R = (15/16)·(16/15) = 1 holds the 300 grid values exactly; only the outlier moves by 1/15.
    expect(r.tensors[0].range).toBeCloseTo(1, 12);
    expect(r.tensors[0].loss).toBeCloseTo((1 / 15) ** 2, 12);
  });

  it('returns null when maxBits is not enough, and counts loss evaluations', async () => {
    const x = Float64Array.from({ length: 50 }, (_, i) => Math.sin(i * 1.7));
    const r = await criticalBits([x], { loss: sse([x]), epsilon: 0, maxBits: 4, rangeCandidates: 4 });
    expect(r.bits).toBeNull();
    expect(r.totalBits).toBeNull();
    expect(r.evaluations).toBe(1 + 3 * 4);
  });

  it('the critical bits grow as ε shrinks (Gaussian-like weights, async loss)', async () => {
    const x = Float64Array.from({ length: 200 }, (_, i) => Math.sin(i * 12.9898) * 0.7 + Math.cos(i * 78.233) * 0.3);
    const bits: number[] = [];
    for (const eps of [1e-1, 1e-2, 1e-3, 1e-4]) {
      const r = await criticalBits([x], { loss: async (ts) => sse([x])(ts) / x.length, epsilon: eps });
      bits.push(r.bits as number);
    }
    for (let i = 1; i < bits.length; i++) expect(bits[i]).toBeGreaterThanOrEqual(bits[i - 1]);
    expect(bits[3]).toBeGreaterThan(bits[0]);
  });

  it('typed errors', async () => {
    const x = new Float64Array([1, 2]);
    const err = async (p: Promise<unknown>, arg: string): Promise<void> => {
      const e = await p.catch((z: unknown) => z);
      expect(e).toBeInstanceOf(OckhamError);
      expect((e as OckhamError).argument).toBe(arg);
    };
    await err(criticalBits([], { loss: () => 0, epsilon: 0 }), 'tensors');
    await err(criticalBits([new Float64Array([NaN])], { loss: () => 0, epsilon: 0 }), 'tensors[0]');
    await err(criticalBits([x], { loss: () => 0, epsilon: -1 }), 'options.epsilon');
    await err(criticalBits([x], { loss: () => 0, epsilon: 0, minBits: 1 }), 'options.minBits');
    await err(criticalBits([x], { loss: () => 0, epsilon: 0, minBits: 9, maxBits: 8 }), 'options.minBits');
    await err(criticalBits([x], { loss: () => NaN, epsilon: 0 }), 'loss');
  });
});
