/**
 * The model adapter: one object (named parameters, loss, gradient, logits, seeded init) that every
 * model-dependent measure accepts, and the built-in sequential implementation.
 * @packageDocumentation
 */
export { sequentialModel } from './sequential.js';
export type { LayerSpec, SequentialSpec } from './sequential.js';
export type { Batch, ParamInfo, LossAndGrad, ModelAdapter } from './types.js';
export { selectRows } from './adapter-util.js';
export { grokkingMlpSpec, mnistMlpSpec } from './presets.js';
export { tfjsModel } from './tfjs.js';
export type { TfjsModelOptions } from './tfjs.js';
