/** Shared types of the weight-file readers. */

/**
 * How a tensor's dimensions are ordered (the convention of the framework that wrote it).
 *
 * - `'torch'`: PyTorch order — Linear `[out, in]`, Conv2d `[out, in, kh, kw]`.
 * - `'tfjs-dense'`: a 2-D TensorFlow.js kernel `[in, out]` (TF.js stores embeddings `[vocab, dim]`
 *   with the same rank; the readers cannot tell them apart and label every 2-D tfjs tensor so).
 * - `'tfjs-conv'`: a 4-D TensorFlow.js kernel `[kh, kw, in, out]`.
 * - `'tfjs'`: any other TensorFlow.js tensor (biases, scalars), the same in every order.
 * - `'gguf'`: ggml's dimensions (fastest first) reversed to row-major, so a matrix reads
 *   `[out, in]` as PyTorch's does.
 * - `'onnx'`: an ONNX initializer as stored in the graph.
 * - `'numpy'`: an .npy/.npz array as stored (no convention known).
 * - `'safetensors'`: a safetensors tensor as stored (Hugging Face writes PyTorch order; Flax/JAX
 *   writers use `[in, out]`; the file does not say which).
 */
export type TensorLayout = 'torch' | 'tfjs-dense' | 'tfjs-conv' | 'tfjs' | 'gguf' | 'onnx' | 'numpy' | 'safetensors';

/** One named tensor read from a weights file, converted to float32 (row-major). */
export interface LoadedTensor {
  /** Name as stored in the file (safetensors key, npz member without `.npy`, tfjs weight name). */
  name: string;
  /** Source dtype as the file spells it (e.g. `F16`, `<f4`, `float32`, `uint8→float32`, `Q4_K`). */
  dtype: string;
  /** Dimensions, row-major; `[]` is a scalar (one element). */
  shape: number[];
  /** Values converted to float32, row-major (`data.length` = product of `shape`). */
  data: Float32Array;
  /** Dimension order of `shape`/`data` (set by `readWeightsFile` (ockham/node) and the format readers). */
  layout?: TensorLayout;
  /**
   * The tensor's bytes as stored in the file, when the reader was asked to keep them
   * (`{ stored: true }`): `dtype` as the file spells it (`BF16`, `Q4_K`, …) and exactly the
   * tensor's byte range (quantized GGUF blocks included). Used by the naive compressed size of
   * the stored precision.
   */
  stored?: { dtype: string; bytes: Uint8Array };
}

/** A parsed weights file: its tensors in file order plus string metadata. */
export interface WeightsFile {
  format: 'safetensors' | 'npy' | 'npz' | 'tfjs' | 'gguf' | 'pytorch' | 'onnx';
  tensors: LoadedTensor[];
  /** safetensors `__metadata__`, or format-specific notes; always string → string. */
  metadata: Record<string, string>;
}
