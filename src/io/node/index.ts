/** Node-only weight-file access (fs). Re-exported by the `ockham/node` entry. */
export { readSafetensorsFile, readSafetensorsHeader, streamSafetensorsFile } from './safetensors-file.js';
export { readWeightsFile, readTfjsModelFile } from './weights-file.js';
export type { WeightsFormat } from './weights-file.js';
export { readPytorchFile } from './pytorch-file.js';
export { readOnnxFile } from './onnx-file.js';
export type { OnnxFileOptions } from './onnx-file.js';
