/**
 * Spectral entropy and effective rank (Roy & Vetterli 2007).
 */
import type { FloatArray } from '../util/validate.js';
import { assertNonZeroSpectrum, readMatrix, readMethod, valuesBy, type SpectralMethodOptions } from './svd.js';

/**
 * H = −Σ pᵢ ln pᵢ with pᵢ = σᵢ/Σσⱼ, in nats, from singular values (terms with pᵢ = 0 count 0,
 * their limit). Trusts its input: nonnegative values, not all zero.
 * @internal
 */
export function entropyOfValues(s: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < s.length; i++) total += s[i];
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    const p = s[i] / total;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

/**
 * Spectral entropy of a matrix: the Shannon entropy, in nats, of its normalised singular values.
 *
 * H(M) = −Σᵢ σ̄ᵢ ln σ̄ᵢ with σ̄ᵢ = σᵢ / Σⱼ σⱼ (Roy & Vetterli 2007, "The effective rank", Eq. 2;
 * used as a complexity measure and regulariser by DeMoss et al. 2024, "The complexity dynamics of
 * grokking"). Terms with σᵢ = 0 contribute 0 (their limit). Unlike the grokking reference code,
 * no ε is added inside the logarithm, so the value is exact: identity n×n → ln n, rank 1 → 0.
 * Range [0, ln min(m, n)].
 *
 * @param matrix - row-major Float32Array or Float64Array; >2 dims viewed as (dim0, rest).
 * @param shape - the tensor's shape.
 * @param options - `{ method?: 'gram' | 'svd' }`: default `'gram'` (σ from the eigenvalues of the
 *   smaller Gram matrix; σ below √(max(m, n)·ε)·σ₁ count as 0, which moves H by far less than
 *   1e-9 relative on matrices without such σ; see `SpectralMethod`); `'svd'` keeps every σ.
 * @returns H in nats (divide by ln 2 for bits).
 * @throws OckhamError — bad matrix/shape (see {@link singularValues}); the zero matrix
 *   (`INVALID_ARGUMENT`, argument `matrix`): σ̄ is undefined when Σσ = 0.
 * @example
 * ```ts
 * import { spectralEntropy } from 'ockham';
 * spectralEntropy(new Float64Array([1, 0, 0, 1]), [2, 2]); // ln 2 ≈ 0.6931
 * ```
 */
export function spectralEntropy(matrix: FloatArray, shape: readonly number[], options?: SpectralMethodOptions): number {
  const [m, n] = readMatrix(matrix, shape);
  const s = valuesBy(matrix, m, n, readMethod(options, 'gram'));
  assertNonZeroSpectrum(s, 'the spectral entropy');
  return entropyOfValues(s);
}

/**
 * Effective rank exp(H) of a matrix (Roy & Vetterli 2007, Def. 1), H the spectral entropy in nats.
 *
 * A real number in [1, min(m, n)]: n for the n×n identity, 1 for any rank-1 matrix.
 *
 * @param matrix - row-major Float32Array or Float64Array; >2 dims viewed as (dim0, rest).
 * @param shape - the tensor's shape.
 * @param options - `{ method?: 'gram' | 'svd' }`, as {@link spectralEntropy} (default `'gram'`).
 * @returns exp(H) (dimensionless).
 * @throws OckhamError — as {@link spectralEntropy} (the zero matrix throws).
 * @example
 * ```ts
 * import { effectiveRank } from 'ockham';
 * effectiveRank(new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), [3, 3]); // 3
 * ```
 */
export function effectiveRank(matrix: FloatArray, shape: readonly number[], options?: SpectralMethodOptions): number {
  return Math.exp(spectralEntropy(matrix, shape, options));
}
