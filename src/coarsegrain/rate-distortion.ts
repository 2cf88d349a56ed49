/**
 * rateDistortionCurve (best coarse-grained size for each loss tolerance ε) and fitLogCurve
 * (y = a·ln x + b), as DeMoss et al. plot complexity against ε.
 */
import { OckhamError } from '../errors.js';
import type { ModelTensors } from '../util/model.js';
import { assertNumber, assertOneOf, type FloatArray } from '../util/validate.js';
import type { CoarseGrainedModel } from '../compress/types.js';
import { progressStepper } from '../util/abort.js';
import {
  accepts,
  coarseGrainKernel,
  createContext,
  quantizationKernel,
  searchBudget,
  type CoarseGrainOptions,
  type EvalMemo,
  type SearchCommonOptions,
} from './search.js';

/** Least-squares fit y ≈ a·ln x + b. */
export interface LogCurveFit {
  readonly a: number;
  readonly b: number;
  /** Coefficient of determination 1 − SS_res/SS_tot (1 when y is numerically constant). */
  readonly r2: number;
}

function readSeries(v: unknown, name: string): number[] {
  if (!Array.isArray(v) && !(v instanceof Float64Array) && !(v instanceof Float32Array)) {
    throw new OckhamError('INVALID_ARGUMENT', name, 'expected an array of numbers');
  }
  return Array.from(v as ArrayLike<number>, (x, i) => assertNumber(x, `${name}[${i}]`));
}

/**
 * Ordinary least squares of y on ln x: a = cov(ln x, y)/var(ln x), b = ȳ − a·mean(ln x), with
 * R² = 1 − Σ(y − ŷ)²/Σ(y − ȳ)². Exact (up to rounding) on noiseless data y = a·ln x + b.
 *
 * @param xs - Abscissae, each finite and > 0 (e.g. ε values).
 * @param ys - Ordinates, finite (e.g. sizes in bits), same length as `xs` (≥ 2).
 * @returns `{ a, b, r2 }` (a per unit of ln x, same units as y).
 * @throws {@link OckhamError} `SHAPE_MISMATCH` for different lengths, `EMPTY` for < 2 points,
 *   `OUT_OF_RANGE` for x ≤ 0, `NON_FINITE` for NaN/∞, `INVALID_ARGUMENT` if all x are equal.
 * @example
 * ```ts
 * import { fitLogCurve } from 'ockham';
 * fitLogCurve([1, Math.E, Math.E ** 2], [5, 3, 1]); // { a: −2, b: 5, r2: 1 }
 * ```
 */
