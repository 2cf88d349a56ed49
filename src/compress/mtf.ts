/**
 * Move-to-front coding for bzip2 without a list: ranks from a bitmap of last occurrences.
 *
 * The MTF rank of symbol c at time t is the number of distinct symbols seen since c's last
 * occurrence, i.e. the number of symbols whose last occurrence lies strictly between last[c]
 * and t. So instead of a list we keep one bit per time step, set at each symbol's last
 * occurrence (nInUse bits set at any time), plus a byte per 32-bit word counting its set bits.
 * A rank is then the popcount of the bits above last[c] in its word plus the byte counts of the
 * following words up to t's (t's word holds only marks before t), summed four at a time as one
 * 32-bit integer — no lane can carry, because all the counts add up to at most nInUse − 1 ≤ 255.
 * An update clears one bit and sets another. The initial list (symbol s at rank s) is modelled
 * as nInUse virtual time steps before the block, symbol 0 the latest.
 *
 * Why not a list: on float32 weights, whose mantissa bytes sit at MTF rank ≈ 128 on average,
 * a list (even bzip2's chunked one, or our earlier two-level list of 32-symbol chunks) spends
 * tens of data-dependent shifts per symbol; the bitmap's cost depends on the distance back to
 * the last occurrence (≈ 9 words on such bytes, read four at a time), not on the rank's value.
 * Measured on BWT output of the bench's float32 weights: ≈ 21 ns/byte against ≈ 40 ns/byte for
 * the two-level list; on English-like text ≈ 10 against ≈ 13 (`npm run bench -- bzip2`).
 * Consecutive repeats (rank 0, coded as RUNA/RUNB runs) leave the bitmap alone: nothing else
 * happens during a run, so the run's first occurrence counts the same as its last.
 */
import { LITTLE_ENDIAN } from '../util/endian.js';

/** Reusable scratch for {@link mtfRle2}. */
export interface MtfWork {
  bits: Int32Array; // one bit per time step: set at each symbol's last occurrence
  counts: Uint8Array; // set bits per word of `bits` (length a multiple of 4)
  counts4: Int32Array; // `counts` read four words at a time (little-endian lanes)
  last: Int32Array; // 256: time of each symbol's last occurrence
}

export function mtfWork(): MtfWork {
  const counts = new Uint8Array(0);
  return { bits: new Int32Array(0), counts, counts4: new Int32Array(0), last: new Int32Array(256) };
}

function ensureWork(w: MtfWork, steps: number): void {
  const words = (steps >>> 5) + 16; // slack: the rank sums read up to 12 words past t's
  if (w.bits.length >= words) return;
  const cap = words + 64;
  w.bits = new Int32Array(cap);
  w.counts4 = new Int32Array((cap >>> 2) + 1);
  w.counts = new Uint8Array(w.counts4.buffer);
}

/** Set bits of a 32-bit integer. */
function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Writes a run of `v` ≥ 1 zeros as RUNA/RUNB symbols at `out[k..]` (bijective base 2, least
 * significant digit first: RUNA = 0, RUNB = 1), counting them in `freq`; returns the new end.
 */
function putZeroRun(v: number, out: Uint16Array, freq: Int32Array, k: number): number {
  while (v > 0) {
    if (v & 1) {
      out[k++] = 0;
      freq[0]++;
      v = (v - 1) >>> 1;
    } else {
      out[k++] = 1;
      freq[1]++;
      v = (v - 2) >>> 1;
    }
  }
  return k;
}

/**
 * MTF + RUNA/RUNB coding of `map[bytes[i]]`, i in [0, n) (`map` sends the block's bytes to
 * 0..nInUse−1 in byte order) into `out` (bzip2 symbols: 0 RUNA, 1 RUNB, r+1 for MTF rank
 * r ≥ 1, nInUse+1 EOB), counting frequencies into `freq` (cleared here). Returns the number
 * of symbols written.
 */
export function mtfRle2(
  bytes: Uint8Array,
  map: Uint8Array,
  n: number,
  nInUse: number,
  out: Uint16Array,
  freq: Int32Array,
  w: MtfWork = mtfWork(),
): number {
  ensureWork(w, n + nInUse);
  const { bits, counts, counts4, last } = w;
  bits.fill(0); // whole arrays: the rank sums read a few zero words past t's
  counts.fill(0);
  // The initial list: symbol s last seen at virtual time nInUse − 1 − s.
  for (let s = 0; s < nInUse; s++) {
    const t = nInUse - 1 - s;
    last[s] = t;
    bits[t >>> 5] |= 1 << (t & 31);
    counts[t >>> 5]++;
  }
  freq.fill(0);
  let k = 0;
  let zPend = 0;
  let front = 0; // symbol at rank 0
  for (let i = 0; i < n; i++) {
    const c = map[bytes[i]];
    if (c === front) {
      zPend++;
      continue;
    }
    if (zPend > 0) {
      k = putZeroRun(zPend, out, freq, k);
      zPend = 0;
    }
    const t = i + nInUse;
    const a = last[c];
    const wa = a >>> 5;
    const wt = t >>> 5;
    // Marks after a in its word, plus the counts of words wa+1..wt read four per int: words
    // after t's hold no marks (they are in the future), so only the lower end needs a mask,
    // and three groups (≥ 8 words, 256 steps) are summed without a branch.
    const above = bits[wa] & (-2 << (a & 31));
    let r: number;
    if (LITTLE_ENDIAN) {
      const lo = wa + 1;
      const ga = lo >>> 2;
      const gb = wt >>> 2;
      let x = (counts4[ga] & (-1 << ((lo & 3) << 3))) + counts4[ga + 1] + counts4[ga + 2];
      for (let g = ga + 3; g <= gb; g++) x += counts4[g];
      r = popcount(above) + (Math.imul(x, 0x01010101) >>> 24);
    } else {
      r = popcount(above);
      for (let j = wa + 1; j <= wt; j++) r += counts[j];
    }
    const sym = r + 1;
    out[k++] = sym;
    freq[sym]++;
    bits[wa] ^= 1 << (a & 31);
    counts[wa]--;
    bits[wt] |= 1 << (t & 31);
    counts[wt]++;
    last[c] = t;
    front = c;
  }
  if (zPend > 0) k = putZeroRun(zPend, out, freq, k);
  const eob = nInUse + 1;
  out[k++] = eob;
  freq[eob]++;
  return k;
}
