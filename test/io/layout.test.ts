import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { toTorchLayout, withLayout, defaultLayout, TORCH_PERMUTATIONS } from '../../src/io/layout.js';
import { parseTfjsModel } from '../../src/io/tfjs.js';
import { readWeightsFile } from '../../src/io/node/weights-file.js';
import { qubdModel } from '../../src/qubd/index.js';
import { spectralMetrics } from '../../src/spectral/index.js';
import { reportFile } from '../../src/cli/report.js';
import type { LoadedTensor } from '../../src/io/types.js';
import { expectOckhamError } from '../helpers.js';

const MODEL = join(__dirname, '..', 'fixtures', 'upscaler', 'model.json');

describe('toTorchLayout', () => {
  it('permutes tfjs-conv [kh,kw,in,out] to [out,in,kh,kw] element by element', () => {
    const [kh, kw, ci, co] = [3, 2, 4, 5];
    const data = Float32Array.from({ length: kh * kw * ci * co }, (_, i) => i);
    const src: LoadedTensor = { name: 'k', dtype: 'float32', shape: [kh, kw, ci, co], data, layout: 'tfjs-conv' };
    const t = toTorchLayout(src);
    expect(t.shape).toEqual([co, ci, kh, kw]);
    expect(t.layout).toBe('torch');
    for (let o = 0; o < co; o++)
      for (let c = 0; c < ci; c++)
        for (let a = 0; a < kh; a++)
          for (let b = 0; b < kw; b++) expect(t.data[((o * ci + c) * kh + a) * kw + b]).toBe(data[((a * kw + b) * ci + c) * co + o]);
    expect(src.shape).toEqual([kh, kw, ci, co]); // input untouched
    expect(src.data[1]).toBe(1);
  });

  it('transposes tfjs-dense and leaves every other layout as the same object', () => {
    const d = toTorchLayout({ name: 'd', dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]), layout: 'tfjs-dense' });
    expect(d.shape).toEqual([3, 2]);
    expect(Array.from(d.data)).toEqual([1, 4, 2, 5, 3, 6]);
    for (const layout of ['torch', 'gguf', 'tfjs', 'numpy', 'safetensors', 'onnx'] as const) {
      const t: LoadedTensor = { name: 'x', dtype: 'F32', shape: [2, 3], data: new Float32Array(6), layout };
      expect(toTorchLayout(t)).toBe(t);
    }
    expectOckhamError(() => toTorchLayout({ name: 'bad', dtype: 'f', shape: [6], data: new Float32Array(6), layout: 'tfjs-conv' }), { code: 'SHAPE_MISMATCH' });
    expect(TORCH_PERMUTATIONS['tfjs-conv']).toBe('[kh,kw,in,out]→[out,in,kh,kw]');
    expect(defaultLayout('tfjs', [3])).toBe('tfjs');
    expect(defaultLayout('npz', [3, 3])).toBe('numpy');
  });

  it('withLayout labels by format and permutes with "torch"', () => {
    const model = { weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'k', shape: [1, 1, 2, 3], dtype: 'float32' }, { name: 'b', shape: [3], dtype: 'float32' }] }] };
    const raw = parseTfjsModel(model, [new Uint8Array(36)]);
    const stored = withLayout(raw, 'stored');
    expect(stored.tensors.map((t) => t.layout)).toEqual(['tfjs-conv', 'tfjs']);
    expect(raw.tensors[0].layout).toBeUndefined();
    const torch = withLayout(raw, 'torch');
    expect(torch.tensors.map((t) => [t.layout, t.shape])).toEqual([['torch', [3, 2, 1, 1]], ['tfjs', [3]]]);
    expectOckhamError(() => withLayout(raw, 'tf' as never), { argument: 'layout' });
  });
});

describe('the vendored TF.js model through readWeightsFile({ layout: "torch" }) gives the CLI report’s numbers', () => {
  it('qubdModel and spectralMetrics equal ockham report tensor by tensor', async () => {
    const file = await readWeightsFile(MODEL, { layout: 'torch' });
    const asStored = await readWeightsFile(MODEL);
    expect(asStored.tensors.filter((t) => t.layout === 'tfjs-conv').length).toBe(file.tensors.filter((t) => t.shape.length === 4).length);
    const report = await reportFile(MODEL, { shuffles: 1, compress: false, bits: 8 });
    const q = qubdModel(file.tensors.map((t) => ({ name: t.name, data: t.data, shape: t.shape })), { bits: 8, binarized: 'none' });
    // In stored TF layout only one tensor has a 2-D view with both sides ≥ 4 (the "1 of 24").
    const qStored = qubdModel(asStored.tensors.map((t) => ({ name: t.name, data: t.data, shape: t.shape })), { bits: 8, binarized: 'none' });
    const analysed = q.tensors.filter((t) => !t.skipped);
    expect(qStored.tensors.filter((t) => !t.skipped).length).toBe(1);
    expect(analysed.length).toBe(report.totals.analysed);
    expect(analysed.length).toBe(11); // 11 of the 12 conv kernels (SR/kernel has 3 output channels); the 12 biases are 1-D
    for (const rt of report.tensors) {
      const t = file.tensors.find((x) => x.name === rt.name)!;
      expect(t.shape, rt.name).toEqual(rt.analysedShape);
      const qt = q.tensors.find((x) => x.name === rt.name)!;
      if (!rt.qubd) {
        expect(qt.skipped).toBe(true);
        continue;
      }
      expect(qt.skipped).toBe(false);
      if (qt.skipped) continue;
      expect(qt.qubd.planes.map((p) => p.bdm)).toEqual(rt.qubd.planes);
      expect(qt.qubd.total).toBe(rt.qubd.total);
      const m = spectralMetrics(t.data, t.shape);
      expect(m.stableRank).toBe(rt.spectral!.stableRank);
      expect(m.spectralNorm).toBe(rt.spectral!.spectralNorm);
      const sum = m.singularValues.reduce((a, b) => a + b, 0);
      let h = 0;
      for (const s of m.singularValues) if (s > 0) h -= (s / sum) * Math.log(s / sum);
      expect(h).toBe(rt.spectral!.entropyNats);
      expect(rt.storedLayout).toBe(t.shape.length === 4 ? 'tfjs-conv' : 'tfjs');
    }
    expect(q.total).toBe(report.totals.qubdBits);
    // F_0/kernel: the spectral entropy of 4.121 nats in PyTorch layout (ln 3 in TF layout).
    const f0 = report.tensors.find((t) => t.name === 'F_0/kernel');
    if (f0?.spectral) expect(f0.spectral.entropyNats).toBeCloseTo(4.121, 3);
  });
});

