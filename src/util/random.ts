/**
 * Seeded, platform-independent randomness: xoshiro128** (Blackman & Vigna, 2018) seeded through
 * splitmix32, with uniform floats, unbiased bounded integers (Lemire, 2019), normals (Box–Muller)
 * and Fisher–Yates permutations.
 *
 * Why not Math.random: every random quantity ockham reports (shuffled controls, synthetic
 * tensors) must be reproducible from a seed on any engine. All arithmetic here is 32-bit integer
 * (`Math.imul`, `>>>`) or exactly specified IEEE double, so a seed gives the same stream in Node,
 * browsers and across V8/SpiderMonkey/JSC. (Box–Muller uses Math.log/sqrt/cos, which are not
 * required to be correctly rounded; normals may differ in the last ulp across engines.)
 */
import { OckhamError } from '../errors.js';

/** A seeded pseudo-random stream. State is held in the closure; each call advances it. */
export interface Rng {
  /** Next uniform 32-bit unsigned integer in [0, 2^32). */
  nextU32(): number;
  /** Next uniform double in [0, 1) with 53 random bits. */
  next(): number;
  /** Next uniform integer in [0, n) without modulo bias; n an integer in 1..2^32. */
  int(n: number): number;
  /** Next standard normal N(0, 1) sample (Box–Muller; the paired sample is cached). */
  normal(): number;
}

const TWO32 = 4294967296;
const TWO_PI = 2 * Math.PI;

/** Validates a seed: a safe non-negative integer (0 ≤ seed < 2^53). */
function checkSeed(seed: unknown, name: string): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new OckhamError('OUT_OF_RANGE', name, `expected an integer seed in 0..2^53−1, got ${String(seed)}`);
  }
  return seed;
}

/**
 * xoshiro128** state (4 words) seeded by splitmix32 from both 32-bit halves of the seed, so
 * nearby seeds (0, 1, 2, …) give unrelated streams and the all-zero state cannot occur.
 *
 * Why plain functions over an Int32Array rather than closure variables: 32-bit words outside
 * V8's small-integer range would be re-boxed as heap numbers on every store, and module-level
 * functions inline into callers' loops (measured ~10× faster than closures for bulk draws).
 */
function seedState(seed: number): Int32Array {
  let sm = (seed >>> 0) ^ Math.imul((seed / TWO32) >>> 0, 0x9e3779b9);
  const st = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    sm = (sm + 0x9e3779b9) | 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    st[k] = z ^ (z >>> 16);
  }
  if ((st[0] | st[1] | st[2] | st[3]) === 0) st[0] = 1; // xoshiro needs a nonzero state
  return st;
}

/** One xoshiro128** step: result = rotl(s1·5, 7)·9 as an unsigned 32-bit integer. */
function stepU32(st: Int32Array): number {
  let s0 = st[0];
  let s1 = st[1];
  let s2 = st[2];
  let s3 = st[3];
  const m = Math.imul(s1, 5);
  const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = (s3 << 11) | (s3 >>> 21);
  st[0] = s0;
  st[1] = s1;
  st[2] = s2;
  st[3] = s3;
  return result;
}

/** Uniform double in [0, 1) with 53 random bits (27 high bits of one word, 26 of the next). */
function stepDouble(st: Int32Array): number {
  const a = stepU32(st) >>> 5;
  const b = stepU32(st) >>> 6;
  return (a * 67108864 + b) / 9007199254740992;
}

/**
 * Uniform integer in [0, n), n an integer in 1..2^32, by Lemire's nearly-divisionless method:
 * the high word of x·n is uniform once the biased low words (fewer than 2^32 mod n) are rejected.
 */
function stepInt(st: Int32Array, n: number): number {
  if (n === TWO32) return stepU32(st);
  let x = stepU32(st);
  let lo = Math.imul(x, n) >>> 0; // low 32 bits of x·n
  if (lo < n) {
    const threshold = (TWO32 - n) % n;
    while (lo < threshold) {
      x = stepU32(st);
      lo = Math.imul(x, n) >>> 0;
    }
  }
  return mulHi(x, n);
}

