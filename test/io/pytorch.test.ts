import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { OckhamError } from '../../src/errors.js';
import { parsePytorch } from '../../src/io/index.js';
import { decodeToFloat32 } from '../../src/io/dtypes.js';
import { readPytorchFile } from '../../src/io/node/index.js';
import * as zip from '../../src/io/zip.js';
import type { WeightsFile } from '../../src/io/types.js';
import { buildZip } from '../hostile/zip-builder.js';
import { expectOckhamError, rejectsArg } from '../helpers.js';
import { pk } from './pickle-builder.js';

vi.mock('../../src/io/zip.js', { spy: true });

const DIR = join(import.meta.dirname, '../fixtures/pytorch');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(DIR, name)));

interface ExpectedTensor {
  name: string;
  dtype: string;
  shape: number[];
  values: number[];
  contiguous: boolean;
  storageOffset: number;
}
const EXPECTED = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
  torch: string;
  files: Record<string, { note: string; tensors: ExpectedTensor[] }>;
};

/** Every tensor equals what torch printed: name, stored dtype, shape and exact float32 values. */
function expectMatches(got: WeightsFile, want: ExpectedTensor[]): void {
  expect(got.format).toBe('pytorch');
  expect(got.tensors.map((t) => t.name)).toEqual(want.map((t) => t.name));
  for (let i = 0; i < want.length; i++) {
    const g = got.tensors[i];
    const w = want[i];
    expect(g.dtype, w.name).toBe(w.dtype);
    expect(g.shape, w.name).toEqual(w.shape);
    expect(g.data).toBeInstanceOf(Float32Array);
    expect(Array.from(g.data), w.name).toEqual(w.values);
  }
}

describe('parsePytorch / readPytorchFile: checkpoints written by torch.save', () => {
  it('the fixtures were written by PyTorch 1.13 and cover views on a shared storage', () => {
    expect(EXPECTED.torch).toMatch(/^1\.13/);
    const views = EXPECTED.files['dtypes-views-zip.pt'].tensors;
    const byName = new Map(views.map((t) => [t.name, t]));
    expect(byName.get('transposed')!.contiguous).toBe(false);
    expect(byName.get('sliced')!.storageOffset).toBe(8);
    expect(byName.get('stepped')!.contiguous).toBe(false);
    expect(byName.get('empty')!.shape).toEqual([0, 3]);
  });

  for (const [file, { note, tensors }] of Object.entries(EXPECTED.files)) {
    it(`${file} (${note}) — bytes`, () => {
      expectMatches(parsePytorch(fixture(file)), tensors);
    });
    it(`${file} — file reader`, async () => {
      expectMatches(await readPytorchFile(join(DIR, file)), tensors);
    });
  }

  it('names nested tensors by path and keeps scalar leaves as metadata', () => {
    const { metadata, tensors } = parsePytorch(fixture('checkpoint-zip.pt'));
    expect(metadata.epoch).toBe('3');
    expect(metadata.note).toBe('ockham fixture');
    expect(metadata['optimizer.param_groups.0.lr']).toBe('0.001');
    expect(metadata['optimizer.param_groups.0.amsgrad']).toBe('false');
    expect(tensors.some((t) => t.name === 'optimizer.state.2.exp_avg_sq')).toBe(true);
  });

  it('reads each shared storage once and returns independent arrays', () => {
    const bytes = fixture('dtypes-views-zip.pt');
    const spy = vi.mocked(zip.readZipEntry);
    spy.mockClear();
    const { tensors } = parsePytorch(bytes);
    const members = zip.listZipEntries(bytes).filter((e) => /\/data\/\d+$/.test(e.name));
    // 15 tensors, 12 storages ('base', 'transposed', 'sliced', 'stepped' share one) + data.pkl.
    expect(tensors.length).toBe(15);
    expect(members.length).toBe(12);
    expect(spy).toHaveBeenCalledTimes(13);
    const base = tensors.find((t) => t.name === 'base')!;
    const transposed = tensors.find((t) => t.name === 'transposed')!;
    transposed.data[0] = 1234;
    expect(base.data[0]).not.toBe(1234);
  });

  it('reads a Node Buffer whose storages sit at odd offsets (legacy format) like a Uint8Array', () => {
    // Storages in a legacy file follow an 8-byte count at arbitrary offsets; Buffer.slice() is a view.
    const buf = readFileSync(join(DIR, 'dtypes-views-legacy.pt'));
    expectMatches(parsePytorch(buf), EXPECTED.files['dtypes-views-legacy.pt'].tensors);
    const raw = new Uint8Array([0, 0x00, 0x3c, 0x00, 0xc0]); // float16 1, -2 at byte 1
    expect(Array.from(decodeToFloat32(Buffer.from(raw), 1, 2, 'f16'))).toEqual([1, -2]);
  });

  it('returned arrays never alias the input', () => {
    const bytes = fixture('state-dict-zip.pt');
    const before = bytes.slice();
    const { tensors } = parsePytorch(bytes);
    for (const t of tensors) t.data.fill(7);
    expect(bytes).toEqual(before);
  });
});

