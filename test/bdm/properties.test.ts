import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bdmFromCounts,
  bdmPerturbation,
  blockCounts,
  blockEntropy,
  ctmBlockDecompose,
  mergeBlockCounts,
  perturbBdm,
} from '../../src/bdm/index.js';
import type { BdmOptions, Boundary } from '../../src/bdm/index.js';
import type { CtmTable } from '../../src/ctm/types.js';
import { HAS_SHARED, pack, randomBits, referenceTables, relClose, slowScores, syntheticTable, toGrid } from './helpers.js';

const T1 = syntheticTable(1);
const T2 = syntheticTable(2);
const T1m = syntheticTable(1, { withMissing: true });
const T2m = syntheticTable(2, { withMissing: true });
// Squares 1, 2, 4 only (no 3x3) and one non-square: exercises the recursive fallback rule.
const T2sparse = syntheticTable(2, { shapes2d: [[1, 1], [2, 2], [4, 4], [4, 2]] });

interface Case {
  x: Uint8Array;
  rows: number;
  cols: number;
  block: [number, number];
  boundary: Boundary;
  minBlock?: number;
  step?: number;
}

const boundaryArb = fc.constantFrom<Boundary>('ignore', 'recursive', 'correlated');

/** Random 2-D cases whose block shape is in `table`. */
function case2d(table: CtmTable, maxSide = 13): fc.Arbitrary<Case> {
  const blocks = [...table.shapes.values()].filter((s) => s.rows * s.cols >= 2).map((s) => [s.rows, s.cols] as [number, number]);
  return fc
    .record({
      rows: fc.integer({ min: 1, max: maxSide }),
      cols: fc.integer({ min: 1, max: maxSide }),
      block: fc.constantFrom(...blocks),
      boundary: boundaryArb,
      minBlock: fc.integer({ min: 1, max: 3 }),
      step: fc.integer({ min: 1, max: 5 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      p: fc.constantFrom(0.1, 0.5, 0.9),
    })
    .map(({ rows, cols, block, boundary, minBlock, step, seed, p }) => ({
      x: randomBits(rows * cols, seed, p),
      rows,
      cols,
      block,
      boundary,
      minBlock: boundary === 'recursive' ? minBlock : undefined,
      step: boundary === 'correlated' ? step : undefined,
    }));
}

function case1d(table: CtmTable): fc.Arbitrary<Case> {
  return fc
    .record({
      n: fc.integer({ min: 1, max: 60 }),
      len: fc.integer({ min: 2, max: 12 }),
      boundary: boundaryArb,
      minBlock: fc.integer({ min: 1, max: 4 }),
      step: fc.integer({ min: 1, max: 5 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .filter(({ len }) => table.shapes.has(String(len)))
    .map(({ n, len, boundary, minBlock, step, seed }) => ({
      x: randomBits(n, seed),
      rows: 1,
      cols: n,
      block: [1, len] as [number, number],
      boundary,
      minBlock: boundary === 'recursive' ? minBlock : undefined,
      step: boundary === 'correlated' ? step : undefined,
    }));
}

function opts(c: Case, table: CtmTable): BdmOptions {
  const o: BdmOptions = {
    shape: table.ndim === 1 ? [c.cols] : [c.rows, c.cols],
    table,
    block: table.ndim === 1 ? c.block[1] : c.block,
    boundary: c.boundary,
  };
  return { ...o, ...(c.minBlock !== undefined ? { minBlock: c.minBlock } : {}), ...(c.step !== undefined ? { step: c.step } : {}) };
}

function slow(c: Case, table: CtmTable) {
  return slowScores(toGrid(c.x, c.rows, c.cols), table.ndim, table, {
    block: c.block,
    boundary: c.boundary,
    minBlock: c.minBlock,
    step: c.step,
  });
}

function transpose(x: Uint8Array, rows: number, cols: number): Uint8Array {
  const t = new Uint8Array(x.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
  return t;
}

const complement = (x: Uint8Array) => x.map((v) => 1 - v);

describe('partitions agree with a straightforward slow implementation', () => {
  for (const [name, table] of [
    ['2-D synthetic', T2],
    ['2-D synthetic with missing keys', T2m],
    ['2-D table without 3x3', T2sparse],
  ] as const) {
    it(`${name}: bdm, blocks, distinct, entropy (ignore / recursive / correlated)`, () => {
      fc.assert(
        fc.property(case2d(table), (c) => {
          const want = slow(c, table);
          const got = ctmBlockDecompose(c.x, opts(c, table));
          expect(got.blocks).toBe(want.blocks);
          expect(got.distinct).toBe(want.distinct);
          expect(relClose(got.bdm, want.bdm, 1e-12)).toBe(true);
          expect(relClose(blockEntropy(c.x, opts(c, table)), want.ent, 1e-12) || Math.abs(want.ent) < 1e-12).toBe(true);
          // Packed input gives the same numbers.
          const { shape: _s, ...rest } = opts(c, table);
          expect(ctmBlockDecompose(pack(c.x, c.rows, c.cols), rest).bdm).toBe(got.bdm);
        }),
        { seed: 42, numRuns: 300 },
      );
    });
  }
  for (const [name, table] of [
    ['1-D synthetic', T1],
    ['1-D synthetic with missing keys', T1m],
  ] as const) {
    it(`${name}: bdm, blocks, distinct, entropy`, () => {
      fc.assert(
        fc.property(case1d(table), (c) => {
          const want = slow(c, table);
          const got = ctmBlockDecompose(c.x, opts(c, table));
          expect(got.blocks).toBe(want.blocks);
          expect(got.distinct).toBe(want.distinct);
          expect(relClose(got.bdm, want.bdm, 1e-12)).toBe(true);
          const { shape: _s, ...rest } = opts(c, table);
          expect(ctmBlockDecompose(pack(c.x, 1, c.cols), rest).bdm).toBe(got.bdm);
        }),
        { seed: 7, numRuns: 300 },
      );
    });
  }

  it('wide 1-D rows: 12-bit blocks straddling word boundaries, 4x4 blocks at every column offset', () => {
    const x = randomBits(1000, 3);
    const c: Case = { x, rows: 1, cols: 1000, block: [1, 12], boundary: 'correlated', step: 1 };
    expect(relClose(ctmBlockDecompose(x, opts(c, T1)).bdm, slow(c, T1).bdm, 1e-12)).toBe(true);
    const y = randomBits(6 * 75, 4);
    const d: Case = { x: y, rows: 6, cols: 75, block: [4, 4], boundary: 'correlated', step: 1 };
    expect(relClose(ctmBlockDecompose(y, opts(d, T2)).bdm, slow(d, T2).bdm, 1e-12)).toBe(true);
  });
});

describe('invariances', () => {
  const tables: [string, CtmTable, CtmTable][] = [['synthetic', T1m, T2m]];
  if (HAS_SHARED) tables.push(['pybdm reference', referenceTables().d1, referenceTables().d2]);
  for (const [name, t1, t2] of tables) {
    it(`BDM is unchanged by complementing the input (${name} tables)`, () => {
      fc.assert(
        fc.property(fc.oneof(case2d(t2, 16).map((c) => [c, t2] as const), case1d(t1).map((c) => [c, t1] as const)), ([c, t]) => {
          const a = ctmBlockDecompose(c.x, opts(c, t)).bdm;
          const b = ctmBlockDecompose(complement(c.x), opts(c, t)).bdm;
          expect(relClose(a, b, 1e-12)).toBe(true);
        }),
        { seed: 11, numRuns: 200 },
      );
    });
    it(`2-D BDM is unchanged by transposing the input (${name} table)`, () => {
      fc.assert(
        fc.property(case2d(t2, 16), (c) => {
          const a = ctmBlockDecompose(c.x, opts(c, t2)).bdm;
          const tc: Case = { ...c, x: transpose(c.x, c.rows, c.cols), rows: c.cols, cols: c.rows, block: [c.block[1], c.block[0]] };
          const b = ctmBlockDecompose(tc.x, opts(tc, t2)).bdm;
          expect(relClose(a, b, 1e-12)).toBe(true);
        }),
        { seed: 12, numRuns: 200 },
      );
    });
  }
});

describe('N copies of one block give CTM + log2 N', () => {
  it('2-D (4x4 and non-square blocks) and 1-D', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom<[number, number]>([4, 4], [4, 2], [3, 3], [2, 4]),
        fc.boolean(),
        (code0, N, [bh, bw], oneD) => {
          if (oneD) {
            const len = 12;
            const code = code0 & 0xfff;
            const x = new Uint8Array(len * N);
            for (let k = 0; k < N; k++) for (let p = 0; p < len; p++) x[k * len + p] = (code >>> (len - 1 - p)) & 1;
            const r = ctmBlockDecompose(x, { shape: [x.length], table: T1m });
            expect(r).toMatchObject({ blocks: N, distinct: 1 });
            expect(relClose(r.bdm, T1m.shapes.get('12')!.values[code] + Math.log2(N), 1e-14)).toBe(true);
            return;
          }
          const cells = bh * bw;
          const code = code0 & ((1 << cells) - 1);
          // N copies side by side: bh rows × (N·bw) columns.
          const W = N * bw;
          const x = new Uint8Array(bh * W);
          for (let k = 0; k < N; k++)
            for (let p = 0; p < cells; p++) x[Math.floor(p / bw) * W + k * bw + (p % bw)] = (code >>> (cells - 1 - p)) & 1;
          const r = ctmBlockDecompose(x, { shape: [bh, W], table: T2m, block: [bh, bw] });
          expect(r).toMatchObject({ blocks: N, distinct: 1, missing: T2m.shapes.get(`${bh}x${bw}`)!.missing[code] });
          expect(relClose(r.bdm, T2m.shapes.get(`${bh}x${bw}`)!.values[code] + Math.log2(N), 1e-14)).toBe(true);
        },
      ),
      { seed: 5, numRuns: 200 },
    );
  });
});

describe('counts are mergeable', () => {
  it('2-D row-shards split on block-row boundaries merge to the BDM of the whole', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 70 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 1e9 }),
        (rows, cols, cuts, seed) => {
          const x = randomBits(rows * cols, seed);
          const whole = ctmBlockDecompose(x, { shape: [rows, cols], table: T2m });
          const parts = [];
          let r0 = 0;
          for (const k of cuts) {
            const r1 = r0 + 4 * k;
            if (r1 >= rows) break;
            parts.push(blockCounts(x.subarray(r0 * cols, r1 * cols), { shape: [r1 - r0, cols], table: T2m }));
            r0 = r1;
          }
          parts.push(blockCounts(x.subarray(r0 * cols), { shape: [rows - r0, cols], table: T2m }));
          const merged = bdmFromCounts(mergeBlockCounts(...parts), T2m);
          expect(merged.blocks).toBe(whole.blocks);
          expect(merged.distinct).toBe(whole.distinct);
          expect(merged.missing).toBe(whole.missing);
          expect(relClose(merged.bdm, whole.bdm, 1e-12)).toBe(true);
        },
      ),
      { seed: 21, numRuns: 150 },
    );
  });

  it('1-D chunks split on block boundaries merge to the BDM of the whole; inputs are not modified', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 1e9 }), (n, k, seed) => {
        const x = randomBits(n, seed);
        const copy = x.slice();
        const whole = ctmBlockDecompose(x, { shape: [n], table: T1 });
        const a = blockCounts(x.subarray(0, Math.min(n, 12 * k)), { shape: [Math.min(n, 12 * k)], table: T1 });
        const parts = [a];
        if (n > 12 * k) parts.push(blockCounts(x.subarray(12 * k), { shape: [n - 12 * k], table: T1 }));
        const aDistinct = a.shapes[0].distinct;
        const merged = bdmFromCounts(mergeBlockCounts(...parts), T1);
        expect(a.shapes[0].distinct).toBe(aDistinct);
        expect(relClose(merged.bdm, whole.bdm, 1e-12)).toBe(true);
        expect(merged.blocks).toBe(whole.blocks);
        expect(x).toEqual(copy);
      }),
      { seed: 22, numRuns: 150 },
    );
  });
});

