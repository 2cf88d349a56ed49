/**
 * The model adapter: one plain object every model-dependent measure accepts.
 */
import type { FloatArray } from '../util/validate.js';
import type { NamedTensor, ModelTensors } from '../util/model.js';

/**
 * A batch of samples: `size` rows of model inputs and their targets.
 * - `inputs`: token ids (`size × tokens`, integers) for a model that starts with an embedding, or
 *   features (`size × features`, row-major) otherwise.
 * - `targets`: class ids (`size`, integers in 0..outputs−1) for cross-entropy, or `size × outputs`
 *   values for MSE.
 */
export interface Batch {
  readonly inputs: ArrayLike<number>;
  readonly targets: ArrayLike<number>;
  readonly size: number;
}

/** A named parameter of the flat parameter vector: `data = flat.subarray(offset, offset + size)`. */
export interface ParamInfo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

/** Loss and gradient at a point (the gradient has the adapter's `size`). */
export interface LossAndGrad {
  /** Mean per-sample loss (nats for cross-entropy). */
  readonly loss: number;
  readonly grad: Float64Array;
}

/**
 * The model adapter. Parameters travel as ONE flat Float64Array (the order and shapes of `params`);
 * `toTensors` / `fromTensors` convert to and from named tensors (what the file readers return and
 * the weight-only measures take).
 */
export interface ModelAdapter {
  /** A short description (e.g. "sequential: embedding(47×24) → dense(96) → relu → dense(47)"). */
  readonly description: string;
  /** Named parameters in flat order. */
  readonly params: readonly ParamInfo[];
  /** Total number of parameters. */
  readonly size: number;
  /** Outputs per sample (classes for cross-entropy). */
  readonly outputs: number;
  /** `'crossEntropy'` (mean softmax cross-entropy, nats) or `'mse'` (mean squared error per element). */
  readonly lossKind: 'crossEntropy' | 'mse';
  /** A seeded initialisation (the init spec of the model description); same seed, same bits. */
  init(seed: number): Float64Array;
  /** Mean loss on a batch. */
  loss(params: FloatArray, batch: Batch): number;
  /** Mean loss and its gradient; writes into `gradOut` when given (length `size`). */
  lossAndGrad(params: FloatArray, batch: Batch, gradOut?: Float64Array): LossAndGrad;
  /** Outputs (pre-softmax logits, or predictions for MSE), `size × outputs` row-major. */
  logits(params: FloatArray, batch: Pick<Batch, 'inputs' | 'size'>): Float64Array;
  /** Mean loss and accuracy (argmax = target; NaN for MSE). */
  evaluate(params: FloatArray, batch: Batch): { readonly loss: number; readonly accuracy: number };
  /** Named views of a flat vector (Float64Array copies). */
  toTensors(params: FloatArray): NamedTensor[];
  /** The flat vector of named tensors (names and shapes must match `params`). */
  fromTensors(tensors: ModelTensors): Float64Array;
  /**
   * Optional: the network's final run of dense layers (with their activations) as LMN layers
   * ([out, in] weights), and the map from model inputs to that run's input. The built-in model
   * provides it; {@link linearMappingNumber} uses it for `{ model, params }`. null when the model
   * does not end in a dense layer.
   */
  denseTail?(params: FloatArray): {
    readonly layers: readonly { weight: Float64Array; shape: [number, number]; bias?: Float64Array; activation: 'identity' | 'relu' | 'tanh' | 'gelu' }[];
    features(batch: Pick<Batch, 'inputs' | 'size'>): Float64Array;
    readonly inputDim: number;
  } | null;
}
