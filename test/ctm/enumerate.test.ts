import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OckhamError } from '../../src/errors.js';
import type { CtmCounts } from '../../src/ctm/enumerate.js';
import {
  addLazyCounts,
  ctmEntriesFromCounts,
  ctmOutputs,
  enumerateCtm,
  enumerateCtmSubtree,
  finalizeCtmCounts,
  mergeRawTotals,
  newRawTotals,
  rawTotalsFromJson,
  rawTotalsToJson,
  rotateCode,
  splitCtmTasks,
} from '../../src/ctm/enumerate.js';
import { bruteForceCtm } from '../../src/ctm/enumerateBrute.js';
import { monteCarloHalting } from '../../src/ctm/enumerateMonteCarlo.js';

/** Lazy counts as a 'RxC:bits' → count map (nonzero only). */
function asMap(c: CtmCounts): Map<string, number> {
  const m = new Map<string, number>();
  ctmOutputs(c.dim, c.maxRecord).forEach(([r, cc, code], i) => {
    if (c.c0[i] > 0n) m.set(`${r}x${cc}:${code.toString(2).padStart(r * cc, '0')}`, Number(c.c0[i]));
  });
  return m;
}

function expectSameOutputs(lazy: CtmCounts, brute: ReturnType<typeof bruteForceCtm>): void {
  const a = asMap(lazy);
  expect(a.size).toBe(brute.outputs.size);
  for (const [k, v] of brute.outputs) expect([k, a.get(k)]).toEqual([k, v]);
}

describe('lazy enumerator = brute force, count for count', () => {
  for (const [n, cut] of [[1, 5], [2, 6], [2, 20], [3, 21]] as const) {
    it(`1-D n=${n} cutoff ${cut}`, () => {
      const lazy = enumerateCtm({ dim: 1, states: n, cutoff: cut });
      const brute = bruteForceCtm({ dim: 1, states: n, cutoff: cut });
      expect(lazy.total).toBe(BigInt(brute.total));
      expect(lazy.halting).toBe(BigInt(brute.halting));
      expect(lazy.haltingLarge).toBe(0n);
      expect(lazy.longest).toBe(brute.longest);
      expect(lazy.weightCheck).toBe(true);
      expectSameOutputs(lazy, brute);
    }, 60000);
  }
  it('1-D cutoffs below the longest halt (n=2 cutoff 3, n=3 cutoff 13) are cut exactly', () => {
    for (const [n, cut] of [[2, 3], [3, 13]]) {
      const lazy = enumerateCtm({ dim: 1, states: n, cutoff: cut });
      const brute = bruteForceCtm({ dim: 1, states: n, cutoff: cut });
      expect(lazy.halting).toBe(BigInt(brute.halting));
      expect(lazy.longest).toBe(cut);
      expectSameOutputs(lazy, brute);
    }
  }, 60000);
  for (const [n, cut, box] of [[1, 10, 0], [2, 40, 0], [2, 40, 2], [2, 40, 1]] as const) {
    it(`2-D n=${n} cutoff ${cut} maxBox ${box}`, () => {
      const lazy = enumerateCtm({ dim: 2, states: n, cutoff: cut, maxBox: box });
      const brute = bruteForceCtm({ dim: 2, states: n, cutoff: cut, maxBox: box || undefined });
      expect(lazy.total).toBe(BigInt(brute.total));
      expect(lazy.halting).toBe(BigInt(brute.halting - brute.haltingLarger));
      expect(lazy.weightCheck).toBe(true);
      expectSameOutputs(lazy, brute);
    }, 60000);
  }
});

describe('published check figures', () => {
  it('1-D n=1..3 halting counts and longest halts', () => {
    expect(enumerateCtm({ dim: 1, states: 1, cutoff: 1 }).halting).toBe(12n);
    const c2 = enumerateCtm({ dim: 1, states: 2, cutoff: 6 });
    expect([c2.halting, c2.total, c2.longest]).toEqual([3044n, 10000n, 6]);
    const c3 = enumerateCtm({ dim: 1, states: 3, cutoff: 21 });
    expect([c3.halting, c3.total, c3.longest]).toEqual([2147184n, 7529536n, 21]);
  });
  it('1-D n=4 cutoff 107: total 18^8, H0 2,985,384,480, longest halt 107', () => {
    const c = enumerateCtm({ dim: 1, states: 4, cutoff: 107 });
    expect(c.total).toBe(18n ** 8n);
    expect(c.halting).toBe(2985384480n);
    expect(c.longest).toBe(107);
    expect(c.weightCheck).toBe(true);
    // Cutoff 106 loses exactly the machines halting at step 107.
    expect(enumerateCtm({ dim: 1, states: 4, cutoff: 106 }).halting < c.halting).toBe(true);
  }, 60000);
  it('2-D n=2: 17,688 halting of 104,976', () => {
    const c = enumerateCtm({ dim: 2, states: 2, cutoff: 500 });
    expect([c.halting, c.total, c.weightCheck]).toEqual([17688n, 104976n, true]);
  });
  it('2-D n=3: 46,407,040 halting, 9,152 larger than 4×4, 1,777 distinct outputs up to 4×4', () => {
    const full = enumerateCtm({ dim: 2, states: 3, cutoff: 60 });
    expect(full.halting).toBe(46407040n);
    expect(full.haltingLarge).toBe(9152n);
    expect(full.weightCheck).toBe(true);
    let distinct = 0;
    for (const v of full.c0) if (v > 0n) distinct++;
    expect(distinct).toBe(1777);
    const pruned = enumerateCtm({ dim: 2, states: 3, cutoff: 500, maxBox: 4 });
    expect(pruned.halting).toBe(46407040n - 9152n);
    expect(pruned.halting + pruned.nonHalting + pruned.pruned).toBe(42n ** 0n * 26n ** 6n);
    expect(Array.from(pruned.c0)).toEqual(Array.from(full.c0));
  }, 60000);
});

