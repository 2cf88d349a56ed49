/**
 * SVD kernels on Float64Array working copies. They trust their inputs (validated at the public
 * boundary) and overwrite their working arrays.
 *
 * Method (Golub & Van Loan, *Matrix Computations* 4th ed., §5.4.8, Alg. 5.4.2, 8.6.1, 8.6.2):
 *   1. orient the matrix tall (m ≥ n) — A and Aᵀ have the same singular values;
 *   2. values only and m ≥ 5n/3: Householder QR first, then work on the n×n R
 *      (R-bidiagonalisation, Chan 1982) — fewer flops and a square, cache-friendlier matrix;
 *   3. Householder bidiagonalisation A = U₁ B V₁ᵀ (B upper bidiagonal); every inner loop walks
 *      one contiguous row of the row-major matrix, and the left and right reflector updates of
 *      each step are fused into one pass over the trailing rows;
 *   4. implicit-shift Golub–Kahan QR on B (shift from the trailing 2×2 of BᵀB), deflation when
 *      |eᵢ| ≤ ε(|dᵢ| + |dᵢ₊₁|), explicit zero-chasing when a diagonal entry is ≤ ε‖B‖.
 * Backward stable: the singular values are exact for A + E with ‖E‖₂ = O(ε‖A‖₂), so every σᵢ
 * carries an absolute error O(ε σ₁).
 */
import { OckhamError } from '../errors.js';
import { bidiagonalizeColumns } from './bidiag-blocked.js';
import { columnStorage, qrRTransposed } from './qr-blocked.js';
import { wasmArena } from './wasm-gemm.js';

const EPS = 2.220446049250313e-16;

/** α of the last Householder vector built (avoids allocating a tuple per reflector). */
let lastAlpha = 0;

/**
 * Householder vector for x = a[row..m−1][col] (strided), in place: v = x − αe₁ with α = −sign(x₀)‖x‖
 * overwrites x. Returns β = 2/(vᵀv), or 0 when x = 0 (H = I); α is left in `lastAlpha`.
 */
function houseColumn(a: Float64Array, m: number, n: number, row: number, col: number): number {
  let scale = 0;
  for (let i = row; i < m; i++) scale += Math.abs(a[i * n + col]);
  if (scale === 0) {
    lastAlpha = 0;
    return 0;
  }
  let ss = 0;
  for (let i = row; i < m; i++) {
    const v = a[i * n + col] / scale;
    ss += v * v;
  }
  const x0 = a[row * n + col];
  const norm = scale * Math.sqrt(ss);
  const alpha = x0 >= 0 ? -norm : norm;
  a[row * n + col] = x0 - alpha;
  let vtv = 0;
  for (let i = row; i < m; i++) {
    const v = a[i * n + col];
    vtv += v * v;
  }
  lastAlpha = alpha;
  return 2 / vtv;
}

/** As {@link houseColumn} for the contiguous row segment a[off..off+len−1]. */
function houseRow(a: Float64Array, off: number, len: number): number {
  let scale = 0;
  for (let j = 0; j < len; j++) scale += Math.abs(a[off + j]);
  if (scale === 0) {
    lastAlpha = 0;
    return 0;
  }
  let ss = 0;
  for (let j = 0; j < len; j++) {
    const v = a[off + j] / scale;
    ss += v * v;
  }
  const x0 = a[off];
  const norm = scale * Math.sqrt(ss);
  const alpha = x0 >= 0 ? -norm : norm;
  a[off] = x0 - alpha;
  let vtv = 0;
  for (let j = 0; j < len; j++) vtv += a[off + j] * a[off + j];
  lastAlpha = alpha;
  return 2 / vtv;
}

/** Panel width of the blocked QR: the trailing matrix is streamed once per QR_BLOCK columns. */
const QR_BLOCK = 32;

/**
 * Householder QR of a tall row-major m×n matrix (m ≥ n), in place; returns R (n×n, row-major,
 * upper triangular) as a fresh array. Q is not formed: this is the values-only path.
 *
 * Blocked (compact WY, Schreiber & Van Loan 1989): a panel of QR_BLOCK reflectors is factored,
 * then applied to the trailing columns at once as A₂ ← A₂ − V·Tᵀ·(VᵀA₂), so the large trailing
 * matrix is read and written twice per panel instead of twice per column — the unblocked
 * version is memory-bound on a 3072×768 matrix.
 */
