import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { listZipEntries, readZipEntry, crc32 } from '../../src/io/zip.js';
import { openZipFile } from '../../src/node.js';
import { OckhamError } from '../../src/errors.js';
import { buildZip } from '../hostile/zip-builder.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ockham-zipfile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openZipFile', () => {
  it('lists and reads the same members as the in-memory reader', async () => {
    const big = new Uint8Array(300_000).map((_, i) => (i * 13) & 0xff);
    const zip = zipSync({ 'archive/data.pkl': new Uint8Array([0x80, 2, 0x7d, 0x2e]), 'archive/data/0': big, 'archive/data/1': new Uint8Array(0) }, { level: 6 });
    const p = join(dir, 'm.pt');
    writeFileSync(p, zip);
    const z = await openZipFile(p);
    try {
      expect(z.entries).toEqual(listZipEntries(zip));
      for (const e of z.entries) expect(await z.read(e)).toEqual(readZipEntry(zip, e));
    } finally {
      await z.close();
    }
    await expect(z.read(z.entries[0])).rejects.toThrow(/closed/);
  });

  it('a 5 GiB sparse ZIP64 archive: listed and its small member read without loading the file', async () => {
    // [local "big" (stored, 5 GiB of zeros)][local "small"]["central directory"][ZIP64 end + locator][end]
    const GiB = 2 ** 30;
    const p = join(dir, 'huge.zip');
    const fd = openSync(p, 'w');
    const enc = new TextEncoder();
    const local = (name: string, size: number, crc: number): Buffer => {
      const n = enc.encode(name);
      const h = Buffer.alloc(30 + n.length);
      h.writeUInt32LE(0x04034b50, 0);
      h.writeUInt16LE(45, 4);
      h.writeUInt32LE(crc, 14);
      h.writeUInt32LE(Math.min(size, 0xffffffff), 18);
      h.writeUInt32LE(Math.min(size, 0xffffffff), 22);
      h.writeUInt16LE(n.length, 26);
      h.set(n, 30);
      return h;
    };
    const bigSize = 5 * GiB;
    const smallData = enc.encode('tensor bytes after 5 GiB');
    const hBig = local('big', bigSize, 0);
    writeSync(fd, hBig, 0, hBig.length, 0);
    const smallOffset = hBig.length + bigSize;
    const hSmall = local('small', smallData.length, crc32(smallData));
    writeSync(fd, hSmall, 0, hSmall.length, smallOffset);
    writeSync(fd, smallData, 0, smallData.length, smallOffset + hSmall.length);
    const cdOffset = smallOffset + hSmall.length + smallData.length;
    const central = (name: string, size: number, crc: number, offset: number, extra: bigint[]): Buffer => {
      const n = enc.encode(name);
      const x = Buffer.alloc(extra.length ? 4 + 8 * extra.length : 0);
      if (extra.length) {
        x.writeUInt16LE(1, 0);
        x.writeUInt16LE(8 * extra.length, 2);
        extra.forEach((v, i) => x.writeBigUInt64LE(v, 4 + 8 * i));
      }
      const h = Buffer.alloc(46 + n.length + x.length);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(45, 4);
      h.writeUInt16LE(45, 6);
      h.writeUInt32LE(crc, 16);
      h.writeUInt32LE(size > 0xfffffffe ? 0xffffffff : size, 20);
      h.writeUInt32LE(size > 0xfffffffe ? 0xffffffff : size, 24);
      h.writeUInt16LE(n.length, 28);
      h.writeUInt16LE(x.length, 30);
      h.writeUInt32LE(offset > 0xfffffffe ? 0xffffffff : offset, 42);
      h.set(n, 46);
      h.set(x, 46 + n.length);
      return h;
    };
    const cd = Buffer.concat([
      central('big', bigSize, 0, 0, [BigInt(bigSize), BigInt(bigSize)]),
      central('small', smallData.length, crc32(smallData), smallOffset, [BigInt(smallOffset)]),
    ]);
    writeSync(fd, cd, 0, cd.length, cdOffset);
    const z64 = Buffer.alloc(56 + 20 + 22);
    const z64At = cdOffset + cd.length;
    z64.writeUInt32LE(0x06064b50, 0);
    z64.writeBigUInt64LE(44n, 4);
    z64.writeUInt16LE(45, 12);
    z64.writeUInt16LE(45, 14);
    z64.writeBigUInt64LE(2n, 24);
    z64.writeBigUInt64LE(2n, 32);
    z64.writeBigUInt64LE(BigInt(cd.length), 40);
    z64.writeBigUInt64LE(BigInt(cdOffset), 48);
    z64.writeUInt32LE(0x07064b50, 56);
    z64.writeBigUInt64LE(BigInt(z64At), 64);
    z64.writeUInt32LE(1, 72);
    z64.writeUInt32LE(0x06054b50, 76);
    z64.writeUInt16LE(0xffff, 84);
    z64.writeUInt16LE(0xffff, 86);
    z64.writeUInt32LE(0xffffffff, 88);
    z64.writeUInt32LE(0xffffffff, 92);
    writeSync(fd, z64, 0, z64.length, z64At);
    closeSync(fd);
    expect(statSync(p).size).toBeGreaterThan(bigSize);
    const before = process.memoryUsage().arrayBuffers;
    // Listing checks each member against maxEntryBytes (default 2³² − 1, one Uint8Array).
    await expect(openZipFile(p)).rejects.toThrow(/"big" is 5368709120 bytes uncompressed, more than budget.maxEntryBytes/);
    const z = await openZipFile(p, { maxEntryBytes: 2 ** 33 });
    try {
      expect(z.entries.map((e) => [e.name, e.size])).toEqual([
        ['big', bigSize],
        ['small', smallData.length],
      ]);
      expect(new TextDecoder().decode(await z.read(z.entries[1]))).toBe('tensor bytes after 5 GiB');
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 2 ** 20);
      // Reading the 5 GiB member would need one 5 GiB array: refused before allocating.
      await expect(z.read(z.entries[0])).rejects.toThrow(/too large for one Uint8Array/);
    } finally {
      await z.close();
    }
    rmSync(p);
  });

  it('hostile archives from disk: typed errors naming the path; FIFOs refused', async () => {
    const p = join(dir, 'dup.zip');
    writeFileSync(p, buildZip([{ name: 'a', data: new Uint8Array(4) }, { name: 'a', data: new Uint8Array(4) }]));
    const e = await openZipFile(p).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OckhamError);
    expect((e as OckhamError).argument).toBe(p);
    expect((e as OckhamError).message).toMatch(/twice/);
    const fifo = join(dir, 'f.zip');
    execFileSync('mkfifo', [fifo]);
    await expect(openZipFile(fifo)).rejects.toThrow(/FIFO/);
  });
});
