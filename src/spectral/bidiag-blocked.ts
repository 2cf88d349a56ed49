/**
 * Blocked Householder bidiagonalisation A = Q·B·Pᵀ (B upper bidiagonal) of a tall matrix in
 * column storage, after LAPACK's dgebrd/dlabrd (Dongarra, Hammarling & Sorensen 1989; Golub &
 * Van Loan §5.4.8): a panel of nb left/right reflector pairs is built while accumulating
 * X (m×nb) and Y (n×nb) such that the panel's transformations of the trailing matrix equal
 *   A₂ ← A₂ − V·Yᵀ − X·Uᵀ
 * (V, U = left, right Householder vectors). Half the flops (the two matrix–vector products with the
 * trailing matrix per step) stay level-2, the other half become one matrix–matrix product per panel
 * run by the register-blocked kernel of ./gemm.ts with [V X] and [Y U] as one 2nb-wide operand.
 *
 * Conventions: column storage (column j of the m×n matrix at offset j·m, contiguous), so every
 * Householder column, matrix–vector product and GEMM inner loop walks contiguous memory; only the
 * O(n) row reflector per step is strided. Householder vectors are stored with their first entry 1
 * written explicitly (see {@link house}); left vector k in column k rows k..m−1, right vector k in
 * row k columns k+1..n−1.
 * Kernels trust their inputs (validated at the public boundary) and overwrite `a`.
 */
import { columnCombine, columnDots, panelUpdate } from './gemm.js';

/** Reflector pairs per panel. */
const NB = 32;

/** Output of {@link bidiagonalizeColumns}: B = diag(d) + superdiag(e). */
export interface BidiagonalColumns {
  readonly d: Float64Array;
  readonly e: Float64Array;
  readonly betaLeft: Float64Array;
  readonly betaRight: Float64Array;
}

/**
 * Householder vector for the contiguous x = a[o..o+len−1], in place (LAPACK dlarfg convention):
 * v = (x − αe₁)/v₀ with v₀ = x₀ − α, so v's first entry is 1, |vᵢ| ≤ 1, and β = 2/vᵀv ∈ [1, 2].
 * Normalising by v₀ keeps β representable for columns of any magnitude (2/‖x − αe₁‖² would
 * overflow for ‖x‖ below ~1e-154); vᵀv is summed from the stored vector so H = I − βvvᵀ is
 * orthogonal to working precision. Writes [β, α] to out ([0, x₀] when x = 0: H = I).
 */
function house(a: Float64Array, o: number, len: number, out: Float64Array): void {
  let scale = 0;
  for (let i = 0; i < len; i++) scale += Math.abs(a[o + i]);
  if (scale === 0) {
    out[0] = 0;
    out[1] = 0;
    return;
  }
  const inv = 1 / scale;
  let ss = 0;
  for (let i = 0; i < len; i++) {
    const q = a[o + i] * inv;
    ss += q * q;
  }
  const x0 = a[o];
  const norm = scale * Math.sqrt(ss);
  const alpha = x0 >= 0 ? -norm : norm;
  const v0 = x0 - alpha; // |v₀| = |x₀| + ‖x‖: no cancellation
  a[o] = 1;
  let vtv = 1;
  if (Math.abs(v0) >= 2 ** -1000) {
    const r = 1 / v0;
    for (let i = 1; i < len; i++) {
      const q = a[o + i] * r;
      a[o + i] = q;
      vtv += q * q;
    }
  } else {
    for (let i = 1; i < len; i++) {
      const q = a[o + i] / v0;
      a[o + i] = q;
      vtv += q * q;
    }
  }
  out[0] = 2 / vtv;
  out[1] = alpha;
}

/**
 * Bidiagonalises the m×n matrix (m ≥ n ≥ 1) held in column storage `a` (ld = m), in place.
 */
