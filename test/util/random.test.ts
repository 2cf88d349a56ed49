import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OckhamError } from '../../src/errors.js';
import { createRng, normalArray, permutation, shuffled, uniformArray } from '../../src/util/random.js';

describe('createRng (xoshiro128** seeded by splitmix32)', () => {
  it('is deterministic per seed and differs across nearby seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(sa);
    for (const v of sa) expect(Number.isInteger(v) && v >= 0 && v < 2 ** 32).toBe(true);
  });
  it('uses both halves of a large seed', () => {
    expect(createRng(2 ** 40 + 5).nextU32()).not.toBe(createRng(5).nextU32());
  });
  it('next() is uniform in [0, 1): mean, variance and 16-bin chi-square within bounds', () => {
    const r = createRng(1);
    const n = 200_000;
    const bins = new Float64Array(16);
    let s = 0;
    let s2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      if (!(u >= 0 && u < 1)) outside++;
      s += u;
      s2 += u * u;
      bins[Math.floor(u * 16)]++;
    }
    expect(outside).toBe(0);
    expect(Math.abs(s / n - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(s2 / n - s ** 2 / n ** 2 - 1 / 12)).toBeLessThan(0.002);
    const e = n / 16;
    const chi2 = bins.reduce((acc, o) => acc + (o - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(37.7); // 99.9th percentile of χ²(15)
  });
  it('int(n) is unbiased for a non-power-of-two n and handles n near 2^32', () => {
    const r = createRng(2);
    const counts = new Float64Array(6);
    for (let i = 0; i < 60_000; i++) counts[r.int(6)]++;
    const chi2 = counts.reduce((acc, o) => acc + (o - 10_000) ** 2 / 10_000, 0);
    expect(chi2).toBeLessThan(20.5); // 99.9th percentile of χ²(5)
    const big = 3 * 2 ** 30 + 7;
    let bad = 0;
    let top = 0;
    for (let i = 0; i < 1000; i++) {
      const k = r.int(big);
      if (!(Number.isInteger(k) && k >= 0 && k < big)) bad++;
      if (k >= 2 ** 31) top++;
    }
    expect(bad).toBe(0);
    // A third of 0..big−1 lies at or above 2^31: 1000 draws give 333 ± 15 (1 sd).
    expect(top).toBeGreaterThan(270);
    expect(top).toBeLessThan(400);
    // Exactly Lemire's rule, checked against BigInt arithmetic on the same stream.
    const r1 = createRng(9);
    const r2 = createRng(9);
    for (const n of [big, 2 ** 32 - 1, 6, 1000003, 2 ** 31 + 1]) {
      const threshold = BigInt((2 ** 32 - n) % n);
      for (let i = 0; i < 200; i++) {
        let ref: bigint;
        for (;;) {
          const m = BigInt(r2.nextU32()) * BigInt(n);
          if ((m & 0xffffffffn) >= threshold) {
            ref = m >> 32n;
            break;
          }
        }
        expect(r1.int(n)).toBe(Number(ref));
      }
    }
    expect(() => r.int(0)).toThrow(OckhamError);
    expect(() => r.int(1.5)).toThrow(OckhamError);
  });
  it('normal() has mean 0, variance 1 and a normal fourth moment', () => {
    const r = createRng(3);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let s4 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      s4 += z ** 4;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.1);
  });
  it('rejects bad seeds', () => {
    for (const seed of [-1, 1.5, NaN, 2 ** 53, '1']) expect(() => createRng(seed as never)).toThrow(OckhamError);
  });
});

describe('permutation / shuffled', () => {
  it('is a permutation, deterministic per seed', () => {
    const p = permutation(1000, 7);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(permutation(1000, 7)).toEqual(p);
    expect(permutation(1000, 8)).not.toEqual(p);
    expect(permutation(0, 1).length).toBe(0);
  });
  it('every position is uniform over values (n = 4, 24 000 draws over all 24 orders)', () => {
    const counts = new Map<string, number>();
    for (let s = 0; s < 24_000; s++) {
      const k = Array.from(permutation(4, s)).join('');
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    const chi2 = [...counts.values()].reduce((acc, o) => acc + (o - 1000) ** 2 / 1000, 0);
    expect(chi2).toBeLessThan(49.7); // 99.9th percentile of χ²(23)
  });
  it('shuffled returns a permuted copy of the same type and leaves the input alone', () => {
    const x = Float32Array.from({ length: 50 }, (_, i) => i * 0.5);
    const before = Float32Array.from(x);
    const y = shuffled(x, 3);
    expect(y).toBeInstanceOf(Float32Array);
    expect(x).toEqual(before);
    expect(Array.from(y).sort((a, b) => a - b)).toEqual(Array.from(x));
    expect(y).not.toEqual(x);
    const perm = permutation(50, 3);
    for (let i = 0; i < 50; i++) expect(y[i]).toBe(x[perm[i]]);
  });
  it('shuffled(x, seed)[i] = x[permutation(n, seed)[i]] for any length, type and seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), fc.nat(), fc.boolean(), (n, seed, wide) => {
        const x = wide ? Float64Array.from({ length: n }, (_, i) => i / 3) : Uint16Array.from({ length: n }, (_, i) => (i * 7919) & 0xffff);
        const y = shuffled(x, seed);
        const perm = permutation(n, seed);
        for (let i = 0; i < n; i++) if (y[i] !== x[perm[i]]) return false;
        return y.length === n && y.constructor === x.constructor;
      }),
      { seed: 5, numRuns: 100 },
    );
  });
});

describe('normalArray / uniformArray', () => {
  it('are seeded and respect their parameters', () => {
    const a = normalArray(10_000, 5, 2, 0.5);
    expect(normalArray(10_000, 5, 2, 0.5)).toEqual(a);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean - 2)).toBeLessThan(0.02);
    const u = uniformArray(10_000, 5, -1, 1);
    expect(u.every((v) => v >= -1 && v < 1)).toBe(true);
    expect(() => normalArray(-1, 1)).toThrow(OckhamError);
    expect(() => normalArray(3, 1, 0, -1)).toThrow(OckhamError);
    expect(() => uniformArray(3, 1, 1, 1)).toThrow(OckhamError);
  });
});
