/**
 * The QuBD kernel in hand-assembled WebAssembly SIMD: the same result as `planeBdm` in kernel.ts
 * (per-plane BDM of the 4×4 blocks of every bit-plane, without materialising the planes), about
 * three to four times as fast, reading the quantizer's codes where the wasm quantizer wrote them.
 *
 * Block codes by byte masks: `i8x16.bitmask` gathers the top bit of 16 bytes into a 16-bit
 * integer. Four rows of 16 codes (4 blocks side by side) are narrowed to bytes and transposed by
 * 8 shuffles into one vector per block whose lane 15 − (4r + c) holds cell (r, c); its bitmask
 * is then the block's 16-bit code for the top plane (bit 15 = cell (0, 0), the layout the dense
 * CTM tables use), and after each byte-wise doubling (a shift left by one) the next plane's. So
 * 8 planes' block codes cost 8 loads, 8 narrowing ops, 8 shuffles and 8 bitmask + 7 add
 * instructions per 4 blocks, where the JS kernel spends 64 table lookups and ~160 integer
 * operations.
 *
 * Counting, per chunk of ≤ 16,384 blocks and per plane (so the plane's 256 KiB of counts stays in
 * cache; 16-bit counts, 128 KiB, when a plane has fewer than 2^16 blocks): a branch-free tally, counts[code]++, appending each first-seen slot to the plane's
 * touched list. Scoring, once per plane after the last chunk: BDM = Σ CTM(code) + log2(count)
 * over the list (zeroing each slot as it is read), or by a branch-free sweep of all 2^16 slots
 * when nearly all were seen. Splitting the two removes the branch on "first occurrence", which in
 * the middle planes is taken about half the time and mispredicted often (measured: scoring while
 * counting with that branch, as the JS kernel does, was 1.2–1.4× slower at 768×768 and 4096×4096;
 * a branch-free scoring-while-counting variant was slower still).
 *
 * Memory: the shared arena (src/util/wasm-arena.ts). Its static region holds, at fixed offsets,
 * the counts for 8 planes, the table's values and missing flags (copied in on every call), a log2 table, the chunk's block codes, the per-plane sums and the touched lists
 * (room for every slot, so they never overflow). Codes quantized by the wasm quantizer are read
 * in place; others are copied in (2 bytes per weight). Where WebAssembly SIMD is missing, callers
 * use `planeBdm`.
 */
import { ARENA_STATIC, arenaFor, onArenaDrop } from '../util/wasm-arena.js';
import type { Arena } from '../util/wasm-arena.js';
import { I32, V128, add, and, block, br, brIf, clz, elseOp, end, eqz, f64add, f64const, f64div, f64fromU32, f64load as f64loadAt, f64mul, f64storeAt, f64sub, funcBody, geU, get, i32c, i32load, i32load16u, i32load8u, i32store, i32store16, i32storeAt, ifF64, inc, lazyModule, loop, ltU, mul, ne, popcnt, section, select, set, shl, shrU, simd, str, sub, tee, v128and, v128loadAt } from '../util/wasm-asm.js';
import type { PlaneTotals } from './kernel.js';

const F64 = 0x7c;

// Static-region layout (bytes; all below ARENA_STATIC = 6 MiB).
/** Counts, 2^16 u32 (or u16, see tally) per plane, 8 planes. */
const COUNTS = 0;
const PLANE_BYTES = 1 << 18;
/** CTM values, f64 indexed by block code. */
const VALS = 0x200000;
/** LOG2[n] = log2(n), f64, 1 ≤ n < 2^16. */
const LOG2 = 0x280000;
/** Missing flags, u8 by block code. */
const FLAGS = 0x300000;
/** A chunk's block codes: 16 bytes per block (plane p's code at byte 2p). */
const KEYS = 0x310000;
/** Blocks per chunk. */
const CHUNK = 16384;
/** Per-plane sums: Σ CTM, Σ log2 count, ones (f64 × 8 each), distinct, missing (i32 × 8 each). */
const OUT_CTM = KEYS + (CHUNK + 8) * 16;
const OUT_MULT = OUT_CTM + 64;
const OUT_ONES = OUT_MULT + 64;
const OUT_DIST = OUT_ONES + 64;
const OUT_MISS = OUT_DIST + 32;
/** Slots seen, as byte addresses: room for every slot of 8 planes, so it never overflows. */
const TOUCHED = 0x400000;
if (OUT_MISS + 32 > TOUCHED || TOUCHED + 8 * PLANE_BYTES > ARENA_STATIC) {
  throw new Error('qubd wasm layout exceeds the arena static region');
}

