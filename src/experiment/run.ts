/**
 * `runExperiment`: from a training run (trained here, or given as checkpoints) to every measure
 * with its baselines, phases, correlations with bootstrap intervals, and each paper's claim with a
 * verdict against stated thresholds.
 */
import { OckhamError } from '../errors.js';
import { calibrateLlc } from '../llc/calibrate.js';
import { estimateLlc } from '../llc/estimate.js';
import { criticalBits } from '../llc/critical-bits.js';
import { quantizationSearch } from '../coarsegrain/search.js';
import { linearMappingNumber } from '../lmn/lmn.js';
import { sequentialModel, type SequentialSpec } from '../model/sequential.js';
import { grokkingMlpSpec, mnistMlpSpec } from '../model/presets.js';
import { selectRows } from '../model/adapter-util.js';
import type { Batch, ModelAdapter } from '../model/types.js';
import { modularArithmetic } from '../data/modular.js';
import { loadMnist, dataBudget, type MnistModule } from '../data/mnist.js';
import { trainModel } from '../train/trainer.js';
import { spectralEntropy, effectiveRank } from '../spectral/entropy.js';
import { qubdBaseline } from './qubd-baseline.js';
import { bootstrapInterval, pearson, spearman } from './stats.js';
import { createRng } from '../util/random.js';
import { assertControl, checkAbort, macrotask, progressStepper, type ProgressCallback } from '../util/abort.js';

/** The model of an experiment: a preset or a sequential description. */
export type ExperimentModelSpec =
  | { readonly preset: 'grokking'; readonly p?: number; readonly d?: number; readonly h?: number }
  | { readonly preset: 'mnistMlp'; readonly hidden?: readonly number[] }
  | { readonly sequential: SequentialSpec };

/** The data of an experiment. */
export type ExperimentDataSpec =
  | { readonly kind: 'modular'; readonly p: number; readonly trainFraction?: number; readonly seed?: number; readonly op?: 'add' | 'sub' | 'mul' }
  | { readonly kind: 'mnist'; readonly testSize?: number; readonly seed?: number };

/** Training settings of a run (see `trainModel`). */
export interface ExperimentTrainSpec {
  readonly steps: number;
  readonly lr?: number;
  readonly weightDecay?: number;
  readonly batchSize?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly checkpointSteps?: readonly number[];
  readonly seed?: number;
  readonly spectralEntropyWeight?: number;
}

/** A checkpoint given to the experiment (read from a file by the CLI, or in memory). */
export interface ExperimentCheckpointInput {
  readonly step: number;
  readonly params: Float64Array;
}

/** One run: a data budget / label noise setting, trained or given as checkpoints. */
export interface ExperimentRunSpec {
  readonly name: string;
  /** Training samples (a stratified subset; default all). */
  readonly budget?: number;
  /** Share of training labels replaced by wrong ones (the overfitting run). Default 0. */
  readonly labelNoise?: number;
  readonly train?: ExperimentTrainSpec;
  /** Checkpoints instead of `train` (the CLI fills them from `checkpointsDir`). */
  readonly checkpoints?: readonly ExperimentCheckpointInput[];
  /** For the CLI: a folder of `*.safetensors` checkpoints with the model's tensor names (metadata `step`). */
  readonly checkpointsDir?: string;
}

/** Which measures to compute (false skips one). */
export interface ExperimentMeasuresSpec {
  readonly qubd?: false | { readonly bits?: number; readonly reinits?: number; readonly shuffles?: number; readonly alpha?: number };
  readonly coarseGrain?: false | { readonly epsilon?: number; readonly lossSamples?: number; readonly maxIterations?: number };
  readonly spectral?: boolean;
  readonly lmn?: false | { readonly samples?: number; readonly points?: number };
  readonly llc?:
    | false
    | {
        readonly batchSize?: number;
        readonly chains?: number;
        readonly draws?: number;
        readonly burnIn?: number;
        readonly epsilons?: readonly number[];
        readonly gammas?: readonly number[];
        readonly pilotDraws?: number;
        readonly lossSamples?: number;
      };
  readonly criticalBits?: false | { readonly epsilon?: number; readonly lossSamples?: number; readonly rangeCandidates?: number };
}

/** An experiment description (the JSON of `ockham experiment <spec.json>`). */
export interface ExperimentSpec {
  readonly name: string;
  readonly seed?: number;
  readonly model: ExperimentModelSpec;
  readonly data: ExperimentDataSpec;
  readonly runs: readonly ExperimentRunSpec[];
  readonly measures?: ExperimentMeasuresSpec;
}

