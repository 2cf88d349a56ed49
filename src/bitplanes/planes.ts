/**
 * Bit-plane decomposition of b-bit codes and its inverse.
 */
import { OckhamError } from '../errors.js';
import type { Shape } from '../util/validate.js';
import { as2d, assertInt, assertShapeMatches } from '../util/validate.js';
import type { BitPlane } from './types.js';
import { assertBitPlane, assertCodes } from './validate.js';

/**
 * Splits b-bit codes into b packed binary planes: plane p holds bit p of every code
 * (index 0 = least significant, b − 1 = most significant), on the 2-D view of the tensor.
 *
 * This is the QuBD decomposition (each plane's BDM is summed over planes): a tensor with more
 * than two dims is viewed as (dim0, product of the rest), row-major; a 1-D shape [n] as (1, n).
 * One pass over the codes builds every plane's words at once.
 *
 * @param codes - Codes in 0..2^bits − 1, row-major (not modified).
 * @param bits - Bits per code b, an integer in 1..16.
 * @param shape - Tensor shape; its product must equal codes.length.
 * @returns `bits` {@link BitPlane}s, LSB first, each rows × cols of the 2-D view.
 * @throws {@link OckhamError} `OUT_OF_RANGE` for bits outside 1..16 or naming the index of a
 *   code ≥ 2^bits; `SHAPE_MISMATCH` when the shape's product differs from codes.length;
 *   `INVALID_ARGUMENT` for a malformed shape or codes array; `EMPTY` for empty codes.
 * @example
 * ```ts
 * import { bitPlanes, unpackPlane } from 'ockham';
 * const planes = bitPlanes(new Uint16Array([0, 1, 2, 3]), 2, [2, 2]);
 * unpackPlane(planes[0]); // Uint8Array [0, 1, 0, 1]  (LSB)
 * unpackPlane(planes[1]); // Uint8Array [0, 0, 1, 1]  (MSB)
 * ```
 */
export function bitPlanes(codes: Uint16Array | Uint8Array, bits: number, shape: Shape): BitPlane[] {
  assertInt(bits, 'bits', 1, 16);
  assertCodes(codes, bits, 'codes');
  assertShapeMatches(codes.length, shape, 'codes', 'shape');
  const [rows, cols] = as2d(shape);
  return bitPlanesKernel(codes, bits, rows, cols);
}

/**
 * {@link bitPlanes} without validation, for callers whose codes are valid by construction
 * (e.g. straight from `quantize`).
 * @internal
 */
export function bitPlanesKernel(codes: Uint16Array | Uint8Array, bits: number, rows: number, cols: number): BitPlane[] {
  const stride = (cols + 31) >>> 5;
  const datas: Uint32Array[] = [];
  for (let p = 0; p < bits; p++) datas.push(new Uint32Array(rows * stride));
  const out = new Int32Array(16);
  const pad = new Uint16Array(32);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const wbase = r * stride;
    for (let w = 0; w < stride; w++) {
      const j0 = base + (w << 5);
      const count = cols - (w << 5);
      if (count >= 32) {
        transposeGroup(codes, j0, out);
      } else {
        // Row tail: zero-padded, so the unused low bits of the last word stay 0.
        pad.fill(0);
        for (let k = 0; k < count; k++) pad[k] = codes[j0 + k];
        transposeGroup(pad, 0, out);
      }
      const widx = wbase + w;
      for (let p = 0; p < bits; p++) datas[p][widx] = out[15 - p];
    }
  }
  const planes: BitPlane[] = [];
  for (let p = 0; p < bits; p++) planes.push({ rows, cols, stride, data: datas[p] });
  return planes;
}

/**
 * Bit-transposes 32 codes src[o..o+31] (each < 2^16) so that out[15 − p] holds bit p of every
 * code, code 0 in the MSB — plane p's packed word.
 *
 * Why this shape: it is the 32×32 bit-matrix transpose of Hacker's Delight (Warren, §7-3;
 * row k = code k, five butterfly stages), specialised to codes of at most 16 bits. Its first
 * stage (j = 16) then reduces to packing code k and code k + 16 into one word, rows 0..15 of the
 * result are all zero, and the remaining four stages (masks 0x00ff00ff … 0x55555555) act on the
 * 16 packed words only: 32 swap steps per 32 codes in registers, whatever the bit depth, instead
 * of one shift-and-or per code per plane.
 */
