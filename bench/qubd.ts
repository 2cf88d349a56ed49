/**
 * QuBD speed: 8-bit QuBD of a 768×768 matrix, a 4096×4096 matrix (min–max range, and the QuBD
 * paper's central 99.9 % range) and a synthetic 100M-parameter model, against a plain streaming
 * pass over the same Float32Array in the same run.
 */
import { resolve } from 'node:path';
import { msbDiagnostic, qubd, qubdModel, qubdRatio } from '../src/index.js';
import { qubdFromCodes, qubdKeepingCodes, setQubdChunkElems } from '../src/qubd/qubd.js';
import { readSafetensorsFile, readTfjsModelFile } from '../src/io/node/index.js';
import { arenaBytes } from '../src/util/wasm-arena.js';
import { shuffled } from '../src/util/random.js';
import { quantizeInto } from '../src/quantize/quantize.js';
import { planeBdm, planeTotals } from '../src/qubd/kernel.js';
import { planeBdmWasm } from '../src/qubd/wasm-kernel.js';
import { defaultTable } from '../src/ctm/default.js';
import { normalArray } from '../src/util/random.js';
import { baselineMs, fmt, note, printTable, timeMs } from './util.js';

/**
 * The low-memory path (tensors over ~1M weights at bits ≤ 8: quantized and counted in row
 * slices in the wasm arena, ~6 MiB of working memory) against the whole-tensor path it replaced
 * (the float32 copy + 16-bit codes of the whole tensor in the arena: 6 bytes per weight), same
 * run, alternating, on GPT-2's wte shape. Same results bit for bit (test/qubd/stream.test.ts).
 */
function slicedVsWhole(): void {
  const [r, c] = [50257, 768];
  const w = weights(r * c, 11);
  const o = { shape: [r, c], bits: 8 };
  const ts: number[] = [];
  const tw: number[] = [];
  for (let i = 0; i < 3; i++) {
    setQubdChunkElems(1 << 20);
    ts.push(timeMs(() => qubd(w, o), 1, i === 0 ? 1 : 0));
    setQubdChunkElems(2 ** 31);
    tw.push(timeMs(() => qubd(w, o), 1, i === 0 ? 1 : 0));
  }
  setQubdChunkElems(1 << 20);
  const s = Math.min(...ts);
  const wh = Math.min(...tw);
  printTable(`QuBD 8 bits of ${r}×${c}: sliced low-memory path vs whole-tensor path (best of 3 each, alternating)`, [
    { path: 'sliced (default)', ms: fmt(s, 1), 'arena per-call bytes': '~6 MiB' },
    { path: 'whole tensor', ms: fmt(wh, 1), 'arena per-call bytes': `${((6 * r * c) / 2 ** 20).toFixed(0)} MiB` },
    { path: 'ratio sliced / whole', ms: fmt(s / wh, 2), 'arena per-call bytes': '' },
  ]);
}

function weights(n: number, seed: number): Float32Array {
  return Float32Array.from(normalArray(n, seed, 0, 0.02));
}

