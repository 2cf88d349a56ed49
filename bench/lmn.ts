/**
 * LMN bench: pairs/s for a 2-layer MLP (inputs 64 → hidden 100 relu → 31 outputs, 1000 samples),
 * against a plain loop computing the same 21-point segments through the full network per pair.
 * A subset of the samples is timed (pairs grow as m²); the full 1000-sample cost is extrapolated
 * from the measured pairs/s and printed as such.
 */
import { linearMappingNumber } from '../src/lmn/lmn.js';
import type { LmnLayer } from '../src/lmn/types.js';
import { createNormalStream } from '../src/util/normal-stream.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { note, printTable } from './util.js';

/**
 * Against numpy, measured in the same run (child process): a 94→128 relu→47 MLP, 100 samples ×
 * 21 points (4,950 pairs), float64 on both sides. numpy is timed two ways: a per-pair loop (21
 * points through the net per pair, as a reference implementation is written) and all pairs'
 * points in one batched matmul (numpy's best case).
 */
async function vsNumpy(): Promise<void> {
  const dIn = 94;
  const hidden = 128;
  const out = 47;
  const m = 100;
  const rng = createNormalStream(11);
  const mk = (n: number, scale: number): Float64Array => {
    const a = new Float64Array(n);
    rng.fill(a, n);
    for (let i = 0; i < n; i++) a[i] *= scale;
    return a;
  };
  const w1 = mk(hidden * dIn, 1 / Math.sqrt(dIn));
  const b1 = mk(hidden, 0.1);
  const w2 = mk(out * hidden, 1 / Math.sqrt(hidden));
  const b2 = mk(out, 0.1);
  const x = mk(m * dIn, 1);
  const net: LmnLayer[] = [
    { weight: w1, bias: b1, shape: [hidden, dIn], activation: 'relu' },
    { weight: w2, bias: b2, shape: [out, hidden] },
  ];
  const rows = Array.from({ length: m }, (_, i) => Array.from(x.subarray(i * dIn, (i + 1) * dIn)));
  const payload = JSON.stringify({
    x: rows,
    w1: Array.from({ length: hidden }, (_, o) => Array.from(w1.subarray(o * dIn, (o + 1) * dIn))),
    b1: Array.from(b1),
    w2: Array.from({ length: out }, (_, o) => Array.from(w2.subarray(o * hidden, (o + 1) * hidden))),
    b2: Array.from(b2),
  });
  const py = spawnSync('python3', [join(dirname(fileURLToPath(import.meta.url)), 'lmn_numpy.py')], { input: payload, encoding: 'utf8' });
  await linearMappingNumber(net, rows);
  const ts: number[] = [];
  let lmn = NaN;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    lmn = (await linearMappingNumber(net, rows)).lmn;
    ts.push((performance.now() - t0) / 1000);
  }
  const tO = Math.min(...ts);
  note(`\nLMN vs numpy — ${dIn}→${hidden} relu→${out}, ${m} samples × 21 points (${(m * (m - 1)) / 2} pairs), best of 5; ockham LMN = ${lmn.toFixed(6)}`);
  if (py.status !== 0) {
    note(`numpy peer unavailable (python3 + numpy needed): ${(py.stderr || String(py.error)).trim().split('\n').pop()}`);
    printTable('LMN vs numpy (numpy unavailable)', [{ what: 'linearMappingNumber', seconds: tO.toFixed(4) }]);
    return;
  }
  const np = JSON.parse(py.stdout) as { lmnPerPair: number; lmnBatched: number; perPairSeconds: number; batchedSeconds: number; numpy: string };
  printTable('LMN vs numpy (baseline: ockham; ockhamSpeedup > 1 = ockham faster)', [
    { what: 'ockham linearMappingNumber (wasm SIMD GEMM)', seconds: tO.toFixed(4), lmn: lmn.toFixed(6), ockhamSpeedup: '1.00' },
    { what: `numpy ${np.numpy}, per-pair loop`, seconds: np.perPairSeconds.toFixed(4), lmn: np.lmnPerPair.toFixed(6), ockhamSpeedup: (np.perPairSeconds / tO).toFixed(2) },
    { what: `numpy ${np.numpy}, all pairs batched`, seconds: np.batchedSeconds.toFixed(4), lmn: np.lmnBatched.toFixed(6), ockhamSpeedup: (np.batchedSeconds / tO).toFixed(2) },
  ]);
  note(`ockham is ${(np.perPairSeconds / tO).toFixed(2)}× the per-pair numpy loop and ${(np.batchedSeconds / tO).toFixed(2)}× batched numpy (> 1 = ockham faster)`);
}

