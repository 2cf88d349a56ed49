/**
 * The two-stage rotation sort (bwt-sort.ts) against SA-IS (sais.ts), suffix array entry by
 * entry: random, low-entropy, periodic-like, float-like (4-byte radix mode), text-like (8-byte
 * radix mode), skipped radix passes and tiny inputs; the BWT column it writes; the work-budget
 * fallback; and leastRotation (with its periodicity flag, seen through bwtEncode) against
 * brute force.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortLyndon, sortWork } from '../../src/compress/bwt-sort.js';
import { bwtEncode, bwtWork, leastRotation, sais } from '../../src/compress/sais.js';
import { englishText, floatWeights } from '../../bench/bzip2-data.js';
import { lcg } from './helpers.js';

/** Smallest period of w (KMP failure function). */
function period(w: Uint8Array): number {
  const n = w.length;
  const f = new Int32Array(n + 1);
  f[0] = -1;
  for (let i = 1, k = -1; i <= n; i++) {
    while (k >= 0 && w[k] !== w[i - 1]) k = f[k];
    f[i] = ++k;
  }
  return n - f[n];
}

/** Least rotation by brute force (smallest start among equal least rotations). */
function naiveLeastRotation(s: Uint8Array): number {
  const n = s.length;
  let best = 0;
  for (let i = 1; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const d = s[(i + k) % n] - s[(best + k) % n];
      if (d < 0) best = i;
      if (d !== 0) break;
    }
  }
  return best;
}

/** The block rotated to its least rotation, or null when the block is periodic (or length < 2). */
function lyndon(b: Uint8Array): Uint8Array | null {
  const n = b.length;
  if (n < 2) return null;
  const r = leastRotation(b, n);
  const w = Uint8Array.from({ length: n }, (_, i) => b[(r + i) % n]);
  const p = period(w);
  return p < n && n % p === 0 ? null : w;
}

function saisSA(w: Uint8Array): Int32Array {
  const m = w.length;
  const T = new Int32Array(m + 1);
  for (let i = 0; i < m; i++) T[i] = w[i] + 1;
  const SA = new Int32Array(m + 1);
  sais(T, SA, m + 1, 257);
  return SA;
}

/** sortLyndon's suffix array and BWT column, or null if it gave up. */
function fastSA(w: Uint8Array, work = sortWork()): { SA: Int32Array; col: Uint8Array } | null {
  const m = w.length;
  const SA = new Int32Array(m + 1);
  const col = new Uint8Array(m);
  return sortLyndon(w, m, SA, work, col) ? { SA, col } : null;
}

/** Checks sortLyndon against SA-IS; false if it gave up (allowed only when `mayGiveUp`). */
function expectSameAsSais(w: Uint8Array, work = sortWork(), mayGiveUp = false): boolean {
  const got = fastSA(w, work);
  if (got === null && mayGiveUp) return false;
  expect(got).not.toBeNull();
  const ref = saisSA(w);
  const { SA, col } = got!;
  let firstDiff = -1;
  for (let i = 0; i <= w.length && firstDiff < 0; i++) if (SA[i] !== ref[i]) firstDiff = i;
  expect(firstDiff, `suffix arrays differ at rank ${firstDiff} (m = ${w.length})`).toBe(-1);
  const m = w.length;
  for (let i = 0; i < m; i++) {
    const q = SA[i + 1];
    if (col[i] !== w[q === 0 ? m - 1 : q - 1]) throw new Error(`BWT column wrong at ${i}`);
  }
  return true;
}

