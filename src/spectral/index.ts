/**
 * Spectral toolkit: singular values, spectral entropy, effective rank, low-rank truncation,
 * spectral-entropy gradient, weightwatcher-style metrics, and a symmetric eigen-solver.
 * @packageDocumentation
 */
export { symmetricEigen } from './symmetric-eigen.js';
export type { SymmetricEigenResult, SymmetricEigenOptions } from './symmetric-eigen.js';
export { singularValues, svd } from './svd.js';
export type { SvdFactors } from './svd.js';
export type { SpectralMethod, SpectralMethodOptions } from './svd.js';
export { spectralEntropy, effectiveRank } from './entropy.js';
export { lowRankTruncate, lowRankTruncateModel, reconstructLowRank } from './low-rank.js';
export type {
  KRule,
  LowRankOptions,
  LowRankFactors,
  LowRankDense,
  LowRankTruncation,
  ModelTruncation,
} from './low-rank.js';
export { spectralEntropyGradient } from './gradient.js';
export type { SpectralEntropyGradient } from './gradient.js';
export { spectralMetrics, powerLawFit } from './metrics.js';
export type { SpectralMetrics, PowerLawFit, PowerLawOptions } from './metrics.js';
