/**
 * Gradient of the spectral entropy with respect to the matrix entries.
 */
import type { FloatArray } from '../util/validate.js';
import { svdKernel } from './kernels.js';
import { assertNonZeroSpectrum, rankTolerance, readMatrix } from './svd.js';

/** Result of {@link spectralEntropyGradient}. */
export interface SpectralEntropyGradient {
  /** H in nats (as {@link spectralEntropy}). */
  readonly entropy: number;
  /** ∂H/∂M, row-major, same length and layout as the input. */
  readonly gradient: Float64Array;
  /** Number of singular values treated as zero (σᵢ ≤ max(m, n)·ε·σ₁); see the docs. */
  readonly zeroSingularValues: number;
}

/**
 * ∂H/∂M for the spectral entropy H = −Σ pᵢ ln pᵢ, pᵢ = σᵢ/Σσ (nats).
 *
 * H depends on M only through its singular values and is absolutely symmetric in them, so its
 * gradient is U·diag(∂H/∂σ)·Vᵀ (Lewis 1995, "The convex analysis of unitarily invariant matrix
 * functions", Thm. 3.1 / Cor. 2.5), with ∂H/∂σⱼ = −(ln pⱼ + H)/Σσ. The formula has no 1/(σᵢ − σⱼ)
 * terms, so repeated singular values are harmless: equal σ give equal ∂H/∂σ, and U·diag·Vᵀ does
 * not depend on the basis chosen inside their singular subspace.
 * Zero singular values: H is not differentiable there (−p ln p has infinite slope at p = 0). For
 * σⱼ ≤ max(m, n)·ε·σ₁ we set ∂H/∂σⱼ = 0, which returns the gradient of H restricted to
 * perturbations that stay inside the current row and column spaces (the derivative along every
 * direction δM with U₀ᵀ δM V₀ = 0 for the null singular pairs). It is finite and NaN-free.
 *
 * For a regulariser β·H add β·gradient to your loss gradient.
 *
 * @param matrix - row-major Float32Array or Float64Array; >2 dims viewed as (dim0, rest).
 * @param shape - the tensor's shape.
 * @returns `{ entropy, gradient, zeroSingularValues }`; gradient in nats per unit of matrix entry.
 * @throws OckhamError — bad matrix/shape; the zero matrix (`INVALID_ARGUMENT`, argument `matrix`):
 *   H is scale-invariant and undefined at 0, so no gradient exists there.
 * @example
 * ```ts
 * import { spectralEntropyGradient } from 'ockham';
 * const { entropy, gradient } = spectralEntropyGradient(new Float64Array([2, 0, 0, 1]), [2, 2]);
 * // entropy ≈ 0.6365; gradient ≈ [-0.0770, 0, 0, 0.1540]
 * ```
 */
export function spectralEntropyGradient(matrix: FloatArray, shape: readonly number[]): SpectralEntropyGradient {
  const [m, n] = readMatrix(matrix, shape);
  const f = svdKernel(matrix, m, n);
  const s = f.S;
  assertNonZeroSpectrum(s, 'the spectral entropy');
  const k = f.k;
  const tol = rankTolerance(s, m, n);
  let total = 0;
  for (let i = 0; i < k; i++) total += s[i];
  let h = 0;
  for (let i = 0; i < k; i++) {
    const p = s[i] / total;
    if (p > 0) h -= p * Math.log(p);
  }
  const g = new Float64Array(k);
  let zeros = 0;
  for (let i = 0; i < k; i++) {
    if (s[i] <= tol) {
      zeros++;
      continue;
    }
    g[i] = -(Math.log(s[i] / total) + h) / total;
  }
  // G = U diag(g) Vᵀ: for each row i, G[i,:] = Σ_l U[i,l] g_l Vt[l,:] (contiguous rows of Vt).
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ro = i * n;
    for (let l = 0; l < k; l++) {
      const c = f.U[i * k + l] * g[l];
      if (c === 0) continue;
      const rl = l * n;
      for (let j = 0; j < n; j++) out[ro + j] += c * f.Vt[rl + j];
    }
  }
  return { entropy: h, gradient: out, zeroSingularValues: zeros };
}
