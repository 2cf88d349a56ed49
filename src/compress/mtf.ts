/**
 * Move-to-front coding for bzip2 on a two-level list: the MTF list of up to 256 symbols is
 * cut into chunks of 16 (the layout bzip2's own decoder uses, `mtfa`/`mtfbase`), so moving
 * the symbol at rank r to the front costs (r mod 16) in-chunk shifts plus ⌊r/16⌋ chunk
 * boundary moves instead of r shifts. On float32 weights, whose mantissa bytes sit at MTF
 * rank ≈ 128 on average, that is ~16 steps per symbol instead of ~128.
 *
 * Chunk k occupies `mtfa[base[k] .. base[k]+16)`. Moving a symbol out of chunk k leaves a
 * hole at the chunk's front, which is filled by the last symbol of chunk k−1, and so on down
 * to chunk 0, whose front slot moves one to the left (`base[0]--`) to take the moved symbol.
 * When chunk 0 reaches the start of the buffer, all chunks are compacted back to its end.
 * The encoder also needs the rank of a given symbol, so `where[s]` (slot of s in `mtfa`) and
 * `chunkOf[s]` are kept up to date by every move.
 */

const CHUNK = 16;
const SIZE = 8192;

/** Reusable scratch for {@link mtfRle2}. */
export interface MtfWork {
  mtfa: Uint8Array;
  base: Int32Array;
  where: Int32Array;
  chunkOf: Uint8Array;
}

export function mtfWork(): MtfWork {
  return { mtfa: new Uint8Array(SIZE), base: new Int32Array(CHUNK), where: new Int32Array(256), chunkOf: new Uint8Array(256) };
}

/** Lays the list out (in its current order) at the end of the buffer. */
function compact(w: MtfWork, nInUse: number, order: Uint8Array | null): void {
  const { mtfa, base, where, chunkOf } = w;
  const nChunks = (nInUse + CHUNK - 1) >> 4;
  const start = SIZE - nChunks * CHUNK;
  // Read the current order first (chunks may overlap their new places).
  const tmp = new Uint8Array(nInUse);
  if (order) tmp.set(order.subarray(0, nInUse));
  else for (let r = 0; r < nInUse; r++) tmp[r] = mtfa[base[r >> 4] + (r & 15)];
  for (let k = 0; k < nChunks; k++) base[k] = start + k * CHUNK;
  for (let r = 0; r < nInUse; r++) {
    const s = tmp[r];
    const q = start + r;
    mtfa[q] = s;
    where[s] = q;
    chunkOf[s] = r >> 4;
  }
}

/**
 * MTF + RUNA/RUNB coding of `map[bytes[i]]`, i in [0, n) (`map` sends the block's bytes to
 * 0..nInUse−1 in byte order) into
 * `out` (bzip2 symbols: 0 RUNA, 1 RUNB, r+1 for MTF rank r ≥ 1, nInUse+1 EOB), counting
 * frequencies into `freq` (cleared here). Returns the number of symbols written.
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
  const { mtfa, base, where, chunkOf } = w;
  const ident = new Uint8Array(256);
  for (let i = 0; i < 256; i++) ident[i] = i;
  compact(w, nInUse, ident);
  freq.fill(0);
  let k = 0;
  let zPend = 0;
  for (let i = 0; i < n; i++) {
    const c = map[bytes[i]];
    let p = where[c];
    let b0 = base[0];
    if (p === b0) {
      zPend++;
      continue;
    }
    if (zPend > 0) {
      // Bijective base-2 run length, least significant digit first: RUNA = 1, RUNB = 2.
      let v = zPend;
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
      zPend = 0;
    }
    let lno = chunkOf[c];
    const b = base[lno];
    const sym = (lno << 4) + (p - b) + 1;
    out[k++] = sym;
    freq[sym]++;
    // Shift the chunk's symbols in front of c one slot right.
    while (p > b) {
      const s = mtfa[p - 1];
      mtfa[p] = s;
      where[s] = p;
      p--;
    }
    if (lno === 0) {
      mtfa[b] = c;
      where[c] = b;
      continue;
    }
    // Chunk lno's front slot b is free: fill it with the last symbol of chunk lno−1, whose
    // slot then belongs to nobody; chunk lno−1 starts one slot earlier, and so on.
    base[lno] = b; // unchanged: the chunk keeps [b, b+16)
    while (lno > 0) {
      const prevBase = base[lno - 1];
      const s = mtfa[prevBase + CHUNK - 1];
      const q = base[lno];
      mtfa[q] = s;
      where[s] = q;
      chunkOf[s] = lno;
      base[lno - 1] = prevBase - 1;
      lno--;
    }
    b0 = base[0];
    mtfa[b0] = c;
    where[c] = b0;
    chunkOf[c] = 0;
    if (b0 === 0) compact(w, nInUse, null);
  }
  if (zPend > 0) {
    let v = zPend;
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
  }
  const eob = nInUse + 1;
  out[k++] = eob;
  freq[eob]++;
  return k;
}
