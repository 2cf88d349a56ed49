/**
 * Generalization bounds from a model's complexity in bits: the finite-hypothesis Occam bound
 * (Lotfi et al. 2024, "Non-vacuous generalization bounds for large language models", eq. 2;
 * McAllester's Occam razor with prior P(h) = 2^−(K + 2·log₂K)) in its square-root (Hoeffding)
 * form, the same without ln 2 as written in DeMoss et al. ("The Complexity Dynamics of Grokking",
 * Eq. 4), and the tighter kl-inverse form (Langford & Seeger 2001; Langford 2005, Thm. 4.1).
 */
import { OckhamError } from '../errors.js';
import { assertInt, assertKnownOptions, assertNumber, assertOneOf } from '../util/validate.js';

/** Arguments of {@link generalizationBound}. */
export interface GeneralizationBoundArgs {
  /** Complexity K of the hypothesis in bits (e.g. a coarse-grained size), K ≥ 1. */
  readonly complexityBits: number;
  /** Empirical risk R̂ on the n training examples, in [0, lossRange]. */
  readonly empiricalRisk: number;
  /** Number of i.i.d. training examples, integer ≥ 1. */
  readonly n: number;
  /** Confidence parameter δ ∈ (0, 1): the bound holds with probability ≥ 1 − δ. */
  readonly delta: number;
  /** Range Δ of the bounded loss (loss ∈ [0, Δ]); default 1. */
  readonly lossRange?: number;
  /**
   * 'lotfi' (default): R̂ + Δ·√(((K + 2·log₂K)·ln 2 + ln(1/δ)) / (2n)).
   * 'paper': R̂ + Δ·√((K + 2·log₂K + ln(1/δ)) / (2n)) — DeMoss et al. Eq. 4, which adds the
   *   code length in bits to ln(1/δ) in nats; since ln 2 < 1 this is looser than 'lotfi' by up to
   *   a factor √(1/ln 2) ≈ 1.20 in the gap (it remains a valid, conservative bound).
   * 'kl': Δ·kl⁻¹(R̂/Δ, ((K + 2·log₂K)·ln 2 + ln(1/δ)) / n): the largest p with
   *   kl(R̂/Δ ‖ p) ≤ that value (Chernoff–Hoeffding tail + the same union bound); by Pinsker's
   *   inequality never looser than 'lotfi', and never above Δ.
   */
  readonly form?: 'lotfi' | 'paper' | 'kl';
}

/** Bernoulli KL divergence kl(q ‖ p) in nats, with 0·ln 0 = 0. @internal */
export function klBernoulli(q: number, p: number): number {
  let v = 0;
  if (q > 0) v += q * Math.log(q / p);
  if (q < 1) v += (1 - q) * Math.log((1 - q) / (1 - p));
  return v;
}

/**
 * Upper kl inverse: sup { p ∈ [q, 1] : kl(q ‖ p) ≤ b } by bisection to 1e-15 (kl(q‖·) is
 * increasing on [q, 1]). Returns the upper end of the final bracket, so it never understates. @internal
 */
export function klInverseUpper(q: number, b: number): number {
  if (b <= 0) return q;
  if (q >= 1) return 1;
  let lo = q;
  let hi = 1;
  for (let i = 0; i < 200 && hi - lo > 1e-15; i++) {
    const mid = 0.5 * (lo + hi);
    if (klBernoulli(q, mid) > b) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * A high-probability upper bound on the true risk of a hypothesis from its complexity in bits
 * (the finite-hypothesis Occam bound used by Lotfi et al. 2024 and DeMoss et al. 2024). With a
 * prefix-free code of K + 2·log₂K bits per hypothesis, P(h) = 2^−(K + 2·log₂K) is a valid prior,
 * and with probability ≥ 1 − δ over n i.i.d. examples, for every h simultaneously, the true risk R
 * of a loss bounded in [0, Δ] satisfies the bound of the chosen `form` (see
 * {@link GeneralizationBoundArgs.form}). The 'lotfi' and 'paper' forms can exceed Δ (vacuous).
 *
 * @param args - {@link GeneralizationBoundArgs}: `complexityBits` (bits), `empiricalRisk`, `n`,
 *   `delta`, optional `lossRange` (default 1) and `form` (default 'lotfi').
 * @returns The upper bound on the true risk, in the loss's units.
 * @throws {@link OckhamError} `OUT_OF_RANGE` naming the argument: K < 1, R̂ outside [0, Δ],
 *   n not an integer ≥ 1, δ outside (0, 1), Δ ≤ 0; `NON_FINITE` for NaN/∞; `INVALID_ARGUMENT`
 *   for an unknown form.
 * @example
 * ```ts
 * import { generalizationBound } from 'ockham';
 * generalizationBound({ complexityBits: 1000, empiricalRisk: 0.1, n: 10000, delta: 0.05 });
 * // ≈ 0.28841 = 0.1 + √(((1000 + 2·log₂1000)·ln 2 + ln 20) / 20000)
 * ```
 */
export function generalizationBound(args: GeneralizationBoundArgs): number {
  if (args === null || typeof args !== 'object') throw new OckhamError('INVALID_ARGUMENT', 'args', 'expected { complexityBits, empiricalRisk, n, delta }');
  assertKnownOptions(args, 'args', ['complexityBits', 'empiricalRisk', 'n', 'delta', 'lossRange', 'form']);
  const K = assertNumber(args.complexityBits, 'complexityBits', 1);
  const range = assertNumber(args.lossRange ?? 1, 'lossRange', 0, Infinity, { minExclusive: true });
  const risk = assertNumber(args.empiricalRisk, 'empiricalRisk', 0, range);
  const n = assertInt(args.n, 'n', 1, Number.MAX_SAFE_INTEGER);
  const delta = assertNumber(args.delta, 'delta', 0, 1, { minExclusive: true, maxExclusive: true });
  const form = assertOneOf(args.form ?? 'lotfi', 'form', ['lotfi', 'paper', 'kl'] as const);
  const codeBits = K + 2 * Math.log2(K);
  const logInvDelta = -Math.log(delta);
  if (form === 'paper') return risk + range * Math.sqrt((codeBits + logInvDelta) / (2 * n));
  const nats = codeBits * Math.LN2 + logInvDelta;
  if (form === 'lotfi') return risk + range * Math.sqrt(nats / (2 * n));
  return range * klInverseUpper(risk / range, nats / n);
}
