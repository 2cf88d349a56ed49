/**
 * signal / onProgress of bayesOptimize, coarseGrainSearch, quantizationSearch and
 * rateDistortionCurve: validation, abort before and during a run, progress shape, and results
 * identical with and without the options.
 */
import { describe, expect, it } from 'vitest';
import { bayesOptimize, coarseGrainSearch, quantizationSearch, rateDistortionCurve } from '../../src/coarsegrain/index.js';
import type { NamedTensor } from '../../src/util/model.js';
import { rejectsArg } from '../helpers.js';

// A tiny model (8×8 + 8) and a cheap quadratic loss: every search here runs in milliseconds.
const W: NamedTensor<Float32Array>[] = [
  { name: 'w', shape: [8, 8], data: Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) * 0.3) },
  { name: 'b', shape: [8], data: Float32Array.from({ length: 8 }, (_, i) => 0.1 * i - 0.3) },
];
const loss = (c: NamedTensor[]): number => {
  let s = 0;
  for (let t = 0; t < c.length; t++) for (let i = 0; i < c[t].data.length; i++) s += (c[t].data[i] - W[t].data[i]) ** 2;
  return s / 72;
};
const tiny = { seed: 3, initPoints: 3, nIter: 3, nWarmup: 100, nLocalStarts: 1, nRestarts: 1 } as const;

type Call = [number, number, string];
const recorder = (): { calls: Call[]; onProgress: (d: number, t: number, l: string) => void } => {
  const calls: Call[] = [];
  return { calls, onProgress: (d, t, l) => void calls.push([d, t, l]) };
};

/** Monotone, done ≤ total, constant total, last call (total, total, 'done'). */
function expectWellFormed(calls: Call[], total: number): void {
  expect(calls.length).toBeGreaterThan(1);
  for (let i = 0; i < calls.length; i++) {
    const [d, t] = calls[i];
    expect(t).toBe(total);
    expect(d).toBeGreaterThanOrEqual(0);
    expect(d).toBeLessThanOrEqual(t);
    if (i > 0) expect(d).toBeGreaterThanOrEqual(calls[i - 1][0]);
  }
  expect(calls[calls.length - 1]).toEqual([total, total, 'done']);
  expect(calls.filter((c) => c[2] === 'done')).toHaveLength(1);
}

/** Rejects with exactly `reason` (a function: read after the rejection, e.g. `() => ac.signal.reason`). */
async function rejectsWith(p: Promise<unknown>, reason: unknown): Promise<void> {
  let err: unknown = 'no rejection';
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err).toBe(typeof reason === 'function' ? (reason as () => unknown)() : reason);
  expect(err).toBeDefined();
}

const strip = <T extends { best: unknown }>(r: T): string => JSON.stringify(r, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));

