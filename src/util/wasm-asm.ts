/**
 * A minimal WebAssembly assembler (no toolchain): LEB128 encoders, instruction encoders that each
 * return their bytes, function bodies and module sections. Shared by the hand-assembled SIMD
 * kernels (src/spectral/wasm-gemm.ts, src/quantize/quantize.ts). Internal, not public API.
 */
import { noteCompile, noteKernelCall, registerKernel } from '../backend.js';

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export const I32 = 0x7f;
export const V128 = 0x7b;

// Instruction encoders (each returns bytes).
export const get = (l: number): number[] => [0x20, ...uleb(l)];
export const set = (l: number): number[] => [0x21, ...uleb(l)];
export const i32c = (v: number): number[] => [0x41, ...sleb(v)];
export const add = [0x6a];
export const mul = [0x6c];
export const shl = [0x74];
export const and = [0x71];
export const sub = [0x6b];
export const geS = [0x4e];
export const gtS = [0x4a];
export const simd = (op: number): number[] => [0xfd, ...uleb(op)];
export const v128load = [...simd(0), 0x03, 0x00]; // align 2³ (hint only), offset 0
export const v128store = [...simd(11), 0x03, 0x00];
export const f64load = (off: number): number[] => [0x2b, 0x03, ...uleb(off)];
export const f64store = [0x39, 0x03, 0x00];
export const f64storeAt = (off: number): number[] => [0x39, 0x03, ...uleb(off)];
export const f64add = [0xa0];
export const splat = simd(20);
export const lane = (k: number): number[] => [...simd(33), k];
export const f2add = simd(240);
export const f2sub = simd(241);
export const f2mul = simd(242);
export const block = [0x02, 0x40];
export const loop = [0x03, 0x40];
export const end = [0x0b];
export const brIf = (d: number): number[] => [0x0d, ...uleb(d)];
export const br = (d: number): number[] => [0x0c, ...uleb(d)];

/** local ← local + (value bytes). */
export const inc = (l: number, by: number[]): number[] => [...get(l), ...by, ...add, ...set(l)];

export function funcBody(locals: [number, number][], code: number[]): number[] {
  const decl: number[] = [...uleb(locals.length)];
  for (const [count, type] of locals) decl.push(...uleb(count), type);
  const body = [...decl, ...code, ...end];
  return [...uleb(body.length), ...body];
}

export function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

export const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];

// More encoders shared by the kernels (memory immediates: alignment log2, then the offset).
export const tee = (l: number): number[] => [0x22, ...uleb(l)];
export const eqz = [0x45];
export const ne = [0x47];
export const ltU = [0x49];
export const geU = [0x4f];
export const clz = [0x67];
export const popcnt = [0x69];
export const shrU = [0x76];
export const select = [0x1b];
export const ifF64 = [0x04, 0x7c];
export const elseOp = [0x05];
export const i32load = (off = 0): number[] => [0x28, 0x02, ...uleb(off)];
export const i32storeAt = (off: number): number[] => [0x36, 0x02, ...uleb(off)];
export const i32store = i32storeAt(0);
export const f64const = (v: number): number[] => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)];
export const f64sub = [0xa1];
export const f64mul = [0xa2];
export const f64div = [0xa3];
export const f64fromU32 = [0xb8];
export const v128loadAt = (off: number): number[] => [...simd(0), 0x04, ...uleb(off)];
export const v128storeAt = (off: number): number[] => [...simd(11), 0x04, ...uleb(off)];
export const v128and = simd(78);
export const eq = [0x46];
export const gtU = [0x4b];
export const leU = [0x4d];
export const ifVoid = [0x04, 0x40];
export const ret = [0x0f];
export const i32load8u = (off = 0): number[] => [0x2d, 0x00, ...uleb(off)];
export const i32load16u = (off = 0): number[] => [0x2f, 0x01, ...uleb(off)];
export const i32store8 = (off = 0): number[] => [0x3a, 0x00, ...uleb(off)];
export const i32store16 = (off = 0): number[] => [0x3b, 0x01, ...uleb(off)];
export const I64 = 0x7e;
export const i64load = (off = 0): number[] => [0x29, 0x03, ...uleb(off)];
export const i64store = (off = 0): number[] => [0x37, 0x03, ...uleb(off)];
export const i64c = (v: number): number[] => [0x42, ...sleb(v)];
export const i64popcnt = [0x7b];
export const i64add = [0x7c];
export const i64sub = [0x7d];
export const i64and = [0x83];
export const i64or = [0x84];
export const i64xor = [0x85];
export const i64shl = [0x86];
export const i64shrU = [0x88];
export const i32wrapI64 = [0xa7];
export const i64extendU32 = [0xad];
export const memoryFill = [0xfc, 0x0b, 0x00];

/**
 * A lazily compiled module: `bytes()` is validated and compiled on the first call, and the
 * result (null where WebAssembly or the SIMD proposal is missing, or compilation throws) is
 * kept, so callers fall back to JS once and for all. The outcome is reported to `backend()`
 * (src/backend.ts), which also issues the one-time warning when compilation is blocked.
 */
export function lazyModule(bytes: () => Uint8Array<ArrayBuffer>): () => WebAssembly.Module | null {
  let compiled: WebAssembly.Module | null | undefined;
  const get = (): WebAssembly.Module | null => {
    if (compiled !== undefined) {
      if (compiled !== null) noteKernelCall();
      return compiled;
    }
    compiled = null;
    if (typeof WebAssembly !== 'object') {
      noteCompile('no-webassembly');
      return null;
    }
    let b: Uint8Array<ArrayBuffer>;
    try {
      b = bytes();
      if (!WebAssembly.validate(b)) {
        noteCompile('no-simd');
        return null;
      }
    } catch {
      return null;
    }
    try {
      compiled = new WebAssembly.Module(b);
    } catch (e) {
      // Valid bytes refused: compilation is blocked (a CSP without 'wasm-unsafe-eval').
      noteCompile('compile-blocked', e);
      return null;
    }
    noteKernelCall();
    return compiled;
  };
  registerKernel(get);
  return get;
}
