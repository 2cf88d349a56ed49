/**
 * The reference trainer (AdamW, spectral-entropy hook) and checkpoint files.
 * @packageDocumentation
 */
export { trainModel, checkpointToSafetensors, readCheckpoint } from './trainer.js';
export type { TrainOptions, TrainCheckpoint, TrainResult } from './trainer.js';
