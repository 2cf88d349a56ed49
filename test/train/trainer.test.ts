import { describe, expect, it } from 'vitest';
import { trainModel, checkpointToSafetensors, readCheckpoint } from '../../src/train/index.js';
import { sequentialModel, grokkingMlpSpec } from '../../src/model/index.js';
import { modularArithmetic, mulberry32 } from '../../src/data/index.js';
import { spectralEntropy } from '../../src/spectral/index.js';
import { initParams, makeWorkspace, forward, backward, zerosLike, adamwStep } from '../../scripts/grokking/model.js';

describe('trainModel', () => {
  it('AdamW matches the shipped grokking trainer step for step (to 1e-9) from the same init', async () => {
    const p = 11, d = 4, h = 8;
    const rng = mulberry32(0);
    const { train } = modularArithmetic({ p, trainFraction: 0.5, rng });
    const hp = initParams({ p, d, h }, rng, 1);
    const model = sequentialModel(grokkingMlpSpec(p, d, h));
    const init = model.fromTensors({ embed: { data: hp.embed, shape: [p, d] }, hidden: { data: hp.hidden, shape: [2 * d, h] }, output: { data: hp.output, shape: [h, p] } });
    const r = await trainModel({ model, train, steps: 20, lr: 3e-3, weightDecay: 1, beta1: 0.9, beta2: 0.98, init });
    // the script's own loop
    const as = Int32Array.from({ length: train.size }, (_, i) => train.inputs[2 * i]);
    const bs = Int32Array.from({ length: train.size }, (_, i) => train.inputs[2 * i + 1]);
    const ws = makeWorkspace({ p, d, h }, train.size);
    const g = zerosLike(hp);
    const st = { m: zerosLike(hp), v: zerosLike(hp), t: 0 };
    for (let s = 0; s < 20; s++) {
      forward(hp, { p, d, h }, ws, as, bs, train.targets, true);
      backward(hp, { p, d, h }, ws, as, bs, g);
      adamwStep(hp, g, st, 3e-3, 1, 0.9, 0.98, 1e-8);
    }
    const ref = [...hp.embed, ...hp.hidden, ...hp.output];
    for (let i = 0; i < ref.length; i++) expect(Math.abs(r.params[i] - ref[i])).toBeLessThan(1e-9 * Math.max(1, Math.abs(ref[i])));
    expect(r.checkpoints.map((c) => c.step)).toEqual([0, 20]);
  });

  it('learns XOR with minibatches, deterministically; checkpoints round-trip through safetensors', async () => {
    const model = sequentialModel({ input: { features: 2 }, layers: [{ type: 'dense', units: 8 }, { type: 'tanh' }, { type: 'dense', units: 2 }], loss: 'crossEntropy' });
    const train = { inputs: new Float64Array([0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1]), targets: new Int32Array([0, 1, 1, 0, 0, 1, 1, 0]), size: 8 };
    const opts = { model, train, test: train, steps: 400, lr: 0.05, batchSize: 3, seed: 2, checkpointSteps: [0, 200, 400] };
    const a = await trainModel(opts);
    const b = await trainModel(opts);
    expect(a.params).toEqual(b.params);
    expect(a.checkpoints[2].trainAcc).toBe(1);
    expect(a.checkpoints[2].trainLoss).toBeLessThan(a.checkpoints[0].trainLoss);
    const bytes = checkpointToSafetensors(model, a.checkpoints[2], { run: 'xor' });
    const back = readCheckpoint(model, bytes);
    expect(back.metadata.step).toBe('400');
    expect(back.metadata.run).toBe('xor');
    expect(Number(back.metadata.trainAcc)).toBe(1);
    for (let i = 0; i < model.size; i++) expect(back.params[i]).toBe(Math.fround(a.params[i]));
  });

  it('the spectral-entropy hook lowers the spectral entropy of the regularised weights', async () => {
    const model = sequentialModel({ input: { features: 6 }, layers: [{ type: 'dense', units: 6, bias: false, name: 'w' }, { type: 'tanh' }, { type: 'dense', units: 2 }], loss: 'crossEntropy' });
    const train = { inputs: Float64Array.from({ length: 60 }, (_, i) => Math.sin(i * 0.7)), targets: Int32Array.from({ length: 10 }, (_, i) => i % 2), size: 10 };
    const base = { model, train, steps: 150, lr: 0.01, seed: 1 };
    const plain = await trainModel(base);
    const reg = await trainModel({ ...base, spectralEntropy: { weight: 0.5, params: ['w'] } });
    const H = (w: Float64Array): number => spectralEntropy(w.subarray(0, 36), [6, 6]);
    expect(H(reg.params)).toBeLessThan(H(plain.params) - 0.05);
    await expect(trainModel({ ...base, spectralEntropy: { weight: 1, params: ['nope'] } })).rejects.toThrow(/spectralEntropy.params/);
  });
});