export async function run(): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  for (const [r, c] of [
    [768, 768],
    [4096, 4096],
  ] as const) {
    const w = weights(r * c, r);
    // Min–max (the default) and the QuBD paper's central 99.9 % range.
    for (const range of ['minmax', 'percentile'] as const) {
      const o = { shape: [r, c], bits: 8, ...(range === 'percentile' ? { range, percentile: 99.9 } : {}) };
      // The baseline before and after, the faster one kept (the conservative ratio).
      const before = baselineMs([w], r > 1000 ? 7 : 15);
      const t = timeMs(() => qubd(w, o), r > 1000 ? 5 : 15, 3);
      const base = Math.min(before, baselineMs([w], r > 1000 ? 7 : 15));
      rows.push({
        input: `${r}×${c}${range === 'percentile' ? ', range 99.9 %' : ''}`,
        'plain pass ms': fmt(base, 3),
        'qubd ms': fmt(t, 3),
        'weights/s (M)': fmt(r * c / t / 1e3, 1),
        'input bits/s (G)': fmt((r * c * 32) / t / 1e6, 2),
        'ratio to plain pass': fmt(t / base, 2),
      });
    }
  }
  // Synthetic 100M-parameter model: 8 blocks × (4·1024² + 2·1024·4096) ≈ 100.7M weights.
  const tensors: { name: string; data: Float32Array; shape: number[] }[] = [];
  let total = 0;
  const shared1 = weights(1024 * 1024, 1);
  const shared2 = weights(1024 * 4096, 2);
  for (let b = 0; b < 8; b++) {
    for (const k of ['q', 'k', 'v', 'o']) {
      tensors.push({ name: `h${b}.${k}`, data: shared1, shape: [1024, 1024] });
      total += shared1.length;
    }
    tensors.push({ name: `h${b}.up`, data: shared2, shape: [4096, 1024] });
    tensors.push({ name: `h${b}.down`, data: shared2, shape: [1024, 4096] });
    total += 2 * shared2.length;
  }
  // QuBD alone, and qubdModel's default, which adds the binarized baseline (BDM of 1[w > 0]).
  for (const binarized of ['none', 'flatten'] as const) {
    const before = baselineMs(tensors.map((t) => t.data), 3);
    const t = timeMs(() => qubdModel(tensors, { bits: 8, binarized }), 3, 1);
    const base = Math.min(before, baselineMs(tensors.map((t) => t.data), 3));
    rows.push({
      input: `model ${(total / 1e6).toFixed(1)}M params (qubdModel${binarized === 'none' ? ', no binarized baseline' : ', default: + binarized baseline'})`,
      'plain pass ms': fmt(base, 1),
      'qubd ms': fmt(t, 1),
      'weights/s (M)': fmt(total / t / 1e3, 1),
      'input bits/s (G)': fmt((total * 32) / t / 1e6, 2),
      'ratio to plain pass': fmt(t / base, 2),
    });
  }
  printTable('QuBD, 8 bits, min–max range, 4×4 blocks (target: ratio ≤ 10, aim ≤ 5)', rows);
  slicedVsWhole();
  breakdown();
  await exactBaseline();
  msbAtScale();
  await tableCopyAndMemory();
}

/**
 * The exact shuffle baseline (qubdRatio's default) against 200 sampled shuffles of the same
 * codes: per plane, z of the shuffles' mean against the exact mean (in standard errors, SD/√200)
 * and the ratio exact SD / sample SD; worst plane shown. Random, smooth and real tensors.
 */
