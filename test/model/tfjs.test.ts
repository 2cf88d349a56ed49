import { describe, expect, it, beforeAll } from 'vitest';
import { tfjsModel } from '../../src/model/tfjs.js';
import { sequentialModel } from '../../src/model/index.js';
import { estimateLlc } from '../../src/llc/estimate.js';
import { createRng } from '../../src/util/random.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
let tf: any = null;
let tfl: any = null;
beforeAll(async () => {
  try {
    tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    tfl = await import('@tensorflow/tfjs-layers');
    await tf.setBackend('cpu');
  } catch {
    tf = null;
  }
});

describe('tfjs bridge (optional peer)', () => {
  it('gives the same loss and gradient as the built-in adapter on the same MLP (1e-5), and LLCs agree within their standard errors', async (ctx) => {
    if (tf === null) ctx.skip();
    const net = tfl.sequential({ layers: [tfl.layers.dense({ units: 8, activation: 'relu', inputShape: [3] }), tfl.layers.dense({ units: 4, activation: 'tanh' }), tfl.layers.dense({ units: 3 })] });
    const a = tfjsModel(tf, net, { loss: 'crossEntropy' });
    const b = sequentialModel({
      input: { features: 3 },
      layers: [{ type: 'dense', units: 8 }, { type: 'relu' }, { type: 'dense', units: 4 }, { type: 'tanh' }, { type: 'dense', units: 3 }],
      loss: 'crossEntropy',
    });
    expect(a.size).toBe(b.size);
    expect(a.params.map((p) => p.shape)).toEqual(b.params.map((p) => p.shape));
    const rng = createRng(2);
    const w = b.init(1);
    for (let i = 0; i < w.length; i++) w[i] = Math.fround(w[i] + 0.1 * rng.normal());
    const n = 16;
    const data = { inputs: Float32Array.from({ length: 3 * n }, () => Math.fround(rng.normal())), targets: Int32Array.from({ length: n }, () => rng.int(3)), size: n };
    const ga = a.lossAndGrad(w, data);
    const gb = b.lossAndGrad(w, data);
    expect(Math.abs(ga.loss - gb.loss)).toBeLessThan(1e-5 * Math.abs(gb.loss));
    let scale = 0;
    for (const v of gb.grad) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < w.length; i++) expect(Math.abs(ga.grad[i] - gb.grad[i])).toBeLessThan(1e-5 * Math.max(Math.abs(gb.grad[i]), 0.01 * scale));
    const common = { data, weights: w, nBeta: 20, epsilon: 1e-4, gamma: 10, chains: 4, draws: 60, burnIn: 60, seed: 3 };
    const la = await estimateLlc({ ...common, model: a });
    const lb = await estimateLlc({ ...common, model: b });
    expect(Math.abs(la.llc - lb.llc)).toBeLessThan(2 * Math.hypot(la.stdError, lb.stdError) + 1e-3);
    expect(a.evaluate(w, data).accuracy).toBeCloseTo(b.evaluate(w, data).accuracy, 10);
    expect(() => tfjsModel({}, net, { loss: 'crossEntropy' })).toThrow(/tf/);
  });
});

import { readSafetensorsFile } from '../../src/io/node/index.js';
import { grokkingMlpSpec } from '../../src/model/index.js';
import { modularArithmetic } from '../../src/data/index.js';
import { existsSync } from 'node:fs';

describe('tfjs bridge on a shipped grokking checkpoint', () => {
  it('the LLC by the tfjs path and by the built-in path agree within their standard errors', async (ctx) => {
    const file = 'examples/grokking/step-001300.safetensors';
    if (tf === null || !existsSync(file)) ctx.skip();
    const net = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 47, outputDim: 24, inputLength: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 96, useBias: false, activation: 'relu' }),
        tfl.layers.dense({ units: 47, useBias: false }),
      ],
    });
    const a = tfjsModel(tf, net, { loss: 'crossEntropy', inputs: 'tokens' });
    const b = sequentialModel(grokkingMlpSpec());
    expect(a.params.map((p) => p.shape)).toEqual(b.params.map((p) => p.shape));
    const st = await readSafetensorsFile(file);
    const w = b.fromTensors(st.tensors); // float32 values, same order as the tfjs weights
    const { train } = modularArithmetic({ p: 47, seed: 0 });
    const ga = a.lossAndGrad(w, train);
    const gb = b.lossAndGrad(w, train);
    expect(Math.abs(ga.loss - gb.loss)).toBeLessThan(1e-6); // float32 cross-entropy of a loss ≈ 2e-4 nats
    const common = { data: train, batchSize: 128, weights: w, epsilon: 3e-4, gamma: 100, chains: 3, draws: 12, burnIn: 12, seed: 1 };
    const la = await estimateLlc({ ...common, model: a });
    const lb = await estimateLlc({ ...common, model: b });
    expect(Math.abs(la.llc - lb.llc)).toBeLessThan(2 * Math.hypot(la.stdError, lb.stdError));
  });
});