export function qrR(a: Float64Array, m: number, n: number): Float64Array {
  const r = new Float64Array(n * n);
  const diag = new Float64Array(n);
  const nbMax = Math.min(QR_BLOCK, n);
  const vp = new Float64Array(m * nbMax); // panel reflectors, row-major m×nb (rows ≥ k0 used)
  const betas = new Float64Array(nbMax);
  const t = new Float64Array(nbMax * nbMax);
  const w = new Float64Array(nbMax * n);
  const tmp = new Float64Array(nbMax);
  for (let k0 = 0; k0 < n; k0 += nbMax) {
    const k1 = Math.min(k0 + nbMax, n);
    const nb = k1 - k0;
    // 1. Unblocked factorisation of the panel (columns k0..k1−1); rows are short (≤ nb entries).
    for (let k = k0; k < k1; k++) {
      const beta = houseColumn(a, m, n, k, k);
      const p = k - k0;
      betas[p] = beta;
      diag[k] = beta === 0 ? a[k * n + k] : lastAlpha;
      for (let i = k0; i < m; i++) vp[i * nbMax + p] = i < k ? 0 : a[i * n + k];
      if (beta === 0 || k + 1 >= k1) continue;
      tmp.fill(0);
      for (let i = k; i < m; i++) {
        const vi = a[i * n + k];
        if (vi === 0) continue;
        const ri = i * n;
        for (let j = k + 1; j < k1; j++) tmp[j - k0] += vi * a[ri + j];
      }
      for (let i = k; i < m; i++) {
        const f = beta * a[i * n + k];
        if (f === 0) continue;
        const ri = i * n;
        for (let j = k + 1; j < k1; j++) a[ri + j] -= f * tmp[j - k0];
      }
    }
    if (k1 < n) {
      // 2. T (nb×nb upper triangular) with H_{k0}…H_{k1−1} = I − V T Vᵀ:
      //    T[0:j, j] = −βⱼ T[0:j, 0:j] (V[:, 0:j]ᵀ vⱼ), T[j, j] = βⱼ.
      t.fill(0);
      for (let j = 0; j < nb; j++) {
        tmp.fill(0);
        for (let i = k0 + j; i < m; i++) {
          const vij = vp[i * nbMax + j];
          if (vij === 0) continue;
          const ro = i * nbMax;
          for (let q = 0; q < j; q++) tmp[q] += vp[ro + q] * vij;
        }
        for (let q = 0; q < j; q++) {
          let acc = 0;
          for (let l = q; l < j; l++) acc += t[q * nbMax + l] * tmp[l];
          t[q * nbMax + j] = -betas[j] * acc;
        }
        t[j * nbMax + j] = betas[j];
      }
      // 3. W = Vᵀ A₂ (nb × (n − k1)), one pass over the trailing rows.
      const c0 = k1;
      const nc = n - k1;
      w.fill(0, 0, nb * n);
      for (let i = k0; i < m; i++) {
        const ri = i * n + c0;
        const vo = i * nbMax;
        for (let p = 0; p < nb; p++) {
          const v = vp[vo + p];
          if (v === 0) continue;
          const wo = p * n;
          for (let j = 0; j < nc; j++) w[wo + j] += v * a[ri + j];
        }
      }
      // 4. W ← Tᵀ W in place (row p of TᵀW needs rows q ≤ p of W: go downwards).
      for (let p = nb - 1; p >= 0; p--) {
        const wo = p * n;
        const tpp = t[p * nbMax + p];
        for (let j = 0; j < nc; j++) w[wo + j] *= tpp;
        for (let q = 0; q < p; q++) {
          const tq = t[q * nbMax + p];
          if (tq === 0) continue;
          const qo = q * n;
          for (let j = 0; j < nc; j++) w[wo + j] += tq * w[qo + j];
        }
      }
      // 5. A₂ −= V W, one more pass.
      for (let i = k0; i < m; i++) {
        const ri = i * n + c0;
        const vo = i * nbMax;
        for (let p = 0; p < nb; p++) {
          const v = vp[vo + p];
          if (v === 0) continue;
          const wo = p * n;
          for (let j = 0; j < nc; j++) a[ri + j] -= v * w[wo + j];
        }
      }
    }
  }
  for (let k = 0; k < n; k++) {
    r[k * n + k] = diag[k];
    for (let j = k + 1; j < n; j++) r[k * n + j] = a[k * n + j];
  }
  return r;
}

/** Householder data of a bidiagonalisation A = U₁ B V₁ᵀ, vectors stored inside `a`. */
export interface Bidiagonal {
  readonly d: Float64Array;
  readonly e: Float64Array;
  readonly betaLeft: Float64Array;
  readonly betaRight: Float64Array;
}