// Encoders not in wasm-asm.
const v128const = (bytes: number[]): number[] => [...simd(12), ...bytes];
const shuffle = (lanes: number[]): number[] => [...simd(13), ...lanes];
const bitmask = simd(100); // i8x16.bitmask
const i8add = simd(110); // i8x16.add
const narrowU8 = simd(102); // i8x16.narrow_i16x8_u
const i16shrU = simd(141); // i16x8.shr_u
const i8shl = simd(107); // i8x16.shl
const v128or = simd(80);
const anyTrue = simd(83); // v128.any_true

/** Shuffle of rows (r, r + 1) taking blocks 0–1 (lo) or 2–3 (hi): [blk row r | blk row r+1] × 2. */
const PAIR_LO = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
const PAIR_HI = PAIR_LO.map((i) => i + 8);
/** From (rows 0–1 pair, rows 2–3 pair), block `which` (0 or 1) with lane 15 − (4r + c) = cell (r, c). */
function blockLanes(which: number): number[] {
  const lanes: number[] = [];
  for (let l = 0; l < 16; l++) {
    const r = (15 - l) >> 2;
    const c = (15 - l) & 3;
    lanes.push((r < 2 ? 0 : 16) + 8 * which + 4 * (r & 1) + c);
  }
  return lanes;
}

/**
 * keys(src, stride, nquads, shift, dst): for nquads groups of 4 blocks whose top-left code is at
 * byte src (u16 codes, rows `stride` bytes apart), writes each block's 8 plane codes (planes
 * shift … shift + 7 of the codes) as u16 at dst + 16·block + 2·plane.
 */
function keysBody(): number[] {
  const [SRC, STRIDE, NQ, SHIFT, DST] = [0, 1, 2, 3, 4];
  const [S1, S2, S3] = [5, 6, 7];
  const [R0, R1, R2, R3, PA, PB, PC, PD, V, MASK] = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  const row = (ptr: number): number[] => [
    ...get(ptr), ...v128loadAt(0), ...get(SHIFT), ...i16shrU, ...get(MASK), ...v128and,
    ...get(ptr), ...v128loadAt(16), ...get(SHIFT), ...i16shrU, ...get(MASK), ...v128and,
    ...narrowU8,
  ];
  const c: number[] = [];
  c.push(...v128const([255, 0, 255, 0, 255, 0, 255, 0, 255, 0, 255, 0, 255, 0, 255, 0]), ...set(MASK));
  c.push(...block, ...loop);
  c.push(...get(NQ), ...eqz, ...brIf(1));
  c.push(...get(SRC), ...get(STRIDE), ...add, ...set(S1));
  c.push(...get(S1), ...get(STRIDE), ...add, ...set(S2));
  c.push(...get(S2), ...get(STRIDE), ...add, ...set(S3));
  c.push(...row(SRC), ...set(R0), ...row(S1), ...set(R1), ...row(S2), ...set(R2), ...row(S3), ...set(R3));
  c.push(...get(R0), ...get(R1), ...shuffle(PAIR_LO), ...set(PA));
  c.push(...get(R0), ...get(R1), ...shuffle(PAIR_HI), ...set(PB));
  c.push(...get(R2), ...get(R3), ...shuffle(PAIR_LO), ...set(PC));
  c.push(...get(R2), ...get(R3), ...shuffle(PAIR_HI), ...set(PD));
  for (let k = 0; k < 4; k++) {
    c.push(...get(k < 2 ? PA : PB), ...get(k < 2 ? PC : PD), ...shuffle(blockLanes(k & 1)), ...set(V));
    for (let p = 7; p >= 0; p--) {
      c.push(...get(DST), ...get(V), ...bitmask, ...i32store16(16 * k + 2 * p));
      if (p > 0) c.push(...get(V), ...get(V), ...i8add, ...set(V));
    }
  }
  c.push(...inc(SRC, i32c(32)), ...inc(DST, i32c(64)), ...get(NQ), ...i32c(1), ...sub, ...set(NQ));
  c.push(...br(0), ...end, ...end);
  return funcBody(
    [
      [3, I32],
      [10, V128],
    ],
    c,
  );
}

/**
 * keys8(src, stride, nquads, _, dst): as `keys` for a 0/1 plane stored one byte per cell (rows
 * `stride` bytes apart): each block's code (plane 0) as u16 at dst + 16·block. 16 cells of a row
 * are one 16-byte load; the cell bit is moved to the byte's top bit (shift left by 7) before the
 * bitmask.
 */
