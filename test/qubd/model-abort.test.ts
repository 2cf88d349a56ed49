/** qubdModel's AbortSignal and onProgress: checked between tensors; progress in parameters; results unchanged. */
import { describe, expect, it } from 'vitest';
import { qubdModel, OckhamError } from '../../src/index.js';

const model = [
  { name: 'fc1.weight', data: new Float32Array(32 * 16).map((_, i) => Math.cos(i / 7)), shape: [32, 16] },
  { name: 'fc1.bias', data: new Float32Array(16).map((_, i) => i / 16), shape: [16] },
  { name: 'fc2.weight', data: new Float32Array(24 * 32).map((_, i) => Math.sin(i / 5)), shape: [24, 32] },
];
const total = 32 * 16 + 16 + 24 * 32;

describe('qubdModel signal and progress', () => {
  it('reports progress per tensor in parameters, ends on (total, total, "done"), and gives the same result', () => {
    const seen: [number, number, string][] = [];
    const r = qubdModel(model, { bits: 4, onProgress: (d, t, l) => seen.push([d, t, l]), signal: new AbortController().signal });
    expect(seen).toEqual([
      [0, total, 'fc1.weight'],
      [512, total, 'fc1.bias'],
      [528, total, 'fc2.weight'],
      [total, total, 'done'],
    ]);
    expect(r).toEqual(qubdModel(model, { bits: 4 }));
  });

  it('throws the AbortError (or the given reason) before the next tensor', () => {
    expect(() => qubdModel(model, { signal: AbortSignal.abort() })).toThrow(expect.objectContaining({ name: 'AbortError' }) as Error);
    const ac = new AbortController();
    const names: string[] = [];
    let err: unknown;
    try {
      qubdModel(model, { signal: ac.signal, onProgress: (_d, _t, l) => {
        names.push(l);
        if (l === 'fc2.weight') ac.abort(new Error('stop'));
      } });
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toBe('stop');
    expect(names).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight']);
  });

  it('validates signal and onProgress', () => {
    expect(() => qubdModel(model, { signal: 'no' as never })).toThrow(OckhamError);
    expect(() => qubdModel(model, { onProgress: {} as never })).toThrow(/options.onProgress/);
  });
});
