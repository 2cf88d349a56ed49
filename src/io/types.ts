/** Shared types of the weight-file readers. */

/** One named tensor read from a weights file, converted to float32 (row-major). */
export interface LoadedTensor {
  /** Name as stored in the file (safetensors key, npz member without `.npy`, tfjs weight name). */
  name: string;
  /** Source dtype as the file spells it (e.g. `F16`, `<f4`, `float32`, `uint8→float32`). */
  dtype: string;
  /** Dimensions, row-major; `[]` is a scalar (one element). */
  shape: number[];
  /** Values converted to float32, row-major (`data.length` = product of `shape`). */
  data: Float32Array;
}

/** A parsed weights file: its tensors in file order plus string metadata. */
export interface WeightsFile {
  format: 'safetensors' | 'npy' | 'npz' | 'tfjs' | 'pytorch' | 'onnx';
  tensors: LoadedTensor[];
  /** safetensors `__metadata__`, or format-specific notes; always string → string. */
  metadata: Record<string, string>;
}
