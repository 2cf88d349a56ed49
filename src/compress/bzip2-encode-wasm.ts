/**
 * Hand-assembled WebAssembly kernel for the bzip2 encoder (no toolchain; encoders in
 * src/util/wasm-asm.ts): move-to-front, table assignment and the Huffman bit writer. Internal,
 * not public API; the JS paths (mtf.ts, bzip2-encode.ts) remain the fallback and tests check
 * that both give byte-identical streams.
 *
 * - `mtf`: MTF + RUNA/RUNB by bitmap ranks (see mtf.ts) with `i64.popcnt`.
 * - `assign`: bzip2 picks, four times per block, the cheapest of its 2–6 Huffman tables for
 *   every group of 50 symbols and refits each table to the symbols it was given. Here a
 *   symbol's costs under all six tables sit in one 16-byte vector (`COSTV`, u16 lanes, unused
 *   tables at {@link UNUSED_COST}), so a group's six costs are 50 vector loads and adds, the
 *   cheapest table is found without branches, and the counts are incremented in the same call.
 * - `emit`: the coded symbols through a 64-bit accumulator flushed four bytes at a time.
 *
 * Each kernel owns one memory (no growth: a memory that grows detaches its buffer, which
 * slows typed-array access process-wide in V8) holding the cost vectors, counts, selectors,
 * the block's BWT, its MTF symbols, the rank bitmap and the coded output; the encoder reads
 * and writes them through views.
 */
import {
  add,
  and,
  block,
  br,
  brIf,
  end,
  eq,
  funcBody,
  get,
  geU,
  gtU,
  I32,
  i32c,
  i32load,
  i32load16u,
  i32load8u,
  i32store,
  i32store16,
  i32store8,
  i32wrapI64,
  I64,
  i64add,
  i64and,
  i64c,
  i64extendU32,
  i64load,
  i64or,
  i64popcnt,
  i64shl,
  i64shrU,
  i64store,
  i64sub,
  i64xor,
  ifVoid,
  lazyModule,
  loop,
  ltU,
  memoryFill,
  mul,
  section,
  select,
  set,
  shl,
  shrU,
  simd,
  str,
  sub,
  tee,
  V128,
  v128load,
} from '../util/wasm-asm.js';

/** Byte offsets of the fixed part of the kernel's memory. */
export const COSTV = 0; // 258 × 16 bytes: u16 costs of a symbol under tables 0..5 (lanes 6, 7 unused)
export const RFREQ = 4352; // 6 × 258 i32: symbol counts per table
export const MAP = 10752; // 256 u8: byte → its index among the block's bytes
export const FREQ = 11264; // 258 i32: MTF symbol counts
export const LAST = 12544; // 256 i32: time of each symbol's last occurrence
export const CODES = 13568; // 6 × 258 i32: (length << 24) | code of each table's symbols
export const RES = 19968; // 2 i32: the bit writer's pending bits and their count after emit
const SEL = 20480; // then: selectors (u8 per group), BWT bytes, MTF symbols (u16), rank bitmap (i64), output
/** Cost lane of a table the block does not use (> 50 · 17, and 50 · 1000 < 2^16). */
export const UNUSED_COST = 1000;
const GROUP = 50;

/** Where the per-block arrays of a kernel for `cap` symbols start, and the memory's size. */
function layout(cap: number): { sel: number; bw: number; mtfv: number; bits: number; out: number; bytes: number } {
  const a64 = (x: number): number => (x + 63) & ~63;
  const sel = SEL;
  const bw = a64(sel + Math.ceil((cap + 1) / GROUP) + 1);
  const mtfv = a64(bw + cap);
  const bits = a64(mtfv + 2 * (cap + 8));
  const out = a64(bits + 8 * (((cap + 256) >>> 6) + 24));
  const bytes = out + Math.ceil(((cap + 8) * 17) / 8) + 64;
  return { sel, bw, mtfv, bits, out, bytes };
}

const i16x8add = simd(142);
const laneU16 = (k: number): number[] => [...simd(25), k];
const v128zero = [...simd(12), ...new Array<number>(16).fill(0)];

/**
 * assign(nMTF, mtfv, sel) → nSelectors: for each group of 50 symbols at byte mtfv (u16), the
 * cheapest table under COSTV (the first on ties), stored at byte sel + group, and the group's
 * symbols counted into that table's RFREQ row.
 */
