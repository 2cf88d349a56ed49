/** Shared fixtures of the report tests. */
import { createRng } from '../../src/index.js';
import type { WeightsFile } from '../../src/index.js';

/** A synthetic multi-tensor file: matrices of several shapes, a vector, a scalar, a 4-D kernel, a tiny matrix. */
export function syntheticFile(seed = 7): WeightsFile {
  const rng = createRng(seed);
  const t = (name: string, shape: number[], f: (i: number) => number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = f(i);
    return { name, dtype: 'F32', shape, data };
  };
  const g = () => (rng.next() - 0.5) * 0.04;
  return {
    format: 'safetensors',
    metadata: { made: 'test' },
    tensors: [
      t('a.weight', [48, 40], (i) => g() + 0.01 * Math.sin(i / 40)),
      t('a.bias', [48], () => g()),
      t('b.weight', [32, 96], () => g()),
      t('scale', [], () => 0.5),
      t('conv', [8, 3, 3, 3], () => g()),
      t('tiny', [3, 8], () => g()),
      t('c.weight', [64, 64], (i) => ((i >> 6) % 7) * 0.003 + g() * 0.1),
    ],
  };
}

