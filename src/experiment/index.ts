/**
 * The experiment harness: baselines, statistics and `runExperiment`.
 * @packageDocumentation
 */
export { qubdBaseline } from './qubd-baseline.js';
export type { QubdBaselineOptions, QubdBaselineResult, QubdPlaneComparison, BaselineStats } from './qubd-baseline.js';
