/** Node-only weight-file access (fs). Re-exported by the `ockham/node` entry. */
export { readSafetensorsFile, readSafetensorsHeader, streamSafetensorsFile } from './safetensors-file.js';
export { readWeightsFile, readTfjsModelFile } from './weights-file.js';
export type { WeightsFormat } from './weights-file.js';
export { openZipFile } from './zip-file.js';
export type { ZipFile } from './zip-file.js';