function keys8Body(): number[] {
  const [SRC, STRIDE, NQ, , DST] = [0, 1, 2, 3, 4];
  const [S1, S2, S3] = [5, 6, 7];
  const [R0, R1, R2, R3, PA, PB, PC, PD, V] = [8, 9, 10, 11, 12, 13, 14, 15, 16];
  const c: number[] = [];
  c.push(...block, ...loop);
  c.push(...get(NQ), ...eqz, ...brIf(1));
  c.push(...get(SRC), ...get(STRIDE), ...add, ...set(S1));
  c.push(...get(S1), ...get(STRIDE), ...add, ...set(S2));
  c.push(...get(S2), ...get(STRIDE), ...add, ...set(S3));
  c.push(...get(SRC), ...v128loadAt(0), ...set(R0), ...get(S1), ...v128loadAt(0), ...set(R1));
  c.push(...get(S2), ...v128loadAt(0), ...set(R2), ...get(S3), ...v128loadAt(0), ...set(R3));
  c.push(...get(R0), ...get(R1), ...shuffle(PAIR_LO), ...set(PA));
  c.push(...get(R0), ...get(R1), ...shuffle(PAIR_HI), ...set(PB));
  c.push(...get(R2), ...get(R3), ...shuffle(PAIR_LO), ...set(PC));
  c.push(...get(R2), ...get(R3), ...shuffle(PAIR_HI), ...set(PD));
  for (let k = 0; k < 4; k++) {
    c.push(...get(DST), ...get(k < 2 ? PA : PB), ...get(k < 2 ? PC : PD), ...shuffle(blockLanes(k & 1)), ...i32c(7), ...i8shl, ...bitmask, ...i32store16(16 * k));
  }
  c.push(...inc(SRC, i32c(16)), ...inc(DST, i32c(64)), ...get(NQ), ...i32c(1), ...sub, ...set(NQ));
  c.push(...br(0), ...end, ...end);
  return funcBody(
    [
      [3, I32],
      [9, V128],
    ],
    c,
  );
}

/**
 * above1(p, n16, _, _) → 1 if any of the 16·n16 bytes at p exceeds 1, else 0 (the 0/1 check of a
 * plane stored one byte per cell; the caller checks the < 16 trailing bytes).
 */
function above1Body(): number[] {
  const [P, NQ] = [0, 1];
  const [ACC] = [4];
  const c: number[] = [];
  c.push(...v128const(new Array(16).fill(0)), ...set(ACC));
  c.push(...block, ...loop);
  c.push(...get(NQ), ...eqz, ...brIf(1));
  c.push(...get(ACC), ...get(P), ...v128loadAt(0), ...v128or, ...set(ACC));
  c.push(...inc(P, i32c(16)), ...get(NQ), ...i32c(1), ...sub, ...set(NQ));
  c.push(...br(0), ...end, ...end);
  c.push(...get(ACC), ...v128const(new Array(16).fill(0xfe)), ...v128and, ...anyTrue);
  return funcBody([[1, V128]], c);
}

/**
 * tally(kp, m, cbase, tp) → tp': counts[code]++ for the m block codes at kp, kp + 16, … (u32
 * slots at cbase; u16 slots for the `narrow` variant), appending the byte address of every slot
 * seen for the first time at tp (the caller keeps room for m entries). Branch-free: in the middle planes a first occurrence is about
 * as likely as a repeat, and a branch on it mispredicted often enough to cost more than counting.
 */
function tallyBody(narrow: boolean): number[] {
  const [KP, M, CB, TP] = [0, 1, 2, 3];
  const [A, N, E] = [4, 5, 6];
  const c: number[] = [];
  c.push(...get(KP), ...get(M), ...i32c(4), ...shl, ...add, ...set(E));
  c.push(...block, ...loop);
  c.push(...get(KP), ...get(E), ...geU, ...brIf(1));
  c.push(...get(CB), ...get(KP), ...i32load16u(), ...i32c(narrow ? 1 : 2), ...shl, ...add, ...set(A));
  c.push(...get(A), ...get(A), ...(narrow ? i32load16u() : i32load()), ...tee(N), ...i32c(1), ...add, ...(narrow ? i32store16(0) : i32store));
  c.push(...get(TP), ...get(A), ...i32store, ...get(TP), ...get(N), ...eqz, ...i32c(2), ...shl, ...add, ...set(TP));
  c.push(...inc(KP, i32c(16)), ...br(0), ...end, ...end);
  c.push(...get(TP));
  return funcBody([[3, I32]], c);
}

