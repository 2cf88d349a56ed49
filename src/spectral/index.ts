/**
 * Spectral toolkit: singular values, spectral entropy, effective rank, low-rank truncation,
 * spectral-entropy gradient, weightwatcher-style metrics, and a symmetric eigen-solver.
 * @packageDocumentation
 */
export { symmetricEigen } from './symmetric-eigen.js';
export type { SymmetricEigenResult, SymmetricEigenOptions } from './symmetric-eigen.js';