describe('ockham report on each format: per-tensor layout and the naive size of the stored bytes', () => {
  const fx = (...p: string[]) => join(__dirname, '..', 'fixtures', ...p);
  const fast = { shuffles: 1, spectral: false, deltas: [0.01] };

  it('GGUF: stored types and layout "gguf"; naive size of the stored blocks', async () => {
    const { formatReport } = await import('../../src/cli/format.js');
    const { compressedBits, naiveCompressedBits } = await import('../../src/compress/index.js');
    const { parseGguf } = await import('../../src/io/gguf.js');
    const { readFileSync } = await import('node:fs');
    const path = fx('gguf', 'all-types.gguf');
    const r = await reportFile(path, fast);
    expect(r.format).toBe('gguf');
    const q4 = r.tensors.find((t) => t.name === 'q4_k.weight')!;
    expect(q4.dtype).toBe('Q4_K');
    expect(q4.storedLayout).toBe('gguf');
    expect(q4.layout).toBe('as stored');
    expect(q4.compression!.naiveOf).toBe('Q4_K');
    const file = parseGguf(readFileSync(path), { stored: true, names: ['q4_k.weight'] });
    expect(q4.compression!.naiveBits).toBe(compressedBits(file.tensors[0].stored!.bytes, { codec: 'bzip2' }));
    const r32 = await reportFile(path, { ...fast, naive: 'float32' });
    const q432 = r32.tensors.find((t) => t.name === 'q4_k.weight')!;
    expect(q432.compression!.naiveOf).toBe('float32');
    expect(q432.compression!.naiveBits).toBe(naiveCompressedBits([{ name: 'q', data: file.tensors[0].data }], 'bzip2'));
    const text = formatReport(r);
    expect(text).toMatch(/q4_k\.weight\s+2×256\s+Q4_K\s+gguf/);
    expect(text).toMatch(/naive \(stored [^)]*Q4_K/);
    expect(formatReport(r32)).toMatch(/naive \(float32\)/);
  });

  it('BF16 safetensors: the naive size compresses the 2-byte stored values, not a float32 copy', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { serializeSafetensors } = await import('../../src/io/safetensors.js');
    const { compressedBits } = await import('../../src/compress/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'ockham-naive-'));
    try {
      const data = Float32Array.from({ length: 64 * 64 }, (_, i) => Math.sin(i / 17) * 0.1);
      const bytes = serializeSafetensors([{ name: 'w', shape: [64, 64], data, dtype: 'BF16' }]);
      const path = join(dir, 'w.safetensors');
      writeFileSync(path, bytes);
      const r = await reportFile(path, fast);
      const t = r.tensors[0];
      expect(t.compression!.naiveOf).toBe('BF16');
      expect(t.storedLayout).toBe('safetensors');
      const stored = bytes.subarray(bytes.length - 64 * 64 * 2);
      expect(t.compression!.naiveBits).toBe(compressedBits(stored, { codec: 'bzip2' }));
      const r32 = await reportFile(path, { ...fast, naive: 'float32' });
      // The float32 copy: bzip2 of 4 bytes per value (the low two always zero for bf16 values).
      const { parseSafetensors } = await import('../../src/io/safetensors.js');
      const { naiveCompressedBits } = await import('../../src/compress/index.js');
      const f32 = naiveCompressedBits([{ name: 'w', data: parseSafetensors(bytes).tensors[0].data }], 'bzip2');
      expect(r32.tensors[0].compression!.naiveBits).toBe(f32);
      expect(f32).not.toBe(t.compression!.naiveBits);
      expect(r32.options.naive).toBe('float32');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PyTorch and ONNX checkpoints report with layouts "torch" / "onnx"', async () => {
    const pt = await reportFile(fx('pytorch', 'state-dict-zip.pt'), fast);
    expect(pt.format).toBe('pytorch');
    expect(pt.tensors.length).toBeGreaterThan(0);
    expect(pt.tensors.every((t) => t.storedLayout === 'torch' && t.layout === 'as stored')).toBe(true);
    const onnx = await reportFile(fx('onnx', 'tiny.onnx'), fast);
    expect(onnx.format).toBe('onnx');
    expect(onnx.tensors.every((t) => t.storedLayout === 'onnx')).toBe(true);
  });
});
