import { describe, expect, it } from 'vitest';
import { sequentialModel, selectRows, type Batch } from '../../src/model/index.js';
import { minibatches } from '../../src/model/adapter-util.js';
import { estimateLlc } from '../../src/llc/estimate.js';
import { criticalBits } from '../../src/llc/critical-bits.js';
import { quantizationSearch, coarseGrainSearch } from '../../src/coarsegrain/search.js';
import { createRng } from '../../src/util/random.js';
import type { NamedTensor } from '../../src/util/model.js';

const model = sequentialModel({
  input: { features: 3 },
  layers: [{ type: 'dense', units: 8 }, { type: 'tanh' }, { type: 'dense', units: 2 }],
  loss: 'crossEntropy',
});
const rng = createRng(1);
const n = 40;
const data: Batch = {
  inputs: Float64Array.from({ length: n * 3 }, () => rng.normal()),
  targets: Int32Array.from({ length: n }, () => rng.int(2)),
  size: n,
};
const w = model.init(3);

describe('measures accept the model adapter', () => {
  it('estimateLlc({ model, data, batchSize }) = estimateLlc with the equivalent callback, bit for bit', async () => {
    const parts = minibatches(data, 16, 5);
    expect(parts.map((p) => p.size)).toEqual([16, 16, 8]);
    const common = { nBeta: 20, epsilon: 1e-3, chains: 2, draws: 30, burnIn: 30, seed: 5 };
    const a = await estimateLlc({ ...common, model, data, batchSize: 16, weights: w });
    const b = await estimateLlc({ ...common, batches: 3, weights: w, lossAndGrad: (x, k, g) => model.lossAndGrad(x, parts[k], g).loss });
    expect(a.llc).toBe(b.llc);
    expect(a.initLoss).toBe(b.initLoss);
    // named tensors as weights; n defaults to data.size
    const c = await estimateLlc({ ...common, nBeta: undefined, model, data, weights: model.toTensors(w) });
    expect(c.nBeta).toBeCloseTo(n / Math.log(n), 12);
    await expect(estimateLlc({ ...common, model, data, weights: w, lossAndGrad: () => 0 })).rejects.toThrow(/options.lossAndGrad/);
    await expect(estimateLlc({ ...common, model, data: { inputs: new Float64Array(3), targets: new Int32Array(2), size: 2 }, weights: w })).rejects.toThrow(/options.data/);
  });

  it('criticalBits({ model, data }) = criticalBits with the equivalent loss', async () => {
    const a = await criticalBits(w, { model, data, epsilon: 1e-3 });
    const tensors = model.params.map((p) => w.slice(p.offset, p.offset + p.size));
    const b = await criticalBits(tensors, {
      epsilon: 1e-3,
      loss: (ts) => {
        const flat = new Float64Array(model.size);
        model.params.forEach((p, i) => flat.set(ts[i], p.offset));
        return model.loss(flat, data);
      },
    });
    expect(a).toEqual(b);
    expect(a.bits).not.toBeNull();
  });

  it('quantizationSearch / coarseGrainSearch({ model, data }) = the same search with the equivalent loss', async () => {
    const loss = (c: NamedTensor[]): number => model.loss(model.fromTensors(c), data);
    const a = await quantizationSearch(w, { model, data, epsilon: 0.01, method: 'bisection', maxIterations: 8 });
    const b = await quantizationSearch(model.toTensors(w), { loss, epsilon: 0.01, method: 'bisection', maxIterations: 8 });
    expect(a.bits).toBe(b.bits);
    expect(a.trace.map((t) => t.loss)).toEqual(b.trace.map((t) => t.loss));
    const c = await coarseGrainSearch(model.toTensors(w), { model, data, epsilon: 0.01, seed: 0, nIter: 4 });
    const d = await coarseGrainSearch(model.toTensors(w), { loss, epsilon: 0.01, seed: 0, nIter: 4 });
    expect(c.bits).toBe(d.bits);
    await expect(quantizationSearch(w, { loss, epsilon: 0.01 })).rejects.toThrow(/options.model/);
  });

  it('selectRows copies rows and rejects bad indices', () => {
    const s = selectRows(data, [2, 0]);
    expect(Array.from(s.inputs)).toEqual([...Array.from(data.inputs).slice(6, 9), ...Array.from(data.inputs).slice(0, 3)]);
    expect(s.targets).toBeInstanceOf(Int32Array);
    expect(() => selectRows(data, [40])).toThrow(/idx/);
  });
});

import { linearMappingNumber } from '../../src/lmn/lmn.js';

describe('linearMappingNumber with the adapter', () => {
  it('{ model, params } on the grokking-shaped model = the layers path on the concatenated embeddings', async () => {
    const gm = sequentialModel({
      input: { tokens: 2 },
      layers: [
        { type: 'embedding', vocab: 7, dim: 3, name: 'embed' },
        { type: 'dense', units: 10, bias: false, name: 'hidden' },
        { type: 'relu' },
        { type: 'dense', units: 7, bias: false, name: 'output' },
      ],
      loss: 'crossEntropy',
    });
    const p = gm.init(2);
    const r = createRng(4);
    const m = 12;
    const inputs = Int32Array.from({ length: 2 * m }, () => r.int(7));
    const a = await linearMappingNumber({ model: gm, params: p }, { inputs, size: m });
    // by hand: rows [E[a], E[b]], layers with weights transposed to [out, in]
    const E = p.subarray(0, 21);
    const H = p.subarray(21, 21 + 60);
    const O = p.subarray(81);
    const rows = Array.from({ length: m }, (_, i) => [...E.subarray(inputs[2 * i] * 3, inputs[2 * i] * 3 + 3), ...E.subarray(inputs[2 * i + 1] * 3, inputs[2 * i + 1] * 3 + 3)]);
    const tr = (w: Float64Array, i: number, o: number): Float64Array => {
      const t = new Float64Array(i * o);
      for (let a2 = 0; a2 < i; a2++) for (let b = 0; b < o; b++) t[b * i + a2] = w[a2 * o + b];
      return t;
    };
    const b = await linearMappingNumber(
      [
        { weight: tr(H, 6, 10), shape: [10, 6], activation: 'relu' },
        { weight: tr(O, 10, 7), shape: [7, 10] },
      ],
      rows,
    );
    expect(a.lmn).toBeCloseTo(b.lmn, 10);
    expect(a.lmn).toBeGreaterThan(1);
    expect(a.affine).toBeUndefined();
  });

  it('flags an affine measured map (the docs example mistake: fromLayer 1 of a two-layer MLP)', async () => {
    const r = createRng(8);
    const w1 = Float64Array.from({ length: 12 }, () => r.normal());
    const w2 = Float64Array.from({ length: 8 }, () => r.normal());
    const net = [
      { weight: w1, shape: [4, 3] as [number, number], activation: 'relu' as const },
      { weight: w2, shape: [2, 4] as [number, number] },
    ];
    const xs = Array.from({ length: 6 }, () => [r.normal(), r.normal(), r.normal()]);
    const bad = await linearMappingNumber(net, xs, { fromLayer: 1 });
    expect(bad.lmn).toBeCloseTo(1, 9);
    expect(bad.affine).toBe(true);
    expect(bad.warning).toMatch(/AFFINE_MAP/);
    const good = await linearMappingNumber(net, xs, { fromLayer: 0 });
    expect(good.affine).toBeUndefined();
  });
});
