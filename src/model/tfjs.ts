/**
 * A bridge from TensorFlow.js to the model adapter: a `LayersModel` plus its tfjs-core namespace
 * give the same {@link ModelAdapter} as the built-in model, with gradients from `tf.variableGrads`
 * — the LLC (or any adapter measure) of a tfjs model needs no hand-written gradient.
 * `@tensorflow/tfjs-core` / `-layers` are optional peers: this file imports neither; you pass them.
 */
import { OckhamError } from '../errors.js';
import { createRng } from '../util/random.js';
import { modelTensors, type ModelTensors, type NamedTensor } from '../util/model.js';
import { assertOneOf, type FloatArray } from '../util/validate.js';
import type { Batch, LossAndGrad, ModelAdapter, ParamInfo } from './types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Tf = any;
type LayersModel = any;

/** Options of {@link tfjsModel}. */
export interface TfjsModelOptions {
  /** `'crossEntropy'` (softmax cross-entropy on the model's outputs as logits, mean over samples) or `'mse'`. */
  readonly loss: 'crossEntropy' | 'mse';
  /** `'features'` (default: float inputs) or `'tokens'` (int32 ids, e.g. for an embedding first layer). */
  readonly inputs?: 'features' | 'tokens';
}

/**
 * Wraps a tfjs `LayersModel` as a {@link ModelAdapter}.
 *
 * Parameters are the model's trainable weights in `model.trainableWeights` order, named by their
 * tfjs names, shapes as tfjs stores them (a Dense kernel is [in, units], as in the built-in model).
 * `lossAndGrad` writes the flat vector into the variables (float32), runs `tf.variableGrads` on the
 * mean loss and reads the gradients back into float64. `init(seed)`: Glorot-uniform kernels
 * (tfjs's default), zero biases, N(0, 0.05²) embeddings (tfjs's default scale), drawn from
 * `createRng(seed)` (tfjs's own initialisers are not seedable per call). Computation is float32:
 * expect agreement with the float64 built-in model to ~1e-6 relative, not 1e-12.
 *
 * @param tf - The `@tensorflow/tfjs-core` namespace (with a backend registered, e.g. tfjs-backend-cpu).
 * @param model - A built `LayersModel` (e.g. `tf.sequential` from tfjs-layers).
 * @param options - {@link TfjsModelOptions}.
 * @returns A {@link ModelAdapter}.
 * @throws {@link OckhamError} when `tf` lacks `variableGrads`, the model has no trainable weights, or options are bad.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { tfjsModel, estimateLlc } from 'ockham';
 * const net = tfl.sequential({ layers: [tfl.layers.dense({ units: 8, activation: 'relu', inputShape: [3] }), tfl.layers.dense({ units: 2 })] });
 * const model = tfjsModel(tf, net, { loss: 'crossEntropy' });
 * const data = { inputs: new Float32Array([1, 2, 3, 0, 1, 0]), targets: new Int32Array([0, 1]), size: 2 };
 * const r = await estimateLlc({ model, data, weights: model.init(0), nBeta: 10, epsilon: 1e-4, draws: 50 });
 * ```
 */
