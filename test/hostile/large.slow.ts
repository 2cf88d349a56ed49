/**
 * Slow hostile cases (`npm run test:hostile`): inputs of 100 MB and more, and the peak memory
 * they cause. Peak RSS is read from process.resourceUsage().maxRSS of this forked worker.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNpz } from '../../src/index.js';
import { readSafetensorsFile, readWeightsFile } from '../../src/node.js';
import { buildZip, npyHeader, zeroBomb } from './zip-builder.js';
import { refused } from './helpers.js';

const MB = 2 ** 20;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ockham-hostile-slow-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Peak RSS of this process so far, bytes. */
const peak = () => process.resourceUsage().maxRSS * 1024;

/** Writes a safetensors file whose JSON header is `parts` repeated until `bytes`, without holding it in memory. */
function writeHeaderFile(path: string, open: string, unit: string, close: string, bytes: number): void {
  const fd = openSync(path, 'w');
  const reps = Math.floor((bytes - open.length - close.length) / unit.length);
  const n = open.length + reps * unit.length + close.length;
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(n));
  writeSync(fd, len);
  writeSync(fd, open);
  const chunk = unit.repeat(Math.max(1, Math.floor(MB / unit.length)));
  let left = reps;
  const per = chunk.length / unit.length;
  while (left > 0) {
    const k = Math.min(per, left);
    writeSync(fd, k === per ? chunk : unit.repeat(k));
    left -= k;
  }
  writeSync(fd, close);
  closeSync(fd);
}

describe('100 MB safetensors headers', () => {
  it('~100 MB of nested JSON arrays: refused by the default cap without reading the header', async () => {
    const p = join(dir, 'nested.safetensors');
    writeHeaderFile(p, '{"a": ', '[[[[[[[[[[]]]]]]]]]],', '[]}', 100_000_000);
    const before = peak();
    await refused(() => readSafetensorsFile(p), 'OUT_OF_RANGE', p, /maxHeaderBytes = 16777216/);
    expect(peak() - before).toBeLessThan(16 * MB);
  });

  it('the same with the cap raised to 128 MiB: the shape scan refuses it before JSON.parse (< 1 s, peak < header + 64 MiB)', async () => {
    const p = join(dir, 'nested.safetensors');
    const t0 = performance.now();
    await refused(
      async () => {
        try {
          await readSafetensorsFile(p, { maxHeaderBytes: 128 * MB });
        } finally {
          // eslint-disable-next-line no-console
          console.log(`100 MB nested header refused in ${(performance.now() - t0).toFixed(0)} ms; peak RSS ${(peak() / MB).toFixed(0)} MiB`);
        }
      },
      'PARSE_ERROR',
      p,
      /an array inside an array/,
    );
    expect(peak()).toBeLessThan(100 * MB + 64 * MB + 200 * MB); // header buffer + slack + the test runner itself
  });

  it('~100 MB of deep objects and of long flat arrays: refused by depth / length before JSON.parse', async () => {
    const deep = join(dir, 'deep.safetensors');
    writeHeaderFile(deep, '{"a": ', '{"b": ', '1}', 100_000_000);
    await refused(() => readSafetensorsFile(deep, { maxHeaderBytes: 128 * MB }), 'PARSE_ERROR', deep, /nests deeper than 128/);
    const flat = join(dir, 'flat.safetensors');
    writeHeaderFile(flat, '{"a": {"dtype": "U8", "shape": [', '1,', '1], "data_offsets": [0, 1]}}', 100_000_000);
    await refused(() => readSafetensorsFile(flat, { maxHeaderBytes: 128 * MB }), 'PARSE_ERROR', flat, /more than 1024 items/);
  });
});

describe('archives with real payloads', () => {
  it('200 directory entries over one 10 MB |u1 stream, from disk: refused, peak memory ~ the file', async () => {
    const npy = npyHeader('|u1', [10 * MB]);
    const aliases = Array.from({ length: 199 }, (_, i) => ({ name: `m${i}.npy`, of: 0 }));
    const zip = buildZip([{ name: 'a.npy', data: new Uint8Array(0), compressed: zeroBomb(npy, 10), method: 8, size: npy.length + 10 * MB, crc: 0 }], { aliases });
    const p = join(dir, 'many.npz');
    const fd = openSync(p, 'w');
    writeSync(fd, zip);
    closeSync(fd);
    const before = peak();
    await refused(() => readWeightsFile(p), 'PARSE_ERROR', p);
    expect(peak() - before).toBeLessThan(32 * MB);
  });

  it('the 500 MiB honest bomb, from disk: refused before inflating, peak memory ~ the file', async () => {
    const npy = npyHeader('|u1', [500 * MB]);
    const zip = buildZip([{ name: 'bomb.npy', data: new Uint8Array(0), compressed: zeroBomb(npy, 500), method: 8, size: npy.length + 500 * MB, crc: 0 }]);
    const p = join(dir, 'bomb.npz');
    const fd = openSync(p, 'w');
    writeSync(fd, zip);
    closeSync(fd);
    const before = peak();
    await refused(() => readWeightsFile(p), 'OUT_OF_RANGE', p, /maxExpansion/);
    expect(peak() - before).toBeLessThan(32 * MB);
  });

  it('compressible arrays: 15 MiB of zeros read with the default budget; 64 MiB (256 MiB as float32) needs maxExpansion raised', () => {
    const zeros = (mib: number) => {
      const npy = npyHeader('|u1', [mib * MB]);
      const full = new Uint8Array(npy.length + mib * MB);
      full.set(npy);
      return buildZip([{ name: 'z.npy', data: full, compressed: zeroBomb(npy, mib), method: 8 }]);
    };
    // 15 MiB → 60 MiB as float32 from a ~16 KB archive: inside the 64 MiB allowance.
    expect(parseNpz(zeros(15)).tensors[0].data.length).toBe(15 * MB);
    const z64 = zeros(64);
    expect(() => parseNpz(z64)).toThrow(/maxExpansion = 128/);
    expect(parseNpz(z64, { maxExpansion: 10_000 }).tensors[0].data.length).toBe(64 * MB);
  });
});
