import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OckhamError } from '../../src/errors.js';
import {
  parseSafetensors,
  serializeSafetensors,
  halfToFloat,
  floatToHalf,
  floatToBfloat16,
} from '../../src/io/index.js';
import { decodeToFloat32 } from '../../src/io/dtypes.js';
import { expectOckhamError } from '../helpers.js';

/** Builds a safetensors file from a raw header object and a data buffer (for lying files). */
function rawFile(header: unknown, data: Uint8Array, pad = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(pad));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function expectOckham(fn: () => unknown, code?: string, match?: RegExp): void {
  expectOckhamError(fn, { ...(code ? { code } : {}), ...(match ? { message: match } : {}) });
}

describe('F16 / BF16 decoding', () => {
  it('decodes known binary16 values exactly', () => {
    const cases: [number, number][] = [
      [0x0000, 0],
      [0x3c00, 1],
      [0xc000, -2],
      [0x3555, 0.333251953125],
      [0x7bff, 65504],
      [0x0400, 2 ** -14],
      [0x0001, 2 ** -24],
      [0x03ff, 1023 * 2 ** -24],
      [0x7c00, Infinity],
      [0xfc00, -Infinity],
    ];
    for (const [bits, v] of cases) expect(halfToFloat(bits)).toBe(v);
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('file decoding of all 65,536 F16 patterns (little- and big-endian paths) equals halfToFloat', () => {
    const le = new Uint8Array(65536 * 2 + 1);
    const be = new Uint8Array(65536 * 2 + 1);
    for (let b = 0; b < 65536; b++) {
      le[1 + 2 * b] = b & 0xff; // offset 1: unaligned on purpose
      le[2 + 2 * b] = b >>> 8;
      be[1 + 2 * b] = b >>> 8;
      be[2 + 2 * b] = b & 0xff;
    }
    for (const [bytes, little] of [
      [le, true],
      [be, false],
    ] as const) {
      const got = decodeToFloat32(bytes, 1, 65536, 'f16', little);
      for (let b = 0; b < 65536; b++) {
        const want = halfToFloat(b);
        if (Number.isNaN(want)) expect(got[b]).toBeNaN();
        else if (!Object.is(got[b], want)) throw new Error(`pattern 0x${b.toString(16)}: got ${got[b]}, want ${want}`);
      }
    }
  });

  it('floatToHalf inverts halfToFloat on all 65,536 bit patterns (NaNs stay NaN)', () => {
    for (let b = 0; b < 65536; b++) {
      const v = halfToFloat(b);
      if (Number.isNaN(v)) expect(Number.isNaN(halfToFloat(floatToHalf(v)))).toBe(true);
      else expect(floatToHalf(v)).toBe(b);
    }
  });

  it('floatToHalf rounds half to even and overflows to Infinity', () => {
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even (down)
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(floatToHalf(65519)).toBe(0x7bff);
    expect(floatToHalf(65520)).toBe(0x7c00);
    expect(floatToHalf(2 ** -25)).toBe(0); // tie between 0 and the smallest subnormal → 0
    expect(floatToHalf(3 * 2 ** -25)).toBe(2);
  });

  it('bfloat16: known values and exact round trip of all 65,536 patterns', () => {
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    const bf = (bits: number) => {
      u[0] = bits << 16;
      return f[0];
    };
    expect(bf(0x3f80)).toBe(1);
    expect(bf(0x4049)).toBe(3.140625);
    expect(bf(0xc2f7)).toBe(-123.5);
    expect(bf(0x0001)).toBe(2 ** -133);
    for (let b = 0; b < 65536; b++) {
      const v = bf(b);
      if (!Number.isNaN(v)) expect(floatToBfloat16(v)).toBe(b);
    }
    expect(floatToBfloat16(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(floatToBfloat16(1 + 3 * 2 ** -8)).toBe(0x3f82);
  });

  it('a file with F16 and BF16 tensors decodes to the rounded values', () => {
    const x = new Float32Array([0.1, -2.5, 1000.3, 1e-6, 70000]);
    const bytes = serializeSafetensors([
      { name: 'h', shape: [5], data: x, dtype: 'F16' },
      { name: 'b', shape: [5], data: x, dtype: 'BF16' },
    ]);
    const { tensors } = parseSafetensors(bytes);
    const h = tensors.find((t) => t.name === 'h')!;
    const b = tensors.find((t) => t.name === 'b')!;
    expect(h.dtype).toBe('F16');
    expect(Array.from(h.data)).toEqual(Array.from(x, (v) => halfToFloat(floatToHalf(v))));
    expect(h.data[4]).toBe(Infinity);
    expect(b.data[0]).toBe(0.10009765625);
    expect(b.data[4]).toBe(70144);
  });
});

const nameArb = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== '__metadata__');
const tensorArb = fc
  .record({
    shape: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 3 }),
    dtype: fc.constantFrom('F32', 'F64', 'I32', 'U8', 'I16') as fc.Arbitrary<'F32' | 'F64' | 'I32' | 'U8' | 'I16'>,
    seed: fc.integer(),
  })
  .map(({ shape, dtype, seed }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    let s = seed >>> 0;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      data[i] = dtype === 'U8' ? s % 256 : dtype === 'I16' ? (s % 65536) - 32768 : dtype === 'I32' ? s | 0 : (s / 2 ** 32 - 0.5) * 1e3;
    }
    return { shape, dtype, data };
  });

