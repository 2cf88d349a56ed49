/** The model report behind `ockham report`, browser-safe: tensors in, a `Report` out, stages in a pool. */
export { buildReport, buildReportFromSource, assemble, largestFirst, validateReportOptions, STAGE_MEMORY, BUDGET_SLACK } from './core.js';
export { BZIP2_STAGE_BYTES, coarseStreamBound } from './core.js';
export type { ReportControl, ReportSource } from './core.js';
export { inlinePool, createMessagePool, createWebWorkerPool, serveReportStages } from './pool.js';
export type { ReportPool, PoolWorker, StageEndpoint, WebWorkerLike } from './pool.js';
export {
  analyseTensor, runStage, prepareTensor, stageTask, applyStage, stagesOf, coarseBits, coarseCodes, coarseStream, naiveBits,
  toTorchLayout, analysedShapeOf, skipReason,
} from './tensor.js';
export type { StageName, StageRef, StageTask, StageResult, PreparedTensor } from './tensor.js';
export { DEFAULT_REPORT_OPTIONS } from './types.js';
export { STRUCTURE_Z } from './types.js';
export type { Report, ReportOptions, TensorReport, TensorQubd, TensorRatio, TensorSpectral, CoarseSize, Progress } from './types.js';
