/**
 * bayesOptimize: generic Bayesian optimisation (GP surrogate + UCB / expected improvement) over a
 * box, as used by Algorithm 1 of DeMoss et al. ("The Complexity Dynamics of Grokking") through the
 * `bayes_opt` package (fmfn/BayesianOptimization), whose defaults it reproduces.
 */
import { OckhamError } from '../errors.js';
import { assertControl, checkAbort, progressStepper, type ProgressCallback } from '../util/abort.js';
import { createRng, type Rng } from '../util/random.js';
import { assertInt, assertKnownOptions, assertNumber, assertOneOf } from '../util/validate.js';
import { gpFit, gpPredict, type GpModel } from './gp.js';
import { nelderMead } from './nelder-mead.js';

/** One search dimension: a closed interval, searched linearly or on a log scale. */
export interface SearchDimension {
  readonly min: number;
  readonly max: number;
  /** 'linear' (default) or 'log' (min > 0; the GP sees ln x rescaled to [0, 1]). */
  readonly scale?: 'linear' | 'log';
}

/** Named dimensions: `{ x: [−5, 10] }` or `{ delta: { min: 1e-3, max: 1, scale: 'log' } }`. */
export type SearchSpace = Readonly<Record<string, SearchDimension | readonly [number, number]>>;

/** A point of the space, by dimension name. */
export type SearchPoint = Record<string, number>;

/**
 * What an objective returns: a number to minimise, or `{ value, feasible, data }` — `value` is
 * what the GP sees (give infeasible points a large finite value, as the reference does), only
 * `feasible` points can be reported as best, `data` is carried into the trace untouched.
 */
export type ObjectiveValue<T = unknown> = number | { readonly value: number; readonly feasible?: boolean; readonly data?: T };

/** The objective: sync or async. */
export type Objective<T = unknown> = (x: SearchPoint) => ObjectiveValue<T> | Promise<ObjectiveValue<T>>;

/** Options of {@link bayesOptimize}; defaults are bayes_opt's (v1.x) as used by the reference. */
export interface BayesOptimizeOptions {
  /** Seed of every random draw (init points, GP restarts, acquisition search). Default 0. */
  readonly seed?: number;
  /** Points evaluated first, in order, in the space's own coordinates. Default none. */
  readonly probes?: readonly SearchPoint[];
  /** Uniform random points after the probes. Default 10. */
  readonly initPoints?: number;
  /** GP-guided steps after the random points. Default 50. */
  readonly nIter?: number;
  /** 'ucb' (default; GP-UCB, Srinivas et al. 2010) or 'ei' (expected improvement, Jones et al. 1998). */
  readonly acquisition?: 'ucb' | 'ei';
  /** UCB exploration weight κ: minimise μ − κσ. Default 2.576. */
  readonly kappa?: number;
  /** EI margin ξ ≥ 0. Default 0. */
  readonly xi?: number;
  /** 'isotropic' (default, bayes_opt's `Matern(nu=2.5)`): one length-scale; 'ard': one per dimension. */
  readonly lengthScale?: 'isotropic' | 'ard';
  /** Length-scale bounds in unit-cube coordinates. Default [1e-5, 1e5]. */
  readonly lengthScaleBounds?: readonly [number, number];
  /** Diagonal noise added to the kernel. Default 1e-6. */
  readonly alpha?: number;
  /** Standardise targets. Default true. */
  readonly normalizeY?: boolean;
  /** Random restarts of the length-scale fit. Default 5. */
  readonly nRestarts?: number;
  /** Random points scored to seed the acquisition maximum. Default 10000. */
  readonly nWarmup?: number;
  /** Local refinements of the acquisition (best warm-up point + random seeds). Default 10. */
  readonly nLocalStarts?: number;
  /**
   * Cancels the run: checked before each objective evaluation (for a GP step, before the GP fit
   * and the acquisition search) and before the final `'done'` progress call. When a signal is
   * given the loop yields to the event loop before each evaluation, so an abort from a timer, an
   * event handler or another task lands at the next evaluation. Aborting rejects with
   * `signal.reason` (a DOMException named 'AbortError' unless the caller gave another reason).
   */
  readonly signal?: AbortSignal;
  /**
   * Progress in objective evaluations: `(done, total, label)` before each evaluation, `done` the
   * evaluations finished, `total` = probes + `initPoints` + `nIter` (the budget), `label` the
   * phase of the next one (`'probe'`, `'random'` or `'gp'`; a search over a model prefixes it);
   * the last call is `(total, total, 'done')`. Never changes the result (no random draw depends on it).
   */
  readonly onProgress?: ProgressCallback;
}

