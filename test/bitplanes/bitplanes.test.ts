import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  binarize,
  bitPlanes,
  countOnes,
  defaultTile,
  interleavedBitImage,
  packBits,
  planesToCodes,
  serialBinarization,
  unpackPlane,
} from '../../src/bitplanes/index.js';
import type { BitPlane } from '../../src/bitplanes/index.js';
import { OckhamError } from '../../src/errors.js';
import { as2d } from '../../src/util/validate.js';

/** Cell (i, j) read straight from the packed layout documented in types.ts. */
const cell = (p: BitPlane, i: number, j: number): number => (p.data[i * p.stride + (j >>> 5)] >>> (31 - (j & 31))) & 1;

/** Every unused tail bit of every row is 0. */
function tailsClear(p: BitPlane): boolean {
  const used = p.cols & 31;
  if (used === 0) return true;
  const mask = (0xffffffff >>> used) >>> 0;
  for (let r = 0; r < p.rows; r++) if ((p.data[r * p.stride + p.stride - 1] & mask) !== 0) return false;
  return true;
}

/** A random tensor of b-bit codes with a random 1-D..4-D shape. */
const codesArb = fc
  .tuple(fc.integer({ min: 1, max: 16 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }))
  .filter(([, shape]) => shape.reduce((a, b) => a * b, 1) <= 5000)
  .map(([bits, shape, seed]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    let s = seed;
    const codes = new Uint16Array(n);
    const max = 2 ** bits;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      codes[i] = Math.floor((s / 2 ** 32) * max);
    }
    if (n > 1) codes[n - 1] = max - 1; // make sure the top code appears
    return { bits, shape, codes };
  });

