import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync, rmSync, symlinkSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { gguf } from '@huggingface/gguf';
import { OckhamError } from '../../src/errors.js';
import { dequantizeGgml, ggmlType, parseGguf, parseGgufHeader } from '../../src/io/gguf.js';
import { parseNpz } from '../../src/io/npz.js';
import { floatToHalf, halfToFloat } from '../../src/io/dtypes.js';
import { readGgufFile, readGgufHeader, streamGgufFile } from '../../src/io/node/gguf-file.js';
import { expectOckhamError } from '../helpers.js';

const FIX = join(__dirname, '..', 'fixtures', 'gguf');
const ALL = join(FIX, 'all-types.gguf');
const V2 = join(FIX, 'v2-default-align.gguf');
const allBytes = new Uint8Array(readFileSync(ALL));

/** Bit-exact float32 comparison (distinguishes -0 and NaN payloads from look-alikes). */
function bitsEqual(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let bad = -1;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i] && !(a[i] === 0 && b[i] === 0)) { bad = i; break; }
  expect(bad, bad >= 0 ? `element ${bad}: ${a[bad]} vs ${b[bad]}` : '').toBe(-1);
}

// ---------- hand-built blocks, expected values from the block formulas --------------------------

const f32 = Math.fround;
const h = (x: number) => floatToHalf(x);
function put16(b: Uint8Array, o: number, bits: number): void {
  b[o] = bits & 255;
  b[o + 1] = bits >> 8;
}

