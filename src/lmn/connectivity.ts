/**
 * LMN from a connectivity matrix: the exponentiated spectral entropy of L.
 */
import { OckhamError } from '../errors.js';
import { symmetricEigen } from '../spectral/index.js';
import { assertFiniteFloats, assertInt } from '../util/validate.js';
import type { LinearMappingNumberResult } from './types.js';

/**
 * Spectral entropy of L in bits: p = |eigenvalues| / Σ|eigenvalues|, dropping |λ| below
 * 1e-12·max|λ| (round-off of exact zeros), S = −Σ p·log₂ p.
 * @internal
 */
export function spectralEntropyBits(values: Float64Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  if (!(max > 0)) return 0;
  const cut = 1e-12 * max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (a >= cut) sum += a;
  }
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (a < cut) continue;
    const p = a / sum;
    s -= p * Math.log2(p);
  }
  return Math.max(s, 0);
}

/**
 * Linear mapping number of a connectivity matrix (Liu, Zhong & Tegmark 2023, "Grokking as
 * Compression: A Nonlinear Complexity Perspective"): p = |eigenvalues of L| normalised to sum 1
 * (eigenvalues below 1e-12 of the largest magnitude dropped as round-off), S = −Σ p·log₂ p bits,
 * LMN = 2^S.
 *
 * @param matrix - Symmetric m × m matrix, row-major (Float32Array/Float64Array, finite), e.g. the
 *   pairwise r² matrix of {@link linearMappingNumber}. Not modified.
 * @param m - Its dimension (integer ≥ 1); `matrix.length` must be m². Default √(matrix.length).
 * @returns `{ lmn, entropyBits }` (LMN dimensionless in [1, m]; S in bits).
 * @throws {@link OckhamError} for non-finite entries, a length not m², an asymmetric matrix
 *   (from the spectral solver), or a zero matrix (`INVALID_ARGUMENT`: no spectrum to normalise).
 * @example
 * ```ts
 * import { lmnFromConnectivity } from 'ockham';
 * // Three all-ones blocks of size 3: eigenvalues 3, 3, 3, 0, … → LMN = 3.
 * const m = 9, L = new Float64Array(m * m);
 * for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if ((i / 3 | 0) === (j / 3 | 0)) L[i * m + j] = 1;
 * lmnFromConnectivity(L, m).lmn; // 3
 * ```
 */
export function lmnFromConnectivity(matrix: Float32Array | Float64Array, m?: number): LinearMappingNumberResult {
  assertFiniteFloats(matrix, 'matrix');
  if (m === undefined) {
    m = Math.round(Math.sqrt(matrix.length));
    if (m * m !== matrix.length) {
      throw new OckhamError('SHAPE_MISMATCH', 'matrix', `length ${matrix.length} is not a perfect square; pass m`);
    }
  }
  assertInt(m, 'm', 1, 1 << 15);
  if (matrix.length !== m * m) {
    throw new OckhamError('SHAPE_MISMATCH', 'matrix', `length ${matrix.length} does not match m×m = ${m * m}`);
  }
  let any = false;
  for (let i = 0; i < matrix.length && !any; i++) any = matrix[i] !== 0;
  if (!any) throw new OckhamError('INVALID_ARGUMENT', 'matrix', 'all entries are zero: the spectrum cannot be normalised');
  const { values } = symmetricEigen(matrix, m);
  const entropyBits = spectralEntropyBits(values);
  return { lmn: 2 ** entropyBits, entropyBits };
}
