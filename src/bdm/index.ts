/**
 * BDM (Block Decomposition Method) on binary 1-D and 2-D inputs: BDM, block entropy, their pybdm
 * normalisations, mergeable block counts and incremental perturbation analysis.
 */
export { ctmBlockDecompose, blockEntropy, normalizedBdm, normalizedBlockEntropy } from './decompose.js';
export { blockCounts, mergeBlockCounts } from './count.js';
export { bdmFromCounts } from './score.js';
export { bdmPerturbation, perturbBdm } from './perturb.js';
export type { BdmOptions, BdmResult, BlockCounts, Boundary, ShapeCounts } from './types.js';