/** Per-checkpoint measures (NaN / null when not computed). Units in the field docs. */
export interface CheckpointMeasures {
  /** QuBD total (bits, BDM) and per-plane values (LSB first). */
  qubdTotal?: number;
  qubdPlanes?: number[];
  /** QuBD total / mean over re-inits, and its z-score. */
  qubdRatio?: number;
  qubdZ?: number;
  /** Half-width of the re-init prediction band of the total (bits). */
  qubdBand?: number;
  qubdPlaneRatios?: number[];
  qubdPlaneZ?: number[];
  /** Per plane: trained / mean over element shuffles of the trained tensors (same values, no arrangement). */
  qubdPlaneShuffleRatios?: number[];
  qubdSuggestedBits?: number | null;
  qubdVerdict?: string;
  /** Coarse-grained size (bits, bzip2 of the coarsest accepted quantization) and the naive bzip2 size. */
  coarseBits?: number;
  naiveBits?: number;
  coarseFallback?: boolean;
  /** Mean over 2-D tensors of the spectral entropy (nats) and effective rank. */
  spectralEntropy?: number;
  effectiveRank?: number;
  lmn?: number;
  lmnAffine?: boolean;
  llc?: number;
  llcStdError?: number;
  llcAcceptance?: number;
  llcMinEss?: number;
  llcWarnings?: string[];
  /** Critical bits (model mode) and Σ bits × weights. */
  criticalBits?: number | null;
  criticalTotalBits?: number | null;
}

/** One checkpoint of a run, with its metrics, phase and measures. */
export interface CheckpointResult {
  readonly step: number;
  readonly trainLoss: number;
  readonly trainAcc: number;
  readonly testLoss: number;
  readonly testAcc: number;
  readonly weightNorm: number;
  readonly phase: 'memorisation' | 'plateau' | 'generalisation' | 'generalised';
  readonly measures: CheckpointMeasures;
  /** Milliseconds per measure. */
  readonly timings: Record<string, number>;
}

/** A correlation over checkpoints with bootstrap 95 % intervals. */
export interface CorrelationResult {
  readonly run: string;
  readonly x: string;
  readonly y: string;
  readonly subset: string;
  readonly n: number;
  readonly pearson: number;
  readonly pearsonCI: [number, number];
  readonly spearman: number;
  readonly spearmanCI: [number, number];
}

/** A paper's claim and the verdict computed from this experiment. */
export interface ClaimResult {
  readonly paper: string;
  readonly claim: string;
  readonly test: string;
  readonly threshold: string;
  readonly value: string;
  readonly verdict: 'shown' | 'not shown' | 'not testable';
}

/** Result of {@link runExperiment}. */
export interface ExperimentResult {
  readonly name: string;
  readonly model: { readonly description: string; readonly parameters: number };
  readonly runs: readonly {
    readonly name: string;
    readonly budget: number;
    readonly labelNoise: number;
    readonly trainSize: number;
    readonly llcCalibration?: { readonly epsilon: number; readonly gamma: number; readonly failed: boolean; readonly warnings: string[] };
    readonly checkpoints: readonly CheckpointResult[];
  }[];
  readonly correlations: readonly CorrelationResult[];
  readonly claims: readonly ClaimResult[];
  /** Total milliseconds per measure over all checkpoints. */
  readonly timings: Record<string, number>;
}

/** Options of {@link runExperiment}. */
export interface RunExperimentOptions {
  /** The `mnist` module (else imported dynamically). */
  readonly mnist?: MnistModule;
  /** Progress messages (e.g. to stderr). */
  readonly log?: (msg: string) => void;
  /**
   * Cancels the experiment: checked before each run's training, at each training checkpoint
   * (the trainer's `onCheckpoint`), before the LLC calibration, before each measured checkpoint
   * and between its measures, and passed to `quantizationSearch`, `calibrateLlc`, `estimateLlc`,
   * `linearMappingNumber` and `criticalBits`, which check it inside their loops. The experiment
   * yields to the event loop before each checkpoint, so an abort from a timer or a signal handler
   * lands there (and within about 100 ms inside the LLC sampler). Rejects with `signal.reason` (a DOMException named
   * 'AbortError' unless the caller gave another reason).
   */
  readonly signal?: AbortSignal;
  /**
   * Progress in checkpoints: `(done, total, label)` with `done` the checkpoints measured and
   * `total` those of every run (the distinct `checkpointSteps` of a trained run, default 2, or
   * the checkpoints given); `label` says what runs next — `'<run> · training'`,
   * `'<run> · LLC calibration'` or `'<run> · step <n>'`; the last call is `(total, total, 'done')`.
   * Never changes the result.
   */
  readonly onProgress?: ProgressCallback;
}

/** Checkpoints a run will measure, as far as the spec says (the progress total). */
function checkpointCount(run: ExperimentRunSpec | null | undefined): number {
  if (run === null || typeof run !== 'object') return 0;
  const t = run.train;
  if (t !== undefined && t !== null) {
    if (Array.isArray(t.checkpointSteps)) return new Set(t.checkpointSteps).size;
    return t.checkpointSteps === undefined ? new Set([0, t.steps]).size : 0;
  }
  return Array.isArray(run.checkpoints) ? run.checkpoints.length : 0;
}

function modelOf(spec: ExperimentModelSpec): ModelAdapter {
  if (spec === null || typeof spec !== 'object') throw new OckhamError('INVALID_ARGUMENT', 'spec.model', 'expected { preset } or { sequential }');
  if ('sequential' in spec) return sequentialModel(spec.sequential);
  if (spec.preset === 'grokking') return sequentialModel(grokkingMlpSpec(spec.p, spec.d, spec.h));
  if (spec.preset === 'mnistMlp') return sequentialModel(mnistMlpSpec(spec.hidden));
  throw new OckhamError('INVALID_ARGUMENT', 'spec.model.preset', `expected 'grokking' or 'mnistMlp', got ${String((spec as { preset?: unknown }).preset)}`);
}