export async function run(): Promise<void> {
  const dIn = 64;
  const hidden = 100;
  const out = 31;
  const mFull = 1000;
  const m = 200; // timed subset: 19 900 pairs
  const rng = createNormalStream(3);
  const w1 = new Float64Array(hidden * dIn);
  const b1 = new Float64Array(hidden);
  const w2 = new Float64Array(out * hidden);
  const b2 = new Float64Array(out);
  for (const a of [w1, b1, w2, b2]) rng.fill(a, a.length);
  for (let i = 0; i < w1.length; i++) w1[i] /= Math.sqrt(dIn);
  for (let i = 0; i < w2.length; i++) w2[i] /= Math.sqrt(hidden);
  const net: LmnLayer[] = [
    { weight: w1, bias: b1, shape: [hidden, dIn], activation: 'relu' },
    { weight: w2, bias: b2, shape: [out, hidden] },
  ];
  const x = new Float64Array(m * dIn);
  rng.fill(x, x.length);
  const rows = Array.from({ length: m }, (_, i) => x.subarray(i * dIn, (i + 1) * dIn));
  const pairs = (m * (m - 1)) / 2;

  // Plain loop: every pair, every one of the 21 points through both layers, r² per output.
  const plain = (): number => {
    const P = 21;
    const xt = new Float64Array(dIn);
    const hbuf = new Float64Array(hidden);
    const f = new Float64Array(P * out);
    let acc = 0;
    for (let i = 0; i < m; i++)
      for (let j = i + 1; j < m; j++) {
        for (let p = 0; p < P; p++) {
          const t = p / (P - 1);
          for (let k = 0; k < dIn; k++) xt[k] = x[i * dIn + k] + t * (x[j * dIn + k] - x[i * dIn + k]);
          for (let u = 0; u < hidden; u++) {
            let s = b1[u];
            for (let k = 0; k < dIn; k++) s += w1[u * dIn + k] * xt[k];
            hbuf[u] = s > 0 ? s : 0;
          }
          for (let o = 0; o < out; o++) {
            let s = b2[o];
            for (let u = 0; u < hidden; u++) s += w2[o * hidden + u] * hbuf[u];
            f[p * out + o] = s;
          }
        }
        let r2 = 0;
        for (let o = 0; o < out; o++) {
          let mt = 0;
          let mf = 0;
          for (let p = 0; p < P; p++) {
            mt += p / (P - 1);
            mf += f[p * out + o];
          }
          mt /= P;
          mf /= P;
          let sxy = 0;
          let sxx = 0;
          let syy = 0;
          for (let p = 0; p < P; p++) {
            const a = p / (P - 1) - mt;
            const b = f[p * out + o] - mf;
            sxy += a * b;
            sxx += a * a;
            syy += b * b;
          }
          r2 += syy > 0 ? (sxy * sxy) / (sxx * syy) : 1;
        }
        acc += r2 / out;
      }
    return acc;
  };
  let t = performance.now();
  plain();
  const tPlain = (performance.now() - t) / 1000;
  await linearMappingNumber(net, rows.slice(0, 20));
  t = performance.now();
  const r = await linearMappingNumber(net, rows);
  const tLmn = (performance.now() - t) / 1000;
  const lmnRate = pairs / tLmn;
  note(`LMN — 2-layer MLP ${dIn}→${hidden} relu→${out}, timed on ${m} samples (${pairs} pairs); LMN = ${r.lmn.toFixed(3)}`);
  printTable('LMN — pairs/s against a plain loop over the same points (baseline)', [
    { what: 'linearMappingNumber (incl. eigensolve)', pairsPerSec: Math.round(lmnRate), ratioVsPlainLoop: (tPlain / tLmn).toFixed(2) },
    { what: 'plain loop, 21 points × full net', pairsPerSec: Math.round(pairs / tPlain), ratioVsPlainLoop: '1.00' },
  ]);
  const fullPairs = (mFull * (mFull - 1)) / 2;
  note(`extrapolated for ${mFull} samples (${fullPairs} pairs): ≈ ${(fullPairs / lmnRate).toFixed(1)} s single-threaded (pairs part only)`);
  await vsNumpy();
}

if (import.meta.url === `file://${process.argv[1]}`) void run();
