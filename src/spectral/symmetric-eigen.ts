/**
 * Symmetric eigenvalue decomposition: Householder tridiagonalisation followed by the implicit
 * symmetric QR iteration with Wilkinson shifts (Golub & Van Loan, *Matrix Computations*, 4th ed.,
 * Algorithms 8.3.1 and 8.3.3).
 */
import { OckhamError } from '../errors.js';
import { assertFiniteFloats, assertInt, assertKnownOptions, type FloatArray } from '../util/validate.js';
import { NB, tridiagonalizeLower } from './tridiag-blocked.js';
import { wasmArena } from './wasm-gemm.js';

/** From this size on, values-only calls use the blocked tridiagonalisation (./tridiag-blocked.ts). */
const BLOCKED_FROM = 64;

/** Result of {@link symmetricEigen}. */
export interface SymmetricEigenResult {
  /** Eigenvalues, descending (largest first). Length n. */
  readonly values: Float64Array;
  /**
   * Orthonormal eigenvectors as an n×n row-major matrix whose COLUMN j is the eigenvector of
   * `values[j]` (the LAPACK / `numpy.linalg.eigh` convention): `vectors[i * n + j]` is component
   * i of eigenvector j. Present only when `{ vectors: true }` was asked for.
   */
  readonly vectors?: Float64Array;
}

/** Options of {@link symmetricEigen}. */
export interface SymmetricEigenOptions {
  /** Also compute the eigenvectors (costs roughly 3× the values-only time). Default false. */
  readonly vectors?: boolean;
  /**
   * Accept a matrix that is not symmetric and decompose its symmetric part (A + Aᵀ)/2.
   * Default false: an asymmetry larger than 1e-8 · max|aᵢⱼ| throws, because the eigenvalues of
   * the symmetric part are then not the eigenvalues of A.
   */
  readonly symmetrize?: boolean;
}

const EPS = 2.220446049250313e-16;
const TINY = 1e-300;

/**
 * Eigenvalues (descending) and optionally eigenvectors of a real symmetric n×n matrix.
 *
 * Method: Householder reduction to tridiagonal form T = QᵀAQ (for values only and n ≥ 64 blocked,
 * LAPACK dsytrd-style, in the WebAssembly SIMD kernels), then implicit-shift symmetric QR
 * on T with Wilkinson shifts and deflation when |eᵢ| ≤ ε(|dᵢ| + |dᵢ₊₁|) (Golub & Van Loan,
 * Alg. 8.3.1 / 8.3.3). Backward stable: computed eigenvalues are exact for A + E with
 * ‖E‖₂ ≈ ε‖A‖₂. Cost ≈ (4/3)n³ flops for values, ≈ 9n³ with vectors.
 *
 * @param a - row-major n×n matrix (Float32Array or Float64Array, finite). Not modified.
 * @param n - the dimension (integer ≥ 1); `a.length` must equal n².
 * @param options - `{ vectors?: boolean, symmetrize?: boolean }`, see {@link SymmetricEigenOptions}.
 * @returns `{ values, vectors? }`: values descending (same units as the entries of A);
 *   vectors as columns of a row-major n×n Float64Array.
 * @throws OckhamError — `a` not a finite float array (`NON_FINITE`/`INVALID_ARGUMENT`), `n` not a
 *   positive integer, `a.length !== n*n` (`SHAPE_MISMATCH`), `a` not symmetric (`INVALID_ARGUMENT`),
 *   unknown option (`UNKNOWN_OPTION`).
 * @example
 * ```ts
 * import { symmetricEigen } from 'ockham';
 * const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2, { vectors: true });
 * // values ≈ [3, 1]; column 0 of vectors ≈ ±[0.7071, 0.7071]
 * ```
 */
export function symmetricEigen(a: FloatArray, n: number, options?: SymmetricEigenOptions): SymmetricEigenResult {
  assertFiniteFloats(a, 'a');
  assertInt(n, 'n', 1, 1 << 15);
  if (a.length !== n * n) {
    throw new OckhamError('SHAPE_MISMATCH', 'a', `length ${a.length} does not match n×n = ${n}×${n} = ${n * n}`);
  }
  assertKnownOptions(options, 'options', ['vectors', 'symmetrize']);
  const wantVectors = options?.vectors ?? false;
  const symmetrize = options?.symmetrize ?? false;
  if (typeof wantVectors !== 'boolean') {
    throw new OckhamError('INVALID_ARGUMENT', 'options.vectors', `expected a boolean, got ${String(wantVectors)}`);
  }
  if (typeof symmetrize !== 'boolean') {
    throw new OckhamError('INVALID_ARGUMENT', 'options.symmetrize', `expected a boolean, got ${String(symmetrize)}`);
  }
  // Working copy, symmetrised exactly so the kernel can use either triangle.
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > maxAbs) maxAbs = v;
  }
  const w = new Float64Array(n * n);
  const tol = 1e-8 * maxAbs;
  for (let i = 0; i < n; i++) {
    w[i * n + i] = a[i * n + i];
    for (let j = i + 1; j < n; j++) {
      const x = a[i * n + j];
      const y = a[j * n + i];
      if (!symmetrize && Math.abs(x - y) > tol) {
        throw new OckhamError(
          'INVALID_ARGUMENT',
          'a',
          `not symmetric: a[${i}][${j}] = ${x} but a[${j}][${i}] = ${y} (tolerance 1e-8·max|a| = ${tol}); ` +
            'pass { symmetrize: true } to decompose (A + Aᵀ)/2',
        );
      }
      const s = 0.5 * (x + y);
      w[i * n + j] = s;
      w[j * n + i] = s;
    }
  }
  return symmetricEigenKernel(w, n, wantVectors);
}