describe('incremental perturbation equals recomputation', () => {
  const check = (c: Case, table: CtmTable) => {
    const o = opts(c, table);
    const d = bdmPerturbation(c.x, o);
    const base = ctmBlockDecompose(c.x, o).bdm;
    const y = c.x.slice();
    for (let i = 0; i < y.length; i++) {
      y[i] ^= 1;
      const want = ctmBlockDecompose(y, o).bdm - base;
      y[i] ^= 1;
      expect(Math.abs(d[i] - want)).toBeLessThan(1e-9 * Math.max(1, Math.abs(base)));
    }
  };
  it('2-D, all boundaries, synthetic table with missing keys', () => {
    fc.assert(fc.property(case2d(T2m, 10), (c) => check(c, T2m)), { seed: 31, numRuns: 80 });
  });
  it('1-D, all boundaries', () => {
    fc.assert(fc.property(case1d(T1m), (c) => check(c, T1m)), { seed: 32, numRuns: 80 });
  });
  it('single-cell perturbBdm equals the map entry; [row, col] index', () => {
    const x = randomBits(9 * 11, 77);
    const o = { shape: [9, 11], table: T2 };
    const d = bdmPerturbation(x, o);
    for (const [i, j] of [[0, 0], [3, 7], [8, 10], [5, 2]]) {
      expect(relClose(perturbBdm(x, [i, j], o), d[i * 11 + j], 1e-12) || d[i * 11 + j] === 0).toBe(true);
      expect(perturbBdm(x, i * 11 + j, o)).toBe(perturbBdm(x, [i, j], o));
    }
  });
});

describe('dense (untracked) and tracked counting agree', () => {
  it('a 392×360 plane (8,820 4×4 blocks: dense path) equals its merged 8-row shards (tracked) and the slow reference', () => {
    const rows = 392;
    const cols = 362; // leftover columns dropped
    const x = randomBits(rows * cols, 2024, 0.3);
    const whole = ctmBlockDecompose(pack(x, rows, cols), { table: T2m });
    const parts = [];
    for (let r = 0; r < rows; r += 8) parts.push(blockCounts(x.subarray(r * cols, (r + 8) * cols), { shape: [8, cols], table: T2m }));
    const merged = bdmFromCounts(mergeBlockCounts(...parts), T2m);
    expect(whole.blocks).toBe(98 * 90);
    expect(merged.blocks).toBe(whole.blocks);
    expect(merged.distinct).toBe(whole.distinct);
    expect(merged.missing).toBe(whole.missing);
    expect(relClose(merged.bdm, whole.bdm, 1e-12)).toBe(true);
    const s = slow({ x, rows, cols, block: [4, 4], boundary: 'ignore' }, T2m);
    expect(whole.distinct).toBe(s.distinct);
    expect(relClose(whole.bdm, s.bdm, 1e-12)).toBe(true);
  });
});
