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
  // 32 codes at a time form a 32×32 bit matrix (row k = code k, whose bit p sits in column
  // 31 − p). One transpose (5 butterfly stages, independent of bits) turns it into rows whose
  // row 31 − p is bit p of codes 0..31 with code 0 in the MSB — exactly plane p's packed word.
  const acc = new Int32Array(32);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const wbase = r * stride;
    for (let w = 0; w < stride; w++) {
      const j0 = base + (w << 5);
      const count = Math.min(32, cols - (w << 5));
      for (let k = 0; k < count; k++) acc[k] = codes[j0 + k];
      for (let k = count; k < 32; k++) acc[k] = 0;
      transpose32(acc);
      const widx = wbase + w;
      for (let p = 0; p < bits; p++) datas[p][widx] = acc[31 - p];
    }
  }
  const planes: BitPlane[] = [];
  for (let p = 0; p < bits; p++) planes.push({ rows, cols, stride, data: datas[p] });
  return planes;
}

/**
 * In-place transpose of a 32×32 bit matrix stored as 32 words, row k = a[k], column 0 = MSB
 * (Hacker's Delight §7-3, recursive block swaps): afterwards bit (31 − j) of a[i] is the former
 * bit (31 − i) of a[j].
 */
function transpose32(a: Int32Array): void {
  let j = 16;
  let m = 0x0000ffff;
  while (j !== 0) {
    for (let k = 0; k < 32; k = (k + j + 1) & ~j) {
      const t = (a[k] ^ (a[k + j] >>> j)) & m;
      a[k] ^= t;
      a[k + j] ^= t << j;
    }
    j >>>= 1;
    m ^= m << j;
  }
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