/**
 * Kernel of {@link symmetricEigen}: trusts its input and OVERWRITES `w` (an exactly symmetric
 * row-major n×n Float64Array). Exported for other ockham modules that already hold a scratch copy.
 * @internal
 */
export function symmetricEigenKernel(w: Float64Array, n: number, wantVectors: boolean): SymmetricEigenResult {
  if (!wantVectors && n >= BLOCKED_FROM) return { values: blockedValues(w, n) };
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 1));
  const betas = new Float64Array(Math.max(n - 2, 1));
  tridiagonalize(w, n, d, e, betas);
  let z: Float64Array | undefined;
  if (wantVectors) z = formQTransposed(w, n, betas);
  tridiagonalQR(d, e, n, z);
  // Sort descending; permute eigenvector rows of z (z holds eigenvectors as rows).
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((p, q) => d[q] - d[p]);
  const values = new Float64Array(n);
  for (let j = 0; j < n; j++) values[j] = d[order[j]];
  if (!z) return { values };
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const row = order[j] * n;
    for (let i = 0; i < n; i++) vectors[i * n + j] = z[row + i];
  }
  return { values, vectors };
}

/**
 * Eigenvalues (descending) by the blocked lower-triangle tridiagonalisation in the WebAssembly
 * SIMD arena (the Gram route's), after an exact power-of-two scaling that puts max|aᵢⱼ| in [1, 2)
 * (so no vᵀv in the reflectors can overflow or underflow); then symmetric QR on the tridiagonal.
 */
function blockedValues(w: Float64Array, n: number): Float64Array {
  let amax = 0;
  for (let i = 0; i < w.length; i++) amax = Math.max(amax, Math.abs(w[i]));
  const values = new Float64Array(n);
  if (amax === 0) return values;
  const expo = Math.floor(Math.log2(amax));
  const h = Math.trunc(-expo / 2);
  const f1 = 2 ** h;
  const f2 = 2 ** (-expo - h);
  const ld = (n + 7) & ~7;
  const arena = wasmArena(ld * ld + 4 * NB * ld + 4 * ld + 8 * NB + 256, 1 << 14);
  try {
    const g = arena.f64(ld * ld);
    for (let c = 0; c < n; c++) for (let r = c; r < n; r++) g[c * ld + r] = w[r * n + c] * f1 * f2;
    const d = new Float64Array(n);
    const e = new Float64Array(Math.max(n - 1, 1));
    tridiagonalizeLower(g, n, ld, d, e, arena.f64);
    tridiagonalQR(d, e, n, undefined, true);
    d.sort();
    const b1 = 2 ** -h;
    const b2 = 2 ** (expo + h);
    for (let i = 0; i < n; i++) values[i] = d[n - 1 - i] * b1 * b2;
    return values;
  } finally {
    arena.release();
  }
}

/**
 * Householder tridiagonalisation in place. On return d/e hold the diagonal/off-diagonal of T,
 * row k of `w` (columns k+1..n-1) holds the Householder vector vₖ and betas[k] its 2/(vᵀv), so
 * Hₖ = I − βₖvₖvₖᵀ and T = Hₙ₋₃…H₀ A H₀…Hₙ₋₃.
 */
function tridiagonalize(w: Float64Array, n: number, d: Float64Array, e: Float64Array, betas: Float64Array): void {
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const rk = k * n;
    d[k] = w[rk + k];
    // x = column k below the diagonal = row k right of the diagonal (symmetry; contiguous).
    let scale = 0;
    for (let j = k + 1; j < n; j++) scale += Math.abs(w[rk + j]);
    if (scale === 0) {
      e[k] = 0;
      betas[k] = 0;
      continue;
    }
    let ss = 0;
    for (let j = k + 1; j < n; j++) {
      const v = w[rk + j] / scale;
      ss += v * v;
    }
    const x0 = w[rk + k + 1];
    const norm = scale * Math.sqrt(ss);
    const alpha = x0 >= 0 ? -norm : norm;
    // v = x − αe₁ (no cancellation: sign chosen opposite to x0); stored in row k.
    w[rk + k + 1] = x0 - alpha;
    let vtv = 0;
    for (let j = k + 1; j < n; j++) vtv += w[rk + j] * w[rk + j];
    const beta = 2 / vtv;
    betas[k] = beta;
    e[k] = alpha;
    // p = β A₂₂ v (row-major dot products over contiguous rows).
    let pv = 0;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let j = k + 1; j < n; j++) s += w[ri + j] * w[rk + j];
      s *= beta;
      p[i] = s;
      pv += s * w[rk + i];
    }
    // q = p − (β/2)(pᵀv) v ; A₂₂ ← A₂₂ − v qᵀ − q vᵀ.
    const kk = 0.5 * beta * pv;
    for (let i = k + 1; i < n; i++) p[i] -= kk * w[rk + i];
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = w[rk + i];
      const qi = p[i];
      for (let j = k + 1; j < n; j++) w[ri + j] -= vi * p[j] + qi * w[rk + j];
    }
  }
  if (n >= 2) {
    d[n - 2] = w[(n - 2) * n + n - 2];
    e[n - 2] = w[(n - 1) * n + n - 2];
  }
  d[n - 1] = w[(n - 1) * n + n - 1];
}