/**
 * Adds one counted slot (byte address in local `a`, count in local `n`) to the plane's sums in
 * locals: bdm += CTM(code) + log2(n), ones += popcount(code)·n, distinct += 1, missing +=
 * flag(code) — all multiplied by `live` (0 or 1; branch-free sweeps pass n ≠ 0) — and re-zeroes
 * it. log2(n) comes from a table below 2^16; above, n = m·2^s with 2^15 ≤ m < 2^16 and
 * log2 n = s + log2 m + log2(1 + x), x = (n − m·2^s)/(m·2^s) < 2^−15, from x − x²/2 + x³/3 − x⁴/4
 * (relative error < x⁴/5 < 2^−62).
 */
function scoreSlot(L: { narrow: boolean; a: number; n: number; code: number; s: number; live: number; x: number; ctm: number; mult: number; ones: number; dist: number; miss: number }): number[] {
  const { narrow, a, n, code, s, live, x, ctm, mult, ones, dist, miss } = L;
  const masked = (): number[] => (live >= 0 ? [...f64const(0), ...get(live), ...select] : []);
  const c: number[] = [];
  c.push(...get(a), ...i32c(0), ...(narrow ? i32store16(0) : i32store));
  c.push(...get(a), ...i32c(narrow ? 1 : 2), ...shrU, ...i32c(65535), ...and, ...set(code));
  // ctm += CTM(code)
  c.push(...get(ctm), ...get(code), ...i32c(3), ...shl, ...f64loadAt(VALS), ...masked(), ...f64add, ...set(ctm));
  // mult += log2(n)
  c.push(...get(mult));
  c.push(...get(n), ...i32c(65536), ...ltU, ...ifF64);
  c.push(...get(n), ...i32c(3), ...shl, ...f64loadAt(LOG2));
  c.push(...elseOp);
  c.push(...i32c(16), ...get(n), ...clz, ...sub, ...set(s)); // s = bit length − 16
  c.push(...get(n), ...get(s), ...shrU, ...get(s), ...shl, ...f64fromU32, ...set(x)); // m·2^s (exact)
  c.push(...get(n), ...f64fromU32, ...get(x), ...f64sub, ...get(x), ...f64div, ...set(x));
  c.push(...get(s), ...f64fromU32, ...get(n), ...get(s), ...shrU, ...i32c(3), ...shl, ...f64loadAt(LOG2), ...f64add);
  c.push(...f64const(Math.LOG2E), ...get(x), ...f64mul);
  c.push(...f64const(1), ...get(x), ...f64const(0.5), ...get(x), ...f64const(1 / 3), ...get(x), ...f64const(0.25), ...f64mul, ...f64sub, ...f64mul, ...f64sub, ...f64mul, ...f64sub);
  c.push(...f64mul, ...f64add);
  c.push(...end);
  c.push(...masked(), ...f64add, ...set(mult));
  c.push(...get(ones), ...get(code), ...popcnt, ...get(n), ...mul, ...add, ...set(ones));
  c.push(...get(dist), ...(live >= 0 ? get(live) : i32c(1)), ...add, ...set(dist));
  c.push(...get(miss), ...get(code), ...i32load8u(FLAGS), ...(live >= 0 ? [...get(live), ...and] : []), ...add, ...set(miss));
  return c;
}

/** Stores a plane's sums (locals) at OUT[plane]. */
function storeSums(plane: number, ctm: number, mult: number, ones: number, dist: number, miss: number): number[] {
  return [
    ...get(plane), ...i32c(3), ...shl, ...get(ctm), ...f64storeAt(OUT_CTM),
    ...get(plane), ...i32c(3), ...shl, ...get(mult), ...f64storeAt(OUT_MULT),
    ...get(plane), ...i32c(3), ...shl, ...get(ones), ...f64fromU32, ...f64storeAt(OUT_ONES),
    ...get(plane), ...i32c(2), ...shl, ...get(dist), ...i32storeAt(OUT_DIST),
    ...get(plane), ...i32c(2), ...shl, ...get(miss), ...i32storeAt(OUT_MISS),
  ];
}