/**
 * Householder bidiagonalisation of a tall row-major m×n matrix (m ≥ n ≥ 1), in place.
 * Left vector k lives in column k, rows k..m−1; right vector k lives in row k, columns k+1..n−1.
 */
export function bidiagonalize(a: Float64Array, m: number, n: number): Bidiagonal {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 1));
  const betaLeft = new Float64Array(n);
  const betaRight = new Float64Array(Math.max(n - 1, 1));
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const bl = houseColumn(a, m, n, k, k);
    betaLeft[k] = bl;
    d[k] = bl === 0 ? a[k * n + k] : lastAlpha;
    if (k + 1 >= n) break;
    const rk = k * n;
    // w = vᵀ A[k.., k+1..] (row axpys over contiguous rows).
    if (bl !== 0) {
      w.fill(0, k + 1);
      for (let i = k; i < m; i++) {
        const vi = a[i * n + k];
        if (vi === 0) continue;
        const ri = i * n;
        for (let j = k + 1; j < n; j++) w[j] += vi * a[ri + j];
      }
      // Row k first: the right reflector is built from it.
      const f = bl * a[rk + k];
      for (let j = k + 1; j < n; j++) a[rk + j] -= f * w[j];
    }
    let br = 0;
    if (k + 2 < n) {
      br = houseRow(a, rk + k + 1, n - k - 1);
      e[k] = br === 0 ? a[rk + k + 1] : lastAlpha;
    } else {
      e[k] = a[rk + k + 1];
    }
    betaRight[k] = br;
    // Fused pass over rows k+1..m−1: left update, then right update while the row is hot.
    for (let i = k + 1; i < m; i++) {
      const ri = i * n;
      if (bl !== 0) {
        const f = bl * a[ri + k];
        if (f !== 0) for (let j = k + 1; j < n; j++) a[ri + j] -= f * w[j];
      }
      if (br !== 0) {
        let t = 0;
        for (let j = k + 1; j < n; j++) t += a[ri + j] * a[rk + j];
        t *= br;
        if (t !== 0) for (let j = k + 1; j < n; j++) a[ri + j] -= t * a[rk + j];
      }
    }
  }
  return { d, e, betaLeft, betaRight };
}

/** Uᵀ (n×m, rows = left singular-vector estimates) from the left reflectors stored in `a`. */
export function formUT(a: Float64Array, m: number, n: number, betaLeft: Float64Array): Float64Array {
  // Backward accumulation of U = H₀…Hₙ₋₁ [Iₙ; 0] in row-major m×n, then transpose.
  const u = new Float64Array(m * n);
  for (let i = 0; i < n; i++) u[i * n + i] = 1;
  const w = new Float64Array(n);
  for (let k = n - 1; k >= 0; k--) {
    const beta = betaLeft[k];
    if (beta === 0) continue;
    w.fill(0, k);
    for (let i = k; i < m; i++) {
      const vi = a[i * n + k];
      if (vi === 0) continue;
      const ri = i * n;
      for (let j = k; j < n; j++) w[j] += vi * u[ri + j];
    }
    for (let i = k; i < m; i++) {
      const f = beta * a[i * n + k];
      if (f === 0) continue;
      const ri = i * n;
      for (let j = k; j < n; j++) u[ri + j] -= f * w[j];
    }
  }
  const ut = new Float64Array(n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) ut[j * m + i] = u[i * n + j];
  return ut;
}

/** Vᵀ (n×n, rows = right singular-vector estimates) from the right reflectors stored in `a`. */
export function formVT(a: Float64Array, n: number, betaRight: Float64Array): Float64Array {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const w = new Float64Array(n);
  for (let k = n - 3; k >= 0; k--) {
    const beta = betaRight[k];
    if (beta === 0) continue;
    const rk = k * n;
    w.fill(0, k + 1);
    for (let i = k + 1; i < n; i++) {
      const vi = a[rk + i];
      if (vi === 0) continue;
      const ri = i * n;
      for (let j = k + 1; j < n; j++) w[j] += vi * v[ri + j];
    }
    for (let i = k + 1; i < n; i++) {
      const f = beta * a[rk + i];
      if (f === 0) continue;
      const ri = i * n;
      for (let j = k + 1; j < n; j++) v[ri + j] -= f * w[j];
    }
  }
  // V is the product of symmetric reflectors applied as V = G₀…; transpose for row rotations.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const t = v[i * n + j];
      v[i * n + j] = v[j * n + i];
      v[j * n + i] = t;
    }
  }
  return v;
}

