/**
 * Weight-quality metrics in the style of weightwatcher (Martin & Mahoney 2021) and the
 * continuous power-law fit of Clauset, Shalizi & Newman 2009.
 */
import { OckhamError } from '../errors.js';
import { assertFiniteFloats, assertInt, assertKnownOptions, assertNumber, type FloatArray } from '../util/validate.js';
import { rankTolerance, readMatrix, readMethod, valuesBy, type SpectralMethod } from './svd.js';

/** Result of {@link powerLawFit}. */
export interface PowerLawFit {
  /** MLE exponent α̂ = 1 + n_tail / Σ ln(xᵢ/xmin) of the density p(x) ∝ x^(−α), x ≥ xmin. */
  readonly alpha: number;
  /** Lower cut-off of the tail. */
  readonly xmin: number;
  /** Kolmogorov–Smirnov distance between the tail's empirical CDF and the fitted CDF. */
  readonly ksDistance: number;
  /** Number of samples ≥ xmin used in the fit. */
  readonly nTail: number;
  /** Standard error (α̂ − 1)/√n_tail (Clauset et al. Eq. 3.2). */
  readonly sigma: number;
}

/** Options of {@link powerLawFit}. */
export interface PowerLawOptions {
  /** Fix xmin instead of choosing it by minimum KS distance. */
  readonly xmin?: number;
  /** Smallest tail considered when scanning xmin (default 2). */
  readonly minTail?: number;
}

/**
 * MLE α and KS distance for the tail x[start..] of ascending data; `lx` holds ln x and `suffix`
 * the suffix sums of lx, so α costs O(1) and the KS scan O(tail) with one exp per sample.
 */
function fitSorted(x: Float64Array, lx: Float64Array, suffix: Float64Array, start: number): { alpha: number; ks: number } {
  const t = x.length - start;
  const lmin = lx[start];
  const sumLog = suffix[start] - t * lmin;
  if (!(sumLog > 0)) return { alpha: Infinity, ks: Infinity };
  const alpha = 1 + t / sumLog;
  const e = 1 - alpha;
  // Two-sided KS sup over the tail: the empirical CDF jumps from i/t to (i+1)/t at x_i.
  let ks = 0;
  for (let i = 0; i < t; i++) {
    const cdf = 1 - Math.exp(e * (lx[start + i] - lmin));
    const d = Math.max(Math.abs((i + 1) / t - cdf), Math.abs(i / t - cdf));
    if (d > ks) ks = d;
  }
  return { alpha, ks };
}

/**
 * Continuous power-law fit p(x) ∝ x^(−α), x ≥ xmin, by maximum likelihood with xmin chosen by
 * minimum Kolmogorov–Smirnov distance (Clauset, Shalizi & Newman 2009, Eq. 3.1 and §3.3 — the
 * method of the `powerlaw` package that weightwatcher calls).
 *
 * Every distinct sample value with at least `minTail` samples ≥ it is tried as xmin;
 * α̂ = 1 + n / Σ ln(xᵢ/xmin) (Eq. 3.1), and the xmin with the smallest two-sided KS distance
 * sup|S(x) − P(x)| between the tail's empirical and fitted CDFs wins (ties → smaller xmin).
 * O(N²) for N samples. Nonpositive samples are ignored.
 *
 * @param samples - positive samples (e.g. eigenvalues), any order; Float32Array or Float64Array.
 * @param options - `{ xmin?: number, minTail?: number }`.
 * @returns `{ alpha, xmin, ksDistance, nTail, sigma }` (α dimensionless, xmin in sample units).
 * @throws OckhamError — non-finite samples; fewer than `minTail` positive samples (`EMPTY`);
 *   all tail samples equal (`INVALID_ARGUMENT`: α undefined); bad options.
 * @example
 * ```ts
 * import { powerLawFit } from 'ockham';
 * const fit = powerLawFit(Float64Array.from({ length: 1000 }, (_, i) => (1 - (i + 0.5) / 1000) ** -1)); // Pareto α = 2
 * // fit.alpha ≈ 2
 * ```
 */
