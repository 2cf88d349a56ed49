/**
 * The bzip2 encoder's WebAssembly kernel (MTF by bitmap ranks, table assignment) against the
 * JS path: same symbols, counts, selectors, and byte-identical streams with the kernel on or off.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { compress, decompress } from '../../src/compress/index.js';
import { mtfRle2, mtfWork } from '../../src/compress/mtf.js';
import { UNUSED_COST, bzip2EncodeKernel, bzip2EncodeModuleBytes, setWasmBzip2EncodeEnabled } from '../../src/compress/bzip2-encode-wasm.js';
import { equalBytes, lcg, symbolMap } from './helpers.js';
import { bzip2BlockBitLength, bzip2BlockEnds, bzip2EncodeBlock } from '../../src/compress/bzip2-encode.js';

afterEach(() => setWasmBzip2EncodeEnabled(true));

describe('bzip2 wasm kernel', () => {
  it('is valid WebAssembly under 4 KiB (synchronous compilation on a page)', () => {
    const bytes = bzip2EncodeModuleBytes();
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(bytes.length).toBeLessThan(4096);
  });

  it('MTF + RUNA/RUNB equals the JS bitmap MTF (alphabets 1..256, runs, long gaps)', () => {
    const k = bzip2EncodeKernel(30000);
    expect(k).not.toBeNull();
    const arb = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 4000 }),
      fc.tuple(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 30000 }), fc.integer()).map(([K, n, seed]) => {
        const r = lcg(seed);
        return Uint8Array.from({ length: n }, () => (r() >>> 8) % K);
      }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 70 })), { minLength: 1, maxLength: 300 }).map(
        (runs) => Uint8Array.from(runs.flatMap(([b, n]) => Array<number>(n).fill(b))),
      ),
    );
    const w = mtfWork();
    fc.assert(
      fc.property(arb, (b) => {
        const [map, nInUse] = symbolMap(b);
        const out = new Uint16Array(b.length + 2);
        const freq = new Int32Array(258);
        const n1 = mtfRle2(b, map, b.length, nInUse, out, freq, w);
        k!.bw.set(b);
        k!.map.set(map);
        const n2 = k!.mtf(b.length, nInUse);
        expect(n2).toBe(n1);
        expect(equalBytes(new Uint8Array(k!.mtfv.buffer, k!.mtfv.byteOffset, 2 * n1), new Uint8Array(out.buffer, 0, 2 * n1))).toBe(true);
        expect(Array.from(k!.freq)).toEqual(Array.from(freq));
      }),
      { seed: 23, numRuns: 150 },
    );
  });

  it('table assignment: the cheapest table per 50 symbols (first on ties) and its counts', () => {
    const k = bzip2EncodeKernel(20000)!;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12000 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 3, max: 258 }), fc.integer(), (n, nGroups, alpha, seed) => {
        const r = lcg(seed);
        const lens = Uint8Array.from({ length: 6 * 258 }, () => 1 + ((r() >>> 8) % 17));
        for (let v = 0; v < 258; v++) {
          for (let t = 0; t < 8; t++) k.costv[v * 8 + t] = t < nGroups ? lens[t * 258 + v] : t < 6 ? UNUSED_COST : 0;
        }
        // skewed symbols so that ties and clear winners both occur
        for (let i = 0; i < n; i++) k.mtfv[i] = Math.min(alpha - 1, (r() >>> 8) % 3 === 0 ? (r() >>> 8) % alpha : (r() >>> 8) % 4);
        k.rfreq.fill(0);
        const ns = k.assign(n);
        const sel: number[] = [];
        const rf = new Int32Array(6 * 258);
        for (let gs = 0; gs < n; gs += 50) {
          const ge = Math.min(gs + 50, n);
          const cost = new Array<number>(nGroups).fill(0);
          for (let i = gs; i < ge; i++) for (let t = 0; t < nGroups; t++) cost[t] += lens[t * 258 + k.mtfv[i]];
          let bt = 0;
          for (let t = 1; t < nGroups; t++) if (cost[t] < cost[bt]) bt = t;
          sel.push(bt);
          for (let i = gs; i < ge; i++) rf[bt * 258 + k.mtfv[i]]++;
        }
        expect(ns).toBe(sel.length);
        expect(Array.from(k.selectors.subarray(0, ns))).toEqual(sel);
        expect(Array.from(k.rfreq)).toEqual(Array.from(rf));
      }),
      { seed: 29, numRuns: 60 },
    );
  });

  it('compress gives byte-identical streams with the kernel on and off (levels 1 and 9)', () => {
    const r = lcg(41);
    const floats = new Float32Array(60000);
    for (let i = 0; i < floats.length; i++) floats[i] = ((r() >>> 8) / 2 ** 24 - 0.5) * 0.04 * (1 + (i % 7));
    const text = new TextEncoder().encode('the quick brown fox jumps over the lazy dog; '.repeat(3000));
    const runs = Uint8Array.from({ length: 150000 }, (_, i) => ((i >> 7) % 5 === 0 ? 0 : (r() >>> 24) & 3));
    const inputs = [new Uint8Array(floats.buffer), text, runs, Uint8Array.from({ length: 20000 }, () => r() >>> 24), new Uint8Array(17000)];
    for (const level of [1, 9]) {
      for (const x of inputs) {
        setWasmBzip2EncodeEnabled(true);
        const a = compress(x, { codec: 'bzip2', level });
        setWasmBzip2EncodeEnabled(false);
        const b = compress(x, { codec: 'bzip2', level });
        expect(equalBytes(a, b)).toBe(true);
        expect(equalBytes(decompress(a, { codec: 'bzip2' }), x)).toBe(true);
      }
    }
  });
});

describe('bzip2BlockBitLength (sizes without writing the symbols)', () => {
  it('equals bzip2EncodeBlock(...).bitLen block by block (wasm and JS, levels 1 and 9, varied data)', () => {
    const r = lcg(77);
    const floats = new Float32Array(120000);
    for (let i = 0; i < floats.length; i++) floats[i] = ((r() >>> 8) / 2 ** 24 - 0.5) * 0.05;
    const inputs = [
      new Uint8Array(floats.buffer),
      new TextEncoder().encode('a rose is a rose is a rose; '.repeat(9000)),
      Uint8Array.from({ length: 250000 }, (_, i) => ((i >> 6) % 3 === 0 ? 7 : (r() >>> 24) & 15)),
      Uint8Array.from({ length: 3 }, () => r() >>> 24),
      new Uint8Array(5000),
    ];
    for (const wasm of [true, false]) {
      setWasmBzip2EncodeEnabled(wasm);
      for (const level of [1, 9]) {
        for (const x of inputs) {
          const ends = bzip2BlockEnds(x, level);
          ends.forEach((e, i) => {
            const s = i === 0 ? 0 : ends[i - 1];
            expect(bzip2BlockBitLength(x, s, e, level)).toBe(bzip2EncodeBlock(x, s, e, level).bitLen);
          });
        }
      }
    }
  });
});
