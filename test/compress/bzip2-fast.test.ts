/**
 * Tests of the fast bzip2 structures: bitmap-rank MTF, two-stage rotation sort (against SA-IS
 * and against naive rotation sorting), table-driven decoder (long codes), block-level encoding
 * and the parallel path (byte-identical output), plus the edge cases of the format.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OckhamError } from '../../src/errors.js';
import { compress, compressAsync, decompress } from '../../src/compress/index.js';
import { mtfRle2, mtfWork } from '../../src/compress/mtf.js';
import { bwtEncode, bwtWork, leastRotation } from '../../src/compress/sais.js';
import { sortLyndon, sortWork } from '../../src/compress/bwt-sort.js';
import { bzip2Assemble, bzip2BlockEnds, bzip2EncodeBlock } from '../../src/compress/bzip2-encode.js';
import { crc32Update } from '../../src/compress/crc32.js';
import { equalBytes, HAS_BZIP2, lcg, seekDecode, symbolMap, systemBzip2 } from './helpers.js';

/** Reference MTF + RUNA/RUNB coder (the plain shifting list). */
function naiveMtf(bytes: Uint8Array, map: Uint8Array, nInUse: number): number[] {
  const yy = Array.from({ length: nInUse }, (_, i) => i);
  const out: number[] = [];
  let z = 0;
  const flush = (): void => {
    let v = z;
    while (v > 0) {
      if (v & 1) {
        out.push(0);
        v = (v - 1) >>> 1;
      } else {
        out.push(1);
        v = (v - 2) >>> 1;
      }
    }
    z = 0;
  };
  for (const b of bytes) {
    const c = map[b];
    const j = yy.indexOf(c);
    if (j === 0) {
      z++;
      continue;
    }
    flush();
    yy.splice(j, 1);
    yy.unshift(c);
    out.push(j + 1);
  }
  flush();
  out.push(nInUse + 1);
  return out;
}

describe('bitmap move-to-front', () => {
  it('equals the plain shifting MTF (alphabets 1..256, runs, long inputs)', () => {
    const arb = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 4000 }),
      fc.tuple(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 20000 }), fc.integer()).map(([k, n, seed]) => {
        const r = lcg(seed);
        return Uint8Array.from({ length: n }, () => (r() >>> 8) % k);
      }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 300 }).map(
        (runs) => Uint8Array.from(runs.flatMap(([b, n]) => Array<number>(n).fill(b))),
      ),
    );
    const w = mtfWork(); // reused across cases, as the encoder does
    fc.assert(
      fc.property(arb, (b) => {
        const [map, nInUse] = symbolMap(b);
        const out = new Uint16Array(2 * b.length + 2);
        const freq = new Int32Array(258);
        const k = mtfRle2(b, map, b.length, nInUse, out, freq, w);
        const ref = naiveMtf(b, map, nInUse);
        expect(Array.from(out.subarray(0, k))).toEqual(ref);
        const f2 = new Int32Array(258);
        for (const s of ref) f2[s]++;
        expect(Array.from(freq)).toEqual(Array.from(f2));
      }),
      { seed: 11, numRuns: 120 },
    );
  });

  it('counts ranks across long gaps (a symbol unseen for 10^5 steps among 256, rank 255 and rank 1)', () => {
    const r = lcg(5);
    const n = 120_000;
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = 2 + ((r() >>> 8) % 254); // 2..255 in the middle
    b[0] = 0;
    b[1] = 1;
    b[n - 2] = 1; // back after ~10^5 steps: every other symbol was seen since
    b[n - 1] = 0;
    const [map, nInUse] = symbolMap(b);
    const out = new Uint16Array(2 * n + 2);
    const freq = new Int32Array(258);
    const k = mtfRle2(b, map, n, nInUse, out, freq, mtfWork());
    const ref = naiveMtf(b, map, nInUse);
    expect(Array.from(out.subarray(0, k))).toEqual(ref);
    expect(ref[ref.length - 3]).toBe(255); // 1 came back at rank 254 (symbol 255)
    expect(ref[ref.length - 2]).toBe(256); // then 0 at rank 255
  });
});

function naiveBwt(b: Uint8Array): Uint8Array {
  const n = b.length;
  const rows = [...Array(n).keys()].sort((i, j) => {
    for (let k = 0; k < n; k++) {
      const d = b[(i + k) % n] - b[(j + k) % n];
      if (d) return d;
    }
    return 0;
  });
  return Uint8Array.from(rows, (p) => b[(p + n - 1) % n]);
}

