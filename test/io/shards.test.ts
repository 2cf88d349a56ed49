import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeSafetensors, type SafetensorsInput } from '../../src/io/safetensors.js';
import {
  readShardedSafetensors,
  readShardedSafetensorsIndex,
  streamShardedSafetensors,
} from '../../src/io/node/sharded-safetensors.js';
import { readWeightsFile } from '../../src/io/node/weights-file.js';
import { OckhamError } from '../../src/errors.js';

let root = '';
const ramp = (n: number, k = 1) => Float32Array.from({ length: n }, (_, i) => (i - n / 2) * k);
const shard1: SafetensorsInput[] = [
  { name: 'embed.weight', shape: [4, 3], data: ramp(12, 0.25) },
  { name: 'layer.0.weight', shape: [3, 3], data: ramp(9, 0.5), dtype: 'BF16' },
];
const shard2: SafetensorsInput[] = [
  { name: 'layer.1.weight', shape: [2, 3], data: ramp(6), dtype: 'F16' },
  { name: 'head.bias', shape: [2], data: new Float32Array([1.5, -2]) },
];
const bytesOf = (ts: SafetensorsInput[]) => ts.reduce((s, t) => s + t.data.length * (t.dtype === 'BF16' || t.dtype === 'F16' ? 2 : 4), 0);
const TOTAL = bytesOf(shard1) + bytesOf(shard2);

/** Writes a checkpoint folder: shards and an index (overridable), returns its path. */
function checkpoint(name: string, index?: unknown, files: Record<string, Uint8Array> = {}): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const s1 = 'model-00001-of-00002.safetensors';
  const s2 = 'model-00002-of-00002.safetensors';
  writeFileSync(join(dir, s1), serializeSafetensors(shard1));
  writeFileSync(join(dir, s2), serializeSafetensors(shard2, { format: 'pt' }));
  for (const [f, b] of Object.entries(files)) writeFileSync(join(dir, f), b);
  const weightMap: Record<string, string> = {};
  for (const t of shard1) weightMap[t.name] = s1;
  for (const t of shard2) weightMap[t.name] = s2;
  const idx = index ?? { metadata: { total_size: TOTAL }, weight_map: weightMap };
  writeFileSync(join(dir, 'model.safetensors.index.json'), typeof idx === 'string' ? idx : JSON.stringify(idx));
  return dir;
}
const goodMap = () => ({
  'embed.weight': 'model-00001-of-00002.safetensors',
  'layer.0.weight': 'model-00001-of-00002.safetensors',
  'layer.1.weight': 'model-00002-of-00002.safetensors',
  'head.bias': 'model-00002-of-00002.safetensors',
});

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ockham-shards-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function rejects(p: Promise<unknown>, code: string, msg: RegExp): Promise<void> {
  const t0 = performance.now();
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(OckhamError);
  expect((err as OckhamError).code).toBe(code);
  expect((err as OckhamError).message).toMatch(msg);
  expect(performance.now() - t0).toBeLessThan(1000);
}

