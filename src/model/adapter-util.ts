/**
 * Helpers the measures share to accept a {@link ModelAdapter}: validation, row selection, seeded
 * minibatches, and conversion of the caller's weights (flat vector or named tensors).
 * @internal
 */
import { OckhamError } from '../errors.js';
import { createRng } from '../util/random.js';
import type { ModelTensors } from '../util/model.js';
import type { Batch, ModelAdapter } from './types.js';

/** Throws unless `m` looks like a {@link ModelAdapter}. @internal */
export function assertModel(m: unknown, name: string): ModelAdapter {
  const a = m as Partial<ModelAdapter> | null;
  if (
    a === null ||
    typeof a !== 'object' ||
    typeof a.loss !== 'function' ||
    typeof a.lossAndGrad !== 'function' ||
    typeof a.toTensors !== 'function' ||
    typeof a.fromTensors !== 'function' ||
    typeof a.size !== 'number' ||
    !Array.isArray(a.params)
  ) {
    throw new OckhamError('INVALID_ARGUMENT', name, 'expected a model adapter (e.g. from sequentialModel) with params, size, loss, lossAndGrad, toTensors, fromTensors');
  }
  return a as ModelAdapter;
}

/** Throws unless `b` is `{ inputs, targets, size }` with lengths divisible by size. @internal */
export function assertBatch(b: unknown, name: string): Batch {
  const x = b as Partial<Batch> | null;
  if (x === null || typeof x !== 'object' || typeof x.size !== 'number' || !Number.isInteger(x.size) || x.size < 1) {
    throw new OckhamError('INVALID_ARGUMENT', name, 'expected a batch { inputs, targets, size } with size ≥ 1');
  }
  for (const k of ['inputs', 'targets'] as const) {
    const a = x[k];
    if (a === null || a === undefined || typeof a !== 'object' || typeof a.length !== 'number' || a.length % x.size !== 0 || a.length === 0) {
      throw new OckhamError('SHAPE_MISMATCH', `${name}.${k}`, `expected an array whose length is a positive multiple of size ${x.size}`);
    }
  }
  return x as Batch;
}

type Arr = ArrayLike<number> & { slice?: unknown };

function take(a: ArrayLike<number>, per: number, idx: ArrayLike<number>): ArrayLike<number> {
  const Ctor = (ArrayBuffer.isView(a) ? (a as unknown as { constructor: new (n: number) => Float64Array }).constructor : Float64Array) as new (
    n: number,
  ) => Float64Array;
  const out = new Ctor(idx.length * per);
  for (let r = 0; r < idx.length; r++) {
    const s = idx[r] * per;
    for (let k = 0; k < per; k++) out[r * per + k] = a[s + k];
  }
  return out;
}

/**
 * The rows `idx` of a batch (a new batch; the source is not modified).
 *
 * @param batch - `{ inputs, targets, size }`.
 * @param idx - Row indices (each in 0..size−1; repeats allowed).
 * @returns A batch of `idx.length` rows, same array types.
 * @throws {@link OckhamError} when an index is out of range.
 * @example
 * ```ts
 * import { selectRows } from 'ockham';
 * const b = { inputs: new Float64Array([1, 2, 3, 4]), targets: new Int32Array([0, 1]), size: 2 };
 * selectRows(b, [1]).inputs; // Float64Array [3, 4]
 * ```
 */
export function selectRows(batch: Batch, idx: ArrayLike<number>): Batch {
  const b = assertBatch(batch, 'batch');
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    if (!(Number.isInteger(r) && r >= 0 && r < b.size)) throw new OckhamError('OUT_OF_RANGE', 'idx', `index ${i} is ${r}; expected 0..${b.size - 1}`);
  }
  const pi = b.inputs.length / b.size;
  const pt = b.targets.length / b.size;
  return { inputs: take(b.inputs as Arr, pi, idx), targets: take(b.targets as Arr, pt, idx), size: idx.length };
}

/**
 * A seeded partition of a batch into ⌈size / batchSize⌉ minibatches (the last may be smaller).
 * @internal
 */
export function minibatches(data: Batch, batchSize: number, seed: number): Batch[] {
  if (batchSize >= data.size) return [data];
  const rng = createRng(seed);
  const order = new Int32Array(data.size);
  for (let i = 0; i < order.length; i++) order[i] = i;
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const out: Batch[] = [];
  for (let s = 0; s < data.size; s += batchSize) out.push(selectRows(data, order.subarray(s, Math.min(data.size, s + batchSize))));
  return out;
}

/** The caller's weights as the adapter's flat Float64Array (a copy). @internal */
export function flatWeights(model: ModelAdapter, w: unknown, name: string): Float64Array {
  if (w instanceof Float64Array || w instanceof Float32Array) {
    if (w.length !== model.size) throw new OckhamError('SHAPE_MISMATCH', name, `length ${w.length} does not match the model's ${model.size} parameters`);
    return Float64Array.from(w);
  }
  if (Array.isArray(w) && w.length > 0 && (w[0] instanceof Float32Array || w[0] instanceof Float64Array)) {
    // FloatArray[] in parameter order
    if (w.length !== model.params.length) throw new OckhamError('SHAPE_MISMATCH', name, `expected ${model.params.length} tensors in parameter order, got ${w.length}`);
    const out = new Float64Array(model.size);
    model.params.forEach((p, i) => {
      const t = w[i] as Float32Array | Float64Array;
      if (t.length !== p.size) throw new OckhamError('SHAPE_MISMATCH', `${name}[${i}]`, `length ${t.length} does not match parameter '${p.name}' (${p.size})`);
      out.set(t, p.offset);
    });
    return out;
  }
  return model.fromTensors(w as ModelTensors);
}
