/**
 * QuBD speed: 8-bit QuBD of a 768×768 matrix, a 4096×4096 matrix (min–max range, and the QuBD
 * paper's central 99.9 % range) and a synthetic 100M-parameter model, against a plain streaming
 * pass over the same Float32Array in the same run.
 */
import { qubd, qubdModel } from '../src/index.js';
import { quantizeInto } from '../src/quantize/quantize.js';
import { planeBdm, planeTotals } from '../src/qubd/kernel.js';
import { planeBdmWasm } from '../src/qubd/wasm-kernel.js';
import { defaultTable } from '../src/ctm/default.js';
import { normalArray } from '../src/util/random.js';
import { baselineMs, fmt, printTable, timeMs } from './util.js';

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
  breakdown();
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
