/**
 * The experiment harness: baselines, statistics and `runExperiment`.
 * @packageDocumentation
 */
export { qubdBaseline } from './qubd-baseline.js';
export type { QubdBaselineOptions, QubdBaselineResult, QubdPlaneComparison, BaselineStats } from './qubd-baseline.js';
export { runExperiment, formatClaims, analyseRuns } from './run.js';
export type {
  ExperimentSpec, ExperimentModelSpec, ExperimentDataSpec, ExperimentTrainSpec, ExperimentRunSpec, ExperimentMeasuresSpec,
  ExperimentCheckpointInput, ExperimentResult, CheckpointResult, CheckpointMeasures, CorrelationResult, ClaimResult, RunExperimentOptions,
} from './run.js';
