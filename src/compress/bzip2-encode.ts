/**
 * bzip2 encoder (file format of bzip2 1.0.x; see Seward's bzip2 and Joe Tsai's "bzip2
 * format specification"). Kernel: trusts its inputs (validated in compress.ts).
 *
 * Pipeline per block: RLE1 (runs of 4..255 → 4 bytes + count) → BWT (bwt-sort.ts, SA-IS
 * fallback; sais.ts) → move-to-front with RUNA/RUNB bijective base-2 zero runs (mtf.ts) →
 * 2..6 Huffman tables picked by iterative refinement over 50-symbol groups → bit stream with
 * the block CRC. The stream ends with the end-of-stream magic and the combined CRC. MTF, the
 * table assignment and the symbol bit writer run in a WebAssembly kernel where available
 * (bzip2-encode-wasm.ts; same bytes as the JS path).
 */
import { crc32Update } from './crc32.js';
import { huffmanLengths, canonicalCodes } from './huffman.js';
import { bwtEncode, bwtWork, type BwtWork } from './sais.js';
import { mtfRle2, mtfWork, type MtfWork } from './mtf.js';
import { UNUSED_COST, bzip2EncodeKernel, wasmBzip2EncodeEnabled, type Bzip2EncodeKernel } from './bzip2-encode-wasm.js';

/** Largest code length our encoder emits (bzip2 1.0.8 emits ≤ 17; decoders accept ≤ 20). */
export const BZ_MAX_CODE_LEN = 17;
const GROUP_SIZE = 50;
const N_ITERS = 4;

interface Writer {
  buf: Uint8Array;
  pos: number;
  acc: number;
  n: number;
}

function ensure(w: Writer, extra: number): void {
  if (w.pos + extra <= w.buf.length) return;
  let size = w.buf.length * 2;
  while (size < w.pos + extra) size *= 2;
  const nb = new Uint8Array(size);
  nb.set(w.buf.subarray(0, w.pos));
  w.buf = nb;
}

/** Appends the low `count` (≤ 24) bits of `value`, MSB first. */
function put(w: Writer, count: number, value: number): void {
  let acc = (w.acc << count) | value;
  let n = w.n + count;
  while (n >= 8) {
    n -= 8;
    w.buf[w.pos++] = acc >>> n;
  }
  w.acc = acc & ((1 << n) - 1);
  w.n = n;
}

function put32(w: Writer, value: number): void {
  put(w, 16, (value >>> 16) & 0xffff);
  put(w, 16, value & 0xffff);
}

/** Number of Huffman tables bzip2 uses for a block of `nMTF` symbols. */
function groupsFor(nMTF: number): number {
  if (nMTF < 200) return 2;
  if (nMTF < 600) return 3;
  if (nMTF < 1200) return 4;
  if (nMTF < 2400) return 5;
  return 6;
}

/** Scratch state for one stream, allocated once and reused for every block. */
interface EncoderState {
  block: Uint8Array; // RLE1 output of the current block
  bw: Uint8Array; // its BWT
  mtfv: Uint16Array; // MTF/RUNA/RUNB symbols
  nMTF: number;
  freq: Int32Array; // symbol frequencies of mtfv
  inUse: Uint8Array;
  nInUse: number;
  work: BwtWork;
  mtf: MtfWork;
  lens: Uint8Array; // 6 tables × 258 code lengths
  codes: Int32Array;
  rfreq: Int32Array;
  selectors: Uint8Array;
  nSelectors: number;
  nGroups: number;
  scratch: Int32Array;
  cost: Int32Array;
  pack: Int32Array; // 258 × 2 packed code-length triples
  kernel: Bzip2EncodeKernel | null; // wasm MTF and table selection; bw, mtfv, freq, rfreq, selectors are its views
}

/**
 * RLE1: runs of 4..255 equal bytes become 4 bytes + a count byte (0..251). Fills
 * `st.block` from `input[ip..)` until the block reaches `blockMax` bytes and returns the new
 * input position. Runs never straddle blocks, so each block decodes on its own.
 */
