/** The `ockham` CLI as functions (Node only): report/track computation, text and SVG output. */
export { run, parseArgs, EXIT, UsageError } from './run.js';
export type { CliIo } from './run.js';
export { reportFile, analyseTensor, assemble, coarseBits, coarseCodes, toTorchLayout, DEFAULT_REPORT_OPTIONS, SMALL_FILE_PARAMS } from './report.js';
export type { Report, ReportOptions, TensorReport, CoarseSize, Progress, ReportFileControl } from './report.js';
export { createNodePool, defaultJobs } from './pool-node.js';
export { trackFiles, summarise, formatTrack, trackChart } from './track.js';
export type { Track, CheckpointSummary } from './track.js';
export { formatReport, reportChart, table } from './format.js';
export { lineChart, barChart, niceTicks, formatTick } from './svg.js';
export type { LineChartSpec, BarChartSpec, ChartSeries, ReferenceLine, XBand } from './svg.js';
export { progressBar, formatDuration } from './progress.js';
