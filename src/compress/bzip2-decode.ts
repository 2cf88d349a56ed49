/**
 * bzip2 decoder (our own; used by `decompress(…, { codec: 'bzip2' })` and as a third
 * round-trip check next to seek-bzip and the system bzip2). Every loop is bounded by the
 * input length or by the format's limits (block ≤ 100000·level bytes, code lengths ≤ 20),
 * so corrupted input ends in an OckhamError, never in an endless loop.
 *
 * Per block: (1) table-driven Huffman decoding of the symbols into an array; (2) MTF + zero
 * runs, in WebAssembly SIMD where available (src/compress/bzip2-wasm.ts) else in JS
 * ({@link mtfDecode}), byte-identical; (3) the inverse-BWT tables, walked two blocks at a time
 * (four independent chains of cache misses); (4) RLE1 undo + CRC. See docs/bzip2-decode.md.
 */
import { OckhamError } from '../errors.js';
import { mtfKernel } from './bzip2-wasm.js';
import { crc32Update } from './crc32.js';
import { outputTooLarge } from './types.js';

const ARG = 'stream';
const LUT_BITS = 10;
const LUT_MASK = (1 << LUT_BITS) - 1;
const MTFA_SIZE = 4096;

function fail(message: string): never {
  throw new OckhamError('PARSE_ERROR', ARG, `invalid bzip2 stream: ${message}`);
}

interface Reader {
  buf: Uint8Array;
  pos: number; // next byte
  acc: number; // pending bits (low `n` bits valid)
  n: number;
}

function bits(r: Reader, count: number): number {
  // count ≤ 24; on return r.n ≤ 7 and r.acc < 2^r.n (small integers: V8 keeps the fields Smis)
  let acc = r.acc;
  let n = r.n;
  while (n < count) {
    if (r.pos >= r.buf.length) fail('truncated');
    acc = (acc << 8) | r.buf[r.pos++];
    n += 8;
  }
  n -= count;
  r.acc = acc & ((1 << n) - 1);
  r.n = n;
  return (acc >>> n) & ((1 << count) - 1);
}

function bit(r: Reader): number {
  if (r.n === 0) {
    if (r.pos >= r.buf.length) fail('truncated');
    r.acc = r.buf[r.pos++];
    r.n = 8;
  }
  r.n--;
  const b = (r.acc >>> r.n) & 1;
  r.acc &= (1 << r.n) - 1;
  return b;
}

let pairedWalk = true;

/**
 * Walks blocks two at a time (default) or one at a time (bench/bzip2-decode.ts measures the
 * difference; same output). Internal.
 */
export function setBzip2PairedWalk(on: boolean): void {
  pairedWalk = on;
}

/**
 * Decodes one or more concatenated bzip2 streams; an output over `maxBytes` throws OUT_OF_RANGE
 * (checked after each block, and allocations never pass `maxBytes` by more than one block's
 * expansion, ≤ {@link BLOCK_EXPANSION} bytes).
 */
