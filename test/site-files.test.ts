/** The playground's file picking (site/src/files.ts): same tensors as the Node readers, clear errors. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mainFile, readPicked } from '../site/src/files.js';
import { OckhamError } from '../src/index.js';
import { readWeightsFile } from '../src/node.js';

const bytes = (p: string): ArrayBuffer => {
  const b = readFileSync(p);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};
const MODEL = { name: 'model.json', bytes: bytes('test/fixtures/upscaler/model.json') };
const SHARD = { name: 'group1-shard1of1.bin', bytes: bytes('test/fixtures/upscaler/group1-shard1of1.bin') };

describe('site file picking', () => {
  it('reads a TF.js model.json with its shard (in any order) as readWeightsFile does', async () => {
    const w = readPicked([SHARD, MODEL]);
    const n = await readWeightsFile('test/fixtures/upscaler/model.json');
    expect(w.format).toBe('tfjs');
    expect(w.tensors.map((t) => [t.name, t.shape])).toEqual(n.tensors.map((t) => [t.name, t.shape]));
    expect(w.tensors.every((t, i) => t.data.every((v, j) => v === n.tensors[i].data[j]))).toBe(true);
    expect(mainFile([SHARD, MODEL]).name).toBe('model.json');
  });

  it('reads safetensors by extension and by magic bytes', () => {
    const st = bytes('examples/grokking/step-004000.safetensors');
    expect(readPicked([{ name: 'step-004000.safetensors', bytes: st }]).tensors.map((t) => t.name)).toEqual(['embed', 'hidden', 'output']);
    expect(readPicked([{ name: 'weights', bytes: st }]).format).toBe('safetensors');
  });

  it('names the missing shard, and rejects unknown or empty input', () => {
    expect(() => readPicked([MODEL])).toThrow(/group1-shard1of1\.bin.*not picked/);
    expect(() => readPicked([{ name: 'x.txt', bytes: new ArrayBuffer(4) }])).toThrow(OckhamError);
    expect(() => readPicked([])).toThrow(/pick a/);
  });
});
