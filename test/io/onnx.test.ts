import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OckhamError } from '../../src/errors.js';
import { parseOnnx } from '../../src/io/index.js';
import { readOnnxFile } from '../../src/io/node/index.js';
import type { WeightsFile } from '../../src/io/types.js';
import { expectOckhamError, rejectsArg } from '../helpers.js';
import { encodeVarint, field, lenField, modelProto, strField, tensorProto, varField } from './protobuf-writer.js';

const DIR = join(import.meta.dirname, '../fixtures/onnx');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(DIR, name)));

interface ExpectedTensor {
  name: string;
  dtype: string;
  shape: number[];
  values: number[];
}
const EXPECTED = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
  onnx: string;
  files: Record<string, { note: string; tensors: ExpectedTensor[]; torch?: Record<string, { shape: number[]; values: number[] }> }>;
};

function expectMatches(got: WeightsFile, want: ExpectedTensor[]): void {
  expect(got.format).toBe('onnx');
  expect(got.tensors.map((t) => t.name)).toEqual(want.map((t) => t.name));
  for (let i = 0; i < want.length; i++) {
    const g = got.tensors[i];
    expect(g.dtype, want[i].name).toBe(want[i].dtype);
    expect(g.shape, want[i].name).toEqual(want[i].shape);
    expect(Array.from(g.data), want[i].name).toEqual(want[i].values);
  }
}

const externalData = { 'external.onnx.data': fixture('external.onnx.data') };

/** Every other regular file in a model's folder, keyed by name (its possible external data). */
function sideFiles(model: string): Map<string, Uint8Array> {
  const dir = dirname(join(DIR, model));
  return new Map(
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.endsWith('.onnx') && !e.name.endsWith('.json'))
      .map((e) => [e.name, new Uint8Array(readFileSync(join(dir, e.name)))]),
  );
}

describe('parseOnnx / readOnnxFile: models written by onnx and torch.onnx', () => {
  it('the fixtures come from onnx 1.12 and cover every supported storage form', () => {
    expect(EXPECTED.onnx).toBe('1.12.0');
    const dtypes = EXPECTED.files['dtypes.onnx'].tensors.map((t) => t.dtype);
    for (const d of ['float', 'float16', 'bfloat16', 'int8', 'uint8', 'double', 'int32', 'int64']) expect(dtypes).toContain(d);
  });

  for (const [file, { note, tensors }] of Object.entries(EXPECTED.files)) {
    it(`${file} (${note}) — bytes`, () => {
      expectMatches(parseOnnx(fixture(file), { externalData: sideFiles(file) }), tensors);
    });
    it(`${file} — file reader`, async () => {
      expectMatches(await readOnnxFile(join(DIR, file)), tensors);
    });
  }

  it('torch.onnx.export keeps the module’s names and exact values', () => {
    const { torch } = EXPECTED.files['tiny.onnx'];
    const { tensors } = parseOnnx(fixture('tiny.onnx'));
    for (const [name, t] of Object.entries(torch!)) {
      const got = tensors.find((x) => x.name === name)!;
      expect(got.shape).toEqual(t.shape);
      expect(Array.from(got.data)).toEqual(t.values);
    }
  });

  it('reads model metadata', () => {
    const { metadata } = parseOnnx(fixture('tiny.onnx'));
    expect(metadata.producer_name).toBe('pytorch');
    expect(metadata.opset_import).toBe('ai.onnx:13');
    expect(metadata.ir_version).toBe('7');
  });

  it('external data: a Map works; a missing file is a clear error; own keys only', () => {
    const bytes = fixture('external.onnx');
    expectMatches(parseOnnx(bytes, { externalData: new Map(Object.entries(externalData)) }), EXPECTED.files['external.onnx'].tensors);
    expectOckhamError(() => parseOnnx(bytes), { code: 'UNSUPPORTED', argument: 'options.externalData', message: /"external\.onnx\.data".*readOnnxFile/ });
    expectOckhamError(() => parseOnnx(bytes, { externalData: {} }), { code: 'UNSUPPORTED' });
    const short = { 'external.onnx.data': fixture('external.onnx.data').subarray(0, 100) };
    expectOckhamError(() => parseOnnx(bytes, { externalData: short }), { code: 'PARSE_ERROR', message: /outside external file/ });
  });

  it('applies the budgets before decoding', () => {
    expectOckhamError(() => parseOnnx(fixture('tiny.onnx'), { maxTensorBytes: 64 }), { code: 'OUT_OF_RANGE', message: /"conv\.weight".*maxTensorBytes = 64/ });
    expectOckhamError(() => parseOnnx(fixture('tiny.onnx'), { maxTotalBytes: 100 }), { code: 'OUT_OF_RANGE', message: /maxTotalBytes = 100/ });
    expectOckhamError(() => parseOnnx(fixture('tiny.onnx'), { maxBytes: 1 } as never), { code: 'UNKNOWN_OPTION' });
    expectOckhamError(() => parseOnnx(fixture('tiny.onnx'), { maxTensors: 3 }), { code: 'OUT_OF_RANGE', message: /more than maxTensors = 3/ });
  });
});

