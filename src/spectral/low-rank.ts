/**
 * Low-rank truncation, the coarse-graining operator of DeMoss et al. 2024 ("The complexity
 * dynamics of grokking", Eq. 13), for one matrix and for a model of named tensors.
 */
import { OckhamError } from '../errors.js';
import { assertKnownOptions, assertNumber, assertOneOf, type FloatArray } from '../util/validate.js';
import { modelTensors, type ModelTensors } from '../util/model.js';
import { singularValuesKernel, svdKernel } from './kernels.js';
import { rankTolerance, readMatrix } from './svd.js';

/** How k(τ) is chosen: `'paper'` (Eq. 13, smallest k whose σ-mass reaches τ) or `'code'` (the reference code: one fewer). See docs/spectral.md. */
export type KRule = 'paper' | 'code';

/** Options of {@link lowRankTruncate} and {@link lowRankTruncateModel}. */
export interface LowRankOptions {
  /**
   * 'paper' (default): k = smallest k with Σ_{i≤k}σᵢ ≥ τ·Σσ (Eq. 13), capped at the numerical
   * rank. 'code': one singular value fewer, as brantondemoss/GrokkingComplexity computes it
   * (`k = searchsorted(cumsum(S), τ·sum(S))`), which can be 0.
   */
  readonly kRule?: KRule;
}

interface LowRankBase {
  /** Rows and columns of the 2-D view (dim0, rest). */
  readonly m: number;
  readonly n: number;
  /** The caller's shape (copied). */
  readonly shape: readonly number[];
  /** The truncation rank k(τ). */
  readonly k: number;
  /** Numerical rank: #{σᵢ > max(m, n)·ε·σ₁}. */
  readonly rank: number;
  readonly tau: number;
  readonly kRule: KRule;
  /** All singular values, descending. */
  readonly singularValues: Float64Array;
  /** Number of stored parameters: k(m + n) for factors, mn for dense. */
  readonly storedParams: number;
}

/** Truncation kept as factors: M ≈ left · right. */
export interface LowRankFactors extends LowRankBase {
  readonly kind: 'factors';
  /** U_k·diag(σ₁..σ_k): m×k row-major, same float type as the input. */
  readonly left: FloatArray;
  /** V_kᵀ: k×n row-major, same float type as the input. */
  readonly right: FloatArray;
  /** ‖M − left·right‖_F = √(Σ_{i>k} σᵢ²) (Eckart–Young), computed from the spectrum. */
  readonly truncationError: number;
}

/** Matrix returned unchanged (k ≥ mn/(m+n), or a 1-D tensor in the model form). */
export interface LowRankDense extends LowRankBase {
  readonly kind: 'dense';
  /** Why the matrix was kept dense. */
  readonly reason: 'k-not-below-mn/(m+n)' | 'not-a-matrix';
  /** A copy of the input, same float type. */
  readonly dense: FloatArray;
}

export type LowRankTruncation = LowRankFactors | LowRankDense;

/**
 * The truncation rank k(τ) for singular values `s` (descending, nonnegative).
 *
 * 'paper': the smallest k with Σ_{i≤k} σᵢ ≥ τ·Σᵢ σᵢ (cumulative sums accumulated left to right,
 * so the last partial sum equals the total exactly), capped at the numerical rank
 * r = #{σᵢ > max(m, n)·ε·σ₁} — so τ = 1 gives k = r, never a round-off singular value.
 * 'code': the number of partial sums strictly below τ·Σσ, i.e. the paper's uncapped k minus one,
 * exactly as `jnp.searchsorted(cumsum(S), τ*sum(S))` in the reference code (may be 0).
 * The zero matrix gives k = 0 under both rules.
 * @internal
 */
export function truncationRank(s: Float64Array, tau: number, kRule: KRule, rank: number): number {
  let total = 0;
  for (let i = 0; i < s.length; i++) total += s[i];
  if (total === 0) return 0;
  const target = tau * total;
  let c = 0;
  let k = s.length;
  for (let i = 0; i < s.length; i++) {
    c += s[i];
    if (c >= target) {
      k = i + 1;
      break;
    }
  }
  return kRule === 'paper' ? Math.min(k, rank) : k - 1;
}

