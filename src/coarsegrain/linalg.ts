/**
 * Small dense SPD linear algebra for the Gaussian-process surrogate: Cholesky factorisation and
 * triangular solves on row-major Float64Arrays. The GP matrices are at most a few hundred rows
 * (one per objective evaluation), so a plain O(n³/3) Cholesky is the right tool.
 * @internal
 */

/**
 * Cholesky factor L (lower, row-major, upper triangle zeroed) of the SPD matrix `a` (n×n),
 * written into `out`. Returns false (leaving `out` partial) when a pivot is not positive, i.e.
 * `a` is not numerically positive definite.
 */
export function cholesky(a: Float64Array, n: number, out: Float64Array): boolean {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= out[ri + k] * out[rj + k];
      if (i === j) {
        if (!(s > 0)) return false;
        out[ri + i] = Math.sqrt(s);
      } else {
        out[ri + j] = s / out[rj + j];
      }
    }
    for (let j = i + 1; j < n; j++) out[ri + j] = 0;
  }
  return true;
}

/** Solves L·x = b in place (L lower triangular from {@link cholesky}). */
export function forwardSolve(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[ri + k] * b[k];
    b[i] = s / L[ri + i];
  }
}

/** Solves Lᵀ·x = b in place. */
export function backSolveTransposed(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * b[k];
    b[i] = s / L[i * n + i];
  }
}
