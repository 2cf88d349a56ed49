/**
 * The QuBD kernel in hand-assembled WebAssembly SIMD: the same computation as `planeBdm` in
 * kernel.ts (per-plane BDM of the 4×4 blocks of every bit-plane, scored while counting), about
 * twice as fast, and reading the quantizer's codes where the wasm quantizer wrote them.
 *
 * Block codes by byte masks: `i8x16.bitmask` gathers the top bit of 16 bytes into a 16-bit
 * integer. Four rows of 16 codes (4 blocks side by side) are narrowed to bytes and transposed by
 * 8 shuffles into one vector per block whose lane 15 − (4r + c) holds cell (r, c); its bitmask
 * is then the block's 16-bit code for the top plane (bit 15 = cell (0, 0), the layout the dense
 * CTM tables use), and after each byte-wise doubling (a shift left by one) the next plane's. So
 * 8 planes' block codes cost 4 loads, 8 shuffles and 8 bitmask + 7 add instructions per block,
 * where the JS kernel spends 16 table lookups and ~40 integer operations.
 *
 * Counting is one pass per plane over a chunk of ≤ 16,384 blocks' codes (the plane's 256 KiB of
 * counts stays in cache): n = counts[code]++; a first occurrence adds CTM(code) and records the
 * slot for re-zeroing, the (n+1)-th adds log2(n+1) − log2(n) from a table (a series beyond it),
 * so BDM = Σ CTM + log2(count) is complete when counting ends. `i32.popcnt` gives the 1-cells.
 *
 * Memory: the shared arena (src/util/wasm-arena.ts). Its static region holds, at fixed offsets,
 * the counts for 8 planes, the table's values and missing flags (copied when the table or the
 * arena changes), the log2-difference table, the touched list and the chunk's codes. Codes
 * quantized by the wasm quantizer are already in the arena and are read in place; others are
 * copied in (2 bytes per weight). Where WebAssembly SIMD is missing, callers use `planeBdm`.
 */
import { ARENA_STATIC, arenaFor } from '../util/wasm-arena.js';
import type { Arena } from '../util/wasm-arena.js';
import { I32, V128, add, block, br, brIf, end, funcBody, get, i32c, inc, loop, section, set, simd, str, uleb } from '../util/wasm-asm.js';
import type { PlaneTotals } from './kernel.js';

const F64 = 0x7c;

// Static-region layout (bytes; all below ARENA_STATIC = 4 MiB).
/** Counts, 2^16 u32 per plane, 8 planes. */
const COUNTS = 0;
const PLANE_BYTES = 1 << 18;
/** CTM values, f64 indexed by block code. */
const VALS = 0x200000;
/** DLOG[n] = log2(n + 1) − log2(n), f64, n < 2^16. */
const DLOG = 0x280000;
/** Missing flags, u8 by block code. */
const FLAGS = 0x300000;
/** Touched count slots (byte addresses), u32. */
const TOUCHED = 0x310000;
const TOUCHED_END = 0x350000;
/** A chunk's block codes: 16 bytes per block (plane p's code at byte 2p). */
const KEYS = 0x350000;
/** Blocks per chunk. */
const CHUNK = 16384;
/** One count call's results: f64 bdm, i32 ones, distinct, missing. */
const OUT = KEYS + (CHUNK + 8) * 16;
if (OUT + 64 > ARENA_STATIC) throw new Error('qubd wasm layout exceeds the arena static region');

// Opcodes not in wasm-asm.
const i32load = (off = 0): number[] => [0x28, 0x02, off];
const i32store = [0x36, 0x02, 0x00];
const i32load16u = [0x2f, 0x01, 0x00];
const i32store16 = (off: number): number[] => [0x3b, 0x01, off];
const i32load8u = [0x2d, 0x00, 0x00];
const f64load = [0x2b, 0x03, 0x00];
const f64loadAt = (off: number): number[] => [0x2b, 0x03, ...uleb(off)];
const f64store = (off: number): number[] => [0x39, 0x03, off];
const i32storeAt = (off: number): number[] => [0x36, 0x02, off];
const f64const = (v: number): number[] => {
  const b = new Uint8Array(new Float64Array([v]).buffer);
  return [0x44, ...b];
};
const eqz = [0x45];
const ltU = [0x49];
const geU = [0x4f];
const shl = [0x74];
const popcnt = [0x69];
const f64add = [0xa0];
const f64sub = [0xa1];
const f64mul = [0xa2];
const f64div = [0xa3];
const f64fromU32 = [0xb8];
const ifVoid = [0x04, 0x40];
const elseOp = [0x05];
const v128loadAt = (off: number): number[] => [...simd(0), 0x04, off];
const v128const = (bytes: number[]): number[] => [...simd(12), ...bytes];
const shuffle = (lanes: number[]): number[] => [...simd(13), ...lanes];
const bitmask = simd(100);
const i8add = simd(110);
const narrowU8 = simd(102);
const v128and = simd(78);
const i16shrU = simd(141);

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
  c.push(...inc(SRC, i32c(32)), ...inc(DST, i32c(64)), ...get(NQ), ...i32c(1), 0x6b, ...set(NQ));
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
 * count(kp, m, cbase, tp, tend) → tp': counts the m block codes at kp, kp + 16, … into the u32
 * slots at cbase, scoring while counting (see the file comment); writes bdm (f64), ones,
 * distinct, missing (i32) at OUT; appends first-seen slot addresses at tp while tp < tend.
 */
