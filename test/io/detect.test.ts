import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { detectWeightsFormat } from '../../src/io/detect.js';
import { serializeSafetensors } from '../../src/io/safetensors.js';
import { readWeightsFile, sniffWeightsFile } from '../../src/io/node/weights-file.js';
import { OckhamError } from '../../src/errors.js';

const enc = (s: string) => new TextEncoder().encode(s);
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ockham-detect-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('detectWeightsFormat (by content)', () => {
  it('magic bytes', () => {
    expect(detectWeightsFormat(enc('GGUF\x03\0\0\0')).format).toBe('gguf');
    expect(detectWeightsFormat(new Uint8Array([0x93, ...enc('NUMPY'), 1, 0])).format).toBe('npy');
    expect(detectWeightsFormat(new Uint8Array([0x80, 2, 0x8a, 10])).format).toBe('pytorch-legacy');
    expect(detectWeightsFormat(serializeSafetensors([{ name: 'a', shape: [1], data: new Float32Array(1) }]).subarray(0, 16)).format).toBe('safetensors');
    // ONNX ModelProto: ir_version 8, then producer_name "pytorch".
    expect(detectWeightsFormat(new Uint8Array([0x08, 0x08, 0x12, 0x07, ...enc('pytorch')])).format).toBe('onnx');
  });

  it('zips by their members', () => {
    const pk = new Uint8Array([0x50, 0x4b, 3, 4]);
    expect(detectWeightsFormat(pk, { zipNames: ['archive/data.pkl', 'archive/data/0', 'archive/version'] }).format).toBe('pytorch');
    expect(detectWeightsFormat(pk, { zipNames: ['a.npy', 'b.npy'] }).format).toBe('npz');
    const u = detectWeightsFormat(pk, { zipNames: ['readme.txt', 'weights.bin'] });
    expect(u.format).toBe('unknown');
    expect(u.description).toMatch(/a zip without data\.pkl or \.npy members \("readme\.txt", "weights\.bin"\)/);
  });

  it('JSON by its keys', () => {
    const j = enc(' {"x": 1}');
    expect(detectWeightsFormat(j, { json: { weightsManifest: [] } }).format).toBe('tfjs');
    expect(detectWeightsFormat(j, { json: { metadata: {}, weight_map: {} } }).format).toBe('safetensors-index');
    expect(detectWeightsFormat(j, { json: { foo: 1 } }).description).toMatch(/without weightsManifest or weight_map \(keys: "foo"\)/);
  });

  it('describes unknown content', () => {
    expect(detectWeightsFormat(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1])).description).toBe('binary data starting 7f 45 4c 46 02 01');
    expect(detectWeightsFormat(enc('hello world')).description).toBe('text starting "hello world"');
    expect(detectWeightsFormat(new Uint8Array(0)).description).toBe('an empty file');
  });
});

describe('readWeightsFile dispatch by content', () => {
  it('ignores misleading extensions', async () => {
    const gguf = readFileSync(join(__dirname, '..', 'fixtures', 'gguf', 'v2-default-align.gguf'));
    writeFileSync(join(dir, 'model.npz'), gguf); // a GGUF named .npz
    const f = await readWeightsFile(join(dir, 'model.npz'));
    expect(f.format).toBe('gguf');
    expect(f.tensors[0].layout).toBe('gguf');
    writeFileSync(join(dir, 'weights.json'), serializeSafetensors([{ name: 'w', shape: [2], data: new Float32Array([1, 2]) }]));
    expect((await readWeightsFile(join(dir, 'weights.json'))).format).toBe('safetensors');
  });

  it('PyTorch zips, legacy pickles and ONNX are named; unknown files list the supported formats', async () => {
    writeFileSync(join(dir, 'ckpt.pt'), zipSync({ 'archive/data.pkl': new Uint8Array([0x80, 2, 0x7d, 0x2e]), 'archive/version': enc('3\n') }, { level: 0 }));
    expect((await sniffWeightsFile(join(dir, 'ckpt.pt'))).format).toBe('pytorch');
    writeFileSync(join(dir, 'other.zip'), zipSync({ 'notes.txt': enc('hi') }));
    let err = (await readWeightsFile(join(dir, 'other.zip')).catch((e) => e)) as OckhamError;
    expect(err).toBeInstanceOf(OckhamError);
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toMatch(/a zip without data\.pkl or \.npy members \("notes\.txt"\)/);
    expect(err.message).toMatch(/supported: safetensors .*GGUF.*\.npz.*TensorFlow\.js.*PyTorch.*ONNX/);
    writeFileSync(join(dir, 'elf'), new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]));
    err = (await readWeightsFile(join(dir, 'elf')).catch((e) => e)) as OckhamError;
    expect(err.message).toMatch(/binary data starting 7f 45 4c 46/);
    writeFileSync(join(dir, 'cfg.json'), '{"architectures": ["X"]}');
    err = (await readWeightsFile(join(dir, 'cfg.json')).catch((e) => e)) as OckhamError;
    expect(err.message).toMatch(/keys: "architectures"/);
  });
});