export function bzip2Decode(stream: Uint8Array, maxBytes = Infinity): Uint8Array {
  const st: Output = { out: new Uint8Array(Math.min(Math.max(1024, stream.length * 4), maxBytes + 1024)), outLen: 0, max: maxBytes, combined: 0 };
  const r: Reader = { buf: stream, pos: 0, acc: 0, n: 0 };
  let first = true;
  while (first || r.pos < stream.length) {
    first = false;
    if (bits(r, 24) !== 0x425a68) fail('missing "BZh" signature');
    const level = bits(r, 8) - 0x30;
    if (level < 1 || level > 9) fail('block size digit must be 1..9');
    const maxBlock = level * 100000;
    // Inverse-BWT buffers of up to two blocks, grown on demand (up to maxBlock) so small
    // streams stay cheap to decode; npend blocks wait for their walk.
    const slots: Slot[] = [];
    let npend = 0;
    const jsOut = { ll: new Uint8Array(0) };
    const kern = mtfKernel(maxBlock, stream.length);
    const symHolder = { syms: kern !== null ? kern.syms : new Uint16Array(0) };
    st.combined = 0;
    for (;;) {
      const m1 = bits(r, 24);
      const m2 = bits(r, 24);
      if (m1 === 0x177245 && m2 === 0x385090) {
        if (npend === 1) {
          walkOne(slots[0]);
          finishBlock(st, slots[0]);
          npend = 0;
        }
        const storedCombined = (bits(r, 16) << 16) | bits(r, 16); // int32, as st.combined
        if (storedCombined !== st.combined) fail('stream CRC mismatch');
        r.n -= r.n % 8; // end of stream is padded to a byte boundary
        break;
      }
      if (m1 !== 0x314159 || m2 !== 0x265359) fail('bad block magic');
      const storedCrc = (bits(r, 16) << 16) | bits(r, 16); // int32 (no >>> 0: keeps V8's field types stable)
      if (bit(r)) throw new OckhamError('UNSUPPORTED', ARG, 'randomised bzip2 blocks (bzip2 < 0.9.5) are not supported');
      const origPtr = bits(r, 24);
      // Symbol map.
      const used16 = bits(r, 16);
      const seqToUnseq = new Uint8Array(256);
      let nInUse = 0;
      for (let i = 0; i < 16; i++) {
        if (!(used16 & (1 << (15 - i)))) continue;
        const m = bits(r, 16);
        for (let j = 0; j < 16; j++) if (m & (1 << (15 - j))) seqToUnseq[nInUse++] = i * 16 + j;
      }
      if (nInUse === 0) fail('empty symbol map');
      const alphaSize = nInUse + 2;
      const nGroups = bits(r, 3);
      if (nGroups < 2 || nGroups > 6) fail('number of Huffman tables must be 2..6');
      const nSelectors = bits(r, 15);
      if (nSelectors < 1) fail('no selectors');
      const selectors = new Uint8Array(nSelectors);
      const selPos = new Uint8Array([0, 1, 2, 3, 4, 5]);
      for (let i = 0; i < nSelectors; i++) {
        let j = 0;
        while (bit(r)) {
          j++;
          if (j >= nGroups) fail('selector out of range');
        }
        const v = selPos[j];
        for (let k = j; k > 0; k--) selPos[k] = selPos[k - 1];
        selPos[0] = v;
        selectors[i] = v;
      }
      // Code lengths; per table a 2^LUT_BITS-entry lookup on the next LUT_BITS bits
      // (entry = symbol << 5 | length, 0 for codes longer than LUT_BITS) and, for the long
      // codes, canonical limits: first code `limit[L]`, `count[L]` codes of length L, and
      // symbols sorted by (length, symbol) from `perm[offset[L]]`.
      const lens = new Uint8Array(alphaSize);
      const limit = new Int32Array(nGroups * 21);
      const count = new Int32Array(nGroups * 21);
      const offset = new Int32Array(nGroups * 21);
      const perm = new Uint16Array(nGroups * alphaSize);
      const lut = new Int32Array(nGroups << LUT_BITS);
      for (let t = 0; t < nGroups; t++) {
        let cur = bits(r, 5);
        for (let v = 0; v < alphaSize; v++) {
          for (;;) {
            if (cur < 1 || cur > 20) fail('code length out of range 1..20');
            if (!bit(r)) break;
            cur += bit(r) ? -1 : 1;
          }
          lens[v] = cur;
        }
        const b = t * 21;
        for (let v = 0; v < alphaSize; v++) count[b + lens[v]]++;
        let code = 0;
        let idx = 0;
        for (let L = 1; L <= 20; L++) {
          limit[b + L] = code;
          offset[b + L] = idx;
          for (let v = 0; v < alphaSize; v++) {
            if (lens[v] !== L) continue;
            perm[t * alphaSize + idx++] = v;
            if (L <= LUT_BITS && code < 1 << L) {
              // every LUT_BITS-bit word starting with this code
              const lo = code << (LUT_BITS - L);
              const e = (v << 5) | L;
              lut.fill(e, (t << LUT_BITS) + lo, (t << LUT_BITS) + lo + (1 << (LUT_BITS - L)));
            }
            code++;
          }
          code <<= 1;
        }
      }
      // Pass 1: Huffman-decode the block's symbols into symHolder.syms (ending with EOB).
      const EOB = nInUse + 1;
      huffmanPass(r, lut, limit, count, offset, perm, selectors, alphaSize, EOB, maxBlock, symHolder);
      // Pass 2: undo MTF and the RUNA/RUNB zero runs into ll[0..nblock) — in WebAssembly SIMD
      // where available (src/compress/bzip2-wasm.ts), else in JS; the two agree byte for byte.
      let nblock: number;
      let ll: Uint8Array;
      if (kern !== null) {
        kern.list.set(seqToUnseq);
        nblock = kern.run(EOB, maxBlock);
        if (nblock < 0) fail('block exceeds declared size');
        ll = kern.out;
      } else {
        nblock = mtfDecode(symHolder.syms, EOB, seqToUnseq, maxBlock, jsOut);
        ll = jsOut.ll;
      }
      if (origPtr >= nblock) fail('origin pointer outside block');
      // The block's inverse-BWT chains, built now (ll is reused by the next block); the walk
      // waits for a second block so that both blocks' chains are walked together.
      if (slots.length === npend) slots.push({ tt: new Int32Array(0), lf: new Int32Array(0), blk: new Uint8Array(0), nblock: 0, origPtr: 0, crc: 0 });
      const slot = slots[npend++];
      buildChains(slot, ll, nblock, maxBlock);
      slot.origPtr = origPtr;
      slot.crc = storedCrc;
      if (npend === 2) {
        if (pairedWalk) walkPair(slots[0], slots[1]);
        else {
          walkOne(slots[0]);
          walkOne(slots[1]);
        }
        finishBlock(st, slots[0]);
        finishBlock(st, slots[1]);
        npend = 0;
      }
    }
    // Only whole bytes remain; continue if another stream follows.
    r.n = 0;
  }
  return st.out.slice(0, st.outLen);
}

