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