/**
 * Creates a seeded xoshiro128** generator (Blackman & Vigna, 2018).
 *
 * @param seed - Integer in 0..2^53−1.
 * @returns A {@link Rng} whose stream depends only on `seed`.
 * @throws {@link OckhamError} `OUT_OF_RANGE` (argument `seed`) for a negative, fractional or unsafe seed.
 * @example
 * ```ts
 * import { createRng } from 'ockham';
 * const rng = createRng(42);
 * const u = rng.next();      // in [0, 1)
 * const k = rng.int(10);     // in 0..9
 * const z = rng.normal();    // N(0, 1)
 * ```
 */
export function createRng(seed: number): Rng {
  checkSeed(seed, 'seed');
  const st = seedState(seed);
  // The cached second Box–Muller sample (typed array: no boxing on store).
  const spare = new Float64Array(1);
  let hasSpare = false;
  return {
    nextU32: () => stepU32(st),
    next: () => stepDouble(st),
    int: (n: number): number => {
      if (!Number.isInteger(n) || n < 1 || n > TWO32) {
        throw new OckhamError('OUT_OF_RANGE', 'n', `expected an integer in 1..2^32, got ${String(n)}`);
      }
      return stepInt(st, n);
    },
    normal: (): number => {
      if (hasSpare) {
        hasSpare = false;
        return spare[0];
      }
      // u1 in (0, 1] so log(u1) is finite.
      const u1 = 1 - stepDouble(st);
      const u2 = stepDouble(st);
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = TWO_PI * u2;
      spare[0] = r * Math.sin(theta);
      hasSpare = true;
      return r * Math.cos(theta);
    },
  };
}

/** High 32 bits of x·n (x, n < 2^32), exact even when x·n ≥ 2^53 (16-bit halves of x). */
function mulHi(x: number, n: number): number {
  const approx = x * n;
  if (approx < 9007199254740992) return Math.floor(approx / TWO32);
  const hiPart = (x >>> 16) * n; // < 2^48, exact
  const loPart = (x & 0xffff) * n; // < 2^48, exact
  // x·n = hiPart·2^16 + loPart; split hiPart·2^16 into its 2^32 multiple and remainder.
  const carry = Math.floor(((hiPart % 65536) * 65536 + loPart) / TWO32);
  return Math.floor(hiPart / 65536) + carry;
}

/**
 * A uniformly random permutation of 0..n−1 (Fisher–Yates / Durstenfeld shuffle).
 *
 * @param n - Length, an integer in 0..2^32−1.
 * @param seed - Integer seed in 0..2^53−1 (see {@link createRng}).
 * @returns A new `Uint32Array` holding each of 0..n−1 exactly once.
 * @throws {@link OckhamError} `OUT_OF_RANGE` for a bad `n` or `seed`.
 * @example
 * ```ts
 * import { permutation } from 'ockham';
 * const perm = permutation(5, 42); // e.g. Uint32Array [3, 0, 4, 1, 2]
 * ```
 */
export function permutation(n: number, seed: number): Uint32Array {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new OckhamError('OUT_OF_RANGE', 'n', `expected an integer in 0..2^32−1, got ${String(n)}`);
  }
  checkSeed(seed, 'seed');
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return fisherYates(p, seed);
}

/**
 * Shuffles `a` in place by the swaps {@link permutation} makes for (a.length, seed), and returns
 * it: applying the same swaps to any array keeps a[k] = original[p[k]] at every step, so the
 * result is the original gathered by that permutation, without building it.
 */
