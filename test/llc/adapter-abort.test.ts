/** signal / onProgress pass through the model-adapter paths of estimateLlc, calibrateLlc, criticalBits and linearMappingNumber. */
import { describe, expect, it } from 'vitest';
import { sequentialModel, type Batch } from '../../src/model/index.js';
import { estimateLlc } from '../../src/llc/estimate.js';
import { calibrateLlc } from '../../src/llc/calibrate.js';
import { criticalBits } from '../../src/llc/critical-bits.js';
import { linearMappingNumber } from '../../src/lmn/lmn.js';
import { createRng } from '../../src/util/random.js';

const model = sequentialModel({
  input: { features: 3 },
  layers: [{ type: 'dense', units: 6 }, { type: 'tanh' }, { type: 'dense', units: 2 }],
  loss: 'crossEntropy',
});
const rng = createRng(1);
const n = 24;
const data: Batch = {
  inputs: Float64Array.from({ length: n * 3 }, () => rng.normal()),
  targets: Int32Array.from({ length: n }, () => rng.int(2)),
  size: n,
};
const w = model.init(3);

describe('model-adapter paths forward signal and onProgress', () => {
  it('estimateLlc({ model, data }): same result, progress ends on (total, total, "done"), abort before the call rejects', async () => {
    const common = { model, data, batchSize: 8, weights: w, nBeta: 20, epsilon: 1e-3, chains: 2, draws: 10, burnIn: 5, seed: 2 };
    const seen: [number, number, string][] = [];
    const a = await estimateLlc({ ...common, onProgress: (d, t, l) => seen.push([d, t, l]) });
    expect(a).toEqual(await estimateLlc(common));
    expect(seen.at(-1)).toEqual([30, 30, 'done']);
    await expect(estimateLlc({ ...common, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(estimateLlc({ ...common, onProgress: 1 as never })).rejects.toThrow(/options\.onProgress/);
    await expect(calibrateLlc({ model, data, weights: w, nBeta: 20, chains: 2, draws: 10, epsilons: [1e-3], gammas: [1], pilotDraws: 20, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('criticalBits({ model, data }) and linearMappingNumber({ model, params }): same result with progress; abort rejects', async () => {
    const seen: string[] = [];
    const a = await criticalBits(w, { model, data, epsilon: 1e-3, onProgress: (_d, _t, l) => seen.push(l) });
    expect(a).toEqual(await criticalBits(w, { model, data, epsilon: 1e-3 }));
    expect(seen.at(-1)).toBe('done');
    await expect(criticalBits(w, { model, data, epsilon: 1e-3, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    const batch = { inputs: data.inputs, size: n };
    const labels: string[] = [];
    const l = await linearMappingNumber({ model, params: w }, batch, { onProgress: (_d, _t, s) => labels.push(s) });
    expect(l).toEqual(await linearMappingNumber({ model, params: w }, batch));
    expect(labels.at(-1)).toBe('done');
    await expect(linearMappingNumber({ model, params: w }, batch, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
