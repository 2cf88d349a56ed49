/**
 * Blocked Householder tridiagonalisation of a symmetric matrix stored as its lower triangle in
 * column storage (LAPACK's dsytrd / dlatrd scheme), for eigenvalues only: used by the Gram route
 * (./gram.ts) and by `symmetricEigen` without vectors (./symmetric-eigen.ts).
 */
import { activeGemm } from './wasm-gemm.js';
import { columnCombine, columnDots, panelUpdate } from './gemm.js';

/** Panel width of the blocked tridiagonalisation. */
export const NB = 32;
/** Column strip width of the trailing lower-triangle update. */
const STRIP = 64;

/** y[r] += Σ A(r, c)·x[c] over the lower-stored block rows/columns s..n−1 (see wasm `symv`). */
function symvLower(a: Float64Array, ld: number, s: number, n: number, x: Float64Array, xo: number, y: Float64Array): void {
  const gemm = activeGemm;
  if (gemm !== null && a.buffer === gemm.buffer && x.buffer === gemm.buffer && y.buffer === gemm.buffer) {
    gemm.symv(a.byteOffset, ld, s, n, x.byteOffset + 8 * xo, y.byteOffset, n, 0, 0);
    return;
  }
  for (let c = s; c < n; c++) {
    const col = c * ld;
    const xc = x[xo + c];
    let acc = a[col + c] * xc;
    for (let r = c + 1; r < n; r++) {
      const v = a[col + r];
      acc += v * x[xo + r];
      y[r] += v * xc;
    }
    y[c] += acc;
  }
}

/**
 * Blocked Householder tridiagonalisation of the symmetric n×n matrix whose lower triangle `a`
 * holds in column storage (leading dimension ld ≥ n, a multiple of 8): T = QᵀAQ with diagonal d
 * and off-diagonal e (Golub & Van Loan Alg. 8.3.1, blocked as LAPACK dsytrd/dlatrd). Overwrites a.
 */
export function tridiagonalizeLower(
  a: Float64Array,
  n: number,
  ld: number,
  d: Float64Array,
  e: Float64Array,
  alloc: (len: number) => Float64Array,
): void {
  // VW: columns V₀..V_{NB−1}, W₀..W_{NB−1}; WV: W₀.., V₀.. — so A −= V·Wᵀ + W·Vᵀ is one
  // rank-2·NB update A −= VW·WVᵀ.
  const vw = alloc(2 * NB * ld);
  const wv = alloc(2 * NB * ld);
  const y = alloc(ld);
  const dots = alloc(2 * NB);
  const coef = alloc(2 * NB);
  for (let k0 = 0; k0 < n - 2; k0 += NB) {
    const k1 = Math.min(k0 + NB, n - 2);
    vw.fill(0);
    for (let i = k0; i < k1; i++) {
      const p = i - k0;
      const col = i * ld;
      // Column i (rows i..n−1) ← updated by this panel's earlier reflectors.
      if (p > 0) {
        for (let q = 0; q < p; q++) {
          coef[q] = -vw[(NB + q) * ld + i]; // −W_q[i] multiplies V_q
          coef[NB + q] = -vw[q * ld + i]; // −V_q[i] multiplies W_q
        }
        columnCombine(vw, ld, i, n, 0, p, coef, 0, a, col);
        columnCombine(vw, ld, i, n, NB, NB + p, coef, 0, a, col);
      }
      d[i] = a[col + i];
      // Householder vector of x = A[i+1.., i]: v = x − αe₁, α = −sign(x₀)‖x‖, β = 2/vᵀv.
      const s = i + 1;
      let scale = 0;
      for (let r = s; r < n; r++) scale = Math.max(scale, Math.abs(a[col + r]));
      const vo = p * ld;
      const wo = (NB + p) * ld;
      if (scale === 0) {
        e[i] = 0;
        continue; // H = I: V_p = W_p = 0
      }
      let ss = 0;
      for (let r = s; r < n; r++) {
        const t = a[col + r] / scale;
        ss += t * t;
      }
      const x0 = a[col + s];
      const norm = scale * Math.sqrt(ss);
      const alpha = x0 >= 0 ? -norm : norm;
      e[i] = alpha;
      vw[vo + s] = x0 - alpha;
      for (let r = s + 1; r < n; r++) vw[vo + r] = a[col + r];
      let vtv = 0;
      for (let r = s; r < n; r++) vtv += vw[vo + r] * vw[vo + r];
      const beta = 2 / vtv;
      // y = A22·v − V(Wᵀv) − W(Vᵀv) over rows s..n−1.
      y.fill(0);
      symvLower(a, ld, s, n, vw, vo, y);
      if (p > 0) {
        columnDots(vw, ld, s, n, 0, p, vw, vo, dots, 0);
        columnDots(vw, ld, s, n, NB, NB + p, vw, vo, dots, 0);
        for (let q = 0; q < p; q++) {
          coef[q] = -dots[NB + q];
          coef[NB + q] = -dots[q];
        }
        columnCombine(vw, ld, s, n, 0, p, coef, 0, y, 0);
        columnCombine(vw, ld, s, n, NB, NB + p, coef, 0, y, 0);
      }
      // w = βy − (β/2)(βyᵀv)v.
      let wv0 = 0;
      for (let r = s; r < n; r++) wv0 += y[r] * vw[vo + r];
      const kappa = 0.5 * beta * beta * wv0;
      for (let r = s; r < n; r++) vw[wo + r] = beta * y[r] - kappa * vw[vo + r];
    }
    // Trailing lower triangle (columns ≥ k1): A −= VW·WVᵀ, in column strips from the diagonal.
    const nb = k1 - k0;
    for (let q = 0; q < nb; q++) {
      wv.set(vw.subarray((NB + q) * ld, (NB + q + 1) * ld), q * ld);
      wv.set(vw.subarray(q * ld, (q + 1) * ld), (NB + q) * ld);
    }
    if (nb < NB) {
      // Short last panel: pack the W columns right after the V columns.
      for (let q = 0; q < nb; q++) {
        vw.copyWithin((nb + q) * ld, (NB + q) * ld, (NB + q + 1) * ld);
        wv.copyWithin((nb + q) * ld, (NB + q) * ld, (NB + q + 1) * ld);
      }
    }
    for (let c0 = k1; c0 < n; c0 += STRIP) {
      const c1 = Math.min(c0 + STRIP, n);
      panelUpdate(vw, 0, a, c0 * ld, ld, c0, n, 2 * nb, c1 - c0, wv.subarray(c0), ld);
    }
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * ld + n - 2];
    e[n - 2] = a[(n - 2) * ld + n - 1];
  }
  d[n - 1] = a[(n - 1) * ld + n - 1];
}