describe('PyTorch: pickles that would run code are refused, and nothing runs', () => {
  const PWNED = '/tmp/ockham-pwned';
  const cases: [string, RegExp][] = [
    ['evil-os-system.pt', /"posix\.system" \(Python 3: "os\.system"\)/],
    ['evil-os-system-legacy.pt', /"posix\.system" \(Python 3: "os\.system"\)/],
    ['evil-eval.pt', /"__builtin__\.eval" \(Python 3: "builtins\.eval"\)/],
    ['evil-subprocess.pt', /"commands\.Popen" \(Python 3: "subprocess\.Popen"\)/],
    ['evil-unknown-global.pt', /"__main__\.Unknown"/],
    ['whole-module.pt', /"torch\.nn\.modules\.container\.Sequential"/],
  ];
  it('the malicious fixtures do carry their payloads', () => {
    const text = (name: string): string => Buffer.from(fixture(name)).toString('latin1');
    expect(text('evil-os-system.pt')).toContain('posix\nsystem\n');
    expect(text('evil-os-system.pt')).toContain('touch /tmp/ockham-pwned');
    expect(text('evil-subprocess.pt')).toContain('commands\nPopen\n');
  });
  for (const [file, name] of cases) {
    it(`${file}: typed error naming the global`, async () => {
      const existed = existsSync(PWNED);
      expectOckhamError(() => parsePytorch(fixture(file)), { code: 'UNSUPPORTED', argument: 'bytes', message: name });
      const e = await rejectsArg(readPytorchFile(join(DIR, file)), join(DIR, file), 'UNSUPPORTED');
      expect(e.message).toMatch(name);
      if (!existed) expect(existsSync(PWNED)).toBe(false);
    });
  }
});

// ---- hand-built checkpoints (hostile) ----

const le32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const str = (s: string): (number | string | number[])[] => ['X', le32(s.length), s];
const ints = (xs: number[]): (number | string | number[])[] => ['(', ...xs.flatMap((x) => ['J', le32(x)]), 't'];

interface TensorSpec {
  name: string;
  key: string;
  type?: string;
  numel: number;
  offset?: number;
  size: number[];
  stride: number[];
}

/** `{name: _rebuild_tensor_v2(('storage', torch.<type>, key, 'cpu', numel), offset, size, stride, False, OrderedDict())}` */
function statePickle(specs: TensorSpec[]): Uint8Array {
  const parts: (number | string | number[])[] = [0x80, 2, '}', '('];
  for (const s of specs) {
    parts.push(...str(s.name), 'ctorch._utils\n_rebuild_tensor_v2\n', '(');
    parts.push('(', ...str('storage'), `ctorch\n${s.type ?? 'FloatStorage'}\n`, ...str(s.key), ...str('cpu'), 'J', le32(s.numel), 't', 'Q');
    parts.push('J', le32(s.offset ?? 0), ...ints(s.size), ...ints(s.stride), 0x89, 'ccollections\nOrderedDict\n)R', 't', 'R');
  }
  parts.push('u', '.');
  return pk(...parts);
}

