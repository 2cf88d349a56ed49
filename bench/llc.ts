/**
 * LLC bench: SGLD draws/s on a 10k-parameter quadratic L = ½Σhᵢwᵢ², against a plain loop doing the
 * same arithmetic (gradient, devinterp update, same ziggurat normals) with no bookkeeping.
 */
import { estimateLlc } from '../src/llc/estimate.js';
import { createNormalStream } from '../src/util/normal-stream.js';
import { sequentialModel, grokkingMlpSpec } from '../src/model/index.js';
import { modularArithmetic } from '../src/data/index.js';
import { printTable } from './util.js';

export async function run(): Promise<void> {
  const d = 10_000;
  const h = new Float64Array(d);
  for (let i = 0; i < d; i++) h[i] = 0.1 + (i % 100) / 50;
  const fn = (w: Float64Array, _b: number, g: Float64Array): number => {
    let l = 0;
    for (let i = 0; i < d; i++) {
      const gi = h[i] * w[i];
      g[i] = gi;
      l += 0.5 * gi * w[i];
    }
    return l;
  };
  const nBeta = 1000;
  const eps = 1e-4;
  const draws = 2000;

  // Baseline: the bare SGLD loop.
  const baseline = (): number => {
    const w = new Float64Array(d);
    const g = new Float64Array(d);
    const xi = new Float64Array(d);
    const rng = createNormalStream(1);
    const sq = Math.sqrt(eps);
    let acc = 0;
    for (let s = 0; s < draws; s++) {
      acc += fn(w, 0, g);
      rng.fill(xi, d);
      for (let i = 0; i < d; i++) w[i] += -0.5 * eps * nBeta * g[i] + sq * xi[i];
    }
    return acc;
  };
  baseline();
  let t = performance.now();
  baseline();
  const tBase = (performance.now() - t) / 1000;

  await estimateLlc({ lossAndGrad: fn, weights: new Float64Array(d), nBeta, epsilon: eps, chains: 1, draws: 200 });
  t = performance.now();
  const r = await estimateLlc({ lossAndGrad: fn, weights: new Float64Array(d), nBeta, epsilon: eps, chains: 1, draws });
  const tLlc = (performance.now() - t) / 1000;
  const rows = [
    { what: 'estimateLlc (SGLD, 10k params)', drawsPerSec: Math.round(draws / tLlc), ratioVsPlainLoop: (tBase / tLlc).toFixed(2) },
    { what: 'plain SGLD loop, same arithmetic', drawsPerSec: Math.round(draws / tBase), ratioVsPlainLoop: '1.00' },
  ];
  printTable(`LLC — SGLD draws/s on a 10k-parameter quadratic (1 chain, 2000 draws; λ̂ = ${r.llc.toFixed(0)}, exact ${(d / 2).toFixed(0)})`, rows);

  // Cost of the cancellation/progress hooks (a signal check before every step, a progress call
  // every 1 % of a chain, a yield to the event loop about every 100 ms): the same runs with and
  // without them, alternated, best of 3 — on the 10k quadratic and on a 3-weight quadratic, where
  // the hooks weigh most against the loss.
  const fn3 = (x: Float64Array, _b: number, g: Float64Array): number => {
    let l = 0;
    for (let i = 0; i < 3; i++) {
      g[i] = x[i];
      l += 0.5 * x[i] * x[i];
    }
    return l;
  };
  const hookRows = [];
  for (const [label, f, dim, n] of [['10k quadratic, 2000 draws', fn, d, draws], ['3-weight quadratic, 1e6 draws', fn3, 3, 1e6]] as const) {
    let plain = Infinity;
    let hooked = Infinity;
    let calls = 0;
    for (let rep = 0; rep < 3; rep++) {
      t = performance.now();
      await estimateLlc({ lossAndGrad: f, weights: new Float64Array(dim), nBeta, epsilon: eps, chains: 1, draws: n });
      plain = Math.min(plain, performance.now() - t);
      t = performance.now();
      await estimateLlc({ lossAndGrad: f, weights: new Float64Array(dim), nBeta, epsilon: eps, chains: 1, draws: n, signal: new AbortController().signal, onProgress: () => void calls++ });
      hooked = Math.min(hooked, performance.now() - t);
    }
    hookRows.push({ what: label, plainMs: Math.round(plain), withSignalAndProgressMs: Math.round(hooked), ratio: (hooked / plain).toFixed(3) });
  }
  printTable('LLC — cost of signal + onProgress (same runs with and without, best of 3; ratio > 1 = slower)', hookRows);

  // The model adapter path: estimateLlc({ model, data, batchSize }) on the grokking network
  // (10,248 parameters) and split, minibatches of 128, against the same sampler with a callback
  // that calls the same adapter (the cost of the adapter plumbing: batching, validation).
  const model = sequentialModel(grokkingMlpSpec());
  const { train } = modularArithmetic({ p: 47, seed: 0 });
  const w = model.init(0);
  const n2 = 600;
  await estimateLlc({ model, data: train, batchSize: 128, weights: w, nBeta: 30, epsilon: 1e-5, chains: 1, draws: 50 });
  t = performance.now();
  await estimateLlc({ model, data: train, batchSize: 128, weights: w, nBeta: 30, epsilon: 1e-5, chains: 1, draws: n2 });
  const tModel = (performance.now() - t) / 1000;
  const b0 = { inputs: train.inputs.subarray(0, 256), targets: train.targets.subarray(0, 128), size: 128 };
  t = performance.now();
  await estimateLlc({ weights: w, nBeta: 30, epsilon: 1e-5, chains: 1, draws: n2, lossAndGrad: (x, _b, g) => model.lossAndGrad(x, b0, g).loss });
  const tCb = (performance.now() - t) / 1000;
  printTable('LLC with the model adapter — grokking network (10,248 params), batch 128, 1 chain (baseline: the callback)', [
    { what: 'estimateLlc({ model, data, batchSize: 128 })', drawsPerSec: Math.round(n2 / tModel), ratioVsCallback: (tCb / tModel).toFixed(2) },
    { what: 'estimateLlc(lossAndGrad callback on one batch)', drawsPerSec: Math.round(n2 / tCb), ratioVsCallback: '1.00' },
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) void run();