describe('two-stage rotation sort', () => {
  const blocks = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 3000 }),
    fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 3000 }), fc.integer()).map(([k, n, seed]) => {
      const r = lcg(seed);
      return Uint8Array.from({ length: n }, () => (r() >>> 16) % k);
    }),
    // near-periodic: a word repeated with a few substitutions (long common prefixes)
    fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 9 }), fc.integer({ min: 2, max: 300 }), fc.nat(5000)).map(([wd, k, at]) => {
      const out = Uint8Array.from({ length: wd.length * k }, (_, i) => wd[i % wd.length]);
      out[at % out.length] ^= 1;
      return out;
    }),
  );

  it('gives the same BWT and origPtr as SA-IS on varied blocks', () => {
    const wk = bwtWork();
    fc.assert(
      fc.property(blocks, (b) => {
        const a = new Uint8Array(b.length);
        const s = new Uint8Array(b.length);
        const p1 = bwtEncode(b, b.length, a, wk);
        const p2 = bwtEncode(b, b.length, s, bwtWork(), true);
        expect(equalBytes(a, s)).toBe(true);
        expect(p1).toBe(p2);
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('equals sorting all rotations naively (small blocks, 2–3 letter alphabets)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 2, maxLength: 200 }).map((a) => a.map((x) => x % 3)),
        (b) => {
          const out = new Uint8Array(b.length);
          bwtEncode(b, b.length, out);
          expect(Array.from(out)).toEqual(Array.from(naiveBwt(b)));
        },
      ),
      { seed: 9, numRuns: 200 },
    );
  });

  it('gives up (→ SA-IS) on blocks with very long repeats, and the BWT is still right', () => {
    // A random 1000-byte word repeated 40 times, one byte changed (primitive, LCPs ~ 39 000),
    // rotated to its least rotation (a Lyndon word).
    const r = lcg(21);
    const u = Uint8Array.from({ length: 1000 }, () => r() >>> 24);
    const m = 40000;
    const b = Uint8Array.from({ length: m }, (_, i) => u[i % 1000]);
    b[m - 1] ^= 0x55;
    const rot = leastRotation(b, m);
    const w = Uint8Array.from({ length: m }, (_, i) => b[(rot + i) % m]);
    const SA = new Int32Array(m + 1);
    expect(sortLyndon(w, m, SA, sortWork())).toBe(false);
    const out = new Uint8Array(m);
    const ref = new Uint8Array(m);
    expect(bwtEncode(w, m, out)).toBe(bwtEncode(w, m, ref, undefined, true));
    expect(equalBytes(out, ref)).toBe(true);
  });
});

describe('block-level encoding and the parallel path', () => {
  const r = lcg(3);
  // ~420 kB of mixed data: ≥ 4 blocks at level 1 (runs of every length, all byte values)
  const data = Uint8Array.from({ length: 420000 }, (_, i) => ((i >> 9) % 7 === 0 ? 200 : (r() >>> 24) & ((i >> 14) % 2 ? 0xff : 0x0f)));

  it('bzip2BlockEnds cuts blocks exactly where the encoder does; assembled blocks = compress', () => {
    for (const level of [1, 2, 9]) {
      const ends = bzip2BlockEnds(data, level);
      const parts = ends.map((e, i) => {
        const s = i === 0 ? 0 : ends[i - 1];
        return bzip2EncodeBlock(data.subarray(s, e), 0, e - s, level);
      });
      const z = bzip2Assemble(parts.map((p) => ({ ...p, bytes: p.bytes.slice() })), level);
      expect(equalBytes(z, compress(data, { codec: 'bzip2', level }))).toBe(true);
    }
    expect(bzip2BlockEnds(data, 1).length).toBeGreaterThanOrEqual(4);
  });

  it('compressAsync is byte-identical to compress for jobs 1, 2, 3 (worker_threads)', async () => {
    const ref = compress(data, { codec: 'bzip2', level: 1 });
    for (const jobs of [1, 2, 3]) {
      const z = await compressAsync(data, { codec: 'bzip2', level: 1, jobs });
      expect(equalBytes(z, ref), `jobs ${jobs}`).toBe(true);
    }
    expect(equalBytes(decompress(ref, { codec: 'bzip2' }), data)).toBe(true);
    // other codecs and single blocks go through the synchronous path
    expect(equalBytes(await compressAsync(data, { codec: 'deflate', jobs: 2 }), compress(data, { codec: 'deflate' }))).toBe(true);
  }, 60_000);

  it('compressAsync validates jobs', async () => {
    await expect(compressAsync(data, { codec: 'bzip2', jobs: 0 })).rejects.toBeInstanceOf(OckhamError);
    await expect(compressAsync(data, { codec: 'bzip2', jobs: 1.5 })).rejects.toBeInstanceOf(OckhamError);
    await expect(compressAsync(data, { codec: 'bzip2', jobs: 2, foo: 1 } as never)).rejects.toBeInstanceOf(OckhamError);
  });
});

