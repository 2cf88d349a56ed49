/**
 * The committed grokking checkpoints (examples/grokking) are what metadata.json says they are:
 * shapes, accuracies recomputed from the stored float32 weights, and a bit-exact replay of the
 * first checkpoints by the trainer's own kernels.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readSafetensorsFile } from '../../src/io/node/index.js';
import { makeRng } from '../../scripts/grokking/prng.js';
import { makeSplit } from '../../scripts/grokking/data.js';
import {
  adamwStep,
  backward,
  forward,
  initParams,
  makeWorkspace,
  zerosLike,
  type Params,
} from '../../scripts/grokking/model.js';

const dir = resolve(process.cwd(), 'examples/grokking');
const metaPath = join(dir, 'metadata.json');

interface Checkpoint {
  step: number;
  file: string;
  trainAcc: number;
  testAcc: number;
  trainLoss: number;
  testLoss: number;
}

describe('examples/grokking checkpoints', () => {
  it('exist, stay under 3 MB, and list their checkpoints', () => {
    expect(existsSync(metaPath), 'examples/grokking/metadata.json is committed').toBe(true);
    let bytes = 0;
    for (const f of readdirSync(dir)) bytes += statSync(join(dir, f)).size;
    expect(bytes).toBeLessThan(3 * 1024 * 1024);
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    expect(meta.checkpoints.length).toBeGreaterThanOrEqual(8);
    for (const c of meta.checkpoints as Checkpoint[]) expect(existsSync(join(dir, c.file))).toBe(true);
  });

  it('have 2-D weights (both sides ≥ 4) and the accuracies metadata.json claims', async () => {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    const { p, d, h, trainFrac } = meta.hyperparameters;
    const rng = makeRng(meta.seed);
    const { train, test } = makeSplit(p, trainFrac, rng);
    const dims = { p, d, h };
    const wsTrain = makeWorkspace(dims, train.n);
    const wsTest = makeWorkspace(dims, test.n);
    const cks = meta.checkpoints as Checkpoint[];
    for (const c of cks) {
      const file = await readSafetensorsFile(join(dir, c.file));
      expect(file.metadata.step).toBe(String(c.step));
      const t = Object.fromEntries(file.tensors.map((x) => [x.name, x]));
      expect(t.embed.shape).toEqual([p, d]);
      expect(t.hidden.shape).toEqual([2 * d, h]);
      expect(t.output.shape).toEqual([h, p]);
      for (const x of file.tensors) {
        expect(x.shape.length).toBe(2);
        expect(Math.min(...x.shape)).toBeGreaterThanOrEqual(4);
        expect(x.data.every(Number.isFinite)).toBe(true);
      }
      const params: Params = {
        embed: Float64Array.from(t.embed.data),
        hidden: Float64Array.from(t.hidden.data),
        output: Float64Array.from(t.output.data),
      };
      // Weights were rounded to float32 on save: allow a handful of flipped argmaxes.
      const tr = forward(params, dims, wsTrain, train.as, train.bs, train.ys, false);
      const te = forward(params, dims, wsTest, test.as, test.bs, test.ys, false);
      expect(Math.abs(tr.accuracy - c.trainAcc)).toBeLessThan(0.005);
      expect(Math.abs(te.accuracy - c.testAcc)).toBeLessThan(0.005);
    }
    // The run groks: train accuracy 100 % long before test accuracy passes 95 %.
    const firstTrain = cks.find((c) => c.trainAcc === 1)!;
    const firstTest = cks.find((c) => c.testAcc >= 0.95)!;
    expect(firstTrain).toBeDefined();
    expect(firstTest).toBeDefined();
    expect(firstTest.step).toBeGreaterThanOrEqual(5 * firstTrain.step);
    expect(cks[cks.length - 1].testAcc).toBeGreaterThanOrEqual(0.95);
  });

  it('replay bit-exactly: the trainer kernels reproduce the first checkpoints from the seed', async () => {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    const hp = meta.hyperparameters;
    const dims = { p: hp.p, d: hp.d, h: hp.h };
    const rng = makeRng(meta.seed);
    const { train } = makeSplit(hp.p, hp.trainFrac, rng);
    const params = initParams(dims, rng, hp.initScale);
    const grads = zerosLike(params);
    const adam = { m: zerosLike(params), v: zerosLike(params), t: 0 };
    const ws = makeWorkspace(dims, train.n);
    const targets = (meta.checkpoints as Checkpoint[]).filter((c) => c.step <= 30);
    expect(targets.length).toBeGreaterThanOrEqual(2);
    let step = 0;
    for (const c of targets) {
      for (; step < c.step; step++) {
        forward(params, dims, ws, train.as, train.bs, train.ys, true);
        backward(params, dims, ws, train.as, train.bs, grads);
        adamwStep(params, grads, adam, hp.lr, hp.wd, hp.beta1, hp.beta2, hp.eps);
      }
      const file = await readSafetensorsFile(join(dir, c.file));
      for (const x of file.tensors) {
        const mine = Float32Array.from(params[x.name as keyof Params]);
        expect(Buffer.from(mine.buffer).equals(Buffer.from(x.data.buffer))).toBe(true);
      }
    }
  });
});
