/**
 * Small statistics used by the experiment harness: Student-t quantiles, Pearson / Spearman
 * correlations and seeded bootstrap intervals.
 * @internal
 */
import { createRng } from '../util/random.js';

function lgamma(x: number): number {
  // Lanczos (g = 7, n = 9), |error| < 1e-13 for x > 0.5
  const c = [0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function betacf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). @internal */
export function betaInc(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const bt = Math.exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (bt * betacf(a, b, x)) / a : 1 - (bt * betacf(b, a, 1 - x)) / b;
}

/** Student-t CDF with ν degrees of freedom. @internal */
export function tCdf(t: number, nu: number): number {
  const x = nu / (nu + t * t);
  const tail = 0.5 * betaInc(nu / 2, 0.5, x);
  return t >= 0 ? 1 - tail : tail;
}

/** Student-t quantile (bisection on the CDF, 1e-12 relative). @internal */
export function tQuantile(p: number, nu: number): number {
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, nu);
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, nu) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (tCdf(mid, nu) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Pearson correlation (NaN when either side is constant or n < 2). @internal */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i] - mx;
    const b = y[i] - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Average ranks (ties share their mean rank), 1-based. @internal */
export function ranks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && x[idx[j + 1]] === x[idx[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation. @internal */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(ranks(x), ranks(y));
}

/**
 * Percentile bootstrap interval of a paired statistic (resampling pairs with replacement; seeded).
 * Resamples whose statistic is NaN (e.g. a constant resample) are dropped; `valid` counts the rest.
 * @internal
 */
export function bootstrapInterval(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  stat: (a: Float64Array, b: Float64Array) => number,
  { resamples = 2000, level = 0.95, seed = 0 } = {},
): { lo: number; hi: number; valid: number } {
  const n = x.length;
  const rng = createRng(seed);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const vals: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const k = rng.int(n);
      a[i] = x[k];
      b[i] = y[k];
    }
    const v = stat(a, b);
    if (!Number.isNaN(v)) vals.push(v);
  }
  if (vals.length === 0) return { lo: NaN, hi: NaN, valid: 0 };
  vals.sort((p, q) => p - q);
  const q = (f: number): number => vals[Math.min(vals.length - 1, Math.max(0, Math.floor(f * vals.length)))];
  return { lo: q((1 - level) / 2), hi: q(1 - (1 - level) / 2), valid: vals.length };
}