function fisherYates<T extends Float32Array | Float64Array | Uint8Array | Uint16Array | Uint32Array | Int32Array>(a: T, seed: number): T {
  const st = seedState(seed);
  // Draw a batch of swap partners first, then swap: the swap loop's scattered loads no longer
  // wait behind the generator's arithmetic, so the CPU overlaps more of their cache misses.
  const batch = fyBatch;
  for (let hi = a.length - 1; hi > 0; ) {
    const lo = Math.max(0, hi - batch.length);
    for (let i = hi, k = 0; i > lo; i--, k++) batch[k] = stepInt(st, i + 1);
    for (let i = hi, k = 0; i > lo; i--, k++) {
      const j = batch[k];
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    hi = lo;
  }
  return a;
}

/** Swap partners of one batch of {@link fisherYates}. */
const fyBatch = new Uint32Array(4096);

/**
 * Returns a copy of `x` with its elements in a seeded random order: `out[i] = x[perm[i]]` with
 * `perm = permutation(x.length, seed)`. The caller's array is not modified.
 *
 * The copy is shuffled in place by the same swaps that build `perm` (no index array, no gather
 * pass: about 1.6× faster on 4M floats).
 *
 * @param x - Any typed array (e.g. weights to shuffle for a control).
 * @param seed - Integer seed in 0..2^53−1.
 * @returns A new array of the same type and length.
 * @throws {@link OckhamError} `OUT_OF_RANGE` for a bad `seed`.
 * @example
 * ```ts
 * import { shuffled } from 'ockham';
 * const w = new Float32Array([1, 2, 3, 4]);
 * const control = shuffled(w, 7); // same multiset, random order; w unchanged
 * ```
 */
export function shuffled<T extends Float32Array | Float64Array | Uint8Array | Uint16Array | Uint32Array | Int32Array>(
  x: T,
  seed: number,
): T {
  checkSeed(seed, 'seed');
  return fisherYates(x.slice() as T, seed);
}

/**
 * Fills a new `Float64Array` with i.i.d. N(mean, std²) samples from a seeded stream.
 *
 * @param n - Number of samples (integer ≥ 0).
 * @param seed - Integer seed in 0..2^53−1.
 * @param mean - Mean (default 0).
 * @param std - Standard deviation, ≥ 0 (default 1).
 * @returns A new `Float64Array` of length n.
 * @throws {@link OckhamError} for a bad `n`, `seed`, `mean` or `std`.
 * @example
 * ```ts
 * import { normalArray } from 'ockham';
 * const w = Float32Array.from(normalArray(64 * 64, 1, 0, 0.02)); // init-like weights
 * ```
 */
export function normalArray(n: number, seed: number, mean = 0, std = 1): Float64Array {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new OckhamError('OUT_OF_RANGE', 'n', `expected an integer ≥ 0, got ${String(n)}`);
  }
  if (!Number.isFinite(mean)) throw new OckhamError('NON_FINITE', 'mean', `expected a finite number, got ${mean}`);
  if (!Number.isFinite(std) || std < 0) {
    throw new OckhamError('OUT_OF_RANGE', 'std', `expected a finite number ≥ 0, got ${std}`);
  }
  checkSeed(seed, 'seed');
  const st = seedState(seed);
  const out = new Float64Array(n);
  // Box–Muller pairs, cos sample then sin sample — the same stream as createRng(seed).normal().
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - stepDouble(st);
    const u2 = stepDouble(st);
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = TWO_PI * u2;
    out[i] = mean + std * (r * Math.cos(theta));
    if (i + 1 < n) out[i + 1] = mean + std * (r * Math.sin(theta));
  }
  return out;
}

/**
 * Fills a new `Float64Array` with i.i.d. uniform samples in [lo, hi).
 *
 * @param n - Number of samples (integer ≥ 0).
 * @param seed - Integer seed in 0..2^53−1.
 * @param lo - Lower bound (default 0).
 * @param hi - Upper bound, > lo (default 1).
 * @returns A new `Float64Array` of length n.
 * @throws {@link OckhamError} for a bad `n`, `seed` or bounds.
 * @example
 * ```ts
 * import { uniformArray } from 'ockham';
 * const w = uniformArray(16 * 16, 3, -1, 1); // U(−1, 1)
 * ```
 */
export function uniformArray(n: number, seed: number, lo = 0, hi = 1): Float64Array {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new OckhamError('OUT_OF_RANGE', 'n', `expected an integer ≥ 0, got ${String(n)}`);
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) {
    throw new OckhamError('OUT_OF_RANGE', 'hi', `expected finite bounds with lo < hi, got [${lo}, ${hi}]`);
  }
  checkSeed(seed, 'seed');
  const st = seedState(seed);
  const out = new Float64Array(n);
  const w = hi - lo;
  for (let i = 0; i < n; i++) out[i] = lo + w * stepDouble(st);
  return out;
}
