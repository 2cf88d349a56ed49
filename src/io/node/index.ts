/** Node-only weight-file access (fs). Re-exported by the `ockham/node` entry. */
export { readSafetensorsFile, readSafetensorsHeader, streamSafetensorsFile } from './safetensors-file.js';
export { readWeightsFile, readTfjsModelFile } from './weights-file.js';
export type { WeightsFormat } from './weights-file.js';
export { readPytorchFile } from './pytorch-file.js';
export { readOnnxFile } from './onnx-file.js';
export type { OnnxFileOptions } from './onnx-file.js';
export { readGgufFile, readGgufHeader, streamGgufFile, readGgufSplits, readGgufSplitHeaders } from './gguf-file.js';
export type { GgufSplits } from './gguf-file.js';
export {
  readShardedSafetensors, readShardedSafetensorsIndex, streamShardedSafetensors, SAFETENSORS_INDEX,
  readShardedPytorch, streamShardedPytorch, PYTORCH_INDEX,
} from './sharded-safetensors.js';
export type { ShardedSafetensorsOptions, ShardedSafetensorsIndex, SafetensorsShard } from './sharded-safetensors.js';
export { sniffWeightsFile, openWeightsStream } from './weights-file.js';
export type { ReadWeightsOptions, WeightsStream } from './weights-file.js';
export { openZipFile } from './zip-file.js';
export type { ZipFile } from './zip-file.js';