describe('readShardedSafetensors', () => {
  it('reads every tensor of every shard, shard by shard, with the exact values', async () => {
    const dir = checkpoint('good');
    for (const p of [dir, join(dir, 'model.safetensors.index.json')]) {
      const f = await readShardedSafetensors(p);
      expect(f.format).toBe('safetensors');
      expect(f.metadata).toMatchObject({ total_size: String(TOTAL), shards: '2' });
      const byName = Object.fromEntries(f.tensors.map((t) => [t.name, t]));
      expect(Object.keys(byName).sort()).toEqual(['embed.weight', 'head.bias', 'layer.0.weight', 'layer.1.weight']);
      expect(Array.from(byName['embed.weight'].data)).toEqual(Array.from(ramp(12, 0.25)));
      expect(Array.from(byName['layer.0.weight'].data)).toEqual(Array.from(ramp(9, 0.5))); // exact in bf16
      expect(byName['layer.0.weight'].dtype).toBe('BF16');
      expect(byName['layer.1.weight'].shape).toEqual([2, 3]);
      expect(byName['head.bias'].layout).toBe('safetensors');
    }
    const seen: string[] = [];
    for await (const t of streamShardedSafetensors(dir)) seen.push(`${t.shard}:${t.name}:${t.index}/${t.count}`);
    expect(seen[0].startsWith('model-00001-of-00002.safetensors:')).toBe(true);
    expect(seen[3].startsWith('model-00002-of-00002.safetensors:')).toBe(true);
    expect(seen[3].endsWith(':3/4')).toBe(true);
  });

  it('stored: true keeps the stored bf16 bytes (2 per element)', async () => {
    const f = await readShardedSafetensors(checkpoint('stored'), { stored: true });
    const t = f.tensors.find((x) => x.name === 'layer.0.weight')!;
    expect(t.stored!.dtype).toBe('BF16');
    expect(t.stored!.bytes.length).toBe(18);
  });

  it('readWeightsFile dispatches the index file and the folder by content', async () => {
    const dir = checkpoint('dispatch');
    expect((await readWeightsFile(dir)).tensors.length).toBe(4);
    expect((await readWeightsFile(join(dir, 'model.safetensors.index.json'))).tensors.length).toBe(4);
  });

  it('checks total_size and the weight map against the shards', async () => {
    await rejects(readShardedSafetensors(checkpoint('size', { metadata: { total_size: TOTAL + 1 }, weight_map: goodMap() })), 'PARSE_ERROR', /total_size/);
    const missing = { ...goodMap(), 'ghost.weight': 'model-00001-of-00002.safetensors' };
    await rejects(readShardedSafetensors(checkpoint('ghost', { weight_map: missing })), 'PARSE_ERROR', /no such tensor/);
    const unmapped: Record<string, string> = goodMap();
    delete unmapped['head.bias'];
    await rejects(readShardedSafetensors(checkpoint('unmapped', { weight_map: unmapped })), 'PARSE_ERROR', /not in weight_map/);
    const wrong = { ...goodMap(), 'head.bias': 'model-00001-of-00002.safetensors' };
    await rejects(readShardedSafetensors(checkpoint('wrong', { weight_map: wrong })), 'PARSE_ERROR', /mapped to|no such tensor/);
    // The same tensor in two shards: a third shard repeating "head.bias".
    const dup = { ...goodMap(), 'x.weight': 'extra.safetensors' };
    const extra = serializeSafetensors([{ name: 'head.bias', shape: [1], data: new Float32Array(1) }, { name: 'x.weight', shape: [1], data: new Float32Array(1) }]);
    await rejects(readShardedSafetensors(checkpoint('dup', { weight_map: dup }, { 'extra.safetensors': extra })), 'PARSE_ERROR', /two shards/);
  });

  it('refuses shard paths outside the folder, symlinks out, the same file twice, non-regular files', async () => {
    await rejects(
      readShardedSafetensors(checkpoint('escape', { weight_map: { ...goodMap(), 'head.bias': '../good/model-00002-of-00002.safetensors' } })),
      'INVALID_ARGUMENT',
      /outside the checkpoint folder/,
    );
    const dir = checkpoint('symlink', { weight_map: { ...goodMap(), 'x.weight': 'link.safetensors' } });
    writeFileSync(join(root, 'outside.safetensors'), serializeSafetensors([{ name: 'x.weight', shape: [1], data: new Float32Array(1) }]));
    symlinkSync(join(root, 'outside.safetensors'), join(dir, 'link.safetensors'));
    await rejects(readShardedSafetensors(dir), 'INVALID_ARGUMENT', /symlink/);
    const twice = { ...goodMap(), 'head.bias': './model-00002-of-00002.safetensors' };
    await rejects(readShardedSafetensors(checkpoint('twice', { weight_map: twice })), 'PARSE_ERROR', /same file/);
    const fifo = checkpoint('dev', { weight_map: { ...goodMap(), 'x.weight': 'zero.safetensors' } });
    symlinkSync('/dev/zero', join(fifo, 'zero.safetensors'));
    await rejects(readShardedSafetensors(fifo), 'INVALID_ARGUMENT', /outside|regular/);
  });

  it('malformed indexes and budgets', async () => {
    await rejects(readShardedSafetensors(checkpoint('notjson', '{"weight_map": ')), 'PARSE_ERROR', /not valid JSON/);
    await rejects(readShardedSafetensors(checkpoint('nomap', { metadata: {} })), 'PARSE_ERROR', /weight_map/);
    await rejects(readShardedSafetensors(checkpoint('badsize', { metadata: { total_size: 'big' }, weight_map: goodMap() })), 'PARSE_ERROR', /total_size/);
    await rejects(readShardedSafetensors(checkpoint('nofile', { weight_map: { a: 'nope.safetensors' } })), 'INVALID_ARGUMENT', /cannot be read/);
    await rejects(readShardedSafetensors(checkpoint('budget1'), { maxHeaderBytes: 10 }), 'OUT_OF_RANGE', /maxHeaderBytes/);
    await rejects(readShardedSafetensors(checkpoint('budget2'), { maxTensorBytes: 40 }), 'OUT_OF_RANGE', /maxTensorBytes/);
    await rejects(readShardedSafetensors(checkpoint('budget3'), { maxTotalBytes: 100 }), 'OUT_OF_RANGE', /maxTotalBytes/);
    const idx = await readShardedSafetensorsIndex(checkpoint('idx'));
    expect(idx.totalBytes).toBe(TOTAL);
    expect(idx.shards.map((s) => s.file)).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
  });
});

