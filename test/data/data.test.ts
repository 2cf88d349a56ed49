import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { modularArithmetic, mulberry32, loadMnist, dataBudget } from '../../src/data/index.js';
import { sequentialModel, grokkingMlpSpec } from '../../src/model/index.js';
import { readSafetensorsFile } from '../../src/io/node/index.js';

describe('modularArithmetic', () => {
  it('is the shipped grokking split: 1,105 / 1,104 pairs, labels (a + b) mod 47, and the checkpoints score as metadata.json says with the built-in model', async () => {
    const { train, test } = modularArithmetic({ p: 47, trainFraction: 0.5, seed: 0 });
    expect(train.size).toBe(1105);
    expect(test.size).toBe(1104);
    const seen = new Set<number>();
    for (const b of [train, test]) {
      for (let i = 0; i < b.size; i++) {
        expect(b.targets[i]).toBe((b.inputs[2 * i] + b.inputs[2 * i + 1]) % 47);
        seen.add(b.inputs[2 * i] * 47 + b.inputs[2 * i + 1]);
      }
    }
    expect(seen.size).toBe(47 * 47);
    const dir = resolve(process.cwd(), 'examples/grokking');
    if (!existsSync(join(dir, 'metadata.json'))) return;
    const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'));
    const model = sequentialModel(grokkingMlpSpec());
    for (const c of meta.checkpoints.filter((_: unknown, i: number) => i % 4 === 3)) {
      const file = await readSafetensorsFile(join(dir, c.file));
      const w = model.fromTensors(file.tensors);
      expect(Math.abs(model.evaluate(w, train).accuracy - c.trainAcc)).toBeLessThan(0.005);
      expect(Math.abs(model.evaluate(w, test).accuracy - c.testAcc)).toBeLessThan(0.005);
      expect(model.evaluate(w, test).loss).toBeCloseTo(c.testLoss, 2);
    }
  });
  it('other ops, seeds and validation', () => {
    const a = modularArithmetic({ p: 5, op: 'sub', seed: 3 });
    for (let i = 0; i < a.train.size; i++) expect(a.train.targets[i]).toBe((((a.train.inputs[2 * i] - a.train.inputs[2 * i + 1]) % 5) + 5) % 5);
    expect(modularArithmetic({ p: 5, seed: 3 })).toEqual(modularArithmetic({ p: 5, seed: 3 }));
    expect(modularArithmetic({ p: 5, seed: 3 }).train.inputs).not.toEqual(modularArithmetic({ p: 5, seed: 4 }).train.inputs);
    expect(() => modularArithmetic({ p: 1 })).toThrow(/options.p/);
    expect(() => modularArithmetic({ p: 5, trainFraction: 1 })).toThrow(/options.trainFraction/);
    expect(mulberry32(0).next()).toBe(mulberry32(0).next());
  });
});

describe('MNIST from the mnist package', () => {
  it('loads 10,000 real digits, splits them seeded and stratified; budgets are stratified subsets; label noise flips the asked share', async () => {
    const { train, test } = await loadMnist({ seed: 0 });
    expect(train.size + test.size).toBe(10000);
    expect(test.size).toBeGreaterThanOrEqual(1995);
    expect(test.size).toBeLessThanOrEqual(2005);
    expect(train.inputs.length).toBe(train.size * 784);
    const counts = new Array(10).fill(0);
    for (const t of test.targets) counts[t]++;
    for (const c of counts) expect(Math.abs(c - 200)).toBeLessThan(30);
    let maxPix = 0;
    for (let i = 0; i < 784; i++) maxPix = Math.max(maxPix, train.inputs[i]);
    expect(maxPix).toBeGreaterThan(0.5);
    const b = dataBudget(train, 1000, { seed: 1 });
    expect(b.size).toBe(1000);
    const bc = new Array(10).fill(0);
    for (const t of b.targets) bc[t]++;
    for (const c of bc) expect(Math.abs(c - 100)).toBeLessThan(15);
    expect(dataBudget(train, 1000, { seed: 1 })).toEqual(b);
    const noisy = dataBudget(train, 1000, { seed: 1, labelNoise: 0.3 });
    let flipped = 0;
    for (let i = 0; i < 1000; i++) if (noisy.targets[i] !== b.targets[i]) flipped++;
    expect(flipped).toBeGreaterThan(240);
    expect(flipped).toBeLessThan(360);
    expect(Array.from(noisy.inputs.subarray(0, 784))).toEqual(Array.from(b.inputs.subarray(0, 784)));
    await expect(loadMnist({ module: [] as never })).rejects.toThrow(/options.module/);
    expect(() => dataBudget(train, 0)).toThrow(/budget/);
  });
});
