/**
 * Linear mapping number (Liu, Zhong & Tegmark 2023): how many linear maps a network's function
 * splits into over a set of samples.
 * @packageDocumentation
 */
export { linearMappingNumber } from './lmn.js';
export { lmnFromConnectivity } from './connectivity.js';
export type {
  LinearMappingNumberOptions,
  LinearMappingNumberResult,
  LmnActivation,
  LmnBatchFn,
  LmnLayer,
  LmnModel,
  LmnSamples,
} from './types.js';
