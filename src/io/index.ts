/** Browser-safe weight-file readers and the safetensors writer. */
export type { LoadedTensor, WeightsFile } from './types.js';
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
export { listZipEntries, readZipEntry, crc32, ZIP_DEFAULT_BUDGET, listZipSource, decodeZipMember } from './zip.js';
export type { ZipEntry, ZipBudget, ZipSource } from './zip.js';
export { READ_BUDGET_DEFAULTS } from './budget.js';
export type { ReadBudget } from './budget.js';
export { tfjsGroupBytes } from './tfjs.js';