function transposeGroup(src: Uint16Array | Uint8Array, o: number, out: Int32Array): void {
  let r0 = (src[o + 0] << 16) | src[o + 16];
  let r1 = (src[o + 1] << 16) | src[o + 17];
  let r2 = (src[o + 2] << 16) | src[o + 18];
  let r3 = (src[o + 3] << 16) | src[o + 19];
  let r4 = (src[o + 4] << 16) | src[o + 20];
  let r5 = (src[o + 5] << 16) | src[o + 21];
  let r6 = (src[o + 6] << 16) | src[o + 22];
  let r7 = (src[o + 7] << 16) | src[o + 23];
  let r8 = (src[o + 8] << 16) | src[o + 24];
  let r9 = (src[o + 9] << 16) | src[o + 25];
  let r10 = (src[o + 10] << 16) | src[o + 26];
  let r11 = (src[o + 11] << 16) | src[o + 27];
  let r12 = (src[o + 12] << 16) | src[o + 28];
  let r13 = (src[o + 13] << 16) | src[o + 29];
  let r14 = (src[o + 14] << 16) | src[o + 30];
  let r15 = (src[o + 15] << 16) | src[o + 31];
  let t = 0;
  // stage 8: mask 0x00ff00ff
  t = (r0 ^ (r8 >>> 8)) & 0x00ff00ff; r0 ^= t; r8 ^= t << 8;
  t = (r1 ^ (r9 >>> 8)) & 0x00ff00ff; r1 ^= t; r9 ^= t << 8;
  t = (r2 ^ (r10 >>> 8)) & 0x00ff00ff; r2 ^= t; r10 ^= t << 8;
  t = (r3 ^ (r11 >>> 8)) & 0x00ff00ff; r3 ^= t; r11 ^= t << 8;
  t = (r4 ^ (r12 >>> 8)) & 0x00ff00ff; r4 ^= t; r12 ^= t << 8;
  t = (r5 ^ (r13 >>> 8)) & 0x00ff00ff; r5 ^= t; r13 ^= t << 8;
  t = (r6 ^ (r14 >>> 8)) & 0x00ff00ff; r6 ^= t; r14 ^= t << 8;
  t = (r7 ^ (r15 >>> 8)) & 0x00ff00ff; r7 ^= t; r15 ^= t << 8;
  // stage 4: mask 0x0f0f0f0f
  t = (r0 ^ (r4 >>> 4)) & 0x0f0f0f0f; r0 ^= t; r4 ^= t << 4;
  t = (r1 ^ (r5 >>> 4)) & 0x0f0f0f0f; r1 ^= t; r5 ^= t << 4;
  t = (r2 ^ (r6 >>> 4)) & 0x0f0f0f0f; r2 ^= t; r6 ^= t << 4;
  t = (r3 ^ (r7 >>> 4)) & 0x0f0f0f0f; r3 ^= t; r7 ^= t << 4;
  t = (r8 ^ (r12 >>> 4)) & 0x0f0f0f0f; r8 ^= t; r12 ^= t << 4;
  t = (r9 ^ (r13 >>> 4)) & 0x0f0f0f0f; r9 ^= t; r13 ^= t << 4;
  t = (r10 ^ (r14 >>> 4)) & 0x0f0f0f0f; r10 ^= t; r14 ^= t << 4;
  t = (r11 ^ (r15 >>> 4)) & 0x0f0f0f0f; r11 ^= t; r15 ^= t << 4;
  // stage 2: mask 0x33333333
  t = (r0 ^ (r2 >>> 2)) & 0x33333333; r0 ^= t; r2 ^= t << 2;
  t = (r1 ^ (r3 >>> 2)) & 0x33333333; r1 ^= t; r3 ^= t << 2;
  t = (r4 ^ (r6 >>> 2)) & 0x33333333; r4 ^= t; r6 ^= t << 2;
  t = (r5 ^ (r7 >>> 2)) & 0x33333333; r5 ^= t; r7 ^= t << 2;
  t = (r8 ^ (r10 >>> 2)) & 0x33333333; r8 ^= t; r10 ^= t << 2;
  t = (r9 ^ (r11 >>> 2)) & 0x33333333; r9 ^= t; r11 ^= t << 2;
  t = (r12 ^ (r14 >>> 2)) & 0x33333333; r12 ^= t; r14 ^= t << 2;
  t = (r13 ^ (r15 >>> 2)) & 0x33333333; r13 ^= t; r15 ^= t << 2;
  // stage 1: mask 0x55555555
  t = (r0 ^ (r1 >>> 1)) & 0x55555555; r0 ^= t; r1 ^= t << 1;
  t = (r2 ^ (r3 >>> 1)) & 0x55555555; r2 ^= t; r3 ^= t << 1;
  t = (r4 ^ (r5 >>> 1)) & 0x55555555; r4 ^= t; r5 ^= t << 1;
  t = (r6 ^ (r7 >>> 1)) & 0x55555555; r6 ^= t; r7 ^= t << 1;
  t = (r8 ^ (r9 >>> 1)) & 0x55555555; r8 ^= t; r9 ^= t << 1;
  t = (r10 ^ (r11 >>> 1)) & 0x55555555; r10 ^= t; r11 ^= t << 1;
  t = (r12 ^ (r13 >>> 1)) & 0x55555555; r12 ^= t; r13 ^= t << 1;
  t = (r14 ^ (r15 >>> 1)) & 0x55555555; r14 ^= t; r15 ^= t << 1;
  out[0] = r0;
  out[1] = r1;
  out[2] = r2;
  out[3] = r3;
  out[4] = r4;
  out[5] = r5;
  out[6] = r6;
  out[7] = r7;
  out[8] = r8;
  out[9] = r9;
  out[10] = r10;
  out[11] = r11;
  out[12] = r12;
  out[13] = r13;
  out[14] = r14;
  out[15] = r15;
}

