/**
 * Types of the local-learning-coefficient estimator ({@link estimateLlc}).
 */
import type { FloatArray } from '../util/validate.js';
import type { Batch, ModelAdapter } from '../model/types.js';
import type { ModelTensors } from '../util/model.js';
import type { ProgressCallback } from '../util/abort.js';

/**
 * What a loss callback returns: the batch's MEAN per-sample loss (nats), and its gradient with
 * respect to the weights. Either return `{ loss, grad }` with a gradient array of the weights'
 * length, or write the gradient into the `gradOut` buffer you are handed and return `loss` alone
 * (a plain number or `{ loss }`) — the zero-allocation path.
 */
export type LossAndGradResult = number | { readonly loss: number; readonly grad?: ArrayLike<number> };

/**
 * Loss callback of {@link estimateLlc}: mean per-sample loss on batch `batchIndex` at weights `w`,
 * and its gradient. May be sync or async (the sampler awaits only when a Promise comes back).
 *
 * `w` and `gradOut` are the sampler's working buffers: read `w`, fill `gradOut` (or return your own
 * `grad`), and keep neither after returning — they are overwritten by the next step.
 */
export type LossAndGradFn = (
  w: Float64Array,
  batchIndex: number,
  gradOut: Float64Array,
) => LossAndGradResult | Promise<LossAndGradResult>;

/** Options of {@link estimateLlc}. */
export interface EstimateLlcOptions {
  /** Loss and gradient callback (see {@link LossAndGradFn}). Required unless `model` is given. */
  readonly lossAndGrad?: LossAndGradFn;
  /**
   * The trained weights w* around which the LLC is measured. Not modified. Required. With `model`:
   * the flat parameter vector, tensors in parameter order, or named tensors.
   */
  readonly weights: FloatArray | readonly number[] | ModelTensors | readonly FloatArray[];
  /**
   * A model adapter (e.g. `sequentialModel(...)`) instead of `lossAndGrad`: the loss and gradient
   * come from `model.lossAndGrad` on `data`, split into seeded minibatches of `batchSize`.
   */
  readonly model?: ModelAdapter;
  /** The samples the loss is averaged over (with `model`). Also sets n = data.size unless n/nBeta is given. */
  readonly data?: Batch;
  /**
   * Minibatch size with `model`: the data are shuffled once (seeded by `seed`) and cut into
   * ⌈size/batchSize⌉ batches, used in turn (`batches` is set accordingly). Default: full batch.
   */
  readonly batchSize?: number;
  /**
   * Dataset size n: sets nβ = n / ln n (the Watanabe/WBIC temperature). Give exactly one of
   * `n` and `nBeta`.
   */
  readonly n?: number;
  /**
   * Inverse temperature nβ directly. devinterp 1.x defaults to m/ln m with m the BATCH size;
   * published runs often fix nβ ≈ 30. Give exactly one of `n` and `nBeta`.
   */
  readonly nBeta?: number;
  /** `'sgld'` (default, devinterp's update) or `'mala'` (Metropolis-adjusted, full-batch only). */
  readonly sampler?: 'sgld' | 'mala';
  /** Step size ε (SGLD learning rate; MALA's initial step, adapted in burn-in). Default 1e-3. */
  readonly epsilon?: number;
  /** Localization strength γ of the prior (γ/2)‖w − w*‖². Default 0 (as in devinterp). */
  readonly gamma?: number;
  /** Number of independent chains. Default 4. */
  readonly chains?: number;
  /** Draws recorded per chain. Default 200. */
  readonly draws?: number;
  /** Steps discarded before the first draw. Default 0 (devinterp's default). */
  readonly burnIn?: number;
  /** Steps between recorded draws. Default 1. */
  readonly stepsBetweenDraws?: number;
  /**
   * Number of distinct batches; step s of every chain uses `batchIndex = s mod batches`.
   * Default 1 (full batch). MALA requires 1.
   */
  readonly batches?: number;
  /**
   * L(w*). Default: the mean over batchIndex 0..batches−1 of the callback's loss at w*.
   */
  readonly initLoss?: number;
  /** Which weights move (truthy = moves); the rest stay at w*. Default: all. */
  readonly mask?: ArrayLike<number | boolean>;
  /** MALA acceptance target for the burn-in step adaptation. Default 0.8. */
  readonly targetAcceptance?: number;
  /** Integer seed (0..2^53−1). Default 0. */
  readonly seed?: number;
  /**
   * Cancels the run: checked before the run, before every evaluation of L(w*) and before every
   * sampler step (burn-in included); the Promise rejects with `signal.reason` (a DOMException named
   * 'AbortError' unless the caller gave another reason). With a synchronous `lossAndGrad` the
   * sampler yields to the event loop about every 100 ms (only when a signal is given), so an abort
   * from a timer or another task is seen within about 100 ms plus one step. Results do not depend
   * on it.
   */
  readonly signal?: AbortSignal;
  /**
   * Progress in sampler steps (loss-and-gradient evaluations): `done` steps of
   * `total = chains × (burnIn + draws × stepsBetweenDraws)`, reported at the start of each chain and
   * then about every 1 % of a chain, with labels `'chain c · burn-in step s'` / `'chain c · draw k'`
   * (c from 0, as in `llcPerChain`); the last call is `(total, total, 'done')`. It never touches the
   * random streams: results are identical with and without it.
   */
  readonly onProgress?: ProgressCallback;
}

/** A diagnostic the estimator attaches to its result (warnings are data, never thrown). */
export interface LlcWarning {
  readonly code: 'SHORT_BURN_IN' | 'NEGATIVE_LLC' | 'BELOW_INIT_LOSS' | 'GAMMA_DOMINATES' | 'LOW_ACCEPTANCE';
  readonly message: string;
}

/** Result of {@link estimateLlc}. */
export interface LlcResult {
  /** λ̂ = nβ·(E[L(w)] − L(w*)), mean over chains (dimensionless). */
  readonly llc: number;
  /**
   * Standard error of `llc`: sd over chains / √chains with ≥ 2 chains; with one chain,
   * nβ·sd(trace)·√(τ/draws) from the integrated autocorrelation time τ.
   */
  readonly stdError: number;
  /** Per-chain λ̂ (devinterp's `llc-chain/i`). */
  readonly llcPerChain: Float64Array;
  /** Per-chain recorded losses (length `draws`), each the loss computed before that step. */
  readonly lossTraces: readonly Float64Array[];
  /** L(w*) used (nats, mean per-sample loss). */
  readonly initLoss: number;
  /** nβ used. */
  readonly nBeta: number;
  /** Sampler used. */
  readonly sampler: 'sgld' | 'mala';
  /** Step size used after burn-in, per chain (SGLD: ε; MALA: the adapted step). */
  readonly epsilon: Float64Array;
  /** Per-chain integrated autocorrelation time of the loss trace (in draws; Sokal window c = 5). */
  readonly autocorrelationTime: Float64Array;
  /** Per-chain effective sample size = draws / τ. */
  readonly effectiveSampleSize: Float64Array;
  /** Share of all recorded draws whose loss is below L(w*). */
  readonly fractionBelowInit: number;
  /**
   * SGLD: mean Metropolis–Hastings acceptance probability the post-burn-in steps WOULD have as MALA
   * proposals (exact for full batch; with minibatches, each end uses its own batch, as devinterp's
   * MALA-acceptance callback does). MALA: the realised acceptance rate after burn-in.
   */
  readonly malaAcceptance: number;
  /** Diagnostics: short burn-in, λ̂ < 0, draws below L(w*), γ large against nβ, low acceptance. */
  readonly warnings: readonly LlcWarning[];
}
