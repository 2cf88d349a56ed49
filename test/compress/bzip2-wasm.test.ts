/**
 * The bzip2 decoder's WebAssembly SIMD move-to-front kernel (src/compress/bzip2-wasm.ts) against
 * the JS pass (mtfDecode): identical blocks on fast-check-seeded symbol streams, identical
 * decodes of our and the system bzip2's streams (floats, text, runs, tiny inputs), and the same
 * typed errors on corrupt streams.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { OckhamError } from '../../src/errors.js';
import { compress, decompress } from '../../src/compress/index.js';
import { mtfDecode, setBzip2PairedWalk } from '../../src/compress/bzip2-decode.js';
import { bzip2ModuleBytes, mtfKernel, setBzip2WasmMode } from '../../src/compress/bzip2-wasm.js';
import { equalBytes, HAS_BZIP2, lcg, systemBzip2 } from './helpers.js';

/** Decodes with the kernel forced on and forced off; both must give `expected`. */
function bothPaths(z: Uint8Array, expected: Uint8Array): void {
  try {
    setBzip2WasmMode('on');
    expect(equalBytes(decompress(z, { codec: 'bzip2' }), expected)).toBe(true);
    setBzip2WasmMode('off');
    expect(equalBytes(decompress(z, { codec: 'bzip2' }), expected)).toBe(true);
  } finally {
    setBzip2WasmMode('auto');
  }
}

/** float32 N(0, 0.02²) weights, little-endian bytes. */
function floats(n: number, seed: number): Uint8Array {
  const r = lcg(seed);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u1 = ((r() >>> 8) + 1) / 2 ** 24;
    const u2 = (r() >>> 8) / 2 ** 24;
    w[i] = 0.02 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  return new Uint8Array(w.buffer);
}

function text(n: number, seed: number): Uint8Array {
  const r = lcg(seed);
  const words = ['the', 'weight', 'of', 'a', 'network', 'is', 'complex', 'and', 'bzip2', 'decodes', 'it'];
  let s = '';
  while (s.length < n) s += words[(r() >>> 8) % words.length] + ((r() >>> 8) % 9 === 0 ? '.\n' : ' ');
  return Uint8Array.from(s.slice(0, n), (ch) => ch.charCodeAt(0));
}

afterEach(() => setBzip2WasmMode('auto'));

