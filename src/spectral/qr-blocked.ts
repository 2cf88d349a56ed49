/**
 * Blocked Householder QR on column storage (every column of the tall matrix contiguous), the
 * values-only pre-reduction of strongly rectangular matrices (Chan 1982): σ(A) = σ(R).
 *
 * Compact WY (Schreiber & Van Loan 1989; Golub & Van Loan §5.2.3): the reflectors H₀…H_{nb−1} of
 * one panel satisfy H₀⋯H_{nb−1} = I − V·T·Vᵀ with T upper triangular, so the trailing matrix is
 * updated by two matrix–matrix products, A₂ ← A₂ − V·(Tᵀ·(Vᵀ·A₂)), run by the register-blocked
 * kernels of ./gemm.ts. Column storage makes every Householder vector, every panel column and
 * every inner loop of those kernels a contiguous walk.
 * Work arrays come from `alloc` (a WebAssembly arena, so the GEMMs run in SIMD; ./wasm-gemm.ts).
 * Kernels trust their inputs (validated at the public boundary) and overwrite their work arrays.
 */
import { columnDots, columnRank1, panelDots, panelUpdate } from './gemm.js';

/** Columns per panel: V (nb columns of the long dimension) stays within L2 for L ≤ ~4k. */
const NB = 32;

/**
 * Column storage of the tall orientation of a row-major m×n matrix: `ld` = max(m, n) is the
 * column length, `cols` = min(m, n) the column count, column c at offset c·ld.
 * A wide matrix is stored as its transpose (same σ), whose columns are the rows of x: a plain copy.
 */
export function columnStorage(
  x: ArrayLike<number>,
  m: number,
  n: number,
  alloc: (len: number) => Float64Array = (len) => new Float64Array(len),
): { c: Float64Array; ld: number; cols: number } {
  const c = alloc(m * n);
  if (m < n) {
    if (ArrayBuffer.isView(x)) c.set(x as Float64Array | Float32Array);
    else for (let i = 0; i < c.length; i++) c[i] = x[i];
    return { c, ld: n, cols: m };
  }
  // Tall: column j of x becomes contiguous; blocked transpose keeps reads and writes local.
  const B = 32;
  for (let i0 = 0; i0 < m; i0 += B) {
    const i1 = Math.min(i0 + B, m);
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = Math.min(j0 + B, n);
      for (let j = j0; j < j1; j++) {
        const o = j * m;
        for (let i = i0; i < i1; i++) c[o + i] = x[i * n + j];
      }
    }
  }
  return { c, ld: m, cols: n };
}

/**
 * Householder QR of the L×N matrix in column storage `c` (L ≥ N ≥ 1), in place. Returns Rᵀ as a
 * row-major N×N lower-triangular array (row j of Rᵀ = column j of R, a contiguous copy), which
 * has the singular values of the input. Q is not formed.
 */
