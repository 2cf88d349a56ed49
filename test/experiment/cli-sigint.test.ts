/** `ockham experiment`: the first Ctrl-C (SIGINT) aborts the run through runExperiment's signal. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { experimentCommand } from '../../src/cli/experiment.js';

describe('ockham experiment and SIGINT', () => {
  it('the first SIGINT stops the experiment at its next check: exit 130, no outputs, handler removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ockham-exp-int-'));
    // 2·10⁶ training steps (~16 s): only an abort makes this return quickly.
    const spec = {
      name: 'sigint',
      model: { preset: 'grokking', p: 5, d: 4, h: 8 },
      data: { kind: 'modular', p: 5 },
      runs: [{ name: 'r', train: { steps: 2_000_000, lr: 0.01, checkpointSteps: [0, 1_000_000, 2_000_000] } }],
      measures: { llc: false, coarseGrain: false, criticalBits: false, qubd: false, lmn: false },
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const before = new Set(process.listeners('SIGINT'));
    const err: string[] = [];
    const t0 = performance.now();
    const pending = experimentCommand([join(dir, 'spec.json'), '--out', join(dir, 'out')], { stdout: () => {}, stderr: (s) => err.push(s) });
    // Call only our handler (emitting SIGINT would also reach the test runner's own listeners).
    const added = process.listeners('SIGINT').filter((l) => !before.has(l));
    expect(added).toHaveLength(1);
    (added[0] as () => void)();
    expect(await pending).toBe(130);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(err.join('')).toMatch(/interrupted[\s\S]*cancelled/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(process.listeners('SIGINT').filter((l) => !before.has(l))).toHaveLength(0);
  });
});