export function bidiagonalizeColumns(
  a: Float64Array,
  m: number,
  n: number,
  alloc: (len: number) => Float64Array = (len) => new Float64Array(len),
): BidiagonalColumns {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 1));
  const betaLeft = new Float64Array(n);
  const betaRight = new Float64Array(Math.max(n - 1, 1));
  const nbMax = Math.min(NB, n);
  // [V X]: V_q at q·m, X_q at (nbMax + q)·m.  [Y U]: Y_q at q·n, U_q at (nbMax + q)·n.
  // From `alloc` (the WebAssembly arena when available) so the trailing GEMM runs in SIMD.
  const vx = alloc(2 * nbMax * m);
  const yu = alloc(2 * nbMax * n);
  const xo = nbMax * m;
  const uo = nbMax * n;
  // Coefficient vectors of the per-step corrections (Vᵀv, Xᵀv, Yᵀu, Uᵀu or gathered entries of
  // Y, U, V, X), negated where they feed a subtraction; in the arena so the level-2 corrections
  // below run in the wasm kernels too.
  const c1 = alloc(nbMax);
  const c2 = alloc(nbMax);
  const row = alloc(n); // contiguous copy of the row being reduced (arena: read by the wasm kernels)
  const hb = new Float64Array(2);
  for (let k0 = 0; k0 < n; k0 += nbMax) {
    const k1 = Math.min(k0 + nbMax, n);
    const nb = k1 - k0;
    for (let p = 0; p < nb; p++) {
      const g = k0 + p;
      const ag = g * m;
      // 1. Column g ← column g − V·Y[g, 0:p]ᵀ − X·U[0:p, g] (rows g..m−1).
      if (p > 0) {
        for (let q = 0; q < p; q++) {
          c1[q] = -yu[q * n + g];
          c2[q] = -yu[uo + q * n + g];
        }
        columnCombine(a, m, g, m, k0, g, c1, -k0, a, ag);
        columnCombine(vx, m, g, m, nbMax, nbMax + p, c2, -nbMax, a, ag);
      }
      // 2. Left reflector from column g.
      house(a, ag + g, m - g, hb);
      const bl = hb[0];
      betaLeft[g] = bl;
      d[g] = bl === 0 ? a[ag + g] : hb[1];
      const yp = p * n;
      const upo = uo + p * n;
      if (g + 1 >= n) break;
      // 3. Y[:, p] (columns g+1..n−1) = β (A₂ᵀv − Y·(Vᵀv) − Uᵀ·(Xᵀv)).
      if (bl === 0) {
        yu.fill(0, yp, yp + n);
      } else {
        // Vᵀv and Xᵀv (contiguous column dots), then the correction −Y·(Vᵀv) − Uᵀ·(Xᵀv).
        columnDots(a, m, g, m, k0, g, a, ag, c1, -k0);
        columnDots(vx, m, g, m, nbMax, nbMax + p, a, ag, c2, -nbMax);
        for (let j = 0; j <= g; j++) yu[yp + j] = 0;
        // A₂ᵀv: contiguous column dots.
        columnDots(a, m, g, m, g + 1, n, a, ag, yu, yp);
        for (let q = 0; q < p; q++) {
          c1[q] = -c1[q];
          c2[q] = -c2[q];
        }
        columnCombine(yu, n, g + 1, n, 0, p, c1, 0, yu, yp);
        columnCombine(yu, n, g + 1, n, nbMax, nbMax + p, c2, -nbMax, yu, yp);
        for (let jj = g + 1; jj < n; jj++) yu[yp + jj] *= bl;
      }
      // 4. Row g (columns g+1..n−1) ← row g − Y[:, 0:p+1]·V[g, 0:p+1]ᵀ − U[0:p, :]ᵀ·X[g, 0:p]ᵀ.
      for (let j = g + 1; j < n; j++) row[j] = a[j * m + g];
      for (let q = 0; q <= p; q++) c1[q] = -a[(k0 + q) * m + g];
      for (let q = 0; q < p; q++) c2[q] = -vx[xo + q * m + g];
      columnCombine(yu, n, g + 1, n, 0, p + 1, c1, 0, row, 0);
      columnCombine(yu, n, g + 1, n, nbMax, nbMax + p, c2, -nbMax, row, 0);
      // 5. Right reflector from row g.
      let br = 0;
      if (g + 2 < n) {
        house(row, g + 1, n - g - 1, hb);
        br = hb[0];
        e[g] = br === 0 ? row[g + 1] : hb[1];
      } else {
        e[g] = row[g + 1];
      }
      betaRight[g] = br;
      for (let j = 0; j <= g; j++) yu[upo + j] = 0;
      for (let j = g + 1; j < n; j++) {
        a[j * m + g] = row[j];
        yu[upo + j] = br === 0 ? 0 : row[j];
      }
      // 6. X[:, p] (rows g+1..m−1) = β (A₂u − V·(Yᵀu) − X·(Uᵀu)).
      const xpo = xo + p * m;
      if (br === 0) {
        vx.fill(0, xpo, xpo + m);
        continue;
      }
      for (let r = 0; r <= g; r++) vx[xpo + r] = 0;
      for (let r = g + 1; r < m; r++) vx[xpo + r] = 0;
      // A₂u: contiguous column axpys.
      columnCombine(a, m, g + 1, m, g + 1, n, row, 0, vx, xpo);
      // Yᵀu and Uᵀu, then the correction −V·(Yᵀu) − X·(Uᵀu).
      columnDots(yu, n, g + 1, n, 0, p + 1, row, 0, c1, 0);
      columnDots(yu, n, g + 1, n, nbMax, nbMax + p, row, 0, c2, -nbMax);
      for (let q = 0; q <= p; q++) c1[q] = -c1[q];
      for (let q = 0; q < p; q++) c2[q] = -c2[q];
      columnCombine(a, m, g + 1, m, k0, g + 1, c1, -k0, vx, xpo);
      columnCombine(vx, m, g + 1, m, nbMax, nbMax + p, c2, -nbMax, vx, xpo);
      for (let r = g + 1; r < m; r++) vx[xpo + r] *= br;
    }
    if (k1 >= n) break;
    // Trailing update A₂ ← A₂ − [V X]·[Y U]ᵀ (rows k1..m−1, columns k1..n−1): one GEMM pass.
    for (let q = 0; q < nb; q++) {
      const src = (k0 + q) * m;
      const dst = q * m;
      for (let r = k1; r < m; r++) vx[dst + r] = a[src + r];
    }
    panelUpdate(vx, 0, a, k1 * m, m, k1, m, 2 * nbMax, n - k1, yu.subarray(k1), n);
  }
  return { d, e, betaLeft, betaRight };
}