export function fitLogCurve(xs: ArrayLike<number>, ys: ArrayLike<number>): LogCurveFit {
  const x = readSeries(xs, 'xs');
  const y = readSeries(ys, 'ys');
  if (x.length !== y.length) throw new OckhamError('SHAPE_MISMATCH', 'ys', `length ${y.length} differs from xs length ${x.length}`);
  if (x.length < 2) throw new OckhamError('EMPTY', 'xs', 'expected at least 2 points');
  const n = x.length;
  const lx = x.map((v, i) => {
    if (!(v > 0)) throw new OckhamError('OUT_OF_RANGE', `xs[${i}]`, `expected x > 0, got ${v}`);
    return Math.log(v);
  });
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += lx[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = lx[i] - mx;
    const dy = y[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (!(sxx > 0)) throw new OckhamError('INVALID_ARGUMENT', 'xs', 'all x are equal: the slope is undefined');
  const a = sxy / sxx;
  const b = my - a * mx;
  let ssr = 0;
  for (let i = 0; i < n; i++) {
    const r = y[i] - (a * lx[i] + b);
    ssr += r * r;
  }
  // Numerically constant y (spread below rounding of ȳ): R² is 0/0; report 1, the constant fits.
  const r2 = syy > 1e-24 * n * (my * my + 1e-300) ? 1 - ssr / syy : 1;
  return { a, b, r2 };
}

/**
 * Options of {@link rateDistortionCurve}: those of the chosen search, with `epsilons` for
 * `epsilon`. `signal` cancels (checked before the original loss, before each ε's search and each
 * candidate in it); `onProgress(done, total, label)` counts candidates over the whole curve:
 * `total` = number of ε × one search's budget (an upper bound for bisection), `label`
 * `'ε = <value> · <phase>'`, last call `(total, total, 'done')`.
 */
export interface RateDistortionOptions<D extends FloatArray = FloatArray> extends SearchCommonOptions<D> {
  /** Loss tolerances ε ≥ 0 (at least one). */
  readonly epsilons: readonly number[];
  /** 'coarseGrain' (Algorithm 1, default) or 'quantization' (Algorithm 2). */
  readonly search?: 'coarseGrain' | 'quantization';
  readonly kRule?: CoarseGrainOptions['kRule'];
  readonly tauRange?: CoarseGrainOptions['tauRange'];
  readonly probes?: CoarseGrainOptions['probes'];
  /** For `search: 'quantization'`. */
  readonly method?: 'bayes' | 'bisection';
  readonly maxIterations?: number;
}

/** One point of the curve. */
export interface RateDistortionPoint {
  readonly epsilon: number;
  /** Best size in bits at this ε (rate), or the naive size when nothing was accepted. */
  readonly bits: number;
  /** True when no evaluated candidate is accepted at this ε (`bits` = naive). */
  readonly fallback: boolean;
  readonly tau: number | null;
  readonly delta: number | null;
  /** L' − L of the chosen candidate (distortion), null on fallback. */
  readonly lossChange: number | null;
  readonly model: CoarseGrainedModel | null;
}

/** Result of {@link rateDistortionCurve}. */
export interface RateDistortionResult {
  /** In the order of `epsilons`. */
  readonly points: readonly RateDistortionPoint[];
  readonly naiveBits: number;
  readonly originalLoss: number;
  /** Candidates evaluated (loss calls) over the whole curve. */
  readonly evaluations: number;
  /** fitLogCurve(ε, bits) over non-fallback points with ε > 0, when ≥ 2 distinct ε; else null. */
  readonly fit: LogCurveFit | null;
}

/**
 * The rate–distortion curve of coarse-graining: for each ε, the smallest compressed size of a
 * coarse-grained model whose loss is within ε (DeMoss et al., rate–distortion view: rate = bits,
 * distortion = loss change). Runs one search per ε with the same seed, sharing every evaluated
 * candidate; each point then takes the smallest size over ALL candidates evaluated for the whole
 * curve that pass that ε's test. Since the accepted set only grows with ε (for both acceptance
 * forms), the reported size is non-increasing in ε by construction.
 *
 * @param tensors - The model; not modified.
 * @param options - {@link RateDistortionOptions} (`loss`, `epsilons` required).
 * @returns {@link RateDistortionResult}.
 * `options.signal` cancels between candidates and `options.onProgress` counts candidates over the
 * whole curve (see {@link RateDistortionOptions}).
 *
 * @throws {@link OckhamError} as {@link coarseGrainSearch}; `EMPTY` for no ε; `OUT_OF_RANGE` for
 *   ε < 0; `signal.reason` when aborted.
 * @example
 * ```ts
 * import { rateDistortionCurve, type NamedTensor } from 'ockham';
 * const w = Float32Array.from({ length: 256 }, (_, i) => Math.cos(i) * 0.1);
 * const loss = (c: NamedTensor<Float32Array>[]) => c[0].data.reduce((s, v, i) => s + (v - w[i]) ** 2, 0) / 256;
 * const rd = await rateDistortionCurve([{ name: 'w', data: w, shape: [16, 16] }], { loss, epsilons: [1e-5, 1e-4, 1e-3], nIter: 20 });
 * // rd.points[i].bits is non-increasing in ε
 * ```
 */
export async function rateDistortionCurve<D extends FloatArray = FloatArray>(tensors: ModelTensors<D>, options: RateDistortionOptions<D>): Promise<RateDistortionResult> {
  const ctx = await createContext(tensors, options, ['epsilons', 'search', 'kRule', 'tauRange', 'method', 'maxIterations']);
  const o = options as RateDistortionOptions;
  if (ctx.epsilonRaw !== undefined) throw new OckhamError('INVALID_ARGUMENT', 'options.epsilon', 'use options.epsilons for a curve');
  if (!Array.isArray(o.epsilons) || o.epsilons.length === 0) throw new OckhamError('EMPTY', 'options.epsilons', 'expected a non-empty array of ε ≥ 0');
  const eps = o.epsilons.map((e, i) => assertNumber(e, `options.epsilons[${i}]`, 0));
  const search = assertOneOf(o.search ?? 'coarseGrain', 'options.search', ['coarseGrain', 'quantization'] as const);
  const kRule = o.kRule ?? 'paper';
  const memo: EvalMemo = { entries: new Map() };
  const { epsilons: _e, search: _s, ...rest } = o;
  void _e;
  void _s;
  const control = o.signal !== undefined || o.onProgress !== undefined;
  const budget = control ? searchBudget(search, rest as CoarseGrainOptions) : 0;
  const ctl = progressStepper(o.signal, o.onProgress, budget * eps.length);
  for (const [k, e] of eps.entries()) {
    const hook = control ? (i: number, phase: string): Promise<void> => ctl.step(k * budget + i, `ε = ${e} · ${phase}`) : undefined;
    if (search === 'coarseGrain') await coarseGrainKernel(ctx, { ...rest, epsilon: e } as CoarseGrainOptions, e, memo, hook);
    else await quantizationKernel(ctx, { ...rest, epsilon: e } as never, e, memo, hook);
  }
  if (control) ctl.finish();
  const points: RateDistortionPoint[] = eps.map((e) => {
    let best: { bits: number; entry: typeof memo.entries extends Map<string, infer V> ? V : never } | null = null;
    for (const entry of memo.entries.values()) {
      if (!accepts(ctx.acceptance, entry.loss, ctx.originalLoss, e)) continue;
      if (entry.bits === null) entry.bits = ctx.measure(ctx.serialize(entry.model));
      if (best === null || entry.bits < best.bits) best = { bits: entry.bits, entry };
    }
    if (best === null) return { epsilon: e, bits: ctx.naiveBits, fallback: true, tau: null, delta: null, lossChange: null, model: null };
    return {
      epsilon: e,
      bits: best.bits,
      fallback: false,
      tau: best.entry.tau,
      delta: best.entry.delta,
      lossChange: best.entry.loss - ctx.originalLoss,
      model: best.entry.model,
    };
  });
  void kRule;
  const fitPts = points.filter((p) => !p.fallback && p.epsilon > 0);
  const distinct = new Set(fitPts.map((p) => p.epsilon)).size;
  const fit = distinct >= 2 ? fitLogCurve(fitPts.map((p) => p.epsilon), fitPts.map((p) => p.bits)) : null;
  return { points, naiveBits: ctx.naiveBits, originalLoss: ctx.originalLoss, evaluations: memo.entries.size, fit };
}