/** The decoded output so far and the running stream CRC. */
interface Output {
  out: Uint8Array;
  outLen: number;
  /** Largest output accepted (bytes). */
  max: number;
  /** Running stream CRC as an int32. */
  combined: number;
}

/**
 * One block's inverse BWT: tt[row] = (next row << 8) | the row's last byte walks the text
 * forward from origPtr (bzip2's layout); lf[row] = (LF(row) << 8) | last byte walks it backward
 * from the same row. blk receives the block's text (still RLE1-coded).
 */
interface Slot {
  tt: Int32Array;
  lf: Int32Array;
  blk: Uint8Array;
  nblock: number;
  origPtr: number;
  /** Stored block CRC as an int32. */
  crc: number;
}

function buildChains(s: Slot, ll: Uint8Array, nblock: number, maxBlock: number): void {
  const cum = new Int32Array(256);
  for (let i = 0; i < nblock; i++) cum[ll[i]]++;
  for (let c = 0, t = 0; c < 256; c++) {
    const k = cum[c];
    cum[c] = t;
    t += k;
  }
  if (s.tt.length < nblock) {
    const size = Math.min(maxBlock, Math.max(nblock, 2 * s.tt.length));
    s.tt = new Int32Array(size);
    s.lf = new Int32Array(size);
    s.blk = new Uint8Array(size);
  }
  const { tt, lf } = s;
  for (let i = 0; i < nblock; i++) {
    const c = ll[i];
    const j = cum[c]++;
    tt[j] = (i << 8) | ll[j];
    lf[i] = (j << 8) | c;
  }
  s.nblock = nblock;
}

