/**
 * The loss callbacks get the caller's array types, so the documented pattern
 * `c[0].data.reduce(...)` compiles under `strict` (this file is type-checked by `npm run typecheck`)
 * and holds at run time: Float32Array in → Float32Array candidates, Float64Array in → Float64Array.
 */
import { describe, expect, it } from 'vitest';
import { coarseGrainSearch, criticalBits, quantizationSearch, rateDistortionCurve } from '../../src/index.js';
import type { NamedTensor } from '../../src/index.js';

describe('loss callbacks receive the input array type', () => {
  it('Float32Array model: quantizationSearch and coarseGrainSearch', async () => {
    const w = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
    const seen = new Set<string>();
    const loss = (c: NamedTensor<Float32Array>[]) => {
      seen.add(c[0].data.constructor.name);
      return c[0].data.reduce((s, v, i) => s + (v - w[i]) ** 2, 0) / 64;
    };
    const q = await quantizationSearch([{ name: 'w', data: w, shape: [8, 8] }], { loss, epsilon: 1e-4, method: 'bisection', maxIterations: 5 });
    expect(q.best).not.toBeNull();
    // Inline: the tensor type is inferred from the model.
    await coarseGrainSearch({ w: { data: w, shape: [8, 8] } }, { loss: (c) => c[0].data.reduce((s, v, i) => s + Math.abs(v - w[i]), 0), epsilon: 0.5, seed: 0, nIter: 3 });
    expect([...seen]).toEqual(['Float32Array']);
  });

  it('Float64Array model: candidates are Float64Array holding the coarse-grained float32 values', async () => {
    const w = Float64Array.from({ length: 64 }, (_, i) => Math.cos(i) * 0.1);
    const kinds = new Set<string>();
    let exactFloat32 = true;
    const rd = await rateDistortionCurve([{ name: 'w', data: w, shape: [8, 8] }], {
      loss: (c) => {
        kinds.add(c[0].data.constructor.name);
        if (c[0].data !== w) for (const v of c[0].data) if (Math.fround(v) !== v) exactFloat32 = false;
        return c[0].data.reduce((s, v, i) => s + (v - w[i]) ** 2, 0) / 64;
      },
      epsilons: [1e-4, 1e-3],
      nIter: 3,
      seed: 0,
    });
    expect(rd.points.length).toBe(2);
    expect([...kinds]).toEqual(['Float64Array']);
    expect(exactFloat32).toBe(true);
  });

  it('criticalBits: the loss gets copies of the input type', async () => {
    const w = new Float64Array([-1, -1 / 3, 0, 1 / 3, 1]);
    const r = await criticalBits([w], { loss: ([q]) => q.reduce((s, v, i) => s + (v - w[i]) ** 2, 0), epsilon: 1e-12 });
    expect(r.bits).toBe(3);
  });
});