export function powerLawFit(samples: FloatArray, options?: PowerLawOptions): PowerLawFit {
  assertFiniteFloats(samples, 'samples');
  assertKnownOptions(options, 'options', ['xmin', 'minTail']);
  const minTail = options?.minTail === undefined ? 2 : assertInt(options.minTail, 'options.minTail', 2, 1e9);
  const fixed = options?.xmin === undefined ? undefined : assertNumber(options.xmin, 'options.xmin', 0, Infinity, { minExclusive: true });
  let count = 0;
  for (let i = 0; i < samples.length; i++) if (samples[i] > 0) count++;
  const x = new Float64Array(count);
  count = 0;
  for (let i = 0; i < samples.length; i++) if (samples[i] > 0) x[count++] = samples[i];
  x.sort();
  if (x.length < minTail) {
    throw new OckhamError('EMPTY', 'samples', `needs at least ${minTail} positive samples, got ${x.length}`);
  }
  let best = { alpha: Infinity, ks: Infinity, start: -1 };
  if (fixed !== undefined) {
    let start = 0;
    while (start < x.length && x[start] < fixed) start++;
    if (x.length - start < minTail) {
      throw new OckhamError('OUT_OF_RANGE', 'options.xmin', `leaves ${x.length - start} samples ≥ xmin; need ≥ ${minTail}`);
    }
    // Fit against the given xmin (which need not be a sample value).
    const t = x.length - start;
    let sumLog = 0;
    for (let i = start; i < x.length; i++) sumLog += Math.log(x[i] / fixed);
    if (!(sumLog > 0)) throw new OckhamError('INVALID_ARGUMENT', 'samples', 'all tail samples equal xmin: α is undefined');
    const alpha = 1 + t / sumLog;
    let ks = 0;
    for (let i = 0; i < t; i++) {
      const cdf = 1 - Math.pow(x[start + i] / fixed, 1 - alpha);
      ks = Math.max(ks, Math.abs((i + 1) / t - cdf), Math.abs(i / t - cdf));
    }
    return { alpha, xmin: fixed, ksDistance: ks, nTail: t, sigma: (alpha - 1) / Math.sqrt(t) };
  }
  const lx = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) lx[i] = Math.log(x[i]);
  const suffix = new Float64Array(x.length + 1);
  for (let i = x.length - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + lx[i];
  for (let start = 0; start <= x.length - minTail; start++) {
    if (start > 0 && x[start] === x[start - 1]) continue; // distinct candidates only
    const r = fitSorted(x, lx, suffix, start);
    if (r.ks < best.ks) best = { alpha: r.alpha, ks: r.ks, start };
  }
  if (best.start < 0) throw new OckhamError('INVALID_ARGUMENT', 'samples', 'all candidate tails are constant: α is undefined');
  const nTail = x.length - best.start;
  return { alpha: best.alpha, xmin: x[best.start], ksDistance: best.ks, nTail, sigma: (best.alpha - 1) / Math.sqrt(nTail) };
}

/** Result of {@link spectralMetrics}. λᵢ = σᵢ² are the eigenvalues of MᵀM. */
export interface SpectralMetrics {
  /** Singular values, descending. */
  readonly singularValues: Float64Array;
  /** ‖M‖₂ = σ₁. */
  readonly spectralNorm: number;
  /** ‖M‖_F = √Σσᵢ² (computed from the entries). */
  readonly frobeniusNorm: number;
  /** ‖M‖_F² / ‖M‖₂² (≥ 1; 0 for the zero matrix). */
  readonly stableRank: number;
  /** weightwatcher's log_spectral_norm: log₁₀ λ_max = log₁₀ σ₁² (−Infinity for the zero matrix). */
  readonly logSpectralNorm: number;
  /** weightwatcher's log_norm: log₁₀ Σλᵢ = log₁₀ ‖M‖_F². */
  readonly logFrobeniusNorm: number;
  /**
   * Numerical rank #{σᵢ > max(m, n)·ε·σ₁}. With the default Gram route, σ below its noise floor
   * √(max(m, n)·ε)·σ₁ are already 0, so this counts the σ above that floor.
   */
  readonly rank: number;
  /** Power-law exponent of the eigenvalue density of MᵀM (NaN-free: null when not fittable). */
  readonly alpha: number | null;
  /**
   * xmin of the fit (eigenvalue units), null when not fittable. When σ₁² is outside the double
   * range (entries near ±1e300 or 1e-310) the fit runs on λ/λ₁ and xmin = (that xmin)·σ₁², which
   * may then be Infinity or 0; α, the norms, stable rank and logs stay finite.
   */
  readonly xmin: number | null;
  /** KS distance of the fit, null when not fittable. */
  readonly ksDistance: number | null;
  /** Number of eigenvalues ≥ xmin, 0 when not fittable. */
  readonly nTail: number;
  /** weightwatcher's alpha_weighted: α·log₁₀ λ_max (null when α is). */
  readonly alphaWeighted: number | null;
  /** weightwatcher's log_alpha_norm: log₁₀ Σ λᵢ^α (null when α is). */
  readonly logAlphaNorm: number | null;
}