function rle1(input: Uint8Array, ip: number, block: Uint8Array, blockMax: number): [number, number] {
  const len = input.length;
  let nb = 0;
  while (ip < len && nb < blockMax) {
    const c = input[ip];
    let run = 1;
    while (run < 255 && ip + run < len && input[ip + run] === c) run++;
    if (run >= 4) {
      block[nb] = c;
      block[nb + 1] = c;
      block[nb + 2] = c;
      block[nb + 3] = c;
      block[nb + 4] = run - 4;
      nb += 5;
    } else {
      block[nb++] = c;
      if (run > 1) block[nb++] = c;
      if (run > 2) block[nb++] = c;
    }
    ip += run;
  }
  return [ip, nb];
}

/** Symbol map, move-to-front and zero-run coding of the BWT output `st.bw[0..nb)`. */
function mtfEncode(st: EncoderState, nb: number): void {
  const { block, bw, inUse } = st;
  inUse.fill(0);
  for (let i = 0; i < nb; i++) inUse[block[i]] = 1;
  const unseqToSeq = new Uint8Array(256);
  let nInUse = 0;
  for (let b = 0; b < 256; b++) if (inUse[b]) unseqToSeq[b] = nInUse++;
  st.nInUse = nInUse;
  if (st.kernel !== null) {
    st.kernel.map.set(unseqToSeq);
    st.nMTF = st.kernel.mtf(nb, nInUse); // reads bw (the kernel's view), writes mtfv and freq
  } else st.nMTF = mtfRle2(bw, unseqToSeq, nb, nInUse, st.mtfv, st.freq, st.mtf);
}

/**
 * Chooses nGroups Huffman tables and a table per 50-symbol group by iterative refinement
 * (bzip2's scheme): start from tables favouring contiguous alphabet ranges of equal total
 * frequency, then N_ITERS times assign each group to its cheapest table and refit every
 * table's lengths to the symbols it was given.
 */
function chooseTables(st: EncoderState): void {
  const { mtfv, nMTF, freq, lens, rfreq, selectors, scratch, cost } = st;
  const pack = st.pack;
  const alphaSize = st.nInUse + 2;
  const nGroups = groupsFor(nMTF);
  st.nGroups = nGroups;
  let remF = nMTF;
  let gs0 = 0;
  for (let part = nGroups; part > 0; part--) {
    const target = Math.floor(remF / part);
    let ge = gs0 - 1;
    let acc = 0;
    while (acc < target && ge < alphaSize - 1) {
      ge++;
      acc += freq[ge];
    }
    // bzip2 1.0.x's tweak: every other range gives back its last symbol.
    if (ge > gs0 && part !== nGroups && part !== 1 && (nGroups - part) % 2 === 1) {
      acc -= freq[ge];
      ge--;
    }
    const off = (part - 1) * 258;
    for (let v = 0; v < alphaSize; v++) lens[off + v] = v >= gs0 && v <= ge ? 0 : 15;
    remF -= acc;
    gs0 = ge + 1;
  }
  let nSelectors = 0;
  const kernel = st.kernel;
  for (let iter = 0; iter < N_ITERS; iter++) {
    if (kernel !== null) {
      const costv = kernel.costv;
      for (let v = 0; v < alphaSize; v++) {
        for (let t = 0; t < 6; t++) costv[v * 8 + t] = t < nGroups ? lens[t * 258 + v] : UNUSED_COST;
      }
      rfreq.fill(0);
      nSelectors = kernel.assign(nMTF);
      for (let t = 0; t < nGroups; t++) {
        huffmanLengths(rfreq.subarray(t * 258, t * 258 + alphaSize), alphaSize, BZ_MAX_CODE_LEN, lens, t * 258, scratch);
      }
      continue;
    }
    rfreq.fill(0);
    nSelectors = 0;
    if (nGroups === 6) {
      for (let v = 0; v < alphaSize; v++) {
        pack[v * 2] = lens[v] | (lens[258 + v] << 10) | (lens[516 + v] << 20);
        pack[v * 2 + 1] = lens[774 + v] | (lens[1032 + v] << 10) | (lens[1290 + v] << 20);
      }
    }
    for (let gs = 0; gs < nMTF; gs += GROUP_SIZE) {
      const ge = gs + GROUP_SIZE < nMTF ? gs + GROUP_SIZE : nMTF;
      if (nGroups === 6) {
        // The common case: packed costs (bzip2 packs two 16-bit lengths per word; a group
        // costs at most 50·17 = 850 < 2^10 bits per table, so three 10-bit lanes fit), two
        // loads per symbol for six tables.
        let c012 = 0, c345 = 0;
        for (let i = gs; i < ge; i++) {
          const o = mtfv[i] << 1;
          c012 += pack[o];
          c345 += pack[o + 1];
        }
        cost[0] = c012 & 0x3ff; cost[1] = (c012 >>> 10) & 0x3ff; cost[2] = c012 >>> 20;
        cost[3] = c345 & 0x3ff; cost[4] = (c345 >>> 10) & 0x3ff; cost[5] = c345 >>> 20;
      } else {
        for (let t = 0; t < nGroups; t++) {
          let c = 0;
          const off = t * 258;
          for (let i = gs; i < ge; i++) c += lens[off + mtfv[i]];
          cost[t] = c;
        }
      }
      let bt = 0;
      let best = cost[0];
      for (let t = 1; t < nGroups; t++) {
        if (cost[t] < best) {
          best = cost[t];
          bt = t;
        }
      }
      selectors[nSelectors++] = bt;
      const off = bt * 258;
      for (let i = gs; i < ge; i++) rfreq[off + mtfv[i]]++;
    }
    for (let t = 0; t < nGroups; t++) {
      huffmanLengths(rfreq.subarray(t * 258, t * 258 + alphaSize), alphaSize, BZ_MAX_CODE_LEN, lens, t * 258, scratch);
    }
  }
  st.nSelectors = nSelectors;
  for (let t = 0; t < nGroups; t++) canonicalCodes(lens, t * 258, alphaSize, st.codes);
}

