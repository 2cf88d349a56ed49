/**
 * Packing 0/1 cells into planes, unpacking them, and the binarized baseline 1[w > 0].
 */
import { OckhamError } from '../errors.js';
import type { Shape } from '../util/validate.js';
import { as2d, assertFiniteFloats, assertShapeMatches } from '../util/validate.js';
import type { BitPlane } from './types.js';
import { assertBitPlane, emptyPlane } from './validate.js';

/**
 * Packs a row-major array of 0/1 cells into a {@link BitPlane} (MSB-first words).
 *
 * @param bits01 - Cells, each 0 or 1 (not modified).
 * @param shape - Shape; viewed as 2-D like {@link bitPlanes} ((dim0, rest); 1-D [n] as (1, n)).
 * @returns A new rows × cols plane.
 * @throws {@link OckhamError} `NOT_BINARY` naming the index of a value other than 0/1;
 *   `SHAPE_MISMATCH` when the shape's product differs from the length; `EMPTY` for an empty
 *   array; `INVALID_ARGUMENT` for a non-Uint8Array or malformed shape.
 * @example
 * ```ts
 * import { packBits } from 'ockham';
 * const plane = packBits(new Uint8Array([1, 0, 0, 1]), [2, 2]);
 * plane.data; // Uint32Array [0x80000000, 0x40000000]
 * ```
 */
export function packBits(bits01: Uint8Array, shape: Shape): BitPlane {
  if (!(bits01 instanceof Uint8Array)) throw new OckhamError('INVALID_ARGUMENT', 'bits01', 'expected a Uint8Array of 0/1');
  if (bits01.length === 0) throw new OckhamError('EMPTY', 'bits01', 'expected a non-empty array');
  let or = 0;
  for (let i = 0; i < bits01.length; i++) or |= bits01[i];
  if (or > 1) {
    for (let i = 0; i < bits01.length; i++) {
      if (bits01[i] > 1) throw new OckhamError('NOT_BINARY', 'bits01', `element ${i} is ${bits01[i]}; expected 0 or 1`);
    }
  }
  assertShapeMatches(bits01.length, shape, 'bits01', 'shape');
  const [rows, cols] = as2d(shape);
  return packValidated(bits01, rows, cols);
}

/**
 * Packs a 0/1 array already validated (rows × cols, row-major) into a {@link BitPlane}: the
 * kernel of {@link packBits}, shared with the BDM input path. @internal
 */
export function packValidated(bits01: Uint8Array, rows: number, cols: number): BitPlane {
  const plane = emptyPlane(rows, cols);
  const { stride, data } = plane;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let w = 0; w < stride; w++) {
      const j0 = w << 5;
      const count = Math.min(32, cols - j0);
      let word = 0;
      for (let k = 0; k < count; k++) word = (word << 1) | bits01[base + j0 + k];
      data[r * stride + w] = count === 32 ? word : word << (32 - count);
    }
  }
  return plane;
}

/**
 * Unpacks a plane into row-major 0/1 cells (the inverse of {@link packBits}).
 *
 * @param plane - A {@link BitPlane} (not modified).
 * @returns A new `Uint8Array` of rows × cols cells, each 0 or 1.
 * @throws {@link OckhamError} `INVALID_ARGUMENT`/`SHAPE_MISMATCH` for a malformed plane.
 * @example
 * ```ts
 * import { unpackPlane, packBits } from 'ockham';
 * unpackPlane(packBits(new Uint8Array([0, 1, 1]), [3])); // Uint8Array [0, 1, 1]
 * ```
 */
export function unpackPlane(plane: BitPlane): Uint8Array {
  const { rows, cols, stride, data } = assertBitPlane(plane, 'plane');
  const out = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const wbase = r * stride;
    for (let j = 0; j < cols; j++) out[base + j] = (data[wbase + (j >>> 5)] >>> (31 - (j & 31))) & 1;
  }
  return out;
}

/**
 * Number of 1 cells in a plane (population count over its words).
 *
 * @param plane - A {@link BitPlane} (not modified); its unused tail bits must be 0, as every
 *   ockham constructor leaves them.
 * @returns The count of ones.
 * @throws {@link OckhamError} for a malformed plane.
 * @example
 * ```ts
 * import { countOnes, packBits } from 'ockham';
 * countOnes(packBits(new Uint8Array([1, 0, 1, 1]), [4])); // 3
 * ```
 */
export function countOnes(plane: BitPlane): number {
  const { data } = assertBitPlane(plane, 'plane');
  let total = 0;
  for (let i = 0; i < data.length; i++) {
    let v = data[i];
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    total += (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
  }
  return total;
}

/**
 * The binarized tensor 1[w > 0] as a plane on the 2-D view (dim0, rest) — the baseline of
 * binarized BDM used by pybdm-style analyses and the QuBD paper (zeros and negatives → 0).
 *
 * @param x - Weights, row-major (not modified). Finite values.
 * @param shape - Shape; product must equal x.length. Viewed as (dim0, product of the rest);
 *   1-D [n] as (1, n).
 * @returns A new plane with cell = 1 exactly where w > 0.
 * @throws {@link OckhamError} `NON_FINITE` naming the index of a NaN/±∞; `EMPTY`;
 *   `SHAPE_MISMATCH`; `INVALID_ARGUMENT` for a non-float array or malformed shape.
 * @example
 * ```ts
 * import { unpackPlane, binarize } from 'ockham';
 * unpackPlane(binarize(new Float32Array([-1, 0, 2, 0.5]), [2, 2])); // Uint8Array [0, 0, 1, 1]
 * ```
 */
export function binarize(x: Float32Array | Float64Array, shape: Shape): BitPlane {
  assertFiniteFloats(x, 'x');
  assertShapeMatches(x.length, shape, 'x', 'shape');
  const [rows, cols] = as2d(shape);
  const plane = emptyPlane(rows, cols);
  const { stride, data } = plane;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let w = 0; w < stride; w++) {
      const j0 = w << 5;
      const count = Math.min(32, cols - j0);
      let word = 0;
      // +(x > 0), not a ternary: V8 compiles the ternary to a branch, mispredicted half the time on weights.
      for (let k = 0; k < count; k++) word = (word << 1) | +(x[base + j0 + k] > 0);
      data[r * stride + w] = count === 32 ? word : word << (32 - count);
    }
  }
  return plane;
}
