/**
 * Quantiles for robust (percentile) ranges: a bit-exact emulation of `torch.quantile` in float32
 * (torch 2.x CPU, linear interpolation) and the same linear rule in float64 (numpy's default
 * 'linear' method, including its two-sided lerp). Selection is O(n) expected (Hoare
 * quickselect), not a full sort, since only the two order statistics around each rank matter.
 * @internal
 */

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

/**
 * `torch.quantile(x, q)` (linear interpolation) for float32 data, bit-exact, for a pair of
 * quantiles (qLow ≤ qHigh) over `buf[0..n−1]`. `buf` is scratch: it is reordered in place.
 *
 * torch's arithmetic, reproduced step by step: q becomes a float32 scalar; rank = fp32(q)·(n−1)
 * in float32; i = trunc(rank), w = rank − i; a = sorted[i], c = sorted[ceil(rank)],
 * d = fp32(c − a); result = a + w·d if w < 0.5 else c − d·(1 − w), each fused (one rounding).
 */
export function quantilePairF32(buf: Float32Array, n: number, qLow: number, qHigh: number): [number, number] {
  const nm1 = Math.fround(n - 1);
  const rankLo = Math.fround(Math.fround(qLow) * nm1);
  const rankHi = Math.fround(Math.fround(qHigh) * nm1);
  const iLo = Math.trunc(rankLo);
  const iHi = Math.trunc(rankHi);
  selectInPlace(buf, iLo, 0, n - 1);
  const aLo = buf[iLo];
  const cLo = Math.ceil(rankLo) > iLo ? minOf(buf, iLo + 1, n - 1) : aLo;
  selectInPlace(buf, iHi, iLo, n - 1);
  const aHi = buf[iHi];
  const cHi = Math.ceil(rankHi) > iHi ? minOf(buf, iHi + 1, n - 1) : aHi;
  return [interpF32(aLo, cLo, rankLo - iLo), interpF32(aHi, cHi, rankHi - iHi)];
}

function interpF32(a: number, c: number, w: number): number {
  const d = Math.fround(c - a);
  // w·d and d·(1 − w) are exact in double (24-bit × 24-bit significands).
  return w < 0.5 ? roundSumToF32(a, w * d) : roundSumToF32(c, -(d * (1 - w)));
}

/**
 * The same linear-interpolation quantile pair in float64: h = q·(n − 1), i = ⌊h⌋, t = h − i,
 * result = a + t·(c − a) if t < 0.5 else c − (c − a)·(1 − t) (numpy's 'linear' method).
 * `buf` is scratch and is reordered in place.
 */
export function quantilePairF64(buf: Float64Array, n: number, qLow: number, qHigh: number): [number, number] {
  const hLo = qLow * (n - 1);
  const hHi = qHigh * (n - 1);
  const iLo = Math.floor(hLo);
  const iHi = Math.floor(hHi);
  selectInPlace(buf, iLo, 0, n - 1);
  const aLo = buf[iLo];
  const cLo = hLo > iLo ? minOf(buf, iLo + 1, n - 1) : aLo;
  selectInPlace(buf, iHi, iLo, n - 1);
  const aHi = buf[iHi];
  const cHi = hHi > iHi ? minOf(buf, iHi + 1, n - 1) : aHi;
  return [interpF64(aLo, cLo, hLo - iLo), interpF64(aHi, cHi, hHi - iHi)];
}

function interpF64(a: number, c: number, t: number): number {
  const d = c - a;
  return t < 0.5 ? a + t * d : c - d * (1 - t);
}