/**
 * Weight-quality metrics of one matrix, as weightwatcher reports them (Martin & Mahoney 2021,
 * "Implicit self-regularization in deep neural networks", JMLR; Martin, Peng & Mahoney 2021,
 * Nature Communications): spectral and Frobenius norms, stable rank, log norms, and the
 * power-law exponent α of the eigenvalues λ = σ² of MᵀM (unnormalised, as weightwatcher's
 * default), fitted by {@link powerLawFit} — continuous MLE with xmin minimising the KS distance.
 * Eigenvalues at or below the numerical-rank threshold are dropped before the fit. α is null when
 * fewer than `minTail` (default 2) nonzero eigenvalues remain or all are equal.
 *
 * @param matrix - row-major Float32Array or Float64Array; >2 dims viewed as (dim0, rest).
 * @param shape - the tensor's shape.
 * @param options - `{ minTail?: number, method?: 'gram' | 'svd' }`: `minTail` is forwarded to the
 *   power-law fit; `method` (default `'gram'`, see `SpectralMethod`) chooses how σ are computed —
 *   `'svd'` when σ below √(max(m, n)·ε)·σ₁ matter (they are 0 on the Gram route).
 * @returns {@link SpectralMetrics}; logs are base 10, norms in matrix-entry units.
 * @throws OckhamError — bad matrix/shape/options.
 * @example
 * ```ts
 * import { spectralMetrics } from 'ockham';
 * const m = spectralMetrics(new Float64Array([3, 0, 0, 4]), [2, 2]);
 * // m.spectralNorm === 4, m.frobeniusNorm === 5, m.stableRank === 25 / 16
 * ```
 */
export function spectralMetrics(
  matrix: FloatArray,
  shape: readonly number[],
  options?: { readonly minTail?: number; readonly method?: SpectralMethod },
): SpectralMetrics {
  const [m, n] = readMatrix(matrix, shape);
  const method = readMethod(options, 'gram', ['minTail']);
  const minTail = options?.minTail === undefined ? 2 : assertInt(options.minTail, 'options.minTail', 2, 1e9);
  const s = valuesBy(matrix, m, n, method);
  // Frobenius norm from the entries, scaled against overflow.
  let amax = 0;
  for (let i = 0; i < matrix.length; i++) amax = Math.max(amax, Math.abs(matrix[i]));
  let fro = 0;
  if (amax > 0) {
    let ss = 0;
    for (let i = 0; i < matrix.length; i++) {
      const v = matrix[i] / amax;
      ss += v * v;
    }
    fro = amax * Math.sqrt(ss);
  }
  const s1 = s[0];
  const tol = rankTolerance(s, m, n);
  let rank = 0;
  while (rank < s.length && s[rank] > tol) rank++;
  // λ = σ² overflows for σ₁ ≳ 1.3e154 and underflows (or loses digits as a subnormal) for
  // σ₁ ≲ 1e-154, although σ itself is finite: then the fit runs on λ/λ₁ (α is scale-invariant,
  // xmin is scaled back) and every log / ratio below is formed from σ, not from λ.
  const scaled = s1 > 1e150 || (s1 > 0 && s1 < 1e-150);
  const log10LambdaMax = s1 === 0 ? -Infinity : 2 * Math.log10(s1);
  let fit: PowerLawFit | null = null;
  if (rank >= minTail) {
    const evals = new Float64Array(rank);
    for (let i = 0; i < rank; i++) {
      const r = scaled ? s[i] / s1 : s[i];
      evals[i] = r * r;
    }
    let constant = true;
    for (let i = 1; i < rank; i++) if (evals[i] !== evals[0]) constant = false;
    if (!constant) {
      try {
        fit = powerLawFit(evals, { minTail });
        if (scaled) fit = { ...fit, xmin: fit.xmin * s1 * s1 };
      } catch (e) {
        if (!(e instanceof OckhamError)) throw e;
        fit = null;
      }
    }
  }
  let logAlphaNorm: number | null = null;
  if (fit) {
    // log₁₀ Σ λ^α computed as log₁₀ λ_max^α + log₁₀ Σ (λ/λ_max)^α to avoid overflow.
    let acc = 0;
    const lambdaMax = s1 * s1;
    for (let i = 0; i < rank; i++) acc += scaled ? Math.pow(s[i] / s1, 2 * fit.alpha) : Math.pow((s[i] * s[i]) / lambdaMax, fit.alpha);
    logAlphaNorm = fit.alpha * log10LambdaMax + Math.log10(acc);
  }
  const ratio = s1 === 0 ? 0 : fro / s1;
  return {
    singularValues: s,
    spectralNorm: s1,
    frobeniusNorm: fro,
    stableRank: ratio * ratio,
    logSpectralNorm: log10LambdaMax,
    logFrobeniusNorm: fro === 0 ? -Infinity : 2 * Math.log10(fro),
    rank,
    alpha: fit ? fit.alpha : null,
    xmin: fit ? fit.xmin : null,
    ksDistance: fit ? fit.ksDistance : null,
    nTail: fit ? fit.nTail : 0,
    alphaWeighted: fit ? fit.alpha * log10LambdaMax : null,
    logAlphaNorm,
  };
}
