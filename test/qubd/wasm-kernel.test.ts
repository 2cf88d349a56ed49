/**
 * The WebAssembly SIMD QuBD kernel against the JS kernel (planeBdm) on the same codes, and against
 * analytic values: every per-plane count exact, BDM to 1e-12 relative; 16- and 32-bit counts;
 * both scoring paths (the per-plane touched list and the full sweep); counts above the log2
 * table; rows wider than a chunk; codes outside the arena and in a replaced arena; a table
 * switch; inputs not mutated.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { planeBdm, planeTotals } from '../../src/qubd/kernel.js';
import type { PlaneTotals } from '../../src/qubd/kernel.js';
import { planeBdmWasm, qubdModuleBytes, setWasmQubdEnabled, setWasmQubdScanAt } from '../../src/qubd/wasm-kernel.js';
import { quantizeInto } from '../../src/quantize/quantize.js';
import { defaultTable } from '../../src/ctm/default.js';
import { arenaFor } from '../../src/util/wasm-arena.js';
import { createRng, normalArray } from '../../src/util/random.js';

const t4 = defaultTable(2).shapes.get('4x4')!;

afterEach(() => {
  setWasmQubdScanAt(0.95);
  setWasmQubdEnabled(true);
});

function both(codes: Uint16Array, rows: number, cols: number, bits: number, values = t4.values, flags = t4.missing): [PlaneTotals, PlaneTotals] {
  const w = planeTotals(bits);
  expect(planeBdmWasm(codes, rows, cols, bits, values, flags, w)).toBe(true);
  const j = planeTotals(bits);
  planeBdm(codes, rows, cols, bits, values, flags, j);
  return [w, j];
}

function expectSame([w, j]: [PlaneTotals, PlaneTotals]): void {
  expect(Array.from(w.distinct)).toEqual(Array.from(j.distinct));
  expect(Array.from(w.missing)).toEqual(Array.from(j.missing));
  expect(Array.from(w.ones)).toEqual(Array.from(j.ones));
  for (let p = 0; p < w.bdm.length; p++) {
    expect(Math.abs(w.bdm[p] - j.bdm[p])).toBeLessThanOrEqual(1e-12 * Math.abs(j.bdm[p]));
    expect(Math.abs(w.ctm[p] - j.ctm[p])).toBeLessThanOrEqual(1e-12 * Math.abs(j.ctm[p]));
    expect(Math.abs(w.multiplicity[p] - j.multiplicity[p])).toBeLessThanOrEqual(1e-12 * Math.abs(j.bdm[p]));
    expect(Math.abs(w.ctm[p] + w.multiplicity[p] - w.bdm[p])).toBeLessThanOrEqual(1e-12 * Math.abs(w.bdm[p]));
  }
}

function randomCodes(n: number, bits: number, seed: number, smooth: boolean): Uint16Array {
  const rng = createRng(seed);
  const max = 2 ** bits;
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = smooth ? Math.floor((max * (1 + Math.sin(i / 37))) / 2.0001) : rng.int(max);
  return out;
}

describe('WebAssembly SIMD QuBD kernel', () => {
  it('assembles a valid module', () => {
    expect(WebAssembly.validate(qubdModuleBytes())).toBe(true);
  });

  it('equals the JS kernel on random shapes, depths and codes (16-bit counts, touched lists)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 70 }),
        fc.integer({ min: 4, max: 70 }),
        fc.integer({ min: 1, max: 16 }),
        fc.nat(),
        fc.boolean(),
        (r, c, bits, seed, smooth) => {
          const codes = randomCodes(r * c, bits, seed, smooth);
          const before = codes.slice();
          expectSame(both(codes, r, c, bits));
          expect(codes).toEqual(before);
        },
      ),
      { seed: 11, numRuns: 60 },
    );
  });

  for (const [name, scanAt] of [
    ['touched list', 2],
    ['full sweep', 0],
  ] as const) {
    it(`equals the JS kernel with 32-bit counts (≥ 2^16 blocks per plane; ${name})`, () => {
      setWasmQubdScanAt(scanAt);
      // 1032×1028: 66,306 blocks per plane; uniform 8-bit codes (nearly every code seen in the
      // low planes) and 3-bit smooth codes (few distinct).
      expectSame(both(randomCodes(1032 * 1028, 8, 21, false), 1032, 1028, 8));
      expectSame(both(randomCodes(1032 * 1028, 3, 22, true), 1032, 1028, 3));
    });
  }

  it('counts above 2^16 in one slot: CTM + log2(count) exactly as the analytic value', () => {
    // All-zero codes, 1032×1028 at 3 bits: every plane is one block code (0) seen 258·257 =
    // 66,306 times, past the log2 table, on both scoring paths.
    const [r, c] = [1032, 1028];
    const codes = new Uint16Array(r * c);
    const want = t4.values[0] + Math.log2(258 * 257);
    for (const scanAt of [2, 0]) {
      setWasmQubdScanAt(scanAt);
      const [w, j] = both(codes, r, c, 3);
      for (let p = 0; p < 3; p++) {
        expect(w.distinct[p]).toBe(1);
        expect(Math.abs(w.bdm[p] - want)).toBeLessThan(1e-12 * want);
        expect(Math.abs(j.bdm[p] - want)).toBeLessThan(1e-9 * want);
      }
    }
    // Counts straddling 2^16 up to 2^17 + 5 (the series path across several shifts).
    for (const blocks of [65535, 65536, 65537, 131077]) {
      const cols = 4 * blocks;
      const w = planeTotals(1);
      planeBdmWasm(new Uint16Array(4 * cols), 4, cols, 1, t4.values, t4.missing, w);
      const exact = t4.values[0] + Math.log2(blocks);
      expect(Math.abs(w.bdm[0] - exact)).toBeLessThan(1e-13 * exact);
    }
  });

  it('rows wider than a chunk (16,384 blocks) and leftover rows and columns', () => {
    const [r, c] = [9, 4 * 16390 + 3];
    expectSame(both(randomCodes(r * c, 10, 5, false), r, c, 10));
  });

  it('codes outside the arena, and codes left in an arena that was since replaced', () => {
    const [r, c] = [64, 48];
    const w = Float32Array.from(normalArray(r * c, 3));
    const q = quantizeInto(w, { bits: 8 }, null, true);
    const ref = planeTotals(8);
    planeBdm(q.codes.slice(), r, c, 8, t4.values, t4.missing, ref);
    // Grow the arena past the current one: the old view now lives in a stale memory.
    const old = q.codes.buffer;
    const arena = arenaFor(old.byteLength + (1 << 20));
    expect(arena?.memory.buffer).not.toBe(old);
    const got = planeTotals(8);
    planeBdmWasm(q.codes, r, c, 8, t4.values, t4.missing, got);
    expectSame([got, ref]);
    // A plain Uint16Array.
    expectSame(both(q.codes.slice(), r, c, 8));
  });

  it('follows a change of table (values and missing flags are re-copied)', () => {
    const rng = createRng(9);
    const values = Float64Array.from({ length: 65536 }, () => 20 + 10 * rng.next());
    const flags = Uint8Array.from({ length: 65536 }, () => (rng.next() < 0.3 ? 1 : 0));
    const codes = randomCodes(40 * 44, 8, 2, false);
    const a = both(codes, 40, 44, 8);
    const b = both(codes, 40, 44, 8, values, flags);
    expectSame(a);
    expectSame(b);
    expect(b[0].bdm[0]).not.toBe(a[0].bdm[0]);
    expect(b[0].missing[0]).toBeGreaterThan(0);
    // Back to the first table.
    expectSame(both(codes, 40, 44, 8));
  });

  it('reports false when disabled, leaving the totals untouched', () => {
    setWasmQubdEnabled(false);
    const out = planeTotals(2);
    expect(planeBdmWasm(new Uint16Array(64), 8, 8, 2, t4.values, t4.missing, out)).toBe(false);
    expect(Array.from(out.bdm)).toEqual([0, 0]);
  });
});
