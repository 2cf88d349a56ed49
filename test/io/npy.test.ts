import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { OckhamError } from '../../src/errors.js';
import { parseNpy, parseNpz } from '../../src/io/index.js';
import { expectOckhamError } from '../helpers.js';

/** Hand-builds an .npy file (any version) from a header dict literal and raw data. */
function npy(header: string, data: Uint8Array, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  let h = header;
  while ((pre + h.length + 1) % 64 !== 0) h += ' ';
  h += '\n';
  const hb = new TextEncoder().encode(h);
  const out = new Uint8Array(pre + hb.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, hb.length, true);
  else dv.setUint32(8, hb.length, true);
  out.set(hb, pre);
  out.set(data, pre + hb.length);
  return out;
}

const f32 = (xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);

function expectOckham(fn: () => unknown, code?: string, match?: RegExp): void {
  expectOckhamError(fn, { ...(code ? { code } : {}), ...(match ? { message: match } : {}) });
}

describe('parseNpy (hand-built files)', () => {
  it('reads a C-order <f4 matrix (v1)', () => {
    const a = parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f32([1, 2, 3, 4, 5, 6])));
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(a.version).toBe('1.0');
    expect(a.fortranOrder).toBe(false);
  });

  it('transposes Fortran order to row-major (2-D and 3-D)', () => {
    // Fortran 2×3 [[1,2,3],[4,5,6]] is stored column by column: 1 4 2 5 3 6.
    const a = parseNpy(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", f32([1, 4, 2, 5, 3, 6])));
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(a.fortranOrder).toBe(true);
    // 3-D: value = 100 i + 10 j + k, stored with i fastest.
    const [I, J, K] = [2, 3, 4];
    const stored: number[] = [];
    for (let k = 0; k < K; k++) for (let j = 0; j < J; j++) for (let i = 0; i < I; i++) stored.push(100 * i + 10 * j + k);
    const b = parseNpy(npy(`{'descr': '<f4', 'fortran_order': True, 'shape': (${I}, ${J}, ${K}), }`, f32(stored)));
    const expected: number[] = [];
    for (let i = 0; i < I; i++) for (let j = 0; j < J; j++) for (let k = 0; k < K; k++) expected.push(100 * i + 10 * j + k);
    expect(Array.from(b.data)).toEqual(expected);
  });

  it('reads v2 and v3 headers, big-endian, integer, bool, f2 and scalars', () => {
    const be = new Uint8Array(16);
    new DataView(be.buffer).setFloat64(0, Math.PI, false);
    new DataView(be.buffer).setFloat64(8, -0.5, false);
    const a = parseNpy(npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", be, 2));
    expect(Array.from(a.data)).toEqual([Math.fround(Math.PI), -0.5]);
    expect(a.version).toBe('2.0');
    const u = parseNpy(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", new Uint8Array([0, 128, 255]), 3));
    expect(Array.from(u.data)).toEqual([0, 128, 255]);
    const i = parseNpy(npy("{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }", new Uint8Array([255, 127])));
    expect(Array.from(i.data)).toEqual([-1, 127]);
    const b = parseNpy(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", new Uint8Array([0, 1])));
    expect(Array.from(b.data)).toEqual([0, 1]);
    const h = parseNpy(npy("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", new Uint8Array([0x00, 0x3c, 0x00, 0xc0])));
    expect(Array.from(h.data)).toEqual([1, -2]);
    const s = parseNpy(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (), }", new Uint8Array([0xfe, 0xff, 0xff, 0xff])));
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data)).toEqual([-2]);
    const e = parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }", new Uint8Array(0)));
    expect(e.data.length).toBe(0);
  });

  it('rejects bad magic, truncation, trailing bytes, structured and object dtypes', () => {
    expectOckham(() => parseNpy(new Uint8Array(20)), 'PARSE_ERROR', /magic/);
    const ok = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f32([1, 2, 3, 4, 5, 6]));
    expectOckham(() => parseNpy(ok.subarray(0, ok.length - 1)), 'PARSE_ERROR', /needs/);
    expectOckham(() => parseNpy(ok.subarray(0, 40)), 'PARSE_ERROR');
    const trailing = new Uint8Array(ok.length + 4);
    trailing.set(ok);
    expectOckham(() => parseNpy(trailing), 'PARSE_ERROR', /needs 24/);
    expectOckham(() => parseNpy(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", f32([1]))), 'UNSUPPORTED', /structured/);
    expectOckham(() => parseNpy(npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8))), 'UNSUPPORTED');
    expectOckham(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", f32([1]))), 'PARSE_ERROR', /fortran_order/);
    expectOckham(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1e9,), }", f32([1]))), 'PARSE_ERROR');
    expectOckham(
      () => parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", f32([1]))),
      'PARSE_ERROR',
      /needs more/,
    );
  });

  it('fuzz: truncated and corrupted files throw OckhamError or parse', () => {
    const base = npy("{'descr': '<f4', 'fortran_order': True, 'shape': (3, 4), }", f32(Array.from({ length: 12 }, (_, i) => i)));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: base.length }).map((c) => base.subarray(0, c)),
          fc
            .array(fc.tuple(fc.integer({ min: 0, max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
            .map((flips) => {
              const b = base.slice();
              for (const [i, v] of flips) b[i] = v;
              return b;
            }),
          fc.string({ maxLength: 80 }).map((h) => npy(h, new Uint8Array(16))),
        ),
        (bytes) => {
          try {
            const a = parseNpy(bytes);
            expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1));
          } catch (e) {
            if (!(e instanceof OckhamError)) throw e;
          }
        },
      ),
      { seed: 11, numRuns: 600 },
    );
  });
});