function countBody(): number[] {
  const [KP, M, CB, TP, TEND] = [0, 1, 2, 3, 4];
  const [KEY, A, N, ONES, DIST, MISS, E] = [5, 6, 7, 8, 9, 10, 11];
  const [BDM, X] = [12, 13];
  const LOG2E = Math.LOG2E;
  const c: number[] = [];
  c.push(...get(KP), ...get(M), ...i32c(4), ...shl, ...add, ...set(E));
  c.push(...block, ...loop);
  c.push(...get(KP), ...get(E), ...geU, ...brIf(1));
  c.push(...get(KP), ...i32load16u, ...set(KEY));
  c.push(...get(CB), ...get(KEY), ...i32c(2), ...shl, ...add, ...set(A));
  c.push(...get(A), ...i32load(), ...set(N));
  c.push(...get(A), ...get(N), ...i32c(1), ...add, ...i32store);
  c.push(...get(ONES), ...get(KEY), ...popcnt, ...add, ...set(ONES));
  c.push(...get(N), ...eqz, ...ifVoid);
  {
    c.push(...get(BDM), ...get(KEY), ...i32c(3), ...shl, ...f64loadAt(VALS), ...f64add, ...set(BDM));
    c.push(...inc(DIST, i32c(1)));
    c.push(...get(MISS), ...get(KEY), ...i32c(FLAGS), ...add, ...i32load8u, ...add, ...set(MISS));
    c.push(...get(TP), ...get(TEND), ...ltU, ...ifVoid, ...get(TP), ...get(A), ...i32store, ...inc(TP, i32c(4)), ...end);
  }
  c.push(...elseOp);
  {
    c.push(...get(N), ...i32c(65536), ...ltU, ...ifVoid);
    c.push(...get(BDM), ...get(N), ...i32c(3), ...shl, ...i32c(DLOG), ...add, ...f64load, ...f64add, ...set(BDM));
    c.push(...elseOp);
    // log2(1 + x), x = 1/n ≤ 2^−16: x − x²/2 + x³/3 − x⁴/4, relative error < x⁴/5 < 2^−66.
    c.push(...f64const(1), ...get(N), ...f64fromU32, ...f64div, ...set(X));
    c.push(...get(BDM), ...f64const(LOG2E), ...get(X), ...f64mul);
    c.push(...f64const(1), ...get(X), ...f64const(0.5), ...get(X), ...f64const(1 / 3), ...get(X), ...f64const(0.25), ...f64mul, ...f64sub, ...f64mul, ...f64sub, ...f64mul, ...f64sub);
    c.push(...f64mul, ...f64add, ...set(BDM));
    c.push(...end);
  }
  c.push(...end);
  c.push(...inc(KP, i32c(16)), ...br(0), ...end, ...end);
  c.push(...i32c(OUT), ...get(BDM), ...f64store(0));
  c.push(...i32c(OUT), ...get(ONES), ...i32storeAt(8));
  c.push(...i32c(OUT), ...get(DIST), ...i32storeAt(12));
  c.push(...i32c(OUT), ...get(MISS), ...i32storeAt(16));
  c.push(...get(TP));
  return funcBody(
    [
      [7, I32],
      [2, F64],
    ],
    c,
  );
}

/** zero(p, e): stores 0 at every u32 address listed in [p, e). */
function zeroBody(): number[] {
  const [P, E] = [0, 1];
  const c: number[] = [];
  c.push(...block, ...loop, ...get(P), ...get(E), ...geU, ...brIf(1));
  c.push(...get(P), ...i32load(), ...i32c(0), ...i32store, ...inc(P, i32c(4)), ...br(0), ...end, ...end);
  return funcBody([], c);
}

/** fill(p, n): n zero bytes at p (memory.fill). */
function fillBody(): number[] {
  return funcBody([], [...get(0), ...i32c(0), ...get(1), 0xfc, 0x0b, 0x00]);
}

/** The kernel module's bytes (imports memory e.m; exports k = keys, c = count, z = zero, f = fill). */
export function qubdModuleBytes(): Uint8Array<ArrayBuffer> {
  const tKeys = [0x60, 5, I32, I32, I32, I32, I32, 0x00];
  const tCount = [0x60, 5, I32, I32, I32, I32, I32, 0x01, I32];
  const tPair = [0x60, 2, I32, I32, 0x00];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [3, ...tKeys, ...tCount, ...tPair]),
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 0x00]),
    ...section(3, [4, 0, 1, 2, 2]),
    ...section(7, [4, ...str('k'), 0x00, 0, ...str('c'), 0x00, 1, ...str('z'), 0x00, 2, ...str('f'), 0x00, 3]),
    ...section(10, [4, ...keysBody(), ...countBody(), ...zeroBody(), ...fillBody()]),
  ];
  return new Uint8Array(bytes);
}