describe('serializeSafetensors → parseSafetensors', () => {
  it('round-trips names, shapes, dtypes, values and metadata (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(nameArb, tensorArb), { selector: ([n]) => n, maxLength: 6 }),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
        (items, meta) => {
          const input = items.map(([name, t]) => ({ name, ...t }));
          const bytes = serializeSafetensors(input, meta);
          const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
          expect((8 + headerLen) % 8).toBe(0);
          const parsed = parseSafetensors(bytes);
          expect(parsed.metadata).toEqual(meta);
          expect(parsed.tensors.map((t) => t.name)).toEqual(input.map((t) => t.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
          for (const t of input) {
            const got = parsed.tensors.find((x) => x.name === t.name)!;
            expect(got.shape).toEqual(t.shape);
            expect(got.dtype).toBe(t.dtype);
            expect(Array.from(got.data)).toEqual(Array.from(t.data));
          }
          // Deterministic: input order does not matter.
          expect(serializeSafetensors([...input].reverse(), meta)).toEqual(bytes);
        },
      ),
      { seed: 42, numRuns: 150 },
    );
  });

  it('pads the header with spaces to an 8-byte boundary and keeps -0 and NaN', () => {
    const data = new Float32Array([-0, NaN, Infinity]);
    const bytes = serializeSafetensors([{ name: 'abc', shape: [3], data }]);
    const n = new DataView(bytes.buffer).getUint32(0, true);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text).toMatch(/^\{.*\} *$/);
    expect(n % 8).toBe(0);
    const got = parseSafetensors(bytes).tensors[0].data;
    expect(Object.is(got[0], -0)).toBe(true);
    expect(got[1]).toBeNaN();
    expect(got[2]).toBe(Infinity);
  });

  it('handles the names "__proto__" and "constructor" as plain keys', () => {
    const bytes = serializeSafetensors(
      [
        { name: '__proto__', shape: [1], data: new Float32Array([1]) },
        { name: 'constructor', shape: [1], data: new Float32Array([2]) },
      ],
      JSON.parse('{"__proto__": "x"}'),
    );
    const r = parseSafetensors(bytes);
    expect(r.tensors.map((t) => [t.name, t.data[0]])).toEqual([
      ['__proto__', 1],
      ['constructor', 2],
    ]);
    expect(Object.keys(r.metadata)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(r.metadata)).toBe(Object.prototype);
  });

  it('does not alias the input buffer', () => {
    const bytes = serializeSafetensors([{ name: 'w', shape: [2], data: new Float32Array([1, 2]) }]);
    const t = parseSafetensors(bytes).tensors[0];
    bytes.fill(0);
    expect(Array.from(t.data)).toEqual([1, 2]);
  });

  it('reads unaligned tensors and every integer dtype', () => {
    const bytes = rawFile(
      {
        a: { dtype: 'U8', shape: [3], data_offsets: [0, 3] },
        b: { dtype: 'F32', shape: [1], data_offsets: [3, 7] },
        c: { dtype: 'I64', shape: [1], data_offsets: [7, 15] },
        d: { dtype: 'BOOL', shape: [2], data_offsets: [15, 17] },
        e: { dtype: 'F8_E4M3', shape: [2], data_offsets: [17, 19] },
        f: { dtype: 'F8_E5M2', shape: [1], data_offsets: [19, 20] },
        g: { dtype: 'I8', shape: [], data_offsets: [20, 21] },
      },
      (() => {
        const d = new Uint8Array(21);
        const dv = new DataView(d.buffer);
        d.set([1, 2, 255], 0);
        dv.setFloat32(3, -1.5, true);
        dv.setBigInt64(7, -123456789012n, true);
        d.set([0, 7], 15);
        d.set([0x38, 0x7e], 17); // E4M3: 1.0, 448
        d[19] = 0x3c; // E5M2: 1.0
        d[20] = 0xfe; // -2
        return d;
      })(),
      1,
    );
    const t = Object.fromEntries(parseSafetensors(bytes).tensors.map((x) => [x.name, Array.from(x.data)]));
    expect(t).toEqual({ a: [1, 2, 255], b: [-1.5], c: [Math.fround(-123456789012)], d: [0, 1], e: [1, 448], f: [1], g: [-2] });
  });
});