export function tfjsModel(tf: Tf, model: LayersModel, options: TfjsModelOptions): ModelAdapter {
  if (tf === null || typeof tf !== 'object' || typeof tf.variableGrads !== 'function' || typeof tf.tensor !== 'function') {
    throw new OckhamError('INVALID_ARGUMENT', 'tf', "expected the '@tensorflow/tfjs-core' namespace (import * as tf from '@tensorflow/tfjs-core')");
  }
  const lossKind = assertOneOf(options?.loss, 'options.loss', ['crossEntropy', 'mse'] as const);
  const inputKind = assertOneOf(options?.inputs ?? 'features', 'options.inputs', ['features', 'tokens'] as const);
  const vars: any[] = model?.trainableWeights;
  if (!Array.isArray(vars) || vars.length === 0) throw new OckhamError('INVALID_ARGUMENT', 'model', 'expected a built tfjs LayersModel with trainable weights');
  const params: ParamInfo[] = [];
  let off = 0;
  for (const v of vars) {
    const shape = (v.shape as number[]).slice();
    const size = shape.reduce((a, b) => a * b, 1);
    params.push({ name: String(v.name), shape, offset: off, size });
    off += size;
  }
  const size = off;
  const inShape = (model.inputs?.[0]?.shape as (number | null)[]).slice(1) as number[];
  const inDim = inShape.reduce((a, b) => a * b, 1);
  const outShape = (model.outputs?.[0]?.shape as (number | null)[]).slice(1) as number[];
  const outputs = outShape.reduce((a, b) => a * b, 1);

  const check = (p: FloatArray): void => {
    if (!(p instanceof Float64Array || p instanceof Float32Array) || p.length !== size) {
      throw new OckhamError('SHAPE_MISMATCH', 'params', `expected a Float64Array/Float32Array of the model's ${size} parameters`);
    }
    for (let i = 0; i < size; i++) if (p[i] - p[i] !== 0) throw new OckhamError('NON_FINITE', 'params', `element ${i} is ${p[i]}`);
  };
  const load = (p: FloatArray): void => {
    check(p);
    params.forEach((q, i) => {
      const t = tf.tensor(Float32Array.from(p.subarray(q.offset, q.offset + q.size)), q.shape, 'float32');
      vars[i].write(t);
      t.dispose();
    });
  };
  const xTensor = (b: Pick<Batch, 'inputs' | 'size'>): any => {
    if (b === null || typeof b !== 'object' || !Number.isInteger(b.size) || b.size < 1 || b.inputs?.length !== b.size * inDim) {
      throw new OckhamError('SHAPE_MISMATCH', 'batch.inputs', `expected size × ${inDim} values`);
    }
    return inputKind === 'tokens' ? tf.tensor(Int32Array.from(b.inputs), [b.size, ...inShape], 'int32') : tf.tensor(Float32Array.from(b.inputs), [b.size, ...inShape], 'float32');
  };
  const yTensor = (b: Batch): any => {
    if (lossKind === 'crossEntropy') {
      if (b.targets?.length !== b.size) throw new OckhamError('SHAPE_MISMATCH', 'batch.targets', 'expected one class id per sample');
      const ids = tf.tensor1d(Int32Array.from(b.targets), 'int32');
      const oh = tf.oneHot(ids, outputs);
      ids.dispose();
      return oh;
    }
    if (b.targets?.length !== b.size * outputs) throw new OckhamError('SHAPE_MISMATCH', 'batch.targets', `expected size × ${outputs} values`);
    return tf.tensor(Float32Array.from(b.targets), [b.size, outputs], 'float32');
  };
  const lossOf = (x: any, y: any): any => {
    const out = model.apply(x, { training: false });
    const flat = tf.reshape(out, [-1, outputs]);
    return lossKind === 'crossEntropy' ? tf.losses.softmaxCrossEntropy(y, flat) : tf.losses.meanSquaredError(y, flat);
  };

  const lossAndGrad = (p: FloatArray, batch: Batch, gradOut?: Float64Array): LossAndGrad => {
    load(p);
    const x = xTensor(batch);
    const y = yTensor(batch);
    const { value, grads } = tf.variableGrads(() => lossOf(x, y), vars.map((v) => v.val ?? v));
    const g = gradOut ?? new Float64Array(size);
    if (g.length !== size) throw new OckhamError('SHAPE_MISMATCH', 'gradOut', `expected length ${size}`);
    vars.forEach((v, i) => {
      const key = (v.val ?? v).name;
      const t = grads[key];
      const data = t.dataSync() as Float32Array;
      const q = params[i];
      for (let k = 0; k < q.size; k++) g[q.offset + k] = data[k];
      t.dispose();
    });
    const loss = (value.dataSync() as Float32Array)[0];
    value.dispose();
    x.dispose();
    y.dispose();
    return { loss, grad: g };
  };
  const logits = (p: FloatArray, batch: Pick<Batch, 'inputs' | 'size'>): Float64Array => {
    load(p);
    const x = xTensor(batch);
    const out = model.apply(x, { training: false });
    const r = Float64Array.from(out.dataSync() as Float32Array);
    out.dispose();
    x.dispose();
    return r;
  };
  const evaluate = (p: FloatArray, batch: Batch): { loss: number; accuracy: number } => {
    const z = logits(p, batch);
    let sum = 0;
    let correct = 0;
    for (let r = 0; r < batch.size; r++) {
      if (lossKind === 'crossEntropy') {
        let mx = -Infinity;
        let arg = 0;
        for (let k = 0; k < outputs; k++) if (z[r * outputs + k] > mx) { mx = z[r * outputs + k]; arg = k; }
        let s = 0;
        for (let k = 0; k < outputs; k++) s += Math.exp(z[r * outputs + k] - mx);
        sum += mx + Math.log(s) - z[r * outputs + batch.targets[r]];
        if (arg === batch.targets[r]) correct++;
      } else {
        for (let k = 0; k < outputs; k++) sum += (z[r * outputs + k] - batch.targets[r * outputs + k]) ** 2;
      }
    }
    return lossKind === 'crossEntropy' ? { loss: sum / batch.size, accuracy: correct / batch.size } : { loss: sum / (batch.size * outputs), accuracy: NaN };
  };
  const init = (seed: number): Float64Array => {
    const rng = createRng(seed);
    const w = new Float64Array(size);
    for (const q of params) {
      const isBias = q.shape.length === 1;
      const isEmb = /embedding/i.test(q.name);
      if (isBias) continue;
      if (isEmb) {
        for (let i = 0; i < q.size; i++) w[q.offset + i] = 0.05 * rng.normal();
        continue;
      }
      const fanIn = q.shape.length >= 2 ? q.size / q.shape[q.shape.length - 1] : q.size;
      const fanOut = q.shape[q.shape.length - 1];
      const b = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < q.size; i++) w[q.offset + i] = b * (2 * rng.next() - 1);
    }
    return w;
  };
  const toTensors = (p: FloatArray): NamedTensor[] => {
    check(p);
    return params.map((q) => ({ name: q.name, shape: q.shape.slice(), data: Float64Array.from(p.subarray(q.offset, q.offset + q.size)) }));
  };
  const fromTensors = (t: ModelTensors): Float64Array => {
    const byName = new Map(modelTensors(t).map((x) => [x.name, x]));
    const out = new Float64Array(size);
    for (const q of params) {
      const x = byName.get(q.name);
      if (x === undefined || x.data.length !== q.size) throw new OckhamError('SHAPE_MISMATCH', 'tensors', `missing or mis-sized parameter '${q.name}'`);
      out.set(x.data, q.offset);
    }
    return out;
  };
  return {
    description: `tfjs LayersModel (${params.length} weights), ${lossKind}`,
    params,
    size,
    outputs,
    lossKind,
    init,
    loss: (p, b) => lossAndGrad(p, b).loss,
    lossAndGrad,
    logits,
    evaluate,
    toTensors,
    fromTensors,
  };
}