/** One objective evaluation. */
export interface BayesEvaluation<T = unknown> {
  /** 0-based order of evaluation. */
  readonly index: number;
  /** The point, in the space's coordinates. */
  readonly x: SearchPoint;
  /** The point in unit-cube coordinates (what the GP sees), in space key order. */
  readonly unit: readonly number[];
  /** Value seen by the GP (minimised). */
  readonly value: number;
  readonly feasible: boolean;
  readonly phase: 'probe' | 'random' | 'gp';
  readonly data: T | undefined;
}

/** Result of {@link bayesOptimize}. */
export interface BayesOptimizeResult<T = unknown> {
  /** The feasible evaluation with the smallest value (earliest on ties), or null if none was feasible. */
  readonly best: BayesEvaluation<T> | null;
  /** Every evaluation in order. */
  readonly trace: readonly BayesEvaluation<T>[];
  /** Length-scales (unit-cube coordinates) of the last GP fit, per dimension; empty if no GP was fitted. */
  readonly lengthScales: readonly number[];
}

/** The option names {@link bayesOptimize} accepts. @internal */
export const BAYES_OPTION_KEYS = [
  'seed',
  'probes',
  'initPoints',
  'nIter',
  'acquisition',
  'kappa',
  'xi',
  'lengthScale',
  'lengthScaleBounds',
  'alpha',
  'normalizeY',
  'nRestarts',
  'nWarmup',
  'nLocalStarts',
  'signal',
  'onProgress',
] as const;

interface Dim {
  name: string;
  min: number;
  max: number;
  log: boolean;
}

/** @internal */
export interface ResolvedBayesOptions {
  seed: number;
  probes: readonly SearchPoint[];
  initPoints: number;
  nIter: number;
  acquisition: 'ucb' | 'ei';
  kappa: number;
  xi: number;
  lengthScale: 'isotropic' | 'ard';
  lengthScaleBounds: readonly [number, number];
  alpha: number;
  normalizeY: boolean;
  nRestarts: number;
  nWarmup: number;
  nLocalStarts: number;
  signal: AbortSignal | undefined;
  onProgress: ProgressCallback | undefined;
}

/**
 * @internal Called before each objective evaluation with its 0-based index and phase (abort
 * checks, yielding, progress); never draws random numbers.
 */
export type EvaluationHook = (index: number, phase: 'probe' | 'random' | 'gp' | 'bisection') => Promise<void>;

function readSpace(space: unknown, name: string): Dim[] {
  if (space === null || typeof space !== 'object' || Array.isArray(space)) {
    throw new OckhamError('INVALID_ARGUMENT', name, 'expected a record name → [min, max] or { min, max, scale }');
  }
  const dims: Dim[] = [];
  for (const [key, v] of Object.entries(space)) {
    const at = `${name}.${key}`;
    let min: unknown;
    let max: unknown;
    let scale: unknown = 'linear';
    if (Array.isArray(v)) {
      if (v.length !== 2) throw new OckhamError('INVALID_ARGUMENT', at, 'expected [min, max]');
      [min, max] = v;
    } else if (v !== null && typeof v === 'object') {
      assertKnownOptions(v, at, ['min', 'max', 'scale']);
      ({ min, max } = v as SearchDimension);
      scale = (v as SearchDimension).scale ?? 'linear';
    } else {
      throw new OckhamError('INVALID_ARGUMENT', at, 'expected [min, max] or { min, max, scale }');
    }
    const lo = assertNumber(min, `${at}.min`);
    const hi = assertNumber(max, `${at}.max`);
    if (!(hi > lo)) throw new OckhamError('OUT_OF_RANGE', `${at}.max`, `expected max > min, got [${lo}, ${hi}]`);
    const s = assertOneOf(scale, `${at}.scale`, ['linear', 'log'] as const);
    if (s === 'log' && !(lo > 0)) throw new OckhamError('OUT_OF_RANGE', `${at}.min`, `a log-scale dimension needs min > 0, got ${lo}`);
    dims.push({ name: key, min: lo, max: hi, log: s === 'log' });
  }
  if (dims.length === 0) throw new OckhamError('EMPTY', name, 'expected at least one dimension');
  return dims;
}