/** score(p, e, plane): scores and re-zeroes every slot whose address is listed in [p, e). */
function scoreListBody(narrow: boolean): number[] {
  const [P, E, PLANE] = [0, 1, 2];
  const [A, N, CODE, S, ONES, DIST, MISS] = [3, 4, 5, 6, 7, 8, 9];
  const [X, CTM, MULT] = [10, 11, 12];
  const c: number[] = [];
  c.push(...block, ...loop, ...get(P), ...get(E), ...geU, ...brIf(1));
  c.push(...get(P), ...i32load(), ...tee(A), ...(narrow ? i32load16u() : i32load()), ...set(N));
  c.push(...scoreSlot({ narrow, a: A, n: N, code: CODE, s: S, live: -1, x: X, ctm: CTM, mult: MULT, ones: ONES, dist: DIST, miss: MISS }));
  c.push(...inc(P, i32c(4)), ...br(0), ...end, ...end);
  c.push(...storeSums(PLANE, CTM, MULT, ONES, DIST, MISS));
  return funcBody([[7, I32], [3, F64]], c);
}

/** scan(p, e, plane): scores and re-zeroes every non-zero slot in [p, e), branch-free. */
function scanBody(): number[] {
  const [P, E, PLANE] = [0, 1, 2];
  const [A, N, CODE, S, ONES, DIST, MISS, LIVE] = [3, 4, 5, 6, 7, 8, 9, 10];
  const [X, CTM, MULT] = [11, 12, 13];
  const c: number[] = [];
  c.push(...block, ...loop, ...get(P), ...get(E), ...geU, ...brIf(1));
  // An empty slot reads LOG2[0] (0, never used) and is masked out by live = 0.
  c.push(...get(P), ...tee(A), ...i32load(), ...tee(N), ...i32c(0), ...ne, ...set(LIVE));
  c.push(...scoreSlot({ narrow: false, a: A, n: N, code: CODE, s: S, live: LIVE, x: X, ctm: CTM, mult: MULT, ones: ONES, dist: DIST, miss: MISS }));
  c.push(...inc(P, i32c(4)), ...br(0), ...end, ...end);
  c.push(...storeSums(PLANE, CTM, MULT, ONES, DIST, MISS));
  return funcBody([[8, I32], [3, F64]], c);
}

/**
 * The kernel module's bytes (imports memory e.m; exports k = keys, t = tally, s = score,
 * n = scan, and t16 / s16: tally and score on 16-bit counts, for calls with fewer than 2^16
 * blocks per plane — half the count table's footprint in cache).
 */
export function qubdModuleBytes(): Uint8Array<ArrayBuffer> {
  const tKeys = [0x60, 5, I32, I32, I32, I32, I32, 0x00];
  const tTally = [0x60, 4, I32, I32, I32, I32, 0x01, I32];
  const tTriple = [0x60, 3, I32, I32, I32, 0x00];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [3, ...tKeys, ...tTally, ...tTriple]),
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 0x00]),
    ...section(3, [8, 0, 1, 2, 2, 1, 2, 0, 1]),
    ...section(7, [8, ...str('k'), 0x00, 0, ...str('t'), 0x00, 1, ...str('s'), 0x00, 2, ...str('n'), 0x00, 3, ...str('t16'), 0x00, 4, ...str('s16'), 0x00, 5, ...str('k8'), 0x00, 6, ...str('v'), 0x00, 7]),
    ...section(10, [8, ...keysBody(), ...tallyBody(false), ...scoreListBody(false), ...scanBody(), ...tallyBody(true), ...scoreListBody(true), ...keys8Body(), ...above1Body()]),
  ];
  return new Uint8Array(bytes);
}

interface Kernel {
  readonly arena: Arena;
  readonly keys: (src: number, stride: number, nquads: number, shift: number, dst: number) => void;
  readonly tally: (kp: number, m: number, cbase: number, tp: number) => number;
  readonly score: (p: number, e: number, plane: number) => void;
  readonly scan: (p: number, e: number, plane: number) => void;
  readonly tally16: (kp: number, m: number, cbase: number, tp: number) => number;
  readonly score16: (p: number, e: number, plane: number) => void;
  readonly keys8: (src: number, stride: number, nquads: number, unused: number, dst: number) => void;
  readonly above1: (p: number, n16: number, u1: number, u2: number) => number;
}

const module = lazyModule(qubdModuleBytes);
let kernel: Kernel | null = null;
onArenaDrop(() => {
  kernel = null;
});
let enabled = true;

/** Enables or disables the wasm kernel (tests compare it with the JS kernel). Internal. */
export function setWasmQubdEnabled(on: boolean): void {
  enabled = on;
}

