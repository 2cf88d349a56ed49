import { afterEach, describe, expect, it } from 'vitest';
import { qubd, setQubdChunkElems } from '../../src/qubd/qubd.js';
import { setWasmQubdEnabled } from '../../src/qubd/wasm-kernel.js';
import { createRng } from '../../src/util/random.js';

/** A structured tensor: noise plus a low-rank ramp, so planes differ and blocks repeat. */
function tensor(rows: number, cols: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const x = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) x[i * cols + j] = 0.02 * rng.normal() + 0.01 * Math.sin(i / 7) * Math.cos(j / 5);
  return x;
}

afterEach(() => {
  setQubdChunkElems(1 << 20);
  setWasmQubdEnabled(true);
});

describe('qubd low-memory (sliced) path', () => {
  // Shapes: leftover rows and columns, one slice row-band, 2^16+ blocks (32-bit counts).
  const shapes: [number, number][] = [
    [103, 61],
    [64, 64],
    [257, 33],
    [1027, 1030],
  ];
  for (const [rows, cols] of shapes) {
    it(`is bit-identical to the whole-tensor path and the JS kernel (${rows}×${cols})`, () => {
      const x = tensor(rows, cols, rows + cols);
      for (const bits of [1, 3, 8]) {
        setQubdChunkElems(1 << 30); // whole tensor at once (the pre-existing path)
        const whole = qubd(x, { shape: [rows, cols], bits });
        setWasmQubdEnabled(false);
        const js = qubd(x, { shape: [rows, cols], bits });
        setWasmQubdEnabled(true);
        for (const elems of [4 * cols, 7 * cols + 3, 1000, 50_000]) {
          setQubdChunkElems(elems);
          const sliced = qubd(x, { shape: [rows, cols], bits });
          expect(sliced).toEqual(whole);
        }
        expect(js.planes.map((p) => p.ones)).toEqual(whole.planes.map((p) => p.ones));
        expect(js.planes.map((p) => p.distinct)).toEqual(whole.planes.map((p) => p.distinct));
        for (let p = 0; p < bits; p++) expect(js.planes[p].bdm).toBeCloseTo(whole.planes[p].bdm, 6);
      }
    });
  }

  it('falls back to the whole-tensor path for 16-bit codes, percentile ranges and constant tensors', () => {
    const x = tensor(40, 40, 3);
    setQubdChunkElems(1 << 30);
    const ref16 = qubd(x, { shape: [40, 40], bits: 12 });
    const refP = qubd(x, { shape: [40, 40], range: 'percentile' });
    const c = new Float32Array(1600).fill(0.5);
    const refC = qubd(c, { shape: [40, 40] });
    setQubdChunkElems(160);
    expect(qubd(x, { shape: [40, 40], bits: 12 })).toEqual(ref16);
    expect(qubd(x, { shape: [40, 40], range: 'percentile' })).toEqual(refP);
    expect(qubd(c, { shape: [40, 40] })).toEqual(refC);
  });

  it('names the tensor for a non-finite value on the sliced path', () => {
    const x = tensor(64, 64, 4);
    x[1234] = NaN;
    setQubdChunkElems(256);
    expect(() => qubd(x, { shape: [64, 64] })).toThrow(/tensor/);
  });
});
