/**
 * Elementwise activations for the LMN's MLP evaluator, applied in place over a typed-array range.
 * @internal
 */
import type { LmnActivation } from './types.js';

const INV_SQRT2 = Math.SQRT1_2;
const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * erf(x) to ~1e-14 relative: Maclaurin series for |x| < 2.5 (terms peak near e^{x²} ≤ 520, so at
 * most ~3 digits of the 16 are lost), and for |x| ≥ 2.5 erfc by its Laplace continued fraction
 * (modified Lentz), which converges in a few dozen terms there.
 * @internal
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  // erfc(a) = e^{−a²}/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + …))))).
  const tiny = 1e-300;
  let f = ax;
  let c = ax;
  let d = 0;
  for (let k = 1; k < 200; k++) {
    const ak = k / 2;
    d = ax + ak * d;
    d = d === 0 ? tiny : d;
    c = ax + ak / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (f * Math.sqrt(Math.PI));
  return x > 0 ? 1 - erfc : erfc - 1;
}

/** Applies `act` in place to v[from..to). @internal */
export function applyActivation(act: LmnActivation, v: Float64Array, from: number, to: number): void {
  switch (act) {
    case 'identity':
      return;
    case 'relu':
      for (let i = from; i < to; i++) if (!(v[i] > 0)) v[i] = 0;
      return;
    case 'tanh':
      for (let i = from; i < to; i++) v[i] = Math.tanh(v[i]);
      return;
    case 'sigmoid':
      for (let i = from; i < to; i++) v[i] = 1 / (1 + Math.exp(-v[i]));
      return;
    case 'silu':
      for (let i = from; i < to; i++) v[i] = v[i] / (1 + Math.exp(-v[i]));
      return;
    case 'gelu':
      for (let i = from; i < to; i++) v[i] = 0.5 * v[i] * (1 + erf(v[i] * INV_SQRT2));
      return;
  }
}

/** The activations {@link applyActivation} knows. @internal */
export const ACTIVATIONS: readonly LmnActivation[] = ['identity', 'relu', 'gelu', 'silu', 'tanh', 'sigmoid'];