function phaseOf(trainAcc: number, testAcc: number): CheckpointResult['phase'] {
  if (!(trainAcc >= 0.99)) return 'memorisation';
  if (!(testAcc >= 0.1)) return 'plateau';
  if (!(testAcc >= 0.95)) return 'generalisation';
  return 'generalised';
}

function subsetOf(data: Batch, n: number | undefined, seed: number): Batch {
  if (n === undefined || n >= data.size) return data;
  const rng = createRng(seed);
  const idx = Array.from({ length: data.size }, (_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return selectRows(data, idx.slice(0, n).sort((a, b) => a - b));
}

const fmt = (v: number, d = 3): string => (Number.isFinite(v) ? (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(d)) : String(v));

/**
 * Runs an experiment: for every run, trains the model (or takes the given checkpoints), then at
 * every checkpoint computes the measures asked for — QuBD with its re-initialisation and shuffle
 * baselines (`qubdBaseline`), the coarse-grained size (`quantizationSearch`, DeMoss et al.'s
 * Algorithm 2, on `lossSamples` training samples), mean spectral entropy / effective rank of the 2-D
 * tensors, the LMN of the model's dense tail on `samples` training inputs, the LLC (ε/γ calibrated
 * once per run by `calibrateLlc` at the last checkpoint, then the same sampler at every checkpoint)
 * and critical bits — with per-measure timings; labels each checkpoint's phase (memorisation: train
 * accuracy < 99 %; plateau: test < 10 %; generalisation: test < 95 %; generalised); computes
 * Pearson / Spearman correlations with seeded bootstrap 95 % intervals over checkpoints; and
 * evaluates each paper's claim against the thresholds stated in its row.
 *
 * @param spec - {@link ExperimentSpec}.
 * `options.signal` cancels (between checkpoints and measures, and inside the coarse-grained search,
 * LLC, LMN and critical-bits measures) and `options.onProgress` counts measured checkpoints; see
 * {@link RunExperimentOptions}.
 *
 * @param options - {@link RunExperimentOptions}.
 * @returns A Promise of {@link ExperimentResult} (plain JSON-able data).
 * @throws {@link OckhamError} for a bad spec (naming the field) or a bad `options.signal` /
 *   `options.onProgress`; `signal.reason` when aborted.
 * @example
 * ```ts
 * import { runExperiment } from 'ockham';
 * const r = await runExperiment({
 *   name: 'tiny', model: { preset: 'grokking', p: 7, d: 4, h: 8 }, data: { kind: 'modular', p: 7 },
 *   runs: [{ name: 'run', train: { steps: 50, lr: 0.01, checkpointSteps: [0, 25, 50] } }],
 *   measures: { llc: false, coarseGrain: false, criticalBits: false },
 * });
 * r.claims.length > 0; // true
 * ```
 */
export async function runExperiment(spec: ExperimentSpec, options: RunExperimentOptions = {}): Promise<ExperimentResult> {
  if (spec === null || typeof spec !== 'object') throw new OckhamError('INVALID_ARGUMENT', 'spec', 'expected an experiment description');
  if (typeof spec.name !== 'string') throw new OckhamError('INVALID_ARGUMENT', 'spec.name', 'expected a string');
  if (!Array.isArray(spec.runs) || spec.runs.length === 0) throw new OckhamError('EMPTY', 'spec.runs', 'expected at least one run');
  if (options === null || typeof options !== 'object') throw new OckhamError('INVALID_ARGUMENT', 'options', 'expected an options object');
  assertControl(options, 'options');
  const { signal, onProgress } = options;
  checkAbort(signal);
  const log = options.log ?? ((): void => {});
  const totalCheckpoints = spec.runs.reduce((n, r) => n + checkpointCount(r), 0);
  const progress = progressStepper(signal, onProgress, totalCheckpoints);
  let measured = 0;
  // Lets an abort land during training (results unchanged: no random draw depends on it).
  const onCheckpoint =
    signal === undefined
      ? undefined
      : async (): Promise<void> => {
          await macrotask();
          checkAbort(signal);
        };
  const model = modelOf(spec.model);
  const seed = spec.seed ?? 0;
  const ms = spec.measures ?? {};
  let pool: { train: Batch; test: Batch };
  const d = spec.data;
  if (d?.kind === 'modular') pool = modularArithmetic({ p: d.p, trainFraction: d.trainFraction, seed: d.seed, op: d.op });
  else if (d?.kind === 'mnist') pool = await loadMnist({ module: options.mnist, testSize: d.testSize, seed: d.seed });
  else throw new OckhamError('INVALID_ARGUMENT', 'spec.data.kind', "expected 'modular' or 'mnist'");

  const totals: Record<string, number> = {};
  const runs: ExperimentResult['runs'][number][] = [];
  for (const [ri, run] of spec.runs.entries()) {
    const where = `spec.runs[${ri}]`;
    if (run === null || typeof run !== 'object' || typeof run.name !== 'string') throw new OckhamError('INVALID_ARGUMENT', where, 'expected { name, train | checkpoints }');
    const budget = run.budget ?? pool.train.size;
    const labelNoise = run.labelNoise ?? 0;
    const train = budget < pool.train.size || labelNoise > 0 ? dataBudget(pool.train, budget, { seed: seed + ri, labelNoise, classes: model.outputs }) : pool.train;
    let cks: { step: number; params: Float64Array }[];
    if (run.train !== undefined) {
      const t = run.train;
      await progress.step(measured, `${run.name} · training`);
      log(`${spec.name}/${run.name}: training ${t.steps} steps on ${train.size} samples`);
      const t0 = performance.now();
      const r = await trainModel({
        model,
        train,
        steps: t.steps,
        lr: t.lr,
        weightDecay: t.weightDecay,
        batchSize: t.batchSize,
        beta1: t.beta1,
        beta2: t.beta2,
        checkpointSteps: t.checkpointSteps,
        seed: t.seed ?? seed,
        spectralEntropy: t.spectralEntropyWeight ? { weight: t.spectralEntropyWeight } : undefined,
        onCheckpoint,
      });
      totals.train = (totals.train ?? 0) + performance.now() - t0;
      cks = r.checkpoints.map((c) => ({ step: c.step, params: c.params }));
    } else if (Array.isArray(run.checkpoints) && run.checkpoints.length > 0) {
      cks = (run.checkpoints as readonly ExperimentCheckpointInput[]).map((c, i) => {
        if (!(c.params instanceof Float64Array) || c.params.length !== model.size) {
          throw new OckhamError('SHAPE_MISMATCH', `${where}.checkpoints[${i}].params`, `expected a Float64Array of the model's ${model.size} parameters`);
        }
        return { step: c.step, params: c.params };
      });
      cks.sort((a, b) => a.step - b.step);
    } else {
      throw new OckhamError('INVALID_ARGUMENT', where, 'give train settings or checkpoints');
    }

    // LLC calibration once per run, at the last checkpoint.
    const llcSpec = ms.llc === false ? null : (ms.llc ?? {});
    const llcData = llcSpec ? subsetOf(train, llcSpec.lossSamples, seed + 11) : train;
    let calib: { epsilon: number; gamma: number; failed: boolean; warnings: string[] } | undefined;
    if (llcSpec) {
      await progress.step(measured, `${run.name} · LLC calibration`);
      log(`${spec.name}/${run.name}: calibrating the LLC sampler`);
      const t0 = performance.now();
      const c = await calibrateLlc({
        model,
        data: llcData,
        batchSize: llcSpec.batchSize ?? 128,
        weights: cks[cks.length - 1].params,
        n: train.size,
        chains: llcSpec.chains ?? 4,
        draws: llcSpec.draws ?? 200,
        burnIn: llcSpec.burnIn ?? 200,
        epsilons: llcSpec.epsilons,
        gammas: llcSpec.gammas,
        pilotDraws: llcSpec.pilotDraws ?? 150,
        seed,
        signal,
      });
      totals.llcCalibration = (totals.llcCalibration ?? 0) + performance.now() - t0;
      calib = { epsilon: c.epsilon, gamma: c.gamma, failed: c.failed, warnings: c.warnings.map((w) => `${w.code}: ${w.message}`) };
    }

    const qSpec = ms.qubd === false ? null : (ms.qubd ?? {});
    const cgSpec = ms.coarseGrain === false ? null : (ms.coarseGrain ?? {});
    const cgData = cgSpec ? subsetOf(train, cgSpec.lossSamples, seed + 12) : train;
    const lmnSpec = ms.lmn === false ? null : (ms.lmn ?? {});
    const lmnData = lmnSpec ? subsetOf(train, lmnSpec.samples ?? 100, seed + 13) : train;
    const cbSpec = ms.criticalBits === false ? null : (ms.criticalBits ?? {});
    const cbData = cbSpec ? subsetOf(train, cbSpec.lossSamples, seed + 14) : train;

    const results: CheckpointResult[] = [];
    for (const ck of cks) {
      await progress.step(measured, `${run.name} · step ${ck.step}`);
      log(`${spec.name}/${run.name}: step ${ck.step}`);
      const timings: Record<string, number> = {};
      const time = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
        checkAbort(signal);
        const t0 = performance.now();
        const v = await f();
        const dt = performance.now() - t0;
        timings[name] = dt;
        totals[name] = (totals[name] ?? 0) + dt;
        return v;
      };
      const w = ck.params;
      const tr = model.evaluate(w, train);
      const te = model.evaluate(w, pool.test);
      let norm = 0;
      for (let i = 0; i < w.length; i++) norm += w[i] * w[i];
      const m: CheckpointMeasures = {};
      if (qSpec) {
        const q = await time('qubd', () => qubdBaseline(model, w, { bits: qSpec.bits ?? 8, reinits: qSpec.reinits ?? 8, shuffles: qSpec.shuffles ?? 2, alpha: qSpec.alpha, seed }));
        m.qubdTotal = q.total.trained;
        m.qubdPlanes = q.planes.map((p) => p.trained);
        m.qubdRatio = q.total.ratio;
        m.qubdZ = q.total.z;
        m.qubdBand = q.total.halfWidth;
        m.qubdPlaneRatios = q.planes.map((p) => p.ratio);
        m.qubdPlaneZ = q.planes.map((p) => p.z);
        if (q.shuffles > 0) m.qubdPlaneShuffleRatios = q.planes.map((p) => p.trained / (p.shuffle as { mean: number }).mean);
        m.qubdSuggestedBits = q.suggestedBits;
        m.qubdVerdict = q.verdict;
      }
      if (cgSpec) {
        const eps = cgSpec.epsilon ?? 0.01;
        const r = await time('coarseGrain', () =>
          quantizationSearch(w, { model, data: cgData, epsilon: eps, method: 'bisection', maxIterations: cgSpec.maxIterations ?? 16, signal }),
        );
        m.coarseBits = r.bits;
        m.naiveBits = r.naiveBits;
        m.coarseFallback = r.fallback;
      }
      if (ms.spectral !== false) {
        await time('spectral', () => {
          let h = 0;
          let er = 0;
          let k = 0;
          for (const p of model.params) {
            if (p.shape.length !== 2 || Math.min(...p.shape) < 2) continue;
            const v = w.subarray(p.offset, p.offset + p.size);
            h += spectralEntropy(v, p.shape);
            er += effectiveRank(v, p.shape);
            k++;
          }
          m.spectralEntropy = k > 0 ? h / k : NaN;
          m.effectiveRank = k > 0 ? er / k : NaN;
        });
      }
      if (lmnSpec) {
        const r = await time('lmn', () => linearMappingNumber({ model, params: w }, lmnData, { points: lmnSpec.points ?? 21, signal }));
        m.lmn = r.lmn;
        m.lmnAffine = r.affine === true;
      }
      if (llcSpec && calib) {
        const r = await time('llc', () =>
          estimateLlc({
            model,
            data: llcData,
            batchSize: llcSpec.batchSize ?? 128,
            weights: w,
            n: train.size,
            epsilon: calib.epsilon,
            gamma: calib.gamma,
            chains: llcSpec.chains ?? 4,
            draws: llcSpec.draws ?? 200,
            burnIn: llcSpec.burnIn ?? 200,
            seed,
            signal,
          }),
        );
        m.llc = r.llc;
        m.llcStdError = r.stdError;
        m.llcAcceptance = r.malaAcceptance;
        m.llcMinEss = Math.min(...r.effectiveSampleSize);
        m.llcWarnings = r.warnings.map((x) => x.code);
      }
      if (cbSpec) {
        const r = await time('criticalBits', () => criticalBits(w, { model, data: cbData, epsilon: cbSpec.epsilon ?? 0.01, rangeCandidates: cbSpec.rangeCandidates ?? 8, signal }));
        m.criticalBits = r.bits;
        m.criticalTotalBits = r.totalBits;
      }
      results.push({
        step: ck.step,
        trainLoss: tr.loss,
        trainAcc: tr.accuracy,
        testLoss: te.loss,
        testAcc: te.accuracy,
        weightNorm: Math.sqrt(norm),
        phase: phaseOf(tr.accuracy, te.accuracy),
        measures: m,
        timings,
      });
      measured++;
    }
    runs.push({ name: run.name, budget, labelNoise, trainSize: train.size, ...(calib ? { llcCalibration: calib } : {}), checkpoints: results });
  }

  const { correlations, claims } = analyseRuns(runs, seed);
  progress.finish();
  return { name: spec.name, model: { description: model.description, parameters: model.size }, runs, correlations, claims, timings: totals };
}

type Run = ExperimentResult['runs'][number];

/**
 * Correlations and claims of measured runs (what {@link runExperiment} computes after measuring);
 * exported so a committed result can be re-judged when a claim's rule changes, without re-measuring.
 *
 * @param runs - `result.runs` of an {@link ExperimentResult}.
 * @param seed - The experiment's seed (bootstrap resampling).
 * @returns `{ correlations, claims }`.
 * @example
 * ```ts
 * import { analyseRuns } from 'ockham';
 * // const { claims } = analyseRuns(committedResult.runs, 0);
 * ```
 */
export function analyseRuns(runs: ExperimentResult['runs'], seed: number): { correlations: CorrelationResult[]; claims: ClaimResult[] } {
  const correlations = correlate(runs, seed);
  return { correlations, claims: evaluateClaims(runs, correlations) };
}

const SERIES: Record<string, (c: CheckpointResult) => number | null | undefined> = {
  step: (c) => c.step,
  trainLoss: (c) => c.trainLoss,
  testLoss: (c) => c.testLoss,
  testAcc: (c) => c.testAcc,
  weightNorm: (c) => c.weightNorm,
  qubdTotal: (c) => c.measures.qubdTotal,
  coarseBits: (c) => c.measures.coarseBits,
  spectralEntropy: (c) => c.measures.spectralEntropy,
  lmn: (c) => c.measures.lmn,
  llc: (c) => c.measures.llc,
  criticalTotalBits: (c) => c.measures.criticalTotalBits,
};

function corr(run: string, cks: readonly CheckpointResult[], x: string, y: string, subset: string, seed: number): CorrelationResult | null {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const c of cks) {
    const a = SERIES[x](c);
    const b = SERIES[y](c);
    if (typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b)) {
      xs.push(a);
      ys.push(b);
    }
  }
  if (xs.length < 3) return null;
  const pc = bootstrapInterval(xs, ys, pearson, { seed, resamples: 2000 });
  const sc = bootstrapInterval(xs, ys, spearman, { seed: seed + 1, resamples: 2000 });
  return { run, x, y, subset, n: xs.length, pearson: pearson(xs, ys), pearsonCI: [pc.lo, pc.hi], spearman: spearman(xs, ys), spearmanCI: [sc.lo, sc.hi] };
}

