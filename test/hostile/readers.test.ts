/**
 * Hostile inputs against every reader (issue 15): each case must end in < 1 s with a typed
 * OckhamError naming the file or argument. Archives are built by hand (zip-builder.ts); slow cases
 * (100 MB headers, peak-memory measurement) are in *.slow.ts, run by `npm run test:hostile`.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { parseNpz, parseNpy, parseSafetensors, parseTfjsModel, tfjsManifest, serializeSafetensors, READ_BUDGET_DEFAULTS } from '../../src/index.js';
import { readWeightsFile, readTfjsModelFile, readSafetensorsFile, streamSafetensorsFile, readSafetensorsHeader } from '../../src/node.js';
import { OckhamError } from '../../src/errors.js';
import { listZipEntries, readZipEntry, crc32 } from '../../src/io/zip.js';
import { buildZip, npyFile, npyHeader, zeroBomb } from './zip-builder.js';
import { refused, safetensorsBytes } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ockham-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const u8npy = (n: number) => npyFile('|u1', [n], new Uint8Array(n).fill(7));

describe('npz / zip', () => {
  it('ZIP64 end record + a 0xFFFFFFFF size without the ZIP64 extra field (fflate loops forever): refused in ms', async () => {
    const zip = buildZip([{ name: 'a.npy', data: u8npy(8), size: 0xffffffff, compressedSize: 0xffffffff }], { zip64: true });
    expect(zip.length).toBeLessThan(400);
    await refused(() => parseNpz(zip, { argument: 'evil.npz' }), 'PARSE_ERROR', 'evil.npz', /no ZIP64 extra field/);
  });

  it('200 directory entries pointing at one deflate stream of a 10 MB |u1 array: refused before inflating', async () => {
    const npy = npyHeader('|u1', [10 * 2 ** 20]);
    const stream = zeroBomb(npy, 10);
    const data = new Uint8Array(0);
    const aliases = Array.from({ length: 199 }, (_, i) => ({ name: `m${i}.npy`, of: 0 }));
    const zip = buildZip([{ name: 'a.npy', data, compressed: stream, method: 8, size: npy.length + 10 * 2 ** 20, crc: 0 }], { aliases });
    expect(zip.length).toBeLessThan(40_000);
    await refused(() => parseNpz(zip, { argument: 'many.npz' }), 'PARSE_ERROR', 'many.npz', /names a different member|overlap/);
    // Same names instead: duplicates.
    const dup = buildZip([{ name: 'a.npy', data, compressed: stream, method: 8, size: npy.length + 10 * 2 ** 20, crc: 0 }], {
      aliases: [{ name: 'a.npy', of: 0 }],
    });
    await refused(() => parseNpz(dup, { argument: 'dup.npz' }), 'PARSE_ERROR', 'dup.npz', /twice/);
  });

  it('overlapping member ranges are refused (one stream reachable from two members)', async () => {
    const a = u8npy(40);
    const zip = buildZip([{ name: 'a.npy', data: a, method: 8, compressedSize: 200 }, { name: 'b.npy', data: a }]);
    await refused(() => parseNpz(zip, { argument: 'o.npz' }), 'PARSE_ERROR', 'o.npz', /overlap|run past/);
  });

  it('honest |u1 zip bomb (~520 KB → 500 MiB, 2 GB as float32): refused by the default budget before inflating', async () => {
    const mib = 500;
    const npy = npyHeader('|u1', [mib * 2 ** 20]);
    const zip = buildZip([{ name: 'bomb.npy', data: new Uint8Array(0), compressed: zeroBomb(npy, mib), method: 8, size: npy.length + mib * 2 ** 20, crc: 0 }]);
    expect(zip.length).toBeLessThan(600_000);
    await refused(() => parseNpz(zip, { argument: 'bomb.npz' }), 'OUT_OF_RANGE', 'bomb.npz', /maxExpansion/);
    // With the expansion limit lifted, the total budget still counts the bytes before inflating.
    await refused(() => parseNpz(zip, { argument: 'bomb.npz', maxExpansion: 1e6, maxTotalBytes: 2 ** 28 }), 'OUT_OF_RANGE', 'bomb.npz', /maxTotalBytes/);
  });

  it('the bomb construction is a genuine deflate stream: a 5 MiB one inflates, CRC-checked, to zeros', () => {
    const npy = npyHeader('|u1', [5 * 2 ** 20]);
    const full = new Uint8Array(npy.length + 5 * 2 ** 20);
    full.set(npy);
    const zip = buildZip([{ name: 'z.npy', data: full, compressed: zeroBomb(npy, 5), method: 8 }]);
    const { tensors } = parseNpz(zip);
    expect(tensors[0].data.length).toBe(5 * 2 ** 20);
    expect(tensors[0].data.every((v) => v === 0)).toBe(true);
    // ... and the float32 output counts against maxTotalBytes (20 MiB here).
    expect(() => parseNpz(zip, { maxTotalBytes: 16 * 2 ** 20 })).toThrow(/maxTotalBytes/);
  });

  it('a stored member whose bytes do not match its CRC-32: refused', async () => {
    const a = u8npy(16);
    const zip = buildZip([{ name: 'a.npy', data: a, crc: crc32(a) ^ 1 }]);
    await refused(() => parseNpz(zip, { argument: 'crc.npz' }), 'PARSE_ERROR', 'crc.npz', /CRC-32/);
  });

  it('an out-of-range local header offset says so (not "missing magic")', async () => {
    const zip = buildZip([{ name: 'a.npy', data: u8npy(4) }]);
    const dv = new DataView(zip.buffer);
    const cd = dv.getUint32(zip.length - 22 + 16, true);
    dv.setUint32(cd + 42, 0x7fff0000, true);
    await refused(() => parseNpz(zip, { argument: 'off.npz' }), 'PARSE_ERROR', 'off.npz', /offset 2147418112 is outside/);
  });

  it('a member named __proto__.npy is read, not dropped', () => {
    const { tensors } = parseNpz(zipSync({ '__proto__.npy': u8npy(3), 'constructor.npy': u8npy(2) }));
    expect(tensors.map((t) => t.name)).toEqual(['__proto__', 'constructor']);
    expect(Array.from(tensors[0].data)).toEqual([7, 7, 7]);
  });

  it('mutated archives: only OckhamErrors, each quickly (fast-check, fixed seed)', () => {
    const zip = zipSync({ 'a.npy': u8npy(300), 'b.npy': npyFile('<f4', [2, 3], new Uint8Array(24).fill(1)) }, { level: 6 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(zip.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
        const z = zip.slice();
        for (const [i, v] of edits) z[i] = v;
        const t0 = performance.now();
        try {
          parseNpz(z);
        } catch (e) {
          if (!(e instanceof OckhamError)) throw e;
        }
        return performance.now() - t0 < 1000;
      }),
      { seed: 15, numRuns: 500 },
    );
  });

  it('readZipEntry refuses an entry that does not belong to the bytes', async () => {
    const zip = zipSync({ 'a.bin': new Uint8Array(10) });
    const e = listZipEntries(zip)[0];
    await refused(() => readZipEntry(zip, { ...e, dataOffset: zip.length }), 'INVALID_ARGUMENT', 'entry');
  });
});

describe('npy', () => {
  it('a header key __proto__ (or any extra key) is refused', async () => {
    const bad = npyFile('|u1', [2], new Uint8Array(2));
    const h = npyHeader('|u1', [2], "'__proto__': {'descr': '<f8'}, ");
    const f = new Uint8Array(h.length + 2);
    f.set(h);
    await refused(() => parseNpy(f, 'p.npy'), 'PARSE_ERROR', 'p.npy', /header keys/);
    expect(parseNpy(bad).data.length).toBe(2);
  });

  it('a header beyond maxHeaderBytes is refused', async () => {
    const f = npyFile('|u1', [2], new Uint8Array(2));
    await refused(() => parseNpy(f, 'h.npy', { maxHeaderBytes: 16 }), 'OUT_OF_RANGE', 'h.npy', /maxHeaderBytes/);
  });

  it('a tensor beyond maxTensorBytes is refused before decoding, naming it', async () => {
    const f = npyFile('|u1', [100], new Uint8Array(100));
    await refused(() => parseNpy(f, 't.npy', { maxTensorBytes: 399 }), 'OUT_OF_RANGE', 't.npy', /100 elements = 400 bytes as float32, more than maxTensorBytes = 399/);
  });
});

describe('safetensors', () => {
  const f32 = new Uint8Array(16);

  it('deeply nested header JSON is refused before JSON.parse', async () => {
    const deep = `{"a": ${'{"b": '.repeat(5000)}1${'}'.repeat(5000)}}`;
    await refused(() => parseSafetensors(safetensorsBytes(deep)), 'PARSE_ERROR', 'bytes', /nests deeper than 128/);
    const nested = `{"a": ${'['.repeat(5000)}${']'.repeat(5000)}}`;
    await refused(() => parseSafetensors(safetensorsBytes(nested)), 'PARSE_ERROR', 'bytes', /an array inside an array/);
    const long = `{"a": {"dtype": "F32", "shape": [${Array(5000).fill(1).join(',')}], "data_offsets": [0, 4]}}`;
    await refused(() => parseSafetensors(safetensorsBytes(long, new Uint8Array(4))), 'PARSE_ERROR', 'bytes', /more than 1024 items/);
  });

  it('a header above maxHeaderBytes (default 16 MiB) is refused; the limit is an option', async () => {
    const big = safetensorsBytes(`{"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}, "__metadata__": {"pad": "${'x'.repeat(17 * 2 ** 20)}"}}`, f32);
    await refused(() => parseSafetensors(big), 'OUT_OF_RANGE', 'bytes', /maxHeaderBytes = 16777216/);
    expect(parseSafetensors(big, { maxHeaderBytes: 32 * 2 ** 20 }).tensors).toHaveLength(1);
    const small = serializeSafetensors([{ name: 'w', shape: [4], data: new Float32Array(4) }]);
    await refused(() => parseSafetensors(small, { maxHeaderBytes: 10 }), 'OUT_OF_RANGE', 'bytes', /maxHeaderBytes = 10/);
  });

  it('duplicate keys are refused (JSON.parse would keep the last)', async () => {
    const dup = '{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}';
    await refused(() => parseSafetensors(safetensorsBytes(dup, f32)), 'PARSE_ERROR', 'bytes', /"a" twice/);
    const inner = '{"a": {"dtype": "F32", "dtype": "U8", "shape": [4], "data_offsets": [0, 16]}}';
    await refused(() => parseSafetensors(safetensorsBytes(inner, f32)), 'PARSE_ERROR', 'bytes', /"dtype" twice/);
    const escaped = '{"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}, "\\u0061": {"dtype": "F32", "shape": [0], "data_offsets": [16, 16]}}';
    await refused(() => parseSafetensors(safetensorsBytes(escaped, f32)), 'PARSE_ERROR', 'bytes', /twice/);
  });

  it('dtype names constructor / toString / __proto__ / hasOwnProperty are unknown dtypes, not NaN sizes', async () => {
    for (const dtype of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      await refused(() => parseSafetensors(safetensorsBytes({ a: { dtype, shape: [4], data_offsets: [0, 16] } }, f32)), 'UNSUPPORTED', 'bytes', /is not supported/);
    }
  });

  it('a > 2^30-element F32 tensor (sparse 4 GiB file) is refused naming the tensor and the limit', async () => {
    const n = 2 ** 30 + 1;
    const head = safetensorsBytes({ huge: { dtype: 'F32', shape: [n], data_offsets: [0, 4 * n] } });
    const p = join(dir, 'huge.safetensors');
    writeFileSync(p, head);
    truncateSync(p, head.length + 4 * n);
    const e = await refused(() => readSafetensorsFile(p), 'OUT_OF_RANGE', p, /tensor "huge" \[1073741825\] is 1073741825 elements = 4294967300 bytes as float32, more than maxTensorBytes = 4294967296/);
    expect(e.message).toMatch(/2³⁰ elements/);
    rmSync(p);
  });

  it('streaming reader: maxTotalBytes counts what it yields', async () => {
    const p = join(dir, 'two.safetensors');
    writeFileSync(p, serializeSafetensors([{ name: 'a', shape: [4], data: new Float32Array(4) }, { name: 'b', shape: [4], data: new Float32Array(4) }]));
    const seen: string[] = [];
    await refused(
      async () => {
        for await (const t of streamSafetensorsFile(p, { maxTotalBytes: 20 })) seen.push(t.name);
      },
      'OUT_OF_RANGE',
      p,
      /maxTotalBytes = 20/,
    );
    expect(seen).toEqual(['a']);
    await refused(() => readSafetensorsHeader(p, { maxTensors: 1 }), 'OUT_OF_RANGE', p, /maxTensors = 1/);
  });

  it('a FIFO is refused, not waited on', async () => {
    const fifo = join(dir, 'pipe.safetensors');
    execFileSync('mkfifo', [fifo]);
    await refused(() => readSafetensorsFile(fifo), 'INVALID_ARGUMENT', fifo, /FIFO/);
    await refused(() => readWeightsFile(fifo), 'INVALID_ARGUMENT', fifo, /FIFO/);
    const fifo2 = join(dir, 'pipe.bin');
    execFileSync('mkfifo', [fifo2]);
    await refused(() => readWeightsFile(fifo2), 'INVALID_ARGUMENT', fifo2, /FIFO/);
  });
});

describe('tfjs', () => {
  const w = (name: string, shape: number[], dtype = 'float32', quantization?: object) => ({ name, shape, dtype, ...(quantization ? { quantization } : {}) });
  const model = (paths: string[], weights: object[], extra: object = {}) => JSON.stringify({ format: 'layers-model', generatedBy: 'hostile', ...extra, weightsManifest: [{ paths, weights }] });

  function folder(name: string): string {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    return d;
  }

  it('a shard that is a symlink to /dev/zero: refused (outside the folder, and not a regular file)', async () => {
    const d = folder('zero');
    writeFileSync(join(d, 'model.json'), model(['s.bin'], [w('k', [1000])]));
    symlinkSync('/dev/zero', join(d, 's.bin'));
    await refused(() => readTfjsModelFile(join(d, 'model.json')), 'INVALID_ARGUMENT', join(d, 'model.json'), /outside the model folder/);
  });

  it('a shard that is a FIFO inside the folder: refused, not waited on', async () => {
    const d = folder('fifo');
    writeFileSync(join(d, 'model.json'), model(['s.bin'], [w('k', [4])]));
    execFileSync('mkfifo', [join(d, 's.bin')]);
    await refused(() => readTfjsModelFile(join(d, 'model.json')), 'INVALID_ARGUMENT', join(d, 'model.json'), /FIFO; only regular files/);
  });

  it('a shard symlinked outside the model folder: refused after realpath (the old check was lexical)', async () => {
    const d = folder('escape');
    writeFileSync(join(dir, 'secret.bin'), new Uint8Array(16));
    writeFileSync(join(d, 'model.json'), model(['s.bin'], [w('k', [4])]));
    symlinkSync(join(dir, 'secret.bin'), join(d, 's.bin'));
    await refused(() => readTfjsModelFile(join(d, 'model.json')), 'INVALID_ARGUMENT', join(d, 'model.json'), /resolves \(through a symlink\)/);
    // A symlink that stays inside the folder is fine.
    const ok = folder('inside');
    writeFileSync(join(ok, 'real.bin'), new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer));
    symlinkSync(join(ok, 'real.bin'), join(ok, 's.bin'));
    writeFileSync(join(ok, 'model.json'), model(['s.bin'], [w('k', [4])]));
    expect(Array.from((await readTfjsModelFile(join(ok, 'model.json'))).tensors[0].data)).toEqual([1, 2, 3, 4]);
  });

  it('one 32 MiB shard under 60 spellings: refused before reading any of it', async () => {
    const d = folder('spell');
    const p = join(d, 's.bin');
    writeFileSync(p, new Uint8Array(0));
    truncateSync(p, 32 * 2 ** 20);
    const paths = Array.from({ length: 60 }, (_, k) => `${'./'.repeat(k + 1)}s.bin`);
    writeFileSync(join(d, 'model.json'), model(paths, [w('k', [8 * 2 ** 20])]));
    const before = process.memoryUsage().arrayBuffers;
    await refused(() => readTfjsModelFile(join(d, 'model.json')), 'INVALID_ARGUMENT', join(d, 'model.json'), /same file/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 2 ** 20);
  });

  it('shards larger than the manifest implies: refused before reading', async () => {
    const d = folder('big');
    const p = join(d, 's.bin');
    writeFileSync(p, new Uint8Array(0));
    truncateSync(p, 2 ** 30);
    writeFileSync(join(d, 'model.json'), model(['s.bin'], [w('k', [4])]));
    await refused(() => readTfjsModelFile(join(d, 'model.json')), 'OUT_OF_RANGE', join(d, 'model.json'), /1073741824 bytes, more than the 16 allowed/);
  });

  it('a model.json that is huge or deeply nested: refused before JSON.parse', async () => {
    const d = folder('deep');
    writeFileSync(join(d, 'model.json'), `{"modelTopology": ${'['.repeat(10000)}${']'.repeat(10000)}, "weightsManifest": []}`);
    await refused(() => readTfjsModelFile(join(d, 'model.json')), 'PARSE_ERROR', join(d, 'model.json'), /nests deeper/);
    await refused(() => readTfjsModelFile(join(d, 'model.json'), { maxHeaderBytes: 100 }), 'OUT_OF_RANGE', join(d, 'model.json'), /maxHeaderBytes|allowed/);
  });

  it('dtype names constructor / __proto__ / toString: unknown dtypes', async () => {
    for (const dtype of ['constructor', '__proto__', 'toString']) {
      await refused(() => parseTfjsModel(model(['a'], [w('k', [1], dtype)]), [new Uint8Array(4)]), 'UNSUPPORTED', 'k', /is not supported/);
      await refused(() => parseTfjsModel(model(['a'], [w('k', [1], 'float32', { dtype })]), [new Uint8Array(4)]), 'UNSUPPORTED', 'k', /is not supported/);
    }
    // A shard record keyed __proto__ is an own key, not Object.prototype.
    await refused(() => parseTfjsModel(model(['__proto__'], [w('k', [1])]), {}), 'PARSE_ERROR', 'shardBuffers', /missing/);
  });

  it('metadata survives when model.json is given as a string or bytes', () => {
    const json = model(['a'], [w('k', [1])], { convertedBy: 'TensorFlow.js Converter v4' });
    const shard = [new Uint8Array(new Float32Array([3]).buffer)];
    const expected = { format: 'layers-model', generatedBy: 'hostile', convertedBy: 'TensorFlow.js Converter v4' };
    expect(parseTfjsModel(json, shard).metadata).toEqual(expected);
    expect(parseTfjsModel(new TextEncoder().encode(json), shard).metadata).toEqual(expected);
    expect(parseTfjsModel(JSON.parse(json), shard).metadata).toEqual(expected);
    expect(tfjsManifest(json)[0].paths).toEqual(['a']);
  });

  it('a uint8 quantization scale that overflows float32: refused, not Infinity', async () => {
    const json = model(['a'], [w('k', [2], 'float32', { dtype: 'uint8', scale: 1e308, min: 0 })]);
    await refused(() => parseTfjsModel(json, [new Uint8Array([0, 200])]), 'PARSE_ERROR', 'k', /dequantizes element 1 to Infinity/);
    const big = model(['a'], [w('k', [2], 'float32', { dtype: 'uint16', scale: 1e36, min: 0 })]);
    await refused(() => parseTfjsModel(big, [new Uint8Array([0, 0, 255, 255])]), 'PARSE_ERROR', 'k', /outside the float32 range/);
  });

  it('budgets apply to tfjs too', async () => {
    const json = model(['a'], [w('k', [4])]);
    await refused(() => parseTfjsModel(json, [new Uint8Array(16)], { maxTensorBytes: 8 }), 'OUT_OF_RANGE', 'modelJson', /maxTensorBytes = 8/);
    await refused(() => parseTfjsModel(json, [new Uint8Array(16)], { maxHeaderBytes: 8 }), 'OUT_OF_RANGE', 'modelJson', /maxHeaderBytes = 8/);
  });
});

describe('budget options', () => {
  it('unknown or invalid budget options are refused', async () => {
    await refused(() => parseSafetensors(new Uint8Array(16), { maxHeaderByte: 5 } as never), 'UNKNOWN_OPTION', 'options');
    await refused(() => parseSafetensors(new Uint8Array(16), { maxHeaderBytes: -1 }), 'OUT_OF_RANGE', 'options.maxHeaderBytes');
    await refused(() => parseNpz(new Uint8Array(16), { maxTensors: 1.5 }), 'OUT_OF_RANGE', 'options.maxTensors');
  });

  it('defaults are documented values that fit a 7B-parameter checkpoint', () => {
    expect(READ_BUDGET_DEFAULTS).toEqual({
      maxHeaderBytes: 16 * 2 ** 20,
      maxTensorBytes: 2 ** 32,
      maxTotalBytes: 2 ** 36,
      maxTensors: 1_000_000,
      maxExpansion: 128,
      maxHeaderDepth: 128,
    });
    // Largest tensors of 7–8B models (embeddings): Qwen2-7B 152064×3584, Llama-3-8B 128256×4096.
    for (const n of [152064 * 3584, 128256 * 4096]) expect(4 * n).toBeLessThan(READ_BUDGET_DEFAULTS.maxTensorBytes);
    expect(4 * 7.6e9).toBeLessThan(READ_BUDGET_DEFAULTS.maxTotalBytes);
  });
});

describe('tfjs model.json: only the manifest is parsed', () => {
  it('16 MiB of empty arrays in modelTopology are never materialised; container spam in the manifest is refused', async () => {
    const topology = `[${'[],'.repeat(5_000_000)}[]]`;
    const json = `{"format": "layers-model", "modelTopology": ${topology}, "weightsManifest": [{"paths": ["a"], "weights": [{"name": "k", "shape": [1], "dtype": "float32"}]}]}`;
    const t0 = performance.now();
    const r = parseTfjsModel(json, [new Uint8Array(4)], { maxHeaderBytes: 32 * 2 ** 20 });
    expect(r.tensors).toHaveLength(1);
    expect(r.metadata.format).toBe('layers-model');
    expect(performance.now() - t0).toBeLessThan(1500);
    const spam = `{"weightsManifest": [{"paths": ["a"], "weights": [${'{},'.repeat(1_000_000)}{}]}]}`;
    await refused(() => parseTfjsModel(spam, [new Uint8Array(4)]), 'PARSE_ERROR', 'modelJson', /objects and arrays/);
    await refused(() => parseTfjsModel('{"weightsManifest": [[[]]]}', []), 'PARSE_ERROR', 'modelJson', /array inside an array/);
    await refused(() => parseTfjsModel('{"weightsManifest": [', []), 'PARSE_ERROR', 'modelJson', /not valid JSON/);
  });
});

describe('safetensors header: members are validated as they are scanned', () => {
  it('16 MiB of `"k":{}` members fail at the first one instead of building 1.7 M objects', async () => {
    const parts: string[] = [];
    for (let n = 0, len = 0; len < 16 * 2 ** 20 - 64; n++) {
      const p = `"${n.toString(36)}":{}`;
      parts.push(p);
      len += p.length + 1;
    }
    const header = `{${parts.join(',')}}`;
    await refused(() => parseSafetensors(safetensorsBytes(header), { maxHeaderBytes: 17 * 2 ** 20 }), 'PARSE_ERROR', 'bytes', /tensor "0": dtype must be a string/);
  });

  it('trailing bytes, bad key strings and truncation are refused like JSON.parse would', async () => {
    const ok = '{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}';
    expect(parseSafetensors(safetensorsBytes(ok, new Uint8Array(4))).tensors[0].name).toBe('a');
    await refused(() => parseSafetensors(safetensorsBytes('{"a"}')), 'PARSE_ERROR', 'bytes', /has no value/);
    await refused(() => parseSafetensors(safetensorsBytes(`${ok} x`, new Uint8Array(4))), 'PARSE_ERROR', 'bytes', /trailing bytes/);
    await refused(() => parseSafetensors(safetensorsBytes(ok.replace('"a"', '"a\u0001"'), new Uint8Array(4))), 'PARSE_ERROR', 'bytes', /bad key string/);
    await refused(() => parseSafetensors(safetensorsBytes(ok.slice(0, -1), new Uint8Array(4))), 'PARSE_ERROR', 'bytes', /ends inside/);
    await refused(() => parseSafetensors(safetensorsBytes(ok.replace('}}', '} "b": 1}'), new Uint8Array(4))), 'PARSE_ERROR', 'bytes', /not valid UTF-8 JSON at "a"/);
  });
});
