/**
 * Coarse-graining bench (DeMoss et al. Algorithm 1 / 2): a closed-form linear regression
 * (64×128 weights of rank ≈ 4, 2048 samples), measured in one run:
 *  1. Algorithm 1 with the reference defaults (2 probes + 10 random + 50 GP steps, 10 000 warm-up
 *     points) vs random search over (τ, Δ) with the same 62 evaluations, vs Algorithm 2 (Δ only),
 *     vs the naive bzip2 size: sizes and ratios, wall time and the share spent in the loss.
 *  2. Candidate construction with the per-k truncation cache vs a fresh `lowRankTruncate` (SVD)
 *     for every evaluation.
 *  3. One GP step at n = 60 observations: length-scale fit and a 10 000-point acquisition scan.
 *
 * Run alone: `npx tsx bench/coarsegrain.ts` (or via `npm run bench`).
 */
import { bayesOptimize, coarseGrainSearch, quantizationSearch } from '../src/coarsegrain/index.js';
import { buildCandidate, prepareTensors } from '../src/coarsegrain/candidate.js';
import { gpFit, gpPredict } from '../src/coarsegrain/gp.js';
import { createRng } from '../src/util/random.js';
import type { NamedTensor } from '../src/util/model.js';
import { makeRegression } from '../test/coarsegrain/fixture.js';
import { note, printTable, type Cell } from './util.js';

function ms(x: number): string {
  return `${x.toFixed(1)} ms`;
}