function assignBody(): number[] {
  const [NM, MV, SL] = [0, 1, 2];
  const [GS, GE, P, E, BT, BEST, C, NS, OFF, L] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const ACC = 13;
  const c: number[] = [];
  c.push(...block, ...loop);
  c.push(...get(GS), ...get(NM), ...geU, ...brIf(1));
  // ge = min(gs + 50, nMTF)
  c.push(...get(NM), ...get(GS), ...i32c(GROUP), ...add, ...tee(GE), ...get(GE), ...get(NM), ...gtU, ...select, ...set(GE));
  c.push(...v128zero, ...set(ACC));
  c.push(...get(GS), ...i32c(1), ...shl, ...get(MV), ...add, ...tee(P), ...set(OFF)); // OFF keeps the group start
  c.push(...get(GE), ...i32c(1), ...shl, ...get(MV), ...add, ...set(E));
  c.push(...loop);
  c.push(...get(ACC), ...get(P), ...i32load16u(), ...i32c(4), ...shl, ...v128load, ...i16x8add, ...set(ACC));
  c.push(...get(P), ...i32c(2), ...add, ...tee(P), ...get(E), ...ltU, ...brIf(0), ...end);
  // cheapest table, first on ties
  c.push(...get(ACC), ...laneU16(0), ...set(BEST), ...i32c(0), ...set(BT));
  for (let t = 1; t < 6; t++) {
    c.push(...get(ACC), ...laneU16(t), ...tee(C), ...get(BEST), ...ltU, ...set(L));
    c.push(...get(C), ...get(BEST), ...get(L), ...select, ...set(BEST));
    c.push(...i32c(t), ...get(BT), ...get(L), ...select, ...set(BT));
  }
  c.push(...get(SL), ...get(NS), ...add, ...get(BT), ...i32store8());
  c.push(...get(NS), ...i32c(1), ...add, ...set(NS));
  // counts: RFREQ + (bt·258 + symbol)·4
  c.push(...get(OFF), ...set(P));
  c.push(...get(BT), ...i32c(258 * 4), ...mul, ...i32c(RFREQ), ...add, ...set(OFF));
  c.push(...loop);
  c.push(...get(OFF), ...get(P), ...i32load16u(), ...i32c(2), ...shl, ...add, ...tee(C));
  c.push(...get(C), ...i32load(0), ...i32c(1), ...add, ...i32store);
  c.push(...get(P), ...i32c(2), ...add, ...tee(P), ...get(E), ...ltU, ...brIf(0), ...end);
  c.push(...get(GE), ...set(GS), ...br(0), ...end, ...end);
  c.push(...get(NS));
  return funcBody(
    [
      [10, I32],
      [1, V128],
    ],
    c,
  );
}

/** Writes the pending run of z ≥ 1 zeros as RUNA/RUNB (bijective base 2) at K, counting them. */
function flushRun(Z: number, K: number, B: number, ADDR: number): number[] {
  return [
    ...loop,
    // b = 1 − (z & 1): RUNA (0) for an odd remainder, RUNB (1) for an even one
    ...i32c(1), ...get(Z), ...i32c(1), ...and, ...sub, ...set(B),
    ...get(K), ...get(B), ...i32store16(), ...get(K), ...i32c(2), ...add, ...set(K),
    ...get(B), ...i32c(2), ...shl, ...i32c(FREQ), ...add, ...tee(ADDR), ...get(ADDR), ...i32load(0), ...i32c(1), ...add, ...i32store,
    // z = (z − 1 − b) / 2
    ...get(Z), ...i32c(1), ...sub, ...get(B), ...sub, ...i32c(1), ...shrU, ...tee(Z),
    ...brIf(0),
    ...end,
  ];
}

/**
 * mtf(n, nInUse, bw, out, bits) → symbols: mtfRle2 of the n bytes at bw through MAP (see
 * mtf.ts for the bitmap-rank method), u16 symbols at out, counts at FREQ, the rank bitmap
 * (i64 words) at bits. Words after t's hold no marks, so the four words after a's are summed
 * without a branch; a loop takes any further ones (a gap over 320 steps).
 */