interface Kernel {
  readonly arena: Arena;
  readonly keys: (src: number, stride: number, nquads: number, shift: number, dst: number) => void;
  readonly count: (kp: number, m: number, cbase: number, tp: number, tend: number) => number;
  readonly zero: (p: number, e: number) => void;
  readonly fill: (p: number, n: number) => void;
  /** The values array last copied in (by identity). */
  values: Float64Array | null;
  flags: Uint8Array | null;
}

let compiled: WebAssembly.Module | null | undefined;
let kernel: Kernel | null = null;
let enabled = true;

/** Enables or disables the wasm kernel (tests compare it with the JS kernel). Internal. */
export function setWasmQubdEnabled(on: boolean): void {
  enabled = on;
}

function module(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    if (typeof WebAssembly === 'object') {
      const b = qubdModuleBytes();
      if (WebAssembly.validate(b)) compiled = new WebAssembly.Module(b);
    }
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Bytes readable past the codes' end: the last 4-block group of a row may read 32 bytes on. */
const SLACK = 64;

function kernelOn(arena: Arena): Kernel {
  if (kernel !== null && kernel.arena === arena) return kernel;
  const mod = module() as WebAssembly.Module;
  const ex = new WebAssembly.Instance(mod, { e: { m: arena.memory } }).exports as unknown as {
    k: Kernel['keys'];
    c: Kernel['count'];
    z: Kernel['zero'];
    f: Kernel['fill'];
  };
  const dlog = new Float64Array(arena.memory.buffer, DLOG, 65536);
  for (let n = 1; n < 65536; n++) dlog[n] = Math.log2(n + 1) - Math.log2(n);
  kernel = { arena, keys: ex.k, count: ex.c, zero: ex.z, fill: ex.f, values: null, flags: null };
  return kernel;
}

/**
 * `planeBdm` (kernel.ts) on the wasm kernel: adds every plane's 4×4-block BDM of `codes` (rows ×
 * cols, row-major, values < 2^bits) to `out`. Returns false, doing nothing, where WebAssembly
 * SIMD is unavailable (or disabled), so the caller runs the JS kernel.
 */
export function planeBdmWasm(
  codes: Uint16Array,
  rows: number,
  cols: number,
  bits: number,
  values: Float64Array,
  missingFlags: Uint8Array,
  out: PlaneTotals,
): boolean {
  if (!enabled || module() === null) return false;
  const n = rows * cols;
  const arena = arenaFor(2 * n + SLACK);
  if (arena === null) return false;
  const k = kernelOn(arena);
  const buf = arena.memory.buffer;
  let src: number;
  if (codes.buffer === buf && codes.byteOffset + 2 * n + SLACK <= buf.byteLength) {
    src = codes.byteOffset;
  } else {
    new Uint16Array(buf, ARENA_STATIC, n).set(codes.subarray(0, n));
    src = ARENA_STATIC;
  }
  if (k.values !== values) {
    new Float64Array(buf, VALS, 65536).set(values);
    k.values = values;
  }
  if (k.flags !== missingFlags) {
    new Uint8Array(buf, FLAGS, 65536).set(missingFlags);
    k.flags = missingFlags;
  }
  const res = new Float64Array(buf, OUT, 1);
  const resI = new Int32Array(buf, OUT + 8, 3);
  const br = Math.floor(rows / 4);
  const bc = Math.floor(cols / 4);
  const stride = 2 * cols;
  const seg = Math.min(bc, CHUNK);
  for (let shift = 0; shift < bits; shift += 8) {
    const planes = Math.min(8, bits - shift);
    let tp = TOUCHED;
    let j = 0;
    const flush = (): void => {
      for (let p = 0; p < planes; p++) {
        tp = k.count(KEYS + 2 * p, j, COUNTS + p * PLANE_BYTES, tp, TOUCHED_END);
        const plane = shift + p;
        out.bdm[plane] += res[0];
        out.ones[plane] += resI[0];
        out.distinct[plane] += resI[1];
        out.missing[plane] += resI[2];
      }
      j = 0;
    };
    for (let b = 0; b < br; b++) {
      const rowSrc = src + b * 4 * stride;
      for (let c0 = 0; c0 < bc; c0 += seg) {
        const nb = Math.min(seg, bc - c0);
        if (j + nb > CHUNK) flush();
        k.keys(rowSrc + 8 * c0, stride, (nb + 3) >>> 2, shift, KEYS + 16 * j);
        j += nb;
      }
    }
    if (j > 0) flush();
    if (tp < TOUCHED_END) k.zero(TOUCHED, tp);
    else k.fill(COUNTS, planes * PLANE_BYTES);
  }
  return true;
}