/**
 * Writes one block: header, symbol map, tables, selectors and (when `withData`) the
 * Huffman-coded symbols.
 */
function emitBlock(w: Writer, st: EncoderState, blockCrc: number, origPtr: number, withData = true): void {
  const { inUse, nGroups, nSelectors, selectors, lens, codes, mtfv, nMTF } = st;
  const alphaSize = st.nInUse + 2;
  // Upper bound: header + map + selectors + tables + 17 bits per symbol.
  ensure(w, 64 + 34 + nSelectors + 6 * 258 * 5 + (withData ? Math.ceil((nMTF * BZ_MAX_CODE_LEN) / 8) : 0) + 16);
  put(w, 24, 0x314159); // block magic: BCD of pi
  put(w, 24, 0x265359);
  put32(w, blockCrc);
  put(w, 1, 0); // not randomised
  put(w, 24, origPtr);
  let used16 = 0;
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      if (inUse[i * 16 + j]) {
        used16 |= 1 << (15 - i);
        break;
      }
    }
  }
  put(w, 16, used16);
  for (let i = 0; i < 16; i++) {
    if (!(used16 & (1 << (15 - i)))) continue;
    let bits = 0;
    for (let j = 0; j < 16; j++) if (inUse[i * 16 + j]) bits |= 1 << (15 - j);
    put(w, 16, bits);
  }
  put(w, 3, nGroups);
  put(w, 15, nSelectors);
  // Selectors, MTF-coded, in unary (j ones then a zero).
  const pos = new Uint8Array([0, 1, 2, 3, 4, 5]);
  for (let i = 0; i < nSelectors; i++) {
    const v = selectors[i];
    let j = 0;
    while (pos[j] !== v) j++;
    for (let k = j; k > 0; k--) pos[k] = pos[k - 1];
    pos[0] = v;
    if (j > 0) put(w, j + 1, ((1 << j) - 1) << 1);
    else put(w, 1, 0);
  }
  // Code lengths: 5-bit start, then per symbol "10" (+1) / "11" (−1) steps and a "0".
  for (let t = 0; t < nGroups; t++) {
    const off = t * 258;
    let cur = lens[off];
    put(w, 5, cur);
    for (let v = 0; v < alphaSize; v++) {
      const L = lens[off + v];
      while (cur < L) {
        put(w, 2, 2);
        cur++;
      }
      while (cur > L) {
        put(w, 2, 3);
        cur--;
      }
      put(w, 1, 0);
    }
  }
  if (!withData) return;
  const kernel = st.kernel;
  if (kernel !== null) {
    const kc = kernel.codes;
    for (let t = 0; t < nGroups; t++) {
      const off = t * 258;
      for (let v = 0; v < alphaSize; v++) kc[off + v] = (lens[off + v] << 24) | codes[off + v];
    }
    const bytes = kernel.emit(nMTF, w.acc, w.n);
    w.buf.set(kernel.out.subarray(0, bytes), w.pos);
    w.pos += bytes;
    w.acc = kernel.res[0];
    w.n = kernel.res[1];
    return;
  }
  // Symbol data: the hot loop, with the writer state in locals.
  const buf = w.buf;
  let p = w.pos;
  let acc = w.acc;
  let n = w.n;
  let sel = 0;
  for (let gs = 0; gs < nMTF; gs += GROUP_SIZE) {
    const ge = gs + GROUP_SIZE < nMTF ? gs + GROUP_SIZE : nMTF;
    const off = selectors[sel++] * 258;
    for (let i = gs; i < ge; i++) {
      const s = off + mtfv[i];
      const L = lens[s];
      acc = (acc << L) | codes[s];
      n += L;
      while (n >= 8) {
        n -= 8;
        buf[p++] = acc >>> n;
      }
      acc &= (1 << n) - 1;
    }
  }
  w.pos = p;
  w.acc = acc;
  w.n = n;
}

