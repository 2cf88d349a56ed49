/**
 * Critical quantization bits: the fewest bits of symmetric uniform quantization that keep the loss
 * within ε of the original (Urdshals et al. 2025, "Compressibility Measures Complexity: MDL meets
 * SLT", the compressibility measure the LLC is compared against).
 */
import { OckhamError } from '../errors.js';
import { assertInt, assertKnownOptions, assertNumber, assertOneOf, type FloatArray } from '../util/validate.js';
import { assertBatch, assertModel, flatWeights } from '../model/adapter-util.js';
import type { Batch, ModelAdapter } from '../model/types.js';
import type { ModelTensors } from '../util/model.js';
import { assertControl, checkAbort, type ProgressCallback } from '../util/abort.js';
import { yieldGate } from '../util/yield-gate.js';

/**
 * Loss of a full set of tensors (same order and array types as given; `T` is inferred from the
 * tensors passed to {@link criticalBits}); sync or async.
 */
export type TensorsLossFn<T extends FloatArray = FloatArray> = (tensors: T[]) => number | Promise<number>;

/** Options of {@link criticalBits}. */
export interface CriticalBitsOptions<T extends FloatArray = FloatArray> {
  /** Loss of the model with the given tensors (e.g. mean per-sample NLL in nats). Required unless `model` is given. */
  readonly loss?: TensorsLossFn<T>;
  /**
   * A model adapter instead of `loss`: the loss is `model.loss(params, data)`, and `tensors` may
   * be the flat parameter vector, tensors in parameter order, or named tensors.
   */
  readonly model?: ModelAdapter;
  /** The samples the loss is averaged over (with `model`). */
  readonly data?: Batch;
  /** Allowed loss increase ε ≥ 0 over the unquantized loss (loss units). Required. */
  readonly epsilon: number;
  /**
   * `'model'` (default): one bit width for every tensor, quantized together. `'tensor'`: each
   * tensor's own critical bits, quantizing it alone while the others stay at full precision.
   */
  readonly mode?: 'model' | 'tensor';
  /** Fewest bits tried, ≥ 2 (2 bits = levels {−R, 0, R}). Default 2. */
  readonly minBits?: number;
  /** Most bits tried, ≤ 32. Default 16. */
  readonly maxBits?: number;
  /**
   * Number of clipping ranges tried per bit width: R = (1 − j/C)·max|x|, j = 0..C−1. Default 16.
   */
  readonly rangeCandidates?: number;
  /**
   * Cancels the search: checked before every loss evaluation (with a synchronous `loss`, the
   * search yields to the event loop about every 100 ms when a signal is given, so an abort from a
   * timer or another task is seen within about 100 ms plus one evaluation). The Promise rejects
   * with `signal.reason` (a DOMException named 'AbortError' unless the caller gave another reason).
   */
  readonly signal?: AbortSignal;
  /**
   * Progress in bit depths: `total` = (maxBits − minBits + 1) in `'model'` mode, × the number of
   * tensors in `'tensor'` mode; called before each bit depth is tried, labelled `'5 bits'` /
   * `'tensor 2 · 5 bits'` (tensors from 0). A scan that stops at its critical bits skips to the
   * next scan's start; the last call is `(total, total, 'done')`.
   */
  readonly onProgress?: ProgressCallback;
}

/** Per-tensor outcome of {@link criticalBits}. */
export interface CriticalBitsTensor {
  /** Critical bits, or null when even `maxBits` exceeds ε. */
  readonly bits: number | null;
  /** The loss-minimising clipping range R at those bits (same units as the weights); NaN if null. */
  readonly range: number;
  /** The loss at (bits, range); NaN if null. */
  readonly loss: number;
}

/** Result of {@link criticalBits}. */
export interface CriticalBitsResult {
  readonly mode: 'model' | 'tensor';
  /** Loss of the unquantized tensors. */
  readonly baseLoss: number;
  /** Model mode: the shared critical bits; tensor mode: the largest per-tensor bits. null if not reached. */
  readonly bits: number | null;
  /** Σ over tensors of bits × element count: the size of the quantized weights in bits. null if not reached. */
  readonly totalBits: number | null;
  /** One entry per tensor (in model mode all share `bits`, each with its own range). */
  readonly tensors: readonly CriticalBitsTensor[];
  /** Number of loss evaluations made. */
  readonly evaluations: number;
}

/** 1.5·2^52: (v + M) − M rounds |v| ≤ 2^51 to the nearest integer, ties to even (IEEE default). */
const RHE = 6755399441055744;

/**
 * Symmetric uniform quantization into `out`: q = clamp(round_half_even(x/Δ), −Q, Q)·Δ with
 * Q = 2^{b−1} − 1 and Δ = R/Q (2^b − 1 levels, zero exact, as int-b symmetric schemes).
 * @internal
 */
