import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compress, decompress } from '../../src/compress/index.js';
import { weightCorpus } from './corpus.js';
import { equalBytes } from './helpers.js';

describe("'arith' codec", () => {
  it('round-trips random, skewed, run-heavy and structured bytes', () => {
    const arb = fc.oneof(
      fc.uint8Array({ maxLength: 4000 }),
      fc.uint8Array({ maxLength: 4000 }).map((a) => a.map((x) => (x < 200 ? 0 : x & 3))),
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 20000 })).map(([b, n]) => new Uint8Array(n).fill(b)),
    );
    fc.assert(
      fc.property(arb, (b) => {
        const z = compress(b, { codec: 'arith' });
        expect(equalBytes(decompress(z, { codec: 'arith' }), b)).toBe(true);
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it('codes long constant input near the 12-bit probability floor', () => {
    // With probabilities capped at 4095/4096, each coded bit costs ≥ −log2(4095/4096) bits.
    const n = 200000;
    const floorBytes = (8 * n * -Math.log2(4095 / 4096)) / 8;
    const z = compress(new Uint8Array(n), { codec: 'arith' });
    expect(z.length).toBeGreaterThanOrEqual(Math.floor(floorBytes));
    expect(z.length).toBeLessThanOrEqual(1.1 * floorBytes + 10); // + header (format, length, CRC)
  });

  it('beats bzip2 on quantized weights and bit-planes', () => {
    const files = weightCorpus(60000, 9).filter((f) => /int8|int4|bit-planes/.test(f.name));
    expect(files.length).toBe(3);
    for (const f of files) {
      const a = compress(f.bytes, { codec: 'arith' }).length;
      const b = compress(f.bytes, { codec: 'bzip2', level: 9 }).length;
      expect(a, f.name).toBeLessThan(b);
      expect(equalBytes(decompress(compress(f.bytes, { codec: 'arith' }), { codec: 'arith' }), f.bytes)).toBe(true);
    }
  });
});