describe('readWeightsFile on the PyTorch and ONNX fixtures (written by torch.save / torch.onnx.export)', () => {
  const fx = (...p: string[]) => join(__dirname, '..', 'fixtures', ...p);
  it('detects every fixture by content and returns what the format readers return, labelled', async () => {
    const { readPytorchFile } = await import('../../src/io/node/pytorch-file.js');
    const { readOnnxFile } = await import('../../src/io/node/onnx-file.js');
    const cases: Array<[string, string, (p: string) => Promise<{ tensors: { name: string; shape: number[]; data: Float32Array }[] }>, string]> = [
      [fx('pytorch', 'state-dict-zip.pt'), 'pytorch', readPytorchFile, 'torch'],
      [fx('pytorch', 'state-dict-legacy.pt'), 'pytorch-legacy', readPytorchFile, 'torch'],
      [fx('onnx', 'tiny.onnx'), 'onnx', readOnnxFile, 'onnx'],
      [fx('onnx', 'external.onnx'), 'onnx', readOnnxFile, 'onnx'],
    ];
    for (const [path, format, reader, layout] of cases) {
      expect((await sniffWeightsFile(path)).format, path).toBe(format);
      const viaDispatch = await readWeightsFile(path);
      const direct = await reader(path);
      expect(viaDispatch.tensors.map((t) => [t.name, t.shape])).toEqual(direct.tensors.map((t) => [t.name, t.shape]));
      viaDispatch.tensors.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(direct.tensors[i].data)));
      expect(viaDispatch.tensors.every((t) => t.layout === layout)).toBe(true);
    }
  });

  it('budgets reach every reader through the dispatch', async () => {
    for (const path of [fx('pytorch', 'state-dict-zip.pt'), fx('onnx', 'tiny.onnx'), fx('gguf', 'all-types.gguf'), fx('shards'), fx('shards', 'expected.npz')]) {
      const err = (await readWeightsFile(path, { maxTensors: 1 }).catch((e) => e)) as OckhamError;
      expect(err, path).toBeInstanceOf(OckhamError);
      expect(err.code, path).toBe('OUT_OF_RANGE');
      expect(err.message, path).toMatch(/maxTensors = 1|maxEntries = 1/); // npz: the zip reader counts members
    }
    const err = (await readWeightsFile(fx('gguf', 'all-types.gguf'), { maxTensorBytes: 100 }).catch((e) => e)) as OckhamError;
    expect(err.message).toMatch(/more than maxTensorBytes = 100/);
  });

  it('a pickle naming os.system is refused through the dispatch too', async () => {
    const err = (await readWeightsFile(fx('pytorch', 'evil-os-system.pt')).catch((e) => e)) as OckhamError;
    expect(err).toBeInstanceOf(OckhamError);
    expect(err.message).toMatch(/os|system/);
  });
});

