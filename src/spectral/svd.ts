/**
 * Public singular-value entry points: values only (hot path) and the thin SVD with factors.
 */
import { OckhamError } from '../errors.js';
import { as2d, assertFiniteFloats, assertKnownOptions, assertOneOf, assertShapeMatches, type FloatArray } from '../util/validate.js';
import { singularValuesKernel, svdKernel, type SvdFactors } from './kernels.js';
import { gramSingularValues } from './gram.js';

export type { SvdFactors } from './kernels.js';

/** Validates (matrix, shape) at the public boundary and returns the (rows, cols) 2-D view. */
export function readMatrix(matrix: unknown, shape: unknown): [number, number] {
  const x = assertFiniteFloats(matrix, 'matrix');
  assertShapeMatches(x.length, shape, 'matrix', 'shape');
  return as2d(shape as number[]);
}

/**
 * How singular values are computed when only σ is needed:
 * - `'gram'`: eigenvalues of the smaller of AᵀA / AAᵀ (one symmetric rank-k update in the
 *   WebAssembly SIMD kernels, then a blocked symmetric tridiagonal eigensolver). About half the
 *   flops of `'svd'` and 2–3× faster. Absolute error ~ε·σ₁² on σᵢ², so σᵢ carries ~ε·σ₁²/σᵢ:
 *   large σ are as accurate as the SVD's, and σᵢ below the noise floor √(max(m, n)·ε)·σ₁
 *   (≈ 8.3e-7·σ₁ for a 768×3072 matrix) are returned as exactly 0.
 * - `'svd'`: Householder bidiagonalisation + Golub–Kahan QR; absolute error O(ε·σ₁) on every σᵢ,
 *   so small singular values keep their digits.
 */
export type SpectralMethod = 'gram' | 'svd';

/** Options of the σ-only spectral functions. */
export interface SpectralMethodOptions {
  /** See {@link SpectralMethod}. */
  readonly method?: SpectralMethod;
}

/** Validates `options.method` (and no unknown keys besides `extra`); returns it or `fallback`. */
export function readMethod(options: unknown, fallback: SpectralMethod, extra: readonly string[] = []): SpectralMethod {
  assertKnownOptions(options, 'options', ['method', ...extra]);
  const m = (options as { method?: unknown } | undefined)?.method;
  if (m === undefined) return fallback;
  assertOneOf(m, 'options.method', ['gram', 'svd']);
  return m as SpectralMethod;
}

/** σ (descending) of a validated m×n matrix by `method`. @internal */
export function valuesBy(x: ArrayLike<number>, m: number, n: number, method: SpectralMethod): Float64Array {
  return method === 'gram' ? gramSingularValues(x, m, n) : singularValuesKernel(x, m, n);
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
 * @param options - `{ method?: 'svd' | 'gram' }` (default `'svd'`: this function is the accurate
 *   primitive; `'gram'` is 2–3× faster and loses σ below √(max(m, n)·ε)·σ₁, see
 *   {@link SpectralMethod}).
 * @returns min(m, n) singular values, descending, nonnegative, as a Float64Array (same units as
 *   the matrix entries).
 * @throws OckhamError — `matrix` not a finite float array (`NON_FINITE` / `INVALID_ARGUMENT` /
 *   `EMPTY`); `shape` invalid or not matching (`INVALID_ARGUMENT` / `SHAPE_MISMATCH`); unknown
 *   option or method (`UNKNOWN_OPTION` / `INVALID_ARGUMENT`).
 * @example
 * ```ts
 * import { singularValues } from 'ockham';
 * singularValues(new Float64Array([3, 0, 0, 4]), [2, 2]); // Float64Array [4, 3]
 * singularValues(new Float64Array([3, 0, 0, 4]), [2, 2], { method: 'gram' }); // [4, 3]
 * ```
 */
export function singularValues(matrix: FloatArray, shape: readonly number[], options?: SpectralMethodOptions): Float64Array {
  const [m, n] = readMatrix(matrix, shape);
  return valuesBy(matrix, m, n, readMethod(options, 'svd'));
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