/** Below this block capacity the JS table selection is used (a kernel's memory costs more). */
const KERNEL_MIN_CAP = 16384;
let cachedKernel: Bzip2EncodeKernel | null = null;

/**
 * The shared wasm kernel for blocks of up to `cap` bytes (encoding a block is synchronous, so
 * one kernel serves every encoder state of the thread in turn).
 */
function kernelFor(cap: number): Bzip2EncodeKernel | null {
  if (cap < KERNEL_MIN_CAP || !wasmBzip2EncodeEnabled()) return null;
  if (cachedKernel !== null && cachedKernel.cap >= cap) return cachedKernel;
  const k = bzip2EncodeKernel(cap);
  if (k !== null) cachedKernel = k;
  return k;
}

/** Scratch for blocks of up to `blockCap` RLE1 bytes. */
function encoderState(blockCap: number): EncoderState {
  const kernel = kernelFor(blockCap);
  return {
    block: new Uint8Array(blockCap),
    bw: kernel !== null ? kernel.bw : new Uint8Array(blockCap),
    mtfv: kernel !== null ? kernel.mtfv : new Uint16Array(blockCap + 1),
    nMTF: 0,
    freq: kernel !== null ? kernel.freq : new Int32Array(258),
    inUse: new Uint8Array(256),
    nInUse: 0,
    work: bwtWork(),
    mtf: mtfWork(),
    lens: new Uint8Array(6 * 258),
    codes: new Int32Array(6 * 258),
    rfreq: kernel !== null ? kernel.rfreq : new Int32Array(6 * 258),
    selectors: kernel !== null ? kernel.selectors : new Uint8Array(Math.ceil((blockCap + 1) / GROUP_SIZE) + 1),
    nSelectors: 0,
    nGroups: 0,
    scratch: new Int32Array(4 * 258),
    cost: new Int32Array(6),
    pack: new Int32Array(258 * 2),
    kernel,
  };
}

/** RLE1 output cap per block (bzip2's nblockMAX = 100000·level − 19). */
const blockMaxFor = (level: number): number => level * 100000 - 19;

