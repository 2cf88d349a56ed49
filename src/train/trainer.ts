/**
 * A reference trainer for the model adapter: AdamW (decoupled weight decay, PyTorch convention),
 * seeded minibatches, an optional spectral-entropy regulariser (DeMoss et al.), checkpoints with
 * their train/test loss and accuracy. Deterministic: same inputs and seed, same bits.
 */
import { OckhamError } from '../errors.js';
import { serializeSafetensors, parseSafetensors } from '../io/safetensors.js';
import { assertBatch, assertModel, flatWeights, selectRows } from '../model/adapter-util.js';
import type { Batch, ModelAdapter } from '../model/types.js';
import { spectralEntropyGradient } from '../spectral/gradient.js';
import { createRng } from '../util/random.js';
import { assertInt, assertKnownOptions, assertNumber, type FloatArray } from '../util/validate.js';

/** Options of {@link trainModel}. */
export interface TrainOptions {
  readonly model: ModelAdapter;
  readonly train: Batch;
  /** Evaluated at checkpoints (test loss / accuracy); optional. */
  readonly test?: Batch;
  /** Optimiser steps. */
  readonly steps: number;
  /** Minibatch size (seeded reshuffle every epoch). Default: full batch. */
  readonly batchSize?: number;
  /** Learning rate. Default 1e-3. */
  readonly lr?: number;
  /** Decoupled weight decay (θ ← θ(1 − lr·wd) before the Adam step, as torch.optim.AdamW). Default 0. */
  readonly weightDecay?: number;
  /** Default 0.9. */
  readonly beta1?: number;
  /** Default 0.999. */
  readonly beta2?: number;
  /** Default 1e-8. */
  readonly eps?: number;
  /** Seed of the initialisation (`model.init(seed)`) and of the minibatch order. Default 0. */
  readonly seed?: number;
  /** Initial parameters instead of `model.init(seed)` (not modified). */
  readonly init?: FloatArray;
  /** Steps at which to record a checkpoint (0..steps). Default [0, steps]. */
  readonly checkpointSteps?: readonly number[];
  /**
   * Spectral-entropy regulariser: adds `weight`·Σ H(W) over the named 2-D parameters (default all
   * 2-D parameters with both sides ≥ 2) to the loss, H the Shannon entropy (nats) of the normalised
   * singular values, its gradient from `spectralEntropyGradient` (DeMoss et al. 2024, §4).
   */
  readonly spectralEntropy?: { readonly weight: number; readonly params?: readonly string[] };
  /** Called with each checkpoint as it is made (e.g. to write it to disk). */
  readonly onCheckpoint?: (c: TrainCheckpoint) => void | Promise<void>;
}

/** A checkpoint of {@link trainModel}. Losses in nats (mean over samples), accuracies in [0, 1]. */
export interface TrainCheckpoint {
  readonly step: number;
  readonly params: Float64Array;
  readonly trainLoss: number;
  readonly trainAcc: number;
  readonly testLoss: number;
  readonly testAcc: number;
  /** ‖θ‖₂. */
  readonly weightNorm: number;
}

/** Result of {@link trainModel}. */
export interface TrainResult {
  readonly params: Float64Array;
  readonly checkpoints: readonly TrainCheckpoint[];
}

/**
 * Trains a model adapter with AdamW.
 *
 * Step s uses minibatch s mod ⌈n/batchSize⌉ of the current epoch's seeded permutation (full batch
 * by default). The update is PyTorch's AdamW: θ ← θ·(1 − lr·wd); m ← β₁m + (1 − β₁)g;
 * v ← β₂v + (1 − β₂)g²; θ ← θ − lr·(m/(1 − β₁ᵗ))/(√(v/(1 − β₂ᵗ)) + eps). Checkpoints evaluate
 * the full train and test sets.
 *
 * @param options - {@link TrainOptions}.
 * @returns A Promise of the final parameters and the checkpoints.
 * @throws {@link OckhamError} for a bad model, data or options (naming them).
 * @example
 * ```ts
 * import { trainModel, sequentialModel } from 'ockham';
 * const model = sequentialModel({ input: { features: 2 }, layers: [{ type: 'dense', units: 8 }, { type: 'tanh' }, { type: 'dense', units: 2 }], loss: 'crossEntropy' });
 * const train = { inputs: new Float64Array([0, 0, 0, 1, 1, 0, 1, 1]), targets: new Int32Array([0, 1, 1, 0]), size: 4 };
 * const r = await trainModel({ model, train, steps: 300, lr: 0.05 });
 * r.checkpoints[1].trainAcc; // 1 (XOR learnt)
 * ```
 */
