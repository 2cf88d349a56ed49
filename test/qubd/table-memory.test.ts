/**
 * Issue 15: a CTM table edited in place is scored with its new values by the wasm kernel, as by
 * the JS kernel; and a large call gives its memory back (the shared arena and the code scratch).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { qubd } from '../../src/qubd/index.js';
import { setWasmQubdEnabled } from '../../src/qubd/wasm-kernel.js';
import { defaultTable } from '../../src/ctm/default.js';
import type { CtmTable } from '../../src/ctm/types.js';
import { ARENA_STATIC, RETAIN_BYTES, arenaBytes } from '../../src/util/wasm-arena.js';
import { createRng, normalArray } from '../../src/util/random.js';

afterEach(() => setWasmQubdEnabled(true));

function copyTable(): CtmTable {
  const src = defaultTable(2);
  const s = src.shapes.get('4x4')!;
  return { ndim: 2, nsymbols: 2, shapes: new Map([['4x4', { ...s, values: s.values.slice(), missing: s.missing.slice() }]]) };
}

describe('tables edited in place', () => {
  it('wasm and JS kernels both use the edited values', () => {
    const w = normalArray(64 * 64, 3);
    const table = copyTable();
    const before = qubd(w, { shape: [64, 64], bits: 4, table });
    const v = table.shapes.get('4x4')!.values;
    for (let c = 0; c < v.length; c++) v[c] += 1; // every distinct block now costs one bit more
    const wasm = qubd(w, { shape: [64, 64], bits: 4, table });
    setWasmQubdEnabled(false);
    const js = qubd(w, { shape: [64, 64], bits: 4, table });
    for (let p = 0; p < 4; p++) {
      expect(wasm.planes[p].bdm).toBeCloseTo(js.planes[p].bdm, 9);
      expect(wasm.planes[p].bdm).toBeCloseTo(before.planes[p].bdm + before.planes[p].distinct, 9);
    }
  });
});

describe('memory release', () => {
  it('a call needing more than RETAIN_BYTES drops the arena; a small call after it keeps a small one', () => {
    // 12M weights: the quantizer's input copy (4 B) + codes (2 B) per weight exceed 64 MiB.
    const n = 3000 * 4000;
    const w = new Float32Array(n);
    const r = createRng(5);
    for (let i = 0; i < n; i += 97) w[i] = r.next();
    // 12 bits: the whole-tensor path (the sliced low-memory path covers bits ≤ 8, see below).
    qubd(w, { shape: [3000, 4000], bits: 12 });
    expect(arenaBytes()).toBe(0); // dropped: freed by the next GC
    expect(RETAIN_BYTES).toBeLessThan(6 * n); // the call did need more
    const small = normalArray(256 * 256, 6);
    const a = qubd(small, { shape: [256, 256], bits: 8 });
    expect(arenaBytes()).toBeGreaterThan(0);
    expect(arenaBytes()).toBeLessThanOrEqual(ARENA_STATIC + RETAIN_BYTES);
    // Results after the release equal a fresh computation (JS kernel).
    setWasmQubdEnabled(false);
    const b = qubd(small, { shape: [256, 256], bits: 8 });
    for (let p = 0; p < 8; p++) expect(a.planes[p].bdm).toBeCloseTo(b.planes[p].bdm, 8);
  });

  it('at bits ≤ 8 a large tensor is quantized and counted in slices: the arena stays small', () => {
    const n = 3000 * 4000;
    const w = new Float32Array(n);
    const r = createRng(7);
    for (let i = 0; i < n; i += 89) w[i] = r.next();
    qubd(w, { shape: [3000, 4000], bits: 8 });
    // One ~1M-element slice (4 B input + 2 B codes each) + the filter room, not 6 B × 12M.
    expect(arenaBytes()).toBeGreaterThan(0);
    expect(arenaBytes()).toBeLessThan(ARENA_STATIC + (16 << 20));
  });
});
