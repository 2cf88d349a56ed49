/**
 * bzip2 decoding's move-to-front stage in hand-assembled WebAssembly SIMD (used by
 * src/compress/bzip2-decode.ts; the JS loop there stays as the fallback and gives identical
 * output — test/compress/bzip2-wasm.test.ts checks both). Internal, not public API.
 *
 * Why: on float32 weights the MTF ranks of the mantissa bytes are near uniform on 0..255, and
 * bzip2's chunked list (16 chunks of 16, as in the C decoder) then costs two loops with random
 * trip counts per symbol — about 35 ns per symbol in JS on the 2-core Xeon we measured on (16 MiB of
 * floats: 590 ms of a 1.1 s decode). Here the 256-byte list is 16 aligned 16-byte vectors and
 * moving rank k to the front rewrites vectors 0 … ⌊k/16⌋ with one shuffle each (the vector
 * shifted by one byte, its lane 0 carried from the previous vector's lane 15); the vector
 * holding rank k is then bit-selected with a lane mask loaded from a table (lanes ≤ k mod 16
 * take the shifted bytes). Loads and stores are aligned and at the same addresses symbol after
 * symbol, so store-to-load forwarding always works. The symbol moved to the front
 * enters as the "previous vector" of vector 0, so no scalar store follows the vector stores.
 *
 * Memory: the module's own (imported) memory, sized for one block of the stream's level and
 * kept between calls: the list at {@link LIST}, the mask table at {@link MASKS}, the block's symbols (u16) at {@link SYMS}, the
 * output bytes after them (with 16 bytes of slack for the vector stores of zero runs). Never
 * grown (a new Memory instead; see src/util/wasm-arena.ts for why).
 */
import {
  I32, V128, add, and as and32, block, br, brIf, end, funcBody, geU, get, gtS, i32c, i32load16u, i32load8u, i32store8, ifVoid, lazyModule, leU, loop, ltU, mul as mul32, ret, section, set, shl, simd, str, sub, tee,
} from '../util/wasm-asm.js';

/** Byte address of the 256-byte MTF list (16-aligned). */
const LIST = 16;
/** Byte address of 16 bytes 0xff then 16 bytes 0 (lane masks, written at instantiation). */
const MASKS = 288;
/** Byte address of the symbols (u16). */
export const SYMS = 512;

const v128load = [...simd(0), 0x04, 0x00];
const v128store = [...simd(11), 0x04, 0x00];
const v128storeU = [...simd(11), 0x00, 0x00];
const v128loadU = [...simd(0), 0x00, 0x00];
/** Shuffle of (previous, current): lane 0 = previous lane 15, lane i = current lane i − 1. */
const CARRY = [15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30];
const shuffle = (lanes: number[]): number[] => [...simd(13), ...lanes];
const i8splat = simd(15);
const bitselect = simd(82);

/**
 * mtf(p, eob, out, maxBlock) → nblock, or −1 when the block would exceed maxBlock bytes.
 * Reads u16 symbols from p (RUNA 0, RUNB 1, rank + 1 for ranks 1 … eob − 2, and eob, which must
 * come last — the caller checks), updates the list at LIST and writes the block's bytes at out.
 */
