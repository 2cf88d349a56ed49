import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compress, decompress } from '../../src/compress/index.js';
import { bwtEncode } from '../../src/compress/sais.js';
import { crc32 } from '../../src/compress/crc32.js';
import { weightCorpus } from './corpus.js';
import { HAS_BZIP2, equalBytes, seekDecode, systemBzip2 } from './helpers.js';

/** Byte arrays of the shapes that stress bzip2: random, few symbols, runs, repeats. */
const inputs = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc.uint8Array({ minLength: 1, maxLength: 1 }),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 5000 })).map(([b, n]) => new Uint8Array(n).fill(b)),
  // run-heavy: runs of 1..600 of a few symbols (crosses the 4 and 255 RLE1 thresholds)
  fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 600 })), { maxLength: 30 }).map((runs) => {
    const out: number[] = [];
    for (const [b, n] of runs) for (let i = 0; i < n; i++) out.push(b);
    return new Uint8Array(out);
  }),
  // repetitive: a short random word repeated (periodic blocks, BWT ties)
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 7 }), fc.integer({ min: 1, max: 400 })).map(([w, k]) => {
    const out = new Uint8Array(w.length * k);
    for (let i = 0; i < out.length; i++) out[i] = w[i % w.length];
    return out;
  }),
);

function naiveBwt(b: Uint8Array): { last: Uint8Array; rows: number[] } {
  const n = b.length;
  const cmp = (i: number, j: number): number => {
    for (let k = 0; k < n; k++) {
      const d = b[(i + k) % n] - b[(j + k) % n];
      if (d) return d;
    }
    return 0;
  };
  const rows = [...Array(n).keys()].sort(cmp);
  return { last: Uint8Array.from(rows, (p) => b[(p + n - 1) % n]), rows };
}

describe('bzip2 internals', () => {
  it('CRC-32/BZIP2 check value of "123456789" is 0xFC891918', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xfc891918);
  });

  it('BWT by least rotation + SA-IS equals sorting all rotations (incl. periodic blocks)', () => {
    const small = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 60 }).map((a) => a.map((x) => x % 3)),
      fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 8 })).map(([w, k]) =>
        Uint8Array.from({ length: w.length * k }, (_, i) => w[i % w.length] % 2),
      ),
    );
    fc.assert(
      fc.property(small, (b) => {
        const out = new Uint8Array(b.length);
        const origPtr = bwtEncode(b, b.length, out);
        const ref = naiveBwt(b);
        expect(Array.from(out)).toEqual(Array.from(ref.last));
        // origPtr must index a row equal to rotation 0
        const row = ref.rows[origPtr];
        for (let k = 0; k < b.length; k++) expect(b[(row + k) % b.length]).toBe(b[k]);
      }),
      { seed: 42, numRuns: 400 },
    );
  });
});

describe('bzip2 round trips', () => {
  it('decodes with seek-bzip and our decoder, every level, varied inputs', () => {
    fc.assert(
      fc.property(inputs, fc.integer({ min: 1, max: 9 }), (b, level) => {
        const z = compress(b, { codec: 'bzip2', level });
        expect(String.fromCharCode(z[0], z[1], z[2], z[3])).toBe(`BZh${level}`);
        expect(equalBytes(seekDecode(z), b)).toBe(true);
        expect(equalBytes(decompress(z, { codec: 'bzip2' }), b)).toBe(true);
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it('empty input is the 14-byte empty stream', () => {
    const z = compress(new Uint8Array(0), { codec: 'bzip2' });
    expect(Array.from(z)).toEqual([0x42, 0x5a, 0x68, 0x39, 0x17, 0x72, 0x45, 0x38, 0x50, 0x90, 0, 0, 0, 0]);
    expect(decompress(z, { codec: 'bzip2' }).length).toBe(0);
  });

  it('block-boundary sizes at level 1 (RLE1 cap 99 981 bytes) and a run across the boundary', () => {
    const cap = 99981;
    const rng = (i: number): number => (Math.imul(i + 1, 2654435761) >>> 24) & 7;
    for (const n of [cap - 1, cap, cap + 1, 2 * cap + 3]) {
      const b = Uint8Array.from({ length: n }, (_, i) => rng(i));
      const z = compress(b, { codec: 'bzip2', level: 1 });
      expect(equalBytes(seekDecode(z), b)).toBe(true);
      expect(equalBytes(decompress(z, { codec: 'bzip2' }), b)).toBe(true);
    }
    // a 1000-byte run straddling the first block boundary
    const b = Uint8Array.from({ length: 150000 }, (_, i) => (i > cap - 500 && i < cap + 500 ? 9 : rng(i)));
    const z = compress(b, { codec: 'bzip2', level: 1 });
    expect(equalBytes(seekDecode(z), b)).toBe(true);
    expect(equalBytes(decompress(z, { codec: 'bzip2' }), b)).toBe(true);
  });

  it('a level-9 stream of two blocks (900 000 + bytes) round-trips', () => {
    const b = Uint8Array.from({ length: 900100 }, (_, i) => (Math.imul(i, 2246822519) >>> 27) ^ (i >> 13));
    const z = compress(b, { codec: 'bzip2', level: 9 });
    expect(equalBytes(seekDecode(z), b)).toBe(true);
  });
});

describe.skipIf(!HAS_BZIP2)('bzip2 against the system bzip2 (skipped: `bzip2` binary not found on PATH)', () => {
  it('system `bzip2 -d` decodes our streams to the exact input', () => {
    fc.assert(
      fc.property(inputs, fc.integer({ min: 1, max: 9 }), (b, level) => {
        const z = compress(b, { codec: 'bzip2', level });
        expect(equalBytes(systemBzip2(['-dc'], z), b)).toBe(true);
      }),
      { seed: 7, numRuns: 25 },
    );
  });

  it('our decoder decodes system `bzip2 -9` output', () => {
    for (const f of weightCorpus(20000, 3)) {
      expect(equalBytes(decompress(systemBzip2(['-9c'], f.bytes), { codec: 'bzip2' }), f.bytes)).toBe(true);
    }
  });

  it('our bzip2 is within 1% of `bzip2 -9`, file by file, on small corpus files', () => {
    const files = weightCorpus(60000, 5).filter((f) => /float32|int8 codes|text/.test(f.name));
    expect(files.length).toBe(3);
    for (const f of files) {
      const ours = compress(f.bytes, { codec: 'bzip2', level: 9 }).length;
      const ref = systemBzip2(['-9c'], f.bytes).length;
      expect(ours, f.name).toBeLessThanOrEqual(ref * 1.01);
    }
  });
});
