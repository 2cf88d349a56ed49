/**
 * coarseGrainSearch (Algorithm 1: Bayesian-optimised (τ, Δ)) and quantizationSearch (Algorithm 2:
 * Δ only) of DeMoss et al., "The Complexity Dynamics of Grokking": the smallest compressed size of
 * a coarse-grained model whose loss stays within ε of the original.
 */
import { OckhamError } from '../errors.js';
import { compressedBits } from '../compress/compress.js';
import { rawFloat32Bytes } from '../compress/naive.js';
import { dequantizeCoarseGrained, serializeCoarseGrained } from '../compress/serialize.js';
import { CODECS, type Codec, type CompressOptions, type CoarseGrainedModel } from '../compress/types.js';
import type { KRule } from '../spectral/low-rank.js';
import { modelTensors, type ModelTensors, type NamedTensor } from '../util/model.js';
import { type FloatArray, assertFiniteFloats, assertInt, assertKnownOptions, assertNumber, assertOneOf, assertShapeMatches } from '../util/validate.js';
import { assertControl, checkAbort, progressStepper } from '../util/abort.js';
import {
  BAYES_OPTION_KEYS,
  bayesOptimizeKernel,
  readSearchSpace,
  resolveBayesOptions,
  type BayesOptimizeOptions,
  type EvaluationHook,
  type SearchPoint,
} from './bayes-optimize.js';
import { buildCandidate, prepareTensors, type PreparedTensor } from './candidate.js';
import { assertBatch, assertModel, flatWeights } from '../model/adapter-util.js';
import type { Batch, ModelAdapter } from '../model/types.js';

/**
 * The caller's loss of a candidate set of weights (same names, shapes, order and array types as
 * the input: a Float64Array tensor is handed over as a Float64Array holding the coarse-grained
 * float32 values). `D` is inferred from the tensors passed to the search.
 */
export type LossFunction<D extends FloatArray = FloatArray> = (candidate: NamedTensor<D>[]) => number | Promise<number>;

/** A codec name, `{ codec, level }`, or your own `(bytes) => bits`. */
export type CodecChoice = Codec | CompressOptions | ((bytes: Uint8Array) => number);

/**
 * Options shared by {@link coarseGrainSearch}, {@link quantizationSearch} and the rate–distortion
 * curve. Besides the optimiser's options, `signal` cancels the search (checked before the original
 * loss and before each candidate; rejects with `signal.reason`) and `onProgress(done, total,
 * label)` counts candidates: `done` candidates evaluated out of the budget `total` (probes +
 * `initPoints` + `nIter`; for bisection 2 + `maxIterations`, an upper bound — the search may stop
 * early), `label` the phase of the next one (`'probe'`, `'random'`, `'gp'`, `'bisection'`), and the
 * last call is `(total, total, 'done')`. Neither changes the result.
 */
export interface SearchCommonOptions<D extends FloatArray = FloatArray> extends Omit<BayesOptimizeOptions, 'probes'> {
  /** Loss of a candidate on the caller's data (sync or async). Required unless `model` is given. */
  readonly loss?: LossFunction<D>;
  /**
   * A model adapter instead of `loss`: a candidate's loss is `model.loss(candidate, data)`, and the
   * tensors may be given as the adapter's flat parameter vector.
   */
  readonly model?: ModelAdapter;
  /** The samples the loss is averaged over (with `model`). */
  readonly data?: Batch;
  /**
   * 'paper' (default): accept iff |L' − L| < ε (DeMoss et al., Algorithm 1). 'code': accept iff
   * L' ≤ L + ε, as the reference code (brantondemoss/GrokkingComplexity) does.
   */
  readonly acceptance?: 'paper' | 'code';
  /** Compressor of the serialised candidate: default 'bzip2' (level 9). */
  readonly codec?: CodecChoice;
  /** Serialiser of candidates: default `serializeCoarseGrained` (the "OCCG" format). */
  readonly serialize?: (model: CoarseGrainedModel) => Uint8Array;
  /** The original model's loss if already known (saves one call of `loss`). */
  readonly originalLoss?: number;
  /** Range of Δ, searched on a log scale. Default [1e-3, 1] (Δ = 10^(3u−3)). */
  readonly deltaRange?: readonly [number, number];
  /**
   * Size in bits the optimiser sees for a rejected candidate. Default max(2 400 000, 2·naive
   * bits): the reference scores rejections as 3·10⁵ bytes; the floor of twice the naive size
   * keeps a rejection worse than any plausible candidate for larger models.
   */
  readonly rejectedBits?: number;
}