/**
 * Compresses the block `input[start..end)` (which must be exactly what `rle1` puts in one
 * block) into `w`. Returns the block CRC.
 */
function encodeBlock(input: Uint8Array, start: number, end: number, level: number, st: EncoderState, w: Writer): number {
  return encodeRle1Block(input, start, end, blockRle1(input, start, end, level, st), st, w);
}

/** RLE1 of the block input[start..end) (cut by {@link bzip2BlockEnds}) into `st.block`; returns its length. */
function blockRle1(input: Uint8Array, start: number, end: number, level: number, st: EncoderState): number {
  const [next, nb] = rle1(input, start, st.block, blockMaxFor(level));
  if (next !== end) throw new Error(`bzip2 block boundary mismatch (${next} ≠ ${end})`);
  return nb;
}

/** BWT, MTF and the Huffman tables of the RLE1 block `st.block[0..nb)`; returns origPtr. */
function modelBlock(st: EncoderState, nb: number): number {
  const origPtr = bwtEncode(st.block, nb, st.bw, st.work);
  mtfEncode(st, nb);
  chooseTables(st);
  return origPtr;
}

/** Compresses a block whose RLE1 output `st.block[0..nb)` is ready (input[start..end)). */
function encodeRle1Block(input: Uint8Array, start: number, end: number, nb: number, st: EncoderState, w: Writer): number {
  const blockCrc = ~crc32Update(-1, input, start, end) >>> 0;
  emitBlock(w, st, blockCrc, modelBlock(st, nb));
  return blockCrc;
}

/**
 * End offsets in `input` of the blocks bzip2 at `level` cuts it into (RLE1 decides where a
 * block ends, so this runs RLE1's run scan without writing anything).
 */
export function bzip2BlockEnds(input: Uint8Array, level: number): number[] {
  const blockMax = blockMaxFor(level);
  const len = input.length;
  const ends: number[] = [];
  let ip = 0;
  while (ip < len) {
    let nb = 0;
    while (ip < len && nb < blockMax) {
      const c = input[ip];
      let run = 1;
      while (run < 255 && ip + run < len && input[ip + run] === c) run++;
      nb += run >= 4 ? 5 : run;
      ip += run;
    }
    ends.push(ip);
  }
  return ends;
}

/** One block's bits, as produced by {@link bzip2EncodeBlock}. */
export interface BlockBits {
  bytes: Uint8Array; // the bits, MSB first, zero-padded to a whole byte
  bitLen: number;
  crc: number;
}

let cachedState: EncoderState | null = null;
let cachedStateWasm = true;

/** The thread's cached encoder state for blocks of `level`. */
function stateFor(level: number): EncoderState {
  const cap = blockMaxFor(level) + 5;
  if (!cachedState || cachedState.block.length < cap || cachedStateWasm !== wasmBzip2EncodeEnabled()) {
    cachedState = encoderState(cap);
    cachedStateWasm = wasmBzip2EncodeEnabled();
  }
  return cachedState;
}

/** Compresses one block (`input[start..end)`, cut by {@link bzip2BlockEnds}) on its own. */
export function bzip2EncodeBlock(input: Uint8Array, start: number, end: number, level: number): BlockBits {
  const st = stateFor(level);
  const w: Writer = { buf: new Uint8Array(Math.ceil((end - start) * 1.05) + 4096), pos: 0, acc: 0, n: 0 };
  const crc = encodeBlock(input, start, end, level, st, w);
  const bitLen = w.pos * 8 + w.n;
  if (w.n > 0) put(w, 8 - w.n, 0);
  return { bytes: w.buf.subarray(0, w.pos), bitLen, crc };
}

let headerWriter: Writer | null = null;

/**
 * Bits of the block `input[start..end)` (cut by {@link bzip2BlockEnds}) as
 * {@link bzip2EncodeBlock} would write it (its `bitLen`), without writing the Huffman-coded
 * symbols or computing the CRC: the block's header, map, selectors and tables are written to a
 * scratch buffer, and the symbols cost Σ over tables t and symbols v of count·length — the
 * counts of the last table assignment, to which the emitted lengths were fitted. For callers
 * that only need sizes (the report's compression stages).
 */
