/**
 * The singular-learning-theory description length n·L_n + λ·ln n − (m − 1)·ln ln n.
 */
import { OckhamError } from '../errors.js';
import { assertKnownOptions, assertNumber, assertOneOf } from '../util/validate.js';

/** Options of {@link llcDescriptionLength}. */
export interface LlcDescriptionLengthOptions {
  /** L_n(w*): empirical MEAN per-sample negative log-likelihood, in nats. */
  readonly empiricalLoss: number;
  /** λ: the (local) learning coefficient, e.g. {@link estimateLlc}'s `llc`. ≥ 0. */
  readonly llc: number;
  /** n: number of samples, > 1 (so that ln ln n is defined when m > 1, n > e). */
  readonly n: number;
  /** m: multiplicity of λ, a number ≥ 1. Default 1. */
  readonly multiplicity?: number;
  /** Unit of the result: `'bits'` (default) or `'nats'`. */
  readonly unit?: 'bits' | 'nats';
}

/**
 * Asymptotic description length of n samples under a singular model (Watanabe's free-energy
 * expansion; Urdshals et al. 2025, "Compressibility Measures Complexity: MDL meets SLT"):
 *
 *   DL = n·L_n + λ·ln n − (m − 1)·ln ln n   nats,   divided by ln 2 for bits.
 *
 * @param options - {@link LlcDescriptionLengthOptions}.
 * @returns The description length in the chosen unit (bits by default).
 * @throws {@link OckhamError} for a non-finite loss, λ < 0, n ≤ 1, m < 1, an unknown unit or option,
 *   and (argument `n`) for m > 1 with n ≤ e (ln ln n undefined or negative).
 * @example
 * ```ts
 * import { llcDescriptionLength } from 'ockham';
 * llcDescriptionLength({ empiricalLoss: 0.1, llc: 2.5, n: 1000, unit: 'nats' }); // 100 + 2.5·ln 1000
 * ```
 */
export function llcDescriptionLength(options: LlcDescriptionLengthOptions): number {
  assertKnownOptions(options, 'options', ['empiricalLoss', 'llc', 'n', 'multiplicity', 'unit']);
  if (options === undefined || options === null) {
    throw new OckhamError('INVALID_ARGUMENT', 'options', 'expected { empiricalLoss, llc, n }');
  }
  const loss = assertNumber(options.empiricalLoss, 'options.empiricalLoss');
  const llc = assertNumber(options.llc, 'options.llc', 0);
  const n = assertNumber(options.n, 'options.n', 1, Infinity, { minExclusive: true });
  const m = assertNumber(options.multiplicity ?? 1, 'options.multiplicity', 1);
  const unit = assertOneOf(options.unit ?? 'bits', 'options.unit', ['bits', 'nats'] as const);
  const lnn = Math.log(n);
  let nats = n * loss + llc * lnn;
  if (m > 1) {
    if (!(n > Math.E)) {
      throw new OckhamError('OUT_OF_RANGE', 'options.n', `multiplicity > 1 needs n > e so that ln ln n > 0, got ${n}`);
    }
    nats -= (m - 1) * Math.log(lnn);
  }
  return unit === 'nats' ? nats : nats / Math.LN2;
}