function checkpoint(specs: TensorSpec[], storages: Record<string, Uint8Array>, pickle = statePickle(specs)): Uint8Array {
  return buildZip([
    { name: 'archive/data.pkl', data: pickle },
    ...Object.entries(storages).map(([k, data]) => ({ name: `archive/data/${k}`, data })),
    { name: 'archive/version', data: new TextEncoder().encode('3\n') },
  ]);
}

const f32bytes = (xs: number[]): Uint8Array => new Uint8Array(new Float32Array(xs).buffer);

describe('PyTorch: hand-built checkpoints', () => {
  it('a hand-built checkpoint reads (the builder is right)', () => {
    const bytes = checkpoint([{ name: 'w', key: '0', numel: 6, size: [3, 2], stride: [1, 3] }], { '0': f32bytes([1, 2, 3, 4, 5, 6]) });
    const { tensors } = parsePytorch(bytes);
    expect(tensors[0].shape).toEqual([3, 2]);
    expect(Array.from(tensors[0].data)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('a small strided view of a large storage reads only what it touches', () => {
    const big = new Float32Array(100_000).map((_, i) => i);
    const bytes = checkpoint(
      [
        { name: 'col', key: '0', numel: 100_000, offset: 7, size: [4], stride: [1000] },
        { name: 'block', key: '0', numel: 100_000, offset: 50_000, size: [2, 3], stride: [1000, 1] },
      ],
      { '0': new Uint8Array(big.buffer) },
    );
    const [col, block] = parsePytorch(bytes).tensors;
    expect(Array.from(col.data)).toEqual([7, 1007, 2007, 3007]);
    expect(Array.from(block.data)).toEqual([50000, 50001, 50002, 51000, 51001, 51002]);
  });

  const bad: [string, () => Uint8Array, string, RegExp][] = [
    ['a view past the end of its storage', () => checkpoint([{ name: 'w', key: '0', numel: 4, offset: 1, size: [2, 2], stride: [2, 1] }], { '0': f32bytes([1, 2, 3, 4]) }), 'PARSE_ERROR', /reads element 4 of a storage of 4/],
    ['a storage shorter than its persistent id says', () => checkpoint([{ name: 'w', key: '0', numel: 8, size: [2], stride: [1] }], { '0': f32bytes([1, 2]) }), 'PARSE_ERROR', /holds 8 bytes, its persistent id declares 32/],
    ['a missing storage member', () => checkpoint([{ name: 'w', key: '5', numel: 2, size: [2], stride: [1] }], {}), 'PARSE_ERROR', /archive\/data\/5.*missing/],
    ['a huge declared shape (budget, before any read)', () => checkpoint([{ name: 'w', key: '0', numel: 2, size: [65536, 65536], stride: [65536, 1] }], { '0': f32bytes([1, 2]) }), 'OUT_OF_RANGE', /"w".*more than maxTensorBytes/],
    ['an unsupported storage type', () => checkpoint([{ name: 'w', key: '0', numel: 2, type: 'ComplexFloatStorage', size: [2], stride: [1] }], {}), 'UNSUPPORTED', /torch\.ComplexFloatStorage/],
    ['size and stride of different lengths', () => checkpoint([{ name: 'w', key: '0', numel: 2, size: [2, 1], stride: [1] }], { '0': f32bytes([1, 2]) }), 'PARSE_ERROR', /differ in length/],
    ['two tensors with one dotted name ({"a.b": t, "a": {"b": t}})', () => {
      const one = statePickle([{ name: 'a.b', key: '0', numel: 2, size: [2], stride: [1] }]);
      // ... 'u' '.' → memoize the tensor, then add 'a': {'b': <same tensor>}.
      const body = one.subarray(0, one.length - 2);
      return checkpoint([], { '0': f32bytes([1, 2]) }, pk(body, 'q', 9, ...str('a'), '}', ...str('b'), 'h', 9, 's', 'u', '.'));
    }, 'PARSE_ERROR', /two tensors are named "a\.b"/],
    ['a zip without data.pkl', () => buildZip([{ name: 'a.npy', data: new Uint8Array(4) }]), 'PARSE_ERROR', /no data\.pkl/],
    ['containers nested 200 deep', () => checkpoint([], {}, pk(0x80, 2, ...Array(200).fill(']'), ...Array(199).fill('a'), '.')), 'PARSE_ERROR', /nested deeper than maxHeaderDepth = 128/],
    ['random bytes', () => new Uint8Array(64).fill(0x41), 'PARSE_ERROR', /not a PyTorch checkpoint/],
    ['two storage names for one byte range', () => buildZip(
      [{ name: 'archive/data.pkl', data: statePickle([{ name: 'a', key: '0', numel: 2, size: [2], stride: [1] }, { name: 'b', key: '1', numel: 2, size: [2], stride: [1] }]) }, { name: 'archive/data/0', data: f32bytes([1, 2]) }],
      { aliases: [{ name: 'archive/data/1', of: 1 }] },
    ), 'PARSE_ERROR', /overlap|names a different member/],
  ];
  for (const [what, make, code, message] of bad) {
    it(`refuses ${what}`, async () => {
      const bytes = make();
      expectOckhamError(() => parsePytorch(bytes), { code, message });
      const dir = mkdtempSync(join(tmpdir(), 'ockham-pt-'));
      try {
        writeFileSync(join(dir, 'x.pt'), bytes);
        const e = await rejectsArg(readPytorchFile(join(dir, 'x.pt')), join(dir, 'x.pt'), code);
        expect(e.message).toMatch(message);
      } finally {
        rmSync(dir, { recursive: true });
      }
    });
  }

  it('walks a shared container once (a 60-level DAG of 2^60 paths ends at once)', () => {
    const parts: (number | string | number[])[] = [0x80, 2, ']', 'q', 0, '0'];
    for (let k = 1; k <= 60; k++) parts.push('h', k - 1, 'h', k - 1, 0x86, 'q', k, '0');
    parts.push('h', 60, '.');
    const t0 = performance.now();
    const { tensors } = parsePytorch(checkpoint([], {}, pk(...parts)));
    expect(tensors).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('names a tensor referenced twice (tied weights) under both names', () => {
    const one = statePickle([{ name: 'embed.weight', key: '0', numel: 2, size: [2], stride: [1] }]);
    const body = one.subarray(0, one.length - 2);
    const bytes = checkpoint([], { '0': f32bytes([1, 2]) }, pk(body, 'q', 9, ...str('head.weight'), 'h', 9, 'u', '.'));
    const { tensors } = parsePytorch(bytes);
    expect(tensors.map((t) => t.name)).toEqual(['embed.weight', 'head.weight']);
    expect(Array.from(tensors[1].data)).toEqual([1, 2]);
    expect(tensors[0].data).not.toBe(tensors[1].data);
  });

  it('reads deflated members (other zip tools) and ZIP64 end records, in both readers', async () => {
    const pickle = statePickle([{ name: 'w', key: '0', numel: 3, size: [3], stride: [1] }]);
    const dir = mkdtempSync(join(tmpdir(), 'ockham-pt-'));
    try {
      for (const [i, opts] of [[8, {}], [0, { zip64: true }], [8, { zip64: true }]] as const) {
        const bytes = buildZip([{ name: 'archive/data.pkl', data: pickle, method: i }, { name: 'archive/data/0', data: f32bytes([1, -2, 3]), method: i }], opts);
        expect(Array.from(parsePytorch(bytes).tensors[0].data)).toEqual([1, -2, 3]);
        writeFileSync(join(dir, 'x.pt'), bytes);
        expect(Array.from((await readPytorchFile(join(dir, 'x.pt'))).tensors[0].data)).toEqual([1, -2, 3]);
      }
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('reads _rebuild_tensor_v3 on an untyped storage (PyTorch 2.x, dtypes without a storage class)', () => {
    const parts = [0x80, 2, '}', '(', ...str('u'), 'ctorch._utils\n_rebuild_tensor_v3\n', '(',
      '(', ...str('storage'), 'ctorch\nUntypedStorage\n', ...str('0'), ...str('cpu'), 'J', le32(6), 't', 'Q',
      'J', le32(0), ...ints([3]), ...ints([1]), 0x89, 'ccollections\nOrderedDict\n)R', 'ctorch\nuint16\n', 't', 'R', 'u', '.'];
    const u16 = new Uint8Array(new Uint16Array([1, 65535, 300]).buffer);
    const { tensors } = parsePytorch(checkpoint([], { '0': u16 }, pk(...(parts as (number | string | number[])[]))));
    expect(tensors[0].dtype).toBe('uint16');
    expect(Array.from(tensors[0].data)).toEqual([1, 65535, 300]);
  });

  it('keys like __proto__ and constructor are plain names (own properties, no prototype lookups)', () => {
    const parts = [0x80, 2, '}', '(', ...str('__proto__'), 'K', 5, ...str('constructor'), ...str('x'), 'u', '.'];
    const { metadata } = parsePytorch(checkpoint([], {}, pk(...(parts as (number | string | number[])[]))));
    expect(Object.getOwnPropertyDescriptor(metadata, '__proto__')?.value).toBe('5');
    expect(Object.getOwnPropertyDescriptor(metadata, 'constructor')?.value).toBe('x');
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const bytes = checkpoint([], {}, pk(0x80, 2, `cbuiltins\n${name}\n`, '.'));
      expectOckhamError(() => parsePytorch(bytes), { code: 'UNSUPPORTED', message: new RegExp(`"builtins\\.${name}"`) });
    }
  });

  it('honours a byteorder member (PyTorch ≥ 2.1 writes one; "big" on big-endian hosts)', async () => {
    const pickle = statePickle([{ name: 'w', key: '0', numel: 2, size: [2], stride: [1] }]);
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 1.5, false);
    new DataView(be.buffer).setFloat32(4, -2, false);
    const enc = new TextEncoder();
    const dir = mkdtempSync(join(tmpdir(), 'ockham-pt-'));
    try {
      for (const [order, data, want] of [['big', be, [1.5, -2]], ['little', f32bytes([3, 4]), [3, 4]]] as const) {
        const bytes = buildZip([{ name: 'archive/data.pkl', data: pickle }, { name: 'archive/byteorder', data: enc.encode(order) }, { name: 'archive/data/0', data }]);
        expect(Array.from(parsePytorch(bytes).tensors[0].data)).toEqual(want);
        writeFileSync(join(dir, 'x.pt'), bytes);
        expect(Array.from((await readPytorchFile(join(dir, 'x.pt'))).tensors[0].data)).toEqual(want);
      }
      const bad = buildZip([{ name: 'archive/data.pkl', data: pickle }, { name: 'archive/byteorder', data: enc.encode('middle') }]);
      expectOckhamError(() => parsePytorch(bad), { code: 'PARSE_ERROR', message: /byteorder/ });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('refuses a tar-format checkpoint (PyTorch < 0.4)', () => {
    const tar = new Uint8Array(1024);
    tar.set(new TextEncoder().encode('ustar'), 257);
    expectOckhamError(() => parsePytorch(tar), { code: 'UNSUPPORTED', message: /tar-format/ });
  });

  it('detects a corrupted storage byte (CRC-32)', () => {
    const bytes = fixture('state-dict-zip.pt').slice();
    const e = zip.listZipEntries(bytes).find((m) => m.name.endsWith('/data/0'))!;
    bytes[e.dataOffset + 5] ^= 0x10;
    expectOckhamError(() => parsePytorch(bytes), { code: 'PARSE_ERROR', message: /CRC-32/ });
  });

  it('applies the budgets', () => {
    const bytes = fixture('checkpoint-zip.pt');
    expectOckhamError(() => parsePytorch(bytes, { maxTensorBytes: 200 }), { code: 'OUT_OF_RANGE', message: /"model\.0\.weight".*maxTensorBytes = 200/ });
    expectOckhamError(() => parsePytorch(bytes, { maxTotalBytes: 1000 }), { code: 'OUT_OF_RANGE', message: /maxTotalBytes = 1000/ });
    expectOckhamError(() => parsePytorch(bytes, { maxHeaderBytes: 100 }), { code: 'OUT_OF_RANGE', message: /data\.pkl is \d+ bytes/ });
    expectOckhamError(() => parsePytorch(fixture('checkpoint-legacy.pt'), { maxHeaderBytes: 100 }), { code: 'OUT_OF_RANGE', message: /maxHeaderBytes = 100/ });
    expectOckhamError(() => parsePytorch(bytes, { maxTensorBytes: -1 }), { code: 'OUT_OF_RANGE', argument: 'options.maxTensorBytes' });
    expectOckhamError(() => parsePytorch(bytes, { maxBytes: 1 } as never), { code: 'UNKNOWN_OPTION' });
    expectOckhamError(() => parsePytorch(bytes, { maxTensors: 3 }), { code: 'OUT_OF_RANGE', message: /more than maxTensors = 3/ });
    expectOckhamError(() => parsePytorch(fixture('checkpoint-zip.pt'), { maxHeaderDepth: 1 }), { code: 'PARSE_ERROR', message: /maxHeaderDepth = 1/ });
  });

  it('the file reader refuses directories and missing files', async () => {
    await rejectsArg(readPytorchFile(DIR), DIR);
    await rejectsArg(readPytorchFile(join(DIR, 'nope.pt')), join(DIR, 'nope.pt'));
  });
});

describe('PyTorch: fuzzing (fixed seeds)', () => {
  const check = (bytes: Uint8Array): void => {
    const t0 = performance.now();
    try {
      const r = parsePytorch(bytes);
      for (const t of r.tensors) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
    } catch (e) {
      if (!(e instanceof OckhamError)) throw e;
    }
    expect(performance.now() - t0).toBeLessThan(1000);
  };
  const legacy = fixture('checkpoint-legacy.pt');
  const zipped = fixture('dtypes-views-zip.pt');
  const members = zip.listZipEntries(zipped).map((e) => ({ name: e.name, data: zip.readZipEntry(zipped, e).slice() }));
  const flips = (len: number) => fc.array(fc.tuple(fc.nat(len - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 });

  it('legacy checkpoint with flipped bytes', () => {
    fc.assert(
      fc.property(flips(legacy.length), (fl) => {
        const b = legacy.slice();
        for (const [i, x] of fl) b[i] ^= x;
        check(b);
      }),
      { seed: 1611, numRuns: 400 },
    );
  });

  it('file reader: zip directory and end record with flipped bytes', async () => {
    const bytes = fixture('dtypes-views-zip.pt');
    const cd = zip.listZipEntries(bytes).reduce((m, e) => Math.max(m, e.dataOffset + e.compressedSize), 0);
    const dir = mkdtempSync(join(tmpdir(), 'ockham-pt-'));
    const file = join(dir, 'x.pt');
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(fc.nat(bytes.length - cd - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }), async (fl) => {
          const b = bytes.slice();
          for (const [i, x] of fl) b[cd + i] ^= x;
          writeFileSync(file, b);
          const t0 = performance.now();
          try {
            // A flip the checks cannot see (a comment, an unused field) must leave every value exact.
            expectMatches(await readPytorchFile(file), EXPECTED.files['dtypes-views-zip.pt'].tensors);
          } catch (e) {
            if (!(e instanceof OckhamError)) throw e;
          }
          expect(performance.now() - t0).toBeLessThan(1000);
        }),
        { seed: 1613, numRuns: 150 },
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('zip checkpoint with a mutated data.pkl (re-zipped, so the CRC matches)', () => {
    const pkl = members.find((m) => m.name.endsWith('data.pkl'))!.data;
    fc.assert(
      fc.property(flips(pkl.length), (fl) => {
        const p = pkl.slice();
        for (const [i, x] of fl) p[i] ^= x;
        check(buildZip(members.map((m) => (m.name.endsWith('data.pkl') ? { name: m.name, data: p } : m))));
      }),
      { seed: 1612, numRuns: 400 },
    );
  });
});

afterAll(() => {
  vi.restoreAllMocks();
});