function mtfBody(): number[] {
  const [P, EOB, OUT, MAXB] = [0, 1, 2, 3];
  const [SYM, RUN, W, O, NN, J, LIMIT, K32] = [4, 5, 6, 7, 8, 9, 10, 11];
  const [PREV, V, FILL] = [12, 13, 14];
  const c: number[] = [];
  c.push(...get(OUT), ...set(O), ...i32c(1), ...set(W));
  c.push(...get(OUT), ...get(MAXB), ...add, ...set(LIMIT));
  c.push(...block, ...loop); // depth: loop 0, block 1
  c.push(...get(P), ...i32load16u(), ...set(SYM), ...get(P), ...i32c(2), ...add, ...set(P));
  // RUNA / RUNB: run += (sym + 1)·w, w doubles.
  c.push(...get(SYM), ...i32c(2), ...ltU, ...ifVoid); // depth: if 0, loop 1, block 2
  c.push(...get(RUN), ...get(SYM), ...i32c(1), ...add, ...get(W), ...mul32, ...add, ...tee(RUN));
  c.push(...get(MAXB), ...gtS, ...ifVoid, ...i32c(-1), ...ret, ...end);
  c.push(...get(W), ...i32c(1), ...shl, ...set(W), ...br(1), ...end);
  // A pending run: `run` copies of the front symbol, 16 at a time (the slack absorbs overshoot).
  c.push(...get(RUN), ...ifVoid);
  c.push(...get(O), ...get(RUN), ...add, ...get(LIMIT), ...gtS, ...ifVoid, ...i32c(-1), ...ret, ...end);
  c.push(...i32c(LIST), ...i32load8u(), ...i8splat, ...set(FILL));
  c.push(...loop, ...get(O), ...get(FILL), ...v128storeU, ...get(O), ...i32c(16), ...add, ...set(O));
  c.push(...get(RUN), ...i32c(16), ...sub, ...tee(RUN), ...i32c(0), ...gtS, ...brIf(0), ...end);
  c.push(...get(O), ...get(RUN), ...add, ...set(O), ...i32c(0), ...set(RUN), ...i32c(1), ...set(W));
  c.push(...end);
  c.push(...get(SYM), ...get(EOB), ...geU, ...brIf(1));
  c.push(...get(O), ...get(LIMIT), ...geU, ...ifVoid, ...i32c(-1), ...ret, ...end);
  // Move rank nn = sym − 1 to the front: J = address of the vector holding rank nn.
  c.push(...get(SYM), ...i32c(1), ...sub, ...tee(NN), ...i32c(LIST), ...add, ...tee(J), ...i32load8u(), ...tee(SYM));
  c.push(...i8splat, ...set(PREV));
  c.push(...get(O), ...get(SYM), ...i32store8(), ...get(O), ...i32c(1), ...add, ...set(O));
  c.push(...get(J), ...i32c(-16), ...and32, ...set(J), ...i32c(LIST), ...set(K32));
  // Vectors below J: every byte moves up one lane (lane 0 from the previous vector's lane 15).
  c.push(...block, ...loop, ...get(K32), ...get(J), ...geU, ...brIf(1));
  c.push(...get(K32), ...v128load, ...set(V));
  c.push(...get(K32), ...get(PREV), ...get(V), ...shuffle(CARRY), ...v128store);
  c.push(...get(V), ...set(PREV), ...get(K32), ...i32c(16), ...add, ...set(K32), ...br(0), ...end, ...end);
  // Vector J: lanes ≤ nn mod 16 move (mask loaded from MASKS + 15 − nn mod 16), the rest stay.
  c.push(...get(J), ...v128load, ...set(V));
  c.push(...get(J), ...get(PREV), ...get(V), ...shuffle(CARRY), ...get(V));
  c.push(...i32c(MASKS + 15), ...get(NN), ...i32c(15), ...and32, ...sub, ...v128loadU, ...bitselect, ...v128store);
  c.push(...br(0), ...end, ...end);
  c.push(...get(O), ...get(OUT), ...sub);
  return funcBody(
    [
      [8, I32],
      [3, V128],
    ],
    c,
  );
}

/** The module's bytes (imports memory e.m; exports m = mtf). */
export function bzip2ModuleBytes(): Uint8Array<ArrayBuffer> {
  const tMtf = [0x60, 4, I32, I32, I32, I32, 0x01, I32];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, ...tMtf]),
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 0x00]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('m'), 0x00, 0]),
    ...section(10, [1, ...mtfBody()]),
  ];
  return new Uint8Array(bytes);
}

const module = lazyModule(bzip2ModuleBytes);

/** An instance on its own memory, with views. */
export interface MtfKernel {
  /** The list (256 bytes; the caller writes the initial order). */
  readonly list: Uint8Array;
  /** The symbols (room for maxBlock + 2; pass 1 writes them here). */
  readonly syms: Uint16Array;
  /** The block's bytes after {@link MtfKernel.run} (first nblock of them). */
  readonly out: Uint8Array;
  /** Runs the kernel over the symbols (ending with eob); the block's length, or −1 if over maxBlock. */
  readonly run: (eob: number, maxBlock: number) => number;
  /** The largest block it has room for. */
  readonly maxBlock: number;
}

let kernel: MtfKernel | null = null;
let mode: 'auto' | 'on' | 'off' = 'auto';

/**
 * 'auto' (default): the kernel for streams of ≥ {@link MIN_WASM_STREAM} bytes; 'on': always (tests
 * use it on small inputs); 'off': never (tests compare with the JS path). Internal.
 */
export function setBzip2WasmMode(m: 'auto' | 'on' | 'off'): void {
  mode = m;
}

/** Streams shorter than this (bytes) are decoded by the JS loop (instantiation is not free). */
export const MIN_WASM_STREAM = 16384;

/**
 * The kernel with room for blocks of maxBlock bytes, or null (no WebAssembly SIMD, disabled,
 * or a stream of fewer than {@link MIN_WASM_STREAM} bytes in 'auto' mode).
 */
export function mtfKernel(maxBlock: number, streamBytes: number): MtfKernel | null {
  if (mode === 'off' || (mode === 'auto' && streamBytes < MIN_WASM_STREAM)) return null;
  if (kernel !== null && kernel.maxBlock >= maxBlock) return kernel;
  const mod = module();
  if (mod === null) return null;
  const outAt = (SYMS + 2 * (maxBlock + 2) + 15) & ~15;
  const bytes = outAt + maxBlock + 32;
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  } catch {
    return null;
  }
  const ex = new WebAssembly.Instance(mod, { e: { m: memory } }).exports as unknown as {
    m: (p: number, eob: number, out: number, maxBlock: number) => number;
  };
  const buf = memory.buffer;
  new Uint8Array(buf, MASKS, 16).fill(0xff);
  kernel = {
    list: new Uint8Array(buf, LIST, 256),
    syms: new Uint16Array(buf, SYMS, maxBlock + 2),
    out: new Uint8Array(buf, outAt, maxBlock),
    run: (eob, mb) => ex.m(SYMS, eob, outAt, mb),
    maxBlock,
  };
  return kernel;
}