describe('ockham report on a sharded checkpoint', () => {
  it('streams every shard and labels the tensors', async () => {
    const { reportFile } = await import('../../src/cli/report.js');
    const r = await reportFile(checkpoint('report'), { shuffles: 1, spectral: false, deltas: [0.01] });
    expect(r.format).toBe('safetensors');
    expect(r.metadata.shards).toBe('2');
    expect(r.tensors.map((t) => t.name).sort()).toEqual(['embed.weight', 'head.bias', 'layer.0.weight', 'layer.1.weight']);
    expect(r.tensors.every((t) => t.storedLayout === 'safetensors')).toBe(true);
    expect(r.tensors.find((t) => t.name === 'layer.0.weight')!.compression!.naiveOf).toBe('BF16');
  });
});

describe('committed fixture written by scripts/fixtures/shards_fixture.py (an independent writer)', () => {
  it('reads every tensor with the values numpy wrote', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseNpz } = await import('../../src/io/npz.js');
    const dir = join(__dirname, '..', 'fixtures', 'shards');
    const expected = parseNpz(readFileSync(join(dir, 'expected.npz')));
    const f = await readWeightsFile(dir);
    expect(f.tensors.map((t) => t.name).sort()).toEqual(expected.tensors.map((t) => t.name).sort());
    for (const e of expected.tensors) {
      const t = f.tensors.find((x) => x.name === e.name)!;
      expect(t.shape).toEqual(e.shape);
      expect(Array.from(t.data)).toEqual(Array.from(e.data));
    }
    expect(f.tensors.find((t) => t.name === 'model.layers.0.weight')!.dtype).toBe('F16');
    expect(f.metadata.total_size).toBe('256');
  });
});