describe('tasks, merging and symmetry', () => {
  it('split tasks + root partition the tree exactly (any split depth)', () => {
    const space = { dim: 2 as const, states: 2, cutoff: 12 };
    const whole = enumerateCtm(space);
    for (const depth of [1, 3]) {
      const { tasks, root } = splitCtmTasks(space, depth);
      const t = newRawTotals(space);
      addLazyCounts(t, root);
      for (const p of tasks) {
        const part = newRawTotals(space);
        addLazyCounts(part, enumerateCtmSubtree(space, p));
        mergeRawTotals(t, rawTotalsFromJson(JSON.parse(JSON.stringify(rawTotalsToJson(part))) as Record<string, unknown>));
      }
      const c = finalizeCtmCounts(t);
      expect(c.halting).toBe(whole.halting);
      expect(Array.from(c.c0)).toEqual(Array.from(whole.c0));
      expect(c.weightCheck).toBe(true);
    }
  });
  it('2-D counts are invariant under quarter turns; 1-D under reversal', () => {
    const c2 = enumerateCtm({ dim: 2, states: 2, cutoff: 40 });
    const m = asMap(c2);
    for (const [k, v] of m) {
      const [shape, bits] = k.split(':');
      const [r, c] = shape.split('x').map(Number);
      const rot = rotateCode(parseInt(bits, 2), r, c).toString(2).padStart(r * c, '0');
      expect(m.get(`${c}x${r}:${rot}`)).toBe(v);
    }
    const c1 = asMap(enumerateCtm({ dim: 1, states: 3, cutoff: 21 }));
    for (const [k, v] of c1) {
      const [shape, bits] = k.split(':');
      expect(c1.get(`${shape}:${[...bits].reverse().join('')}`)).toBe(v);
    }
  });
  it('rotateCode: four quarter turns are the identity (property, seed 42)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.nat(), (r, c, x) => {
        const code = x % 2 ** (r * c);
        let k = code, rr = r, cc = c;
        for (let g = 0; g < 4; g++) {
          k = rotateCode(k, rr, cc);
          [rr, cc] = [cc, rr];
        }
        return k === code;
      }),
      { seed: 42, numRuns: 200 },
    );
  });
  it('CTM entries: D sums to 1 over canonical keys when nothing is larger than the record', () => {
    const c = enumerateCtm({ dim: 1, states: 3, cutoff: 21 });
    const e = ctmEntriesFromCounts(c);
    expect(e.every((x) => x.code < 2 ** (x.rows * x.cols - 1))).toBe(true);
    // Each canonical key stands for two raw blocks with the same D: Σ over raw blocks is 1.
    const sumD = e.reduce((s, x) => s + 2 * 2 ** -x.ctm, 0);
    expect(sumD).toBeCloseTo(1, 12);
    expect(e.reduce((s, x) => s + x.count, 0n)).toBe(c.halting);
  });
});

describe('Monte Carlo halting fraction', () => {
  it('is within 5 standard errors of the exact fraction (2-D n=3, seeded)', () => {
    const r = monteCarloHalting({ dim: 2, states: 3, cutoff: 60 }, 200000, 7, 4);
    const p = 46407040 / 308915776;
    const se = Math.sqrt((p * (1 - p)) / r.samples);
    expect(Math.abs(r.halting / r.samples - p)).toBeLessThan(5 * se);
    expect(monteCarloHalting({ dim: 2, states: 3, cutoff: 60 }, 1000, 7, 4)).toEqual(monteCarloHalting({ dim: 2, states: 3, cutoff: 60 }, 1000, 7, 4));
  });
});

describe('validation', () => {
  it('rejects bad spaces with OckhamError', () => {
    expect(() => enumerateCtm({ dim: 3 as 1, states: 2, cutoff: 5 })).toThrow(OckhamError);
    expect(() => enumerateCtm({ dim: 1, states: 6, cutoff: 5 })).toThrow(OckhamError);
    expect(() => enumerateCtm({ dim: 1, states: 2, cutoff: 0 })).toThrow(OckhamError);
    expect(() => enumerateCtm({ dim: 1, states: 2, cutoff: 5, maxBox: 4 })).toThrow(OckhamError);
    expect(() => enumerateCtm({ dim: 2, states: 2, cutoff: 5, bogus: 1 } as never)).toThrow(OckhamError);
    expect(() => bruteForceCtm({ dim: 1, states: 4, cutoff: 5 })).toThrow(OckhamError);
  });
});