/**
 * Walks one block's text into blk: the front half forward and the back half backward at once,
 * two independent chains of cache misses in flight instead of one.
 */
function walkOne(s: Slot): void {
  const { tt, lf, blk, nblock } = s;
  const half = nblock >> 1;
  let fPos = tt[s.origPtr] >>> 8;
  let bPos = s.origPtr;
  for (let k = 0, kb = nblock - 1; k < half; k++, kb--) {
    const x = tt[fPos];
    const y = lf[bPos];
    blk[k] = x;
    blk[kb] = y;
    fPos = x >>> 8;
    bPos = y >>> 8;
  }
  if (nblock & 1) blk[half] = tt[fPos];
}

/**
 * {@link walkOne} on two blocks at once: four chains in flight (the walk is bound by memory
 * latency; measured on float32 weights, see docs/bzip2-decode.md), then the rest of the longer
 * block two chains at a time.
 */
function walkPair(a: Slot, b: Slot): void {
  const ta = a.tt;
  const la = a.lf;
  const ba = a.blk;
  const tb = b.tt;
  const lb = b.lf;
  const bb = b.blk;
  const na = a.nblock;
  const nb = b.nblock;
  const ha = na >> 1;
  const hb = nb >> 1;
  const m = Math.min(ha, hb);
  let fa = ta[a.origPtr] >>> 8;
  let ra = a.origPtr;
  let fb = tb[b.origPtr] >>> 8;
  let rb = b.origPtr;
  let k = 0;
  for (; k < m; k++) {
    const x = ta[fa];
    const y = la[ra];
    const u = tb[fb];
    const v = lb[rb];
    ba[k] = x;
    ba[na - 1 - k] = y;
    bb[k] = u;
    bb[nb - 1 - k] = v;
    fa = x >>> 8;
    ra = y >>> 8;
    fb = u >>> 8;
    rb = v >>> 8;
  }
  for (let j = k; j < ha; j++) {
    const x = ta[fa];
    const y = la[ra];
    ba[j] = x;
    ba[na - 1 - j] = y;
    fa = x >>> 8;
    ra = y >>> 8;
  }
  if (na & 1) ba[ha] = ta[fa];
  for (let j = k; j < hb; j++) {
    const u = tb[fb];
    const v = lb[rb];
    bb[j] = u;
    bb[nb - 1 - j] = v;
    fb = u >>> 8;
    rb = v >>> 8;
  }
  if (nb & 1) bb[hb] = tb[fb];
}

/** Undoes RLE1 of a walked block into the output and checks its CRC (then the stream's). */
function finishBlock(st: Output, s: Slot): void {
  const { blk, nblock } = s;
  let out = st.out;
  if (st.outLen + nblock > out.length) out = grow(out, st.outLen + nblock, st.max);
  let o = st.outLen;
  let last = -1;
  let same = 0;
  const blockStart = st.outLen;
  for (let k = 0; k < nblock; k++) {
    const c = blk[k];
    if (same === 4) {
      // c is a repeat count for `last`.
      if (o + c + (nblock - k) > out.length) out = grow(out, o + c + (nblock - k), st.max);
      out.fill(last, o, o + c);
      o += c;
      same = 0;
      last = -1;
      continue;
    }
    if (c === last) same++;
    else {
      last = c;
      same = 1;
    }
    out[o++] = c;
  }
  st.out = out;
  st.outLen = o;
  if (o > st.max) throw outputTooLarge(st.max);
  const crc = ~crc32Update(-1, out, blockStart, o);
  if (crc !== s.crc) fail('block CRC mismatch');
  st.combined = ((st.combined << 1) | (st.combined >>> 31)) ^ crc;
}

function growTo(buf: Uint8Array, need: number, cap: number): Uint8Array {
  let size = Math.max(buf.length * 2, 1024);
  while (size < need) size *= 2;
  const nb = new Uint8Array(Math.min(size, cap));
  nb.set(buf);
  return nb;
}

