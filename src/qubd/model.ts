import { as2d, assertKnownOptions, assertShape } from '../util/validate.js';
import type { Shape } from '../util/validate.js';
import { modelTensors } from '../util/model.js';
import { assertControl, checkAbort } from '../util/abort.js';
import type { ProgressCallback } from '../util/abort.js';
import type { ModelTensors } from '../util/model.js';
import { qubd } from './qubd.js';
import type { QubdOptions, QubdResult } from './qubd.js';
import { binarizedBdm } from './binarized.js';
import type { BinarizedBdmOptions } from './binarized.js';

/** Options of {@link qubdModel}: those of {@link qubd} without `shape`, plus the binarized baseline's semantics. */
export interface QubdModelOptions extends Omit<QubdOptions, 'shape'> {
  /**
   * Semantics of the binarized baseline (see {@link binarizedBdm}); default `'flatten'`.
   * `'none'` skips it (its entries are then NaN): QuBD alone, e.g. for timing.
   */
  binarized?: BinarizedBdmOptions['semantics'] | 'none';
  /**
   * Cancels the run: checked before each tensor (and after the last), it throws `signal.reason`
   * (a DOMException named 'AbortError' unless the caller gave another reason). The function is
   * synchronous, so the signal fires between tensors only when aborted from `onProgress` or
   * before the call; run it in a worker to cancel from elsewhere.
   */
  signal?: AbortSignal;
  /** Called before each tensor and at the end: parameters done, total parameters, the tensor's name ('done' at the end). */
  onProgress?: ProgressCallback;
}

/** Per-tensor entry of {@link QubdModelResult}. */
export type QubdModelTensor =
  | { readonly name: string; readonly shape: Shape; readonly skipped: false; readonly qubd: QubdResult; readonly binarizedBdm: number }
  | { readonly name: string; readonly shape: Shape; readonly skipped: true; readonly reason: string };

/** Result of {@link qubdModel}. */
export interface QubdModelResult {
  readonly bits: number;
  readonly tensors: readonly QubdModelTensor[];
  /** Σ over tensors of each plane's BDM, LSB first (bits). The reference's `total_multi`. */
  readonly planes: readonly number[];
  /** Σ of `planes` (bits). */
  readonly total: number;
  /** Σ over tensors of the binarized BDM (bits). The reference's `total_bin`; NaN with `binarized: 'none'`. */
  readonly binarizedTotal: number;
}

/**
 * QuBD of a whole model: {@link qubd} of every tensor with at least 2 dims whose 2-D view has
 * both sides ≥ 4 (others — biases, norms — are skipped and listed with the reason), summed per
 * plane and in total, with the binarized baseline alongside.
 *
 * Reference: the QuBD reference code's `measure_complexity` (`total_multi`, `total_bin`).
 *
 * @returns Per-tensor results; per-plane and total sums in bits.
 * @throws {OckhamError} as {@link qubd}; EMPTY for no tensors, INVALID_ARGUMENT for a duplicate name
 *   or a bad `signal` / `onProgress`; `signal.reason` when aborted.
 * @example
 * ```ts
 * import { qubdModel } from 'ockham';
 * const w1 = new Float32Array(32 * 16).map((_, i) => Math.cos(i / 7));
 * const b1 = new Float32Array(16);
 * const r = qubdModel([{ name: 'fc1.weight', data: w1, shape: [32, 16] }, { name: 'fc1.bias', data: b1, shape: [16] }], { bits: 4 });
 * console.log(r.planes, r.total, r.tensors[1].skipped);
 * ```
 */
export function qubdModel(tensors: ModelTensors, options: QubdModelOptions = {}): QubdModelResult {
  assertKnownOptions(options, 'options', ['bits', 'range', 'percentile', 'arithmetic', 'table', 'boundary', 'binarized', 'signal', 'onProgress']);
  assertControl(options);
  const list = modelTensors(tensors);
  const { binarized, signal, onProgress, ...qopts } = options;
  let totalParams = 0;
  for (const t of list) totalParams += t.data.length;
  let doneParams = 0;
  const bits = options.bits ?? 8;
  const planes = new Array<number>(bits).fill(0);
  let binarizedTotal = 0;
  const out: QubdModelTensor[] = [];
  for (let i = 0; i < list.length; i++) {
    const t = list[i];
    checkAbort(signal);
    onProgress?.(doneParams, totalParams, t.name);
    checkAbort(signal);
    doneParams += t.data.length;
    assertShape(t.shape, `tensors[${i}].shape`);
    if (t.shape.length < 2) {
      out.push({ name: t.name, shape: t.shape, skipped: true, reason: 'fewer than 2 dims' });
      continue;
    }
    const [rows, cols] = as2d(t.shape);
    if (rows < 4 || cols < 4) {
      out.push({ name: t.name, shape: t.shape, skipped: true, reason: `2-D view (${rows}, ${cols}) has a side < 4` });
      continue;
    }
    const r = qubd(t.data, { ...qopts, shape: t.shape });
    const b = binarized === 'none' ? NaN : binarizedBdm(t.data, {
      shape: t.shape,
      ...(options.table ? { table: options.table } : {}),
      ...(binarized ? { semantics: binarized as BinarizedBdmOptions['semantics'] } : {}),
    }).bdm;
    for (let p = 0; p < bits; p++) planes[p] += r.planes[p].bdm;
    binarizedTotal += b;
    out.push({ name: t.name, shape: t.shape, skipped: false, qubd: r, binarizedBdm: b });
  }
  checkAbort(signal);
  onProgress?.(totalParams, totalParams, 'done');
  return { bits, tensors: out, planes, total: planes.reduce((a, b) => a + b, 0), binarizedTotal };
}
