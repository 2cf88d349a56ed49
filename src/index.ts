/**
 * ockham — the complexity of neural-network weights: CTM/BDM, QuBD, spectral measures,
 * compression bounds, coarse-graining, LLC and LMN.
 *
 * This entry is browser-safe: it imports nothing from `node:`. File readers for paths live in
 * `ockham/node`.
 * @packageDocumentation
 */
export { OckhamError } from './errors.js';
export type { OckhamErrorCode } from './errors.js';
export type { Shape, FloatArray } from './util/validate.js';
export { createRng, permutation, shuffled, normalArray, uniformArray } from './util/random.js';
export type { Rng } from './util/random.js';
export { backend, warnings, onWarning } from './backend.js';
export type { BackendInfo, FallbackReason, OckhamWarning } from './backend.js';

export * from './quantize/index.js';
export * from './bitplanes/index.js';
export * from './ctm/index.js';
export * from './bdm/index.js';
export * from './qubd/index.js';
export {
  symmetricEigen, singularValues, svd, spectralEntropy, effectiveRank, lowRankTruncate, lowRankTruncateModel,
  reconstructLowRank, spectralEntropyGradient, spectralMetrics, powerLawFit,
} from './spectral/index.js';
export type {
  SymmetricEigenResult, SymmetricEigenOptions, SvdFactors, KRule, LowRankOptions, LowRankFactors, LowRankDense,
  LowRankTruncation, ModelTruncation, SpectralEntropyGradient, SpectralMetrics, PowerLawFit, PowerLawOptions,
} from './spectral/index.js';
export type { SpectralMethod, SpectralMethodOptions } from './spectral/index.js';
export type { SpectralControl } from './spectral/index.js';
export type { ProgressCallback } from './util/abort.js';
export * from './llc/index.js';
export * from './lmn/index.js';
export { sequentialModel, selectRows, grokkingMlpSpec, mnistMlpSpec, tfjsModel } from './model/index.js';
export type { TfjsModelOptions } from './model/index.js';
export { mulberry32, modularArithmetic, loadMnist, dataBudget } from './data/index.js';
export type { Mulberry32, ModularArithmeticOptions, DataSplit, MnistModule, MnistBatch, LoadMnistOptions, MnistSplit, DataBudgetOptions } from './data/index.js';
export type { Batch, ParamInfo, LossAndGrad, ModelAdapter, LayerSpec, SequentialSpec } from './model/index.js';
export { trainModel, checkpointToSafetensors, readCheckpoint } from './train/index.js';
export type { TrainOptions, TrainCheckpoint, TrainResult } from './train/index.js';
export { qubdBaseline, runExperiment, formatClaims, analyseRuns } from './experiment/index.js';
export type {
  ExperimentSpec, ExperimentModelSpec, ExperimentDataSpec, ExperimentTrainSpec, ExperimentRunSpec, ExperimentMeasuresSpec,
  ExperimentCheckpointInput, ExperimentResult, CheckpointResult, CheckpointMeasures, CorrelationResult, ClaimResult, RunExperimentOptions,
} from './experiment/index.js';
export type { QubdBaselineOptions, QubdBaselineResult, QubdPlaneComparison, BaselineStats } from './experiment/index.js';
export type { NamedTensor, ModelTensors } from './util/model.js';
export {
  compress, compressedBits, decompress, naiveCompressedBits, serializeCoarseGrained, deserializeCoarseGrained,
  dequantizeCoarseGrained, CODECS, DECOMPRESS_MAX_BYTES,
} from './compress/index.js';
export type {
  Codec, CompressOptions, DecompressOptions, RawTensors, CoarseGrainedModel, CoarseGrainedTensor, DenseCoarseTensor,
  LowRankCoarseTensor, CoarseFactor,
} from './compress/index.js';
export { compressAsync, type CompressAsyncOptions } from './compress/index.js';
export {
  parseSafetensors, serializeSafetensors, parseSafetensorsHeader, safetensorsHeaderLength, decodeSafetensorsEntry,
  SAFETENSORS_DTYPES, MAX_SAFETENSORS_HEADER, parseNpy, npyToTensor, parseNpz, parseTfjsModel, tfjsManifest,
  halfToFloat, floatToHalf, floatToBfloat16,
} from './io/index.js';
export type {
  WeightsFile, LoadedTensor, SafetensorsEntry, SafetensorsHeader, SafetensorsInput, NpyArray, NpzOptions, TfjsWeightEntry,
  TfjsManifestGroup,
} from './io/index.js';
export { parsePytorch, PYTORCH_DEFAULT_BUDGET, PYTORCH_ALLOWED_GLOBALS, parseOnnx, ONNX_DEFAULT_BUDGET, unpickle } from './io/index.js';
export type { PytorchOptions, OnnxOptions, UnpickleOptions, UnpickleResult, PickleGlobal, PickleGlobalRef } from './io/index.js';
export { listZipEntries, readZipEntry, crc32, ZIP_DEFAULT_BUDGET, listZipSource, decodeZipMember } from './io/index.js';
export type { ZipEntry, ZipBudget, ZipSource } from './io/index.js';
export { READ_BUDGET_DEFAULTS, tfjsGroupBytes } from './io/index.js';
export type { ReadBudget } from './io/index.js';
// GGUF reader (issue 16)
export { parseGguf, parseGgufHeader, dequantizeGgml, ggmlType, GGUF_SUPPORTED_TYPES, GGUF_DEFAULTS } from './io/index.js';
export type { GgufFile, GgufHeader, GgufOptions, GgufTensorInfo, GgufMetadataEntry, GgufValue, GgufNumericArray, GgufValueType, GgmlType } from './io/index.js';
// Tensor layouts (issue 16)
export { toTorchLayout, withLayout, TORCH_PERMUTATIONS } from './io/index.js';
export type { TensorLayout, LayoutChoice } from './io/index.js';
// Format detection by content (issue 16)
export { detectWeightsFormat, SUPPORTED_FORMATS_TEXT, parseWeights } from './io/index.js';
export type { DetectedFormat, FormatGuess, ParseWeightsOptions } from './io/index.js';
export { bayesOptimize, coarseGrainSearch, quantizationSearch, rateDistortionCurve, fitLogCurve, noisyWeights } from './coarsegrain/index.js';
export type {
  BayesOptimizeOptions, BayesOptimizeResult, BayesEvaluation, Objective, ObjectiveValue, SearchDimension, SearchPoint,
  SearchSpace, CoarseGrainOptions, QuantizationSearchOptions, SearchCommonOptions, CoarseGrainResult, CoarseGrainEvaluation,
  CoarseGrainBest, LossFunction, CodecChoice, RateDistortionOptions, RateDistortionResult, RateDistortionPoint, LogCurveFit,
} from './coarsegrain/index.js';
export {
  buildReport, buildReportFromSource, largestFirst, inlinePool, createMessagePool, createWebWorkerPool, serveReportStages, runStage,
  DEFAULT_REPORT_OPTIONS,
} from './report/index.js';
export { STRUCTURE_Z } from './report/index.js';
export type {
  Report, ReportOptions, TensorReport, TensorQubd, TensorRatio, TensorSpectral, CoarseSize, Progress, ReportControl, ReportSource,
  ReportPool, PoolWorker, StageEndpoint, StageTask, StageResult, StageName, WebWorkerLike,
} from './report/index.js';
export { generalizationBound, totalDescriptionLength } from './bounds/index.js';
export type { GeneralizationBoundArgs, DescriptionLengthArgs, DescriptionLength } from './bounds/index.js';