/** Bytes readable past the codes' end: the last 4-block group of a row may read 32 bytes on. */
const SLACK = 64;
/**
 * A plane's slots are scored by a sweep instead of its list once it has seen this fraction of
 * the 2^16 codes (measured: the list wins up to ~0.9 — 768² to 1536² at 8 bits — the sweep at
 * ~1, 4096²).
 */
let scanAt = 0.95;

/** Sets the list/sweep threshold (tests force each path). Internal. */
export function setWasmQubdScanAt(fraction: number): void {
  scanAt = fraction;
}

function kernelOn(arena: Arena): Kernel {
  if (kernel !== null && kernel.arena === arena) return kernel;
  const mod = module() as WebAssembly.Module;
  const ex = new WebAssembly.Instance(mod, { e: { m: arena.memory } }).exports as unknown as {
    k: Kernel['keys'];
    t: Kernel['tally'];
    s: Kernel['score'];
    n: Kernel['scan'];
    t16: Kernel['tally16'];
    s16: Kernel['score16'];
    k8: Kernel['keys8'];
    v: Kernel['above1'];
  };
  const log2 = new Float64Array(arena.memory.buffer, LOG2, 65536);
  for (let n = 1; n < 65536; n++) log2[n] = Math.log2(n);
  kernel = { arena, keys: ex.k, tally: ex.t, score: ex.s, scan: ex.n, tally16: ex.t16, score16: ex.s16, keys8: ex.k8, above1: ex.v };
  return kernel;
}

/**
 * The kernel on the current arena (with room for `dynamicBytes`) with the table copied in, or null.
 *
 * The table is copied on every call (576 KiB, ~20–60 µs; see bench/qubd.ts): a table edited in
 * place between calls is then scored with its new values, as the JS kernel does. (An earlier
 * version cached the copy by the arrays' identity and silently kept the old values.)
 */
function prepared(dynamicBytes: number, values: Float64Array, missingFlags: Uint8Array): Kernel | null {
  if (!enabled || module() === null) return null;
  const arena = arenaFor(dynamicBytes);
  if (arena === null) return null;
  const k = kernelOn(arena);
  const buf = arena.memory.buffer;
  new Float64Array(buf, VALS, 65536).set(values);
  new Uint8Array(buf, FLAGS, 65536).set(missingFlags);
  return k;
}

/**
 * Scores (and re-zeroes) plane p's counted slots, whose touched list ends at tp, adding its
 * sums to `out` at index `at`: through the list in first-seen order when it is short (always
 * with 16-bit counts, `narrow`), else by one branch-free sweep of the plane's slots (sequential,
 * so cheaper then).
 */
function scorePlane(k: Kernel, narrow: boolean, p: number, tp: number, out: PlaneTotals, at: number): void {
  const t0 = TOUCHED + p * PLANE_BYTES;
  if (narrow) k.score16(t0, tp, p);
  else if ((tp - t0) >>> 2 < 65536 * scanAt) k.score(t0, tp, p);
  else k.scan(COUNTS + p * PLANE_BYTES, COUNTS + (p + 1) * PLANE_BYTES, p);
  const buf = k.arena.memory.buffer;
  const sums = new Float64Array(buf, OUT_CTM, 24);
  const ints = new Int32Array(buf, OUT_DIST, 16);
  out.bdm[at] += sums[p] + sums[8 + p];
  out.ctm[at] += sums[p];
  out.multiplicity[at] += sums[8 + p];
  out.ones[at] += sums[16 + p];
  out.distinct[at] += ints[p];
  out.missing[at] += ints[8 + p];
}

/**
 * `planeBdm` (kernel.ts) on the wasm kernel: adds every plane's 4×4-block BDM of `codes` (rows ×
 * cols, row-major, values < 2^bits) to `out`. Returns false, doing nothing, where WebAssembly
 * SIMD is unavailable (or disabled), so the caller runs the JS kernel.
 */
export function planeBdmWasm(
  codes: Uint16Array | Uint8Array,
  rows: number,
  cols: number,
  bits: number,
  values: Float64Array,
  missingFlags: Uint8Array,
  out: PlaneTotals,
): boolean {
  const n = rows * cols;
  const k = prepared(2 * n + SLACK, values, missingFlags);
  if (k === null) return false;
  const buf = k.arena.memory.buffer;
  let src: number;
  if (codes instanceof Uint16Array && codes.buffer === buf && codes.byteOffset + 2 * n + SLACK <= buf.byteLength) {
    src = codes.byteOffset;
  } else {
    new Uint16Array(buf, ARENA_STATIC, n).set(codes.subarray(0, n));
    src = ARENA_STATIC;
  }
  for (let shift = 0; shift < bits; shift += 8) {
    const s = planeStream(k, rows, cols, shift, Math.min(8, bits - shift), out);
    s.feed(src, Math.floor(rows / 4));
    s.finish();
  }
  return true;
}

