/**
 * A minimal WebAssembly assembler (no toolchain): LEB128 encoders, instruction encoders that each
 * return their bytes, function bodies and module sections. Shared by the hand-assembled SIMD
 * kernels (src/spectral/wasm-gemm.ts, src/quantize/quantize.ts). Internal, not public API.
 */

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
