/**
 * Integrated autocorrelation time of a scalar trace, for the LLC's per-chain effective sample size.
 *
 * τ = 1 + 2·Σ_{k=1}^{M} ρ(k) with Sokal's automatic window: the smallest M with M ≥ c·τ(M), c = 5
 * (A. Sokal, "Monte Carlo Methods in Statistical Mechanics", 1997, §3; the rule emcee uses).
 * The autocovariance is computed by FFT of the zero-padded centred trace in O(N log N), so a
 * 200k-draw chain with τ in the thousands costs milliseconds rather than O(N·M).
 * @internal
 */

/** In-place iterative radix-2 complex FFT (length a power of two). `inverse` omits the 1/N scale. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    const half = len >> 1;
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < half; k++) {
        const a = i + k;
        const b = a + half;
        const xr = re[b] * cr - im[b] * ci;
        const xi = re[b] * ci + im[b] * cr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
}

/**
 * Normalised autocorrelation ρ(0..N−1) of `x` (ρ(0) = 1); all zeros when `x` is constant.
 * @internal
 */
export function autocorrelation(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  for (let i = 0; i < n; i++) re[i] = x[i] - mean;
  fft(re, im, false);
  for (let i = 0; i < size; i++) {
    re[i] = re[i] * re[i] + im[i] * im[i];
    im[i] = 0;
  }
  fft(re, im, true);
  const out = new Float64Array(n);
  const c0 = re[0];
  if (!(c0 > 0)) return out;
  for (let k = 0; k < n; k++) out[k] = re[k] / c0;
  return out;
}

/**
 * Integrated autocorrelation time τ of a trace (Sokal window, c = 5). A constant trace (or one with
 * fewer than 4 values) has τ = 1. τ may fall below 1 for an anticorrelated trace (ESS > N is then
 * meaningful); it is clamped to ≥ 1/N so the ESS stays ≤ N².
 * @internal
 */
export function integratedAutocorrelationTime(x: ArrayLike<number>, c = 5): number {
  const n = x.length;
  if (n < 4) return 1;
  const rho = autocorrelation(x);
  if (rho[0] === 0) return 1;
  let tau = 1;
  for (let m = 1; m < n; m++) {
    tau += 2 * rho[m];
    if (m >= c * tau) return Math.max(tau, 1 / n);
  }
  return Math.max(tau, 1 / n);
}