function correlate(runs: readonly Run[], seed: number): CorrelationResult[] {
  const out: CorrelationResult[] = [];
  const pairs: [string, string][] = [
    ['step', 'qubdTotal'],
    ['step', 'coarseBits'],
    ['testAcc', 'spectralEntropy'],
    ['testAcc', 'lmn'],
    ['testLoss', 'lmn'],
    ['llc', 'criticalTotalBits'],
    ['llc', 'trainLoss'],
    ['criticalTotalBits', 'trainLoss'],
    ['llc', 'coarseBits'],
  ];
  for (const r of runs) {
    for (const [x, y] of pairs) {
      const all = corr(r.name, r.checkpoints, x, y, 'all checkpoints', seed);
      if (all) out.push(all);
      const post = corr(r.name, r.checkpoints.filter((c) => c.phase !== 'memorisation'), x, y, 'after memorisation', seed);
      if (post && post.n < (all?.n ?? 0)) out.push(post);
    }
  }
  return out;
}

/** Fewest checkpoints for a correlation-based verdict: below it a bootstrap interval is degenerate. */
const MIN_N = 6;

function evaluateClaims(runs: readonly Run[], cors: readonly CorrelationResult[]): ClaimResult[] {
  const claims: ClaimResult[] = [];
  const few = (c: CorrelationResult): string => `ρ = ${fmt(c.spearman, 2)}, r = ${fmt(c.pearson, 2)} over only ${c.n} checkpoints (< ${MIN_N}: no meaningful interval, no verdict)`;
  const find = (run: string, x: string, y: string, subset = 'all checkpoints'): CorrelationResult | undefined =>
    cors.find((c) => c.run === run && c.x === x && c.y === y && c.subset === subset);
  const fmtCI = (c: CorrelationResult, k: 'pearson' | 'spearman'): string =>
    `${k === 'pearson' ? 'r' : 'ρ'} = ${fmt(c[k], 2)} [${fmt(c[`${k}CI`][0], 2)}, ${fmt(c[`${k}CI`][1], 2)}] (n = ${c.n})`;
  const multi = runs.length > 1;
  const last = (r: Run): CheckpointResult => r.checkpoints[r.checkpoints.length - 1];

  // QuBD paper
  const Q = 'QuBD (bit-plane BDM)';
  for (const r of runs) {
    const c = find(r.name, 'step', 'qubdTotal');
    const first = r.checkpoints[0];
    const fin = last(r);
    if (!c || first.measures.qubdTotal === undefined || fin.measures.qubdTotal === undefined) {
      claims.push({ paper: Q, claim: `complexity falls as the model learns${multi ? ` (${r.name})` : ''}`, test: 'Spearman(step, QuBD total)', threshold: 'ρ ≤ −0.5, 95 % CI below 0, and the fall exceeds the re-init band', value: 'too few checkpoints', verdict: 'not testable' });
      continue;
    }
    const fall = first.measures.qubdTotal - fin.measures.qubdTotal;
    const band = fin.measures.qubdBand ?? NaN;
    const totals = r.checkpoints.map((k) => k.measures.qubdTotal as number);
    let monotone = true;
    for (let i = 1; i < totals.length; i++) if (!(totals[i] <= totals[i - 1])) monotone = false;
    const enough = c.n >= MIN_N;
    const ok = enough ? c.spearman <= -0.5 && c.spearmanCI[1] < 0 && fall > band : monotone && fall > band;
    claims.push({
      paper: Q,
      claim: `complexity falls as the model learns${multi ? ` (${r.name})` : ''}`,
      test: enough ? 'Spearman(step, QuBD total); first − last vs the re-init band' : `every checkpoint ≤ the previous one (only ${c.n} checkpoints); first − last vs the re-init band`,
      threshold: enough ? 'ρ ≤ −0.5, 95 % CI below 0, and the fall exceeds the re-init band' : 'monotone fall, exceeding the re-init band',
      value: `${enough ? fmtCI(c, 'spearman') : `${monotone ? 'monotone' : 'not monotone'} over ${c.n} checkpoints`}; fall ${fmt(fall)} bits vs band ±${fmt(band)} (total ${fmt(100 * (fin.measures.qubdRatio ?? NaN), 4)} % of re-inits)`,
      verdict: ok ? 'shown' : 'not shown',
    });
  }
  const clean = runs.filter((r) => r.labelNoise === 0 && last(r).measures.qubdTotal !== undefined);
  const budgets = new Set(clean.map((r) => r.budget));
  if (budgets.size >= 2) {
    const sorted = clean.slice().sort((a, b) => a.budget - b.budget);
    const vals = sorted.map((r) => last(r).measures.qubdTotal as number);
    const band = Math.max(...sorted.map((r) => last(r).measures.qubdBand ?? 0));
    let up = true;
    for (let i = 1; i < vals.length; i++) if (!(vals[i] - vals[i - 1] > band)) up = false;
    claims.push({
      paper: Q,
      claim: 'complexity grows with the data budget',
      test: 'final QuBD total per budget (clean runs)',
      threshold: 'strictly increasing, each step larger than the re-init band',
      value: sorted.map((r, i) => `${r.budget}: ${fmt(vals[i])}`).join(', ') + ` bits (band ±${fmt(band)})`,
      verdict: up ? 'shown' : 'not shown',
    });
  } else {
    claims.push({ paper: Q, claim: 'complexity grows with the data budget', test: 'final QuBD total per budget', threshold: '≥ 2 budgets needed', value: `${budgets.size} budget(s) in this experiment`, verdict: 'not testable' });
  }
  const noisy = runs.filter((r) => r.labelNoise > 0 && last(r).measures.qubdTotal !== undefined);
  if (noisy.length > 0 && clean.length > 0) {
    const n = noisy[0];
    const ref = clean.find((r) => r.budget === n.budget) ?? clean[0];
    const diff = (last(n).measures.qubdTotal as number) - (last(ref).measures.qubdTotal as number);
    const band = Math.max(last(n).measures.qubdBand ?? 0, last(ref).measures.qubdBand ?? 0);
    claims.push({
      paper: Q,
      claim: 'complexity rises with overfitting',
      test: `final QuBD total: ${n.name} (label noise ${n.labelNoise}) − ${ref.name}`,
      threshold: 'difference > re-init band',
      value: `${fmt(diff)} bits (band ±${fmt(band)}); test acc ${fmt(100 * last(n).testAcc, 3)} % vs ${fmt(100 * last(ref).testAcc, 3)} %`,
      verdict: diff > band ? 'shown' : 'not shown',
    });
  } else {
    claims.push({ paper: Q, claim: 'complexity rises with overfitting', test: 'noisy-label run vs clean run', threshold: 'needs a run with labelNoise > 0', value: 'no such run', verdict: 'not testable' });
  }
  for (const r of runs) {
    const fin = last(r);
    const z = fin.measures.qubdPlaneZ;
    const claim = `the most significant planes carry the information (${r.name}, final)`;
    if (z === undefined) {
      claims.push({ paper: Q, claim, test: 'plane z-scores vs re-inits', threshold: '—', value: 'QuBD not computed', verdict: 'not testable' });
      continue;
    }
    const bits = z.length;
    let arg = 0;
    for (let i = 1; i < bits; i++) if (Math.abs(z[i]) > Math.abs(z[arg])) arg = i;
    const detected = fin.measures.qubdSuggestedBits !== null && fin.measures.qubdSuggestedBits !== undefined;
    const sh = fin.measures.qubdPlaneShuffleRatios?.[arg];
    const shOk = sh === undefined ? false : sh < 0.99;
    claims.push({
      paper: Q,
      claim,
      test: 'planes beyond the re-init prediction band; the plane with the largest |z| against re-inits and against shuffles of the same weights',
      threshold: 'structure detected, the largest |z| in the upper half of planes, that plane LESS complex than the re-inits (z < 0) and ≥ 1 % below its shuffles (arrangement, not just the value distribution)',
      value: `${fin.measures.qubdVerdict}; largest |z| = ${fmt(Math.abs(z[arg]), 2)} at plane ${arg + 1}/${bits} (trained/re-init per plane, LSB first: ${(fin.measures.qubdPlaneRatios ?? []).map((x) => `${(100 * x).toFixed(1)}%`).join(' ')}${fin.measures.qubdPlaneShuffleRatios ? `; trained/shuffled: ${fin.measures.qubdPlaneShuffleRatios.map((x) => `${(100 * x).toFixed(1)}%`).join(' ')}` : '; no shuffles'})`,
      verdict: detected && arg >= bits / 2 && z[arg] < 0 && shOk ? 'shown' : 'not shown',
    });
  }

  // DeMoss et al.
  const D = 'DeMoss et al. (coarse-graining)';
  for (const r of runs) {
    const v = r.checkpoints.map((c) => c.measures.coarseBits);
    if (v.some((x) => x === undefined) || v.length < 3) {
      claims.push({ paper: D, claim: `coarse-grained complexity rises then falls${multi ? ` (${r.name})` : ''}`, test: 'peak position and size', threshold: '≥ 3 checkpoints', value: 'not computed', verdict: 'not testable' });
      continue;
    }
    const xs = v as number[];
    let pk = 0;
    for (let i = 1; i < xs.length; i++) if (xs[i] > xs[pk]) pk = i;
    const rise = xs[pk] / xs[0];
    const fall = 1 - xs[xs.length - 1] / xs[pk];
    const ok = pk > 0 && pk < xs.length - 1 && rise >= 1.2 && fall >= 0.2;
    claims.push({
      paper: D,
      claim: `coarse-grained complexity rises then falls${multi ? ` (${r.name})` : ''}`,
      test: 'first → peak → last of the coarse-grained size',
      threshold: 'interior peak, rise ≥ ×1.2, fall ≥ 20 %',
      value: `peak at step ${r.checkpoints[pk].step}: ×${fmt(rise, 3)} rise, ${fmt(100 * fall, 3)} % fall`,
      verdict: ok ? 'shown' : 'not shown',
    });
  }
  for (const r of runs) {
    const c = find(r.name, 'testAcc', 'spectralEntropy', 'after memorisation') ?? find(r.name, 'testAcc', 'spectralEntropy');
    claims.push({
      paper: D,
      claim: `spectral entropy falls as the network generalises${multi ? ` (${r.name})` : ''}`,
      test: `Spearman(test accuracy, mean spectral entropy), ${c?.subset ?? ''}`,
      threshold: 'ρ ≤ −0.5 and 95 % CI below 0',
      value: !c ? 'too few checkpoints' : c.n < MIN_N ? few(c) : fmtCI(c, 'spearman'),
      verdict: !c || c.n < MIN_N ? 'not testable' : c.spearman <= -0.5 && c.spearmanCI[1] < 0 ? 'shown' : 'not shown',
    });
  }

  // Liu, Zhong & Tegmark
  const L = 'Liu, Zhong & Tegmark (LMN)';
  for (const r of runs) {
    const c = find(r.name, 'testAcc', 'lmn', 'after memorisation') ?? find(r.name, 'testAcc', 'lmn');
    claims.push({
      paper: L,
      claim: `LMN falls as the network generalises${multi ? ` (${r.name})` : ''}`,
      test: `Spearman(test accuracy, LMN), ${c?.subset ?? ''}`,
      threshold: 'ρ ≤ −0.5 and 95 % CI below 0',
      value: !c ? 'too few checkpoints' : c.n < MIN_N ? few(c) : fmtCI(c, 'spearman'),
      verdict: !c || c.n < MIN_N ? 'not testable' : c.spearman <= -0.5 && c.spearmanCI[1] < 0 ? 'shown' : 'not shown',
    });
  }

  // Urdshals et al.
  const U = 'Urdshals et al. (LLC vs compressibility)';
  for (const r of runs) {
    const c = find(r.name, 'llc', 'criticalTotalBits');
    const conf = find(r.name, 'llc', 'trainLoss');
    claims.push({
      paper: U,
      claim: `the LLC tracks compressibility (critical bits)${multi ? ` (${r.name})` : ''}`,
      test: 'Pearson(LLC, critical total bits) over checkpoints',
      threshold: 'r ≥ 0.5 and 95 % CI above 0',
      value: !c
        ? 'too few checkpoints'
        : c.n < MIN_N
          ? few(c)
          : `${fmtCI(c, 'pearson')}; ${fmtCI(c, 'spearman')}${conf ? `; confound: LLC vs train loss ${fmtCI(conf, 'pearson')}` : ''}`,
      verdict: !c || c.n < MIN_N ? 'not testable' : c.pearson >= 0.5 && c.pearsonCI[0] > 0 ? 'shown' : 'not shown',
    });
  }
  return claims;
}