/**
 * Rebuilds codes from bit-planes: code = Σ_p plane_p · 2^p (the inverse of {@link bitPlanes}).
 *
 * @param planes - 1..16 planes of equal dims, LSB first (not modified).
 * @returns A new `Uint16Array` of rows × cols codes, row-major.
 * @throws {@link OckhamError} `INVALID_ARGUMENT` for an empty list, more than 16 planes or a
 *   malformed plane; `SHAPE_MISMATCH` when plane dims differ.
 * @example
 * ```ts
 * import { planesToCodes, bitPlanes } from 'ockham';
 * const codes = new Uint16Array([5, 0, 7, 2]);
 * planesToCodes(bitPlanes(codes, 3, [4])); // Uint16Array [5, 0, 7, 2]
 * ```
 */
export function planesToCodes(planes: readonly BitPlane[]): Uint16Array {
  if (!Array.isArray(planes) || planes.length < 1 || planes.length > 16) {
    throw new OckhamError('INVALID_ARGUMENT', 'planes', `expected an array of 1..16 planes, got ${Array.isArray(planes) ? planes.length : typeof planes}`);
  }
  const first = assertBitPlane(planes[0], 'planes[0]');
  const { rows, cols, stride } = first;
  for (let p = 1; p < planes.length; p++) {
    const pl = assertBitPlane(planes[p], `planes[${p}]`);
    if (pl.rows !== rows || pl.cols !== cols) {
      throw new OckhamError('SHAPE_MISMATCH', `planes[${p}]`, `is ${pl.rows}×${pl.cols}; planes[0] is ${rows}×${cols}`);
    }
  }
  const out = new Uint16Array(rows * cols);
  for (let p = 0; p < planes.length; p++) {
    const data = planes[p].data;
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      const wbase = r * stride;
      for (let j = 0; j < cols; j++) {
        out[base + j] |= ((data[wbase + (j >>> 5)] >>> (31 - (j & 31))) & 1) << p;
      }
    }
  }
  return out;
}