/** Forms Qᵀ (rows = columns of Q = H₀…Hₙ₋₃) from the Householder vectors stored in `w`. */
function formQTransposed(w: Float64Array, n: number, betas: Float64Array): Float64Array {
  // Backward accumulation Q ← Hₖ Q keeps the work on the trailing block.
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const t = new Float64Array(n);
  for (let k = n - 3; k >= 0; k--) {
    const beta = betas[k];
    if (beta === 0) continue;
    const rk = k * n;
    t.fill(0, k + 1);
    // t = vᵀ Q₂₂ (accumulate rows scaled by vᵢ: contiguous).
    for (let i = k + 1; i < n; i++) {
      const vi = w[rk + i];
      if (vi === 0) continue;
      const ri = i * n;
      for (let j = k + 1; j < n; j++) t[j] += vi * q[ri + j];
    }
    for (let i = k + 1; i < n; i++) {
      const f = beta * w[rk + i];
      if (f === 0) continue;
      const ri = i * n;
      for (let j = k + 1; j < n; j++) q[ri + j] -= f * t[j];
    }
  }
  // Transpose so that the QR rotations mix contiguous rows.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const tmp = q[i * n + j];
      q[i * n + j] = q[j * n + i];
      q[j * n + i] = tmp;
    }
  }
  return q;
}

/**
 * Implicit symmetric QR with Wilkinson shift on the tridiagonal (d, e), in place. If `z` is given
 * (n×n, rows = current eigenvector estimates) each rotation is applied to its rows. `scaled`:
 * the caller guarantees entries far from overflow/underflow (a scaled Gram matrix), so the
 * rotations use √(x² + y²) instead of the slower, overflow-safe Math.hypot.
 */
export function tridiagonalQR(d: Float64Array, e: Float64Array, n: number, z: Float64Array | undefined, scaled = false): void {
  if (n === 1) return;
  let hi = n - 1;
  let iter = 0;
  const maxIter = 60 * n;
  while (hi > 0) {
    // Deflate negligible off-diagonals.
    for (let i = 0; i < hi; i++) {
      if (Math.abs(e[i]) <= EPS * (Math.abs(d[i]) + Math.abs(d[i + 1])) || Math.abs(e[i]) < TINY) e[i] = 0;
    }
    while (hi > 0 && e[hi - 1] === 0) hi--;
    if (hi === 0) break;
    let lo = hi - 1;
    while (lo > 0 && e[lo - 1] !== 0) lo--;
    if (++iter > maxIter) {
      // Never observed; guards against an infinite loop on pathological input.
      throw new OckhamError('UNSUPPORTED', 'a', 'symmetric QR iteration did not converge');
    }
    // Wilkinson shift from the trailing 2×2 of the block.
    const eh = e[hi - 1];
    const dd = 0.5 * (d[hi - 1] - d[hi]);
    const r0 = scaled ? Math.sqrt(dd * dd + eh * eh) : Math.hypot(dd, eh);
    const mu = d[hi] - (eh * eh) / (dd + (dd >= 0 ? r0 : -r0));
    let x = d[lo] - mu;
    let zz = e[lo];
    for (let k = lo; k < hi; k++) {
      let r = scaled ? Math.sqrt(x * x + zz * zz) : Math.hypot(x, zz);
      let c: number;
      let s: number;
      if (r === 0) {
        c = 1;
        s = 0;
        r = 0;
      } else {
        c = x / r;
        s = zz / r;
      }
      if (k > lo) e[k - 1] = r;
      const ak = d[k];
      const bk = e[k];
      const ck = d[k + 1];
      const cs = c * s;
      const c2 = c * c;
      const s2 = s * s;
      const t2 = 2 * cs * bk;
      d[k] = c2 * ak + t2 + s2 * ck;
      d[k + 1] = s2 * ak - t2 + c2 * ck;
      e[k] = cs * (ck - ak) + (c2 - s2) * bk;
      if (k < hi - 1) {
        zz = s * e[k + 1];
        e[k + 1] *= c;
        x = e[k];
      }
      if (z) {
        const r1 = k * n;
        const r2 = r1 + n;
        for (let j = 0; j < n; j++) {
          const u = z[r1 + j];
          const v = z[r2 + j];
          z[r1 + j] = c * u + s * v;
          z[r2 + j] = c * v - s * u;
        }
      }
    }
  }
}
