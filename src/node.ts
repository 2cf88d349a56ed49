/**
 * ockham/node — everything in `ockham`, plus Node-only file readers (paths, streaming). The core
 * entry `ockham` stays browser-safe.
 * @packageDocumentation
 */
export * from './index.js';
export * from './io/node/index.js';
export { reportFile, trackFiles, lineChart, barChart } from './cli/index.js';
export type { Track, LineChartSpec, BarChartSpec, CheckpointSummary, ChartSeries, ReferenceLine, XBand } from './cli/index.js';
export { createNodePool, defaultJobs } from './cli/index.js';
export type { ReportFileControl } from './cli/index.js';
export { runExperimentFile } from './cli/experiment.js';