export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  assertKnownOptions(options, 'options', [
    'model', 'train', 'test', 'steps', 'batchSize', 'lr', 'weightDecay', 'beta1', 'beta2', 'eps', 'seed', 'init', 'checkpointSteps', 'spectralEntropy', 'onCheckpoint',
  ]);
  const model = assertModel(options.model, 'options.model');
  const train = assertBatch(options.train, 'options.train');
  const test = options.test === undefined ? undefined : assertBatch(options.test, 'options.test');
  const steps = assertInt(options.steps, 'options.steps', 0, 1e9);
  const batchSize = assertInt(options.batchSize ?? train.size, 'options.batchSize', 1, 2 ** 31 - 1);
  const lr = assertNumber(options.lr ?? 1e-3, 'options.lr', 0, Infinity, { minExclusive: true });
  const wd = assertNumber(options.weightDecay ?? 0, 'options.weightDecay', 0);
  const b1 = assertNumber(options.beta1 ?? 0.9, 'options.beta1', 0, 1, { maxExclusive: true });
  const b2 = assertNumber(options.beta2 ?? 0.999, 'options.beta2', 0, 1, { maxExclusive: true });
  const eps = assertNumber(options.eps ?? 1e-8, 'options.eps', 0, Infinity, { minExclusive: true });
  const seed = assertInt(options.seed ?? 0, 'options.seed', 0, 2 ** 40);
  const ckSteps = new Set<number>();
  for (const [i, s] of (options.checkpointSteps ?? [0, steps]).entries()) ckSteps.add(assertInt(s, `options.checkpointSteps[${i}]`, 0, steps));
  const w = options.init !== undefined ? flatWeights(model, options.init, 'options.init') : model.init(seed);
  let reg: { weight: number; params: { offset: number; size: number; shape: readonly number[] }[] } | null = null;
  if (options.spectralEntropy !== undefined) {
    const se = options.spectralEntropy;
    const weight = assertNumber(se.weight, 'options.spectralEntropy.weight', 0);
    const names = se.params;
    const chosen = model.params.filter((p) => (names === undefined ? p.shape.length === 2 && Math.min(...p.shape) >= 2 : names.includes(p.name)));
    if (names !== undefined && chosen.length !== names.length) {
      throw new OckhamError('INVALID_ARGUMENT', 'options.spectralEntropy.params', `unknown parameter among ${names.join(', ')} (the model has ${model.params.map((p) => p.name).join(', ')})`);
    }
    reg = { weight, params: chosen };
  }
  const onCheckpoint = options.onCheckpoint;

  const nb = Math.ceil(train.size / batchSize);
  const rng = createRng(seed + 1);
  let batches: Batch[] = [train];
  const reshuffle = (): void => {
    if (nb === 1) return;
    const order = new Int32Array(train.size);
    for (let i = 0; i < order.length; i++) order[i] = i;
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    batches = [];
    for (let s = 0; s < train.size; s += batchSize) batches.push(selectRows(train, order.subarray(s, Math.min(train.size, s + batchSize))));
  };
  const m = new Float64Array(model.size);
  const v = new Float64Array(model.size);
  const g = new Float64Array(model.size);
  const checkpoints: TrainCheckpoint[] = [];
  const record = async (step: number): Promise<void> => {
    const tr = model.evaluate(w, train);
    const te = test !== undefined ? model.evaluate(w, test) : { loss: NaN, accuracy: NaN };
    let norm = 0;
    for (let i = 0; i < w.length; i++) norm += w[i] * w[i];
    const c: TrainCheckpoint = { step, params: w.slice(), trainLoss: tr.loss, trainAcc: tr.accuracy, testLoss: te.loss, testAcc: te.accuracy, weightNorm: Math.sqrt(norm) };
    checkpoints.push(c);
    if (onCheckpoint !== undefined) await onCheckpoint(c);
  };
  if (ckSteps.has(0)) await record(0);
  for (let t = 1; t <= steps; t++) {
    const k = (t - 1) % nb;
    if (k === 0) reshuffle();
    model.lossAndGrad(w, batches[k], g);
    if (reg !== null && reg.weight > 0) {
      for (const p of reg.params) {
        const view = w.subarray(p.offset, p.offset + p.size);
        let nz = false;
        for (let i = 0; i < view.length && !nz; i++) nz = view[i] !== 0;
        if (!nz) continue; // H is undefined at the zero matrix
        const { gradient } = spectralEntropyGradient(view, p.shape);
        for (let i = 0; i < p.size; i++) g[p.offset + i] += reg.weight * gradient[i];
      }
    }
    const bc1 = 1 - b1 ** t;
    const bc2 = 1 - b2 ** t;
    const decay = 1 - lr * wd;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      w[i] = w[i] * decay - (lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + eps);
    }
    if (ckSteps.has(t)) await record(t);
  }
  return { params: w, checkpoints };
}

