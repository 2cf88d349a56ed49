import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { experimentCommand } from '../../src/cli/experiment.js';
import { run } from '../../src/cli/run.js';
import { sequentialModel, grokkingMlpSpec } from '../../src/model/index.js';
import { checkpointToSafetensors } from '../../src/train/index.js';

describe('ockham experiment', () => {
  it('reads checkpoints from checkpointsDir, writes result.json, claims.txt and SVGs, prints the claims', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ockham-exp-'));
    const model = sequentialModel(grokkingMlpSpec(7, 4, 8));
    mkdirSync(join(dir, 'cks'));
    for (const step of [0, 10, 20]) {
      const c = { step, params: model.init(step), trainLoss: NaN, trainAcc: NaN, testLoss: NaN, testAcc: NaN, weightNorm: NaN };
      writeFileSync(join(dir, 'cks', `step-${step}.safetensors`), checkpointToSafetensors(model, c));
    }
    const spec = {
      name: 'cli-test',
      model: { preset: 'grokking', p: 7, d: 4, h: 8 },
      data: { kind: 'modular', p: 7 },
      runs: [{ name: 'r', checkpointsDir: 'cks' }],
      measures: { llc: false, coarseGrain: false, criticalBits: false, qubd: false, lmn: { samples: 6 } },
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const out: string[] = [];
    const err: string[] = [];
    const code = await experimentCommand([join(dir, 'spec.json'), '--out', join(dir, 'out')], { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/Claims — cli-test/);
    const r = JSON.parse(readFileSync(join(dir, 'out', 'result.json'), 'utf8'));
    expect(r.runs[0].checkpoints.map((c: { step: number }) => c.step)).toEqual([0, 10, 20]);
    expect(existsSync(join(dir, 'out', 'lmn.svg'))).toBe(true);
    expect(readFileSync(join(dir, 'out', 'lmn.svg'), 'utf8')).toMatch(/^<svg/);
    // through the main entry, and errors
    const io = { stdout: (): void => {}, stderr: (s: string) => err.push(s), stderrStream: process.stderr };
    expect(await run(['experiment', join(dir, 'missing.json')], io)).toBe(2);
    expect(await run(['experiment'], io)).toBe(1);
    writeFileSync(join(dir, 'bad.json'), '{not json');
    expect(await run(['experiment', join(dir, 'bad.json')], io)).toBe(2);
    expect(err.join('')).toMatch(/not JSON/);
  });
});
