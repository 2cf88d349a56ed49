/**
 * Public singular-value entry points: values only (hot path) and the thin SVD with factors.
 */
import { OckhamError } from '../errors.js';
import { as2d, assertFiniteFloats, assertShapeMatches, type FloatArray } from '../util/validate.js';
import { singularValuesKernel, svdKernel, type SvdFactors } from './kernels.js';

export type { SvdFactors } from './kernels.js';

/** Validates (matrix, shape) at the public boundary and returns the (rows, cols) 2-D view. */
export function readMatrix(matrix: unknown, shape: unknown): [number, number] {
  const x = assertFiniteFloats(matrix, 'matrix');
  assertShapeMatches(x.length, shape, 'matrix', 'shape');
  return as2d(shape as number[]);
}

/** Numerical-rank threshold max(m, n)·ε·σ₁ (the LAPACK / `numpy.linalg.matrix_rank` default). */
export function rankTolerance(s: Float64Array, m: number, n: number): number {
  return s.length === 0 ? 0 : Math.max(m, n) * 2.220446049250313e-16 * s[0];
}

/** Throws a typed error when every singular value is zero (quantities normalised by Σσ are undefined). */
export function assertNonZeroSpectrum(s: Float64Array, what: string): void {
  if (s.length === 0 || s[0] === 0) {
    throw new OckhamError('INVALID_ARGUMENT', 'matrix', `is the zero matrix: ${what} is undefined (Σσ = 0)`);
  }
}

/**
 * All singular values of a matrix, descending.
 *
 * Householder bidiagonalisation + implicit-shift Golub–Kahan QR (Golub & Van Loan, *Matrix
 * Computations*, Alg. 5.4.2 and 8.6.2), with a QR pre-reduction when the matrix is far from square
 * (Chan 1982). Backward stable: each σᵢ carries an absolute error O(ε·σ₁).
 *
 * @param matrix - row-major Float32Array or Float64Array (finite); tensors with more than two
 *   dims are viewed as (shape[0], product of the rest), a 1-D vector as (1, n). Not modified.
 * @param shape - the tensor's shape; its product must equal `matrix.length`.
 * @returns min(m, n) singular values, descending, nonnegative, as a Float64Array (same units as
 *   the matrix entries).
 * @throws OckhamError — `matrix` not a finite float array (`NON_FINITE` / `INVALID_ARGUMENT` /
 *   `EMPTY`); `shape` invalid or not matching (`INVALID_ARGUMENT` / `SHAPE_MISMATCH`).
 * @example
 * ```ts
 * import { singularValues } from 'ockham';
 * singularValues(new Float64Array([3, 0, 0, 4]), [2, 2]); // Float64Array [4, 3]
 * ```
 */
export function singularValues(matrix: FloatArray, shape: readonly number[]): Float64Array {
  const [m, n] = readMatrix(matrix, shape);
  return singularValuesKernel(matrix, m, n);
}

/**
 * Thin singular value decomposition M = U·diag(S)·Vt.
 *
 * Same method as {@link singularValues} with the Householder reflectors and QR rotations
 * accumulated (Golub & Van Loan, Alg. 8.6.2); about 5–10× the cost of values only.
 *
 * @param matrix - row-major Float32Array or Float64Array (finite); >2 dims viewed as (dim0, rest).
 * @param shape - the tensor's shape.
 * @returns `{ U, S, Vt, m, n, k }` with k = min(m, n): U is m×k row-major with orthonormal
 *   columns, S the k singular values descending, Vt is k×n row-major with orthonormal rows
 *   (all Float64Array).
 * @throws OckhamError — as {@link singularValues}.
 * @example
 * ```ts
 * import { svd } from 'ockham';
 * const { U, S, Vt, k } = svd(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * // S ≈ [9.508, 0.7729]; U is 2×2, Vt is 2×3
 * ```
 */
export function svd(matrix: FloatArray, shape: readonly number[]): SvdFactors {
  const [m, n] = readMatrix(matrix, shape);
  return svdKernel(matrix, m, n);
}