/** x[o1..] ← c·x[o1..] + s·x[o2..]; x[o2..] ← c·x[o2..] − s·x[o1..] (plane rotation of two rows). */
function rot(x: Float64Array, o1: number, o2: number, len: number, c: number, s: number): void {
  for (let j = 0; j < len; j++) {
    const u = x[o1 + j];
    const v = x[o2 + j];
    x[o1 + j] = c * u + s * v;
    x[o2 + j] = c * v - s * u;
  }
}

/**
 * Singular values of the upper-bidiagonal (d, e) by implicit-shift Golub–Kahan QR, in place:
 * on return d holds the singular values (unsorted, nonnegative). If given, the rotations are
 * applied to the rows of `ut` (n rows of length m) and `vt` (n rows of length n), and rows are
 * negated where a diagonal entry is made nonnegative.
 */
export function bidiagonalSVD(
  d: Float64Array,
  e: Float64Array,
  n: number,
  ut: Float64Array | undefined,
  m: number,
  vt: Float64Array | undefined,
): void {
  // Scale to ‖B‖max = 1 so that the squares in the shift can neither overflow nor underflow.
  let bnorm = 0;
  for (let i = 0; i < n; i++) bnorm = Math.max(bnorm, Math.abs(d[i]));
  for (let i = 0; i < n - 1; i++) bnorm = Math.max(bnorm, Math.abs(e[i]));
  if (bnorm === 0) return;
  const inv = 1 / bnorm;
  for (let i = 0; i < n; i++) d[i] *= inv;
  for (let i = 0; i < n - 1; i++) e[i] *= inv;
  const dTol = EPS; // negligible diagonal entry, relative to ‖B‖ = O(1) after scaling
  let hi = n - 1;
  let sweeps = 0;
  const maxSweeps = 100 * n;
  while (hi > 0) {
    if (Math.abs(e[hi - 1]) <= EPS * (Math.abs(d[hi - 1]) + Math.abs(d[hi]))) {
      e[hi - 1] = 0;
      hi--;
      continue;
    }
    let lo = hi - 1;
    while (lo > 0) {
      if (Math.abs(e[lo - 1]) <= EPS * (Math.abs(d[lo - 1]) + Math.abs(d[lo]))) {
        e[lo - 1] = 0;
        break;
      }
      lo--;
    }
    // A negligible diagonal entry: zero it and chase its off-diagonal neighbour out.
    let zeroAt = -1;
    for (let i = lo; i <= hi; i++) {
      if (Math.abs(d[i]) <= dTol) {
        zeroAt = i;
        break;
      }
    }
    if (zeroAt >= 0) {
      const i = zeroAt;
      d[i] = 0;
      if (i < hi) {
        // Left rotations on rows (j, i) push e[i] along row i until it falls off the block.
        let x = e[i];
        e[i] = 0;
        for (let j = i + 1; j <= hi; j++) {
          const r = Math.hypot(d[j], x);
          const c = d[j] / r;
          const s = x / r;
          d[j] = r;
          if (ut) rot(ut, j * m, i * m, m, c, s);
          if (j < hi) {
            x = -s * e[j];
            e[j] = c * e[j];
          }
        }
      } else {
        // d[hi] = 0: right rotations on columns (j, hi) push e[hi−1] up column hi.
        let x = e[hi - 1];
        e[hi - 1] = 0;
        for (let j = hi - 1; j >= lo; j--) {
          const r = Math.hypot(d[j], x);
          const c = d[j] / r;
          const s = x / r;
          d[j] = r;
          if (vt) rot(vt, j * n, hi * n, n, c, s);
          if (j > lo) {
            x = -s * e[j - 1];
            e[j - 1] = c * e[j - 1];
          }
        }
      }
      continue;
    }
    if (++sweeps > maxSweeps) {
      // Never observed; guards against an endless loop rather than returning a wrong number.
      throw new OckhamError('UNSUPPORTED', 'matrix', 'bidiagonal QR iteration did not converge');
    }
    // Shift: eigenvalue of the trailing 2×2 of BᵀB closer to its last diagonal entry.
    const dm = d[hi - 1];
    const em = e[hi - 1];
    const dn = d[hi];
    const ep = hi - 1 > lo ? e[hi - 2] : 0;
    const a11 = dm * dm + ep * ep;
    const a12 = dm * em;
    const a22 = dn * dn + em * em;
    const delta = 0.5 * (a11 - a22);
    const rr = Math.hypot(delta, a12);
    const den = delta + (delta >= 0 ? rr : -rr);
    const mu = den === 0 ? a22 : a22 - (a12 * a12) / den;
    let y = d[lo] * d[lo] - mu;
    let z = d[lo] * e[lo];
    for (let k = lo; k < hi; k++) {
      let r = Math.hypot(y, z);
      let c = 1;
      let s = 0;
      if (r !== 0) {
        c = y / r;
        s = z / r;
      }
      if (k > lo) e[k - 1] = r;
      const dk = d[k];
      const ek = e[k];
      const dk1 = d[k + 1];
      const f = c * dk + s * ek;
      const g = c * ek - s * dk;
      const bulge = s * dk1;
      const h = c * dk1;
      if (vt) rot(vt, k * n, (k + 1) * n, n, c, s);
      r = Math.hypot(f, bulge);
      c = 1;
      s = 0;
      if (r !== 0) {
        c = f / r;
        s = bulge / r;
      }
      d[k] = r;
      e[k] = c * g + s * h;
      d[k + 1] = c * h - s * g;
      if (ut) rot(ut, k * m, (k + 1) * m, m, c, s);
      if (k < hi - 1) {
        y = e[k];
        z = s * e[k + 1];
        e[k + 1] *= c;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    if (d[i] < 0) {
      d[i] = -d[i];
      if (vt) for (let j = 0; j < n; j++) vt[i * n + j] = -vt[i * n + j];
    }
    d[i] *= bnorm;
  }
}

/** Working copy of a row-major m×n matrix, transposed when m < n so the result is tall. */
export function tallCopy(x: ArrayLike<number>, m: number, n: number): { a: Float64Array; rows: number; cols: number; transposed: boolean } {
  if (m >= n) {
    const a = new Float64Array(m * n);
    for (let i = 0; i < a.length; i++) a[i] = x[i];
    return { a, rows: m, cols: n, transposed: false };
  }
  const a = new Float64Array(m * n);
  // Blocked transpose keeps both reads and writes within a few cache lines.
  const B = 32;
  for (let i0 = 0; i0 < m; i0 += B) {
    const i1 = Math.min(i0 + B, m);
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = Math.min(j0 + B, n);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) a[j * m + i] = x[i * n + j];
    }
  }
  return { a, rows: n, cols: m, transposed: true };
}

