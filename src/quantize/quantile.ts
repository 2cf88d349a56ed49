/**
 * Quantiles for robust (percentile) ranges: a bit-exact emulation of `torch.quantile` in float32
 * (torch 2.x CPU, linear interpolation) and the same linear rule in float64 (numpy's default
 * 'linear' method, including its two-sided lerp). Only the two order statistics around each rank
 * matter, so nothing is sorted: large inputs take one bracketing pass (see {@link rankPairs}),
 * others a Hoare quickselect on a copy. The input is never modified.
 * @internal
 */
import type { FloatArray } from '../util/validate.js';

/**
 * Partially orders `a[left..right]` in place so that `a[k]` is its (k − left)-th smallest value,
 * everything before it is ≤ and everything after it ≥. Hoare partitioning with a
 * median-of-three pivot copes with runs of equal values; after 64 rounds (adversarial input) it
 * falls back to a full sort of the remaining range, so the worst case is O(n log n).
 * Inputs must be NaN-free.
 */
export function selectInPlace(a: Float32Array | Float64Array, k: number, left: number, right: number): void {
  let l = left;
  let r = right;
  let rounds = 0;
  while (r > l) {
    if (++rounds > 64) {
      a.subarray(l, r + 1).sort();
      return;
    }
    const m = (l + r) >>> 1;
    // Median of three into a[m]; also leaves a[l] ≤ a[m] ≤ a[r] as sentinels.
    if (a[m] < a[l]) swap(a, m, l);
    if (a[r] < a[l]) swap(a, r, l);
    if (a[r] < a[m]) swap(a, r, m);
    const pivot = a[m];
    let i = l;
    let j = r;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    // Now a[l..j] ≤ pivot ≤ a[i..r] and everything strictly between j and i equals the pivot.
    if (k <= j) r = j;
    else if (k >= i) l = i;
    else return;
  }
}