function mtfBody(): number[] {
  const [N, NIN, BW, OUT, BITS] = [0, 1, 2, 3, 4];
  const [I, C, FRONT, Z, K, T, A, WA, WT, J, S, B, ADDR] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  const R = 18; // i64
  const wordAt = (x: number): number[] => [...get(x), ...i32c(3), ...shl, ...get(BITS), ...add];
  const bitOf = (x: number): number[] => [...i64c(1), ...get(x), ...i64extendU32, ...i64shl];
  const c: number[] = [];
  // clear the bitmap (with the slack words the sums read) and the counts
  c.push(...get(BITS), ...i32c(0), ...get(N), ...get(NIN), ...add, ...i32c(6), ...shrU, ...i32c(24), ...add, ...i32c(3), ...shl, ...memoryFill);
  c.push(...i32c(FREQ), ...i32c(0), ...i32c(258 * 4), ...memoryFill);
  // the initial list: symbol s last seen at virtual time nInUse − 1 − s
  c.push(...block, ...loop, ...get(S), ...get(NIN), ...geU, ...brIf(1));
  c.push(...get(S), ...i32c(2), ...shl, ...i32c(LAST), ...add, ...get(NIN), ...i32c(1), ...sub, ...get(S), ...sub, ...tee(T), ...i32store);
  c.push(...get(T), ...i32c(6), ...shrU, ...set(WT), ...wordAt(WT), ...tee(ADDR), ...get(ADDR), ...i64load(0), ...bitOf(T), ...i64or, ...i64store());
  c.push(...get(S), ...i32c(1), ...add, ...set(S), ...br(0), ...end, ...end);
  c.push(...get(OUT), ...set(K));
  c.push(...block, ...loop);
  c.push(...get(I), ...get(N), ...geU, ...brIf(1));
  c.push(...get(BW), ...get(I), ...add, ...i32load8u(), ...i32c(MAP), ...add, ...i32load8u(), ...set(C));
  c.push(...get(I), ...i32c(1), ...add, ...set(I));
  // a repeat of the front symbol: one more zero in the pending run
  c.push(...get(C), ...get(FRONT), ...eq, ...ifVoid, ...get(Z), ...i32c(1), ...add, ...set(Z), ...br(1), ...end);
  c.push(...get(Z), ...ifVoid, ...flushRun(Z, K, B, ADDR), ...end);
  c.push(...get(I), ...get(NIN), ...add, ...i32c(1), ...sub, ...set(T));
  c.push(...get(C), ...i32c(2), ...shl, ...i32c(LAST), ...add, ...i32load(0), ...tee(A), ...i32c(6), ...shrU, ...set(WA));
  c.push(...get(T), ...i32c(6), ...shrU, ...set(WT));
  // rank = marks after a in its word + the next four words + any further ones up to t's
  c.push(...wordAt(WA), ...tee(ADDR), ...i64load(0), ...i64c(-2), ...get(A), ...i64extendU32, ...i64shl, ...i64and, ...i64popcnt);
  for (const off of [8, 16, 24, 32]) c.push(...get(ADDR), ...i64load(off), ...i64popcnt, ...i64add);
  c.push(...set(R));
  c.push(...get(WA), ...i32c(5), ...add, ...set(J));
  c.push(...block, ...loop, ...get(J), ...get(WT), ...gtU, ...brIf(1));
  c.push(...get(R), ...wordAt(J), ...i64load(0), ...i64popcnt, ...i64add, ...set(R));
  c.push(...get(J), ...i32c(1), ...add, ...set(J), ...br(0), ...end, ...end);
  // symbol rank + 1, counted
  c.push(...get(R), ...i32wrapI64, ...i32c(1), ...add, ...set(S));
  c.push(...get(K), ...get(S), ...i32store16(), ...get(K), ...i32c(2), ...add, ...set(K));
  c.push(...get(S), ...i32c(2), ...shl, ...i32c(FREQ), ...add, ...tee(B), ...get(B), ...i32load(0), ...i32c(1), ...add, ...i32store);
  // move a's mark to t
  c.push(...get(ADDR), ...get(ADDR), ...i64load(0), ...bitOf(A), ...i64xor, ...i64store());
  c.push(...wordAt(WT), ...tee(ADDR), ...get(ADDR), ...i64load(0), ...bitOf(T), ...i64or, ...i64store());
  c.push(...get(C), ...i32c(2), ...shl, ...i32c(LAST), ...add, ...get(T), ...i32store);
  c.push(...get(C), ...set(FRONT), ...br(0), ...end, ...end);
  c.push(...get(Z), ...ifVoid, ...flushRun(Z, K, B, ADDR), ...end);
  // end of block
  c.push(...get(NIN), ...i32c(1), ...add, ...set(S));
  c.push(...get(K), ...get(S), ...i32store16(), ...get(K), ...i32c(2), ...add, ...set(K));
  c.push(...get(S), ...i32c(2), ...shl, ...i32c(FREQ), ...add, ...tee(B), ...get(B), ...i32load(0), ...i32c(1), ...add, ...i32store);
  c.push(...get(K), ...get(OUT), ...sub, ...i32c(1), ...shrU);
  return funcBody(
    [
      [13, I32],
      [1, I64],
    ],
    c,
  );
}

