/**
 * Exact learning coefficients of deep linear networks (Aoyagi 2024) and of reduced-rank regression
 * (Aoyagi & Watanabe 2005), the 2-layer case.
 */
import { OckhamError } from '../errors.js';
import { assertInt } from '../util/validate.js';

/**
 * The learning coefficient (real log canonical threshold) λ of a deep linear network
 * x ↦ W_L ⋯ W_1 x with layer widths H₁ (input), …, H_{L+1} (output), at a true map of rank r.
 *
 * Aoyagi, "Consideration on the learning efficiency of multiple-layered neural networks with
 * linear units", Neural Networks 172 (2024), Theorem 1: with Mₛ = Hₛ − r, take the set 𝓜 of the
 * ℓ + 1 (ℓ ≥ 1) smallest Mₛ such that max_{𝓜} M < min_{∉𝓜} M, Σ_{𝓜} M ≥ ℓ·max_{𝓜} M and
 * Σ_{𝓜} M < ℓ·min_{∉𝓜} M (conditions on the complement are vacuous when it is empty). Then with
 * S = Σ_{𝓜} M and a = S − ℓ·(⌈S/ℓ⌉ − 1),
 *
 *   λ = (−r² + r(H₁ + H_{L+1}))/2 + a(ℓ − a)/(4ℓ) − (ℓ(ℓ − 1)/4)·(S/ℓ)² + ½·Σ_{i<j ∈ 𝓜} MᵢMⱼ.
 *
 * For two layers this equals the reduced-rank-regression coefficient of Aoyagi & Watanabe (2005)
 * (verified against it in the tests), e.g. (M, H, N) = (5, 3, 5), r = 0 → 6.5.
 *
 * @param widths - Layer widths [H₁, …, H_{L+1}]: at least 2 integers ≥ 1 (input first).
 * @param rank - Rank r of the true product map, an integer in 0..min(widths).
 * @returns λ (dimensionless; the free-energy slope in nats per ln n).
 * @throws {@link OckhamError} `INVALID_ARGUMENT` (argument `widths`) for a non-array or fewer than two
 *   widths, `OUT_OF_RANGE` (`widths[i]`, `rank`) for non-integer or out-of-range values.
 * @example
 * ```ts
 * import { learningCoefficientDln } from 'ockham';
 * learningCoefficientDln([10, 5, 10], 5); // 37.5
 * learningCoefficientDln([4, 4, 4, 4], 2); // 7.5
 * ```
 */
export function learningCoefficientDln(widths: readonly number[], rank: number): number {
  if (!Array.isArray(widths) || widths.length < 2) {
    throw new OckhamError('INVALID_ARGUMENT', 'widths', 'expected an array of at least two layer widths (input first)');
  }
  let minH = Infinity;
  for (let i = 0; i < widths.length; i++) {
    assertInt(widths[i], `widths[${i}]`, 1, 2 ** 26);
    if (widths[i] < minH) minH = widths[i];
  }
  const r = assertInt(rank, 'rank', 0, minH);
  const m = widths.map((h) => h - r).sort((a, b) => a - b);
  const count = m.length;
  let sum = m[0];
  for (let k = 2; k <= count; k++) {
    sum += m[k - 1];
    const ell = k - 1;
    const maxIn = m[k - 1];
    const minOut = k < count ? m[k] : Infinity;
    if (!(maxIn < minOut)) continue;
    if (sum < ell * maxIn) continue;
    if (k < count && !(sum < ell * minOut)) continue;
    const a = sum - ell * (Math.ceil(sum / ell) - 1);
    let pairs = 0;
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) pairs += m[i] * m[j];
    // All terms over the common denominator 4ℓ: the numerator is an integer, so the result is the
    // correctly rounded rational (e.g. exactly 7.5, not 7.500000000000001).
    const numer =
      2 * ell * (-r * r + r * (widths[0] + widths[count - 1])) + a * (ell - a) - (ell - 1) * sum * sum + 2 * ell * pairs;
    return numer / (4 * ell);
  }
  // Theorem 1 guarantees the set exists; reaching here would be a bug, never a silent number.
  throw new OckhamError('UNSUPPORTED', 'widths', `no index set satisfies Aoyagi's conditions for [${widths.join(', ')}], r = ${r}`);
}

/**
 * Reduced-rank regression y = BAx, A ∈ ℝ^{H×M}, B ∈ ℝ^{N×H}, true rank r (Aoyagi & Watanabe 2005,
 * Main Theorem): λ and its multiplicity m. Used to cross-check {@link learningCoefficientDln}.
 * @internal
 */
export function reducedRankRegression(mIn: number, h: number, nOut: number, r: number): { lambda: number; multiplicity: number } {
  const M = mIn;
  const N = nOut;
  const H = h;
  if (N + r <= M + H && M + r <= N + H && H + r <= M + N) {
    const base = 2 * (H + r) * (M + N) - (M - N) ** 2 - (H + r) ** 2;
    if ((M + H + N + r) % 2 === 0) return { lambda: base / 8, multiplicity: 1 };
    return { lambda: (base + 1) / 8, multiplicity: 2 };
  }
  if (M + H < N + r) return { lambda: (H * M - H * r + N * r) / 2, multiplicity: 1 };
  if (N + H < M + r) return { lambda: (H * N - H * r + M * r) / 2, multiplicity: 1 };
  return { lambda: (M * N) / 2, multiplicity: 1 };
}
