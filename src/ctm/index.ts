export type { CtmTable, CtmShapeTable, CtmProvenance } from './types.js';
export { shapeKey } from './types.js';
export { buildCtmTable } from './build.js';
export type { CtmEntry } from './build.js';
export { ctmTableFromTsv } from './tsv.js';
export type { CtmTsvOptions } from './tsv.js';
export { ctm1d, ctm2d } from './builtin.js';
export { defaultTable } from './default.js';
export {
  enumerateCtm, splitCtmTasks, enumerateCtmSubtree, finalizeCtmCounts, ctmEntriesFromCounts, newRawTotals, addLazyCounts,
  mergeRawTotals,
} from './enumerate.js';
export type { CtmSpaceOptions, CtmCounts, CtmRawTotals } from './enumerate.js';
export { bruteForceCtm } from './enumerateBrute.js';
export type { BruteForceCounts } from './enumerateBrute.js';
export type { LazyCounts } from './enumerateLazy.js';
export { monteCarloHalting } from './enumerateMonteCarlo.js';
export type { MonteCarloHalting } from './enumerateMonteCarlo.js';