export function quantizeSymmetric(x: FloatArray, bits: number, range: number, out: FloatArray): void {
  const q = 2 ** (bits - 1) - 1;
  if (!(range > 0)) {
    out.fill(0);
    return;
  }
  const delta = range / q;
  const inv = 1 / delta;
  for (let i = 0; i < x.length; i++) {
    let k = x[i] * inv + RHE - RHE;
    if (k > q) k = q;
    else if (k < -q) k = -q;
    out[i] = k * delta;
  }
}

function maxAbs(x: FloatArray): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.abs(x[i]);
    if (v > m) m = v;
  }
  return m;
}

function isThenable(v: unknown): v is PromiseLike<number> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * The fewest bits of symmetric uniform quantization whose loss stays within ε of the original.
 *
 * For b = minBits, minBits+1, …, maxBits (a linear scan, so the answer is the smallest passing b
 * even if the loss is not monotone in b), each candidate clipping range R = (1 − j/C)·max|x|,
 * j = 0..C−1, is tried and the loss-minimising one kept; b is critical when that minimum is
 * ≤ L₀ + ε. Quantization: q = clamp(round_half_even(x/Δ), −Q, Q)·Δ, Q = 2^{b−1} − 1, Δ = R/Q.
 * In `'model'` mode all tensors share b and one clipping fraction (each tensor's R is the fraction
 * times its own max|x|); in `'tensor'` mode each tensor is scanned alone, the others unquantized.
 * Cost: at most (maxBits − minBits + 1)·C loss calls per scan.
 *
 * @param tensors - The model's weight tensors (Float32Array/Float64Array, finite, non-empty; not modified).
 * @param options - {@link CriticalBitsOptions}: `loss`, `epsilon`, `mode`, `minBits` (2), `maxBits` (16),
 *   `rangeCandidates` (16), `signal` (checked before every loss evaluation), `onProgress` (bit depths).
 * @returns A Promise of {@link CriticalBitsResult}: bits, total bits (bits × weights), per-tensor range/loss.
 * @throws {@link OckhamError} for empty/non-float/non-finite tensors (naming `tensors[i]`), bad options,
 *   `minBits > maxBits`, a NaN/±∞ loss (argument `loss`, naming the bits tried), or a bad
 *   `options.signal` / `options.onProgress`. Rejects with `signal.reason` when aborted.
 * @example
 * ```ts
 * import { criticalBits } from 'ockham';
 * const w = new Float64Array([-1, -1 / 3, 0, 1 / 3, 1]);
 * const r = await criticalBits([w], {
 *   loss: ([q]) => q.reduce((s, v, i) => s + (v - w[i]) ** 2, 0),
 *   epsilon: 1e-12,
 * });
 * // r.bits === 3: 3 bits give the levels k/3, k = −3..3, which hold w exactly; 2 bits ({−1, 0, 1}) do not
 * ```
 */