describe('parseOnnx: hand-built models', () => {
  const f32 = (xs: number[]): Uint8Array => new Uint8Array(new Float32Array(xs).buffer);

  it('reads non-packed (proto2-style) float_data and packed int32_data float16 bits', () => {
    const t1 = tensorProto({ name: 'a', dataType: 1, dims: [2], extra: [...field(4, 5, [0, 0, 0x80, 0x3f]), ...field(4, 5, [0, 0, 0, 0xc0])] });
    const t2 = tensorProto({ name: 'h', dataType: 10, dims: [3], extra: lenField(5, [...encodeVarint(0x3c00), ...encodeVarint(0xc000), ...encodeVarint(0x7c00)]) });
    const t3 = tensorProto({ name: 'i8', dataType: 3, dims: [2], extra: lenField(5, [...encodeVarint(-5), ...encodeVarint(127)]) });
    const { tensors } = parseOnnx(modelProto([t1, t2, t3]));
    expect(Array.from(tensors[0].data)).toEqual([1, -2]);
    expect(Array.from(tensors[1].data)).toEqual([1, -2, Infinity]);
    expect(Array.from(tensors[2].data)).toEqual([-5, 127]);
  });

  const bad: [string, () => Uint8Array, string, RegExp][] = [
    ['raw_data of the wrong size', () => modelProto([tensorProto({ name: 'w', dataType: 1, dims: [3], raw: f32([1, 2]) })]), 'PARSE_ERROR', /raw_data holds 8 bytes.*needs 12/],
    ['typed data of the wrong count', () => modelProto([tensorProto({ name: 'w', dataType: 1, dims: [3], extra: lenField(4, f32([1])) })]), 'PARSE_ERROR', /holds 1 values, needs 3/],
    ['no data at all', () => modelProto([tensorProto({ name: 'w', dataType: 1, dims: [2] })]), 'PARSE_ERROR', /no raw_data, typed data or external data/],
    ['a string tensor', () => modelProto([tensorProto({ name: 's', dataType: 8, dims: [1] })]), 'UNSUPPORTED', /STRING; supported: float/],
    ['a segmented tensor', () => modelProto([tensorProto({ name: 'w', dataType: 1, dims: [1], extra: lenField(3, []) })]), 'UNSUPPORTED', /segments/],
    ['two initializers with one name', () => modelProto([tensorProto({ name: 'w', dataType: 1, dims: [1], raw: f32([1]) }), tensorProto({ name: 'w', dataType: 1, dims: [1], raw: f32([2]) })]), 'PARSE_ERROR', /two initializers are named "w"/],
    ['a negative dimension', () => modelProto([tensorProto({ name: 'w', dataType: 1, dims: [-1], raw: f32([]) })]), 'PARSE_ERROR', /dimension -1/],
    ['a model without a graph', () => new Uint8Array(varField(1, 8)), 'PARSE_ERROR', /no graph/],
    ['external data with a lying length', () => modelProto([tensorProto({ name: 'w', dataType: 1, dims: [2], extra: [...lenField(13, [...strField(1, 'location'), ...strField(2, 'x.bin')]), ...lenField(13, [...strField(1, 'length'), ...strField(2, '4')]), ...varField(14, 1)] })]), 'PARSE_ERROR', /length 4 differs from its 8 bytes/],
    ['a huge declared shape (budget)', () => modelProto([tensorProto({ name: 'w', dataType: 1, dims: [1 << 20, 1 << 20], raw: f32([1]) })]), 'PARSE_ERROR', /raw_data holds 4 bytes/],
    ['a truncated model', () => fixture('tiny.onnx').subarray(0, 300), 'PARSE_ERROR', /protobuf/],
  ];
  for (const [what, make, code, message] of bad) {
    it(`refuses ${what}`, () => {
      expectOckhamError(() => parseOnnx(make()), { code, message });
    });
  }

  it('checks the budget on declared shapes before reading typed data', () => {
    const m = modelProto([tensorProto({ name: 'w', dataType: 1, dims: [1 << 20, 1 << 20], extra: lenField(4, f32([1])) })]);
    expectOckhamError(() => parseOnnx(m), { code: 'OUT_OF_RANGE', message: /"w".*maxTensorBytes/ });
  });
});