export async function exactBaseline(): Promise<void> {
  const cases: { name: string; w: Float32Array; shape: [number, number] }[] = [];
  cases.push({ name: 'random N(0, 0.02) 256×256', w: weights(256 * 256, 77), shape: [256, 256] });
  const sm = new Float32Array(250 * 254);
  for (let i = 0; i < 250; i++) for (let j = 0; j < 254; j++) sm[i * 254 + j] = Math.sin(i / 13) * Math.cos(j / 9) + 0.05 * Math.sin(i * j);
  cases.push({ name: 'smooth sin·cos 250×254', w: sm, shape: [250, 254] });
  try {
    const g = await readSafetensorsFile(resolve(process.cwd(), 'examples/grokking/step-004000.safetensors'));
    for (const t of g.tensors) if (t.shape.length === 2) cases.push({ name: `grokking step 4000 ${t.name} ${t.shape.join('×')}`, w: t.data, shape: [t.shape[0], t.shape[1]] });
    const u = await readTfjsModelFile(resolve(process.cwd(), 'test/fixtures/upscaler/model.json'));
    const ok = u.tensors.filter((t) => t.shape.length >= 2 && t.shape[0] >= 4 && t.data.length / t.shape[0] >= 4);
    const big = ok.reduce((a, b) => (b.data.length > a.data.length ? b : a));
    cases.push({ name: `upscaler ${big.name} ${big.shape.join('×')}`, w: big.data, shape: [big.shape[0], big.data.length / big.shape[0]] });
  } catch (e) {
    note(`(real tensors skipped: ${(e as Error).message})`);
  }
  const rows: Record<string, string | number>[] = [];
  const S = 200;
  for (const c of cases) {
    const bits = 8;
    const texact = timeMs(() => qubdRatio(c.w, { shape: c.shape, bits }), 5, 1);
    const ex = qubdRatio(c.w, { shape: c.shape, bits });
    const kept = qubdKeepingCodes(c.w, { shape: c.shape, bits }, true);
    const xs: number[][] = Array.from({ length: bits }, () => []);
    const t0 = performance.now();
    for (let s = 0; s < S; s++) {
      const r = qubdFromCodes(shuffled(kept.codes!, 500 + s), kept.rows, kept.cols, bits, kept.t4, kept.result.quantization);
      for (let p = 0; p < bits; p++) xs[p].push(r.planes[p].bdm);
    }
    const tsampled = performance.now() - t0;
    let zMax = 0;
    let lo = Infinity;
    let hi = 0;
    let zPlanes = '';
    for (let p = 0; p < bits; p++) {
      const m = xs[p].reduce((a, b) => a + b, 0) / S;
      const sd = Math.sqrt(xs[p].reduce((a, b) => a + (b - m) ** 2, 0) / (S - 1));
      zPlanes += `${ex.zScores![p].toFixed(1)} `;
      if (sd === 0) continue;
      zMax = Math.max(zMax, Math.abs(m - ex.reference.planes[p]) / (sd / Math.sqrt(S)));
      lo = Math.min(lo, ex.referenceSd![p] / sd);
      hi = Math.max(hi, ex.referenceSd![p] / sd);
    }
    rows.push({
      tensor: c.name,
      'max |mean − exact| (SE)': fmt(zMax, 2),
      'exact SD / sample SD': `${fmt(lo, 3)}–${fmt(hi, 3)}`,
      'exact ms': fmt(texact, 2),
      [`${S} shuffles ms`]: fmt(tsampled, 0),
      'z per plane (LSB→MSB)': zPlanes.trim(),
    });
  }
  printTable(`exact shuffle baseline vs ${S} sampled shuffles (8 bits, min–max; SE = sample SD/√${S})`, rows);
}

/** msbDiagnostic (exact baseline) on a GPT-2 wte-shaped 50257×768 matrix against qubd alone. */
export function msbAtScale(): void {
  const r = 50257;
  const c = 768;
  const w = weights(r * c, 50257);
  const o = { shape: [r, c], bits: 8 };
  const tq = timeMs(() => qubd(w, o), 3, 1);
  const tm = timeMs(() => msbDiagnostic(w, o), 3, 1);
  const t0 = performance.now();
  msbDiagnostic(w, { ...o, baseline: 'sampled' });
  const ts = performance.now() - t0;
  note(
    `msbDiagnostic on 50257×768 (38.6M weights, 8 bits): qubd alone ${fmt(tq, 0)} ms, msbDiagnostic (exact baseline) ${fmt(tm, 0)} ms ` +
      `→ ${fmt(tm / tq, 2)}× qubd (target ≤ 2×); with baseline 'sampled' (3 shuffles, the previous default) ${fmt(ts, 0)} ms (one run).`,
  );
}

/**
 * The cost of copying the CTM table into the wasm kernel on every call (so in-place edits are
 * seen), and the memory a large call leaves behind.
 */