function swap(a: Float32Array | Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Smallest value of a[from..to] (inclusive); a[from] when from > to is never requested. */
function minOf(a: Float32Array | Float64Array, from: number, to: number): number {
  let m = a[from];
  for (let i = from + 1; i <= to; i++) if (a[i] < m) m = a[i];
  return m;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 neighbour of float32 value r in the direction of `up` (finite r). */
function nextF32(r: number, up: boolean): number {
  if (r === 0) return up ? 1.401298464324817e-45 : -1.401298464324817e-45;
  f32[0] = r;
  // For positive r the bit pattern grows with the value, for negative r it shrinks.
  if (r > 0 === up) u32[0] = u32[0] + 1;
  else u32[0] = u32[0] - 1;
  return f32[0];
}

/**
 * Float32 rounding of the exact sum x + y of two doubles, with one rounding, as a fused
 * multiply-add would give when y is an exact product. Rounding the double sum to float32 is
 * wrong only when that double sum lands exactly on a float32 midpoint while the exact sum does
 * not; TwoSum recovers the lost part and breaks that tie in the right direction.
 */
export function roundSumToF32(x: number, y: number): number {
  const s = x + y;
  const bb = s - x;
  const err = x - (s - bb) + (y - bb);
  const r = Math.fround(s);
  if (err === 0 || r === s || !Number.isFinite(r)) return r;
  const other = nextF32(r, s > r);
  if ((r + other) / 2 !== s) return r; // not a tie: the double sum rounds like the exact sum
  // s is exactly halfway: the exact sum lies on the side of err.
  const up = err > 0;
  return up === other > r ? other : r;
}

/** How often each path of {@link rankPairs} ran (tests check the fast one is taken). */
export const rankPairsPaths = { bracketed: 0, quickselect: 0 };

/** Sample size of the bracketing pass. */
const SAMPLE = 16384;
/** Below this many elements a quickselect on a copy is as fast as bracketing. */
const BRACKET_MIN = 1 << 16;
let sampleBuf: Float64Array | null = null;
let candLo = new Float64Array(0);
let candHi = new Float64Array(0);

/**
 * The order statistics of x[start..end) at ranks iLo, iLo + 1, iHi, iHi + 1 (0-based, ascending;
 * a rank past the end repeats the last), as [aLo, cLo, aHi, cHi]. x is not modified.
 *
 * Large inputs: a strided sample of 16,384 elements gives, by selection, for each pair of ranks
 * a value bracket [t0, t1] that holds them with high probability (sample ranks ± 4 binomial
 * standard deviations + 8); one pass counts the elements below t0 and collects those inside; the
 * ranks are then selected among the few candidates. Exact whatever the sample: when a bracket
 * misses (or collects too much, e.g. on adversarially ordered data) the quickselect on a copy
 * runs instead. Measured (bench/quantize.ts, 2048×2048 float32, 8 bits): the quantizer with a
 * 99.9 % range in 7.5 ms, against 94 ms with a copy and quickselect.
 */
export function rankPairs(x: FloatArray, start: number, end: number, iLo: number, iHi: number, filter?: MiddleFilter): [number, number, number, number] {
  const n = end - start;
  if (n >= BRACKET_MIN) {
    const r = bracketed(x, start, end, iLo, iHi, filter);
    if (r !== null) {
      rankPairsPaths.bracketed++;
      return r;
    }
  }
  rankPairsPaths.quickselect++;
  const buf = x instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  buf.set(x.subarray(start, end));
  selectInPlace(buf, iLo, 0, n - 1);
  const aLo = buf[iLo];
  const cLo = iLo + 1 < n ? minOf(buf, iLo + 1, n - 1) : aLo;
  selectInPlace(buf, iHi, iLo, n - 1);
  const aHi = buf[iHi];
  const cHi = iHi + 1 < n ? minOf(buf, iHi + 1, n - 1) : aHi;
  return [aLo, cLo, aHi, cHi];
}

/**
 * Optional accelerator for the bracketing pass: given the low bracket's top a1 and the high
 * bracket's bottom b0, counts the elements strictly between them (`mid`) and returns the others
 * among `values` (which may also hold some middle elements: they are classified again), leaving
 * x[start + tailFrom .. end) unexamined; or null to let the JS pass do everything. The quantizer
 * passes its WebAssembly SIMD filter over its copy of the data.
 */
export type MiddleFilter = (a1: number, b0: number) => { mid: number; values: Float32Array; tailFrom: number } | null;

/** Counters of one bracketing scan: below/eq0/len/eq1 for bracket A, then for B. */
const counts = new Float64Array(8);

/**
 * Classifies arr[from..to) against both brackets, adding to `counts` and appending candidates
 * (strictly inside a bracket) to cl / ch. Most elements of a percentile range lie between the
 * two brackets (above the low one, below the high one): they only add to B's `below`, with one
 * test (the full classification of every element ran at 4× a plain pass, this at about 2×).
 */
function scan(arr: FloatArray, from: number, to: number, a0: number, a1: number, b0: number, b1: number, cl: Float64Array, ch: Float64Array, capA: number, capB: number): void {
  let belowA = 0;
  let eq0A = 0;
  let lenA = counts[2];
  let eq1A = 0;
  let belowB = 0;
  let eq0B = 0;
  let lenB = counts[6];
  let eq1B = 0;
  for (let i = from; i < to; i++) {
    const v = arr[i];
    if (v > a1 && v < b0) {
      belowB++;
      continue;
    }
    if (v < a0) belowA++;
    else if (v <= a1) {
      if (v === a0) eq0A++;
      else if (v === a1) eq1A++;
      else {
        if (lenA < capA) cl[lenA] = v;
        lenA++;
      }
    }
    if (v < b0) belowB++;
    else if (v <= b1) {
      if (v === b0) eq0B++;
      else if (v === b1) eq1B++;
      else {
        if (lenB < capB) ch[lenB] = v;
        lenB++;
      }
    }
  }
  counts[0] += belowA;
  counts[1] += eq0A;
  counts[2] = lenA;
  counts[3] += eq1A;
  counts[4] += belowB;
  counts[5] += eq0B;
  counts[6] = lenB;
  counts[7] += eq1B;
}

function bracketed(x: FloatArray, start: number, end: number, iLo: number, iHi: number, filter?: MiddleFilter): [number, number, number, number] | null {
  const n = end - start;
  const m = SAMPLE;
  const stride = n / m;
  const sample = (sampleBuf ??= new Float64Array(SAMPLE));
  for (let k = 0; k < m; k++) sample[k] = x[start + Math.floor(k * stride)];
  // Sample index range expected to hold ranks r..r+1, widened by 4σ of a binomial count + 8;
  // its ends are order statistics of the sample, selected (sorting the sample cost more than
  // the pass over the data at 768×768).
  const bracket = (r: number): [number, number, number] => {
    const p = (r + 1) / n;
    const d = 4 * Math.sqrt(m * p * (1 - p)) + 8;
    const i0 = Math.floor((r * m) / n - d);
    const i1 = Math.ceil(((r + 1) * m) / n + d);
    let t0 = -Infinity;
    let t1 = Infinity;
    if (i0 >= 0) {
      selectInPlace(sample, i0, 0, m - 1);
      t0 = sample[i0];
    }
    if (i1 < m) {
      selectInPlace(sample, i1, 0, m - 1);
      t1 = sample[i1];
    }
    return [t0, t1, Math.ceil((i1 - i0 + 1) * stride * 2) + 4096];
  };
  const [a0, a1, capA] = bracket(iLo);
  const [b0, b1, capB] = bracket(iHi);
  if (candLo.length < capA) candLo = new Float64Array(capA);
  if (candHi.length < capB) candHi = new Float64Array(capB);
  const cl = candLo;
  const ch = candHi;
  // Per bracket: elements below t0, equal to t0, strictly inside (stored), equal to t1. Ties at
  // the ends are only counted, so a bracket over a run of equal values (a constant tensor, a
  // spike of zeros) stores nothing.
  counts.fill(0);
  const f = filter ? filter(a1, b0) : null;
  if (f !== null) {
    counts[4] = f.mid;
    scan(f.values, 0, f.values.length, a0, a1, b0, b1, cl, ch, capA, capB);
    scan(x, start + f.tailFrom, end, a0, a1, b0, b1, cl, ch, capA, capB);
  } else {
    scan(x, start, end, a0, a1, b0, b1, cl, ch, capA, capB);
  }
  const [belowA, eq0A, lenA, eq1A, belowB, eq0B, lenB, eq1B] = counts;
  if (lenA > capA || lenB > capB) return null;
  const lo = pick({ t0: a0, t1: a1, c: cl, below: belowA, eq0: eq0A, len: lenA, eq1: eq1A }, iLo, n);
  const hi = pick({ t0: b0, t1: b1, c: ch, below: belowB, eq0: eq0B, len: lenB, eq1: eq1B }, iHi, n);
  if (lo === null || hi === null) return null;
  return [lo[0], lo[1], hi[0], hi[1]];
}

interface Bracket {
  readonly t0: number;
  readonly t1: number;
  /** Candidates strictly between t0 and t1 (the first `len`). */
  readonly c: Float64Array;
  readonly below: number;
  readonly eq0: number;
  readonly len: number;
  readonly eq1: number;
}

/** Ranks r and r + 1 (capped at n − 1) from a bracket's counts and candidates, or null if either lies outside it. */
function pick(b: Bracket, r: number, n: number): [number, number] | null {
  const at = (rank: number): number | null => {
    let k = rank - b.below;
    if (k < 0) return null;
    if (k < b.eq0) return b.t0;
    k -= b.eq0;
    if (k < b.len) {
      selectInPlace(b.c, k, 0, b.len - 1);
      return b.c[k];
    }
    k -= b.len;
    return k < b.eq1 ? b.t1 : null;
  };
  const a = at(r);
  const c = r + 1 < n ? at(r + 1) : a;
  return a === null || c === null ? null : [a, c];
}

/**
 * `torch.quantile(x, q)` (linear interpolation) for float32 data, bit-exact, for a pair of
 * quantiles (qLow ≤ qHigh) over the float32 values x[start..end) (not modified).
 *
 * torch's arithmetic, reproduced step by step: q becomes a float32 scalar; rank = fp32(q)·(n−1)
 * in float32; i = trunc(rank), w = rank − i; a = sorted[i], c = sorted[ceil(rank)],
 * d = fp32(c − a); result = a + w·d if w < 0.5 else c − d·(1 − w), each fused (one rounding).
 */
export function quantilePairF32(x: FloatArray, start: number, end: number, qLow: number, qHigh: number, filter?: MiddleFilter): [number, number] {
  const n = end - start;
  const nm1 = Math.fround(n - 1);
  const rankLo = Math.fround(Math.fround(qLow) * nm1);
  const rankHi = Math.fround(Math.fround(qHigh) * nm1);
  const iLo = Math.trunc(rankLo);
  const iHi = Math.trunc(rankHi);
  const [aLo, nextLo, aHi, nextHi] = rankPairs(x, start, end, iLo, iHi, filter);
  const cLo = Math.ceil(rankLo) > iLo ? nextLo : aLo;
  const cHi = Math.ceil(rankHi) > iHi ? nextHi : aHi;
  return [interpF32(aLo, cLo, rankLo - iLo), interpF32(aHi, cHi, rankHi - iHi)];
}

function interpF32(a: number, c: number, w: number): number {
  const d = Math.fround(c - a);
  // w·d and d·(1 − w) are exact in double (24-bit × 24-bit significands).
  return w < 0.5 ? roundSumToF32(a, w * d) : roundSumToF32(c, -(d * (1 - w)));
}

/**
 * The same linear-interpolation quantile pair in float64: h = q·(n − 1), i = ⌊h⌋, t = h − i,
 * result = a + t·(c − a) if t < 0.5 else c − (c − a)·(1 − t) (numpy's 'linear' method), over
 * x[start..end) (not modified).
 */
export function quantilePairF64(x: FloatArray, start: number, end: number, qLow: number, qHigh: number): [number, number] {
  const n = end - start;
  const hLo = qLow * (n - 1);
  const hHi = qHigh * (n - 1);
  const iLo = Math.floor(hLo);
  const iHi = Math.floor(hHi);
  const [aLo, nextLo, aHi, nextHi] = rankPairs(x, start, end, iLo, iHi);
  const cLo = hLo > iLo ? nextLo : aLo;
  const cHi = hHi > iHi ? nextHi : aHi;
  return [interpF64(aLo, cLo, hLo - iLo), interpF64(aHi, cHi, hHi - iHi)];
}

function interpF64(a: number, c: number, t: number): number {
  const d = c - a;
  return t < 0.5 ? a + t * d : c - d * (1 - t);
}