/**
 * The claims of a result as a plain-text table (verdicts as measured).
 *
 * @param r - An {@link ExperimentResult}.
 * @returns Text, one block per claim (control characters escaped).
 * @example
 * ```ts
 * import { runExperiment, formatClaims } from 'ockham';
 * const r = await runExperiment({ name: 't', model: { preset: 'grokking', p: 5, d: 4, h: 8 }, data: { kind: 'modular', p: 5 }, runs: [{ name: 'r', train: { steps: 10, checkpointSteps: [0, 5, 10] } }], measures: { llc: false, coarseGrain: false, criticalBits: false } });
 * console.log(formatClaims(r));
 * ```
 */
export function formatClaims(r: ExperimentResult): string {
  // eslint-disable-next-line no-control-regex
  const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  const lines: string[] = [`Claims — ${clean(r.name)} (${clean(r.model.description)}, ${r.model.parameters} parameters)`];
  for (const c of r.claims) {
    const tag = c.verdict === 'shown' ? 'SHOWN' : c.verdict === 'not shown' ? 'NOT SHOWN' : 'NOT TESTABLE';
    lines.push(`  [${tag}] ${clean(c.paper)}: ${clean(c.claim)}`);
    lines.push(`      test: ${clean(c.test)}; threshold: ${clean(c.threshold)}`);
    lines.push(`      measured: ${clean(c.value)}`);
  }
  return lines.join('\n') + '\n';
}