function readOptions(options: LowRankOptions | undefined, name: string): KRule {
  assertKnownOptions(options, name, ['kRule']);
  return options?.kRule === undefined ? 'paper' : assertOneOf(options.kRule, `${name}.kRule`, ['paper', 'code'] as const);
}

function truncateKernel(matrix: FloatArray, shape: readonly number[], m: number, n: number, tau: number, kRule: KRule, forceDense: boolean): LowRankTruncation {
  const s = singularValuesKernel(matrix, m, n);
  let rank = 0;
  const tol = rankTolerance(s, m, n);
  while (rank < s.length && s[rank] > tol) rank++;
  const k = truncationRank(s, tau, kRule, rank);
  const base = { m, n, shape: shape.slice(), k, rank, tau, kRule, singularValues: s };
  // The reference's test k(m + n) < mn, in exact integer arithmetic.
  if (forceDense || k * (m + n) >= m * n) {
    return {
      ...base,
      kind: 'dense',
      reason: forceDense ? 'not-a-matrix' : 'k-not-below-mn/(m+n)',
      dense: matrix.slice(),
      storedParams: m * n,
    };
  }
  const Ctor = matrix instanceof Float32Array ? Float32Array : Float64Array;
  const left = new Ctor(m * k);
  const right = new Ctor(k * n);
  let tail = 0;
  for (let i = s.length - 1; i >= k; i--) tail += s[i] * s[i];
  if (k > 0) {
    // Full factors only now that they are needed; their σ agree with `s` to O(ε σ₁).
    const f = svdKernel(matrix, m, n);
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) left[i * k + j] = f.U[i * f.k + j] * f.S[j];
    right.set(f.Vt.subarray(0, k * n));
  }
  return { ...base, kind: 'factors', left, right, truncationError: Math.sqrt(tail), storedParams: k * (m + n) };
}

/**
 * Low-rank truncation of a matrix by singular-value mass (DeMoss et al. 2024, Eq. 13).
 *
 * k(τ) is the smallest k whose normalised singular-value mass Σ_{i≤k}σᵢ/Σσ reaches τ ∈ (0, 1]
 * (see `kRule`); the rank-k factors are kept only when storing them is smaller than the matrix,
 * k(m + n) < mn, i.e. k < mn/(m+n); otherwise the matrix is returned unchanged (`kind: 'dense'`).
 * Factors are stored as the reference code stores them: left = U_k·diag(σ) (m×k), right = V_kᵀ (k×n).
 * Rebuild the dense approximation with {@link reconstructLowRank}.
 *
 * @param matrix - row-major Float32Array or Float64Array; >2 dims viewed as (dim0, rest).
 * @param shape - the tensor's shape.
 * @param tau - singular-value mass to keep, τ ∈ (0, 1].
 * @param options - `{ kRule?: 'paper' | 'code' }` (default 'paper').
 * @returns a {@link LowRankFactors} or {@link LowRankDense} record (plain data).
 * @throws OckhamError — bad matrix/shape; `tau` not finite (`NON_FINITE`) or outside (0, 1]
 *   (`OUT_OF_RANGE`); unknown option or bad `options.kRule`.
 * @example
 * ```ts
 * import { lowRankTruncate, reconstructLowRank } from 'ockham';
 * const t = lowRankTruncate(new Float64Array([1, 1, 1, 1, 1, 1, 1, 1, 1]), [3, 3], 0.9);
 * // t.kind === 'factors', t.k === 1; reconstructLowRank(t) ≈ the all-ones matrix
 * ```
 */
export function lowRankTruncate(matrix: FloatArray, shape: readonly number[], tau: number, options?: LowRankOptions): LowRankTruncation {
  const [m, n] = readMatrix(matrix, shape);
  assertNumber(tau, 'tau', 0, 1, { minExclusive: true });
  const kRule = readOptions(options, 'options');
  return truncateKernel(matrix, shape, m, n, tau, kRule, false);
}