export async function tableCopyAndMemory(): Promise<void> {
  const t4 = defaultTable(2).shapes.get('4x4');
  if (!t4) return;
  const dst = new Float64Array(65536);
  const dstF = new Uint8Array(65536);
  const copy = timeMs(() => {
    dst.set(t4.values);
    dstF.set(t4.missing);
  }, 200, 20);
  const small = weights(64 * 64, 3);
  const mid = weights(768 * 768, 4);
  const ts = timeMs(() => qubd(small, { shape: [64, 64], bits: 8 }), 200, 20);
  const tm = timeMs(() => qubd(mid, { shape: [768, 768], bits: 8 }), 15, 3);
  note(
    `table copy per call (576 KiB): ${fmt(copy * 1000, 1)} µs = ${fmt((100 * copy) / ts, 1)} % of a 64×64 qubd (${fmt(ts * 1000, 0)} µs), ` +
      `${fmt((100 * copy) / tm, 2)} % of a 768×768 qubd (${fmt(tm, 2)} ms)`,
  );
  // 12000×12000 (the case: ~880 MB kept before) with OCKHAM_BENCH_BIG=1, else 6000×6000.
  const n = process.env.OCKHAM_BENCH_BIG === '1' ? 12000 : 6000;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  let afterBig = 0;
  (() => {
    const big = weights(n * n, 5); // dies with this closure
    qubd(big, { shape: [n, n], bits: 8 });
    afterBig = arenaBytes();
  })();
  qubd(small, { shape: [64, 64], bits: 8 });
  // A dropped WebAssembly.Memory is freed by a collection after the current task (measured: one
  // synchronous gc() right away still counts it), so collect again after a turn of the loop.
  gc?.();
  await new Promise((r) => setTimeout(r, 100));
  gc?.();
  const after = process.memoryUsage();
  const d = (k: 'rss' | 'arrayBuffers'): string => ((after[k] - before[k]) / 2 ** 20).toFixed(0);
  note(
    `memory: shared wasm arena after a ${n}×${n} qubd: ${(afterBig / 2 ** 20).toFixed(1)} MiB (dropped above 64 MiB of per-call room), ` +
      `after a following 64×64 call: ${(arenaBytes() / 2 ** 20).toFixed(1)} MiB; change over the two calls` +
      `${gc ? ' after gc()' : ' (no gc: run with --expose-gc)'}: RSS ${d('rss')} MiB, ArrayBuffers ${d('arrayBuffers')} MiB`,
  );
}

/**
 * Where the time goes: the quantizer (min–max pass + float32-exact encoding, codes left in the
 * wasm arena) and the kernel counting all planes' 4×4 blocks from the codes — the WebAssembly
 * SIMD kernel QuBD uses, and the JS kernel it falls back to without WebAssembly SIMD.
 */
function breakdown(): void {
  const t4 = defaultTable(2).shapes.get('4x4');
  if (!t4) return;
  const rows: Record<string, string | number>[] = [];
  for (const n of [768, 4096]) {
    const w = weights(n * n, n);
    const reps = n > 1000 ? 5 : 15;
    const base = baselineMs([w], reps);
    const quant = timeMs(() => quantizeInto(w, { bits: 8 }, null, true), reps, 3);
    const q = quantizeInto(w, { bits: 8 }, null, true);
    const codes = q.codes;
    const wasm = timeMs(() => planeBdmWasm(codes, n, n, 8, t4.values, t4.missing, planeTotals(8)), reps, 3);
    const copy = codes.slice();
    const js = timeMs(() => planeBdm(copy, n, n, 8, t4.values, t4.missing, planeTotals(8)), reps, 3);
    rows.push({
      input: `${n}×${n}`,
      'plain pass ms': fmt(base, 3),
      'quantize ×plain': fmt(quant / base, 2),
      'wasm kernel ×plain': fmt(wasm / base, 2),
      'JS kernel ×plain': fmt(js / base, 2),
    });
  }
  printTable('QuBD breakdown: each stage alone, as a ratio to the plain pass', rows);
}
if (import.meta.url === `file://${process.argv[1]}`) await run();