describe('dequantizeGgml on hand-built blocks', () => {
  it('Q8_0: y = d·q', () => {
    const b = new Uint8Array(34);
    put16(b, 0, h(0.25));
    const qs = Array.from({ length: 32 }, (_, j) => j * 8 - 128); // -128..120
    qs.forEach((q, j) => (b[2 + j] = q & 255));
    const y = dequantizeGgml('Q8_0', b, 32);
    expect(Array.from(y)).toEqual(qs.map((q) => q * 0.25));
  });

  it('Q4_0: y[j] = (lo−8)·d, y[j+16] = (hi−8)·d', () => {
    const b = new Uint8Array(18);
    put16(b, 0, h(-1.5));
    for (let j = 0; j < 16; j++) b[2 + j] = j | ((15 - j) << 4);
    const y = dequantizeGgml('Q4_0', b, 32);
    for (let j = 0; j < 16; j++) {
      expect(y[j]).toBe((j - 8) * -1.5);
      expect(y[j + 16]).toBe((15 - j - 8) * -1.5);
    }
  });

  it('Q4_1: y = d·q + m in float32', () => {
    const b = new Uint8Array(20);
    put16(b, 0, h(0.1)); // d is the f16 nearest 0.1
    put16(b, 2, h(-0.7));
    for (let j = 0; j < 16; j++) b[4 + j] = (j * 7) % 16 | ((j * 3) % 16 << 4);
    const d = halfToFloat(h(0.1));
    const m = halfToFloat(h(-0.7));
    const y = dequantizeGgml('Q4_1', b, 32);
    for (let j = 0; j < 16; j++) {
      expect(y[j]).toBe(f32(f32(((j * 7) % 16) * d) + m));
      expect(y[j + 16]).toBe(f32(f32(((j * 3) % 16) * d) + m));
    }
  });

  it('Q5_0 and Q5_1: the fifth bit of element i is bit i of qh', () => {
    const qh = 0xa5c3_0ff1 >>> 0;
    for (const type of ['Q5_0', 'Q5_1'] as const) {
      const size = type === 'Q5_0' ? 22 : 24;
      const b = new Uint8Array(size);
      put16(b, 0, h(0.5));
      if (type === 'Q5_1') put16(b, 2, h(3));
      const o = type === 'Q5_0' ? 2 : 4;
      new DataView(b.buffer).setUint32(o, qh, true);
      for (let j = 0; j < 16; j++) b[o + 4 + j] = (j + 1) % 16 | (j << 4);
      const y = dequantizeGgml(type, b, 32);
      for (let i = 0; i < 32; i++) {
        const lo = i < 16 ? (i + 1) % 16 : i - 16;
        const q = lo + 16 * ((qh >>> i) & 1);
        expect(y[i]).toBe(type === 'Q5_0' ? (q - 16) * 0.5 : q * 0.5 + 3);
      }
    }
  });

  /** 6-bit scale and min j of the 12 packed bytes, read as the spec's bit fields. */
  function k4(s: Uint8Array, j: number): [number, number] {
    if (j < 4) return [s[j] & 63, s[j + 4] & 63];
    const lowSc = s[8 + (j - 4)] & 15; // low 4 bits of scale j from byte 8+j-4, high 2 bits from the top of byte j-4
    const lowM = s[8 + (j - 4)] >> 4;
    return [lowSc | ((s[j - 4] >> 6) << 4), lowM | ((s[j] >> 6) << 4)];
  }

  it('Q4_K and Q5_K: sub-block s of 32 uses scale/min s; nibble = low for even s, high for odd', () => {
    for (const type of ['Q4_K', 'Q5_K'] as const) {
      const size = type === 'Q4_K' ? 144 : 176;
      const b = new Uint8Array(size);
      let seed = 7;
      for (let i = 0; i < size; i++) b[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      put16(b, 0, h(0.003));
      put16(b, 2, h(0.0017));
      const d = halfToFloat(h(0.003));
      const dmin = halfToFloat(h(0.0017));
      const s = b.subarray(4, 16);
      const qs = type === 'Q4_K' ? 16 : 48;
      const y = dequantizeGgml(type, b, 256);
      for (let k = 0; k < 256; k++) {
        const sub = k >> 5;
        const l = k & 31;
        const byte = b[qs + (sub >> 1) * 32 + l];
        let q = sub & 1 ? byte >> 4 : byte & 15;
        if (type === 'Q5_K') q += ((b[16 + l] >> sub) & 1) * 16;
        const [sc, mn] = k4(s, sub);
        expect(y[k]).toBe(f32(f32(f32(d * sc) * q) - f32(dmin * mn)));
      }
    }
  });

  it('Q6_K: 6-bit quants (4 low bits in ql, 2 high bits in qh) − 32, int8 scale per 16', () => {
    const b = new Uint8Array(210);
    for (let i = 0; i < 208; i++) b[i] = (i * 37 + 11) & 255;
    put16(b, 208, h(-0.02));
    const d = halfToFloat(h(-0.02));
    const y = dequantizeGgml('Q6_K', b, 256);
    for (let k = 0; k < 256; k++) {
      const half = k >> 7;
      const r = k & 127;
      const quarter = r >> 5;
      const l = r & 31;
      const lo = b[64 * half + l + (quarter & 1 ? 32 : 0)];
      const low = quarter < 2 ? lo & 15 : lo >> 4;
      const high = (b[128 + 32 * half + l] >> (2 * quarter)) & 3;
      const sc = (b[192 + (k >> 4)] << 24) >> 24;
      expect(y[k]).toBe(f32(f32(d * sc) * ((low | (high << 4)) - 32)));
    }
  });

  it('Q2_K: 2-bit quants; sub-block of 16 has scale = low nibble, min = high nibble', () => {
    const b = new Uint8Array(84);
    for (let i = 0; i < 80; i++) b[i] = (i * 53 + 7) & 255;
    put16(b, 80, h(0.0125));
    put16(b, 82, h(0.004));
    const d = halfToFloat(h(0.0125));
    const dmin = halfToFloat(h(0.004));
    const y = dequantizeGgml('Q2_K', b, 256);
    for (let k = 0; k < 256; k++) {
      const q = (b[16 + 32 * (k >> 7) + (k & 31)] >> (2 * ((k >> 5) & 3))) & 3;
      const sc = b[k >> 4];
      expect(y[k]).toBe(f32(f32(f32(d * (sc & 15)) * q) - f32(dmin * (sc >> 4))));
    }
  });

  it('Q3_K: 2 low bits in qs, a clear hmask bit subtracts 4; 6-bit scales − 32', () => {
    const b = new Uint8Array(110);
    for (let i = 0; i < 108; i++) b[i] = (i * 29 + 3) & 255;
    put16(b, 108, h(-0.03));
    const d = halfToFloat(h(-0.03));
    // The 16 scales written out as 6-bit fields: low 4 bits in bytes 0..7 (low then high nibbles), high 2 bits in bytes 8..11.
    const scale = (k: number) => {
      const low = k < 8 ? b[96 + k] & 15 : b[96 + k - 8] >> 4;
      const high = (b[104 + (k % 4)] >> (2 * Math.floor(k / 4))) & 3;
      return (low | (high << 4)) - 32;
    };
    const y = dequantizeGgml('Q3_K', b, 256);
    for (let k = 0; k < 256; k++) {
      const half = Math.floor(k / 128);
      const field = Math.floor((k % 128) / 32);
      const l = k % 32;
      const low = (b[32 + 32 * half + l] >> (2 * field)) & 3;
      const hbit = (b[l] >> (4 * half + field)) & 1;
      expect(y[k]).toBe(f32(f32(d * scale(Math.floor(k / 16))) * (low - (hbit ? 0 : 4))));
    }
  });

  it('Q8_K: float32 d times int8 quants (bsums ignored)', () => {
    const b = new Uint8Array(292);
    new DataView(b.buffer).setFloat32(0, 0.0123, true);
    for (let j = 0; j < 256; j++) b[4 + j] = (j * 91) & 255;
    const d = f32(0.0123);
    const y = dequantizeGgml('Q8_K', b, 256);
    for (let j = 0; j < 256; j++) expect(y[j]).toBe(f32(d * (((j * 91) << 24) >> 24)));
  });

  it('refuses unsupported types, partial blocks and wrong byte counts', () => {
    expectOckhamError(() => dequantizeGgml('IQ2_XXS', new Uint8Array(66), 256), { code: 'UNSUPPORTED', message: /IQ2_XXS/ });
    expectOckhamError(() => dequantizeGgml('Q4_0', new Uint8Array(18), 31), { code: 'INVALID_ARGUMENT', argument: 'count' });
    expectOckhamError(() => dequantizeGgml('Q4_0', new Uint8Array(17), 32), { code: 'SHAPE_MISMATCH' });
    expect(ggmlType('Q6_K')).toMatchObject({ id: 14, blockSize: 256, typeSize: 210 });
  });
});

// ---------- fixtures written by scripts/fixtures/gguf_fixtures.py -------------------------------

describe('parseGguf on the generated fixtures', () => {
  it('every tensor equals the independent numpy dequantization, bit for bit', () => {
    const expected = parseNpz(readFileSync(join(FIX, 'all-types.expected.npz')));
    const file = parseGguf(allBytes);
    expect(file.tensors.map((t) => t.name).sort()).toEqual(expected.tensors.map((t) => t.name).sort());
    for (const e of expected.tensors) {
      const t = file.tensors.find((x) => x.name === e.name)!;
      expect(t.shape, e.name).toEqual(e.shape);
      bitsEqual(t.data, e.data);
      expect(t.layout).toBe('gguf');
    }
    const types = Object.fromEntries(file.tensors.map((t) => [t.name, t.dtype]));
    expect(types).toMatchObject({ 'q2_k.weight': 'Q2_K', 'q3_k.weight': 'Q3_K', 'q4_k.weight': 'Q4_K', 'q8_0.weight': 'Q8_0', 'bf16.weight': 'BF16', cube: 'F32' });
    // ggml's ne = [2, 3, 4] (fastest first) is row-major [4, 3, 2].
    expect(file.tensors.find((t) => t.name === 'cube')!.shape).toEqual([4, 3, 2]);
  });

  it('metadata and tensor table agree with @huggingface/gguf', async () => {
    const ref = await gguf(ALL, { allowLocalFile: true });
    const ours = parseGgufHeader(allBytes);
    expect(ours.version).toBe(ref.metadata.version);
    expect(ours.alignment).toBe(64);
    expect(ours.dataOffset).toBe(Number(ref.tensorDataOffset));
    expect(ours.tensors.length).toBe(ref.tensorInfos.length);
    ours.tensors.forEach((t, i) => {
      const r = ref.tensorInfos[i];
      expect(t.name).toBe(r.name);
      expect(t.dims).toEqual(r.shape.map(Number));
      expect(t.typeId).toBe(r.dtype);
      expect(t.start).toBe(Number(ref.tensorDataOffset + r.offset));
    });
    const refMeta = ref.metadata as unknown as Record<string, unknown>;
    const keys = [...ours.metadata.keys()];
    expect(keys.length).toBe(Number(ref.metadata.kv_count));
    const plain = (v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<unknown>) : v);
    for (const k of keys) expect(plain(ours.metadata.get(k)!.value), k).toEqual(refMeta[k]);
    // Numeric arrays are held in the typed array of their item type.
    expect(ours.metadata.get('test.arr_u32')!.value).toEqual(new Uint32Array([1, 2, 3]));
    expect(ours.metadata.get('test.arr_f32')!.value).toEqual(new Float32Array([0.5, -2]));
    expect(ours.metadata.get('test.u64')).toEqual({ type: 'UINT64', value: 2n ** 60n + 1n });
    expect(ours.metadata.get('test.arr_str')).toEqual({ type: 'ARRAY', itemType: 'STRING', value: ['a', '', 'ccc'] });
  });

  it('metadata strings: scalars printed, long arrays summarised', () => {
    const { metadata } = parseGguf(allBytes, { names: [] });
    expect(metadata['general.name']).toBe('ockham fixture ünïcode');
    expect(metadata['test.u64']).toBe(String(2n ** 60n + 1n));
    expect(metadata['test.arr_u32']).toBe('[1,2,3]');
    expect(metadata['tokenizer.ggml.tokens']).toBe('[40 × STRING]');
  });

  it('a file written by llama.cpp\'s gguf-py (GGUFWriter, gguf.quants) equals gguf-py\'s own dequantization, bit for bit', async () => {
    const path = join(FIX, 'gguf-py.gguf');
    const bytes = new Uint8Array(readFileSync(path));
    const expected = parseNpz(readFileSync(join(FIX, 'gguf-py.expected.npz')));
    const file = parseGguf(bytes);
    expect(file.tensors.length).toBe(expected.tensors.length);
    for (const e of expected.tensors) {
      const t = file.tensors.find((x) => x.name === e.name)!;
      expect(t.shape, e.name).toEqual([4, 256]);
      expect(t.dtype, e.name).toBe(e.name.split('.')[0].toUpperCase());
      bitsEqual(t.data, e.data);
    }
    expect(file.header.alignment).toBe(64);
    expect(file.metadata['general.name']).toBe('ockham gguf-py fixture');
    expect(file.metadata['test.tokens']).toBe('["<s>","</s>","héllo"]');
    const ref = await gguf(path, { allowLocalFile: true });
    expect(file.header.dataOffset).toBe(Number(ref.tensorDataOffset));
    file.header.tensors.forEach((t, i) => {
      expect([t.name, t.typeId, t.dims, t.start]).toEqual([
        ref.tensorInfos[i].name, ref.tensorInfos[i].dtype, ref.tensorInfos[i].shape.map(Number), Number(ref.tensorDataOffset + ref.tensorInfos[i].offset),
      ]);
    });
  });

  it('v2 file with the default alignment of 32', async () => {
    const f = parseGguf(readFileSync(V2));
    expect(f.header.version).toBe(2);
    expect(f.header.alignment).toBe(32);
    expect(f.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([
      ['a', 'F32', [2, 4]],
      ['b', 'F16', [3]],
    ]);
    expect(Array.from(f.tensors[1].data)).toEqual([0.5, -1, 2]);
    const ref = await gguf(V2, { allowLocalFile: true });
    expect(f.header.dataOffset).toBe(Number(ref.tensorDataOffset));
  });

  it('stored: true keeps exactly each tensor’s stored bytes; names selects tensors', () => {
    const f = parseGguf(allBytes, { stored: true, names: ['q4_k.weight', 'bf16.weight'] });
    expect(f.tensors.map((t) => t.name)).toEqual(['q4_k.weight', 'bf16.weight']);
    const q = f.tensors[0];
    expect(q.stored!.dtype).toBe('Q4_K');
    expect(q.stored!.bytes.length).toBe(2 * 144);
    const info = f.header.tensors.find((t) => t.name === 'q4_k.weight')!;
    expect(q.stored!.bytes).toEqual(allBytes.subarray(info.start, info.end));
    expect(f.tensors[1].stored!.bytes.length).toBe(30);
    expectOckhamError(() => parseGguf(allBytes, { names: ['nope'] }), { argument: 'options.names' });
  });
});

// ---------- hostile input ---------------------------------------------------------------------

/** A GGUF header built from parts, for malformed-input tests. */
function ggufBytes(parts: Array<['u32', number] | ['u64', bigint | number] | ['str', string] | ['raw', number[]]>): Uint8Array {
  const out: number[] = [0x47, 0x47, 0x55, 0x46];
  for (const [k, v] of parts) {
    if (k === 'u32') for (let i = 0; i < 4; i++) out.push((v >>> (8 * i)) & 255);
    else if (k === 'u64') {
      const b = BigInt(v);
      for (let i = 0n; i < 8n; i++) out.push(Number((b >> (8n * i)) & 255n));
    } else if (k === 'str') {
      const s = new TextEncoder().encode(v);
      const n = BigInt(s.length);
      for (let i = 0n; i < 8n; i++) out.push(Number((n >> (8n * i)) & 255n));
      for (const x of s) out.push(x);
    } else out.push(...v);
  }
  return new Uint8Array(out);
}

describe('hostile GGUF headers end fast with a typed error', () => {
  const cases: Array<[string, Uint8Array, string, RegExp]> = [
    ['wrong magic', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 'PARSE_ERROR', /magic/],
    ['version 1', ggufBytes([['u32', 1], ['u64', 0], ['u64', 0]]), 'UNSUPPORTED', /version 1/],
    ['big-endian', ggufBytes([['u32', 0x03000000], ['u64', 0], ['u64', 0]]), 'UNSUPPORTED', /big-endian/],
    ['2^60 tensors', ggufBytes([['u32', 3], ['u64', 2n ** 60n], ['u64', 0]]), 'PARSE_ERROR', /beyond any real file/],
    ['1e9 kvs', ggufBytes([['u32', 3], ['u64', 0], ['u64', 1e9]]), 'PARSE_ERROR', /metadata entries/],
    ['string of 2^40 bytes', ggufBytes([['u32', 3], ['u64', 0], ['u64', 1], ['u64', 2 ** 40]]), 'PARSE_ERROR', /truncated/],
    [
      'array of 1e12 u64',
      ggufBytes([['u32', 3], ['u64', 0], ['u64', 1], ['str', 'k'], ['u32', 9], ['u32', 10], ['u64', 1e12]]),
      'PARSE_ERROR',
      /array of 1000000000000 UINT64/,
    ],
    ['bad value type', ggufBytes([['u32', 3], ['u64', 0], ['u64', 1], ['str', 'k'], ['u32', 77]]), 'PARSE_ERROR', /value type 77/],
    [
      'alignment 48',
      ggufBytes([['u32', 3], ['u64', 0], ['u64', 1], ['str', 'general.alignment'], ['u32', 4], ['u32', 48]]),
      'PARSE_ERROR',
      /power of two/,
    ],
    [
      'duplicate key',
      ggufBytes([['u32', 3], ['u64', 0], ['u64', 2], ['str', 'a'], ['u32', 0], ['raw', [1]], ['str', 'a'], ['u32', 0], ['raw', [1]]]),
      'PARSE_ERROR',
      /duplicate metadata key/,
    ],
    [
      'five dims',
      ggufBytes([['u32', 3], ['u64', 1], ['u64', 0], ['str', 't'], ['u32', 5], ['raw', new Array(64).fill(0)]]),
      'PARSE_ERROR',
      /n_dims 5/,
    ],
    [
      'unknown ggml type',
      ggufBytes([['u32', 3], ['u64', 1], ['u64', 0], ['str', 't'], ['u32', 1], ['u64', 32], ['u32', 99], ['u64', 0]]),
      'UNSUPPORTED',
      /ggml type 99/,
    ],
    [
      'row not a whole block',
      ggufBytes([['u32', 3], ['u64', 1], ['u64', 0], ['str', 't'], ['u32', 1], ['u64', 33], ['u32', 2], ['u64', 0]]),
      'PARSE_ERROR',
      /block size 32/,
    ],
    [
      'tensor past the end',
      ggufBytes([['u32', 3], ['u64', 1], ['u64', 0], ['str', 't'], ['u32', 2], ['u64', 1e6], ['u64', 1e6], ['u32', 0], ['u64', 0]]),
      'PARSE_ERROR',
      /truncated|more elements/,
    ],
    [
      'unaligned offset',
      ggufBytes([['u32', 3], ['u64', 1], ['u64', 0], ['str', 't'], ['u32', 1], ['u64', 1], ['u32', 0], ['u64', 4]]),
      'PARSE_ERROR',
      /multiple of the alignment/,
    ],
  ];
  for (const [label, bytes, code, msg] of cases) {
    it(label, () => {
      const t0 = performance.now();
      expectOckhamError(() => parseGguf(bytes), { code, message: msg });
      expect(performance.now() - t0).toBeLessThan(1000);
    });
  }

  it('two tensors overlapping and duplicate names', () => {
    const info = (name: string, off: number) => [['str', name], ['u32', 1], ['u64', 8], ['u32', 0], ['u64', off]] as const;
    const base = ggufBytes([['u32', 3], ['u64', 2], ['u64', 0], ...info('a', 0), ...info('b', 0)] as never);
    const padded = new Uint8Array(Math.ceil(base.length / 32) * 32 + 64);
    padded.set(base);
    expectOckhamError(() => parseGguf(padded), { code: 'PARSE_ERROR', message: /overlaps/ });
    const dup = ggufBytes([['u32', 3], ['u64', 2], ['u64', 0], ...info('a', 0), ...info('a', 32)] as never);
    expectOckhamError(() => parseGguf(dup), { code: 'PARSE_ERROR', message: /duplicate tensor name/ });
  });

  it('maxHeaderBytes bounds the header; maxTensorBytes and maxTotalBytes bound the output', () => {
    expectOckhamError(() => parseGguf(allBytes, { maxHeaderBytes: 100 }), { code: 'OUT_OF_RANGE', message: /maxHeaderBytes/ });
    expectOckhamError(() => parseGguf(allBytes, { maxTensorBytes: 1000 }), { code: 'OUT_OF_RANGE', message: /maxTensorBytes/ });
    expectOckhamError(() => parseGguf(allBytes, { maxTotalBytes: 5000 }), { code: 'OUT_OF_RANGE', message: /maxTotalBytes/ });
    expectOckhamError(() => parseGguf(allBytes, { maxTotalBytes: -1 }), { code: 'OUT_OF_RANGE', argument: 'options.maxTotalBytes' });
    expectOckhamError(() => parseGguf(allBytes, { maxBytes: 1 } as never), { code: 'UNKNOWN_OPTION' });
  });

  it('every truncation of a valid file and random byte flips end in a typed error or a valid parse', () => {
    for (let n = 0; n < allBytes.length; n += 7) {
      try {
        parseGguf(allBytes.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(OckhamError);
      }
    }
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(allBytes.length - 1), fc.nat(255)), { minLength: 1, maxLength: 8 }), (flips) => {
        const b = allBytes.slice();
        for (const [i, v] of flips) b[i] = v;
        try {
          const f = parseGguf(b);
          for (const t of f.tensors) expect(t.data.length).toBe(t.shape.reduce((a, x) => a * x, 1));
        } catch (e) {
          expect(e).toBeInstanceOf(OckhamError);
        }
      }),
      { seed: 16, numRuns: 300 },
    );
  });
});