/** Counts 4×4 blocks of up to 8 planes fed in block-rows, then scores them (see {@link planeStream}). */
interface PlaneStream {
  /** Counts `blockRows` block-rows of u16 codes (row stride 2·cols bytes) at arena byte `src`. */
  feed(src: number, blockRows: number): void;
  /** Scores every plane into `out` (once, after the last feed). */
  finish(): void;
}

/**
 * The counting state of planes shift … shift + planes − 1 over a rows × cols tensor whose
 * block-rows arrive in order, possibly in several pieces: blocks are tallied in exactly the
 * order of one pass over the whole tensor (the chunk flushes only change when counts are
 * added, not the first-seen order), so the scores are bit-identical however it is fed.
 */
function planeStream(k: Kernel, rows: number, cols: number, shift: number, planes: number, out: PlaneTotals): PlaneStream {
  const br = Math.floor(rows / 4);
  const bc = Math.floor(cols / 4);
  const stride = 2 * cols;
  const seg = Math.min(bc, CHUNK);
  const tps = new Int32Array(8);
  // 16-bit counts when no slot can reach 2^16.
  const narrow = br * bc < 65536;
  const tally = narrow ? k.tally16 : k.tally;
  // One touched list per plane (room for all 2^16 slots, so it never overflows).
  for (let p = 0; p < planes; p++) tps[p] = TOUCHED + p * PLANE_BYTES;
  let j = 0;
  const flush = (): void => {
    for (let p = 0; p < planes; p++) tps[p] = tally(KEYS + 2 * p, j, COUNTS + p * PLANE_BYTES, tps[p]);
    j = 0;
  };
  return {
    feed(src: number, blockRows: number): void {
      for (let b = 0; b < blockRows; b++) {
        const rowSrc = src + b * 4 * stride;
        for (let c0 = 0; c0 < bc; c0 += seg) {
          const nb = Math.min(seg, bc - c0);
          if (j + nb > CHUNK) flush();
          k.keys(rowSrc + 8 * c0, stride, (nb + 3) >>> 2, shift, KEYS + 16 * j);
          j += nb;
        }
      }
    },
    finish(): void {
      if (j > 0) flush();
      for (let p = 0; p < planes; p++) scorePlane(k, narrow, p, tps[p], out, shift + p);
    },
  };
}

/**
 * {@link planeBdmWasm} fed in pieces, for codes quantized chunk by chunk straight into the arena
 * (qubd's low-memory path): `feed(codes)` takes the next whole block-rows (codes.length a
 * multiple of 4·cols; a view on the current arena, as `quantizeStream` returns, with
 * {@link SLACK} readable bytes after it), `finish()` scores. bits ≤ 8. Null where WebAssembly
 * SIMD is unavailable (or disabled). Call it after the quantizer has sized the arena (it does
 * not replace the arena). Internal.
 */
export function planeBdmWasmStream(
  rows: number,
  cols: number,
  bits: number,
  values: Float64Array,
  missingFlags: Uint8Array,
  out: PlaneTotals,
): { feed(codes: Uint16Array): void; finish(): void } | null {
  if (bits > 8) return null;
  const k = prepared(SLACK, values, missingFlags);
  if (k === null) return null;
  const s = planeStream(k, rows, cols, 0, bits, out);
  return {
    feed(codes: Uint16Array): void {
      const buf = k.arena.memory.buffer;
      if (codes.buffer !== buf || codes.byteOffset + 2 * codes.length + SLACK > buf.byteLength || codes.length % (4 * cols) !== 0) {
        throw new Error('planeBdmWasmStream: codes must be whole block-rows on the current arena');
      }
      s.feed(codes.byteOffset, codes.length / (4 * cols));
    },
    finish: () => s.finish(),
  };
}

/**
 * BDM of `total` 4×4 blocks whose 16-bit codes (bit 15 = cell (0, 0)) a caller computes:
 * `emit(dst, from, count)` writes the codes of blocks from … from + count − 1 at dst[8·i]
 * (count ≤ 16,384 per call). Adds to `out` at index 0. Returns false, doing nothing, where
 * WebAssembly SIMD is unavailable (or disabled). For block layouts other than bit-planes (e.g.
 * the serial binarization).
 */