describe('parseNpz (archives built with fflate)', () => {
  const a = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", f32([1, 2, 3, 4]));
  const b = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", new Uint8Array([7, 8, 9]));

  it('reads stored and deflated members, in archive order', () => {
    for (const level of [0, 6] as const) {
      const zip = zipSync({ 'w.npy': a, 'b.npy': b }, { level });
      const r = parseNpz(zip);
      expect(r.format).toBe('npz');
      expect(r.tensors.map((t) => t.name)).toEqual(['w', 'b']);
      expect(Array.from(r.tensors[0].data)).toEqual([1, 2, 3, 4]);
      expect(Array.from(r.tensors[1].data)).toEqual([7, 8, 9]);
    }
  });

  it('rejects non-zip data, non-.npy members, lying sizes and oversize archives', () => {
    expectOckham(() => parseNpz(new Uint8Array(100)), 'PARSE_ERROR', /zip/);
    expectOckham(() => parseNpz(zipSync({ 'x.txt': new Uint8Array(3) })), 'PARSE_ERROR', /not a \.npy/);
    expectOckham(() => parseNpz(zipSync({ 'w.npy': a }, { level: 6 }), { maxBytes: 10 }), 'OUT_OF_RANGE');
    expectOckham(() => parseNpz(zipSync({ 'w.npy': a }), { bytes: 1 } as never), 'UNKNOWN_OPTION');
    // Claim 3 GB uncompressed in the central directory: rejected before any allocation.
    const zip = zipSync({ 'w.npy': a }, { level: 6 });
    const dv = new DataView(zip.buffer);
    let cd = zip.length - 22;
    while (dv.getUint32(cd, true) !== 0x02014b50) cd--;
    dv.setUint32(cd + 24, 3e9, true);
    expectOckham(() => parseNpz(zip), 'PARSE_ERROR', /impossible/);
  });

  it('fuzz: corrupted archives throw OckhamError or parse', () => {
    const base = zipSync({ 'w.npy': a, 'b.npy': b }, { level: 6 });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: base.length }).map((c) => base.subarray(0, c)),
          fc
            .array(fc.tuple(fc.integer({ min: 0, max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 })
            .map((flips) => {
              const x = base.slice();
              for (const [i, v] of flips) x[i] = v;
              return x;
            }),
        ),
        (bytes) => {
          try {
            parseNpz(bytes);
          } catch (e) {
            if (!(e instanceof OckhamError)) throw e;
          }
        },
      ),
      { seed: 13, numRuns: 400 },
    );
  });
});

