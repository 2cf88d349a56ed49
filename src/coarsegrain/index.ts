/**
 * Coarse-grained complexity (DeMoss et al., "The Complexity Dynamics of Grokking"): Bayesian-
 * optimised low-rank + quantization search, quantization-only search, rate–distortion curves,
 * the generic Bayesian optimiser and the noisy-weight helper.
 * @module
 */
export { bayesOptimize } from './bayes-optimize.js';
export type {
  BayesOptimizeOptions,
  BayesOptimizeResult,
  BayesEvaluation,
  Objective,
  ObjectiveValue,
  SearchDimension,
  SearchPoint,
  SearchSpace,
} from './bayes-optimize.js';
export { coarseGrainSearch, quantizationSearch } from './search.js';
export type {
  CoarseGrainOptions,
  QuantizationSearchOptions,
  SearchCommonOptions,
  CoarseGrainResult,
  CoarseGrainEvaluation,
  CoarseGrainBest,
  LossFunction,
  CodecChoice,
} from './search.js';
export { rateDistortionCurve, fitLogCurve } from './rate-distortion.js';
export type { RateDistortionOptions, RateDistortionResult, RateDistortionPoint, LogCurveFit } from './rate-distortion.js';
export { noisyWeights } from './noisy.js';