describe('readOnnxFile: external data stays inside the model folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'ockham-onnx-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  /** A folder holding a model whose one initializer lives in external file `location`. */
  const setup = (location: string, length = 8, offset = 0): { dir: string; model: string } => {
    const dir = join(root, `m${n++}`);
    mkdirSync(dir);
    const ext = [...lenField(13, [...strField(1, 'location'), ...strField(2, location)]), ...lenField(13, [...strField(1, 'offset'), ...strField(2, String(offset))]), ...lenField(13, [...strField(1, 'length'), ...strField(2, String(length))]), ...varField(14, 1)];
    const model = join(dir, 'model.onnx');
    writeFileSync(model, modelProto([tensorProto({ name: 'w', dataType: 1, dims: [2], extra: ext })]));
    return { dir, model };
  };

  it('reads a contained file at its offset', async () => {
    const { dir, model } = setup('sub/w.bin', 8, 4);
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub/w.bin'), new Uint8Array([9, 9, 9, 9, ...new Uint8Array(new Float32Array([1.5, -3]).buffer)]));
    const { tensors } = await readOnnxFile(model);
    expect(Array.from(tensors[0].data)).toEqual([1.5, -3]);
  });

  it('refuses ../ paths, absolute paths and symlinks that leave the folder', async () => {
    const outside = join(root, 'outside.bin');
    writeFileSync(outside, new Uint8Array(8));
    const a = setup('../outside.bin');
    expect((await rejectsArg(readOnnxFile(a.model), a.model, 'INVALID_ARGUMENT')).message).toMatch(/outside the model folder/);
    const b = setup(outside);
    expect((await rejectsArg(readOnnxFile(b.model), b.model, 'INVALID_ARGUMENT')).message).toMatch(/not a relative path/);
    const c = setup('link.bin');
    symlinkSync(outside, join(c.dir, 'link.bin'));
    expect((await rejectsArg(readOnnxFile(c.model), c.model, 'INVALID_ARGUMENT')).message).toMatch(/outside the model folder/);
    const d = setup('zero.bin');
    symlinkSync('/dev/zero', join(d.dir, 'zero.bin'));
    expect((await rejectsArg(readOnnxFile(d.model), d.model, 'INVALID_ARGUMENT')).message).toMatch(/outside the model folder/);
  });

  it('refuses FIFOs and folders without blocking, and reads past the end', async () => {
    const f = setup('pipe.bin');
    execFileSync('mkfifo', [join(f.dir, 'pipe.bin')]);
    expect((await rejectsArg(readOnnxFile(f.model), f.model, 'INVALID_ARGUMENT')).message).toMatch(/not a regular file/);
    const g = setup('folder');
    mkdirSync(join(g.dir, 'folder'));
    expect((await rejectsArg(readOnnxFile(g.model), g.model, 'INVALID_ARGUMENT')).message).toMatch(/not a regular file/);
    const h = setup('short.bin', 8, 4);
    writeFileSync(join(h.dir, 'short.bin'), new Uint8Array(10));
    expect((await rejectsArg(readOnnxFile(h.model), h.model, 'PARSE_ERROR')).message).toMatch(/bytes 4\.\.12 are outside/);
    const i = setup('missing.bin');
    expect((await rejectsArg(readOnnxFile(i.model), i.model, 'INVALID_ARGUMENT')).message).toMatch(/cannot be read \(ENOENT\)/);
  });

  it('works when the model is reached through a symlinked folder', async () => {
    const real = join(root, 'real');
    mkdirSync(real);
    copyFileSync(join(DIR, 'external.onnx'), join(real, 'external.onnx'));
    copyFileSync(join(DIR, 'external.onnx.data'), join(real, 'external.onnx.data'));
    symlinkSync(real, join(root, 'alias'));
    expectMatches(await readOnnxFile(join(root, 'alias', 'external.onnx')), EXPECTED.files['external.onnx'].tensors);
  });
});

describe('parseOnnx: fuzzing (fixed seeds)', () => {
  const check = (bytes: Uint8Array): void => {
    const t0 = performance.now();
    try {
      const r = parseOnnx(bytes);
      for (const t of r.tensors) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
    } catch (e) {
      if (!(e instanceof OckhamError)) throw e;
    }
    expect(performance.now() - t0).toBeLessThan(1000);
  };
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), check), { seed: 1631, numRuns: 1500 });
  });
  it('models with flipped bytes', () => {
    const models = [fixture('dtypes.onnx'), fixture('tiny.onnx')];
    fc.assert(
      fc.property(fc.nat(1), fc.array(fc.tuple(fc.nat(10_000), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }), (k, flips) => {
        const b = models[k].slice();
        for (const [i, x] of flips) b[i % b.length] ^= x;
        check(b);
      }),
      { seed: 1632, numRuns: 1000 },
    );
  });
});
