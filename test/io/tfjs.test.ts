import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolve } from 'node:path';
import { OckhamError } from '../../src/errors.js';
import { parseTfjsModel, floatToHalf } from '../../src/io/index.js';
import { readTfjsModelFile, readWeightsFile } from '../../src/io/node/index.js';
import { expectOckhamError } from '../helpers.js';

function expectOckham(fn: () => unknown, code?: string, match?: RegExp): void {
  expectOckhamError(fn, { ...(code ? { code } : {}), ...(match ? { message: match } : {}) });
}

/** A two-group model: group 0 split over two shards with a weight straddling the boundary. */
function fixture() {
  const bytes0 = new Uint8Array(4 * 6 + 4 * 2 + 3 + 4 + 2 * 2 + 2 * 3);
  const dv = new DataView(bytes0.buffer);
  let o = 0;
  for (const v of [1, -2, 3.5, 0.25, -0, 1e-3]) (dv.setFloat32(o, v, true), (o += 4)); // kernel 2×3 float32
  for (const v of [7, -9]) (dv.setInt32(o, v, true), (o += 4)); // int32 [2]
  for (const v of [1, 0, 5]) bytes0[o++] = v; // bool [3]
  for (const v of [0, 1, 128, 255]) bytes0[o++] = v; // uint8 quantized [4]
  for (const v of [0, 65535]) (dv.setUint16(o, v, true), (o += 2)); // uint16 quantized [2]
  for (const v of [0.5, -3, 65504]) (dv.setUint16(o, floatToHalf(v), true), (o += 2)); // float16 [3]
  const group1 = new Uint8Array(new Float32Array([42, 43, 44, 45]).buffer);
  const model = {
    format: 'layers-model',
    generatedBy: 'hand',
    weightsManifest: [
      {
        paths: ['g0-1.bin', 'g0-2.bin'],
        weights: [
          { name: 'dense/kernel', shape: [2, 3], dtype: 'float32' },
          { name: 'ints', shape: [2], dtype: 'int32' },
          { name: 'mask', shape: [3], dtype: 'bool' },
          { name: 'q8', shape: [4], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1, original_dtype: 'float32' } },
          { name: 'q16', shape: [2], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.001, min: 2, original_dtype: 'float32' } },
          { name: 'h', shape: [3], dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } },
        ],
      },
      { paths: ['g1.bin'], weights: [{ name: 'out/kernel', shape: [2, 2], dtype: 'float32' }] },
    ],
  };
  const cut = 10; // inside dense/kernel
  return { model, shards: [bytes0.slice(0, cut), bytes0.slice(cut), group1] };
}