/** Options of {@link coarseGrainSearch}. */
export interface CoarseGrainOptions<D extends FloatArray = FloatArray> extends SearchCommonOptions<D> {
  /** Loss tolerance ε ≥ 0 (same units as the loss). Required. */
  readonly epsilon: number;
  /** k(τ) rule passed to `lowRankTruncate`: 'paper' (Eq. 13, default) or 'code' (one fewer). */
  readonly kRule?: KRule;
  /** Range of τ. Default [0, 1]. */
  readonly tauRange?: readonly [number, number];
  /**
   * Points evaluated first. Default the reference's two: (τ = 1, Δ = 1e-3) and
   * (τ = 0.98, Δ = 10^(−2.7) ≈ 2.0e-3), i.e. unit coordinates (1, 0) and (0.98, 0.1).
   */
  readonly probes?: readonly { readonly tau: number; readonly delta: number }[];
}

/** Options of {@link quantizationSearch}. */
export interface QuantizationSearchOptions<D extends FloatArray = FloatArray> extends SearchCommonOptions<D> {
  readonly epsilon: number;
  /**
   * 'bayes' (default): Bayesian optimisation over log Δ with the same defaults as Algorithm 1.
   * 'bisection': bisection on log Δ between the range ends (the reference's `get_complexity`,
   * which assumes acceptance is monotone in Δ).
   */
  readonly method?: 'bayes' | 'bisection';
  /** Bisection steps after the two ends (default 30). */
  readonly maxIterations?: number;
  /** Probes for 'bayes'. Default [{ delta: 1e-3 }]. */
  readonly probes?: readonly { readonly delta: number }[];
}

/** One evaluated candidate. */
export interface CoarseGrainEvaluation {
  readonly index: number;
  /** τ (null in a quantization-only search). */
  readonly tau: number | null;
  /** Δ as proposed (float64). */
  readonly delta: number;
  /** Δ as stored and applied: Math.fround(Δ). */
  readonly step: number;
  /** Candidate loss L'. */
  readonly loss: number;
  /** L' − L. */
  readonly lossChange: number;
  readonly accepted: boolean;
  /** Compressed size in bits (accepted candidates only; null if rejected). */
  readonly bits: number | null;
  /** What the optimiser saw: `bits`, or `rejectedBits` when rejected. */
  readonly score: number;
  readonly phase: 'probe' | 'random' | 'gp' | 'bisection';
  /** Per tensor: kept rank, or null when stored dense. */
  readonly ranks: Readonly<Record<string, number | null>>;
}

/** The best accepted candidate. */
export interface CoarseGrainBest extends CoarseGrainEvaluation {
  readonly bits: number;
  /** The coarse-grained model (serialise with `serializeCoarseGrained`, weights with `dequantizeCoarseGrained`). */
  readonly model: CoarseGrainedModel;
}

/** Result of {@link coarseGrainSearch} / {@link quantizationSearch}. */
export interface CoarseGrainResult {
  /** The smallest accepted candidate, or null when no candidate met the loss constraint. */
  readonly best: CoarseGrainBest | null;
  /** The complexity estimate: `best.bits`, or `naiveBits` when `best` is null (fallback). */
  readonly bits: number;
  /** True when nothing was accepted and `bits` is the original model's naive size. */
  readonly fallback: boolean;
  /** Naive baseline: the codec's size of the raw float32 weights, tensors concatenated. */
  readonly naiveBits: number;
  readonly originalLoss: number;
  readonly epsilon: number;
  readonly acceptance: 'paper' | 'code';
  /** Every evaluation, in order. */
  readonly trace: readonly CoarseGrainEvaluation[];
  /** Fitted GP length-scales (unit coordinates) of the last step; empty for bisection. */
  readonly lengthScales: readonly number[];
}

// The optimiser's own options (bayesOptimize's list, less `probes`, which the search sets).
const BAYES_KEYS = BAYES_OPTION_KEYS.filter((k) => k !== 'probes');
const COMMON_KEYS = ['loss', 'epsilon', 'acceptance', 'codec', 'serialize', 'originalLoss', 'deltaRange', 'rejectedBits', 'probes', ...BAYES_KEYS];

