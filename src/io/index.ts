/** Browser-safe weight-file readers and the safetensors writer. */
export type { LoadedTensor, WeightsFile, TensorLayout } from './types.js';
export {
  parseSafetensors,
  serializeSafetensors,
  parseSafetensorsHeader,
  safetensorsHeaderLength,
  decodeSafetensorsEntry,
  SAFETENSORS_DTYPES,
  MAX_SAFETENSORS_HEADER,
} from './safetensors.js';
export type { SafetensorsEntry, SafetensorsHeader, SafetensorsInput } from './safetensors.js';
export { parseNpy, npyToTensor } from './npy.js';
export type { NpyArray } from './npy.js';
export { parseNpz } from './npz.js';
export type { NpzOptions } from './npz.js';
export { parseTfjsModel, tfjsManifest } from './tfjs.js';
export type { TfjsWeightEntry, TfjsManifestGroup } from './tfjs.js';
export { halfToFloat, floatToHalf, floatToBfloat16 } from './dtypes.js';
export { parsePytorch, PYTORCH_DEFAULT_BUDGET, PYTORCH_ALLOWED_GLOBALS } from './pytorch.js';
export type { PytorchOptions } from './pytorch.js';
export { parseOnnx, ONNX_DEFAULT_BUDGET } from './onnx.js';
export type { OnnxOptions } from './onnx.js';
export { unpickle } from './pickle.js';
export type { UnpickleOptions, UnpickleResult, PickleGlobal, PickleGlobalRef } from './pickle.js';
export { listZipEntries, readZipEntry, crc32, ZIP_DEFAULT_BUDGET, listZipSource, decodeZipMember } from './zip.js';
export type { ZipEntry, ZipBudget, ZipSource } from './zip.js';
export { READ_BUDGET_DEFAULTS } from './budget.js';
export type { ReadBudget } from './budget.js';
export { tfjsGroupBytes } from './tfjs.js';
export { parseGguf, parseGgufHeader, dequantizeGgml, ggmlType, GGUF_SUPPORTED_TYPES, GGUF_DEFAULTS } from './gguf.js';
export type { GgufFile, GgufHeader, GgufOptions, GgufTensorInfo, GgufMetadataEntry, GgufValue, GgufNumericArray, GgufValueType, GgmlType } from './gguf.js';
export { toTorchLayout, withLayout, TORCH_PERMUTATIONS } from './layout.js';
export type { LayoutChoice } from './layout.js';
export { detectWeightsFormat, SUPPORTED_FORMATS_TEXT, parseWeights } from './detect.js';
export type { DetectedFormat, FormatGuess, ParseWeightsOptions } from './detect.js';