export function blockCodesBdmWasm(
  total: number,
  emit: (dst: Uint16Array, from: number, count: number) => void,
  values: Float64Array,
  missingFlags: Uint8Array,
  out: PlaneTotals,
): boolean {
  const k = prepared(SLACK, values, missingFlags);
  if (k === null) return false;
  const keys = new Uint16Array(k.arena.memory.buffer, KEYS, 8 * CHUNK);
  const narrow = total < 65536;
  const tally = narrow ? k.tally16 : k.tally;
  let tp = TOUCHED;
  for (let from = 0; from < total; from += CHUNK) {
    const m = Math.min(CHUNK, total - from);
    emit(keys, from, m);
    tp = tally(KEYS, m, COUNTS, tp);
  }
  scorePlane(k, narrow, 0, tp, out, 0);
  return true;
}

/** log2 n for the small counts, as the BDM scoring pass of src/bdm/score.ts looks them up. */
const LOG2_SMALL = /* @__PURE__ */ (() => {
  const t = new Float64Array(4096);
  for (let i = 1; i < 4096; i++) t[i] = Math.log2(i);
  return t;
})();

/**
 * BDM of the 4×4 blocks (`'ignore'` partition) of a 0/1 plane given as one byte per cell, counted
 * by the wasm kernel and scored in JS in exactly the order of src/bdm's general path (ascending
 * code when `ascending`, else first occurrence in row-major block order), so the result is bit
 * for bit the general path's. Returns null where WebAssembly SIMD is unavailable (or disabled).
 */
export function plainBdmWasm(
  cells: Uint8Array,
  rows: number,
  cols: number,
  values: Float64Array,
  missingFlags: Uint8Array,
  ascending: boolean,
): { bdm: number; ctm: number; multiplicity: number; distinct: number; missing: number } | null | 'not-binary' {
  const n = rows * cols;
  const k = prepared(n + SLACK, values, missingFlags);
  if (k === null) return null;
  const buf = k.arena.memory.buffer;
  new Uint8Array(buf, ARENA_STATIC, n).set(cells);
  // The 0/1 check: SIMD over whole 16-byte groups, JS for the tail.
  if (k.above1(ARENA_STATIC, n >>> 4, 0, 0) !== 0) return 'not-binary';
  for (let i = n & ~15; i < n; i++) if (cells[i] > 1) return 'not-binary';
  const br = Math.floor(rows / 4);
  const bc = Math.floor(cols / 4);
  const stride = cols;
  const seg = Math.min(bc, CHUNK);
  const narrow = br * bc < 65536;
  const tally = narrow ? k.tally16 : k.tally;
  let tp = TOUCHED;
  let j = 0;
  for (let b = 0; b < br; b++) {
    const rowSrc = ARENA_STATIC + b * 4 * stride;
    for (let c0 = 0; c0 < bc; c0 += seg) {
      const nb = Math.min(seg, bc - c0);
      if (j + nb > CHUNK) {
        tp = tally(KEYS, j, COUNTS, tp);
        j = 0;
      }
      k.keys8(rowSrc + 4 * c0, stride, (nb + 3) >>> 2, 0, KEYS + 16 * j);
      j += nb;
    }
  }
  if (j > 0) tp = tally(KEYS, j, COUNTS, tp);
  const counts = narrow ? new Uint16Array(buf, COUNTS, 65536) : new Uint32Array(buf, COUNTS, 65536);
  const touched = new Int32Array(buf, TOUCHED, (tp - TOUCHED) >>> 2);
  const shift = narrow ? 1 : 2;
  let ctm = 0;
  let mult = 0;
  let missing = 0;
  const score = (code: number): void => {
    const m = counts[code];
    ctm += values[code];
    mult += m < 4096 ? LOG2_SMALL[m] : Math.log2(m);
    missing += missingFlags[code];
  };
  if (ascending) {
    for (let code = 0; code < 65536; code++) if (counts[code] !== 0) score(code);
  } else {
    for (let i = 0; i < touched.length; i++) score(((touched[i] - COUNTS) >>> shift) & 65535);
  }
  for (let i = 0; i < touched.length; i++) counts[((touched[i] - COUNTS) >>> shift) & 65535] = 0;
  return { bdm: ctm + mult, ctm, multiplicity: mult, distinct: touched.length, missing };
}
