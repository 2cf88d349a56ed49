/**
 * The exact shuffle baseline of a QuBD plane: the mean and standard deviation of the plane's BDM
 * under a uniformly random permutation of its cells, computed from the block-code distribution
 * in O(2^16) per table and O(√B) per plane instead of O(N) per sampled shuffle.
 *
 * Setting (what `qubdRatio`'s sampled shuffle measures): a plane of N = rows·cols cells with k
 * ones; the `'ignore'` partition counts B = ⌊rows/4⌋·⌊cols/4⌋ full 4×4 blocks and drops the
 * L = N − 16B leftover cells; a shuffle permutes all N cells (leftovers included). The plane's
 * BDM is T = Σ_c 1{n_c > 0}·(CTM_c + log₂ n_c), n_c = number of blocks showing code c.
 *
 * Mean. Each block shows a given code c with j ones with the exact hypergeometric probability
 * p_j = C(N − 16, k − j) / C(N, k), and two given blocks both show it with the exact probability
 * q_j = C(N − 32, k − 2j) / C(N, k); so E[n_c] = B·p_j and E[n_c(n_c − 1)] = B(B − 1)·q_j exactly.
 * E[T] = Σ_c E[g_c(n_c)] needs the law of n_c, which under a shuffle is not binomial (the blocks
 * share the fixed total k). We use the binomial (or, when overdispersed, negative binomial) law
 * with exactly those two moments; the plain Binomial(B, p_j) misses by up to 0.1 SD on sparse
 * planes (k ≈ 30: its variance is off by a relative 1/k). The remaining error is in the third
 * and higher factorial moments, O(1/k²) relative: measured within ±1.1 standard errors of the
 * mean of 1000 sampled shuffles on planes from 30×500 with 31 ones to 512×512 (and tested at
 * 3 SE against 200 shuffles in test/qubd/baseline.test.ts). Codes with the same popcount j
 * share p_j and q_j, so only 17 count laws are summed, each over the O(√μ) counts that carry
 * its mass (terms below 1e-17 of the mode dropped).
 *
 * Variance: a stated approximation. A shuffle is exactly "i.i.d. Bernoulli(θ = k/N) cells
 * conditioned on K = k ones". Poissonize the block counts (n_c independent Poisson(λ_c),
 * λ_c = B·θ^j(1 − θ)^(16−j)): then the shuffle law is the Poisson law conditioned on the two linear
 * statistics S = Σ n_c = B and K = Σ j_c·n_c + K_L = k (K_L ~ Binomial(L, θ), the leftover ones).
 * Conditioning a sum T = Σ g_c(n_c) of independent terms on (S, K) is approximated by the
 * Gaussian (linear-projection) rule Var[T | S, K] ≈ Var T − cᵀΣ⁻¹c, c = (Cov(T, S), Cov(T, K)),
 * Σ = Cov((S, K)) — the standard Poissonization argument for occupancy statistics, asymptotically
 * exact as B → ∞. The per-code moments Var g_c, Cov(g_c, n_c) are again sums over 17 Poisson
 * laws. Agreement with 200 sampled shuffles (sd ratio within ±15 %) is tested on random, smooth
 * and real tensors.
 */

/** Σ CTM and Σ CTM² over the codes of each popcount j (0..16), from the 4×4 table's values. */
export function tableSums(values: Float64Array): { s1: Float64Array; s2: Float64Array } {
  const s1 = new Float64Array(17);
  const s2 = new Float64Array(17);
  for (let c = 0; c < 65536; c++) {
    let j = c - ((c >>> 1) & 0x5555);
    j = (j & 0x3333) + ((j >>> 2) & 0x3333);
    j = (j + (j >>> 4)) & 0x0f0f;
    j = (j + (j >>> 8)) & 0x1f;
    const v = values[c];
    s1[j] += v;
    s2[j] += v * v;
  }
  return { s1, s2 };
}

/** Binomial coefficients C(16, j). */
const C16 = /* @__PURE__ */ (() => {
  const t = new Float64Array(17);
  t[0] = 1;
  for (let j = 1; j <= 16; j++) t[j] = (t[j - 1] * (17 - j)) / j;
  return t;
})();

/** Exact probability that 16 given cells of N, k of them ones, show one given pattern with j ones. */
export function patternProbability(N: number, k: number, j: number): number {
  if (j > k || 16 - j > N - k) return 0;
  let p = 1;
  for (let i = 0; i < j; i++) p *= (k - i) / (N - i);
  for (let i = 0; i < 16 - j; i++) p *= (N - k - i) / (N - j - i);
  return p;
}

/** Moments of a count law: P(n > 0), E[ℓ], E[ℓ²], E[n·ℓ] with ℓ = log₂ n (0 at n = 0). */
interface CountMoments {
  p0: number;
  l1: number;
  l2: number;
  nl: number;
}

/**
 * Moments of n = map(t) for a law of t on 0..max given by its pmf ratio r(t) = P(t + 1)/P(t) and
 * its mode, summed outward from the mode until the terms fall below 1e-17 of the mode's (then
 * normalised), so the cost is O(spread).
 */