describe('bzip2 decoding: WebAssembly MTF kernel', () => {
  it('the module validates and stays under 4 KiB (synchronous compilation on Chromium)', () => {
    const b = bzip2ModuleBytes();
    expect(WebAssembly.validate(b)).toBe(true);
    expect(b.length).toBeLessThanOrEqual(4096);
  });

  it('equals the JS pass on random symbol streams (ranks 1..alphabet−1, zero runs, long blocks)', () => {
    setBzip2WasmMode('on');
    const kern = mtfKernel(900000, 1 << 20);
    expect(kern).not.toBeNull();
    if (kern === null) return;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 40000 }), fc.integer({ min: 0, max: 100 }), fc.nat(), (nInUse, nsym, runPct, seed) => {
        const r = lcg(seed);
        const eob = nInUse + 1;
        const seq = new Uint8Array(256);
        const used = Array.from({ length: 256 }, (_, i) => i); // shuffled: the block's byte values
        for (let i = 255; i > 0; i--) {
          const j = (r() >>> 8) % (i + 1);
          [used[i], used[j]] = [used[j], used[i]];
        }
        for (let i = 0; i < nInUse; i++) seq[i] = used[i];
        const syms = new Uint16Array(nsym + 1);
        for (let i = 0; i < nsym; i++) {
          // RUNA/RUNB with probability runPct % (always for a one-symbol alphabet), else rank 1..nInUse−1.
          if (nInUse === 1 || (r() >>> 8) % 100 < runPct) syms[i] = (r() >>> 31) & 1;
          else syms[i] = 2 + ((r() >>> 8) % (nInUse - 1));
        }
        syms[nsym] = eob;
        const js = { ll: new Uint8Array(0) };
        let nJs: number | Error;
        try {
          nJs = mtfDecode(syms, eob, seq, 900000, js);
        } catch (e) {
          nJs = e as Error;
        }
        kern.syms.set(syms);
        kern.list.set(seq);
        const nW = kern.run(eob, 900000);
        if (nJs instanceof Error) {
          expect(nJs).toBeInstanceOf(OckhamError);
          expect(nW).toBe(-1);
        } else {
          expect(nW).toBe(nJs);
          expect(equalBytes(kern.out.subarray(0, nW), js.ll.subarray(0, nJs))).toBe(true);
        }
      }),
      { seed: 2026, numRuns: 60 },
    );
  });

  it('reports a block over maxBlock (a zero run, or too many symbols) as −1; the JS pass throws', () => {
    setBzip2WasmMode('on');
    const kern = mtfKernel(100000, 1 << 20);
    expect(kern).not.toBeNull();
    if (kern === null) return;
    const seq = Uint8Array.from({ length: 256 }, (_, i) => i);
    // 17 RUNB: run = 2·(2^17 − 1) > 100000.
    const longRun = new Uint16Array([...new Array(17).fill(1), 257]);
    // A zero run of 49 930 (RUNA/RUNB digits, least significant first), then 59 986 rank-1
    // symbols: 109 916 bytes.
    const tooMany = new Uint16Array(60002).fill(2);
    tooMany.set([1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1], 0);
    tooMany[60001] = 257;
    for (const syms of [longRun, tooMany]) {
      kern.syms.set(syms);
      kern.list.set(seq);
      expect(kern.run(257, 100000)).toBe(-1);
      expect(() => mtfDecode(syms, 257, seq, 100000, { ll: new Uint8Array(0) })).toThrow(OckhamError);
    }
  });

  it('both paths decode our streams (floats, text, runs, tiny inputs, several blocks)', () => {
    const r = lcg(9);
    const inputs: Uint8Array[] = [
      new Uint8Array([7]),
      Uint8Array.from({ length: 100 }, (_, i) => i & 1),
      floats(30000, 3),
      text(150000, 4),
      new Uint8Array(250000).fill(42),
      Uint8Array.from({ length: 120000 }, (_, i) => ((i / 3000) | 0) % 2 === 0 ? 0 : r() >>> 24),
      Uint8Array.from({ length: 70000 }, () => r() >>> 24),
    ];
    for (const b of inputs) {
      for (const level of [1, 9]) bothPaths(compress(b, { codec: 'bzip2', level }), b);
    }
  });

  it('both paths decode concatenated streams (odd and even block counts: blocks walked in pairs and alone)', () => {
    const a = text(350000, 12); // 4 level-1 blocks
    const b = floats(70000, 13); // 3 level-1 blocks
    const c = new Uint8Array([1, 2, 3]);
    const parts = [compress(a, { codec: 'bzip2', level: 1 }), compress(b, { codec: 'bzip2', level: 1 }), compress(c, { codec: 'bzip2', level: 9 })];
    const z = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) {
      z.set(p, at);
      at += p.length;
    }
    bothPaths(z, Uint8Array.from([...a, ...b, ...c]));
  });

  it('walking blocks one at a time (the bench baseline) gives the same output as the paired walk', () => {
    const b = Uint8Array.from([...text(250000, 14), ...floats(20000, 15)]); // 4 level-1 blocks
    const z = compress(b, { codec: 'bzip2', level: 1 });
    try {
      setBzip2PairedWalk(false);
      expect(equalBytes(decompress(z, { codec: 'bzip2' }), b)).toBe(true);
    } finally {
      setBzip2PairedWalk(true);
    }
    expect(equalBytes(decompress(z, { codec: 'bzip2' }), b)).toBe(true);
  });

  it.skipIf(!HAS_BZIP2)('both paths decode system `bzip2 -9` output of random floats, text, runs and tiny inputs', () => {
    const r = lcg(11);
    const inputs: Uint8Array[] = [
      new Uint8Array(0),
      new Uint8Array([0]),
      Uint8Array.from('abracadabra', (ch) => ch.charCodeAt(0)),
      floats(300000, 5), // 1.2 MB: two level-9 blocks
      text(400000, 6),
      Uint8Array.from({ length: 200000 }, (_, i) => (i % 1000 < 900 ? 1 : r() >>> 24)),
    ];
    for (const b of inputs) bothPaths(systemBzip2(['-9c'], b), b);
  });

  it('corrupted streams: an OckhamError or the exact input on both paths, never a wrong answer', () => {
    const b = floats(6000, 8);
    const z = compress(b, { codec: 'bzip2', level: 1 });
    for (const m of ['on', 'off'] as const) {
      setBzip2WasmMode(m);
      fc.assert(
        fc.property(fc.nat(z.length - 1), fc.integer({ min: 1, max: 255 }), (at, x) => {
          const c = z.slice();
          c[at] ^= x;
          try {
            expect(equalBytes(decompress(c, { codec: 'bzip2' }), b)).toBe(true);
          } catch (e) {
            expect(e).toBeInstanceOf(OckhamError);
          }
        }),
        { seed: 31, numRuns: 150 },
      );
      for (const cut of [10, z.length >> 1, z.length - 1]) {
        expect(() => decompress(z.subarray(0, cut), { codec: 'bzip2' })).toThrow(OckhamError);
      }
    }
  });
});