describe('parseTfjsModel', () => {
  it('decodes float32, int32, bool and quantized uint8/uint16/float16 weights across shards', () => {
    const { model, shards } = fixture();
    for (const r of [
      parseTfjsModel(model, shards),
      parseTfjsModel(JSON.stringify(model), { 'g0-1.bin': shards[0], 'g0-2.bin': shards[1], 'g1.bin': shards[2] }),
    ]) {
      const t = Object.fromEntries(r.tensors.map((x) => [x.name, x]));
      expect(Array.from(t['dense/kernel'].data)).toEqual(Array.from(new Float32Array([1, -2, 3.5, 0.25, -0, 1e-3])));
      expect(t['dense/kernel'].shape).toEqual([2, 3]);
      expect(Array.from(t.ints.data)).toEqual([7, -9]);
      expect(Array.from(t.mask.data)).toEqual([1, 0, 1]);
      expect(Array.from(t.q8.data)).toEqual([-1, -0.5, 63, 126.5]);
      expect(t.q8.dtype).toBe('uint8→float32');
      expect(Array.from(t.q16.data)).toEqual([2, Math.fround(65535 * 0.001 + 2)]);
      expect(Array.from(t.h.data)).toEqual([0.5, -3, 65504]);
      expect(Array.from(t['out/kernel'].data)).toEqual([42, 43, 44, 45]);
      expect(r.tensors.map((x) => x.name)).toEqual(['dense/kernel', 'ints', 'mask', 'q8', 'q16', 'h', 'out/kernel']);
    }
    expect(parseTfjsModel(model, shards).metadata).toEqual({ format: 'layers-model', generatedBy: 'hand' });
  });

  it('rejects missing/short/long shards, bad manifests and unsupported dtypes', () => {
    const { model, shards } = fixture();
    expectOckham(() => parseTfjsModel(model, shards.slice(0, 2)), 'PARSE_ERROR', /expected 3 shards/);
    expectOckham(() => parseTfjsModel(model, { 'g0-1.bin': shards[0], 'g0-2.bin': shards[1] }), 'PARSE_ERROR', /missing/);
    expectOckham(() => parseTfjsModel(model, [shards[0], shards[1].subarray(1), shards[2]]), 'PARSE_ERROR', /hold/);
    expectOckham(() => parseTfjsModel(model, [shards[0], shards[1], new Uint8Array(20)]), 'PARSE_ERROR', /use 16 bytes/);
    expectOckham(() => parseTfjsModel({ modelTopology: {} }, []), 'PARSE_ERROR', /weightsManifest/);
    expectOckham(() => parseTfjsModel('{not json', []), 'PARSE_ERROR', /JSON/);
    const str = { weightsManifest: [{ paths: ['a'], weights: [{ name: 's', shape: [1], dtype: 'string' }] }] };
    expectOckham(() => parseTfjsModel(str, [new Uint8Array(8)]), 'UNSUPPORTED', /string/);
    const q = { weightsManifest: [{ paths: ['a'], weights: [{ name: 'q', shape: [1], dtype: 'float32', quantization: { dtype: 'uint8' } }] }] };
    expectOckham(() => parseTfjsModel(q, [new Uint8Array(1)]), 'PARSE_ERROR', /scale and min/);
    const huge = { weightsManifest: [{ paths: ['a'], weights: [{ name: 'w', shape: [2 ** 40, 2 ** 40], dtype: 'float32' }] }] };
    expectOckham(() => parseTfjsModel(huge, [new Uint8Array(16)]), 'PARSE_ERROR', /hold 16/);
  });

  it('fuzz: lying manifests throw OckhamError or parse', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            name: fc.string({ maxLength: 4 }),
            shape: fc.array(fc.oneof(fc.integer({ min: -1, max: 6 }), fc.constant(2 ** 31)), { maxLength: 3 }),
            dtype: fc.constantFrom('float32', 'int32', 'bool', 'complex64', 'x'),
            quantization: fc.option(fc.record({ dtype: fc.constantFrom('uint8', 'uint16', 'float16', 'int4'), scale: fc.double(), min: fc.double() }), { nil: undefined }),
          }),
          { maxLength: 4 },
        ),
        fc.integer({ min: 0, max: 64 }),
        (weights, len) => {
          try {
            parseTfjsModel({ weightsManifest: [{ paths: ['a'], weights }] }, [new Uint8Array(len)]);
          } catch (e) {
            if (!(e instanceof OckhamError)) throw e;
          }
        },
      ),
      { seed: 5, numRuns: 500 },
    );
  });
});

// Real pretrained weights nobody here wrote: @upscalerjs/default-model 1.0.0 (MIT), vendored
// unchanged under test/fixtures/upscaler (see its README).
const modelJson = resolve(process.cwd(), 'test/fixtures/upscaler/model.json');
describe('real TensorFlow.js model: @upscalerjs/default-model', () => {
  it('reads ~222k float32 parameters, all finite, with matching shapes', async () => {
    const r = await readTfjsModelFile(modelJson);
    let total = 0;
    for (const t of r.tensors) {
      expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
      for (const v of t.data) expect(Number.isFinite(v)).toBe(true);
      total += t.data.length;
    }
    expect(total).toBe(222075);
    expect(r.tensors.every((t) => t.dtype === 'float32')).toBe(true);
    // The reader dispatches model folders and .json paths to the same parser.
    const again = await readWeightsFile(modelJson);
    expect(again.tensors.length).toBe(r.tensors.length);
  });
});