function moments(mode: number, max: number, ratio: (t: number) => number, map: (t: number) => number = (t) => t): CountMoments {
  let z = 0;
  let pz = 0; // mass at n > 0
  let l1 = 0;
  let l2 = 0;
  let nl = 0;
  const add = (t: number, w: number): void => {
    z += w;
    const n = map(t);
    if (n > 0) {
      const l = Math.log2(n);
      pz += w;
      l1 += w * l;
      l2 += w * l * l;
      nl += w * n * l;
    }
  };
  add(mode, 1);
  let w = 1;
  for (let t = mode; t < max; t++) {
    w *= ratio(t);
    if (w < 1e-17) break;
    add(t + 1, w);
  }
  w = 1;
  for (let t = mode - 1; t >= 0; t--) {
    w /= ratio(t);
    if (w < 1e-17) break;
    add(t, w);
  }
  return { p0: pz / z, l1: l1 / z, l2: l2 / z, nl: nl / z };
}

/** Moments of Binomial(B, p). */
function binomialMoments(B: number, p: number): CountMoments {
  if (p <= 0) return { p0: 0, l1: 0, l2: 0, nl: 0 };
  if (p >= 1) {
    const l = Math.log2(B);
    return { p0: 1, l1: l, l2: l * l, nl: B * l };
  }
  const mode = Math.min(B, Math.floor((B + 1) * p));
  const odds = p / (1 - p);
  const m = moments(mode, B, (t) => ((B - t) / (t + 1)) * odds);
  // P(n > 0) directly (the sum loses it when P(0) is within 1e-17 of 1 relative).
  m.p0 = -Math.expm1(B * Math.log1p(-p));
  return m;
}

/**
 * Exact probability that 32 given cells (two given blocks) of N, k of them ones, both show one
 * given pattern with j ones — E[n_c(n_c − 1)] = B(B − 1)·q exactly.
 */
export function pairProbability(N: number, k: number, j: number): number {
  if (2 * j > k || 32 - 2 * j > N - k) return 0;
  let q = 1;
  for (let i = 0; i < 2 * j; i++) q *= (k - i) / (N - i);
  for (let i = 0; i < 32 - 2 * j; i++) q *= (N - k - i) / (N - 2 * j - i);
  return q;
}

/**
 * Moments of a law for n_c with the exact mean μ = B·p and the exact second factorial moment
 * B(B − 1)·q: the binomial B(B', p') (B' real) with those two moments when the variance is
 * below the mean (underdispersed, the usual case), else a negative binomial. A dominant code
 * (p > 1/2, e.g. the empty block of a sparse plane) is modelled through the blocks NOT showing
 * it, m = B − n_c, whose moments follow from the same two (Var m = Var n_c). Planes of at most
 * {@link EXACT_BLOCKS} blocks use the exact law instead (`exact`).
 */
function countMoments(B: number, p: number, q: number, exact?: () => CountMoments | null): CountMoments {
  if (p <= 0) return { p0: 0, l1: 0, l2: 0, nl: 0 };
  if (p >= 1) return binomialMoments(B, 1);
  const e = exact?.();
  if (e) return e;
  const flip = p > 0.5;
  const pm = flip ? 1 - p : p;
  const map = flip ? (t: number) => B - t : (t: number) => t;
  const mu = B * pm;
  const V = mu * (1 - pm) + B * (B - 1) * (q - p * p);
  if (V <= 1e-14 * mu) {
    // (Numerically) a point mass.
    const n = map(Math.round(mu));
    const l = n > 0 ? Math.log2(n) : 0;
    return { p0: n > 0 ? 1 : 0, l1: l, l2: l * l, nl: n * l };
  }
  if (V < mu) {
    const pp = 1 - V / mu;
    const bb = mu / pp;
    const top = Math.floor(bb);
    const mode = Math.min(top, Math.floor((bb + 1) * pp));
    const odds = pp / (1 - pp);
    return moments(mode, top, (t) => ((bb - t) / (t + 1)) * odds, map);
  }
  const r = (mu * mu) / (V - mu);
  const beta = mu / (mu + r);
  const mode = r > 1 ? Math.floor(((r - 1) * beta) / (1 - beta)) : 0;
  const max = flip ? B : Number.MAX_SAFE_INTEGER;
  return moments(mode, max, (t) => ((t + r) / (t + 1)) * beta, map);
}

/** Small planes use the exact law of n_c up to this many blocks (inclusion–exclusion below). */
const EXACT_BLOCKS = 20;

/**
 * The exact law of n_c for B ≤ {@link EXACT_BLOCKS} blocks by inclusion–exclusion over the exact
 * factorial moments: P(n = t) = Σ_{r ≥ t} (−1)^(r−t)·C(r, t)·C(B, r)·q_r, q_r the probability
 * that r given blocks all show the pattern (C(B, r) ≤ 184,756 keeps the alternating sum's
 * round-off below 1e-10). Returns null for larger B.
 */