/** Most output one block can add: 900 000 RLE1 bytes, each 5 → up to 4 + 251 bytes. */
export const BLOCK_EXPANSION = 46_000_000;

/** The output grown to hold `need` bytes, doubling, but never past max + one block's expansion. */
function grow(buf: Uint8Array, need: number, max: number): Uint8Array {
  let size = buf.length * 2;
  while (size < need) size *= 2;
  if (size > max) size = Math.max(need, Math.min(size, max + BLOCK_EXPANSION));
  const nb = new Uint8Array(size);
  nb.set(buf);
  return nb;
}

/**
 * Pass 1: Huffman-decodes one block's symbols (after its tables) into holder.syms (grown on
 * demand up to maxBlock + 2; the last symbol is eob), the bit reader in locals; returns their
 * number. Its own function so the hot loop is optimised apart from the header parsing.
 */
function huffmanPass(
  r: Reader,
  lut: Int32Array,
  limit: Int32Array,
  count: Int32Array,
  offset: Int32Array,
  perm: Uint16Array,
  selectors: Uint8Array,
  alphaSize: number,
  eob: number,
  maxBlock: number,
  holder: { syms: Uint16Array },
): number {
  // A valid block has at most nblock + 1 ≤ maxBlock + 1 symbols (a zero run of length r
  // takes ⌊log2(r + 1)⌋ ≤ r symbols), so more is an error.
  const stream = r.buf;
  const len = stream.length;
  const nSelectors = selectors.length;
  let syms = holder.syms;
  let acc = r.acc;
  let n = r.n;
  let pos = r.pos;
  let ns = 0;
  let symCap = syms.length;
  let groupLeft = 0;
  let sel = 0;
  let lutBase = 0;
  let b21 = 0;
  let pbase = 0;
  for (;;) {
    if (groupLeft === 0) {
      if (sel >= nSelectors) fail('ran out of selectors');
      if (pos > len + 4) fail('truncated');
      const t = selectors[sel++];
      lutBase = t << LUT_BITS;
      b21 = t * 21;
      pbase = t * alphaSize;
      groupLeft = 50;
    }
    groupLeft--;
    // Refill 16 bits at a time: n ≥ 16 ≥ LUT_BITS bits are then buffered (acc keeps the
    // low 32 bits; n ≤ 31). Past the end, zero bytes (checked after the block).
    if (n < 16) {
      if (pos + 1 < len) acc = (acc << 16) | (stream[pos] << 8) | stream[pos + 1];
      else acc = (acc << 16) | ((pos < len ? stream[pos] : 0) << 8) | (pos + 1 < len ? stream[pos + 1] : 0);
      pos += 2;
      n += 16;
    }
    const e = lut[lutBase + ((acc >>> (n - LUT_BITS)) & LUT_MASK)];
    let sym: number;
    if (e !== 0) {
      n -= e & 31;
      sym = e >>> 5;
    } else {
      // Long code: top up to n ≥ 24 ≥ 20 bits, then extend bit by bit from LUT_BITS + 1.
      while (n <= 23) {
        acc = (acc << 8) | (pos < len ? stream[pos] : 0);
        pos++;
        n += 8;
      }
      let L = LUT_BITS + 1;
      for (;;) {
        const code = (acc >>> (n - L)) & ((1 << L) - 1);
        const rel = code - limit[b21 + L];
        if (rel >= 0 && rel < count[b21 + L]) {
          sym = perm[pbase + offset[b21 + L] + rel];
          break;
        }
        if (++L > 20) fail('invalid Huffman code');
      }
      n -= L;
    }
    if (ns >= symCap) {
      if (ns > maxBlock) fail('block exceeds declared size');
      syms = growSyms(syms, maxBlock + 2);
      symCap = syms.length;
    }
    syms[ns++] = sym;
    if (sym >= eob) {
      if (sym > eob) fail('symbol outside the alphabet');
      break;
    }
  }
  if (pos > len && (pos - len) * 8 > n) fail('truncated');
  // Give back the whole unread bytes (all real: the check above), so r.n ≤ 7 as bits() keeps it.
  const back = n >> 3;
  n &= 7;
  r.acc = (acc >>> (8 * back)) & ((1 << n) - 1);
  r.n = n;
  r.pos = pos - back;
  holder.syms = syms;
  return ns;
}

