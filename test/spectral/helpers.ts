/** Seeded PRNG and matrix generators shared by the spectral tests. */

/** mulberry32: a tiny, fast 32-bit seeded PRNG returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal via Box–Muller. */
export function gaussian(r: () => number): () => number {
  return () => {
    const u = 1 - r();
    const v = r();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/** m×n row-major matrix with i.i.d. standard normal entries. */
export function randomMatrix(m: number, n: number, seed: number): Float64Array {
  const g = gaussian(rng(seed));
  const a = new Float64Array(m * n);
  for (let i = 0; i < a.length; i++) a[i] = g();
  return a;
}

/** Plain row-major product (m×p)(p×n). */
export function matmul(a: Float64Array, b: Float64Array, m: number, p: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < p; k++) {
      const aik = a[i * p + k];
      for (let j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
    }
  }
  return c;
}

export function transpose(a: Float64Array, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
  return t;
}

/** Random m×n matrix with orthonormal columns (m ≥ n) via modified Gram–Schmidt (twice). */
export function randomOrthonormal(m: number, n: number, seed: number): Float64Array {
  const q = randomMatrix(m, n, seed);
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[i * n + j] * q[i * n + k];
        for (let i = 0; i < m; i++) q[i * n + j] -= dot * q[i * n + k];
      }
      let nrm = 0;
      for (let i = 0; i < m; i++) nrm += q[i * n + j] ** 2;
      nrm = Math.sqrt(nrm);
      for (let i = 0; i < m; i++) q[i * n + j] /= nrm;
    }
  }
  return q;
}

/** m×n matrix U diag(s) Vᵀ with given singular values s (length ≤ min(m, n)). */
export function withSingularValues(m: number, n: number, s: readonly number[], seed: number): Float64Array {
  const k = s.length;
  const u = randomOrthonormal(m, k, seed);
  const v = randomOrthonormal(n, k, seed + 1);
  const us = new Float64Array(m * k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us[i * k + j] = u[i * k + j] * s[j];
  return matmul(us, transpose(v, n, k), m, k, n);
}