/** @internal Memo of evaluated candidates, shareable across searches of the same model and loss. */
export interface EvalMemo {
  readonly entries: Map<string, { loss: number; bits: number | null; model: CoarseGrainedModel; ranks: Record<string, number | null>; tau: number | null; delta: number }>;
}

/** @internal Everything a search needs after validation. */
export interface SearchContext {
  prepared: PreparedTensor[];
  list: NamedTensor[];
  loss: LossFunction;
  acceptance: 'paper' | 'code';
  measure: (bytes: Uint8Array) => number;
  serialize: (model: CoarseGrainedModel) => Uint8Array;
  naiveBits: number;
  originalLoss: number;
  rejectedBits: number;
  deltaRange: [number, number];
  signal: AbortSignal | undefined;
}

/** The acceptance test of Algorithm 1 ('paper') or of the reference code ('code'). */
export function accepts(acceptance: 'paper' | 'code', loss: number, original: number, epsilon: number): boolean {
  if (!(loss < Infinity)) return false; // +∞ (e.g. log 0 in a cross-entropy) is never within ε
  return acceptance === 'paper' ? Math.abs(loss - original) < epsilon : loss <= original + epsilon;
}

function readRange(v: unknown, name: string, dflt: [number, number], lo: number, hi: number, positive: boolean): [number, number] {
  if (v === undefined) return dflt;
  if (!Array.isArray(v) || v.length !== 2) throw new OckhamError('INVALID_ARGUMENT', name, 'expected [min, max]');
  const a = assertNumber(v[0], `${name}[0]`, lo, hi, { minExclusive: positive });
  const b = assertNumber(v[1], `${name}[1]`, lo, hi);
  if (!(b > a)) throw new OckhamError('OUT_OF_RANGE', `${name}[1]`, `expected max > min, got [${a}, ${b}]`);
  return [a, b];
}

function resolveCodec(codec: unknown): (bytes: Uint8Array) => number {
  if (codec === undefined) return (bytes) => compressedBits(bytes, { codec: 'bzip2' });
  if (typeof codec === 'function') {
    const f = codec as (bytes: Uint8Array) => number;
    return (bytes) => {
      const b = f(bytes);
      if (typeof b !== 'number' || !Number.isFinite(b) || b < 0) {
        throw new OckhamError('NON_FINITE', 'options.codec', `returned ${String(b)}; expected a finite size in bits ≥ 0`);
      }
      return b;
    };
  }
  const o: CompressOptions = typeof codec === 'string' ? { codec: assertOneOf(codec, 'options.codec', CODECS) } : (codec as CompressOptions);
  compressedBits(new Uint8Array(1), o); // validates the codec options once, naming them
  return (bytes) => compressedBits(bytes, o);
}

async function callLoss(loss: LossFunction, candidate: NamedTensor[], what: string, signal: AbortSignal | undefined): Promise<number> {
  let v: unknown;
  try {
    v = await loss(candidate);
  } catch (e) {
    if (e instanceof OckhamError) throw e;
    // A loss that honours the same signal (e.g. a fetch) rejects with its reason: pass it through.
    if (signal?.aborted && e === signal.reason) throw e;
    const err = new OckhamError('INVALID_ARGUMENT', 'options.loss', `threw on ${what}: ${e instanceof Error ? e.message : String(e)}`);
    err.cause = e;
    throw err;
  }
  if (typeof v !== 'number') throw new OckhamError('INVALID_ARGUMENT', 'options.loss', `returned ${typeof v} on ${what}; expected a number`);
  if (Number.isNaN(v) || v === -Infinity) throw new OckhamError('NON_FINITE', 'options.loss', `returned ${v} on ${what}; expected a number (or +Infinity for an unusable candidate)`);
  return v;
}

