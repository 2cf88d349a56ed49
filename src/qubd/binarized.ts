import { OckhamError } from '../errors.js';
import type { CtmTable } from '../ctm/types.js';
import { defaultTable } from '../ctm/default.js';
import { as2d, assertFiniteFloats, assertKnownOptions, assertOneOf, assertShapeMatches } from '../util/validate.js';
import type { Shape } from '../util/validate.js';
import { ctmBlockDecompose } from '../bdm/index.js';
import type { BdmResult } from '../bdm/index.js';
import { binarize } from '../bitplanes/index.js';

/** Options of {@link binarizedBdm}. */
export interface BinarizedBdmOptions {
  shape: Shape;
  /** 2-D CTM table (default: ockham's built-in `ctm2d`). */
  table?: CtmTable;
  /**
   * `'flatten'` (default): tensors with more than 2 dims are viewed as (dim0, rest), as QuBD does.
   * `'reference'`: the QuBD reference code's behaviour, which BDMs the unflattened tensor, so
   * every tensor with more than 2 dims scores 0 blocks and 0 bits.
   */
  semantics?: 'flatten' | 'reference';
}

/**
 * BDM (bits) of the binarized tensor 1[w > 0] on the same 2-D view QuBD uses — the baseline QuBD
 * is compared with. 4×4 blocks, pybdm's `ignore` partition.
 *
 * Reference: Zenil et al. 2018 (BDM); the QuBD reference code's `binarize` baseline.
 *
 * @returns `{ bdm, blocks, distinct, missing }` (bdm in bits).
 * @throws {OckhamError} NON_FINITE / EMPTY / SHAPE_MISMATCH / UNKNOWN_OPTION; OUT_OF_RANGE when the 2-D view has a side < 4.
 * @example
 * ```ts
 * import { binarizedBdm } from 'ockham';
 * const w = new Float32Array(16 * 16).map((_, i) => Math.sin(i));
 * console.log(binarizedBdm(w, { shape: [16, 16] }).bdm);
 * ```
 */
export function binarizedBdm(tensor: Float32Array | Float64Array, options: BinarizedBdmOptions): BdmResult {
  assertKnownOptions(options, 'options', ['shape', 'table', 'semantics']);
  assertFiniteFloats(tensor, 'tensor');
  assertShapeMatches(tensor.length, options.shape, 'tensor', 'options.shape');
  const semantics = assertOneOf(options.semantics ?? 'flatten', 'options.semantics', ['flatten', 'reference']);
  const table = options.table ?? defaultTable(2);
  if (semantics === 'reference' && options.shape.length > 2) {
    return { bdm: 0, ctm: 0, multiplicity: 0, blocks: 0, distinct: 0, missing: 0 };
  }
  const [rows, cols] = as2d(options.shape);
  if (rows < 4 || cols < 4) {
    throw new OckhamError('OUT_OF_RANGE', 'options.shape', `the 2-D view (${rows}, ${cols}) has a side < 4`);
  }
  return ctmBlockDecompose(binarize(tensor, [rows, cols]), { table });
}
