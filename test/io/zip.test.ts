import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import fc from 'fast-check';
import { listZipEntries, readZipEntry, crc32 } from '../../src/io/zip.js';
import { OckhamError } from '../../src/errors.js';
import { buildZip } from '../hostile/zip-builder.js';

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OckhamError);
    return (e as OckhamError).code + ': ' + (e as OckhamError).message;
  }
  throw new Error('did not throw');
}

describe('crc32', () => {
  it('matches the standard check value and a byte-wise reference', () => {
    expect(crc32(strToU8('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const ref = (b: Uint8Array) => {
      let c = 0xffffffff;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => crc32(b) === ref(b)), { seed: 15, numRuns: 200 });
  });
});

describe('listZipEntries / readZipEntry', () => {
  it('round-trips fflate archives, stored and deflated, and lists offsets and sizes', () => {
    const a = strToU8('hello hello hello hello');
    const big = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);
    for (const level of [0, 9] as const) {
      const zip = zipSync({ 'a.txt': a, 'dir/b.bin': big }, { level });
      const entries = listZipEntries(zip);
      expect(entries.map((e) => e.name)).toEqual(['a.txt', 'dir/b.bin']);
      expect(entries[1].size).toBe(200_000);
      expect(entries[1].method).toBe(level === 0 ? 0 : 8);
      expect(entries[1].crc32).toBe(crc32(big));
      expect(readZipEntry(zip, entries[0])).toEqual(a);
      expect(readZipEntry(zip, entries[1])).toEqual(big);
    }
  });

  it('reads ZIP64 end records and extra fields', () => {
    const data = strToU8('zip64 member');
    const extra = new Uint8Array(4 + 16);
    const dv = new DataView(extra.buffer);
    dv.setUint16(0, 1, true);
    dv.setUint16(2, 16, true);
    dv.setBigUint64(4, BigInt(data.length), true);
    dv.setBigUint64(12, BigInt(data.length), true);
    const zip = buildZip([{ name: 'x', data, size: 0xffffffff, compressedSize: 0xffffffff, extra }], { zip64: true });
    const [e] = listZipEntries(zip);
    expect(e.size).toBe(data.length);
    expect(readZipEntry(zip, e)).toEqual(data);
  });

  it('refuses what a hostile archive lies about, each with a typed error', () => {
    const d = strToU8('0123456789abcdef');
    expect(code(() => listZipEntries(buildZip([{ name: 'x', data: d, size: 0xffffffff }], { zip64: true })))).toMatch(/no ZIP64 extra field/);
    expect(code(() => listZipEntries(buildZip([{ name: 'x', data: d }, { name: 'x', data: d }])))).toMatch(/twice/);
    expect(code(() => listZipEntries(buildZip([{ name: 'x', data: d }], { aliases: [{ name: 'y', of: 0 }] })))).toMatch(/names a different member/);
    const over = buildZip([{ name: 'x', data: d, method: 8, compressedSize: 60 }, { name: 'y', data: d }]);
    expect(code(() => listZipEntries(over))).toMatch(/PARSE_ERROR.*"x" and "y" overlap/);
    expect(code(() => listZipEntries(buildZip([{ name: 'x', data: d }], { count: 1000 })))).toMatch(/more than its/);
    expect(code(() => listZipEntries(buildZip([{ name: 'x', data: d, size: 17 }])))).toMatch(/impossible/);
    expect(code(() => listZipEntries(new Uint8Array(100)))).toMatch(/PARSE_ERROR.*no end-of-central-directory/);
    const bad = buildZip([{ name: 'x', data: d, crc: 1234 }]);
    expect(code(() => readZipEntry(bad, listZipEntries(bad)[0]))).toMatch(/PARSE_ERROR.*CRC-32/);
    expect(code(() => listZipEntries(buildZip([{ name: 'x', data: d }]), { maxEntryBytes: 8 }))).toMatch(/OUT_OF_RANGE.*maxEntryBytes/);
    expect(code(() => listZipEntries(buildZip([{ name: 'x', data: d }, { name: 'y', data: d }]), { maxTotalBytes: 20 }))).toMatch(/maxTotalBytes/);
    expect(code(() => listZipEntries(buildZip([{ name: 'x', data: d }, { name: 'y', data: d }]), { maxEntries: 1 }))).toMatch(/maxEntries/);
  });

  it('stops a deflate stream that inflates past its declared size', () => {
    const data = new Uint8Array(1 << 20);
    const zip = buildZip([{ name: 'x', data, method: 8, size: 1000 }]);
    const [e] = listZipEntries(zip);
    expect(code(() => readZipEntry(zip, e))).toMatch(/more than its declared 1000/);
  });

  it('never hangs or throws anything but OckhamError on mutated archives', () => {
    const zip = zipSync({ 'a.npy': new Uint8Array(300).fill(3), 'b.npy': strToU8('bbbbbbbbbbbbbbbbbbbbbbb') }, { level: 6 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(zip.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
        const z = zip.slice();
        for (const [i, v] of edits) z[i] = v;
        try {
          for (const e of listZipEntries(z)) readZipEntry(z, e);
        } catch (err) {
          if (!(err instanceof OckhamError)) throw err;
        }
      }),
      { seed: 1515, numRuns: 400 },
    );
  });
});

const hasPython = spawnSync('python3', ['-c', 'import zipfile, zlib'], { stdio: 'ignore' }).status === 0;
if (!hasPython) console.warn('[test/io/zip] python3 not found: skipping the archives written by Python zipfile');
describe.skipIf(!hasPython)('archives written by Python zipfile (python3)', () => {
  it('65,600 members (ZIP64 end record), data descriptors on an unseekable stream, force_zip64 members', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ockham-zip-'));
    try {
      const script = `
import zipfile, io, sys
d = sys.argv[1]
with zipfile.ZipFile(d + '/many.zip', 'w') as z:
    for i in range(65600):
        z.writestr(f'e{i}', b'x%d' % i)
class U(io.RawIOBase):
    def __init__(s): s.b = bytearray()
    def writable(s): return True
    def write(s, d): s.b += d; return len(d)
u = U()
with zipfile.ZipFile(u, 'w', compression=zipfile.ZIP_DEFLATED) as z:
    with z.open('a.bin', 'w') as f: f.write(b'hello world ' * 1000)
    with z.open('b.bin', 'w', force_zip64=True) as f: f.write(b'abc' * 10)
open(d + '/dd.zip', 'wb').write(bytes(u.b))
`;
      execFileSync('python3', ['-c', script, dir], { stdio: 'pipe' });
      const many = new Uint8Array(readFileSync(join(dir, 'many.zip')));
      const entries = listZipEntries(many);
      expect(entries).toHaveLength(65600);
      expect(new TextDecoder().decode(readZipEntry(many, entries[65599]))).toBe('x65599');
      expect(() => listZipEntries(many, { maxEntries: 65535 })).toThrow(/maxEntries/);
      const dd = new Uint8Array(readFileSync(join(dir, 'dd.zip')));
      const [a, b] = listZipEntries(dd);
      expect(a.flags & 8).toBe(8); // sizes only in the directory and the data descriptor
      expect(new TextDecoder().decode(readZipEntry(dd, a))).toBe('hello world '.repeat(1000));
      expect(new TextDecoder().decode(readZipEntry(dd, b))).toBe('abc'.repeat(10));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
