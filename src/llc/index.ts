/**
 * Local learning coefficient (Lau et al.; Urdshals et al. 2025) and its companions: exact
 * deep-linear-network coefficients, the SLT description length, and critical quantization bits.
 * @packageDocumentation
 */
export { estimateLlc } from './estimate.js';
export { calibrateLlc } from './calibrate.js';
export type { CalibrateLlcOptions, CalibrateLlcResult, CalibrationCandidate } from './calibrate.js';
export { learningCoefficientDln } from './dln.js';
export { llcDescriptionLength } from './description-length.js';
export { criticalBits } from './critical-bits.js';
export type { LlcDescriptionLengthOptions } from './description-length.js';
export type {
  CriticalBitsOptions,
  CriticalBitsResult,
  CriticalBitsTensor,
  TensorsLossFn,
} from './critical-bits.js';
export type { EstimateLlcOptions, LlcResult, LlcWarning, LossAndGradFn, LossAndGradResult } from './types.js';
