import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { OckhamError } from '../../src/errors.js';
import { serializeSafetensors } from '../../src/io/index.js';
import {
  readSafetensorsFile,
  readSafetensorsHeader,
  readWeightsFile,
  streamSafetensorsFile,
} from '../../src/io/node/index.js';

let dir = '';
const npyBytes = (() => {
  let h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
  while ((10 + h.length + 1) % 64 !== 0) h += ' ';
  h += '\n';
  const out = new Uint8Array(10 + h.length + 16);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, h.length, true);
  out.set(new TextEncoder().encode(h), 10);
  out.set(new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer), 10 + h.length);
  return out;
})();
const st = serializeSafetensors(
  [
    { name: 'b', shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i) },
    { name: 'a', shape: [2], data: new Float32Array([0.5, -1]), dtype: 'BF16' },
  ],
  { step: '7' },
);

async function rejectsOckham(p: Promise<unknown>, code: string, pathPart: string): Promise<OckhamError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(OckhamError);
    expect((e as OckhamError).code).toBe(code);
    expect((e as OckhamError).argument).toContain(pathPart);
    return e as OckhamError;
  }
  throw new Error('expected a rejection');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ockham-io-'));
  writeFileSync(join(dir, 'w.safetensors'), st);
  writeFileSync(join(dir, 'noext'), st);
  writeFileSync(join(dir, 'x.npy'), npyBytes);
  writeFileSync(join(dir, 'x.npz'), zipSync({ 'k.npy': npyBytes }, { level: 6 }));
  mkdirSync(join(dir, 'tfjs'));
  writeFileSync(
    join(dir, 'tfjs', 'model.json'),
    JSON.stringify({ format: 'layers-model', weightsManifest: [{ paths: ['s1.bin'], weights: [{ name: 'k', shape: [2], dtype: 'float32' }] }] }),
  );
  writeFileSync(join(dir, 'tfjs', 's1.bin'), new Uint8Array(new Float32Array([9, 8]).buffer));
  mkdirSync(join(dir, 'evil'));
  writeFileSync(
    join(dir, 'evil', 'model.json'),
    JSON.stringify({ weightsManifest: [{ paths: ['../w.safetensors'], weights: [{ name: 'k', shape: [1], dtype: 'float32' }] }] }),
  );
  writeFileSync(join(dir, 'junk.bin'), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  const truncated = st.slice(0, st.length - 3);
  writeFileSync(join(dir, 'cut.safetensors'), truncated);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Node readers', () => {
  it('readSafetensorsFile / readSafetensorsHeader', async () => {
    const r = await readSafetensorsFile(join(dir, 'w.safetensors'));
    expect(r.metadata).toEqual({ step: '7' });
    expect(r.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([
      ['a', 'BF16', [2]],
      ['b', 'F32', [3, 4]],
    ]);
    expect(Array.from(r.tensors[0].data)).toEqual([0.5, -1]);
    expect(r.tensors[1].data[11]).toBe(11);
    const h = await readSafetensorsHeader(join(dir, 'w.safetensors'));
    expect(h.entries.map((e) => e.end - e.start)).toEqual([4, 48]);
    expect(h.dataOffset % 8).toBe(0);
  });

  it('streamSafetensorsFile yields tensor by tensor and stops early on break', async () => {
    const seen: string[] = [];
    for await (const t of streamSafetensorsFile(join(dir, 'w.safetensors'))) {
      expect(t.count).toBe(2);
      seen.push(`${t.index}:${t.name}`);
      break;
    }
    expect(seen).toEqual(['0:a']);
    // A header problem surfaces before any tensor is yielded, naming the path.
    const it = streamSafetensorsFile(join(dir, 'cut.safetensors'));
    await rejectsOckham(it.next(), 'PARSE_ERROR', 'cut.safetensors');
  });

  it('streams a sparse 8 GiB file: reads the first tensor only, typed error for the oversized one', async () => {
    const header = { a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, b: { dtype: 'U8', shape: [2 ** 33], data_offsets: [16, 16 + 2 ** 33] } };
    let json = JSON.stringify(header);
    while (json.length % 8) json += ' ';
    const pre = new Uint8Array(8 + json.length + 16);
    new DataView(pre.buffer).setUint32(0, json.length, true);
    pre.set(new TextEncoder().encode(json), 8);
    pre.set(new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer), 8 + json.length);
    const big = join(dir, 'sparse.safetensors');
    writeFileSync(big, pre);
    truncateSync(big, pre.length + 2 ** 33); // sparse: no disk space used
    const t0 = performance.now();
    const h = await readSafetensorsHeader(big);
    expect(h.entries[1].end).toBe(pre.length + 2 ** 33);
    const it = streamSafetensorsFile(big);
    const first = await it.next();
    expect(first.done).toBe(false);
    expect(Array.from(first.value!.data)).toEqual([1, 2, 3, 4]);
    expect(performance.now() - t0).toBeLessThan(2000);
    await rejectsOckham(it.next(), 'OUT_OF_RANGE', 'sparse.safetensors');
    rmSync(big);
  });

  it('readWeightsFile dispatches on extension, folder and magic', async () => {
    expect((await readWeightsFile(join(dir, 'w.safetensors'))).format).toBe('safetensors');
    expect((await readWeightsFile(join(dir, 'noext'))).format).toBe('safetensors');
    const npy = await readWeightsFile(join(dir, 'x.npy'));
    expect(npy.format).toBe('npy');
    expect(npy.tensors[0].name).toBe('x');
    expect(Array.from(npy.tensors[0].data)).toEqual([1, 2, 3, 4]);
    const npz = await readWeightsFile(join(dir, 'x.npz'));
    expect(npz.tensors.map((t) => t.name)).toEqual(['k']);
    for (const p of [join(dir, 'tfjs'), join(dir, 'tfjs', 'model.json')]) {
      const t = await readWeightsFile(p);
      expect(t.format).toBe('tfjs');
      expect(Array.from(t.tensors[0].data)).toEqual([9, 8]);
    }
  });

  it('errors name the path and say what is wrong', async () => {
    const e = await rejectsOckham(readWeightsFile(join(dir, 'missing.safetensors')), 'INVALID_ARGUMENT', 'missing.safetensors');
    expect(e.message).toMatch(/no such file/);
    await rejectsOckham(readWeightsFile(join(dir, 'junk.bin')), 'UNSUPPORTED', 'junk.bin');
    await rejectsOckham(readWeightsFile(join(dir, 'cut.safetensors')), 'PARSE_ERROR', 'cut.safetensors');
    const evil = await rejectsOckham(readWeightsFile(join(dir, 'evil')), 'INVALID_ARGUMENT', 'model.json');
    expect(evil.message).toMatch(/outside the model folder/);
    await rejectsOckham(readSafetensorsFile(dir), 'INVALID_ARGUMENT', dir);
  });
});
