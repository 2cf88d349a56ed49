/**
 * ctmBlockDecompose's fast path (2-D Uint8Array, 4×4 blocks, 'ignore': the QuBD kernel's block
 * counting) equals the general path bit for bit: every field, on many shapes (sides not
 * multiples of 4, wide, tall, below and above the dense-count threshold), densities, tables and
 * block spellings; other boundaries are untouched; errors unchanged.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ctmBlockDecompose, setBdmKernelPath } from '../../src/bdm/decompose.js';
import { defaultTable } from '../../src/ctm/default.js';
import type { CtmTable } from '../../src/ctm/types.js';
import { setWasmQubdEnabled } from '../../src/qubd/wasm-kernel.js';
import { OckhamError } from '../../src/errors.js';
import type { BdmOptions } from '../../src/bdm/types.js';

afterEach(() => {
  setBdmKernelPath(true);
  setWasmQubdEnabled(true);
});

function plane(rows: number, cols: number, density: number, seed: number): Uint8Array {
  const a = new Uint8Array(rows * cols);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < a.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    a[i] = (s >>> 0) / 4294967296 < density ? 1 : 0;
  }
  return a;
}

function both(a: Uint8Array, options: BdmOptions): void {
  setBdmKernelPath(true);
  const fast = ctmBlockDecompose(a, options);
  setBdmKernelPath(false);
  const slow = ctmBlockDecompose(a, options);
  setBdmKernelPath(true);
  expect(fast).toEqual(slow); // toEqual on numbers is Object.is: bit for bit
  expect(Object.keys(fast)).toEqual(Object.keys(slow));
}

describe('ctmBlockDecompose kernel path = general path', () => {
  it('random shapes and densities (property, fixed seed)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 90 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), (r, c, d, seed) => {
        both(plane(r, c, d, seed), { shape: [r, c] });
      }),
      { seed: 4, numRuns: 150 },
    );
  });

  it('large planes on both sides of the dense-count threshold (8192 blocks), 16- and 32-bit counts', () => {
    for (const [r, c] of [[360, 363], [362, 364], [1024, 1024], [1030, 1031], [4, 70000], [70001, 4]] as const) {
      for (const d of [0.01, 0.5, 0.97]) both(plane(r, c, d, r * c), { shape: [r, c] });
    }
  });

  it('block spelled 4 or [4, 4], an explicit boundary "ignore", another table', () => {
    const a = plane(37, 41, 0.3, 9);
    both(a, { shape: [37, 41], block: 4 });
    both(a, { shape: [37, 41], block: [4, 4], boundary: 'ignore' });
    const d = defaultTable(2).shapes.get('4x4')!;
    const values = d.values.map((v, i) => v + (i % 7) * 0.125);
    const t: CtmTable = { ndim: 2, nsymbols: 2, shapes: new Map([['4x4', { ...d, values }]]) };
    both(a, { shape: [37, 41], table: t });
  });

  it('other boundaries and blocks take the general path (unchanged results)', () => {
    const a = plane(29, 35, 0.4, 3);
    for (const o of [{ boundary: 'recursive' }, { boundary: 'correlated' }, { boundary: 'correlated', step: 3 }, { block: 3 }, { block: [2, 4] }] as BdmOptions[]) {
      both(a, { shape: [29, 35], ...o });
    }
  });

  it('without WebAssembly SIMD the general path runs (same result)', () => {
    const a = plane(64, 64, 0.5, 2);
    const want = ctmBlockDecompose(a, { shape: [64, 64] });
    setWasmQubdEnabled(false);
    expect(ctmBlockDecompose(a, { shape: [64, 64] })).toEqual(want);
  });

  it('a value other than 0/1 anywhere (SIMD groups and the tail) gives the same NOT_BINARY error', () => {
    for (const at of [0, 15, 16, 100, 20 * 21 - 1]) {
      const a = plane(20, 21, 0.5, 5);
      a[at] = at % 2 === 0 ? 2 : 255;
      let err: unknown;
      try {
        ctmBlockDecompose(a, { shape: [20, 21] });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OckhamError);
      expect((err as OckhamError).code).toBe('NOT_BINARY');
      expect((err as Error).message).toContain(`element ${at} `);
    }
  });

  it('does not modify the input', () => {
    const a = plane(33, 33, 0.5, 8);
    const copy = a.slice();
    ctmBlockDecompose(a, { shape: [33, 33] });
    expect(a).toEqual(copy);
  });
});