/** @internal Validates and fills defaults (shared with the coarse-graining search). */
export function resolveBayesOptions(options: unknown, name: string): ResolvedBayesOptions {
  assertKnownOptions(options, name, BAYES_OPTION_KEYS);
  assertControl(options as BayesOptimizeOptions | undefined, name);
  const o = (options ?? {}) as BayesOptimizeOptions;
  const seed = o.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new OckhamError('OUT_OF_RANGE', `${name}.seed`, `expected an integer seed in 0..2^53−1, got ${String(seed)}`);
  }
  const probes = o.probes ?? [];
  if (!Array.isArray(probes)) throw new OckhamError('INVALID_ARGUMENT', `${name}.probes`, 'expected an array of points');
  const bounds = o.lengthScaleBounds ?? [1e-5, 1e5];
  if (!Array.isArray(bounds) || bounds.length !== 2) {
    throw new OckhamError('INVALID_ARGUMENT', `${name}.lengthScaleBounds`, 'expected [lo, hi]');
  }
  const blo = assertNumber(bounds[0], `${name}.lengthScaleBounds[0]`, 0, Infinity, { minExclusive: true });
  const bhi = assertNumber(bounds[1], `${name}.lengthScaleBounds[1]`, blo, Infinity);
  const normalizeY = o.normalizeY ?? true;
  if (typeof normalizeY !== 'boolean') throw new OckhamError('INVALID_ARGUMENT', `${name}.normalizeY`, 'expected a boolean');
  return {
    seed,
    probes,
    initPoints: assertInt(o.initPoints ?? 10, `${name}.initPoints`, 0, 1e6),
    nIter: assertInt(o.nIter ?? 50, `${name}.nIter`, 0, 1e6),
    acquisition: assertOneOf(o.acquisition ?? 'ucb', `${name}.acquisition`, ['ucb', 'ei'] as const),
    kappa: assertNumber(o.kappa ?? 2.576, `${name}.kappa`, 0),
    xi: assertNumber(o.xi ?? 0, `${name}.xi`, 0),
    lengthScale: assertOneOf(o.lengthScale ?? 'isotropic', `${name}.lengthScale`, ['isotropic', 'ard'] as const),
    lengthScaleBounds: [blo, bhi],
    alpha: assertNumber(o.alpha ?? 1e-6, `${name}.alpha`, 0),
    normalizeY,
    nRestarts: assertInt(o.nRestarts ?? 5, `${name}.nRestarts`, 0, 1000),
    nWarmup: assertInt(o.nWarmup ?? 10000, `${name}.nWarmup`, 1, 1e8),
    nLocalStarts: assertInt(o.nLocalStarts ?? 10, `${name}.nLocalStarts`, 0, 1e4),
    signal: o.signal,
    onProgress: o.onProgress,
  };
}

function toUnit(d: Dim, v: number): number {
  const u = d.log ? (Math.log(v) - Math.log(d.min)) / (Math.log(d.max) - Math.log(d.min)) : (v - d.min) / (d.max - d.min);
  return u < 0 ? 0 : u > 1 ? 1 : u;
}

function fromUnit(d: Dim, u: number): number {
  if (u <= 0) return d.min;
  if (u >= 1) return d.max;
  return d.log ? Math.exp(Math.log(d.min) + u * (Math.log(d.max) - Math.log(d.min))) : d.min + u * (d.max - d.min);
}

/** Standard normal CDF via erfc (W. J. Cody's rational approximations are overkill here; this is
 * the Numerical Recipes Chebyshev erfc, relative error < 1.2e-7 — ample for ranking EI values). */
