/**
 * The one model format every model-level function takes: named tensors with shapes, either as
 * an array (order kept; what the file readers return) or as a record name → { data, shape }.
 */
import { OckhamError } from '../errors.js';
import type { FloatArray, Shape } from './validate.js';

/**
 * A named weight tensor, row-major. `D` narrows the array type (e.g. `NamedTensor<Float32Array>`),
 * so callbacks that receive tensors can call `data.reduce`/`data.map` under `strict` (methods of
 * the union `Float32Array | Float64Array` are not callable).
 */
export interface NamedTensor<D extends FloatArray = FloatArray> {
  readonly name: string;
  readonly data: D;
  readonly shape: Shape;
}

/** A model: `NamedTensor[]`, or a record of name → `{ data, shape }`. */
export type ModelTensors<D extends FloatArray = FloatArray> =
  | readonly NamedTensor<D>[]
  | Readonly<Record<string, { readonly data: D; readonly shape: Shape }>>;

/** Normalises {@link ModelTensors} to an array, checking names are unique and entries well formed. */
export function modelTensors(model: ModelTensors, name = 'tensors'): NamedTensor[] {
  if (model === null || typeof model !== 'object') {
    throw new OckhamError('INVALID_ARGUMENT', name, 'expected an array of { name, data, shape } or a record name → { data, shape }');
  }
  const list: NamedTensor[] = Array.isArray(model)
    ? (model as readonly NamedTensor[]).slice()
    : Object.entries(model as Record<string, { data: FloatArray; shape: Shape }>).map(([n, t]) => ({ name: n, data: t?.data, shape: t?.shape }));
  if (list.length === 0) throw new OckhamError('EMPTY', name, 'expected at least one tensor');
  const seen = new Set<string>();
  list.forEach((t, i) => {
    if (t === null || typeof t !== 'object' || typeof t.name !== 'string') {
      throw new OckhamError('INVALID_ARGUMENT', `${name}[${i}]`, 'expected { name: string, data, shape }');
    }
    if (seen.has(t.name)) throw new OckhamError('INVALID_ARGUMENT', `${name}[${i}].name`, `duplicate tensor name '${t.name}'`);
    seen.add(t.name);
  });
  return list;
}