export function qrRTransposed(
  c: Float64Array,
  L: number,
  N: number,
  alloc: (len: number) => Float64Array = (len) => new Float64Array(len),
): Float64Array {
  const nbMax = Math.min(NB, N);
  const diag = new Float64Array(N);
  const vp = alloc(nbMax * L); // panel reflectors, column storage, zeros above row k
  const betas = new Float64Array(nbMax);
  const s = alloc(nbMax * nbMax); // VᵀV
  const t = new Float64Array(nbMax * nbMax);
  const w = alloc(nbMax * N);
  const tmp = new Float64Array(nbMax);
  const pd = alloc(N); // βₖ·vₖᵀ·(panel column j) at index j
  for (let k0 = 0; k0 < N; k0 += nbMax) {
    const k1 = Math.min(k0 + nbMax, N);
    const nb = k1 - k0;
    // 1. Unblocked factorisation of the panel: contiguous dot + axpy per (reflector, column).
    for (let k = k0; k < k1; k++) {
      const ck = k * L;
      let scale = 0;
      for (let i = k; i < L; i++) scale += Math.abs(c[ck + i]);
      let beta = 0;
      if (scale === 0) {
        diag[k] = 0;
      } else {
        // ‖x‖ through x/scale: no overflow or harmful underflow for any finite input.
        const inv = 1 / scale;
        let ss = 0;
        for (let i = k; i < L; i++) {
          const q = c[ck + i] * inv;
          ss += q * q;
        }
        const x0 = c[ck + k];
        const norm = scale * Math.sqrt(ss);
        const alpha = x0 >= 0 ? -norm : norm;
        // v = (x − αe₁)/v₀ (first entry 1, LAPACK dlarfg convention): β = 2/vᵀv ∈ [1, 2] stays
        // representable for columns of any magnitude; vᵀv is summed from the stored vector.
        const v0 = x0 - alpha;
        c[ck + k] = 1;
        let vtv = 1;
        if (Math.abs(v0) >= 2 ** -1000) {
          const r = 1 / v0;
          for (let i = k + 1; i < L; i++) {
            const q = c[ck + i] * r;
            c[ck + i] = q;
            vtv += q * q;
          }
        } else {
          for (let i = k + 1; i < L; i++) {
            const q = c[ck + i] / v0;
            c[ck + i] = q;
            vtv += q * q;
          }
        }
        beta = 2 / vtv;
        diag[k] = alpha;
      }
      const p = k - k0;
      betas[p] = beta;
      const po = p * L;
      for (let i = k0; i < k; i++) vp[po + i] = 0;
      if (beta === 0) {
        for (let i = k; i < L; i++) vp[po + i] = 0;
        diag[k] = c[ck + k];
        continue;
      }
      for (let i = k; i < L; i++) vp[po + i] = c[ck + i];
      // Apply H_k to the panel's remaining columns: dots, then one rank-1 update (level 2,
      // four columns per pass; wasm SIMD inside the arena).
      if (k + 1 < k1) {
        columnDots(c, L, k, L, k + 1, k1, c, ck, pd, 0);
        for (let j = k + 1; j < k1; j++) pd[j] *= beta;
        columnRank1(c, L, k, L, k + 1, k1, c, ck, pd, 0);
      }
    }
    if (k1 >= N) break;
    // 2. T (nb×nb, upper triangular): T[j][j] = βⱼ, T[0:j, j] = −βⱼ·T[0:j, 0:j]·(V[:, 0:j]ᵀ vⱼ).
    panelDots(vp, 0, vp, 0, L, k0, L, nb, nb, s, nbMax);
    t.fill(0);
    for (let j = 0; j < nb; j++) {
      for (let q = 0; q < j; q++) tmp[q] = s[q * nbMax + j];
      for (let q = 0; q < j; q++) {
        let acc = 0;
        for (let l = q; l < j; l++) acc += t[q * nbMax + l] * tmp[l];
        t[q * nbMax + j] = -betas[j] * acc;
      }
      t[j * nbMax + j] = betas[j];
    }
    // 3. W = Vᵀ·A₂ (nb × nc), then W ← Tᵀ·W in place (row p needs rows q ≤ p: go downwards),
    //    then A₂ ← A₂ − V·W: (H₀⋯H_{nb−1})ᵀ A₂ = A₂ − V Tᵀ Vᵀ A₂.
    const nc = N - k1;
    const ao = k1 * L;
    panelDots(vp, 0, c, ao, L, k0, L, nb, nc, w, nc);
    for (let p = nb - 1; p >= 0; p--) {
      const wo = p * nc;
      const tpp = t[p * nbMax + p];
      for (let j = 0; j < nc; j++) w[wo + j] *= tpp;
      for (let q = 0; q < p; q++) {
        const tq = t[q * nbMax + p];
        if (tq === 0) continue;
        const qo = q * nc;
        for (let j = 0; j < nc; j++) w[wo + j] += tq * w[qo + j];
      }
    }
    panelUpdate(vp, 0, c, ao, L, k0, L, nb, nc, w, nc);
  }
  const rt = alloc(N * N);
  for (let j = 0; j < N; j++) {
    const cj = j * L;
    const rj = j * N;
    for (let i = 0; i < j; i++) rt[rj + i] = c[cj + i];
    rt[rj + j] = diag[j];
  }
  return rt;
}
