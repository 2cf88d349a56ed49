/** A small model the tests train themselves: linear regression y = W x + b fitted in closed form. */
import { cholesky, backSolveTransposed, forwardSolve } from '../../src/coarsegrain/linalg.js';
import type { NamedTensor } from '../../src/util/model.js';
import { normalArray } from '../../src/util/random.js';

export interface Regression {
  model: NamedTensor[];
  /** Mean squared error of a candidate (same names/order) on the training data. */
  loss: (c: NamedTensor[]) => number;
  N: number;
  p: number;
  q: number;
}

/**
 * N samples of x ∈ R^p, targets y = W* x + b* + σ·noise with W* (q×p) of rank `rank`.
 * W and b are fitted by ordinary least squares (normal equations, Cholesky).
 */
export function makeRegression(N = 256, p = 24, q = 16, rank = 2, sigma = 0.1, seed = 1): Regression {
  const X = normalArray(N * p, seed);
  const A = normalArray(q * rank, seed + 1);
  const B = normalArray(rank * p, seed + 2);
  const bTrue = normalArray(q, seed + 3, 0, 0.5);
  const noise = normalArray(N * q, seed + 4, 0, sigma);
  const Y = new Float64Array(N * q);
  for (let s = 0; s < N; s++)
    for (let i = 0; i < q; i++) {
      let v = bTrue[i] + noise[s * q + i];
      for (let j = 0; j < p; j++) {
        let w = 0;
        for (let k = 0; k < rank; k++) w += A[i * rank + k] * B[k * p + j];
        v += (w / 2) * X[s * p + j];
      }
      Y[s * q + i] = v;
    }
  // Augmented design [x, 1] → solve (ZᵀZ) θ = Zᵀy per output.
  const d = p + 1;
  const G = new Float64Array(d * d);
  for (let s = 0; s < N; s++)
    for (let a = 0; a < d; a++) {
      const za = a < p ? X[s * p + a] : 1;
      for (let c = 0; c < d; c++) G[a * d + c] += za * (c < p ? X[s * p + c] : 1);
    }
  const L = new Float64Array(d * d);
  if (!cholesky(G, d, L)) throw new Error('singular design');
  const W = new Float32Array(q * p);
  const b = new Float32Array(q);
  for (let i = 0; i < q; i++) {
    const rhs = new Float64Array(d);
    for (let s = 0; s < N; s++) for (let a = 0; a < d; a++) rhs[a] += (a < p ? X[s * p + a] : 1) * Y[s * q + i];
    forwardSolve(L, d, rhs);
    backSolveTransposed(L, d, rhs);
    for (let j = 0; j < p; j++) W[i * p + j] = rhs[j];
    b[i] = rhs[p];
  }
  const loss = (c: NamedTensor[]): number => {
    const w = c[0].data;
    const bb = c[1].data;
    let se = 0;
    for (let s = 0; s < N; s++)
      for (let i = 0; i < q; i++) {
        let v = bb[i];
        for (let j = 0; j < p; j++) v += w[i * p + j] * X[s * p + j];
        const r = v - Y[s * q + i];
        se += r * r;
      }
    return se / (N * q);
  };
  return { model: [{ name: 'w', data: W, shape: [q, p] }, { name: 'b', data: b, shape: [q] }], loss, N, p, q };
}