/** @internal Validates tensors and the common options, computes the original loss and naive size. */
export async function createContext(tensors: ModelTensors, options: unknown, extraKeys: readonly string[]): Promise<SearchContext & { epsilonRaw: unknown }> {
  const list = modelTensors(tensors, 'tensors');
  for (const t of list) {
    assertFiniteFloats(t.data, `tensors.${t.name}.data`);
    assertShapeMatches(t.data.length, t.shape, `tensors.${t.name}.data`, `tensors.${t.name}.shape`);
  }
  if (options === null || typeof options !== 'object') throw new OckhamError('INVALID_ARGUMENT', 'options', 'expected an options object with { loss, epsilon }');
  assertKnownOptions(options, 'options', [...COMMON_KEYS, ...extraKeys]);
  assertControl(options as SearchCommonOptions, 'options');
  const o = options as SearchCommonOptions & { epsilon?: unknown };
  if (typeof o.loss !== 'function') throw new OckhamError('INVALID_ARGUMENT', 'options.loss', 'expected a function (candidate) => number | Promise<number>');
  const acceptance = assertOneOf(o.acceptance ?? 'paper', 'options.acceptance', ['paper', 'code'] as const);
  const measure = resolveCodec(o.codec);
  if (o.serialize !== undefined && typeof o.serialize !== 'function') throw new OckhamError('INVALID_ARGUMENT', 'options.serialize', 'expected a function (model) => Uint8Array');
  const serialize = o.serialize ?? serializeCoarseGrained;
  const deltaRange = readRange(o.deltaRange, 'options.deltaRange', [1e-3, 1], 0, Infinity, true);
  if (Math.fround(deltaRange[0]) === 0) throw new OckhamError('OUT_OF_RANGE', 'options.deltaRange[0]', `Δ = ${deltaRange[0]} underflows to 0 in float32`);
  const naiveBits = measure(rawFloat32Bytes(list));
  const rejectedBits = o.rejectedBits === undefined ? Math.max(2.4e6, 2 * naiveBits) : assertNumber(o.rejectedBits, 'options.rejectedBits', 0, Infinity, { minExclusive: true });
  checkAbort(o.signal);
  let originalLoss: number;
  if (o.originalLoss !== undefined) originalLoss = assertNumber(o.originalLoss, 'options.originalLoss');
  else {
    originalLoss = await callLoss(o.loss, list, 'the original weights', o.signal);
    if (!Number.isFinite(originalLoss)) throw new OckhamError('NON_FINITE', 'options.loss', `returned ${originalLoss} on the original weights; expected a finite number`);
  }
  return {
    prepared: prepareTensors(list),
    list,
    loss: o.loss,
    acceptance,
    measure,
    serialize,
    naiveBits,
    originalLoss,
    rejectedBits,
    deltaRange,
    signal: o.signal,
    epsilonRaw: o.epsilon,
  };
}

function readEpsilon(v: unknown, name: string): number {
  if (v === undefined) throw new OckhamError('INVALID_ARGUMENT', name, 'is required: the loss tolerance ε ≥ 0');
  return assertNumber(v, name, 0);
}

/** @internal Evaluates (τ, Δ): builds, memoises, calls the loss, compresses accepted candidates. */
export async function evaluateCandidate(
  ctx: SearchContext,
  memo: EvalMemo,
  tau: number | null,
  delta: number,
  kRule: KRule,
  epsilon: number,
  index: number,
  phase: CoarseGrainEvaluation['phase'],
): Promise<CoarseGrainEvaluation> {
  const cand = buildCandidate(ctx.prepared, tau, delta, kRule);
  let entry = memo.entries.get(cand.key);
  if (entry === undefined) {
    // Same array types as the input (LossFunction's contract): float32 values widened exactly.
    const weights = dequantizeCoarseGrained(cand.model).map((w, i) => (ctx.list[i].data instanceof Float64Array ? { ...w, data: Float64Array.from(w.data) } : w));
    const loss = await callLoss(ctx.loss, weights, `candidate τ = ${tau}, Δ = ${delta}`, ctx.signal);
    entry = { loss, bits: null, model: cand.model, ranks: cand.ranks, tau, delta };
    memo.entries.set(cand.key, entry);
  }
  const accepted = accepts(ctx.acceptance, entry.loss, ctx.originalLoss, epsilon);
  if (accepted && entry.bits === null) entry.bits = ctx.measure(ctx.serialize(entry.model));
  const bits = accepted ? entry.bits : null;
  return {
    index,
    tau,
    delta,
    step: Math.fround(delta),
    loss: entry.loss,
    lossChange: entry.loss - ctx.originalLoss,
    accepted,
    bits,
    score: bits ?? ctx.rejectedBits,
    phase,
    ranks: { ...cand.ranks },
  };
}