/** Sorts descending in place; returns the permutation (order[j] = old index of new j). */
export function sortDescending(s: Float64Array): Int32Array {
  const k = s.length;
  const order = new Int32Array(k);
  for (let i = 0; i < k; i++) order[i] = i;
  let sorted = true;
  for (let i = 1; i < k; i++) if (s[i] > s[i - 1]) sorted = false;
  if (!sorted) {
    const idx = Array.from(order);
    idx.sort((p, q) => s[q] - s[p]);
    const copy = s.slice();
    for (let i = 0; i < k; i++) {
      order[i] = idx[i];
      s[i] = copy[idx[i]];
    }
  }
  return order;
}

/**
 * Long/short side ratio from which the values-only path QR-factors first. Flop counts alone give
 * 5/3 (Chan 1982); the blocked QR runs mostly in matrix–matrix products while half of the
 * bidiagonalisation stays matrix–vector, which moves the measured crossover lower.
 */
const QR_FIRST_RATIO = 1.4;

/**
 * Singular values (descending) of a row-major m×n matrix; trusts its input.
 *
 * Column storage of the tall orientation (./qr-blocked.ts) → blocked Householder QR when the
 * matrix is far from square (./qr-blocked.ts) → blocked bidiagonalisation (./bidiag-blocked.ts)
 * → implicit-shift QR on the bidiagonal ({@link bidiagonalSVD}).
 */
export function singularValuesKernel(x: ArrayLike<number>, m: number, n: number): Float64Array {
  const L = Math.max(m, n);
  const N = Math.min(m, n);
  // Every array the GEMM kernels touch lives in one fresh WebAssembly memory when wasm SIMD is
  // available (./wasm-gemm.ts); small problems (and the unblocked path) use plain arrays.
  const blocked = !(N <= 32 && L < QR_FIRST_RATIO * N);
  const arena = wasmArena(blocked ? m * n + N * N + 100 * (L + N) + 2048 : 0);
  try {
    return singularValuesIn(x, m, n, arena.f64);
  } finally {
    arena.release();
  }
}

