import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OckhamError } from '../../src/errors.js';
import {
  compressedBits,
  deserializeCoarseGrained,
  dequantizeCoarseGrained,
  serializeCoarseGrained,
  type CoarseGrainedModel,
  type CoarseGrainedTensor,
} from '../../src/compress/index.js';

const code = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -2147483648, max: 2147483647 }));
const step = fc.double({ min: 1e-6, max: 10, noNaN: true });
const name = fc.string({ unit: 'grapheme', maxLength: 8 });

const dense = fc.tuple(name, fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), step).chain(([n, shape, s]) => {
  const size = shape.reduce((a, b) => a * b, 1);
  return fc.array(code, { minLength: size, maxLength: size }).map(
    (c): CoarseGrainedTensor => ({ kind: 'dense', name: n, shape, step: s, codes: Int32Array.from(c) }),
  );
});
const lowrank = fc.tuple(name, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), step).chain(
  ([n, rows, cols, rank, s]) =>
    fc.tuple(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: rows * rank, maxLength: rows * rank }), fc.array(fc.integer({ min: -50, max: 50 }), { minLength: rank * cols, maxLength: rank * cols })).map(
      ([l, r]): CoarseGrainedTensor => ({
        kind: 'lowrank',
        name: n,
        shape: [rows, cols],
        step: s,
        rank,
        left: { shape: [rows, rank], codes: Int32Array.from(l) },
        right: { shape: [rank, cols], codes: Int32Array.from(r) },
      }),
    ),
);
const model = fc
  .array(fc.oneof(dense, lowrank), { maxLength: 4 })
  .map((ts): CoarseGrainedModel => ({ tensors: ts.map((t, i) => ({ ...t, name: `${t.name}#${i}` })) }));

describe('coarse-grained model format', () => {
  it('round-trips exactly; bytes are deterministic; dequantized weights are bit-identical', () => {
    fc.assert(
      fc.property(model, (m) => {
        const bytes = serializeCoarseGrained(m);
        const back = deserializeCoarseGrained(bytes);
        expect(back).toEqual(m);
        expect(serializeCoarseGrained(back)).toEqual(bytes);
        const w1 = dequantizeCoarseGrained(m);
        const w2 = dequantizeCoarseGrained(back);
        w1.forEach((t, i) => expect(Array.from(w2[i].data)).toEqual(Array.from(t.data)));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('documented layout and dequantization (hand-checked bytes)', () => {
    const m: CoarseGrainedModel = { tensors: [{ kind: 'dense', name: 'w', shape: [3], step: 0.1, codes: new Int32Array([1, -1, 64]) }] };
    const bytes = serializeCoarseGrained(m);
    const f64 = new Uint8Array(new Float64Array([0.1]).buffer);
    expect(Array.from(bytes)).toEqual([
      0x4f, 0x43, 0x43, 0x47, 1, // "OCCG" v1
      1, // one tensor
      1, 0x77, // name "w"
      1, 3, // shape [3]
      0, // dense
      ...f64, // step, float64 LE
      2, 1, 0x80, 0x01, // zig-zag varints of 1, −1, 64 (→ 2, 1, 128)
    ]);
    const [t] = dequantizeCoarseGrained(m);
    expect(Array.from(t.data)).toEqual([Math.fround(0.1), Math.fround(-0.1), Math.fround(6.4)]);
    const lr = dequantizeCoarseGrained({
      tensors: [
        { kind: 'lowrank', name: 'a', shape: [2, 2], step: 0.5, rank: 1, left: { shape: [2, 1], codes: new Int32Array([1, 2]) }, right: { shape: [1, 2], codes: new Int32Array([3, -4]) } },
      ],
    });
    expect(Array.from(lr[0].data)).toEqual([0.75, -1, 1.5, -2]);
    expect(compressedBits(bytes, { codec: 'bzip2' })).toBeGreaterThan(0);
  });

  it('rejects malformed models and corrupted bytes with OckhamError', () => {
    const bad: unknown[] = [
      null,
      { tensors: 3 },
      { tensors: [{ kind: 'dense', name: 'w', shape: [2], step: 0, codes: new Int32Array(2) }] },
      { tensors: [{ kind: 'dense', name: 'w', shape: [2], step: 1, codes: new Int32Array(3) }] },
      { tensors: [{ kind: 'dense', name: 'w', shape: [2], step: 1, codes: [1, 2] }] },
      { tensors: [{ kind: 'sparse', name: 'w', shape: [2], step: 1, codes: new Int32Array(2) }] },
      { tensors: [{ kind: 'dense', name: 'w', shape: [1], step: 1, codes: new Int32Array(1) }, { kind: 'dense', name: 'w', shape: [1], step: 1, codes: new Int32Array(1) }] },
      { tensors: [{ kind: 'lowrank', name: 'a', shape: [2, 2], step: 1, rank: 1, left: { shape: [2, 2], codes: new Int32Array(4) }, right: { shape: [1, 2], codes: new Int32Array(2) } }] },
    ];
    for (const m of bad) expect(() => serializeCoarseGrained(m as CoarseGrainedModel)).toThrow(OckhamError);
    const good = serializeCoarseGrained({ tensors: [{ kind: 'dense', name: 'w', shape: [4], step: 0.25, codes: new Int32Array([1, 2, 3, 4]) }] });
    for (let cut = 0; cut < good.length; cut++) expect(() => deserializeCoarseGrained(good.subarray(0, cut))).toThrow(OckhamError);
    expect(() => deserializeCoarseGrained(Uint8Array.from([...good, 0]))).toThrow(OckhamError);
    const v2 = good.slice();
    v2[4] = 2;
    expect(() => deserializeCoarseGrained(v2)).toThrow(OckhamError);
    expect(() => deserializeCoarseGrained([1, 2] as unknown as Uint8Array)).toThrow(OckhamError);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (junk) => {
        try {
          deserializeCoarseGrained(Uint8Array.from([0x4f, 0x43, 0x43, 0x47, 1, ...junk]));
        } catch (e) {
          expect(e).toBeInstanceOf(OckhamError);
        }
      }),
      { seed: 1, numRuns: 300 },
    );
  });
});