describe('bayesOptimize: signal and onProgress', () => {
  const f = ({ x, y }: Record<string, number>): number => (x - 1) ** 2 + (y + 0.5) ** 2;
  const space = { x: [-2, 2], y: [-2, 2] } as const;
  const probes = [{ x: 0, y: 0 }];

  it('reports evaluations out of probes + initPoints + nIter, ending (total, total, "done"); the result is unchanged', async () => {
    const plain = await bayesOptimize(f, space, { ...tiny, probes });
    const rec = recorder();
    const ac = new AbortController();
    const withCtl = await bayesOptimize(f, space, { ...tiny, probes, onProgress: rec.onProgress, signal: ac.signal });
    expect(withCtl).toEqual(plain);
    expectWellFormed(rec.calls, 7);
    expect(rec.calls.map((c) => c[2])).toEqual(['probe', 'random', 'random', 'random', 'gp', 'gp', 'gp', 'done']);
    expect(rec.calls.map((c) => c[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('rejects with signal.reason when aborted before the call, without evaluating', async () => {
    let n = 0;
    const reason = new Error('stop');
    await rejectsWith(bayesOptimize(() => ++n, space, { ...tiny, signal: AbortSignal.abort(reason) }), reason);
    expect(n).toBe(0);
    // The default reason is a DOMException named 'AbortError'.
    const ac = new AbortController();
    ac.abort();
    await rejectsWith(bayesOptimize(f, space, { ...tiny, signal: ac.signal }), ac.signal.reason);
    expect((ac.signal.reason as DOMException).name).toBe('AbortError');
  });

  it('an abort from onProgress stops the run at once: no further evaluation or progress call', async () => {
    const ac = new AbortController();
    const calls: Call[] = [];
    let evals = 0;
    const p = bayesOptimize(
      (x) => {
        evals++;
        return f(x);
      },
      space,
      { ...tiny, signal: ac.signal, onProgress: (d, t, l) => {
        calls.push([d, t, l]);
        if (d === 2) ac.abort();
      } },
    );
    await rejectsWith(p, () => ac.signal.reason);
    expect(calls.map((c) => c[0])).toEqual([0, 1, 2]);
    expect(evals).toBe(2);
  });

  it('an abort from elsewhere (a timer) lands between evaluations', async () => {
    const ac = new AbortController();
    let evals = 0;
    const p = bayesOptimize(
      async (x) => {
        evals++;
        if (evals === 2) setTimeout(() => ac.abort(), 0);
        // A synchronous 3 ms of work: the timer (due after ≥ 1 ms) has expired by the next
        // yield, so only the yield between evaluations can let it run.
        if (evals >= 2) for (const t0 = performance.now(); performance.now() - t0 < 3; );
        return f(x);
      },
      space,
      { ...tiny, signal: ac.signal },
    );
    await rejectsWith(p, () => ac.signal.reason);
    expect(evals).toBeGreaterThanOrEqual(2);
    expect(evals).toBeLessThan(6);
  });

  it('an objective that honours the same signal rejects with its reason, unwrapped', async () => {
    const ac = new AbortController();
    const e = await bayesOptimize(
      async (x) => {
        if (x.x > -10) {
          ac.abort(new Error('from inside'));
          throw ac.signal.reason;
        }
        return f(x);
      },
      space,
      { ...tiny, signal: ac.signal },
    ).catch((x: unknown) => x);
    expect(e).toBe(ac.signal.reason);
    expect((e as Error).message).toBe('from inside');
  });

  it('bad signal / onProgress → OckhamError naming the option', async () => {
    await rejectsArg(bayesOptimize(f, space, { signal: {} as AbortSignal }), 'options.signal');
    await rejectsArg(bayesOptimize(f, space, { signal: null as unknown as AbortSignal }), 'options.signal');
    await rejectsArg(bayesOptimize(f, space, { onProgress: 1 as unknown as () => void }), 'options.onProgress');
  });
});

describe('coarseGrainSearch / quantizationSearch: signal and onProgress', () => {
  it('coarseGrainSearch: candidates out of 2 probes + initPoints + nIter; identical result', async () => {
    const plain = await coarseGrainSearch(W, { loss, epsilon: 1e-3, ...tiny });
    const rec = recorder();
    const r = await coarseGrainSearch(W, { loss, epsilon: 1e-3, ...tiny, onProgress: rec.onProgress, signal: new AbortController().signal });
    expect(strip(r)).toBe(strip(plain));
    expectWellFormed(rec.calls, 8);
    expect(rec.calls.map((c) => c[2])).toEqual(['probe', 'probe', 'random', 'random', 'random', 'gp', 'gp', 'gp', 'done']);
  });

  it('quantizationSearch, bisection: total 2 + maxIterations (an upper bound), ends (total, total, "done")', async () => {
    const opts = { loss, epsilon: 1e-4, method: 'bisection', maxIterations: 6 } as const;
    const plain = await quantizationSearch(W, opts);
    const rec = recorder();
    const r = await quantizationSearch(W, { ...opts, onProgress: rec.onProgress });
    expect(strip(r)).toBe(strip(plain));
    expectWellFormed(rec.calls, 8);
    expect(rec.calls.length - 1).toBe(plain.trace.length);
    expect(rec.calls.slice(0, -1).every((c) => c[2] === 'bisection')).toBe(true);
  });

  it('quantizationSearch, bayes: one default probe + initPoints + nIter', async () => {
    const rec = recorder();
    const r = await quantizationSearch(W, { loss, epsilon: 1e-4, ...tiny, onProgress: rec.onProgress });
    expectWellFormed(rec.calls, 7);
    expect(r.trace).toHaveLength(7);
  });

  it('aborted before the call: rejects with the reason and never calls the loss', async () => {
    let n = 0;
    const counting = (c: NamedTensor[]): number => (n++, loss(c));
    const reason = new Error('cancelled');
    await rejectsWith(coarseGrainSearch(W, { loss: counting, epsilon: 1e-3, ...tiny, signal: AbortSignal.abort(reason) }), reason);
    await rejectsWith(quantizationSearch(W, { loss: counting, epsilon: 1e-3, method: 'bisection', signal: AbortSignal.abort(reason) }), reason);
    expect(n).toBe(0);
  });

  it('an abort from onProgress mid-run rejects; no progress call or loss call after it', async () => {
    const ac = new AbortController();
    const calls: Call[] = [];
    let n = 0;
    const p = coarseGrainSearch(W, {
      loss: (c) => (n++, loss(c)),
      epsilon: 1e-3,
      ...tiny,
      signal: ac.signal,
      onProgress: (d, t, l) => {
        calls.push([d, t, l]);
        if (d === 4) ac.abort();
      },
    });
    await rejectsWith(p, () => ac.signal.reason);
    expect(calls.map((c) => c[0])).toEqual([0, 1, 2, 3, 4]);
    expect(n).toBeLessThanOrEqual(5); // the original loss + at most 4 distinct candidates
  });

  it('a loss that honours the same signal rejects with its reason, passed through unwrapped', async () => {
    const ac = new AbortController();
    let n = 0;
    const aborting = async (c: NamedTensor[]): Promise<number> => {
      if (++n === 3) {
        ac.abort();
        throw ac.signal.reason; // as a fetch given the same signal would
      }
      return loss(c);
    };
    const e = await coarseGrainSearch(W, { loss: aborting, epsilon: 1e-3, ...tiny, signal: ac.signal }).catch((x: unknown) => x);
    expect(e).toBe(ac.signal.reason);
    // Without the signal, a throwing loss is still an OckhamError naming options.loss.
    const boom = (): number => {
      throw new Error('boom');
    };
    await rejectsArg(coarseGrainSearch(W, { loss: boom, epsilon: 1e-3, ...tiny, signal: new AbortController().signal }), 'options.loss');
  });

  it('bad signal / onProgress → OckhamError naming the option (also through a model adapter rewrite)', async () => {
    await rejectsArg(coarseGrainSearch(W, { loss, epsilon: 1e-3, signal: 'x' as unknown as AbortSignal }), 'options.signal');
    await rejectsArg(quantizationSearch(W, { loss, epsilon: 1e-3, onProgress: {} as unknown as () => void }), 'options.onProgress');
  });
});

describe('rateDistortionCurve: signal and onProgress', () => {
  const opts = { loss, epsilons: [1e-5, 1e-4, 1e-3], search: 'quantization', method: 'bisection', maxIterations: 4 } as const;

  it('counts candidates over the whole curve (ε count × budget), labels by ε; identical points', async () => {
    const plain = await rateDistortionCurve(W, opts);
    const rec = recorder();
    const r = await rateDistortionCurve(W, { ...opts, onProgress: rec.onProgress });
    expect(strip(r as never)).toBe(strip(plain as never));
    expectWellFormed(rec.calls, 18);
    expect(rec.calls[0]).toEqual([0, 18, 'ε = 0.00001 · bisection']);
    expect(rec.calls.some((c) => c[0] === 6 && c[2] === 'ε = 0.0001 · bisection')).toBe(true);
    expect(rec.calls.some((c) => c[0] === 12 && c[2] === 'ε = 0.001 · bisection')).toBe(true);
  });

  it('coarse-grain curve: budget from the optimiser options', async () => {
    const rec = recorder();
    await rateDistortionCurve(W, { loss, epsilons: [1e-4, 1e-3], ...tiny, onProgress: rec.onProgress });
    expectWellFormed(rec.calls, 16);
  });

  it('aborts before the call and from onProgress at the second ε', async () => {
    const reason = new Error('enough');
    await rejectsWith(rateDistortionCurve(W, { ...opts, signal: AbortSignal.abort(reason) }), reason);
    const ac = new AbortController();
    const calls: Call[] = [];
    const p = rateDistortionCurve(W, {
      ...opts,
      signal: ac.signal,
      onProgress: (d, t, l) => {
        calls.push([d, t, l]);
        if (l.startsWith('ε = 0.0001')) ac.abort();
      },
    });
    await rejectsWith(p, () => ac.signal.reason);
    expect(calls[calls.length - 1][2]).toBe('ε = 0.0001 · bisection');
    expect(calls.some((c) => c[2].startsWith('ε = 0.001 '))).toBe(false);
  });

  it('bad signal / onProgress → OckhamError naming the option', async () => {
    await rejectsArg(rateDistortionCurve(W, { ...opts, signal: 5 as unknown as AbortSignal }), 'options.signal');
    await rejectsArg(rateDistortionCurve(W, { ...opts, onProgress: 'f' as unknown as () => void }), 'options.onProgress');
  });
});
