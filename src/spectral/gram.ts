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
import { panelUpdate } from './gemm.js';
import { tridiagonalQR } from './symmetric-eigen.js';
import { tridiagonalizeLower } from './tridiag-blocked.js';

const EPS = 2.220446049250313e-16;
/** Components of the Gram vectors converted per SYRK panel (the update kernel's reduction length). */
const PANEL = 128;
/** Gram rows per SYRK row block: the block's panel rows (ROW_BLOCK × PANEL doubles, 64 KiB) stay in L2. */
const ROW_BLOCK = 64;
/** Vectors per packed panel block of the SIMD SYRK (64 KiB per block at PANEL = 128). */
const BLK = 64;
/** Panel width of the blocked tridiagonalisation (./tridiag-blocked.ts), for the arena size. */
const NB = 32;

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
  const ldb = (k + BLK - 1) & ~(BLK - 1);
  const arena = wasmArena(ld * ld + ldb * panel + 4 * NB * ld + 8 * ld + 8 * NB + 256, 1 << 14);
  try {
    const g = arena.f64(ld * ld);
    syrk(x, m, n, k, L, ld, panel, expo, g, arena.f64(ldb * panel));
    const d = new Float64Array(k);
    const e = new Float64Array(Math.max(k - 1, 1));
    tridiagonalizeLower(g, k, ld, d, e, arena.f64);
    tridiagonalQR(d, e, k, undefined, true);
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
  const gemm = activeGemm;
  if (gemm !== null && g.buffer === gemm.buffer && p.buffer === gemm.buffer) {
    // SIMD: the panel packed in blocks of BLK vectors, t-major inside a block (element (t, c) at
    // (c >> 6)·BLK·panel + t·BLK + (c & 63)), so both operands of every kernel call step through
    // one 64 KiB block (stride 512 B per t) instead of striding by the whole Gram dimension
    // (which measured ~1.5× slower: a page per t). One call per (row block, column block ≤ it).
    const pb = p.byteOffset;
    const gb = g.byteOffset;
    const bs = BLK * panel;
    for (let t0 = 0; t0 < L; t0 += panel) {
      const tw = Math.min(panel, L - t0);
      if (k === m) {
        for (let c = 0; c < k; c++) {
          const src = c * n + t0;
          const dst = (c >>> 6) * bs + (c & 63);
          for (let t = 0; t < tw; t++) p[dst + t * BLK] = x[src + t] * f1 * f2;
        }
      } else {
        for (let t = 0; t < tw; t++) {
          const src = (t0 + t) * n;
          const dst = t * BLK;
          for (let c = 0; c < k; c++) p[(c >>> 6) * bs + dst + (c & 63)] = x[src + c] * f1 * f2;
        }
      }
      for (let r0 = 0, rb = 0; r0 < ld; r0 += BLK, rb++) {
        const r1 = Math.min(r0 + BLK, ld);
        for (let c0 = 0, cb = 0; c0 < r1; c0 += BLK, cb++) {
          const nc = Math.min(BLK, r1 - c0);
          gemm.update8s(pb + 8 * (rb * bs - r0), gb + 8 * c0 * ld, pb + 8 * cb * bs, ld, r0, r1, tw, nc, BLK | (BLK << 16));
        }
      }
    }
    return;
  }
  // Plain arrays (no WebAssembly SIMD): the t-major panel and the JS update kernel.
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