describe('two-stage rotation sort = SA-IS', () => {
  const rnd = (k: number, n: number, seed: number): Uint8Array => {
    const r = lcg(seed);
    return Uint8Array.from({ length: n }, () => (r() >>> 16) % k);
  };
  const blocks = fc.oneof(
    // uniform bytes, from tiny to a few thousand
    fc.uint8Array({ minLength: 2, maxLength: 4000 }),
    fc.uint8Array({ minLength: 2, maxLength: 12 }),
    // low entropy: alphabets of 1..6 letters (eight-byte radix mode, long equal prefixes)
    fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 5000 }), fc.integer()).map(([k, n, s]) => rnd(k, n, s)),
    // near-periodic: a word repeated with a few substitutions
    fc
      .tuple(fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.integer({ min: 2, max: 300 }), fc.array(fc.nat(), { minLength: 1, maxLength: 3 }))
      .map(([wd, k, at]) => {
        const out = Uint8Array.from({ length: wd.length * k }, (_, i) => wd[i % wd.length]);
        for (const a of at) out[a % out.length] ^= 1 + (a % 7);
        return out;
      }),
    // float-like: random low bytes, an exponent byte from a handful of values every 4th byte
    fc.tuple(fc.integer({ min: 4, max: 6000 }), fc.integer()).map(([n, s]) => {
      const r = lcg(s);
      return Uint8Array.from({ length: n }, (_, i) => ((i & 3) === 3 ? [0x3c, 0x3d, 0xbc, 0xbd][r() >>> 30] : r() >>> 24));
    }),
    // a byte that is the same for every B* suffix (0 at every other position): radix passes
    // skipped, the sorted pairs ending in either buffer
    fc.tuple(fc.integer({ min: 2, max: 3000 }), fc.integer(), fc.integer({ min: 2, max: 255 })).map(([n, s, k]) => {
      const r = lcg(s);
      return Uint8Array.from({ length: n }, (_, i) => (i & 1 ? 1 + ((r() >>> 16) % (k - 1)) : 0));
    }),
    // words from a small vocabulary (text-like)
    fc.tuple(fc.integer({ min: 20, max: 6000 }), fc.integer()).map(([n, s]) => {
      const r = lcg(s);
      const words = ['the ', 'then ', 'there ', 'a ', 'an ', 'and ', 'of ', 'often ', 'to ', 'tone '];
      let t = '';
      while (t.length < n) t += words[(r() >>> 16) % words.length];
      return Uint8Array.from(t.slice(0, n), (c) => c.charCodeAt(0));
    }),
  );

  it('gives the same suffix array (and the matching BWT column) on varied Lyndon words', () => {
    const work = sortWork(); // reused across sizes, as the encoder does
    let checked = 0;
    let gaveUp = 0;
    fc.assert(
      fc.property(blocks, (b) => {
        const w = lyndon(b);
        if (w === null) return;
        // very long repeats (near-periodic blocks) may exhaust the budget: SA-IS takes over
        if (expectSameAsSais(w, work, true)) checked++;
        else gaveUp++;
      }),
      { seed: 42, numRuns: 400 },
    );
    expect(checked).toBeGreaterThan(300);
    expect(gaveUp).toBeLessThan(40);
  });

  it('every Lyndon word of length 2..9 over {0, 1, 2} (exhaustive for short words)', () => {
    const work = sortWork();
    let n = 0;
    for (let len = 2; len <= 9; len++) {
      for (let code = 0; code < 3 ** len; code++) {
        const b = new Uint8Array(len);
        for (let i = 0, c = code; i < len; i++, c = (c / 3) | 0) b[i] = c % 3;
        // each Lyndon word once: primitive and its own least rotation
        if (period(b) !== len || naiveLeastRotation(b) !== 0) continue;
        expectSameAsSais(b, work);
        n++;
      }
    }
    expect(n).toBeGreaterThan(2000);
  });

  it('on 300 kB of the bench inputs (float32 weights: four-byte mode; English-like text: eight-byte mode)', () => {
    for (const data of [floatWeights(300_000), englishText(300_000)]) {
      const w = lyndon(data);
      expect(w).not.toBeNull();
      expectSameAsSais(w!);
    }
  });

  it('gives up on highly repetitive blocks (budget), and bwtEncode still matches SA-IS', () => {
    // a random 2000-byte text-like word repeated 30 times, one byte changed: LCPs ~ 58 000
    const r = lcg(77);
    const u = Uint8Array.from({ length: 2000 }, () => 97 + ((r() >>> 16) % 5));
    const b = Uint8Array.from({ length: 60000 }, (_, i) => u[i % 2000]);
    b[31337] ^= 0x20;
    const w = lyndon(b)!;
    expect(w).not.toBeNull();
    expect(fastSA(w)).toBeNull();
    const out = new Uint8Array(b.length);
    const ref = new Uint8Array(b.length);
    expect(bwtEncode(b, b.length, out, bwtWork())).toBe(bwtEncode(b, b.length, ref, bwtWork(), true));
    expect(Buffer.compare(out, ref)).toBe(0);
  });
});

describe('leastRotation', () => {
  it('equals brute force (random, small alphabets, single smallest byte)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 300 }),
          fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => a.map((x) => x % 2)),
          fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => a.map((x) => 1 + (x % 3))),
        ),
        (b) => {
          const r = leastRotation(b, b.length);
          const e = naiveLeastRotation(b);
          // equal rotations (periodic blocks) may start at any of their positions
          for (let k = 0; k < b.length; k++) expect(b[(r + k) % b.length]).toBe(b[(e + k) % b.length]);
          if (period(b) === b.length || b.length % period(b) !== 0) expect(r).toBe(e);
        },
      ),
      { seed: 3, numRuns: 400 },
    );
  });

  it('periodic blocks u^k: bwtEncode (fast sort of u, column repeated) = SA-IS path', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 50 }), fc.nat(1000), (u, k, rot) => {
        const n = u.length * k;
        const b = Uint8Array.from({ length: n }, (_, i) => u[(i + rot) % u.length]);
        const out = new Uint8Array(n);
        const ref = new Uint8Array(n);
        expect(bwtEncode(b, n, out, bwtWork())).toBe(bwtEncode(b, n, ref, bwtWork(), true));
        expect(Buffer.compare(out, ref)).toBe(0);
      }),
      { seed: 8, numRuns: 300 },
    );
  });
});