/**
 * emit(nMTF, acc, n, mtfv, sel, out) → bytes: the Huffman-coded symbols (group g coded with
 * table sel[g], CODES entries (length << 24) | code), MSB first, after the n < 8 pending bits
 * `acc`; whole bytes at out, the last n' < 8 bits and n' at RES. A 64-bit accumulator is
 * flushed four bytes at a time.
 */
function emitBody(): number[] {
  const [NM, ACC, N, MV, SL, OUT] = [0, 1, 2, 3, 4, 5];
  const [GS, GE, P, E, OFF, Q, L, EN, G] = [6, 7, 8, 9, 10, 11, 12, 13, 14];
  const A = 15; // i64
  const mask = (): number[] => [...get(A), ...i64c(1), ...get(N), ...i64extendU32, ...i64shl, ...i64c(1), ...i64sub, ...i64and, ...set(A)];
  const c: number[] = [];
  c.push(...get(ACC), ...i64extendU32, ...set(A), ...get(OUT), ...set(Q));
  c.push(...block, ...loop);
  c.push(...get(GS), ...get(NM), ...geU, ...brIf(1));
  c.push(...get(NM), ...get(GS), ...i32c(GROUP), ...add, ...tee(GE), ...get(GE), ...get(NM), ...gtU, ...select, ...set(GE));
  c.push(...get(SL), ...get(G), ...add, ...i32load8u(), ...i32c(258 * 4), ...mul, ...i32c(CODES), ...add, ...set(OFF));
  c.push(...get(GS), ...i32c(1), ...shl, ...get(MV), ...add, ...set(P));
  c.push(...get(GE), ...i32c(1), ...shl, ...get(MV), ...add, ...set(E));
  c.push(...loop);
  c.push(...get(OFF), ...get(P), ...i32load16u(), ...i32c(2), ...shl, ...add, ...i32load(0), ...tee(EN), ...i32c(24), ...shrU, ...set(L));
  c.push(...get(A), ...get(L), ...i64extendU32, ...i64shl, ...get(EN), ...i32c(0xffffff), ...and, ...i64extendU32, ...i64or, ...set(A));
  c.push(...get(N), ...get(L), ...add, ...tee(N), ...i32c(32), ...geU, ...ifVoid);
  c.push(...get(N), ...i32c(32), ...sub, ...set(N));
  c.push(...get(A), ...get(N), ...i64extendU32, ...i64shrU, ...i32wrapI64, ...set(EN));
  c.push(...get(Q), ...get(EN), ...i32c(24), ...shrU, ...i32store8());
  c.push(...get(Q), ...get(EN), ...i32c(16), ...shrU, ...i32store8(1));
  c.push(...get(Q), ...get(EN), ...i32c(8), ...shrU, ...i32store8(2));
  c.push(...get(Q), ...get(EN), ...i32store8(3));
  c.push(...get(Q), ...i32c(4), ...add, ...set(Q), ...mask());
  c.push(...end);
  c.push(...get(P), ...i32c(2), ...add, ...tee(P), ...get(E), ...ltU, ...brIf(0), ...end);
  c.push(...get(GE), ...set(GS), ...get(G), ...i32c(1), ...add, ...set(G), ...br(0), ...end, ...end);
  // whole bytes left
  c.push(...block, ...loop, ...get(N), ...i32c(8), ...ltU, ...brIf(1));
  c.push(...get(N), ...i32c(8), ...sub, ...set(N));
  c.push(...get(Q), ...get(A), ...get(N), ...i64extendU32, ...i64shrU, ...i32wrapI64, ...i32store8());
  c.push(...get(Q), ...i32c(1), ...add, ...set(Q), ...mask(), ...br(0), ...end, ...end);
  c.push(...i32c(RES), ...get(A), ...i32wrapI64, ...i32store, ...i32c(RES + 4), ...get(N), ...i32store);
  c.push(...get(Q), ...get(OUT), ...sub);
  return funcBody(
    [
      [9, I32],
      [1, I64],
    ],
    c,
  );
}