function finish(ctx: SearchContext, memo: EvalMemo, trace: CoarseGrainEvaluation[], epsilon: number, lengthScales: readonly number[], kRule: KRule): CoarseGrainResult {
  let best: CoarseGrainEvaluation | null = null;
  for (const e of trace) if (e.accepted && e.bits !== null && (best === null || e.bits < best.bits!)) best = e;
  let bestOut: CoarseGrainBest | null = null;
  if (best !== null) {
    const model = buildCandidate(ctx.prepared, best.tau, best.delta, kRule).model;
    bestOut = { ...best, bits: best.bits!, model };
  }
  void memo;
  return {
    best: bestOut,
    bits: bestOut !== null ? bestOut.bits : ctx.naiveBits,
    fallback: bestOut === null,
    naiveBits: ctx.naiveBits,
    originalLoss: ctx.originalLoss,
    epsilon,
    acceptance: ctx.acceptance,
    trace,
    lengthScales,
  };
}

/**
 * @internal The most candidates a search proposes (the progress total), validating the options
 * that set it exactly as the kernel will.
 */
export function searchBudget(kind: 'coarseGrain' | 'quantization', options: CoarseGrainOptions | QuantizationSearchOptions): number {
  if (kind === 'quantization' && (options as QuantizationSearchOptions).method === 'bisection') {
    return 2 + assertInt((options as QuantizationSearchOptions).maxIterations ?? 30, 'options.maxIterations', 0, 1000);
  }
  const probes = options.probes?.length ?? (kind === 'coarseGrain' ? 2 : 1);
  const bo = resolveBayesOptions(pickBayes(options as unknown as Record<string, unknown>), 'options');
  return probes + bo.initPoints + bo.nIter;
}

/** @internal Runs a search kernel with `options.signal` / `options.onProgress` (none: no hook, no yielding). */
async function withControl(
  kind: 'coarseGrain' | 'quantization',
  options: CoarseGrainOptions | QuantizationSearchOptions,
  run: (hook: EvaluationHook | undefined) => Promise<CoarseGrainResult>,
): Promise<CoarseGrainResult> {
  const { signal, onProgress } = options;
  if (signal === undefined && onProgress === undefined) return run(undefined);
  const ctl = progressStepper(signal, onProgress, searchBudget(kind, options));
  const r = await run((i, phase) => ctl.step(i, phase));
  ctl.finish();
  return r;
}