describe('parseWeights (bytes in memory, browser-safe) dispatches by content', () => {
  const fx = (...p: string[]) => join(__dirname, '..', 'fixtures', ...p);
  it('gives what the file readers give for every single-file fixture', async () => {
    const { parseWeights } = await import('../../src/io/detect.js');
    for (const path of [
      fx('gguf', 'all-types.gguf'),
      fx('shards', 'model-00001-of-00002.safetensors'),
      fx('shards', 'expected.npz'),
      fx('pytorch', 'state-dict-zip.pt'),
      fx('pytorch', 'state-dict-legacy.pt'),
      fx('onnx', 'tiny.onnx'),
    ]) {
      const mem = parseWeights(readFileSync(path));
      const disk = await readWeightsFile(path);
      expect(mem.format, path).toBe(disk.format);
      expect(mem.tensors.map((t) => [t.name, t.dtype, t.shape, t.layout])).toEqual(disk.tensors.map((t) => [t.name, t.dtype, t.shape, t.layout]));
      mem.tensors.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(disk.tensors[i].data)));
    }
    const st = parseWeights(readFileSync(fx('shards', 'model-00001-of-00002.safetensors')), { stored: true });
    expect(st.tensors.find((t) => t.name === 'model.layers.0.weight')!.stored).toMatchObject({ dtype: 'F16' });
    expect(st.tensors.find((t) => t.name === 'model.layers.0.weight')!.stored!.bytes.length).toBe(32);
    // GGUF is already in PyTorch order: layout 'torch' changes nothing.
    const g = parseWeights(readFileSync(fx('gguf', 'all-types.gguf')), { layout: 'torch' });
    expect(g.tensors.every((t) => t.layout === 'gguf')).toBe(true);
    expect(g.tensors.find((t) => t.name === 'cube')!.shape).toEqual([4, 3, 2]);
  });

  it('refuses multi-file and unknown formats with what they look like', async () => {
    const { parseWeights } = await import('../../src/io/detect.js');
    let err = (() => { try { parseWeights(enc('{"weightsManifest": []}')); } catch (e) { return e; } })() as OckhamError;
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toMatch(/multi-file formats/);
    err = (() => { try { parseWeights(zipSync({ 'a.txt': enc('x') })); } catch (e) { return e; } })() as OckhamError;
    expect(err.message).toMatch(/a zip without data\.pkl or \.npy members \("a\.txt"\)/);
  });
});

describe('sniffing hostile zips', () => {
  it('random byte flips in a zip end in a guess or a typed error, fast', async () => {
    const fc = (await import('fast-check')).default;
    const base = zipSync({ 'archive/data.pkl': new Uint8Array(40), 'archive/data/0': new Uint8Array(64), 'archive/version': enc('3\n') }, { level: 0 });
    const path = join(dir, 'fuzz.zip');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(255)), { minLength: 1, maxLength: 6 }), async (flips) => {
        const b = base.slice();
        for (const [i, v] of flips) b[i] = v;
        writeFileSync(path, b);
        const t0 = performance.now();
        try {
          const g = await sniffWeightsFile(path);
          expect(typeof g.description).toBe('string');
        } catch (e) {
          expect(e).toBeInstanceOf(OckhamError);
        }
        expect(performance.now() - t0).toBeLessThan(500);
      }),
      { seed: 16, numRuns: 60 },
    );
  });

  it('a ZIP64 end record pointing past the file and a central directory claiming 65535 entries', async () => {
    const b = zipSync({ 'a.npy': new Uint8Array(10) }, { level: 0 });
    const dv = new DataView(b.buffer);
    const eocd = b.length - 22;
    dv.setUint16(eocd + 10, 0xffff, true);
    dv.setUint32(eocd + 16, 0xffffffff, true);
    writeFileSync(join(dir, 'z64.zip'), b);
    const g = await sniffWeightsFile(join(dir, 'z64.zip'));
    expect(g.format).toBe('unknown');
    expect(g.description).toMatch(/zip/);
  });
});

describe('hostile JSON is refused before JSON.parse', () => {
  it('deep nesting, duplicate keys and size over maxHeaderBytes end fast with a typed error', async () => {
    const deep = join(dir, 'deep.json');
    writeFileSync(deep, '{"weight_map": ' + '['.repeat(2_000_000) + ']'.repeat(2_000_000) + '}');
    const t0 = performance.now();
    let err = (await readWeightsFile(deep).catch((e) => e)) as OckhamError;
    expect(err).toBeInstanceOf(OckhamError);
    expect(err.code).toBe('PARSE_ERROR');
    expect(err.message).toMatch(/deep|depth|nest/i);
    expect(performance.now() - t0).toBeLessThan(1000);
    const dup = join(dir, 'dup.json');
    writeFileSync(dup, '{"weight_map": {"a": "x.safetensors"}, "weight_map": {}}');
    err = (await readWeightsFile(dup).catch((e) => e)) as OckhamError;
    expect(err.code).toBe('PARSE_ERROR');
    expect(err.message).toMatch(/key "weight_map" twice/);
    err = (await readWeightsFile(dup, { maxHeaderBytes: 10 }).catch((e) => e)) as OckhamError;
    expect(err.code).toBe('OUT_OF_RANGE');
    expect(err.message).toMatch(/maxHeaderBytes = 10/);
  });
});
