/**
 * The fused QuBD kernels — WebAssembly SIMD (the default) and the JS fallback (codes → every
 * plane's 4×4 block BDM without materialising planes) — against the general path: bitPlanes +
 * ctmBlockDecompose, plane by plane. Built-in table.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setWasmQubdEnabled } from '../../src/qubd/wasm-kernel.js';
import { qubd } from '../../src/qubd/index.js';
import { quantize } from '../../src/quantize/index.js';
import { bitPlanes, countOnes } from '../../src/bitplanes/index.js';
import { ctmBlockDecompose } from '../../src/bdm/index.js';
import { normalArray } from '../../src/util/random.js';

function slow(w: Float32Array, rows: number, cols: number, bits: number, range?: 'symmetric' | 'percentile') {
  const q = quantize(w, { bits, ...(range ? { range } : {}) });
  return bitPlanes(q.codes, bits, [rows, cols]).map((p) => ({ ...ctmBlockDecompose(p, {}), ones: countOnes(p) }));
}

for (const backend of ['WebAssembly', 'JS fallback'] as const) describe(`fused QuBD kernel (${backend}) = bitPlanes + ctmBlockDecompose`, () => {
  beforeAll(() => setWasmQubdEnabled(backend === 'WebAssembly'));
  afterAll(() => setWasmQubdEnabled(true));

  it('small tensors (touched-list reset), any shape and depth', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 41 }), fc.integer({ min: 4, max: 41 }), fc.integer({ min: 1, max: 16 }), fc.nat(), (r, c, bits, seed) => {
        const w = Float32Array.from(normalArray(r * c, seed));
        const fast = qubd(w, { shape: [r, c], bits });
        const ref = slow(w, r, c, bits);
        fast.planes.forEach((p, i) => {
          expect(p.bdm).toBeCloseTo(ref[i].bdm, 8);
          expect(p.distinct).toBe(ref[i].distinct);
          expect(p.missing).toBe(ref[i].missing);
          expect(p.ones).toBe(ref[i].ones);
        });
      }),
      { seed: 7, numRuns: 40 },
    );
  });

  it('large tensors (fill reset), including counts above 65,535 in one slot', () => {
    // 200×203 at 8 bits; 256×256 at 3 bits; 1032×1028 at 2 bits: the top plane's all-zero block
    // occurs far more than 65,535 times (the log2 table's range).
    for (const [r, c, bits, seed] of [
      [200, 203, 8, 1],
      [256, 256, 3, 2],
      [1032, 1028, 2, 3],
    ] as const) {
      const w = Float32Array.from(normalArray(r * c, seed));
      // The big case: one outlier squeezes every other weight into code 0, so the all-zero block
      // fills nearly all 66,306 slots — a count above the log2 table's range.
      if (r > 1000) w[0] = 1e4;
      const fast = qubd(w, { shape: [r, c], bits });
      const ref = slow(w, r, c, bits);
      fast.planes.forEach((p, i) => {
        expect(Math.abs(p.bdm - ref[i].bdm)).toBeLessThan(1e-9 * ref[i].bdm);
        expect(p.distinct).toBe(ref[i].distinct);
        expect(p.ones).toBe(ref[i].ones);
        expect(p.blocks).toBe(ref[i].blocks);
      });
      if (r > 1000) expect(fast.planes[0].distinct).toBeLessThan(3);
    }
  });

  it('a constant tensor: every plane is all zeros, one distinct block each', () => {
    const r = qubd(new Float32Array(64 * 64).fill(0.5), { shape: [64, 64], bits: 4 });
    expect(r.quantization.constant).toBe(true);
    for (const p of r.planes) {
      expect(p.distinct).toBe(1);
      expect(p.ones).toBe(0);
    }
  });

  it('wide tensors with leftover rows and columns, 12 bits, every range', () => {
    // 70×1030: 257 blocks per block-row; 2 leftover rows and 2 leftover columns; 12 bits = two
    // 8-plane groups; min–max, symmetric (with its sign fix-up) and percentile ranges.
    const [r, c] = [70, 1030];
    const w = Float32Array.from(normalArray(r * c, 11));
    for (const range of [undefined, 'symmetric', 'percentile'] as const) {
      for (const bits of [3, 8, 12]) {
        const fast = qubd(w, { shape: [r, c], bits, ...(range ? { range } : {}) });
        const ref = slow(w, r, c, bits, range);
        fast.planes.forEach((p, i) => {
          expect(Math.abs(p.bdm - ref[i].bdm)).toBeLessThan(1e-9 * ref[i].bdm);
          expect(p.distinct).toBe(ref[i].distinct);
          expect(p.missing).toBe(ref[i].missing);
          expect(p.ones).toBe(ref[i].ones);
          expect(p.blocks).toBe(ref[i].blocks);
        });
      }
    }
  });
});
