/** noisyWeights: θ + δ·N(0, 1), the noisy-weight training helper of DeMoss et al. (eq. 10). */
import { OckhamError } from '../errors.js';
import { modelTensors, type ModelTensors, type NamedTensor } from '../util/model.js';
import { createRng } from '../util/random.js';
import { assertFiniteFloats, assertNumber, type FloatArray } from '../util/validate.js';

function addNoise(x: FloatArray, delta: number, normal: () => number): FloatArray {
  const out = new (x instanceof Float32Array ? Float32Array : Float64Array)(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + delta * normal();
  return out;
}

/**
 * Adds i.i.d. Gaussian noise of standard deviation δ to weights: θ̃ = θ + δ·ε, ε ~ N(0, I) —
 * the noisy-weight training of DeMoss et al. ("The Complexity Dynamics of Grokking", eq. 10), which
 * evaluates the loss at perturbed weights so that training favours weights robust to a
 * coarse-graining of scale δ (the reference's `add_noise_to_params`, which multiplies N(0,1) by
 * the configured "variance" — a standard deviation in effect).
 *
 * One seeded stream (xoshiro128** + Box–Muller, `createRng(seed)`) is consumed in order: for a
 * model, tensor by tensor in input order. Inputs are never modified.
 *
 * @param x - A Float32Array/Float64Array, or a model (`NamedTensor[]` or record).
 * @param delta - Noise standard deviation δ ≥ 0 (units of the weights).
 * @param seed - Integer seed in 0..2^53−1.
 * @returns A new array of the same type, or `NamedTensor[]` with new arrays, same names/shapes.
 * @throws {@link OckhamError} for non-finite/empty weights, δ < 0 or non-finite, or a bad seed.
 * @example
 * ```ts
 * import { noisyWeights } from 'ockham';
 * const noisy = noisyWeights(new Float32Array([0.5, -0.25]), 0.01, 42); // ≈ [0.5 ± 0.01, −0.25 ± 0.01]
 * ```
 */
export function noisyWeights(x: FloatArray, delta: number, seed: number): FloatArray;
export function noisyWeights(x: ModelTensors, delta: number, seed: number): NamedTensor[];
export function noisyWeights(x: FloatArray | ModelTensors, delta: number, seed: number): FloatArray | NamedTensor[] {
  assertNumber(delta, 'delta', 0);
  const rng = createRng(seed);
  if (x instanceof Float32Array || x instanceof Float64Array) {
    assertFiniteFloats(x, 'x');
    return addNoise(x, delta, rng.normal);
  }
  if (ArrayBuffer.isView(x)) throw new OckhamError('INVALID_ARGUMENT', 'x', 'expected a Float32Array/Float64Array or a model of named tensors');
  const list = modelTensors(x as ModelTensors, 'x');
  for (const t of list) assertFiniteFloats(t.data, `x.${t.name}.data`);
  return list.map((t) => ({ name: t.name, shape: t.shape.slice(), data: addNoise(t.data, delta, rng.normal) }));
}