/**
 * Rebuilds the dense matrix of a {@link lowRankTruncate} result: left·right for factors, a copy
 * of the input for dense. Accumulates in Float64.
 *
 * @param t - a result of {@link lowRankTruncate} / {@link lowRankTruncateModel}.
 * @returns row-major m×n array, same float type as the truncated input.
 * @throws OckhamError — `t` is not a truncation result (`INVALID_ARGUMENT`).
 * @example
 * ```ts
 * import { lowRankTruncate, reconstructLowRank } from 'ockham';
 * const approx = reconstructLowRank(lowRankTruncate(new Float64Array(12).fill(2), [3, 4], 1));
 * ```
 */
export function reconstructLowRank(t: LowRankTruncation): FloatArray {
  if (t === null || typeof t !== 'object' || (t.kind !== 'factors' && t.kind !== 'dense')) {
    throw new OckhamError('INVALID_ARGUMENT', 't', 'expected a result of lowRankTruncate');
  }
  if (t.kind === 'dense') return t.dense.slice();
  const { m, n, k, left, right } = t;
  const acc = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ro = i * n;
    for (let l = 0; l < k; l++) {
      const f = left[i * k + l];
      if (f === 0) continue;
      const rl = l * n;
      for (let j = 0; j < n; j++) acc[ro + j] += f * right[rl + j];
    }
  }
  return left instanceof Float32Array ? Float32Array.from(acc) : acc;
}

/** Result of {@link lowRankTruncateModel}. */
export interface ModelTruncation {
  /** Per tensor, in the input's key order. */
  readonly layers: Record<string, LowRankTruncation>;
  /** Σ of tensor sizes. */
  readonly originalParams: number;
  /** Σ of stored parameters (k(m+n) for factored matrices, size otherwise). */
  readonly storedParams: number;
}

/**
 * {@link lowRankTruncate} applied with one τ to every tensor of a model.
 *
 * Tensors with ≥ 2 dims are viewed as (dim0, rest) and truncated; 1-D tensors (biases, norms) are
 * kept unchanged (`kind: 'dense'`, `reason: 'not-a-matrix'`), as in the reference code which
 * truncates only `ndim ≥ 2` parameters.
 *
 * @param tensors - the model: `NamedTensor[]` (`{ name, data, shape }`) or a record name → `{ data, shape }`.
 * @param tau - singular-value mass to keep, τ ∈ (0, 1].
 * @param options - `{ kRule?: 'paper' | 'code' }`.
 * @returns `{ layers, originalParams, storedParams }`.
 * @throws OckhamError — bad τ or options; empty model (`EMPTY`); duplicate names; bad tensor
 *   (argument `tensors.<name>.data` / `tensors.<name>.shape`).
 * @example
 * ```ts
 * import { lowRankTruncateModel } from 'ockham';
 * const r = lowRankTruncateModel({ w: { data: new Float32Array(64).fill(1), shape: [8, 8] } }, 0.99);
 * // r.layers.w.kind === 'factors', r.storedParams === 16
 * ```
 */
export function lowRankTruncateModel(tensors: ModelTensors, tau: number, options?: LowRankOptions): ModelTruncation {
  assertNumber(tau, 'tau', 0, 1, { minExclusive: true });
  const kRule = readOptions(options, 'options');
  const list = modelTensors(tensors, 'tensors');
  const views: [string, FloatArray, readonly number[], number, number][] = [];
  for (const t of list) {
    try {
      const [m, n] = readMatrix(t.data, t.shape);
      views.push([t.name, t.data, t.shape, m, n]);
    } catch (e) {
      if (e instanceof OckhamError) {
        const arg = e.argument === 'matrix' ? 'data' : e.argument;
        throw new OckhamError(e.code, `tensors.${t.name}.${arg}`, e.message.slice(e.argument.length + 2));
      }
      throw e;
    }
  }
  const layers: Record<string, LowRankTruncation> = {};
  let originalParams = 0;
  let storedParams = 0;
  for (const [name, data, shape, m, n] of views) {
    const r = truncateKernel(data, shape, m, n, tau, kRule, shape.length < 2);
    layers[name] = r;
    originalParams += m * n;
    storedParams += r.storedParams;
  }
  return { layers, originalParams, storedParams };
}
