import { describe, expect, it } from 'vitest';
import { runExperiment, formatClaims } from '../../src/experiment/run.js';

describe('runExperiment (tiny runs)', () => {
  it('trains, measures every checkpoint, correlates, and gives each claim a verdict; deterministic', async () => {
    const spec = {
      name: 'tiny-grokking',
      seed: 0,
      model: { preset: 'grokking' as const, p: 11, d: 8, h: 16 },
      data: { kind: 'modular' as const, p: 11, trainFraction: 0.6 },
      runs: [{ name: 'run', train: { steps: 120, lr: 0.01, weightDecay: 0.5, checkpointSteps: [0, 20, 40, 80, 120] } }],
      measures: {
        qubd: { bits: 4, reinits: 3, shuffles: 1 },
        coarseGrain: { epsilon: 0.05, maxIterations: 6 },
        lmn: { samples: 12 },
        llc: { batchSize: 32, chains: 2, draws: 40, burnIn: 40, epsilons: [1e-3, 1e-4], gammas: [10], pilotDraws: 40 },
        criticalBits: { epsilon: 0.05, rangeCandidates: 2 },
      },
    };
    const a = await runExperiment(spec);
    expect(a.runs[0].checkpoints.map((c) => c.step)).toEqual([0, 20, 40, 80, 120]);
    const last = a.runs[0].checkpoints[4];
    expect(last.trainAcc).toBeGreaterThan(a.runs[0].checkpoints[0].trainAcc);
    for (const k of ['qubdTotal', 'coarseBits', 'spectralEntropy', 'lmn', 'llc'] as const) expect(Number.isFinite(last.measures[k] as number)).toBe(true);
    for (const k of ['qubd', 'coarseGrain', 'spectral', 'lmn', 'llc', 'criticalBits']) expect(last.timings[k]).toBeGreaterThanOrEqual(0);
    expect(a.runs[0].llcCalibration).toBeDefined();
    expect(a.correlations.length).toBeGreaterThan(3);
    for (const c of a.correlations) {
      if (Number.isFinite(c.pearson)) expect(Math.abs(c.pearson)).toBeLessThanOrEqual(1 + 1e-12);
    }
    const papers = new Set(a.claims.map((c) => c.paper));
    expect(papers.size).toBe(4);
    for (const c of a.claims) expect(['shown', 'not shown', 'not testable']).toContain(c.verdict);
    // one run, one budget: the budget and overfitting claims cannot be tested here, and say so
    expect(a.claims.find((c) => c.claim.includes('data budget'))!.verdict).toBe('not testable');
    expect(a.claims.find((c) => c.claim.includes('overfitting'))!.verdict).toBe('not testable');
    expect(formatClaims(a)).toMatch(/QuBD/);
    const b = await runExperiment(spec);
    const strip = (r: typeof a): unknown => JSON.parse(JSON.stringify({ ...r, timings: 0, runs: r.runs.map((x) => ({ ...x, checkpoints: x.checkpoints.map((c) => ({ ...c, timings: 0 })) })) }));
    expect(strip(b)).toEqual(strip(a));
  });

  it('rejects a bad spec naming the field', async () => {
    await expect(runExperiment({ name: 'x', model: { preset: 'nope' } as never, data: { kind: 'modular', p: 5 }, runs: [{ name: 'r' }] })).rejects.toThrow(/spec.model.preset/);
    await expect(runExperiment({ name: 'x', model: { preset: 'grokking', p: 5 }, data: { kind: 'modular', p: 5 }, runs: [] })).rejects.toThrow(/spec.runs/);
    await expect(runExperiment({ name: 'x', model: { preset: 'grokking', p: 5 }, data: { kind: 'modular', p: 5 }, runs: [{ name: 'r' }] })).rejects.toThrow(/spec.runs\[0\]/);
  });
});