describe('format edge cases', () => {
  const cap = 899981; // RLE1 bytes per level-9 block
  const noRuns = (n: number): Uint8Array => {
    const r = lcg(n);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let x = (r() >>> 24) & 0xff;
      if (i > 0 && x === out[i - 1]) x ^= 1;
      out[i] = x;
    }
    return out;
  };
  const cases: Array<[string, Uint8Array]> = [
    ['1 byte', new Uint8Array([7])],
    ['all 256 byte values', Uint8Array.from({ length: 256 }, (_, i) => i)],
    ['runs of 3, 4, 5, 255, 256, 1000', Uint8Array.from([...Array(3).fill(1), 2, ...Array(4).fill(3), ...Array(5).fill(4), ...Array(255).fill(5), ...Array(256).fill(6), ...Array(1000).fill(7)])],
    ['exactly one level-9 block', noRuns(cap)],
    ['one level-9 block + 1 byte', noRuns(cap + 1)],
    ['exactly two level-9 blocks', noRuns(2 * cap)],
  ];
  for (const [name, b] of cases) {
    it(`${name}: round-trips through ours${b.length < 1e5 ? ' and seek-bzip' : ''}${HAS_BZIP2 ? ' and bzip2 -d' : ''}`, () => {
      const z = compress(b, { codec: 'bzip2', level: 9 });
      expect(equalBytes(decompress(z, { codec: 'bzip2' }), b)).toBe(true);
      if (b.length < 1e5) expect(equalBytes(seekDecode(z), b)).toBe(true); // seek-bzip is slow
      if (HAS_BZIP2) expect(equalBytes(systemBzip2(['-dc'], z), b)).toBe(true);
    });
  }
  it('block counts at the 900k boundary', () => {
    expect(bzip2BlockEnds(noRuns(cap), 9)).toEqual([cap]);
    expect(bzip2BlockEnds(noRuns(cap + 1), 9)).toEqual([cap, cap + 1]);
  });
});

describe('table-driven Huffman decoding', () => {
  it('decodes codes longer than the 10-bit lookup (skewed 256-symbol data)', () => {
    // Geometric-like symbol frequencies: rare symbols get codes of 14–17 bits.
    const r = lcg(77);
    const b = Uint8Array.from({ length: 300000 }, () => Math.min(255, Math.floor(-Math.log2(((r() >>> 8) + 1) / 2 ** 24) * 12)));
    const z = compress(b, { codec: 'bzip2', level: 9 });
    expect(equalBytes(decompress(z, { codec: 'bzip2' }), b)).toBe(true);
    if (HAS_BZIP2) expect(equalBytes(decompress(systemBzip2(['-9c'], b), { codec: 'bzip2' }), b)).toBe(true);
  });

  it('corrupted streams end in an OckhamError or the exact input, never a wrong answer or a hang', () => {
    const r = lcg(5);
    const b = Uint8Array.from({ length: 8000 }, () => (r() >>> 27) + 97);
    const z = compress(b, { codec: 'bzip2', level: 1 });
    fc.assert(
      fc.property(fc.nat(z.length - 1), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const c = z.slice();
        c[at] ^= x;
        try {
          const d = decompress(c, { codec: 'bzip2' });
          expect(equalBytes(d, b)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(OckhamError);
        }
      }),
      { seed: 13, numRuns: 200 },
    );
  });
});

describe('CRC-32/BZIP2, slicing by 4', () => {
  const bitwise = (b: Uint8Array): number => {
    let c = -1;
    for (const x of b) {
      c ^= x << 24;
      for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    }
    return ~c >>> 0;
  };
  it('equals the bitwise definition on any range of any buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (b, x, y) => {
        const s = b.length ? x % (b.length + 1) : 0;
        const e = s + (b.length - s ? y % (b.length - s + 1) : 0);
        expect(~crc32Update(-1, b, s, e) >>> 0).toBe(bitwise(b.subarray(s, e)));
      }),
      { seed: 3, numRuns: 300 },
    );
  });
});