function singularValuesIn(x: ArrayLike<number>, m: number, n: number, alloc: (len: number) => Float64Array): Float64Array {
  const { c, ld, cols } = columnStorage(x, m, n, alloc);
  // Power-of-two scaling (exact) into [2^-300, 2^300] so that no dot product or norm in the
  // reductions can overflow or lose digits to underflow; σ are scaled back at the end.
  let amax = 0;
  for (let i = 0; i < c.length; i++) {
    const v = Math.abs(c[i]);
    if (v > amax) amax = v;
  }
  let expo = 0;
  if (amax > 2 ** 300 || (amax < 2 ** -300 && amax > 0)) {
    expo = Math.round(Math.log2(amax));
    scalePow2(c, -expo);
  }
  let a = c;
  let rows = ld;
  if (cols <= 32 && ld < QR_FIRST_RATIO * cols) {
    // One panel or less: blocking buys nothing, so the (older, row-major) unblocked reduction is
    // used. Both are backward stable; they differ only in round-off, and some callers' exact-tie
    // behaviour at small sizes (cumulative σ sums within half an ulp) was tested against this one.
    const t = new Float64Array(ld * cols);
    for (let j = 0; j < cols; j++) for (let i = 0; i < ld; i++) t[i * cols + j] = c[j * ld + i];
    const b = bidiagonalize(t, ld, cols);
    bidiagonalSVD(b.d, b.e, cols, undefined, ld, undefined);
    sortDescending(b.d);
    if (expo !== 0) scalePow2(b.d, expo);
    return b.d;
  }
  if (ld >= QR_FIRST_RATIO * cols && cols > 1) {
    a = qrRTransposed(c, ld, cols, alloc); // R in column storage (row j of Rᵀ = column j of R)
    rows = cols;
  }
  const { d, e } = bidiagonalizeColumns(a, rows, cols, alloc);
  bidiagonalSVD(d, e, cols, undefined, rows, undefined);
  sortDescending(d);
  if (expo !== 0) scalePow2(d, expo);
  return d;
}

/** x ← x·2^k, exactly (in steps of at most 2^±1000 so the factor itself is representable). */
function scalePow2(x: Float64Array, k: number): void {
  while (k !== 0) {
    const step = Math.max(-1000, Math.min(1000, k));
    const f = 2 ** step;
    for (let i = 0; i < x.length; i++) x[i] *= f;
    k -= step;
  }
}

/** Thin SVD factors of a row-major m×n matrix; trusts its input. */
export interface SvdFactors {
  /** m×k row-major, orthonormal columns. */
  readonly U: Float64Array;
  /** k singular values, descending. */
  readonly S: Float64Array;
  /** k×n row-major, orthonormal rows (Vᵀ). */
  readonly Vt: Float64Array;
  readonly m: number;
  readonly n: number;
  /** k = min(m, n). */
  readonly k: number;
}

export function svdKernel(x: ArrayLike<number>, m: number, n: number): SvdFactors {
  const t = tallCopy(x, m, n);
  const rows = t.rows;
  const cols = t.cols;
  const bd = bidiagonalize(t.a, rows, cols);
  const ut = formUT(t.a, rows, cols, bd.betaLeft);
  const vt = formVT(t.a, cols, bd.betaRight);
  bidiagonalSVD(bd.d, bd.e, cols, ut, rows, vt);
  const s = bd.d;
  const order = sortDescending(s);
  const k = cols;
  // Tall factors: Ub (rows×k) with columns = rows of ut; Vb (k×k) with rows = rows of vt.
  if (!t.transposed) {
    const U = new Float64Array(m * k);
    for (let j = 0; j < k; j++) {
      const src = order[j] * m;
      for (let i = 0; i < m; i++) U[i * k + j] = ut[src + i];
    }
    const Vt = new Float64Array(k * n);
    for (let j = 0; j < k; j++) Vt.set(vt.subarray(order[j] * n, order[j] * n + n), j * n);
    return { U, S: s, Vt, m, n, k };
  }
  // We decomposed Aᵀ = Ub S Vbᵀ, so A = Vb S Ubᵀ: U = Vb (m×k), Vt = Ubᵀ (k×n).
  const U = new Float64Array(m * k);
  for (let j = 0; j < k; j++) {
    const src = order[j] * k;
    for (let i = 0; i < m; i++) U[i * k + j] = vt[src + i];
  }
  const Vt = new Float64Array(k * n);
  for (let j = 0; j < k; j++) Vt.set(ut.subarray(order[j] * n, order[j] * n + n), j * n);
  return { U, S: s, Vt, m, n, k };
}