describe('checkpoint saved by huggingface_hub.save_torch_state_dict (scripts/fixtures/shards_hf_fixture.py)', () => {
  it('every tensor equals what torch printed: dtype, shape and float32 values', async () => {
    const { readFileSync } = await import('node:fs');
    const dir = join(__dirname, '..', 'fixtures', 'shards', 'hf');
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, { dtype: string; shape: number[]; values: number[] }>;
    const f = await readWeightsFile(dir, { layout: 'torch' });
    expect(f.metadata).toMatchObject({ total_size: '652', format: 'pt', shards: '2' });
    expect(f.tensors.map((t) => t.name).sort()).toEqual(Object.keys(expected).sort());
    const dtype: Record<string, string> = { 'torch.float32': 'F32', 'torch.bfloat16': 'BF16', 'torch.float16': 'F16' };
    for (const t of f.tensors) {
      const e = expected[t.name];
      expect(t.dtype, t.name).toBe(dtype[e.dtype]);
      expect(t.shape, t.name).toEqual(e.shape);
      expect(Array.from(t.data), t.name).toEqual(e.values.map(Math.fround));
    }
    expect(f.tensors.find((t) => t.name === '0.weight')!.shape).toEqual([4, 2, 3, 3]); // PyTorch order as saved
  });
});

describe('PyTorch .bin shards saved by huggingface_hub (pytorch_model.bin.index.json)', () => {
  const binDir = join(__dirname, '..', 'fixtures', 'shards', 'hf-bin');
  it('every tensor equals what torch printed; detection by content; folder and index paths', async () => {
    const { readFileSync } = await import('node:fs');
    const { sniffWeightsFile } = await import('../../src/io/node/weights-file.js');
    expect((await sniffWeightsFile(join(binDir, 'pytorch_model.bin.index.json'))).format).toBe('pytorch-index');
    const expected = JSON.parse(readFileSync(join(binDir, 'expected.json'), 'utf8')) as Record<string, { dtype: string; shape: number[]; values: number[] }>;
    for (const p of [binDir, join(binDir, 'pytorch_model.bin.index.json')]) {
      const f = await readWeightsFile(p);
      expect(f.format).toBe('pytorch');
      expect(f.metadata).toMatchObject({ total_size: '652', shards: '2' });
      expect(f.tensors.map((t) => t.name).sort()).toEqual(Object.keys(expected).sort());
      for (const t of f.tensors) {
        const e = expected[t.name];
        expect(t.dtype, t.name).toBe(e.dtype.replace('torch.', ''));
        expect(t.shape, t.name).toEqual(e.shape);
        expect(Array.from(t.data), t.name).toEqual(e.values.map(Math.fround));
        expect(t.layout).toBe('torch');
      }
    }
    const { streamShardedPytorch } = await import('../../src/io/node/sharded-safetensors.js');
    const seen: string[] = [];
    for await (const t of streamShardedPytorch(binDir)) seen.push(`${t.shard}:${t.name}:${t.index}/${t.count}`);
    expect(seen.length).toBe(6);
    expect(seen[0].startsWith('pytorch_model-00001-of-00002.bin:')).toBe(true);
  });

  it('the weight map and total_size are checked against the .bin shards', async () => {
    const { cpSync, readFileSync: rf } = await import('node:fs');
    const idx = JSON.parse(rf(join(binDir, 'pytorch_model.bin.index.json'), 'utf8'));
    const variant = (name: string, change: (i: { metadata: Record<string, unknown>; weight_map: Record<string, string> }) => void) => {
      const d = join(root, name);
      cpSync(binDir, d, { recursive: true });
      const copy = JSON.parse(JSON.stringify(idx));
      change(copy);
      writeFileSync(join(d, 'pytorch_model.bin.index.json'), JSON.stringify(copy));
      return d;
    };
    await rejects(readWeightsFile(variant('bin-size', (i) => (i.metadata.total_size = 651))), 'PARSE_ERROR', /total_size is 651 but the shards' tensors take 652/);
    await rejects(
      readWeightsFile(variant('bin-wrong', (i) => (i.weight_map['3.bias'] = 'pytorch_model-00001-of-00002.bin'))),
      'PARSE_ERROR',
      /mapped to|no such tensor/,
    );
    await rejects(readWeightsFile(variant('bin-escape', (i) => (i.weight_map['3.bias'] = '../hf-bin/pytorch_model-00002-of-00002.bin'))), 'INVALID_ARGUMENT', /outside/);
  });
});
