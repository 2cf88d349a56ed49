/**
 * Singular values by the Gram route: σᵢ² = λᵢ(G) with G the smaller of A·Aᵀ and Aᵀ·A.
 *
 *   1. G (k×k, k = min(m, n)) by one symmetric rank-L update (SYRK; L = max(m, n)), lower
 *      triangle only, in the WebAssembly SIMD dot kernel of ./wasm-gemm.ts: A is streamed once in
 *      panels of PANEL columns converted to float64 (exact for float32 input) and scaled by a
 *      power of two, so G cannot overflow or underflow;
 *   2. blocked Householder tridiagonalisation of G (LAPACK's dsytrd / dlatrd scheme: per panel
 *      of NB columns, one lower-triangle matrix–vector product per column — ./wasm-gemm.ts
 *      `symv`, each stored element read once — then one rank-2·NB update of the trailing lower
 *      triangle in the SIMD update kernel);
 *   3. implicit-shift symmetric QR on the tridiagonal, values only (./symmetric-eigen.ts).
 * About half the flops of the QR + bidiagonal route, and most of them in matrix–matrix kernels;
 * this is also what weightwatcher computes for its ESD (eigenvalues of WᵀW).
 *
 * Accuracy: the computed λᵢ carry an absolute error of order ε·λ₁ (ε = 2^−52; the SYRK adds
 * ~L·ε·λ₁ in the worst case), so σᵢ = √λᵢ has an absolute error ~ε·σ₁²/σᵢ: large σ are as
 * accurate as the SVD's, σᵢ below ≈ √(L·ε)·σ₁ are noise. Those — and the slightly negative λ
 * that round-off produces — are returned as exactly 0 (the "noise floor" λᵢ ≤ L·ε·λ₁). Callers
 * who need small σ, or U and V, use the bidiagonal SVD (`method: 'svd'`).
 */
import { activeGemm, wasmArena } from './wasm-gemm.js';
import { columnCombine, columnDots, panelUpdate } from './gemm.js';
import { tridiagonalQR } from './symmetric-eigen.js';

const EPS = 2.220446049250313e-16;
/** Components of the Gram vectors converted per SYRK panel (the update kernel's reduction length). */
const PANEL = 128;
/** Gram rows per SYRK row block: the block's panel rows (ROW_BLOCK × PANEL doubles, 64 KiB) stay in L2. */
const ROW_BLOCK = 64;
/** Panel width of the blocked tridiagonalisation. */
const NB = 32;
/** Column strip width of the trailing lower-triangle update. */
const STRIP = 64;

/** x·2^k, exactly (two factors, so |k| up to 2098 stays representable). */
function timesPow2(x: number, k: number): number {
  const h = Math.trunc(k / 2);
  return x * 2 ** h * 2 ** (k - h);
}

/**
 * σ of a row-major m×n matrix by the Gram route, descending; trusts its input (finite).
 * σ below the noise floor √(max(m, n)·ε)·σ₁ are 0.
 */
export function gramSingularValues(x: ArrayLike<number>, m: number, n: number): Float64Array {
  const k = Math.min(m, n);
  const L = Math.max(m, n);
  let amax = 0;
  for (let i = 0; i < m * n; i++) {
    const v = Math.abs(x[i]);
    if (v > amax) amax = v;
  }
  const out = new Float64Array(k);
  if (amax === 0) return out;
  // Scale so the largest |entry| is in [1, 2): G's entries are then ≤ L, its smallest nonzero
  // products far above the underflow threshold for any finite double input.
  const expo = Math.floor(Math.log2(amax));
  const ld = (k + 7) & ~7;
  const panel = Math.min(PANEL, L);
  const arena = wasmArena(ld * ld + ld * panel + 4 * NB * ld + 8 * ld + 8 * NB + 256, 1 << 14);
  try {
    const g = arena.f64(ld * ld);
    syrk(x, m, n, k, L, ld, panel, expo, g, arena.f64(ld * panel));
    const d = new Float64Array(k);
    const e = new Float64Array(Math.max(k - 1, 1));
    tridiagonalizeLower(g, k, ld, d, e, arena.f64);
    tridiagonalQR(d, e, k, undefined);
    // The SYRK formed −G: its eigenvalues are −λ.
    for (let i = 0; i < k; i++) d[i] = -d[i];
    d.sort();
    // d ascending: λ₁ = d[k − 1].
    const lmax = d[k - 1];
    const floor = L * EPS * lmax;
    for (let i = 0; i < k; i++) {
      const lam = d[k - 1 - i];
      out[i] = lam > floor ? timesPow2(Math.sqrt(lam), expo) : 0;
    }
    return out;
  } finally {
    arena.release();
  }
}

/**
 * G ← −(lower triangle of (2^−expo·A)(2^−expo·A)ᵀ) (k = m ≤ n) or of its Aᵀ·A counterpart, in
 * column storage with leading dimension ld (G(r, c) at c·ld + r, r ≥ c; entries above are
 * scratch). Negated because the SIMD update kernel subtracts: G −= Pᵀ·P per panel, with the panel
 * P stored t-major (P[t·ld + c] = component t of Gram vector c), which is exactly the compact-WY
 * trailing update A −= V·Z of ./gemm.ts with V = Z = P — the kernel that runs fastest here
 * (all of a 2-column × 8-row tile accumulated in registers over the panel).
 */
function syrk(
  x: ArrayLike<number>,
  m: number,
  n: number,
  k: number,
  L: number,
  ld: number,
  panel: number,
  expo: number,
  g: Float64Array,
  p: Float64Array,
): void {
  // x·2^−expo as x·f1·f2 (exact; one factor alone overflows for subnormal amax).
  const h = Math.trunc(-expo / 2);
  const f1 = 2 ** h;
  const f2 = 2 ** (-expo - h);
  const rb = ROW_BLOCK;
  for (let t0 = 0; t0 < L; t0 += panel) {
    const tw = Math.min(panel, L - t0);
    if (k === m) {
      // Vectors are rows of A: a transposing copy of the (k × tw) block.
      for (let c = 0; c < k; c++) {
        const src = c * n + t0;
        for (let t = 0; t < tw; t++) p[t * ld + c] = x[src + t] * f1 * f2;
      }
    } else {
      // Vectors are columns of A: rows of A are contiguous panel rows.
      for (let t = 0; t < tw; t++) {
        const src = (t0 + t) * n;
        const dst = t * ld;
        for (let c = 0; c < k; c++) p[dst + c] = x[src + c] * f1 * f2;
      }
    }
    // Lower triangle by row blocks: rows [r0, r1) need columns [0, r1).
    for (let r0 = 0; r0 < k; r0 += rb) {
      const r1 = Math.min(r0 + rb, k);
      panelUpdate(p, 0, g, 0, ld, r0, r1, tw, r1, p, ld);
    }
  }
}

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
