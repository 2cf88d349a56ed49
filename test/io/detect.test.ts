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

  it('a pickle naming os.system is refused through the dispatch too', async () => {
    const err = (await readWeightsFile(fx('pytorch', 'evil-os-system.pt')).catch((e) => e)) as OckhamError;
    expect(err).toBeInstanceOf(OckhamError);
    expect(err.message).toMatch(/os|system/);
  });
});