function exactCountMoments(N: number, k: number, j: number, B: number): CountMoments | null {
  if (B > EXACT_BLOCKS) return null;
  const qr = new Float64Array(B + 1);
  qr[0] = 1;
  for (let r = 1; r <= B; r++) {
    let f = qr[r - 1];
    const onesUsed = (r - 1) * j;
    const zerosUsed = (r - 1) * (16 - j);
    for (let i = 0; i < j; i++) f *= Math.max(0, k - onesUsed - i) / (N - 16 * (r - 1) - i);
    for (let i = 0; i < 16 - j; i++) f *= Math.max(0, N - k - zerosUsed - i) / (N - 16 * (r - 1) - j - i);
    qr[r] = f;
  }
  const out: CountMoments = { p0: 0, l1: 0, l2: 0, nl: 0 };
  let cBt = 1; // C(B, t)
  for (let t = 1; t <= B; t++) {
    cBt = (cBt * (B - t + 1)) / t;
    // Σ_{r ≥ t} (−1)^(r−t) C(r, t) C(B, r) q_r = C(B, t) Σ_{s ≥ 0} (−1)^s C(B − t, s) q_{t+s}.
    let acc = 0;
    let c = 1;
    for (let s2 = 0; t + s2 <= B; s2++) {
      acc += (s2 & 1 ? -c : c) * qr[t + s2];
      c = (c * (B - t - s2)) / (s2 + 1);
    }
    const pt = Math.max(0, cBt * acc);
    const l = Math.log2(t);
    out.p0 += pt;
    out.l1 += pt * l;
    out.l2 += pt * l * l;
    out.nl += pt * t * l;
  }
  return out;
}

/** Moments of Poisson(λ). */
function poissonMoments(lambda: number): CountMoments {
  if (lambda <= 0) return { p0: 0, l1: 0, l2: 0, nl: 0 };
  const mode = Math.floor(lambda);
  const m = moments(mode, Number.MAX_SAFE_INTEGER, (t) => lambda / (t + 1));
  m.p0 = -Math.expm1(-lambda);
  return m;
}

/**
 * x^n for a small integer n ≥ 0 by repeated multiplication: `**` gives different last bits in
 * different V8 versions (Node 20 vs Chromium 150), and a report must be byte-identical in both.
 */
function ipow(x: number, n: number): number {
  let r = 1;
  for (let i = 0; i < n; i++) r *= x;
  return r;
}

/** Mean and standard deviation (bits) of a plane's BDM under a uniform shuffle of its cells. */
export interface ShuffleMoments {
  readonly mean: number;
  readonly sd: number;
}

/**
 * E and SD of the BDM of a plane with `ones` ones among `cells` cells and `blocks` full 4×4
 * blocks under a uniform shuffle of all cells (see the file comment for the method and its
 * approximations). `sums` from {@link tableSums} of the table's 4×4 values (missing codes
 * already scored max + 1).
 */
export function shuffleMoments(cells: number, ones: number, blocks: number, sums: { s1: Float64Array; s2: Float64Array }): ShuffleMoments {
  const N = cells;
  const k = ones;
  const B = blocks;
  const L = N - 16 * B;
  if (k === 0 || k === N) {
    // One arrangement only: every block is constant.
    const c = k === 0 ? 0 : 16;
    return { mean: sums.s1[c] + Math.log2(B), sd: 0 };
  }
  // Mean: per code, a count law with the exact first two factorial moments.
  let mean = 0;
  for (let j = 0; j <= 16; j++) {
    const m = countMoments(B, patternProbability(N, k, j), pairProbability(N, k, j), () => exactCountMoments(N, k, j, B));
    mean += m.p0 * sums.s1[j] + C16[j] * m.l1;
  }
  // Variance: Poissonized counts conditioned on (S, K) by linear projection.
  const th = k / N;
  let varT = 0;
  let covS = 0;
  let covK = 0;
  for (let j = 0; j <= 16; j++) {
    const lam = B * ipow(th, j) * ipow(1 - th, 16 - j);
    if (lam === 0) continue;
    const m = poissonMoments(lam);
    const q = 1 - m.p0; // P(n = 0)
    const vl = Math.max(0, m.l2 - m.l1 * m.l1);
    // Σ over the C(16, j) codes of Var g_c = CTM²·P(1−P) + 2·CTM·E[ℓ]·(1−P) + Var ℓ.
    varT += sums.s2[j] * m.p0 * q + 2 * sums.s1[j] * m.l1 * q + C16[j] * vl;
    // Σ Cov(g_c, n_c) = CTM·λ·P(n = 0) + (E[n·ℓ] − λ·E[ℓ]).
    const cov = sums.s1[j] * lam * q + C16[j] * (m.nl - lam * m.l1);
    covS += cov;
    covK += j * cov;
  }
  const vS = B;
  const cSK = 16 * B * th;
  const vK = B * (16 * th * (1 - th) + 256 * th * th) + L * th * (1 - th);
  const det = vS * vK - cSK * cSK;
  // cᵀ Σ⁻¹ c for the 2×2 Σ.
  const proj = (covS * covS * vK - 2 * covS * covK * cSK + covK * covK * vS) / det;
  const v = varT - proj;
  return { mean, sd: Math.sqrt(Math.max(0, v)) };
}
