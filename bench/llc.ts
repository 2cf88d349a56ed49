/**
 * LLC bench: SGLD draws/s on a 10k-parameter quadratic L = ½Σhᵢwᵢ², against a plain loop doing the
 * same arithmetic (gradient, devinterp update, same ziggurat normals) with no bookkeeping.
 */
import { estimateLlc } from '../src/llc/estimate.js';
import { createNormalStream } from '../src/util/normal-stream.js';
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
}

if (import.meta.url === `file://${process.argv[1]}`) void run();
