/**
 * Round half to even and the coarse-graining operator round(x/Δ)·Δ.
 */
import { OckhamError } from '../errors.js';
import { assertFiniteFloats, assertKnownOptions, assertNumber, assertOneOf } from '../util/validate.js';

/**
 * 1.5·2^52: adding and subtracting it rounds any |v| ≤ 2^51 to an integer in the current IEEE
 * rounding mode, which is round-half-to-even. Branch-free and exact; used by the hot loops.
 * @internal
 */
export const RHE_MAGIC = 6755399441055744;

/**
 * Rounds to the nearest integer, ties to even (IEEE 754 roundTiesToEven), as `torch.round` and
 * `numpy.round` do: 0.5 → 0, 1.5 → 2, 2.5 → 2, −0.5 → −0, −1.5 → −2.
 *
 * `Math.round` rounds ties toward +∞ instead, which biases quantization codes upward.
 *
 * @param v - Any number (NaN and ±∞ are returned unchanged).
 * @returns The integer nearest to `v`, ties to the even neighbour.
 * @example
 * ```ts
 * import { roundHalfEven } from 'ockham';
 * roundHalfEven(2.5); // 2
 * roundHalfEven(3.5); // 4
 * ```
 */
export function roundHalfEven(v: number): number {
  const r = Math.round(v); // floor(v + 0.5), exact
  // r − v is exactly 0.5 only at a tie; then step down if Math.round went to the odd neighbour.
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Options of {@link roundToStep}. */
export interface RoundToStepOptions {
  /**
   * `'float32'` (default): x/Δ, the rounding and the product in float32, as `torch.round(w / Δ) * Δ`
   * on a float32 tensor. `'float64'`: computed in double, stored to float32 once.
   */
  readonly arithmetic?: 'float32' | 'float64';
}

/**
 * Coarse-grains weights to a grid of step Δ: y = round(x/Δ)·Δ, round half to even.
 *
 * This is the coarse-graining operator of the grokking-complexity study (DeMoss et al., 2024,
 * "The Complexity Dynamics of Grokking"): weights are snapped to multiples of Δ, so larger Δ keeps
 * fewer distinguishable values. Unlike {@link quantize} there is no range and no clamping.
 *
 * @param x - Weights (not modified).
 * @param delta - Grid step Δ > 0, finite (same units as x). In float32 mode Δ is first rounded
 *   to float32 and must stay > 0.
 * @param options - {@link RoundToStepOptions}.
 * @returns A new `Float32Array` of the same length.
 * @throws {@link OckhamError} `NON_FINITE` naming the element index of a NaN/∞ in `x`; `EMPTY` for an
 *   empty `x`; `OUT_OF_RANGE` (argument `delta`) unless Δ > 0 and finite; `OUT_OF_RANGE`
 *   (argument `x`) when x/Δ overflows float32; `UNKNOWN_OPTION` for a misspelled option.
 * @example
 * ```ts
 * import { roundToStep } from 'ockham';
 * roundToStep(new Float32Array([0.26, -0.74, 0.25]), 0.5); // Float32Array [0.5, -0.5, 0]
 * ```
 */
export function roundToStep(x: Float32Array | Float64Array, delta: number, options?: RoundToStepOptions): Float32Array {
  assertKnownOptions(options, 'options', ['arithmetic']);
  const arithmetic = assertOneOf(options?.arithmetic ?? 'float32', 'options.arithmetic', ['float32', 'float64'] as const);
  assertFiniteFloats(x, 'x');
  assertNumber(delta, 'delta', 0, Infinity, { minExclusive: true });
  const n = x.length;
  const out = new Float32Array(n);
  if (arithmetic === 'float32') {
    const d = Math.fround(delta);
    if (d === 0) throw new OckhamError('OUT_OF_RANGE', 'delta', `Δ = ${delta} underflows to 0 in float32; use arithmetic: 'float64'`);
    for (let i = 0; i < n; i++) {
      const v = Math.fround(Math.fround(x[i]) / d);
      // |v| ≥ 2^23 is already an integer in float32, so only smaller values need rounding.
      let r = v < 8388608 && v > -8388608 ? v + RHE_MAGIC - RHE_MAGIC : v;
      if (r === 0) r = v * 0; // keep the sign of zero, as torch.round(−0.4) = −0
      const y = Math.fround(r * d);
      if (y - y !== 0) throw overflow(i, x[i], delta);
      out[i] = y;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = x[i] / delta;
      let r = v < 2251799813685248 && v > -2251799813685248 ? v + RHE_MAGIC - RHE_MAGIC : v;
      if (r === 0) r = v * 0;
      const y = Math.fround(r * delta);
      if (y - y !== 0) throw overflow(i, x[i], delta);
      out[i] = y;
    }
  }
  return out;
}

function overflow(i: number, v: number, delta: number): OckhamError {
  return new OckhamError('OUT_OF_RANGE', 'x', `element ${i} (${v}) / Δ (${delta}) rounds to a value that overflows float32`);
}
