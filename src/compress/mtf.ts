/**
 * Move-to-front coding for bzip2 on a two-level list. The MTF list of up to 256 symbols is
 * cut into chunks of 32 laid out in one buffer (the layout of bzip2's own decoder,
 * `mtfa`/`mtfbase`, with wider chunks): chunk k occupies `mtfa[base[k] .. base[k]+32)` and
 * `chunkOf[s]` says which chunk holds symbol s.
 *
 * Moving symbol c from chunk k to the front: scan chunk k from its start, shifting each
 * symbol one slot right until c is met (the plain MTF loop, but over ≤ 32 slots), which frees
 * the chunk's first slot; fill it with the last symbol of chunk k−1, whose chunk now starts
 * one slot earlier, and so on down to chunk 0, whose new first slot takes c. Cost for a
 * symbol at rank r: (r mod 32) shifts + ⌊r/32⌋ chunk moves, instead of r shifts. On float32
 * weights, whose mantissa bytes sit at MTF rank ≈ 128 on average, that is ~20 cheap steps
 * instead of ~128. When chunk 0 reaches the start of the buffer, the chunks are compacted
 * back to its end (every ~8000 symbols of rank ≥ 32).
 */

const CH = 32;
const SHIFT = 5;
const SIZE = 8192;

/** Reusable scratch for {@link mtfRle2}. */
export interface MtfWork {
  mtfa: Uint8Array;
  base: Int32Array;
  chunkOf: Uint8Array;
  tmp: Uint8Array;
}

export function mtfWork(): MtfWork {
  return { mtfa: new Uint8Array(SIZE), base: new Int32Array(256 / CH), chunkOf: new Uint8Array(256), tmp: new Uint8Array(256) };
}

/** Lays the list out, in its current order (or in `order` if given), at the end of the buffer. */
function compact(w: MtfWork, nInUse: number, identity: boolean): void {
  const { mtfa, base, chunkOf, tmp } = w;
  const nChunks = (nInUse + CH - 1) >> SHIFT;
  const start = SIZE - nChunks * CH;
  for (let r = 0; r < nInUse; r++) tmp[r] = identity ? r : mtfa[base[r >> SHIFT] + (r & (CH - 1))];
  for (let k = 0; k < nChunks; k++) base[k] = start + k * CH;
  for (let r = 0; r < nInUse; r++) {
    const s = tmp[r];
    mtfa[start + r] = s;
    chunkOf[s] = r >> SHIFT;
  }
}

/**
 * Writes a run of `v` ≥ 1 zeros as RUNA/RUNB symbols at `out[k..]` (bijective base 2, least
 * significant digit first: RUNA = 1, RUNB = 2), counting them in `freq`; returns the new end.
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
  const { mtfa, base, chunkOf } = w;
  compact(w, nInUse, true);
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
    let lno = chunkOf[c];
    const b = base[lno];
    // Scan-and-shift inside the chunk until c: frees slot b.
    let q = b;
    let prev = mtfa[q];
    while (prev !== c) {
      q++;
      const t = mtfa[q];
      mtfa[q] = prev;
      prev = t;
    }
    const sym = (lno << SHIFT) + (q - b) + 1;
    out[k++] = sym;
    freq[sym]++;
    front = c;
    if (lno === 0) {
      mtfa[b] = c;
      continue;
    }
    // Slot b is free: fill it with the last symbol of chunk lno−1, whose chunk then starts
    // one slot earlier, and so on down to chunk 0.
    let slot = b;
    while (lno > 0) {
      const pb = base[lno - 1];
      const s = mtfa[pb + CH - 1];
      mtfa[slot] = s;
      chunkOf[s] = lno;
      slot = pb - 1;
      base[lno - 1] = slot;
      lno--;
    }
    mtfa[slot] = c;
    chunkOf[c] = 0;
    if (slot === 0) compact(w, nInUse, false);
  }
  if (zPend > 0) k = putZeroRun(zPend, out, freq, k);
  const eob = nInUse + 1;
  out[k++] = eob;
  freq[eob]++;
  return k;
}