/** The module's bytes (imports memory e.m; exports a = assign, t = mtf, o = emit). */
export function bzip2EncodeModuleBytes(): Uint8Array<ArrayBuffer> {
  const tA = [0x60, 3, I32, I32, I32, 0x01, I32]; // (i32, i32, i32) → i32
  const tM = [0x60, 5, I32, I32, I32, I32, I32, 0x01, I32]; // (i32 × 5) → i32
  const tE = [0x60, 6, I32, I32, I32, I32, I32, I32, 0x01, I32]; // (i32 × 6) → i32
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [3, ...tA, ...tM, ...tE]),
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 0x00]),
    ...section(3, [3, 0, 1, 2]),
    ...section(7, [3, ...str('a'), 0x00, 0, ...str('t'), 0x00, 1, ...str('o'), 0x00, 2]),
    ...section(10, [3, ...assignBody(), ...mtfBody(), ...emitBody()]),
  ];
  return new Uint8Array(bytes);
}

const bzModule = lazyModule(bzip2EncodeModuleBytes);
let wasmEnabled = true;

/** Enables or disables the wasm kernel (tests compare both paths). Internal. */
export function setWasmBzip2EncodeEnabled(on: boolean): void {
  wasmEnabled = on;
}

/** Whether the wasm kernel may be used (not disabled by {@link setWasmBzip2EncodeEnabled}). */
export function wasmBzip2EncodeEnabled(): boolean {
  return wasmEnabled;
}

/** A kernel instance with its own memory, sized for blocks of up to `cap` bytes. */
export interface Bzip2EncodeKernel {
  readonly cap: number;
  readonly costv: Uint16Array; // 258 × 8
  readonly rfreq: Int32Array; // 6 × 258
  readonly map: Uint8Array; // 256
  readonly freq: Int32Array; // 258
  readonly selectors: Uint8Array;
  readonly bw: Uint8Array; // cap: the block's BWT
  readonly mtfv: Uint16Array; // cap + 8
  /** Table assignment of the nMTF symbols in `mtfv` (see assignBody); returns the group count. */
  readonly assign: (nMTF: number) => number;
  /** MTF + RUNA/RUNB of bw[0..n) through `map` into `mtfv` and `freq`; returns the symbol count. */
  readonly mtf: (n: number, nInUse: number) => number;
  readonly codes: Int32Array; // 6 × 258: (length << 24) | code
  /** Huffman-codes the nMTF symbols after `n` < 8 pending bits `acc` into `out`; returns whole bytes written (rest in `res`). */
  readonly emit: (nMTF: number, acc: number, n: number) => number;
  readonly out: Uint8Array;
  readonly res: Int32Array; // [pending bits, their count]
}

/** A kernel for blocks of up to `cap` bytes, or null (no WebAssembly SIMD, or disabled). */
export function bzip2EncodeKernel(cap: number): Bzip2EncodeKernel | null {
  if (!wasmEnabled) return null;
  const mod = bzModule();
  if (mod === null) return null;
  const L = layout(cap);
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil(L.bytes / 65536) });
  } catch {
    return null;
  }
  const ex = new WebAssembly.Instance(mod, { e: { m: memory } }).exports as unknown as {
    a: (n: number, mtfv: number, sel: number) => number;
    t: (n: number, nInUse: number, bw: number, out: number, bits: number) => number;
    o: (nMTF: number, acc: number, n: number, mtfv: number, sel: number, out: number) => number;
  };
  const buf = memory.buffer;
  return {
    cap,
    costv: new Uint16Array(buf, COSTV, 258 * 8),
    rfreq: new Int32Array(buf, RFREQ, 6 * 258),
    map: new Uint8Array(buf, MAP, 256),
    freq: new Int32Array(buf, FREQ, 258),
    selectors: new Uint8Array(buf, L.sel, L.bw - L.sel),
    bw: new Uint8Array(buf, L.bw, cap),
    mtfv: new Uint16Array(buf, L.mtfv, cap + 8),
    assign: (nMTF) => ex.a(nMTF, L.mtfv, L.sel),
    mtf: (n, nInUse) => ex.t(n, nInUse, L.bw, L.mtfv, L.bits),
    codes: new Int32Array(buf, CODES, 6 * 258),
    emit: (nMTF, acc, n) => ex.o(nMTF, acc, n, L.mtfv, L.sel, L.out),
    out: new Uint8Array(buf, L.out, L.bytes - L.out),
    res: new Int32Array(buf, RES, 2),
  };
}