export async function criticalBits<T extends FloatArray = FloatArray>(
  tensors: readonly T[] | FloatArray | ModelTensors,
  options: CriticalBitsOptions<T>,
): Promise<CriticalBitsResult> {
  if (options !== null && typeof options === 'object' && options.model !== undefined) {
    const model = assertModel(options.model, 'options.model');
    if (options.loss !== undefined) throw new OckhamError('INVALID_ARGUMENT', 'options.loss', 'give either loss or model, not both');
    const data = assertBatch(options.data, 'options.data');
    const flat = flatWeights(model, tensors, 'tensors');
    const list = model.params.map((p) => flat.slice(p.offset, p.offset + p.size));
    const buf = new Float64Array(model.size);
    const { model: _m, data: _d, ...rest } = options;
    return criticalBits(list, {
      ...rest,
      loss: (ts) => {
        model.params.forEach((p, i) => buf.set(ts[i], p.offset));
        return model.loss(buf, data);
      },
    });
  }
  if (options !== null && typeof options === 'object' && options.data !== undefined) {
    throw new OckhamError('INVALID_ARGUMENT', 'options.data', 'data goes with model');
  }
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new OckhamError('INVALID_ARGUMENT', 'tensors', 'expected a non-empty array of Float32Array/Float64Array');
  }
  const tensorList = tensors as readonly FloatArray[];
  for (let t = 0; t < tensorList.length; t++) {
    const x = tensorList[t];
    if (!(x instanceof Float32Array) && !(x instanceof Float64Array)) {
      throw new OckhamError('INVALID_ARGUMENT', `tensors[${t}]`, 'expected a Float32Array or Float64Array');
    }
    if (x.length === 0) throw new OckhamError('EMPTY', `tensors[${t}]`, 'expected a non-empty array');
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) {
        throw new OckhamError('NON_FINITE', `tensors[${t}]`, `element ${i} is ${x[i]}; expected finite values`);
      }
    }
  }
  assertKnownOptions(options, 'options', ['loss', 'epsilon', 'mode', 'minBits', 'maxBits', 'rangeCandidates', 'signal', 'onProgress']);
  assertControl(options);
  if (options === undefined || options === null || typeof options.loss !== 'function') {
    throw new OckhamError('INVALID_ARGUMENT', 'options.loss', 'expected a loss function (tensors) => number');
  }
  // Copies below keep each tensor's array type, as TensorsLossFn<T> promises.
  const lossFn = options.loss as TensorsLossFn;
  const epsilon = assertNumber(options.epsilon, 'options.epsilon', 0);
  const mode = assertOneOf(options.mode ?? 'model', 'options.mode', ['model', 'tensor'] as const);
  const minBits = assertInt(options.minBits ?? 2, 'options.minBits', 2, 32);
  const maxBits = assertInt(options.maxBits ?? 16, 'options.maxBits', 2, 32);
  if (minBits > maxBits) {
    throw new OckhamError('OUT_OF_RANGE', 'options.minBits', `minBits (${minBits}) exceeds maxBits (${maxBits})`);
  }
  const cands = assertInt(options.rangeCandidates ?? 16, 'options.rangeCandidates', 1, 4096);
  const { signal, onProgress } = options;
  const depths = maxBits - minBits + 1;
  const total = depths * (mode === 'model' ? 1 : tensors.length);
  const gate = yieldGate(signal);
  checkAbort(signal);

  let evaluations = 0;
  // Working tensors handed to the loss: copies, so the caller's arrays are never touched.
  const work: FloatArray[] = tensors.map((x) => x.slice());
  const maxes = tensors.map(maxAbs);
  const evalLoss = async (what: string): Promise<number> => {
    if (gate !== null) {
      const y = gate();
      if (y !== undefined) await y;
    }
    let v = lossFn(work);
    if (isThenable(v)) v = await v;
    evaluations++;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new OckhamError('NON_FINITE', 'loss', `${what}: the loss is ${String(v)}`);
    }
    return v;
  };
  const baseLoss = await evalLoss('unquantized tensors');

  // Scan bits for the tensor indices `which` quantized together with a shared clipping fraction.
  // `scanIndex` (0 in model mode, the tensor in tensor mode) places the scan's bit depths in the progress count.
  const scan = async (which: number[], scanIndex: number): Promise<{ bits: number | null; frac: number; loss: number }> => {
    for (let b = minBits; b <= maxBits; b++) {
      if (onProgress !== undefined) {
        onProgress(scanIndex * depths + b - minBits, total, mode === 'model' ? `${b} bits` : `tensor ${scanIndex} · ${b} bits`);
        checkAbort(signal);
      }
      let best = Infinity;
      let bestFrac = NaN;
      for (let j = 0; j < cands; j++) {
        const frac = 1 - j / cands;
        for (const t of which) quantizeSymmetric(tensors[t], b, frac * maxes[t], work[t]);
        const l = await evalLoss(`${b} bits, range ${frac}·max|x|`);
        if (l < best) {
          best = l;
          bestFrac = frac;
        }
      }
      if (best <= baseLoss + epsilon) return { bits: b, frac: bestFrac, loss: best };
    }
    return { bits: null, frac: NaN, loss: NaN };
  };
  const restore = (t: number): void => {
    work[t].set(tensors[t]);
  };

  const out: CriticalBitsTensor[] = [];
  let bits: number | null;
  if (mode === 'model') {
    const all = tensors.map((_, t) => t);
    const r = await scan(all, 0);
    bits = r.bits;
    for (let t = 0; t < tensors.length; t++) {
      out.push({ bits: r.bits, range: r.bits === null ? NaN : r.frac * maxes[t], loss: r.loss });
    }
  } else {
    bits = 0;
    for (let t = 0; t < tensors.length; t++) {
      const r = await scan([t], t);
      restore(t);
      out.push({ bits: r.bits, range: r.bits === null ? NaN : r.frac * maxes[t], loss: r.loss });
      if (r.bits === null) bits = null;
      else if (bits !== null && r.bits > bits) bits = r.bits;
    }
  }
  let totalBits: number | null = 0;
  for (let t = 0; t < tensors.length; t++) {
    const b = out[t].bits;
    if (b === null) {
      totalBits = null;
      break;
    }
    totalBits += b * tensors[t].length;
  }
  checkAbort(signal);
  onProgress?.(total, total, 'done');
  return { mode, baseLoss, bits, totalBits, tensors: out, evaluations };
}