/**
 * A checkpoint as safetensors bytes: the model's parameters as F32 tensors (names and shapes of
 * `model.params`) and `__metadata__` with step, losses, accuracies, weight norm (decimal strings).
 *
 * @param model - The adapter.
 * @param c - A checkpoint (or any `{ step, params, … }`).
 * @param extra - More metadata strings.
 * @returns The file bytes (deterministic).
 * @example
 * ```ts
 * import { checkpointToSafetensors, sequentialModel } from 'ockham';
 * const model = sequentialModel({ input: { features: 2 }, layers: [{ type: 'dense', units: 2 }], loss: 'mse' });
 * const bytes = checkpointToSafetensors(model, { step: 0, params: model.init(0), trainLoss: 1, trainAcc: NaN, testLoss: NaN, testAcc: NaN, weightNorm: 1 });
 * ```
 */
export function checkpointToSafetensors(model: ModelAdapter, c: TrainCheckpoint, extra: Readonly<Record<string, string>> = {}): Uint8Array {
  const tensors = model.toTensors(c.params).map((t) => ({ name: t.name, shape: t.shape.slice(), data: Float32Array.from(t.data) }));
  const meta: Record<string, string> = {
    ...extra,
    step: String(c.step),
    trainLoss: String(c.trainLoss),
    trainAcc: String(c.trainAcc),
    testLoss: String(c.testLoss),
    testAcc: String(c.testAcc),
    weightNorm: String(c.weightNorm),
  };
  return serializeSafetensors(tensors, meta);
}

/**
 * Reads a checkpoint written by {@link checkpointToSafetensors} (or any safetensors file with the
 * model's tensor names and shapes) into the model's flat parameters and its metadata.
 *
 * @param model - The adapter.
 * @param bytes - The file bytes (untrusted: parsed by the bounded safetensors reader).
 * @returns `{ params, metadata }`.
 * @throws {@link OckhamError} for a malformed file or tensors that do not match the model.
 * @example
 * ```ts
 * import { readCheckpoint, checkpointToSafetensors, sequentialModel } from 'ockham';
 * const model = sequentialModel({ input: { features: 2 }, layers: [{ type: 'dense', units: 2 }], loss: 'mse' });
 * const c = { step: 3, params: model.init(0), trainLoss: 1, trainAcc: NaN, testLoss: NaN, testAcc: NaN, weightNorm: 1 };
 * readCheckpoint(model, checkpointToSafetensors(model, c)).metadata.step; // '3'
 * ```
 */
export function readCheckpoint(model: ModelAdapter, bytes: Uint8Array): { params: Float64Array; metadata: Record<string, string> } {
  const f = parseSafetensors(bytes);
  return { params: model.fromTensors(f.tensors), metadata: { ...f.metadata } };
}