export function bzip2BlockBitLength(input: Uint8Array, start: number, end: number, level: number): number {
  const st = stateFor(level);
  const origPtr = modelBlock(st, blockRle1(input, start, end, level, st));
  headerWriter ??= { buf: new Uint8Array(65536), pos: 0, acc: 0, n: 0 };
  const w = headerWriter;
  w.pos = 0;
  w.acc = 0;
  w.n = 0;
  emitBlock(w, st, 0, origPtr, false);
  let dataBits = 0;
  const { rfreq, lens, nGroups } = st;
  const alphaSize = st.nInUse + 2;
  for (let t = 0; t < nGroups; t++) {
    const off = t * 258;
    for (let v = 0; v < alphaSize; v++) dataBits += rfreq[off + v] * lens[off + v];
  }
  return w.pos * 8 + w.n + dataBits;
}

/** Appends `bitLen` bits from `bytes` (MSB first) to `w`. */
function putBits(w: Writer, bytes: Uint8Array, bitLen: number): void {
  ensure(w, (bitLen >> 3) + 8);
  const whole = bitLen >> 3;
  const n = w.n;
  const buf = w.buf;
  let p = w.pos;
  if (n === 0) {
    buf.set(bytes.subarray(0, whole), p);
    p += whole;
  } else {
    let acc = w.acc; // n < 8 pending bits
    for (let i = 0; i < whole; i++) {
      const b = bytes[i];
      buf[p++] = (acc << (8 - n)) | (b >>> n);
      acc = b & ((1 << n) - 1);
    }
    w.acc = acc;
  }
  w.pos = p;
  const rest = bitLen & 7;
  if (rest > 0) put(w, rest, bytes[whole] >>> (8 - rest));
}

/** Assembles a stream from blocks compressed separately (in order). */
export function bzip2Assemble(parts: readonly BlockBits[], level: number): Uint8Array {
  let total = 0;
  for (const b of parts) total += b.bytes.length;
  const w: Writer = { buf: new Uint8Array(total + 64), pos: 0, acc: 0, n: 0 };
  put(w, 24, 0x425a68); // "BZh"
  put(w, 8, 0x30 + level);
  let combined = 0;
  for (const b of parts) {
    combined = (((combined << 1) | (combined >>> 31)) ^ b.crc) >>> 0;
    putBits(w, b.bytes, b.bitLen);
  }
  return finish(w, combined);
}

function finish(w: Writer, combined: number): Uint8Array {
  ensure(w, 16);
  put(w, 24, 0x177245); // end-of-stream magic: BCD of sqrt(pi)
  put(w, 24, 0x385090);
  put32(w, combined);
  if (w.n > 0) put(w, 8 - w.n, 0);
  return w.buf.slice(0, w.pos);
}

/** Encodes `input` as a complete bzip2 stream with block size `level`·100 000 (level 1..9). */
export function bzip2Encode(input: Uint8Array, level: number): Uint8Array {
  const len = input.length;
  // RLE1 output per block is capped like bzip2 (nblockMAX = 100000·level − 19); a run token
  // adds at most 5 bytes past the cap, which stays below the decoder's 100000·level limit.
  const blockMax = blockMaxFor(level);
  const st = encoderState(Math.min(blockMax + 5, Math.ceil(len * 1.25) + 5));
  const w: Writer = { buf: new Uint8Array(Math.max(64, Math.ceil(len * 1.05) + 1024)), pos: 0, acc: 0, n: 0 };
  put(w, 24, 0x425a68); // "BZh"
  put(w, 8, 0x30 + level);
  let combined = 0;
  let start = 0;
  while (start < len) {
    const [end, nb] = rle1(input, start, st.block, blockMax);
    const blockCrc = encodeRle1Block(input, start, end, nb, st, w);
    combined = (((combined << 1) | (combined >>> 31)) ^ blockCrc) >>> 0;
    start = end;
  }
  return finish(w, combined);
}