describe('bitPlanes', () => {
  it('plane p holds bit p of every code on the (dim0, rest) view; tails are clear; planes rebuild the codes', () => {
    fc.assert(
      fc.property(codesArb, ({ bits, shape, codes }) => {
        const before = Uint16Array.from(codes);
        const planes = bitPlanes(codes, bits, shape);
        expect(codes).toEqual(before);
        const [rows, cols] = as2d(shape);
        expect(planes.length).toBe(bits);
        for (let p = 0; p < bits; p++) {
          const pl = planes[p];
          expect([pl.rows, pl.cols, pl.stride]).toEqual([rows, cols, Math.ceil(cols / 32)]);
          expect(tailsClear(pl)).toBe(true);
          for (let i = 0; i < rows; i++)
            for (let j = 0; j < cols; j++) if (cell(pl, i, j) !== ((codes[i * cols + j] >>> p) & 1)) throw new Error(`plane ${p} cell ${i},${j}`);
        }
        expect(planesToCodes(planes)).toEqual(codes);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
  it('accepts Uint8Array codes and matches the Uint16Array result', () => {
    const c8 = Uint8Array.from({ length: 100 }, (_, i) => (i * 37) & 255);
    const a = bitPlanes(c8, 8, [4, 25]);
    const b = bitPlanes(Uint16Array.from(c8), 8, [4, 25]);
    expect(a.map((p) => Array.from(p.data))).toEqual(b.map((p) => Array.from(p.data)));
  });
  it('small worked example (MSB-first words)', () => {
    const planes = bitPlanes(new Uint16Array([0, 1, 2, 3]), 2, [2, 2]);
    expect(Array.from(unpackPlane(planes[0]))).toEqual([0, 1, 0, 1]);
    expect(Array.from(unpackPlane(planes[1]))).toEqual([0, 0, 1, 1]);
    expect(Array.from(planes[0].data)).toEqual([0x40000000, 0x40000000]);
  });
  it('a (4, 3, 2) tensor is viewed as 4 × 6', () => {
    const planes = bitPlanes(new Uint16Array(24), 3, [4, 3, 2]);
    expect([planes[0].rows, planes[0].cols]).toEqual([4, 6]);
  });
  it('rejects codes ≥ 2^bits naming the index, bad bits, shape mismatch, empty, wrong types', () => {
    const e = (() => {
      try {
        bitPlanes(new Uint16Array([1, 2, 16, 3]), 4, [4]);
      } catch (err) {
        return err as OckhamError;
      }
    })();
    expect(e).toBeInstanceOf(OckhamError);
    expect(e?.code).toBe('OUT_OF_RANGE');
    expect(e?.argument).toBe('codes');
    expect(e?.message).toContain('element 2 is 16');
    for (const bits of [0, 17, 1.5]) expect(() => bitPlanes(new Uint16Array(4), bits, [4])).toThrow(/bits/);
    expect(() => bitPlanes(new Uint16Array(4), 4, [2, 3])).toThrow(/SHAPE|does not match/);
    expect(() => bitPlanes(new Uint16Array(0), 4, [0])).toThrow(OckhamError);
    expect(() => bitPlanes([1, 2] as never, 4, [2])).toThrow(OckhamError);
    expect(() => bitPlanes(new Uint16Array(4), 4, [] as never)).toThrow(OckhamError);
  });
});

describe('planesToCodes', () => {
  it('rejects empty lists, too many planes, malformed planes and mismatched dims', () => {
    const p = packBits(new Uint8Array(6), [2, 3]);
    expect(() => planesToCodes([])).toThrow(OckhamError);
    expect(() => planesToCodes(Array(17).fill(p))).toThrow(/1..16/);
    expect(() => planesToCodes([p, packBits(new Uint8Array(6), [3, 2])])).toThrow(/planes\[1\]/);
    expect(() => planesToCodes([{ ...p, stride: 2 }])).toThrow(/stride/);
    expect(() => planesToCodes([{ ...p, data: new Uint32Array(1) }])).toThrow(/data/);
  });
});

describe('packBits / unpackPlane / countOnes', () => {
  it('round-trip any 0/1 array, leave tails clear, count ones', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (rows, cols, seed) => {
        let s = seed;
        const bits01 = Uint8Array.from({ length: rows * cols }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s >>> 31));
        const before = Uint8Array.from(bits01);
        const plane = packBits(bits01, [rows, cols]);
        expect(bits01).toEqual(before);
        expect(tailsClear(plane)).toBe(true);
        expect(unpackPlane(plane)).toEqual(bits01);
        expect(countOnes(plane)).toBe(bits01.reduce((a, b) => a + b, 0));
      }),
      { seed: 42, numRuns: 200 },
    );
  });
  it('packBits matches the documented layout and rejects non-binary values by index', () => {
    expect(Array.from(packBits(new Uint8Array([1, 0, 0, 1]), [2, 2]).data)).toEqual([0x80000000, 0x40000000]);
    try {
      packBits(new Uint8Array([0, 1, 2]), [3]);
      throw new Error('no throw');
    } catch (e) {
      expect((e as OckhamError).code).toBe('NOT_BINARY');
      expect((e as OckhamError).argument).toBe('bits01');
      expect((e as OckhamError).message).toContain('element 2');
    }
    expect(() => packBits(new Uint8Array(3), [2, 2])).toThrow(/does not match/);
    expect(() => packBits(new Uint8Array(0), [1])).toThrow(OckhamError);
    expect(() => unpackPlane({ rows: 1, cols: 2 } as never)).toThrow(OckhamError);
  });
});

describe('binarize', () => {
  it('is 1[w > 0] on the 2-D view (zeros → 0)', () => {
    fc.assert(
      fc.property(fc.float32Array({ noNaN: true, noDefaultInfinity: true, minLength: 1, maxLength: 300 }), (x) => {
        const before = Float32Array.from(x);
        const p = binarize(x, [x.length]);
        expect(x).toEqual(before);
        expect(Array.from(unpackPlane(p))).toEqual(Array.from(x, (v) => (v > 0 ? 1 : 0)));
        expect(tailsClear(p)).toBe(true);
      }),
      { seed: 42, numRuns: 200 },
    );
    expect(Array.from(unpackPlane(binarize(new Float32Array([-1, 0, 2, 0.5]), [2, 2])))).toEqual([0, 0, 1, 1]);
    expect(binarize(new Float32Array(24), [2, 3, 4]).cols).toBe(12);
  });
  it('rejects NaN/Infinity by index, shape mismatch, empty', () => {
    expect(() => binarize(new Float32Array([0, Infinity]), [2])).toThrow(/element 1/);
    expect(() => binarize(new Float32Array(3), [2])).toThrow(OckhamError);
    expect(() => binarize(new Float32Array(0), [0])).toThrow(OckhamError);
  });
});

describe('interleavedBitImage and serialBinarization', () => {
  it('default tiles are the most nearly square factorisations', () => {
    const expected: Record<number, [number, number]> = { 1: [1, 1], 2: [1, 2], 3: [1, 3], 4: [2, 2], 6: [2, 3], 8: [2, 4], 9: [3, 3], 12: [3, 4], 16: [4, 4], 7: [1, 7] };
    for (const [b, t] of Object.entries(expected)) expect(defaultTile(Number(b))).toEqual(t);
  });
  it('tile cell (a, c) of weight (i, j) holds bit b − 1 − (a·tw + c), for default and custom tiles', () => {
    fc.assert(
      fc.property(codesArb, fc.boolean(), ({ bits, shape, codes }, custom) => {
        const [rows, cols] = as2d(shape);
        const tile: [number, number] = custom ? [1, bits] : defaultTile(bits);
        const [th, tw] = tile;
        const img = custom ? interleavedBitImage(codes, bits, shape, { tile }) : interleavedBitImage(codes, bits, shape);
        expect([img.rows, img.cols]).toEqual([rows * th, cols * tw]);
        expect(tailsClear(img)).toBe(true);
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < cols; j++)
            for (let a = 0; a < th; a++)
              for (let c = 0; c < tw; c++) {
                const want = (codes[i * cols + j] >>> (bits - 1 - (a * tw + c))) & 1;
                if (cell(img, i * th + a, j * tw + c) !== want) throw new Error(`weight ${i},${j} tile ${a},${c}`);
              }
        if (custom) expect(serialBinarization(codes, bits, shape)).toEqual(img);
      }),
      { seed: 42, numRuns: 150 },
    );
  });
  it('worked examples', () => {
    expect(Array.from(unpackPlane(interleavedBitImage(new Uint16Array([0b1011]), 4, [1, 1])))).toEqual([1, 0, 1, 1]);
    const s = serialBinarization(new Uint16Array([2, 1]), 2, [2]);
    expect([s.rows, s.cols]).toEqual([1, 4]);
    expect(Array.from(unpackPlane(s))).toEqual([1, 0, 0, 1]);
  });
  it('serialBinarization keeps all information: its bits decode back to the codes', () => {
    const codes = Uint16Array.from({ length: 7 * 9 }, (_, i) => (i * 2654435761) % 4096);
    const img = unpackPlane(serialBinarization(codes, 12, [7, 9]));
    const back = new Uint16Array(codes.length);
    for (let k = 0; k < codes.length; k++) for (let t = 0; t < 12; t++) back[k] = (back[k] << 1) | img[k * 12 + t];
    expect(back).toEqual(codes);
  });
  it('rejects bad tiles, codes out of range and unknown options', () => {
    const c = new Uint16Array(4);
    expect(() => interleavedBitImage(c, 4, [4], { tile: [3, 2] })).toThrow(/options.tile/);
    expect(() => interleavedBitImage(c, 4, [4], { tile: [0, 4] as never })).toThrow(/options.tile/);
    expect(() => interleavedBitImage(c, 4, [4], { tiles: [2, 2] } as never)).toThrow(/UNKNOWN|unknown/);
    expect(() => serialBinarization(new Uint16Array([4]), 2, [1])).toThrow(/element 0 is 4/);
    expect(() => serialBinarization(c, 2, [5])).toThrow(OckhamError);
  });
});
