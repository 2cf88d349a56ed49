/**
 * Gaussian-process regression with a Matérn 5/2 kernel (Rasmussen & Williams 2006, §4.2 eq. 4.17
 * and Alg. 2.1), the surrogate of {@link bayesOptimize}. Configured by default as the `bayes_opt`
 * package configures scikit-learn's `GaussianProcessRegressor`: kernel `Matern(nu=2.5)` with one
 * shared length-scale (initial 1, bounds [1e-5, 1e5]) and unit signal variance, `alpha = 1e-6`
 * added to the diagonal, `normalize_y = True` (targets standardised to mean 0, std 1), and the
 * length-scale fitted by maximising the log marginal likelihood from the initial value plus
 * `nRestarts = 5` random log-uniform starts. We maximise with a bounded Nelder–Mead on the log
 * length-scales instead of L-BFGS-B (deterministic, gradient-free, ample for 1–2 parameters).
 * @internal
 */
import type { Rng } from '../util/random.js';
import { backSolveTransposed, cholesky, forwardSolve } from './linalg.js';
import { nelderMead } from './nelder-mead.js';

const SQRT5 = Math.sqrt(5);
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Matérn ν = 5/2 correlation at scaled distance r ≥ 0: (1 + √5 r + 5r²/3)·exp(−√5 r). */
export function matern52(r: number): number {
  const s = SQRT5 * r;
  return (1 + s + (s * s) / 3) * Math.exp(-s);
}

/** Options of the GP fit. */
export interface GpFitOptions {
  /** 'isotropic' (bayes_opt default): one length-scale; 'ard': one per input dimension. */
  lengthScale: 'isotropic' | 'ard';
  /** Bounds of every length-scale (default [1e-5, 1e5], scikit-learn's default). */
  lengthScaleBounds: readonly [number, number];
  /** Value added to the kernel diagonal (default 1e-6). */
  alpha: number;
  /** Standardise targets before fitting (default true). */
  normalizeY: boolean;
  /** Random restarts of the length-scale optimiser besides the initial value 1 (default 5). */
  nRestarts: number;
}

/** A fitted GP (plain data). */
export interface GpModel {
  readonly n: number;
  readonly d: number;
  /** Training inputs, n×d row-major. */
  readonly X: Float64Array;
  /** Fitted length-scale per input dimension (all equal when isotropic). */
  readonly lengthScales: Float64Array;
  /** Cholesky factor of K + (alpha + jitter)·I, n×n row-major lower. */
  readonly L: Float64Array;
  /** (K + alpha·I)⁻¹ · y_normalised. */
  readonly weights: Float64Array;
  readonly yMean: number;
  readonly yStd: number;
  /** Log marginal likelihood of the normalised targets at the fitted length-scales. */
  readonly logMarginalLikelihood: number;
  /** Extra diagonal jitter that was needed for a successful Cholesky (0 normally). */
  readonly jitter: number;
}

interface Workspace {
  K: Float64Array;
  L: Float64Array;
  w: Float64Array;
}

function buildKernel(X: Float64Array, n: number, d: number, ls: Float64Array, diag: number, K: Float64Array): void {
  for (let i = 0; i < n; i++) {
    K[i * n + i] = 1 + diag;
    for (let j = 0; j < i; j++) {
      let r2 = 0;
      for (let t = 0; t < d; t++) {
        const z = (X[i * d + t] - X[j * d + t]) / ls[t];
        r2 += z * z;
      }
      const k = matern52(Math.sqrt(r2));
      K[i * n + j] = k;
      K[j * n + i] = k;
    }
  }
}

/** Log marginal likelihood of targets `y` (already normalised); −∞ when K is not SPD. */
function lml(X: Float64Array, n: number, d: number, y: Float64Array, ls: Float64Array, diag: number, ws: Workspace): number {
  buildKernel(X, n, d, ls, diag, ws.K);
  if (!cholesky(ws.K, n, ws.L)) return -Infinity;
  ws.w.set(y);
  forwardSolve(ws.L, n, ws.w);
  let quad = 0;
  for (let i = 0; i < n; i++) quad += ws.w[i] * ws.w[i];
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += Math.log(ws.L[i * n + i]);
  return -0.5 * quad - logDet - n * HALF_LOG_2PI;
}

function normalise(y: Float64Array, normalizeY: boolean): [Float64Array, number, number] {
  const n = y.length;
  if (!normalizeY) return [Float64Array.from(y), 0, 1];
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (y[i] - mean) * (y[i] - mean);
  let std = Math.sqrt(v / n);
  // As scikit-learn: a constant target keeps scale 1 instead of dividing by zero.
  if (!(std > 1e-12 * Math.max(1, Math.abs(mean)))) std = 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (y[i] - mean) / std;
  return [out, mean, std];
}