function normCdf(z: number): number {
  const x = -z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  const erfc = x >= 0 ? y : 2 - y;
  return 0.5 * erfc;
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Acquisition to MAXIMISE at unit point u (minimisation problem: UCB scores −(μ − κσ)). */
function makeAcquisition(gp: GpModel, opts: ResolvedBayesOptions, yBest: number): (u: Float64Array) => number {
  const work = new Float64Array(gp.n);
  const out = new Float64Array(2);
  if (opts.acquisition === 'ucb') {
    const kappa = opts.kappa;
    return (u) => {
      gpPredict(gp, u, work, out);
      return -(out[0] - kappa * out[1]);
    };
  }
  const xi = opts.xi;
  return (u) => {
    gpPredict(gp, u, work, out);
    const imp = yBest - out[0] - xi;
    const s = out[1];
    if (!(s > 0)) return imp > 0 ? imp : 0;
    const z = imp / s;
    return imp * normCdf(z) + s * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
  };
}

/**
 * Maximises the acquisition over the unit cube as bayes_opt's `acq_max` does: score `nWarmup`
 * uniform random points, then refine locally from the best of them and from `nLocalStarts − 1`
 * uniform random seeds (bayes_opt: L-BFGS-B from 10 random seeds; here a bounded Nelder–Mead),
 * keeping the overall best.
 */
function maximiseAcquisition(acq: (u: Float64Array) => number, d: number, opts: ResolvedBayesOptions, rng: Rng): Float64Array {
  const u = new Float64Array(d);
  const best = new Float64Array(d);
  let bestV = -Infinity;
  for (let i = 0; i < opts.nWarmup; i++) {
    for (let t = 0; t < d; t++) u[t] = rng.next();
    const v = acq(u);
    if (v > bestV) {
      bestV = v;
      best.set(u);
    }
  }
  const lo = new Float64Array(d);
  const hi = new Float64Array(d).fill(1);
  const step = new Float64Array(d).fill(0.05);
  const neg = (x: Float64Array): number => -acq(x);
  for (let s = 0; s < opts.nLocalStarts; s++) {
    const x0 = new Float64Array(d);
    if (s === 0) x0.set(best);
    else for (let t = 0; t < d; t++) x0[t] = rng.next();
    const r = nelderMead(neg, x0, lo, hi, step, 40 * d + 20, 1e-12, 1e-7);
    if (-r.f > bestV) {
      bestV = -r.f;
      best.set(r.x);
    }
  }
  return best;
}

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** @internal The optimiser loop after validation (shared with the coarse-graining search). */
export async function bayesOptimizeKernel<T>(
  objective: Objective<T>,
  dims: Dim[],
  opts: ResolvedBayesOptions,
  objectiveName: string,
  hook?: EvaluationHook,
): Promise<BayesOptimizeResult<T>> {
  const d = dims.length;
  const rng = createRng(opts.seed);
  const trace: BayesEvaluation<T>[] = [];
  const total = opts.probes.length + opts.initPoints + opts.nIter;
  const X = new Float64Array(total * d);
  const Y = new Float64Array(total);
  let lengthScales: number[] = [];

  const evaluate = async (u: Float64Array, phase: BayesEvaluation<T>['phase']): Promise<void> => {
    const x: SearchPoint = {};
    for (let t = 0; t < d; t++) x[dims[t].name] = fromUnit(dims[t], u[t]);
    let r: ObjectiveValue<T>;
    try {
      r = await objective({ ...x });
    } catch (e) {
      if (e instanceof OckhamError) throw e;
      // An objective that honours the same signal rejects with its reason: pass it through.
      if (opts.signal?.aborted && e === opts.signal.reason) throw e;
      const err = new OckhamError('INVALID_ARGUMENT', objectiveName, `threw at ${JSON.stringify(x)}: ${describeError(e)}`);
      err.cause = e;
      throw err;
    }
    let value: unknown;
    let feasible = true;
    let data: T | undefined;
    if (typeof r === 'number') value = r;
    else if (r !== null && typeof r === 'object') {
      value = r.value;
      feasible = r.feasible ?? true;
      data = r.data;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new OckhamError('NON_FINITE', objectiveName, `returned ${String(value)} at ${JSON.stringify(x)}; expected a finite number (score infeasible points with a large finite value)`);
    }
    const i = trace.length;
    X.set(u, i * d);
    Y[i] = value;
    trace.push({ index: i, x, unit: Array.from(u), value, feasible: feasible === true, phase, data });
  };

  for (let p = 0; p < opts.probes.length; p++) {
    await hook?.(trace.length, 'probe');
    const probe = opts.probes[p];
    const at = `options.probes[${p}]`;
    if (probe === null || typeof probe !== 'object') throw new OckhamError('INVALID_ARGUMENT', at, 'expected a point { name: value }');
    assertKnownOptions(probe, at, dims.map((dm) => dm.name));
    const u = new Float64Array(d);
    for (let t = 0; t < d; t++) {
      const v = assertNumber(probe[dims[t].name], `${at}.${dims[t].name}`, dims[t].min, dims[t].max);
      u[t] = toUnit(dims[t], v);
    }
    await evaluate(u, 'probe');
  }
  for (let i = 0; i < opts.initPoints; i++) {
    await hook?.(trace.length, 'random');
    const u = new Float64Array(d);
    for (let t = 0; t < d; t++) u[t] = rng.next();
    await evaluate(u, 'random');
  }
  for (let it = 0; it < opts.nIter; it++) {
    await hook?.(trace.length, 'gp');
    const n = trace.length;
    let u: Float64Array;
    if (n === 0) {
      u = new Float64Array(d);
      for (let t = 0; t < d; t++) u[t] = rng.next();
    } else {
      const gp = gpFit(X, n, d, Y.subarray(0, n), opts, rng);
      lengthScales = Array.from(gp.lengthScales);
      let yBest = Infinity;
      for (let i = 0; i < n; i++) if (Y[i] < yBest) yBest = Y[i];
      u = maximiseAcquisition(makeAcquisition(gp, opts, yBest), d, opts, rng);
      // A repeated point adds nothing and makes K singular: draw a random one instead (as bayes_opt).
      for (let i = 0; i < n; i++) {
        let same = true;
        for (let t = 0; t < d && same; t++) same = Math.abs(X[i * d + t] - u[t]) <= 1e-10;
        if (same) {
          for (let t = 0; t < d; t++) u[t] = rng.next();
          break;
        }
      }
    }
    await evaluate(u, 'gp');
  }
  let best: BayesEvaluation<T> | null = null;
  for (const e of trace) if (e.feasible && (best === null || e.value < best.value)) best = e;
  return { best, trace, lengthScales };
}

/** @internal */
export function readSearchSpace(space: unknown, name = 'space'): Dim[] {
  return readSpace(space, name);
}

/**
 * Minimises a black-box objective over a box by Bayesian optimisation: a Gaussian-process
 * surrogate (Matérn 5/2 kernel, length-scale(s) fitted by maximum marginal likelihood) and an
 * acquisition function — GP-UCB (Srinivas et al. 2010; minimise μ − κσ) or expected improvement
 * (Jones, Schonlau & Welch 1998). Evaluates `probes`, then `initPoints` uniform random points,
 * then `nIter` acquisition maxima. Defaults reproduce `bayes_opt` v1.x as the grokking-complexity
 * reference uses it (UCB κ = 2.576, 10 random points, 50 GP steps, Matérn(ν=2.5) with one
 * length-scale, α = 1e-6, normalize_y, 5 optimiser restarts, 10 000 warm-up points + 10 local
 * refinements). Differences, all deterministic given the seed: our own xoshiro stream instead of
 * NumPy's, bounded Nelder–Mead instead of L-BFGS-B (both for the length-scale fit and the
 * acquisition refinement), the best warm-up point is one of the refinement starts, and a
 * proposal equal to an earlier point is replaced by a uniform random point.
 *
 * Each dimension is mapped to [0, 1] (linearly, or via ln for `scale: 'log'`); the GP works there.
 *
 * @param objective - `(x) => number | { value, feasible?, data? }` or a Promise of it; minimised.
 *   Infeasible points should carry a large finite `value` (what the GP sees) and `feasible: false`.
 * @param space - Named dimensions: `{ x: [lo, hi] }` or `{ x: { min, max, scale: 'log' } }`.
 * @param options - {@link BayesOptimizeOptions}.
 * @returns `{ best, trace, lengthScales }`; `best` is the feasible evaluation of least value, or
 *   `null` when no evaluation was feasible.
 * `options.signal` cancels between evaluations and `options.onProgress` counts evaluations out
 * of the budget (probes + `initPoints` + `nIter`); see {@link BayesOptimizeOptions}.
 *
 * @throws {@link OckhamError} for a bad space/option (naming it, e.g. `options.signal`);
 *   `INVALID_ARGUMENT` (argument `objective`, original error as `cause`) when the objective
 *   throws; `NON_FINITE` when it returns NaN/±∞ or a non-number; `signal.reason` when aborted.
 * @example
 * ```ts
 * import { bayesOptimize } from 'ockham';
 * const r = await bayesOptimize(({ x }) => (x - 2) ** 2, { x: [-5, 5] }, { seed: 1, nIter: 15 });
 * // r.best.x.x ≈ 2
 * ```
 */
export async function bayesOptimize<T = unknown>(objective: Objective<T>, space: SearchSpace, options?: BayesOptimizeOptions): Promise<BayesOptimizeResult<T>> {
  if (typeof objective !== 'function') throw new OckhamError('INVALID_ARGUMENT', 'objective', 'expected a function (x) => number');
  const dims = readSpace(space, 'space');
  const opts = resolveBayesOptions(options, 'options');
  const total = opts.probes.length + opts.initPoints + opts.nIter;
  const ctl = progressStepper(opts.signal, opts.onProgress, total);
  const hook = opts.signal === undefined && opts.onProgress === undefined ? undefined : (i: number, phase: string): Promise<void> => ctl.step(i, phase);
  checkAbort(opts.signal);
  const r = await bayesOptimizeKernel(objective, dims, opts, 'objective', hook);
  ctl.finish();
  return r;
}
