/** signal / onProgress of runExperiment: progress in checkpoints, cancellation, validation, unchanged results. */
import { describe, expect, it } from 'vitest';
import { runExperiment, type ExperimentResult, type ExperimentSpec } from '../../src/experiment/run.js';
import { rejectsArg } from '../helpers.js';
import { sequentialModel } from '../../src/model/sequential.js';
import { grokkingMlpSpec } from '../../src/model/presets.js';

const spec: ExperimentSpec = {
  name: 'tiny',
  seed: 0,
  model: { preset: 'grokking', p: 5, d: 4, h: 8 },
  data: { kind: 'modular', p: 5, trainFraction: 0.6 },
  runs: [
    { name: 'a', train: { steps: 10, lr: 0.01, checkpointSteps: [0, 5, 10] } },
    { name: 'b', train: { steps: 6, lr: 0.01 } }, // default checkpoints [0, steps]
  ],
  measures: { qubd: false, llc: false, criticalBits: false, lmn: false, coarseGrain: { epsilon: 0.05, maxIterations: 3 } },
};

type Call = [number, number, string];
const strip = (r: ExperimentResult): unknown =>
  JSON.parse(JSON.stringify({ ...r, timings: 0, runs: r.runs.map((x) => ({ ...x, checkpoints: x.checkpoints.map((c) => ({ ...c, timings: 0 })) })) }));

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return 'no rejection';
}

describe('runExperiment: signal and onProgress', () => {
  it('counts measured checkpoints over every run, labels what runs, ends (total, total, "done"); same result', async () => {
    const plain = await runExperiment(spec);
    const calls: Call[] = [];
    const r = await runExperiment(spec, { signal: new AbortController().signal, onProgress: (d, t, l) => void calls.push([d, t, l]) });
    expect(strip(r)).toEqual(strip(plain));
    expect(calls).toEqual([
      [0, 5, 'a · training'],
      [0, 5, 'a · step 0'],
      [1, 5, 'a · step 5'],
      [2, 5, 'a · step 10'],
      [3, 5, 'b · training'],
      [3, 5, 'b · step 0'],
      [4, 5, 'b · step 6'],
      [5, 5, 'done'],
    ]);
  });

  it('given checkpoints count as they are', async () => {
    const model = sequentialModel(grokkingMlpSpec(5, 4, 8));
    const calls: Call[] = [];
    await runExperiment(
      { ...spec, runs: [{ name: 'given', checkpoints: [{ step: 1, params: model.init(1) }, { step: 2, params: model.init(2) }] }] },
      { onProgress: (d, t, l) => void calls.push([d, t, l]) },
    );
    expect(calls).toEqual([
      [0, 2, 'given · step 1'],
      [1, 2, 'given · step 2'],
      [2, 2, 'done'],
    ]);
  });

  it('aborted before the call: rejects with the reason', async () => {
    const reason = new Error('stop');
    expect(await rejection(runExperiment(spec, { signal: AbortSignal.abort(reason) }))).toBe(reason);
    const ac = new AbortController();
    ac.abort();
    const e = await rejection(runExperiment(spec, { signal: ac.signal }));
    expect(e).toBe(ac.signal.reason);
    expect((e as DOMException).name).toBe('AbortError');
  });

  it('an abort from onProgress mid-run rejects at once; no progress call after it', async () => {
    const ac = new AbortController();
    const calls: Call[] = [];
    const e = await rejection(
      runExperiment(spec, {
        signal: ac.signal,
        onProgress: (d, t, l) => {
          calls.push([d, t, l]);
          if (l === 'a · step 5') ac.abort();
        },
      }),
    );
    expect(e).toBe(ac.signal.reason);
    expect(calls.map((c) => c[2])).toEqual(['a · training', 'a · step 0', 'a · step 5']);
  });

  it('an abort from elsewhere during training (a timer) lands at a training checkpoint', async () => {
    const ac = new AbortController();
    const calls: Call[] = [];
    const t0 = performance.now();
    // 2·10⁶ steps of this model take ~16 s; the abort lands at the checkpoint of step 0.
    const e = await rejection(
      runExperiment(
        { ...spec, runs: [{ name: 'long', train: { steps: 2_000_000, lr: 0.01, checkpointSteps: [0, 1_000_000, 2_000_000] } }] },
        {
          signal: ac.signal,
          onProgress: (d, t, l) => {
            calls.push([d, t, l]);
            // fires while trainModel runs: the first training checkpoint yields and sees it
            if (l === 'long · training') setTimeout(() => ac.abort(), 0);
          },
        },
      ),
    );
    expect(e).toBe(ac.signal.reason);
    expect(calls).toEqual([[0, 3, 'long · training']]);
    expect(performance.now() - t0).toBeLessThan(3000); // not a benchmark: stopped long before the end of training
  });

  it('the signal reaches the LLC calibration: an abort from a timer lands inside it', async () => {
    // Uninterrupted, this calibration takes ~5 s here (~1.9 s measured with 40 000 draws); with
    // the signal forwarded, calibrateLlc sees the abort within ~100 ms.
    const llc = { batchSize: 16, chains: 1, draws: 100_000, burnIn: 100_000, epsilons: [1e-3], gammas: [10], pilotDraws: 100_000 };
    const ac = new AbortController();
    const calls: string[] = [];
    const t0 = performance.now();
    const e = await rejection(
      runExperiment(
        { ...spec, runs: [spec.runs[0]], measures: { qubd: false, criticalBits: false, lmn: false, coarseGrain: false, spectral: false, llc } },
        {
          signal: ac.signal,
          onProgress: (_d, _t, l) => {
            calls.push(l);
            if (l === 'a · LLC calibration') setTimeout(() => ac.abort(), 0);
          },
        },
      ),
    );
    expect(e).toBe(ac.signal.reason);
    expect(calls).toEqual(['a · training', 'a · LLC calibration']);
    expect(performance.now() - t0).toBeLessThan(1500); // not a benchmark: stopped inside the calibration
  });

  it('every measure on: identical results with and without signal / onProgress', async () => {
    const all = {
      ...spec,
      runs: [spec.runs[0]],
      measures: {
        qubd: { bits: 4, reinits: 3, shuffles: 1 },
        criticalBits: { epsilon: 0.05, rangeCandidates: 2 },
        lmn: { samples: 8 },
        coarseGrain: { epsilon: 0.05, maxIterations: 3 },
        llc: { batchSize: 16, chains: 2, draws: 30, burnIn: 30, epsilons: [1e-3], gammas: [10], pilotDraws: 30 },
      },
    };
    const plain = await runExperiment(all);
    const calls: string[] = [];
    const r = await runExperiment(all, { signal: new AbortController().signal, onProgress: (d, t, l) => void calls.push(`${d}/${t} ${l}`) });
    expect(strip(r)).toEqual(strip(plain));
    expect(calls).toEqual(['0/3 a · training', '0/3 a · LLC calibration', '0/3 a · step 0', '1/3 a · step 5', '2/3 a · step 10', '3/3 done']);
  });

  it('bad signal / onProgress → OckhamError naming the option', async () => {
    await rejectsArg(runExperiment(spec, { signal: {} as AbortSignal }), 'options.signal');
    await rejectsArg(runExperiment(spec, { onProgress: 3 as unknown as () => void }), 'options.onProgress');
  });
});