describe('parseSafetensors rejects bad files with OckhamError', () => {
  const good = { w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } };
  const data16 = new Uint8Array(16);

  it('truncated or absurd header lengths', () => {
    expectOckham(() => parseSafetensors(new Uint8Array(5)), 'PARSE_ERROR', /at least 8/);
    const f = rawFile(good, data16);
    expectOckham(() => parseSafetensors(f.subarray(0, 20)), 'PARSE_ERROR', /past the end/);
    const huge = f.slice();
    new DataView(huge.buffer).setUint32(4, 1, true); // header length ≥ 2^32
    expectOckham(() => parseSafetensors(huge), 'PARSE_ERROR', /exceeds/);
  });

  it('bad JSON and non-object headers', () => {
    const bad = rawFile(good, data16);
    bad[8] = 0x5b; // '['
    expectOckham(() => parseSafetensors(bad), 'PARSE_ERROR', /start with/);
    const json = new TextEncoder().encode('{"a": ');
    const f = new Uint8Array(8 + json.length);
    new DataView(f.buffer).setUint32(0, json.length, true);
    f.set(json, 8);
    expectOckham(() => parseSafetensors(f), 'PARSE_ERROR', /JSON/);
  });

  it('unknown dtypes → UNSUPPORTED', () => {
    expectOckham(() => parseSafetensors(rawFile({ w: { dtype: 'Q4', shape: [4], data_offsets: [0, 16] } }, data16)), 'UNSUPPORTED', /Q4/);
  });

  it('offsets outside the file, overlapping, gapped, trailing, or mis-sized', () => {
    expectOckham(() => parseSafetensors(rawFile({ w: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } }, data16)), 'PARSE_ERROR');
    expectOckham(
      () =>
        parseSafetensors(
          rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, data16),
        ),
      'PARSE_ERROR',
      /overlaps/,
    );
    expectOckham(
      () =>
        parseSafetensors(
          rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, data16),
        ),
      'PARSE_ERROR',
      /gap/,
    );
    expectOckham(() => parseSafetensors(rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, data16)), 'PARSE_ERROR', /trailing/);
    expectOckham(() => parseSafetensors(rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, data16)), 'PARSE_ERROR', /needs 12/);
    expectOckham(() => parseSafetensors(rawFile({ a: { dtype: 'F32', shape: [4], data_offsets: [16, 0] } }, data16)), 'PARSE_ERROR', /begin > end/);
    expectOckham(() => parseSafetensors(rawFile({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 1e300] } }, data16)), 'PARSE_ERROR');
  });

  it('absurd shapes fail fast without allocating', () => {
    expectOckham(
      () => parseSafetensors(rawFile({ a: { dtype: 'F64', shape: [1e9, 1e9, 1e9], data_offsets: [0, 16] } }, data16)),
      'PARSE_ERROR',
      /needs more bytes/,
    );
    expectOckham(() => parseSafetensors(rawFile({ a: { dtype: 'F32', shape: [-4], data_offsets: [0, 16] } }, data16)), 'PARSE_ERROR');
    expectOckham(() => parseSafetensors(rawFile({ a: { dtype: 'F32', shape: [2.5], data_offsets: [0, 16] } }, data16)), 'PARSE_ERROR');
  });

  it('non-string metadata', () => {
    expectOckham(() => parseSafetensors(rawFile({ __metadata__: { step: 3 }, ...good }, data16)), 'PARSE_ERROR', /string/);
  });

  it('fuzz: truncations, byte flips and lying headers throw OckhamError or parse — never anything else', () => {
    const base = serializeSafetensors(
      [
        { name: 'a', shape: [3, 4], data: new Float32Array(12).fill(1.5) },
        { name: 'b', shape: [5], data: new Float32Array(5), dtype: 'F16' },
      ],
      { k: 'v' },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: base.length - 1 }).map((cut) => base.subarray(0, cut)),
          fc
            .array(fc.tuple(fc.integer({ min: 0, max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 })
            .map((flips) => {
              const b = base.slice();
              for (const [i, v] of flips) b[i] = v;
              return b;
            }),
          fc
            .record({
              dtype: fc.constantFrom('F32', 'F16', 'BF16', 'U8', 'X', 'I64'),
              shape: fc.array(fc.oneof(fc.integer({ min: -2, max: 8 }), fc.constant(2 ** 40), fc.double()), { maxLength: 4 }),
              offsets: fc.array(fc.oneof(fc.integer({ min: -4, max: 40 }), fc.constant(2 ** 53)), { minLength: 0, maxLength: 3 }),
            })
            .map(({ dtype, shape, offsets }) => rawFile({ t: { dtype, shape, data_offsets: offsets } }, new Uint8Array(32))),
          fc.uint8Array({ minLength: 0, maxLength: 64 }),
        ),
        (bytes) => {
          try {
            const r = parseSafetensors(bytes);
            for (const t of r.tensors) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
          } catch (e) {
            if (!(e instanceof OckhamError)) throw e;
          }
        },
      ),
      { seed: 7, numRuns: 600 },
    );
  });
});

describe('serializeSafetensors validates its input', () => {
  it('rejects duplicate names, shape mismatch, bad dtype and non-string metadata', () => {
    const d = new Float32Array(4);
    expectOckham(() => serializeSafetensors([{ name: 'a', shape: [4], data: d }, { name: 'a', shape: [4], data: d }]), 'INVALID_ARGUMENT', /duplicate/);
    expectOckham(() => serializeSafetensors([{ name: 'a', shape: [3], data: d }]), 'SHAPE_MISMATCH');
    expectOckham(() => serializeSafetensors([{ name: '__metadata__', shape: [4], data: d }]), 'INVALID_ARGUMENT');
    expectOckham(() => serializeSafetensors([{ name: 'a', shape: [4], data: new Float32Array([0.5, 0, 0, 0]), dtype: 'U8' }]), 'INVALID_ARGUMENT', /U8/);
    expectOckham(() => serializeSafetensors([], { a: 1 as unknown as string }), 'INVALID_ARGUMENT');
  });
});
