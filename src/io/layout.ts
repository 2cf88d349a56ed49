/**
 * Tensor layouts: which framework's dimension order a tensor is in, and the permutation of
 * TensorFlow.js kernels to PyTorch order that the QuBD paper's (dim0, rest) matrix view assumes.
 */
import { OckhamError } from '../errors.js';
import type { LoadedTensor, TensorLayout, WeightsFile } from './types.js';

/** What a reader returns: tensors as stored, or in PyTorch order. */
export type LayoutChoice = 'stored' | 'torch';

/** The permutation {@link toTorchLayout} applies to each layout it changes. */
export const TORCH_PERMUTATIONS: Readonly<Partial<Record<TensorLayout, string>>> = Object.freeze({
  'tfjs-dense': '[in,out]→[out,in]',
  'tfjs-conv': '[kh,kw,in,out]→[out,in,kh,kw]',
});

/** The layout of a tensor of `shape` in a file of `format`, when the reader did not set one. */
export function defaultLayout(format: string, shape: readonly number[]): TensorLayout {
  switch (format) {
    case 'tfjs':
      return shape.length === 2 ? 'tfjs-dense' : shape.length === 4 ? 'tfjs-conv' : 'tfjs';
    case 'gguf':
      return 'gguf';
    case 'onnx':
      return 'onnx';
    case 'pytorch':
      return 'torch';
    case 'npy':
    case 'npz':
      return 'numpy';
    default:
      return 'safetensors';
  }
}

function product(shape: readonly number[]): number {
  let p = 1;
  for (const d of shape) p *= d;
  return p;
}

/**
 * Returns a tensor in PyTorch dimension order, so that a kernel's first dimension is its output
 * channels as in the papers' (dim0, rest) matrix view: TensorFlow.js Dense `[in, out]` →
 * `[out, in]` and Conv2D `[kh, kw, in, out]` → `[out, in, kh, kw]` (new data, `layout: 'torch'`).
 * Tensors already in PyTorch order (`'torch'`, `'gguf'`: ggml's dims reversed) and tensors whose
 * order does not matter or is unknown (`'tfjs'` biases, `'numpy'`, `'safetensors'`, `'onnx'`)
 * are returned as they are (the same object). Never mutates its input.
 *
 * Reference: the QuBD paper's view of a weight tensor as a (dim0, rest) matrix in PyTorch order
 * (Dense/Linear [out, in], Conv [out, in, kh, kw]); TensorFlow.js kernel layouts from tf.layers.
 *
 * @param tensor - A tensor with its `layout` (a missing layout counts as as-stored).
 * @returns The tensor in PyTorch order, or the input itself when nothing needs to move.
 * @throws {OckhamError} SHAPE_MISMATCH when a tfjs-dense tensor is not 2-D, a tfjs-conv tensor
 *   not 4-D, or `data.length` differs from the product of `shape`.
 * @example
 * import { toTorchLayout } from 'ockham';
 * const dense = { name: 'k', dtype: 'float32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]), layout: 'tfjs-dense' as const };
 * toTorchLayout(dense).shape; // [3, 2]
 * toTorchLayout(dense).data;  // Float32Array [1, 4, 2, 5, 3, 6]
 */
export function toTorchLayout(tensor: LoadedTensor): LoadedTensor {
  const layout = tensor?.layout;
  if (layout !== 'tfjs-dense' && layout !== 'tfjs-conv') return tensor;
  const { shape, data, name } = tensor;
  const arg = `tensor ${JSON.stringify(name)}`;
  if (!(data instanceof Float32Array) || data.length !== product(shape)) {
    throw new OckhamError('SHAPE_MISMATCH', arg, `data length ${data?.length} does not match shape [${shape.join(', ')}]`);
  }
  const out = new Float32Array(data.length);
  let next: number[];
  if (layout === 'tfjs-dense') {
    if (shape.length !== 2) throw new OckhamError('SHAPE_MISMATCH', arg, `a tfjs-dense kernel is 2-D [in, out], got [${shape.join(', ')}]`);
    const [r, c] = shape;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = data[i * c + j];
    next = [c, r];
  } else {
    if (shape.length !== 4) throw new OckhamError('SHAPE_MISMATCH', arg, `a tfjs-conv kernel is 4-D [kh, kw, in, out], got [${shape.join(', ')}]`);
    const [kh, kw, ci, co] = shape;
    let src = 0;
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        for (let c = 0; c < ci; c++) {
          for (let o = 0; o < co; o++) out[((o * ci + c) * kh + a) * kw + b] = data[src++];
        }
      }
    }
    next = [co, ci, kh, kw];
  }
  const result: LoadedTensor = { name, dtype: tensor.dtype, shape: next, data: out, layout: 'torch' };
  if (tensor.stored) result.stored = tensor.stored; // the stored bytes stay in the file's order
  return result;
}

/**
 * Labels every tensor of a file with its layout (from the file's format where the reader did
 * not set one: tfjs 2-D `'tfjs-dense'`, 4-D `'tfjs-conv'`, else `'tfjs'`; npy/npz `'numpy'`;
 * safetensors `'safetensors'`; gguf `'gguf'`) and, with `'torch'`, permutes each tensor by
 * {@link toTorchLayout}. Returns a new file object; never mutates its input.
 *
 * @param file - A parsed weights file.
 * @param layout - `'stored'` (label only) or `'torch'`.
 * @returns The file with labelled (and possibly permuted) tensors.
 * @throws {OckhamError} INVALID_ARGUMENT for another `layout`; as {@link toTorchLayout}.
 * @example
 * import { parseTfjsModel, withLayout } from 'ockham';
 * const model = { weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'k', shape: [1, 1, 2, 3], dtype: 'float32' }] }] };
 * const file = withLayout(parseTfjsModel(model, [new Uint8Array(24)]), 'torch');
 * file.tensors[0].shape; // [3, 2, 1, 1]
 */
export function withLayout<T extends WeightsFile>(file: T, layout: LayoutChoice): T {
  if (layout !== 'stored' && layout !== 'torch') {
    throw new OckhamError('INVALID_ARGUMENT', 'layout', `expected 'stored' or 'torch', got ${JSON.stringify(layout)}`);
  }
  const tensors = file.tensors.map((t) => {
    const labelled = t.layout ? t : { ...t, layout: defaultLayout(file.format, t.shape) };
    return layout === 'torch' ? toTorchLayout(labelled) : labelled;
  });
  return { ...file, tensors };
}