function pickBayes(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of BAYES_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** @internal Algorithm 1 after validation; `memo` may be shared (rate–distortion curve). */
export async function coarseGrainKernel(ctx: SearchContext, options: CoarseGrainOptions, epsilon: number, memo: EvalMemo, hook?: EvaluationHook): Promise<CoarseGrainResult> {
  const kRule = assertOneOf(options.kRule ?? 'paper', 'options.kRule', ['paper', 'code'] as const);
  const tauRange = readRange(options.tauRange, 'options.tauRange', [0, 1], 0, 1, false);
  const dLo = ctx.deltaRange[0];
  const dHi = ctx.deltaRange[1];
  const clampTo = (v: number, a: number, b: number): number => (v < a ? a : v > b ? b : v);
  const defaultProbes = [
    { tau: 1, delta: 1e-3 },
    { tau: 0.98, delta: 10 ** -2.7 },
  ].map((p) => ({ tau: clampTo(p.tau, tauRange[0], tauRange[1]), delta: clampTo(p.delta, dLo, dHi) }));
  const probes = options.probes ?? defaultProbes;
  const bo = resolveBayesOptions({ ...pickBayes(options as unknown as Record<string, unknown>), probes }, 'options');
  const dims = readSearchSpace({ tau: tauRange, delta: { min: dLo, max: dHi, scale: 'log' } }, 'space');
  const trace: CoarseGrainEvaluation[] = [];
  const phases: CoarseGrainEvaluation['phase'][] = [];
  for (let i = 0; i < probes.length; i++) phases.push('probe');
  for (let i = 0; i < bo.initPoints; i++) phases.push('random');
  const r = await bayesOptimizeKernel(
    async (x: SearchPoint) => {
      const e = await evaluateCandidate(ctx, memo, x.tau, x.delta, kRule, epsilon, trace.length, phases[trace.length] ?? 'gp');
      trace.push(e);
      return { value: e.score, feasible: e.accepted };
    },
    dims,
    bo,
    'options.loss',
    hook,
  );
  return finish(ctx, memo, trace, epsilon, r.lengthScales, kRule);
}

/** @internal Algorithm 2 after validation. */
export async function quantizationKernel(ctx: SearchContext, options: QuantizationSearchOptions, epsilon: number, memo: EvalMemo, hook?: EvaluationHook): Promise<CoarseGrainResult> {
  const method = assertOneOf(options.method ?? 'bayes', 'options.method', ['bayes', 'bisection'] as const);
  const trace: CoarseGrainEvaluation[] = [];
  const [dLo, dHi] = ctx.deltaRange;
  if (method === 'bisection') {
    const iters = assertInt(options.maxIterations ?? 30, 'options.maxIterations', 0, 1000);
    const ev = async (delta: number): Promise<CoarseGrainEvaluation> => {
      await hook?.(trace.length, 'bisection');
      const e = await evaluateCandidate(ctx, memo, null, delta, 'paper', epsilon, trace.length, 'bisection');
      trace.push(e);
      return e;
    };
    const lo0 = await ev(dLo);
    if (lo0.accepted) {
      const hi0 = await ev(dHi);
      if (!hi0.accepted) {
        let lo = Math.log(dLo);
        let hi = Math.log(dHi);
        // Stop once the bracket is narrower than a 0.1 % change of Δ.
        for (let i = 0; i < iters && hi - lo > 1e-3; i++) {
          const mid = 0.5 * (lo + hi);
          const e = await ev(Math.exp(mid));
          if (e.accepted) lo = mid;
          else hi = mid;
        }
      }
    }
    return finish(ctx, memo, trace, epsilon, [], 'paper');
  }
  const probes = options.probes ?? [{ delta: Math.min(Math.max(1e-3, dLo), dHi) }];
  const bo = resolveBayesOptions({ ...pickBayes(options as unknown as Record<string, unknown>), probes }, 'options');
  const dims = readSearchSpace({ delta: { min: dLo, max: dHi, scale: 'log' } }, 'space');
  const phases: CoarseGrainEvaluation['phase'][] = [];
  for (let i = 0; i < probes.length; i++) phases.push('probe');
  for (let i = 0; i < bo.initPoints; i++) phases.push('random');
  const r = await bayesOptimizeKernel(
    async (x: SearchPoint) => {
      const e = await evaluateCandidate(ctx, memo, null, x.delta, 'paper', epsilon, trace.length, phases[trace.length] ?? 'gp');
      trace.push(e);
      return { value: e.score, feasible: e.accepted };
    },
    dims,
    bo,
    'options.loss',
    hook,
  );
  return finish(ctx, memo, trace, epsilon, r.lengthScales, 'paper');
}

/**
 * Coarse-grained complexity by Algorithm 1 of DeMoss et al. ("The Complexity Dynamics of
 * Grokking"): the smallest compressed size of a coarse-grained model whose loss stays within ε of
 * the original. Bayesian optimisation ({@link bayesOptimize}, reference defaults) proposes
 * (τ, Δ) with Δ = 10^(3u−3) on a log scale; every matrix (≥ 2 dims, viewed as dim0 × rest) is
 * truncated with `lowRankTruncate(·, τ, { kRule })` and its factors U·diag(σ), Vᵀ — or the dense
 * matrix when k(m+n) ≥ mn, and every 1-D tensor — are quantized to round(x/Δ) (half to even, as
 * `roundToStep`). The candidate's weights (exactly `dequantizeCoarseGrained` of the model) go to
 * `options.loss`; if accepted (|L' − L| < ε by default), the model is serialised
 * (`serializeCoarseGrained`) and compressed (bzip2 by default). Rejected candidates are scored
 * `rejectedBits` for the optimiser but never reported as best.
 *
 * Identical candidates (same Δ after float32 rounding and same ranks) are evaluated once.
 *
 * @param tensors - The model (`NamedTensor[]` or record name → { data, shape }); not modified.
 * @param options - {@link CoarseGrainOptions}: `loss` and `epsilon` required.
 * @returns {@link CoarseGrainResult}: `best` (null if nothing was accepted), `bits` (`best.bits`,
 *   else the naive size as fallback), `naiveBits`, `originalLoss`, and the `trace`.
 * `options.signal` cancels between candidates and `options.onProgress` counts candidates out of
 * the budget (see {@link SearchCommonOptions}).
 *
 * @throws {@link OckhamError} for bad tensors or options (naming them, e.g. `options.epsilon`,
 *   `options.signal`); `INVALID_ARGUMENT` (argument `options.loss`, original error as `cause`) if
 *   the loss throws; `NON_FINITE` if it returns NaN or −∞ (or a non-finite original loss);
 *   `signal.reason` when aborted.
 * @example
 * ```ts
 * import { coarseGrainSearch, type NamedTensor } from 'ockham';
 * const W0 = { w: { data: Float32Array.from({ length: 64 }, (_, i) => (i % 8) * 0.1), shape: [8, 8] } };
 * const loss = (c: NamedTensor<Float32Array>[]) => c[0].data.reduce((s, v, i) => s + (v - W0.w.data[i]) ** 2, 0);
 * const r = await coarseGrainSearch(W0, { loss, epsilon: 0.01, seed: 0, nIter: 10 });
 * // r.best.bits < r.naiveBits
 * ```
 */
export async function coarseGrainSearch<D extends FloatArray = FloatArray>(tensors: ModelTensors<D> | FloatArray, options: CoarseGrainOptions<D>): Promise<CoarseGrainResult> {
  const [list, o] = withModel(tensors, options as CoarseGrainOptions);
  const ctx = await createContext(list, o, ['kRule', 'tauRange']);
  const epsilon = readEpsilon(ctx.epsilonRaw, 'options.epsilon');
  return withControl('coarseGrain', o, (hook) => coarseGrainKernel(ctx, o, epsilon, { entries: new Map() }, hook));
}

/**
 * Quantization-only coarse-graining (Algorithm 2 of DeMoss et al.): as {@link coarseGrainSearch}
 * with no low-rank step — every tensor is quantized to round(x/Δ)·Δ and stored dense; only Δ is
 * searched (log scale), by Bayesian optimisation (default) or bisection.
 *
 * @param tensors - The model; not modified.
 * @param options - {@link QuantizationSearchOptions}: `loss` and `epsilon` required.
 * @returns {@link CoarseGrainResult} (`tau` is null in every evaluation).
 * @throws {@link OckhamError} as {@link coarseGrainSearch}.
 * @example
 * ```ts
 * import { quantizationSearch, type NamedTensor } from 'ockham';
 * const w = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
 * const loss = (c: NamedTensor<Float32Array>[]) => c[0].data.reduce((s, v, i) => s + (v - w[i]) ** 2, 0) / 64;
 * const r = await quantizationSearch([{ name: 'w', data: w, shape: [8, 8] }], { loss, epsilon: 1e-4, method: 'bisection' });
 * // r.best.step ≈ largest Δ with Δ²/12 ≲ 1e-4
 * // With a time limit and progress (candidates done / budget); the result is the same:
 * const seen: string[] = [];
 * const r2 = await quantizationSearch([{ name: 'w', data: w, shape: [8, 8] }], {
 *   loss, epsilon: 1e-4, method: 'bisection',
 *   signal: AbortSignal.timeout(60_000), onProgress: (done, total, label) => void seen.push(`${done}/${total} ${label}`),
 * });
 * // r2.bits === r.bits; seen.at(-1) === '32/32 done'
 * ```
 */
export async function quantizationSearch<D extends FloatArray = FloatArray>(tensors: ModelTensors<D> | FloatArray, options: QuantizationSearchOptions<D>): Promise<CoarseGrainResult> {
  const [list, o] = withModel(tensors, options as QuantizationSearchOptions);
  const ctx = await createContext(list, o, ['method', 'maxIterations']);
  const epsilon = readEpsilon(ctx.epsilonRaw, 'options.epsilon');
  return withControl('quantization', o, (hook) => quantizationKernel(ctx, o, epsilon, { entries: new Map() }, hook));
}

/** Rewrites `{ model, data }` into a `loss` over candidates (named tensors → flat vector). @internal */
export function withModel<O extends SearchCommonOptions>(tensors: ModelTensors | FloatArray, options: O): [ModelTensors, O] {
  if (options === null || typeof options !== 'object' || (options.model === undefined && options.data === undefined)) {
    if (tensors instanceof Float32Array || tensors instanceof Float64Array) {
      throw new OckhamError('INVALID_ARGUMENT', 'tensors', 'a flat parameter vector needs options.model');
    }
    return [tensors, options];
  }
  const model = assertModel(options.model, 'options.model');
  if (options.loss !== undefined) throw new OckhamError('INVALID_ARGUMENT', 'options.loss', 'give either loss or model, not both');
  const data = assertBatch(options.data, 'options.data');
  const flat = flatWeights(model, tensors, 'tensors');
  const { model: _m, data: _d, ...rest } = options;
  const loss: LossFunction = (c) => model.loss(model.fromTensors(c), data);
  return [model.toTensors(flat), { ...rest, loss } as unknown as O];
}

/** @internal */
export { readEpsilon };
