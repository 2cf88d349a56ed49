/**
 * Quantization and bit-plane speed against plain passes measured in the same run:
 * quantize vs a plain sum over the Float32Array; bitPlanes vs a plain sum over the codes.
 */
import { bitPlanes, interleavedBitImage, serialBinarization } from '../src/bitplanes/index.js';
import { quantize, roundToStep } from '../src/quantize/index.js';
import { normalArray } from '../src/util/random.js';
import { fmt, plainPass, printTable } from './util.js';

/**
 * Best-of-`reps` time in ms after `warmup` runs, measured as process CPU time (user + system,
 * `process.cpuUsage`), not wall time: on a shared, oversubscribed machine wall time mostly
 * measures preemption. The minimum is used for every row and its baseline alike. CPU time is
 * process-wide, so it includes V8's GC/compiler helper threads — real work the call causes.
 */
function timeMs(fn: () => unknown, reps = 5, warmup = 1): number {
  for (let i = 0; i < warmup; i++) fn();
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000);
  }
  return best;
}

function plainCodesPass(c: Uint16Array): number {
  let s = 0;
  for (let i = 0; i < c.length; i++) s += c[i];
  return s;
}

/**
 * The bare minimum the brief describes — a min/max pass and one float64 division pass with the
 * cheapest rounding ((v + 0.5) | 0: ties up, not float32-exact, no validation) — as a second,
 * tighter baseline. (Math.round measured far slower on this machine, so it is not used.)
 */
function naiveQuantize(x: Float32Array, bits: number): Uint16Array {
  let mn = x[0];
  let mx = mn;
  for (let i = 1; i < x.length; i++) {
    mn = Math.min(mn, x[i]);
    mx = Math.max(mx, x[i]);
  }
  const L = 2 ** bits - 1;
  const step = (mx - mn) / L;
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = ((x[i] - mn) / step + 0.5) | 0;
  return out;
}

/** The obvious per-bit packing loop, for comparison with the transpose kernel. */
function naivePlanes(codes: Uint16Array, bits: number, rows: number, cols: number): Uint32Array[] {
  const stride = (cols + 31) >>> 5;
  const out: Uint32Array[] = [];
  for (let p = 0; p < bits; p++) out.push(new Uint32Array(rows * stride));
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < cols; j++) {
      const c = codes[r * cols + j];
      const idx = r * stride + (j >>> 5);
      const sh = 31 - (j & 31);
      for (let p = 0; p < bits; p++) out[p][idx] |= ((c >>> p) & 1) << sh;
    }
  return out;
}

export async function run(): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  for (const [r, c] of [
    [768, 768],
    [2048, 2048],
  ] as const) {
    const n = r * c;
    const w = Float32Array.from(normalArray(n, r, 0, 0.02));
    const reps = n > 1e6 ? 7 : 25;
    const base = timeMs(() => plainPass(w), reps, 3);
    const add = (op: string, t: number, baseline: number, baseName: string): void => {
      rows.push({ input: `${r}×${c}`, op, ms: fmt(t, 3), 'M elem/s': fmt(n / t / 1e3, 0), baseline: baseName, ratio: fmt(t / baseline, 2) });
    };
    add('plain sum over floats', base, base, 'floats');
    // Every call returns a fresh n-element output; first-touching fresh pages is part of its cost
    // (large on VMs with free-page reporting, e.g. this Firecracker sandbox), shown separately.
    add('fresh Uint16Array(n) + fill', timeMs(() => new Uint16Array(n).fill(1), reps, 3), base, 'floats');
    const nbase = timeMs(() => naiveQuantize(w, 8), reps, 3);
    add('min/max + division pass (inexact)', nbase, base, 'floats');
    const addN = (op: string, t: number): void => {
      rows.push({ input: `${r}×${c}`, op, ms: fmt(t, 3), 'M elem/s': fmt(n / t / 1e3, 0), baseline: '2-pass', ratio: fmt(t / nbase, 2) });
    };
    const q8 = timeMs(() => quantize(w, { bits: 8 }), reps, 3);
    add('quantize 8b minmax f32', q8, base, 'floats');
    addN('quantize 8b minmax f32', q8);
    add('quantize 8b minmax f64', timeMs(() => quantize(w, { bits: 8, arithmetic: 'float64' }), reps, 3), base, 'floats');
    add('quantize 8b symmetric', timeMs(() => quantize(w, { bits: 8, range: 'symmetric' }), reps, 3), base, 'floats');
    add('quantize 8b pct 99.9 f32', timeMs(() => quantize(w, { bits: 8, range: 'percentile' }), reps, 2), base, 'floats');
    add('quantize 16b minmax f32', timeMs(() => quantize(w, { bits: 16 }), reps, 3), base, 'floats');
    add('roundToStep Δ=1e-3 f32', timeMs(() => roundToStep(w, 1e-3), reps, 3), base, 'floats');

    for (const bits of [8, 16]) {
      const codes = quantize(w, { bits }).codes;
      const cbase = timeMs(() => plainCodesPass(codes), reps, 3);
      if (bits === 8) add('plain sum over codes', cbase, cbase, 'codes');
      add(`bitPlanes ${bits}b`, timeMs(() => bitPlanes(codes, bits, [r, c]), reps, 3), cbase, 'codes');
      add(`naive per-bit planes ${bits}b`, timeMs(() => naivePlanes(codes, bits, r, c), reps, 2), cbase, 'codes');
      add(`interleavedBitImage ${bits}b`, timeMs(() => interleavedBitImage(codes, bits, [r, c]), reps, 2), cbase, 'codes');
      add(`serialBinarization ${bits}b`, timeMs(() => serialBinarization(codes, bits, [r, c]), reps, 2), cbase, 'codes');
    }
  }
  printTable('quantize / bit-planes — best-of-N process CPU ms; ratio = time / baseline measured in this run (target: quantize ≤ ~3× the plain float pass)', rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
