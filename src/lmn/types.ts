/**
 * Types of the linear mapping number ({@link linearMappingNumber}).
 */
import type { FloatArray } from '../util/validate.js';
import type { ModelAdapter } from '../model/types.js';
import type { ProgressCallback } from '../util/abort.js';

/**
 * A model adapter and its flat parameters. With the built-in model the LMN measures its final run
 * of dense layers (inputs: the model's own batch `{ inputs, size }`, mapped to that run's input,
 * e.g. the concatenated embeddings); other adapters are evaluated through `logits` on feature inputs.
 */
export interface LmnModel {
  readonly model: ModelAdapter;
  readonly params: FloatArray;
}

/** Elementwise activations a layer may apply after its affine map. */
export type LmnActivation = 'identity' | 'relu' | 'gelu' | 'silu' | 'tanh' | 'sigmoid';

/**
 * A dense layer y = act(W·x + b), W stored row-major with shape [outputs, inputs] (PyTorch's
 * `nn.Linear.weight` layout).
 */
export interface LmnLayer {
  readonly weight: FloatArray;
  /** [outputs, inputs]. */
  readonly shape: readonly [number, number];
  /** Length `outputs`; default zeros. */
  readonly bias?: FloatArray;
  /** Default `'identity'`. `'gelu'` is the exact erf form x·Φ(x). */
  readonly activation?: LmnActivation;
}

/**
 * A batch-evaluation callback: `x` holds `count` inputs row-major (count × inputDim); return the
 * count × outputDim outputs row-major. Sync or async.
 */
export type LmnBatchFn = (x: Float64Array, count: number) => ArrayLike<number> | Promise<ArrayLike<number>>;

/** Samples: an array of equal-length rows, or a row-major matrix with its shape [m, d]. */
export type LmnSamples = readonly ArrayLike<number>[] | { readonly data: FloatArray; readonly shape: readonly [number, number] };

/** Options of {@link linearMappingNumber}. */
export interface LinearMappingNumberOptions {
  /** Points per segment, t = 0, 1/(P−1), …, 1. Integer ≥ 3. Default 21 (the paper's). */
  readonly points?: number;
  /**
   * Layers only: measure the map from the input of layer `fromLayer` to the output. The samples
   * are pushed through layers 0..fromLayer−1 first and the segments drawn between those
   * activations. The paper uses 1 (first hidden layer → logits). Default 0.
   */
  readonly fromLayer?: number;
  /** Also return the connectivity matrix L (m × m). Default false. */
  readonly returnMatrix?: boolean;
  /**
   * Cancels the run: checked before the run, between blocks of pairs (26 pairs for layers, about
   * 4096 rows per call for a callback) and before the eigendecomposition; the Promise rejects with
   * `signal.reason` (a DOMException named 'AbortError' unless the caller gave another reason). With
   * layers (synchronous arithmetic) the loop yields to the event loop about every 100 ms when a
   * signal is given, so an abort from a timer or another task is seen within about 100 ms plus one
   * block. The final m × m eigendecomposition is not interruptible.
   */
  readonly signal?: AbortSignal;
  /**
   * Progress in sample pairs: `done` of `total = m(m − 1)/2` pairs evaluated, label `'pairs'`,
   * reported at the start and then about every 1 % of the pairs; then
   * `(total, total, 'eigendecomposition')` before the eigensolve and `(total, total, 'done')` last.
   */
  readonly onProgress?: ProgressCallback;
}

/** Result of {@link linearMappingNumber} and {@link lmnFromConnectivity}. */
export interface LinearMappingNumberResult {
  /** LMN = 2^S, between 1 and the number of samples. */
  readonly lmn: number;
  /** S = −Σ p·log₂ p of the normalised |eigenvalues| of L, in bits. */
  readonly entropyBits: number;
  /** The m × m connectivity matrix, row-major (only when asked for). */
  readonly matrix?: Float64Array;
  /** Present (true) when every measured layer is affine: LMN = 1 by construction, whatever the weights. */
  readonly affine?: true;
  /** Why `affine` is set (code AFFINE_MAP). */
  readonly warning?: string;
}