// Oracle: files written by numpy itself, generated at test time in a temp folder.
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
describe.skipIf(!hasNumpy)('parseNpy / parseNpz against files written by numpy (python3 + numpy)', () => {
  it('matches numpy.astype(float32) for every dtype, order, version and npz flavour', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ockham-npy-'));
    try {
      const script = `
import numpy as np, os, sys
d = sys.argv[1]
rng = np.random.default_rng(0)
arrays = {
  'f4_c': rng.standard_normal((5, 7)).astype('<f4'),
  'f4_f': np.asfortranarray(rng.standard_normal((5, 7, 3)).astype('<f4')),
  'f8_be': rng.standard_normal((4, 6)).astype('>f8'),
  'f2_all': np.arange(65536, dtype='<u2').view('<f2'),
  'u1': rng.integers(0, 256, (9, 4), dtype='u1'),
  'i1_f': np.asfortranarray(rng.integers(-128, 128, (4, 9), dtype='i1')),
  'i4': rng.integers(-2**31, 2**31 - 1, (33,), dtype='<i4'),
  'i8': rng.integers(-2**40, 2**40, (10,), dtype='<i8') * 0 + np.arange(10) * 1000003,
  'u2': rng.integers(0, 65536, (6,), dtype='<u2'),
  'b1': rng.integers(0, 2, (8,)).astype(bool),
  'scalar': np.array(3.25, dtype='<f4'),
}
for k, a in arrays.items():
  np.save(os.path.join(d, k + '.npy'), a)
  with open(os.path.join(d, k + '.expected'), 'wb') as f:
    f.write(np.ascontiguousarray(a.astype('<f4')).tobytes())
np.lib.format.write_array(open(os.path.join(d, 'v2.npy'), 'wb'), rng.standard_normal((3, 3)).astype('<f4'), version=(2, 0))
np.lib.format.write_array(open(os.path.join(d, 'v3.npy'), 'wb'), rng.standard_normal((3, 3)).astype('<f4'), version=(3, 0))
np.savez(os.path.join(d, 'plain.npz'), w=arrays['f4_c'], b=arrays['u1'])
np.savez_compressed(os.path.join(d, 'comp.npz'), w=arrays['f4_f'], v=arrays['f8_be'])
`;
      execFileSync('python3', ['-c', script, dir], { stdio: 'pipe' });
      const expected = (k: string) => new Float32Array(new Uint8Array(readFileSync(join(dir, `${k}.expected`))).buffer);
      const same = (got: Float32Array, want: Float32Array) => {
        expect(got.length).toBe(want.length);
        for (let i = 0; i < want.length; i++) {
          if (Number.isNaN(want[i])) expect(got[i]).toBeNaN();
          else expect(Object.is(got[i], want[i]) || got[i] === want[i]).toBe(true);
        }
      };
      const names = readdirSync(dir).filter((f) => f.endsWith('.expected')).map((f) => f.slice(0, -9));
      expect(names.length).toBe(11);
      for (const k of names) {
        const arr = parseNpy(new Uint8Array(readFileSync(join(dir, `${k}.npy`))), k);
        same(arr.data, expected(k));
      }
      expect(parseNpy(new Uint8Array(readFileSync(join(dir, 'f4_f.npy')))).fortranOrder).toBe(true);
      expect(parseNpy(new Uint8Array(readFileSync(join(dir, 'v2.npy')))).version).toBe('2.0');
      expect(parseNpy(new Uint8Array(readFileSync(join(dir, 'v3.npy')))).version).toBe('3.0');
      const plain = parseNpz(new Uint8Array(readFileSync(join(dir, 'plain.npz'))));
      expect(plain.tensors.map((t) => t.name)).toEqual(['w', 'b']);
      same(plain.tensors[0].data, expected('f4_c'));
      same(plain.tensors[1].data, expected('u1'));
      const comp = parseNpz(new Uint8Array(readFileSync(join(dir, 'comp.npz'))));
      same(comp.tensors[0].data, expected('f4_f'));
      expect(comp.tensors[0].shape).toEqual([5, 7, 3]);
      same(comp.tensors[1].data, expected('f8_be'));
      writeFileSync(join(dir, 'done'), '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
if (!hasNumpy) console.warn('[test/io/npy] python3 with numpy not found: skipping the numpy oracle tests');