function growSyms(buf: Uint16Array, cap: number): Uint16Array {
  const nb = new Uint16Array(Math.min(cap, Math.max(4096, buf.length * 2)));
  nb.set(buf);
  return nb;
}

/**
 * Pass 2 in JS (internal; exported for the tests): MTF + RUNA/RUNB decoding of syms (ending with eob) into `out.ll` (grown on
 * demand up to maxBlock, kept for the stream's next blocks); returns the block's length. The MTF list is bzip2's 16×16 two-level layout (see mtf.ts), holding the
 * bytes themselves (seqToUnseq applied up front).
 */
export function mtfDecode(syms: Uint16Array, eob: number, seqToUnseq: Uint8Array, maxBlock: number, out: { ll: Uint8Array }): number {
  const mtfa = new Uint8Array(MTFA_SIZE);
  const mtfbase = new Int32Array(16);
  for (let k = 15, kk = MTFA_SIZE - 1; k >= 0; k--) {
    for (let j = 15; j >= 0; j--) mtfa[kk--] = seqToUnseq[k * 16 + j];
    mtfbase[k] = kk + 1;
  }
  let ll = out.ll;
  let nblock = 0;
  let run = 0;
  let runWeight = 1;
  for (let si = 0; ; si++) {
    const sym = syms[si];
    if (sym <= 1) {
      // RUNA adds 1·weight, RUNB 2·weight; weights double (bijective base 2).
      run += (sym + 1) * runWeight;
      runWeight *= 2;
      if (run > maxBlock) fail('zero run exceeds block size');
      continue;
    }
    if (run > 0) {
      if (nblock + run > maxBlock) fail('block exceeds declared size');
      if (nblock + run > ll.length) ll = growTo(ll, nblock + run, maxBlock);
      ll.fill(mtfa[mtfbase[0]], nblock, nblock + run);
      nblock += run;
      run = 0;
      runWeight = 1;
    }
    if (sym === eob) break;
    if (nblock >= ll.length) {
      if (nblock >= maxBlock) fail('block exceeds declared size');
      ll = growTo(ll, nblock + 1, maxBlock);
    }
    let nn = sym - 1;
    let uc: number;
    if (nn < 16) {
      const pp = mtfbase[0];
      uc = mtfa[pp + nn];
      while (nn > 0) {
        mtfa[pp + nn] = mtfa[pp + nn - 1];
        nn--;
      }
      mtfa[pp] = uc;
    } else {
      let lno = nn >> 4;
      const b = mtfbase[lno];
      let pp = b + (nn & 15);
      uc = mtfa[pp];
      while (pp > b) {
        mtfa[pp] = mtfa[pp - 1];
        pp--;
      }
      // Slot b is free: it takes the last symbol of chunk lno−1, whose chunk then starts
      // one slot earlier, and so on down to chunk 0, whose new first slot takes uc.
      let slot = b;
      while (lno > 0) {
        const pb = mtfbase[lno - 1];
        mtfa[slot] = mtfa[pb + 15];
        slot = pb - 1;
        mtfbase[lno - 1] = slot;
        lno--;
      }
      mtfa[slot] = uc;
      if (mtfbase[0] === 0) {
        let kk = MTFA_SIZE - 1;
        for (let k = 15; k >= 0; k--) {
          for (let j = 15; j >= 0; j--) mtfa[kk--] = mtfa[mtfbase[k] + j];
          mtfbase[k] = kk + 1;
        }
      }
    }
    ll[nblock++] = uc;
  }
  out.ll = ll;
  return nblock;
}
