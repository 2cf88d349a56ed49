/**
 * Single-image layouts of b-bit codes: each code's bits laid out as a small tile (interleaved
 * image) or as a run along its row (serial binarization).
 */
import { OckhamError } from '../errors.js';
import type { Shape } from '../util/validate.js';
import { as2d, assertInt, assertKnownOptions, assertShapeMatches } from '../util/validate.js';
import type { BitPlane } from './types.js';
import { assertCodes, emptyPlane } from './validate.js';

/**
 * The default tile of a b-bit code: the most nearly square th × tw with th · tw = b and th ≤ tw
 * (th = the largest divisor of b not above √b): 1→1×1, 2→1×2, 4→2×2, 6→2×3, 8→2×4, 9→3×3,
 * 12→3×4, 16→4×4; primes give 1×b.
 *
 * @param bits - Bits per code, 1..16.
 * @returns [th, tw].
 * @example
 * ```ts
 * import { defaultTile } from 'ockham';
 * defaultTile(8); // [2, 4]
 * ```
 */
export function defaultTile(bits: number): [number, number] {
  let th = 1;
  for (let d = 1; d * d <= bits; d++) if (bits % d === 0) th = d;
  return [th, bits / th];
}

/** Options of {@link interleavedBitImage}. */
export interface InterleavedOptions {
  /** Tile [th, tw] with th · tw = bits; default {@link defaultTile}(bits). */
  readonly tile?: readonly [number, number];
}

/**
 * Lays a b-bit tensor out as one binary image in which each weight becomes a th × tw tile of its
 * bits, MSB first in row-major tile order: tile cell (a, c) holds bit b − 1 − (a·tw + c).
 *
 * The image is (rows·th) × (cols·tw) for the 2-D view (dim0, rest) of `shape`. Unlike
 * {@link bitPlanes}, a BDM block on this image mixes several planes of neighbouring weights
 * (e.g. at b = 8 with 2×4 tiles a 4×4 block covers all 8 bits of 2 vertically adjacent weights).
 *
 * @param codes - Codes in 0..2^bits − 1, row-major (not modified).
 * @param bits - Bits per code, an integer in 1..16.
 * @param shape - Tensor shape; product must equal codes.length.
 * @param options - {@link InterleavedOptions}.
 * @returns A new plane of (rows·th) × (cols·tw) cells.
 * @throws {@link OckhamError} as {@link bitPlanes}, plus `INVALID_ARGUMENT` (argument
 *   `options.tile`) unless the tile is two positive integers with th · tw = bits.
 * @example
 * ```ts
 * import { interleavedBitImage, unpackPlane } from 'ockham';
 * const img = interleavedBitImage(new Uint16Array([0b1011]), 4, [1, 1]); // 2×2 tile
 * unpackPlane(img); // Uint8Array [1, 0, 1, 1]
 * ```
 */
export function interleavedBitImage(
  codes: Uint16Array | Uint8Array,
  bits: number,
  shape: Shape,
  options?: InterleavedOptions,
): BitPlane {
  assertKnownOptions(options, 'options', ['tile']);
  assertInt(bits, 'bits', 1, 16);
  let th: number;
  let tw: number;
  if (options?.tile !== undefined) {
    const t = options.tile;
    if (!Array.isArray(t) || t.length !== 2 || !Number.isInteger(t[0]) || !Number.isInteger(t[1]) || t[0] < 1 || t[1] < 1 || t[0] * t[1] !== bits) {
      throw new OckhamError('INVALID_ARGUMENT', 'options.tile', `expected [th, tw], positive integers with th · tw = bits (${bits}), got ${JSON.stringify(t)}`);
    }
    [th, tw] = t;
  } else {
    [th, tw] = defaultTile(bits);
  }
  assertCodes(codes, bits, 'codes');
  assertShapeMatches(codes.length, shape, 'codes', 'shape');
  const [rows, cols] = as2d(shape);
  return tileImage(codes, bits, rows, cols, th, tw);
}

/**
 * The lossless binarization of a b-bit tensor: each code written as b consecutive bits along
 * its row, MSB first, giving a rows × (cols·b) plane (the 1 × b tile of
 * {@link interleavedBitImage}).
 *
 * It keeps all information of the codes in one binary image, so its BDM is a valid upper bound
 * for the same quantity QuBD bounds plane by plane; QuBD's point is that the plane-wise bound is
 * tighter on structured weights.
 *
 * @param codes - Codes in 0..2^bits − 1, row-major (not modified).
 * @param bits - Bits per code, an integer in 1..16.
 * @param shape - Tensor shape; product must equal codes.length.
 * @returns A new rows × (cols·bits) plane.
 * @throws {@link OckhamError} as {@link bitPlanes}.
 * @example
 * ```ts
 * import { unpackPlane, serialBinarization } from 'ockham';
 * unpackPlane(serialBinarization(new Uint16Array([2, 1]), 2, [2])); // Uint8Array [1, 0, 0, 1]
 * ```
 */
export function serialBinarization(codes: Uint16Array | Uint8Array, bits: number, shape: Shape): BitPlane {
  assertInt(bits, 'bits', 1, 16);
  assertCodes(codes, bits, 'codes');
  assertShapeMatches(codes.length, shape, 'codes', 'shape');
  const [rows, cols] = as2d(shape);
  return tileImage(codes, bits, rows, cols, 1, bits);
}

/**
 * Writes each image row as a stream of tw-bit fields (tile row a of each code, left to right),
 * appending them into MSB-first words.
 */
function tileImage(
  codes: Uint16Array | Uint8Array,
  bits: number,
  rows: number,
  cols: number,
  th: number,
  tw: number,
): BitPlane {
  const plane = emptyPlane(rows * th, cols * tw);
  const { stride, data } = plane;
  const mask = (1 << tw) - 1;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let a = 0; a < th; a++) {
      const shift = bits - (a + 1) * tw; // tile row a holds bits shift + tw − 1 .. shift
      let widx = (r * th + a) * stride;
      let cur = 0;
      let fill = 0; // bits already in cur
      for (let j = 0; j < cols; j++) {
        const f = (codes[base + j] >>> shift) & mask;
        const end = fill + tw;
        if (end < 32) {
          cur |= f << (32 - end);
          fill = end;
        } else {
          // The field's top (tw − (end − 32)) bits complete this word; the rest start the next.
          const spill = end - 32;
          data[widx++] = cur | (f >>> spill);
          cur = spill === 0 ? 0 : f << (32 - spill);
          fill = spill;
        }
      }
      if (fill > 0) data[widx] = cur;
    }
  }
  return plane;
}