// ---------- Node streaming reader -------------------------------------------------------------

describe('readGgufFile / streamGgufFile', () => {
  it('gives the same tensors as parseGguf and reads only the ranges asked for', async () => {
    const mem = parseGguf(allBytes);
    const file = await readGgufFile(ALL);
    expect(file.metadata).toEqual(mem.metadata);
    expect(file.tensors.map((t) => t.name)).toEqual(mem.tensors.map((t) => t.name));
    file.tensors.forEach((t, i) => bitsEqual(t.data, mem.tensors[i].data));
    const some = await readGgufFile(ALL, { names: ['q6_k.weight'], stored: true });
    expect(some.tensors.length).toBe(1);
    expect(some.tensors[0].stored!.bytes.length).toBe(2 * 210);
    const seen: string[] = [];
    for await (const t of streamGgufFile(ALL)) seen.push(`${t.index}/${t.count} ${t.name}`);
    expect(seen[0]).toBe(`0/${mem.tensors.length} ${mem.tensors[0].name}`);
    expect((await readGgufHeader(ALL)).tensors.length).toBe(mem.tensors.length);
  });

  it('reads only the ranges asked for: a 4 GiB sparse file with one small tensor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ockham-gguf-sparse-'));
    try {
      // Tensor "small": F32 [4] at data offset 0; tensor "huge": F32 [2^30] (4 GiB) at offset 32.
      const head = ggufBytes([
        ['u32', 3], ['u64', 2], ['u64', 0],
        ['str', 'small'], ['u32', 1], ['u64', 4], ['u32', 0], ['u64', 0],
        ['str', 'huge'], ['u32', 1], ['u64', 2 ** 30], ['u32', 0], ['u64', 32],
      ]);
      const dataOffset = Math.ceil(head.length / 32) * 32;
      const path = join(dir, 'sparse.gguf');
      const first = new Uint8Array(dataOffset + 16);
      first.set(head);
      new Float32Array(first.buffer, dataOffset, 4).set([1, 2, 3, 4]);
      writeFileSync(path, first);
      truncateSync(path, dataOffset + 32 + 4 * 2 ** 30); // a hole: no 4 GiB on disk or in memory
      const t0 = performance.now();
      const f = await readGgufFile(path, { names: ['small'] });
      expect(Array.from(f.tensors[0].data)).toEqual([1, 2, 3, 4]);
      await expect(readGgufFile(path, { maxTensorBytes: 2 ** 31 })).rejects.toMatchObject({ code: 'OUT_OF_RANGE', message: /"huge".*maxTensorBytes/ });
      await expect(readGgufFile(path, { maxTotalBytes: 2 ** 31 })).rejects.toMatchObject({ code: 'OUT_OF_RANGE', message: /maxTotalBytes/ });
      expect(performance.now() - t0).toBeLessThan(1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('grows the header read past the first MiB and refuses non-regular files and truncation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ockham-gguf-'));
    try {
      // A 3 MB string value: the header needs three reads.
      const big = 'x'.repeat(3_000_000);
      const b = ggufBytes([['u32', 3], ['u64', 0], ['u64', 1], ['str', 'big'], ['u32', 8], ['str', big]]);
      writeFileSync(join(dir, 'big.gguf'), b);
      const h = await readGgufHeader(join(dir, 'big.gguf'));
      expect((h.metadata.get('big')!.value as string).length).toBe(3_000_000);
      await expect(readGgufHeader(join(dir, 'big.gguf'), { maxHeaderBytes: 2_000_000 })).rejects.toMatchObject({ code: 'OUT_OF_RANGE' });
      writeFileSync(join(dir, 'cut.gguf'), allBytes.subarray(0, allBytes.length - 10));
      await expect(readGgufFile(join(dir, 'cut.gguf'))).rejects.toMatchObject({ code: 'PARSE_ERROR', argument: join(dir, 'cut.gguf') });
      symlinkSync('/dev/zero', join(dir, 'zero.gguf'));
      await expect(readGgufFile(join(dir, 'zero.gguf'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: /regular file/ });
      // A FIFO with no writer: refused at once (opening it for reading must not wait for a writer).
      execFileSync('mkfifo', [join(dir, 'pipe.gguf')]);
      await expect(readGgufFile(join(dir, 'pipe.gguf'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: /FIFO/ });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('GGUF models split by gguf-split (written by gguf-py, split_max_tensors=2)', () => {
  const SPLIT = join(FIX, 'split');
  it('any split names the whole model: all tensors, in order, through readWeightsFile and the report stream', async () => {
    const { readGgufSplits, readGgufSplitHeaders } = await import('../../src/io/node/gguf-file.js');
    const { readWeightsFile, openWeightsStream } = await import('../../src/io/node/weights-file.js');
    for (const n of [1, 2, 3]) {
      const path = join(SPLIT, `model-0000${n}-of-00003.gguf`);
      const f = await readGgufSplits(path);
      expect(f.tensors.map((t) => t.name)).toEqual(['t0', 't1', 't2', 't3', 't4']);
      f.tensors.forEach((t, i) => expect(Array.from(t.data)).toEqual(new Array(64).fill(i)));
      expect(f.metadata['general.name']).toBe('ockham split fixture');
      expect((await readWeightsFile(path)).tensors.length).toBe(5);
      expect((await readGgufSplitHeaders(path))!.paths.length).toBe(3);
    }
    const w = await openWeightsStream(join(SPLIT, 'model-00001-of-00003.gguf'));
    expect([w.count, w.params]).toEqual([5, 5 * 64]);
    const names: string[] = [];
    for await (const t of w.tensors) names.push(t.name);
    expect(names).toEqual(['t0', 't1', 't2', 't3', 't4']);
    // One split alone is still readable as a file.
    expect((await readGgufFile(join(SPLIT, 'model-00002-of-00003.gguf'))).tensors.map((t) => t.name)).toEqual(['t2', 't3']);
    const some = await readGgufSplits(join(SPLIT, 'model-00001-of-00003.gguf'), { names: ['t3'] });
    expect(some.tensors.map((t) => t.name)).toEqual(['t3']);
  });

  it('a missing split, a renamed split and a total over budget are refused', async () => {
    const { readGgufSplits } = await import('../../src/io/node/gguf-file.js');
    const { cpSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'ockham-gguf-split-'));
    try {
      cpSync(SPLIT, join(dir, 'a'), { recursive: true });
      rmSync(join(dir, 'a', 'model-00003-of-00003.gguf'));
      await expect(readGgufSplits(join(dir, 'a', 'model-00001-of-00003.gguf'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: /split 3 of 3/ });
      cpSync(SPLIT, join(dir, 'b'), { recursive: true });
      cpSync(join(dir, 'b', 'model-00001-of-00003.gguf'), join(dir, 'b', 'x-00002-of-00003.gguf'));
      await expect(readGgufSplits(join(dir, 'b', 'x-00002-of-00003.gguf'))).rejects.toMatchObject({ code: 'PARSE_ERROR', message: /do not match the file name/ });
      await expect(readGgufSplits(join(SPLIT, 'model-00001-of-00003.gguf'), { maxTotalBytes: 1000 })).rejects.toMatchObject({ code: 'OUT_OF_RANGE', message: /maxTotalBytes/ });
      await expect(readGgufSplits(ALL)).rejects.toMatchObject({ code: 'PARSE_ERROR', message: /not a GGUF split/ });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