export async function run(): Promise<void> {
  const reg = makeRegression(2048, 128, 64, 4, 0.1, 5);
  let lossMs = 0;
  let lossCalls = 0;
  const loss = (c: NamedTensor[]): number => {
    const t0 = performance.now();
    const v = reg.loss(c);
    lossMs += performance.now() - t0;
    lossCalls++;
    return v;
  };
  const L0 = reg.loss(reg.model);
  const epsilon = 0.3 * L0; // rank-4 truncation alone costs +19 % training loss here (fitted noise directions)

  let t0 = performance.now();
  const a1 = await coarseGrainSearch(reg.model, { loss, epsilon, seed: 0 });
  const a1Ms = performance.now() - t0;
  const a1Loss = lossMs;
  const a1Calls = lossCalls;

  // Random search: same candidate machinery, 62 uniform (τ, u) points, no GP.
  lossMs = 0;
  lossCalls = 0;
  t0 = performance.now();
  const rs = await coarseGrainSearch(reg.model, { loss, epsilon, seed: 0, probes: [], initPoints: 62, nIter: 0 });
  const rsMs = performance.now() - t0;

  lossMs = 0;
  t0 = performance.now();
  const a2 = await quantizationSearch(reg.model, { loss, epsilon, seed: 0 });
  const a2Ms = performance.now() - t0;

  const table: Record<string, Cell>[] = [];
  const row = (name: string, bits: number | undefined, t: number, n: number): void =>
    void table.push({ search: name, 'best size bits': bits ?? null, '× smaller than naive (baseline)': bits ? a1.naiveBits / bits : null, 'wall ms': t, evaluations: n });
  row('naive bzip2 of float32 (baseline)', a1.naiveBits, 0, 0);
  row('Algorithm 1 (τ, Δ), bayes_opt defaults', a1.best?.bits, a1Ms, a1.trace.length);
  row('random search (τ, Δ), same budget', rs.best?.bits, rsMs, rs.trace.length);
  row('Algorithm 2 (Δ only), bayes_opt defaults', a2.best?.bits, a2Ms, a2.trace.length);
  printTable(`coarsegrain (DeMoss et al.) — model 64×128 + bias, rank-4 target, ε = 30 % of L = ${L0.toExponential(3)}; null = none accepted`, table);
  if (a1.best && rs.best) note(`Algorithm 1 / random search size ratio: ${(a1.best.bits / rs.best.bits).toFixed(3)}`);
  note(`Algorithm 1: loss ${ms(a1Loss)} over ${a1Calls} calls (${((100 * a1Loss) / a1Ms).toFixed(0)} % of wall); best τ = ${a1.best?.tau?.toFixed(4)}, Δ = ${a1.best?.delta.toExponential(3)}, ranks ${JSON.stringify(a1.best?.ranks)}`);

  // 2. Truncation cache.
  const rng = createRng(1);
  const pts = Array.from({ length: 62 }, () => [rng.next(), 10 ** (3 * rng.next() - 3)] as const);
  t0 = performance.now();
  const prepared = prepareTensors(reg.model);
  for (const [tau, delta] of pts) buildCandidate(prepared, tau, delta, 'paper');
  const cached = performance.now() - t0;
  t0 = performance.now();
  for (const [tau, delta] of pts) buildCandidate(prepareTensors(reg.model), tau, delta, 'paper');
  const uncached = performance.now() - t0;
  note(`candidates ×62: cached truncations ${ms(cached)} vs one SVD per evaluation ${ms(uncached)} → ${(uncached / cached).toFixed(1)}× faster`);

  // 3. One GP step at n = 60.
  const n = 60;
  const X = new Float64Array(n * 2).map(() => rng.next());
  const Y = new Float64Array(n).map((_, i) => Math.sin(6 * X[2 * i]) + X[2 * i + 1]);
  const opts = { lengthScale: 'isotropic' as const, lengthScaleBounds: [1e-5, 1e5] as const, alpha: 1e-6, normalizeY: true, nRestarts: 5 };
  t0 = performance.now();
  const gp = gpFit(X, n, 2, Y, opts, rng);
  const fitMs = performance.now() - t0;
  const u = new Float64Array(2);
  const work = new Float64Array(n);
  const out = new Float64Array(2);
  t0 = performance.now();
  let acc = 0;
  for (let i = 0; i < 10000; i++) {
    u[0] = rng.next();
    u[1] = rng.next();
    gpPredict(gp, u, work, out);
    acc += out[0];
  }
  const scanMs = performance.now() - t0;
  note(`GP step at n = 60: length-scale fit (6 starts) ${ms(fitMs)}, 10 000-point acquisition scan ${ms(scanMs)} (${((scanMs / 10000) * 1000).toFixed(2)} µs/point)${acc === 0 ? '' : ''}`);

  // bayesOptimize on Branin with the defaults, for scale.
  const branin = ({ x, y }: Record<string, number>): number =>
    (y - (5.1 / (4 * Math.PI ** 2)) * x * x + (5 / Math.PI) * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
  t0 = performance.now();
  const br = await bayesOptimize(branin, { x: [-5, 10], y: [0, 15] }, { seed: 0 });
  note(`bayesOptimize(Branin), defaults (60 evaluations): best ${br.best!.value.toFixed(5)} (optimum 0.39789) in ${ms(performance.now() - t0)}`);

  // 4. Cost of signal + onProgress (one macrotask per evaluation) against none, same run,
  //    alternating, 5 repeats each; the results are compared for identity.
  const ctlRows: Record<string, Cell>[] = [];
  const cases: [string, (ctl: object) => Promise<unknown>][] = [
    ['quantizationSearch bisection (32 evaluations, loss on 2048 samples)', (ctl) => quantizationSearch(reg.model, { loss: reg.loss, epsilon, method: 'bisection', ...ctl })],
    ['bayesOptimize(Branin), defaults (60 evaluations)', (ctl) => bayesOptimize(branin, { x: [-5, 10], y: [0, 15] }, { seed: 0, ...ctl })],
  ];
  const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
  for (const [name, f] of cases) {
    const plain: number[] = [];
    const withCtl: number[] = [];
    let same = true;
    let ref = '';
    for (let rep = 0; rep < 5; rep++) {
      let t = performance.now();
      const a = JSON.stringify(await f({}), (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));
      plain.push(performance.now() - t);
      let calls = 0;
      t = performance.now();
      const b = JSON.stringify(await f({ signal: new AbortController().signal, onProgress: () => void calls++ }), (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));
      withCtl.push(performance.now() - t);
      if (rep === 0) ref = a;
      same &&= a === b && a === ref && calls > 0;
    }
    const p = median(plain);
    const c = median(withCtl);
    ctlRows.push({ run: name, 'none ms (baseline)': p, 'signal + onProgress ms': c, ratio: c / p, 'identical result': same ? 'yes' : 'NO' });
  }
  printTable('coarsegrain: signal + onProgress vs none (medians of 5, alternating, same run)', ctlRows);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