/**
 * Fits a GP with the given (fixed) length-scales. Adds jitter (10⁻¹⁰, 10⁻⁹, …, 10⁻²) to the
 * diagonal only if the Cholesky fails, and records it.
 */
export function gpFitFixed(X: Float64Array, n: number, d: number, y: Float64Array, lengthScales: Float64Array, alpha: number, normalizeY: boolean): GpModel {
  const [yn, yMean, yStd] = normalise(y, normalizeY);
  const ws: Workspace = { K: new Float64Array(n * n), L: new Float64Array(n * n), w: new Float64Array(n) };
  let jitter = 0;
  let value = lml(X, n, d, yn, lengthScales, alpha, ws);
  for (let e = -10; value === -Infinity && e <= -2; e++) {
    jitter = 10 ** e;
    value = lml(X, n, d, yn, lengthScales, alpha + jitter, ws);
  }
  if (value === -Infinity) throw new Error('GP kernel matrix is not positive definite even with jitter 1e-2');
  // weights = (LLᵀ)⁻¹ y: ws.w already holds L⁻¹y.
  backSolveTransposed(ws.L, n, ws.w);
  return { n, d, X: Float64Array.from(X.subarray(0, n * d)), lengthScales: Float64Array.from(lengthScales), L: ws.L, weights: ws.w, yMean, yStd, logMarginalLikelihood: value, jitter };
}

/**
 * Fits a GP, choosing the length-scale(s) that maximise the log marginal likelihood: bounded
 * Nelder–Mead on log length-scales from the initial value 1 and from `nRestarts` log-uniform
 * random starts drawn from `rng`; the best optimum wins (ties: the earliest start).
 */
export function gpFit(X: Float64Array, n: number, d: number, y: Float64Array, options: GpFitOptions, rng: Rng): GpModel {
  const p = options.lengthScale === 'ard' ? d : 1;
  const [yn] = normalise(y, options.normalizeY);
  const loB = Math.log(options.lengthScaleBounds[0]);
  const hiB = Math.log(options.lengthScaleBounds[1]);
  const lo = new Float64Array(p).fill(loB);
  const hi = new Float64Array(p).fill(hiB);
  const step = new Float64Array(p).fill(Math.min(1, (hiB - loB) / 4));
  const ws: Workspace = { K: new Float64Array(n * n), L: new Float64Array(n * n), w: new Float64Array(n) };
  const ls = new Float64Array(d);
  const negLml = (theta: Float64Array): number => {
    for (let t = 0; t < d; t++) ls[t] = Math.exp(theta[p === 1 ? 0 : t]);
    return -lml(X, n, d, yn, ls, options.alpha, ws);
  };
  let bestTheta: Float64Array | null = null;
  let bestF = Infinity;
  for (let s = 0; s <= options.nRestarts; s++) {
    const x0 = new Float64Array(p);
    if (s === 0) x0.fill(Math.min(hiB, Math.max(loB, 0)));
    else for (let t = 0; t < p; t++) x0[t] = loB + (hiB - loB) * rng.next();
    // log-space tolerance 1e-3 = 0.1 % in the length-scale: far below what moves the posterior.
    const r = nelderMead(negLml, x0, lo, hi, step, 30 + 30 * p, 1e-7, 1e-3);
    if (r.f < bestF) {
      bestF = r.f;
      bestTheta = r.x;
    }
  }
  const theta = bestTheta ?? new Float64Array(p).fill(Math.min(hiB, Math.max(loB, 0)));
  for (let t = 0; t < d; t++) ls[t] = Math.exp(theta[p === 1 ? 0 : t]);
  return gpFitFixed(X, n, d, y, ls, options.alpha, options.normalizeY);
}

/**
 * Posterior mean and standard deviation at `x` (length d), in the units of the targets, written
 * to `out` = [mean, std]. `work` is scratch of length ≥ n. Variance = k(x,x) − k*ᵀ(K+αI)⁻¹k*,
 * clamped at 0 (the noise-free latent variance, as scikit-learn's `predict(return_std=True)`).
 */
export function gpPredict(model: GpModel, x: Float64Array, work: Float64Array, out: Float64Array): void {
  const { n, d, X, lengthScales: ls, L, weights } = model;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    let r2 = 0;
    for (let t = 0; t < d; t++) {
      const z = (x[t] - X[i * d + t]) / ls[t];
      r2 += z * z;
    }
    const k = matern52(Math.sqrt(r2));
    work[i] = k;
    mean += k * weights[i];
  }
  forwardSolve(L, n, work);
  let q = 0;
  for (let i = 0; i < n; i++) q += work[i] * work[i];
  const v = 1 - q;
  out[0] = mean * model.yStd + model.yMean;
  out[1] = (v > 0 ? Math.sqrt(v) : 0) * model.yStd;
}
