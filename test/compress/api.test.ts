import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OckhamError } from '../../src/errors.js';
import { compress, compressedBits, decompress, naiveCompressedBits, DECOMPRESS_MAX_BYTES, type Codec } from '../../src/compress/index.js';
import { weightCorpus } from './corpus.js';
import { equalBytes } from './helpers.js';

const CODECS: Codec[] = ['bzip2', 'deflate', 'gzip', 'arith'];
const inputs = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }),
  fc.uint8Array({ minLength: 1, maxLength: 1 }),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 3000 })).map(([b, n]) => new Uint8Array(n).fill(b)),
  fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 300 })), { maxLength: 20 }).map((runs) =>
    Uint8Array.from(runs.flatMap(([b, n]) => Array<number>(n).fill(b))),
  ),
);

function expectOckham(fn: () => unknown, code?: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OckhamError);
    if (code) expect((e as OckhamError).code).toBe(code);
    return;
  }
  throw new Error('expected an OckhamError');
}

describe('round trips for every codec and level', () => {
  it('decompress(compress(x)) = x; compressedBits = 8·stream length', () => {
    fc.assert(
      fc.property(inputs, fc.constantFrom(...CODECS), fc.integer({ min: 0, max: 9 }), (b, codec, lv) => {
        const options = codec === 'arith' ? { codec } : { codec, level: codec === 'bzip2' ? Math.max(1, lv) : lv };
        const copy = b.slice();
        const z = compress(b, options);
        expect(equalBytes(b, copy)).toBe(true); // input untouched
        expect(compressedBits(b, options)).toBe(z.length * 8);
        expect(equalBytes(decompress(z, { codec }), b)).toBe(true);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('is deterministic (gzip has no timestamp)', () => {
    const b = weightCorpus(5000)[1].bytes;
    for (const codec of CODECS) expect(equalBytes(compress(b, { codec }), compress(b, { codec }))).toBe(true);
  });
});

describe('bad input → OckhamError', () => {
  it('rejects non-Uint8Array, unknown codec, bad level, unknown option', () => {
    expectOckham(() => compress([1, 2, 3] as unknown as Uint8Array, { codec: 'bzip2' }), 'INVALID_ARGUMENT');
    expectOckham(() => compress(new Uint8Array(1), { codec: 'lzma' as Codec }), 'INVALID_ARGUMENT');
    expectOckham(() => compress(new Uint8Array(1), { codec: 'bzip2', level: 0 }), 'OUT_OF_RANGE');
    expectOckham(() => compress(new Uint8Array(1), { codec: 'bzip2', level: 10 }), 'OUT_OF_RANGE');
    expectOckham(() => compress(new Uint8Array(1), { codec: 'deflate', level: 1.5 }), 'OUT_OF_RANGE');
    expectOckham(() => compress(new Uint8Array(1), { codec: 'arith', level: 3 }), 'INVALID_ARGUMENT');
    expectOckham(() => compress(new Uint8Array(1), { codec: 'gzip', levle: 3 } as never), 'UNKNOWN_OPTION');
    expectOckham(() => compressedBits(new Uint8Array(1), undefined as never), 'INVALID_ARGUMENT');
    expectOckham(() => decompress('BZh9' as unknown as Uint8Array, { codec: 'bzip2' }), 'INVALID_ARGUMENT');
    expectOckham(() => decompress(new Uint8Array(4), { codec: 'zip' as Codec }), 'INVALID_ARGUMENT');
  });

  it('every truncation of a stream throws (bzip2, gzip, arith) and never hangs', () => {
    const b = weightCorpus(3000, 2)[4].bytes;
    for (const codec of ['bzip2', 'gzip', 'arith'] as const) {
      const z = compress(b, { codec });
      for (let cut = 0; cut < z.length; cut += Math.max(1, Math.floor(z.length / 40))) {
        expectOckham(() => decompress(z.subarray(0, cut), { codec }));
      }
    }
  });

  it('corrupted streams: checksummed codecs throw; deflate throws or decodes (no checksum); none hang', () => {
    const b = weightCorpus(2000, 4)[1].bytes;
    const streams = Object.fromEntries(CODECS.map((c) => [c, compress(b, { codec: c })]));
    fc.assert(
      fc.property(
        fc.constantFrom(...CODECS),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
        (codec, flips) => {
          const z = streams[codec].slice();
          for (const [pos, x] of flips) z[pos % z.length] ^= x;
          let out: Uint8Array | undefined;
          try {
            out = decompress(z, { codec });
          } catch (e) {
            expect(e).toBeInstanceOf(OckhamError);
            return;
          }
          // bzip2 (block + stream CRC), gzip (CRC-32 + length) and arith (CRC-32 + exact
          // length accounting) detect the corruption unless a flip hit padding bits.
          if (codec !== 'deflate') expect(equalBytes(out, b)).toBe(true);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it('an arith header declaring an impossible length is rejected before decoding', () => {
    const z = compress(new Uint8Array(10), { codec: 'arith' });
    const bad = Uint8Array.from([z[0], 0xff, 0xff, 0xff, 0x7f, ...z.subarray(2)]);
    expectOckham(() => decompress(bad, { codec: 'arith' }), 'PARSE_ERROR');
  });
});

describe('decompress maxBytes (decompression bombs)', () => {
  it('refuses an output over maxBytes with OUT_OF_RANGE naming the option, for every codec; exact fits pass', () => {
    const zeros = new Uint8Array(3_000_000); // bzip2 / deflate shrink it > 1000:1
    const text = new TextEncoder().encode('abc'.repeat(2000));
    for (const codec of ['bzip2', 'deflate', 'gzip', 'arith'] as const) {
      const x = codec === 'arith' ? text : zeros;
      const z = compress(x, { codec });
      expect(z.length * 100).toBeLessThan(x.length);
      expect(equalBytes(decompress(z, { codec, maxBytes: x.length }), x)).toBe(true);
      const err = (() => {
        try {
          decompress(z, { codec, maxBytes: x.length - 1 });
        } catch (e) {
          return e as OckhamError;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(OckhamError);
      expect(err!.code).toBe('OUT_OF_RANGE');
      expect(err!.message).toMatch(/options\.maxBytes/);
      expectOckham(() => decompress(z, { codec, maxBytes: 1000 }), 'OUT_OF_RANGE');
    }
  });

  it('bzip2 stops at the first block past the limit (a 100 MB bomb, 1 MB limit)', () => {
    const z = compress(new Uint8Array(100_000_000), { codec: 'bzip2', level: 1 });
    expect(z.length).toBeLessThan(1000);
    expectOckham(() => decompress(z, { codec: 'bzip2', maxBytes: 1_000_000 }), 'OUT_OF_RANGE');
  });

  it('validates maxBytes (integer 0..2^32) and the default is 1 GiB', () => {
    const z = compress(new Uint8Array(5), { codec: 'gzip' });
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 32 + 1, '5']) {
      expectOckham(() => decompress(z, { codec: 'gzip', maxBytes: bad as number }));
    }
    expect(decompress(z, { codec: 'gzip', maxBytes: 5 }).length).toBe(5);
    expect(DECOMPRESS_MAX_BYTES).toBe(2 ** 30);
  });
});

describe('naiveCompressedBits', () => {
  it('compresses the raw little-endian float32 bytes, tensors in order; accepts record or array', () => {
    const a = new Float32Array([0.5, -1.25, 3]);
    const b = new Float32Array([7, 8]);
    const raw = new Uint8Array(20);
    const dv = new DataView(raw.buffer);
    [...a, ...b].forEach((v, i) => dv.setFloat32(4 * i, v, true));
    const expected = compressedBits(raw, { codec: 'bzip2', level: 9 });
    expect(naiveCompressedBits({ a, b }, 'bzip2')).toBe(expected);
    expect(naiveCompressedBits([{ name: 'a', data: a }, { name: 'b', data: b }])).toBe(expected);
    expect(naiveCompressedBits({ a: { data: a }, b: { data: b } }, { codec: 'bzip2', level: 9 })).toBe(expected);
    expect(naiveCompressedBits({ a, b }, 'gzip')).toBe(compressedBits(raw, { codec: 'gzip' }));
  });

  it('rejects bad tensors and codecs', () => {
    expectOckham(() => naiveCompressedBits({}, 'bzip2'), 'EMPTY');
    expectOckham(() => naiveCompressedBits({ a: [1, 2] as unknown as Float32Array }, 'bzip2'), 'INVALID_ARGUMENT');
    expectOckham(() => naiveCompressedBits({ a: new Float32Array(2) }, 'xz' as Codec), 'INVALID_ARGUMENT');
  });
});
