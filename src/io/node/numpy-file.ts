/** Node-only `.npy` / `.npz` file reading with the reader budget applied to the file itself. */
import { parseNpy, npyToTensor } from '../npy.js';
import { parseNpz } from '../npz.js';
import { resolveReadBudget, type ReadBudget } from '../budget.js';
import type { WeightsFile } from '../types.js';
import { rethrowWithPath } from './errors.js';
import { openRegularFile, readAtMost } from './tfjs-file.js';

/**
 * Reads a `.npy` or `.npz` file: a regular file of at most 2 × `maxTotalBytes` + `maxHeaderBytes`
 * bytes (float64 data halves as float32), read with one allocation of its size, then parsed with
 * the budget (see {@link parseNpy}, {@link parseNpz}).
 */
export async function readNumpyFile(path: string, format: 'npy' | 'npz', options?: ReadBudget): Promise<WeightsFile> {
  const budget = resolveReadBudget(options);
  try {
    const { fh, size } = await openRegularFile(path, 2 * budget.maxTotalBytes + budget.maxHeaderBytes, format === 'npy' ? '.npy file' : '.npz file', path);
    let bytes: Uint8Array;
    try {
      bytes = await readAtMost(fh, size, path, path);
    } finally {
      await fh.close();
    }
    if (format === 'npz') return parseNpz(bytes, { ...budget, argument: path });
    const stem = path.split(/[\\/]/).pop()!.replace(/\.npy$/i, '');
    return { format: 'npy', tensors: [npyToTensor(stem, parseNpy(bytes, path, budget))], metadata: {} };
  } catch (e) {
    rethrowWithPath(path, e);
  }
}
