/** Node-only: read any supported weights file from disk, dispatching on extension or magic. */
import { open, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { OckhamError } from '../../errors.js';
import type { ReadBudget } from '../budget.js';
import type { WeightsFile } from '../types.js';
import { readNumpyFile } from './numpy-file.js';
import { rethrowWithPath } from './errors.js';
import { readSafetensorsFile } from './safetensors-file.js';
import { readTfjsModelFile } from './tfjs-file.js';

export { readTfjsModelFile } from './tfjs-file.js';

/** The formats {@link readWeightsFile} recognises. */
export type WeightsFormat = WeightsFile['format'];

/** Identifies a file's format from its first bytes. */
async function sniff(path: string): Promise<WeightsFormat | undefined> {
  const fh = await open(path, 'r');
  try {
    const head = new Uint8Array(16);
    const { bytesRead } = await fh.read(head, 0, 16, 0);
    if (bytesRead >= 6 && head[0] === 0x93 && String.fromCharCode(...head.subarray(1, 6)) === 'NUMPY') return 'npy';
    if (bytesRead >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'npz';
    if (bytesRead >= 9 && head[8] === 0x7b) return 'safetensors';
    let i = 0;
    while (i < bytesRead && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
    if (head[i] === 0x7b) return 'tfjs';
    return undefined;
  } finally {
    await fh.close();
  }
}

/**
 * Reads a weights file of any supported format into float32 tensors.
 *
 * Dispatch: `.safetensors`, `.npy`, `.npz`, `.json` (TensorFlow.js model.json), a folder
 * containing `model.json`; otherwise the magic bytes decide (`\x93NUMPY`, `PK\x03\x04`, a JSON
 * header after 8 bytes → safetensors, `{` → model.json).
 *
 * @param path - File or model folder path (a regular file or a folder; FIFOs and devices are refused).
 * @param options - Budget ({@link ReadBudget}), passed to the format's reader; defaults in `READ_BUDGET_DEFAULTS`.
 * @returns `{ format, tensors, metadata }`.
 * @throws {OckhamError} with `argument` = path: INVALID_ARGUMENT when it cannot be read,
 *   UNSUPPORTED when the format is not recognised, PARSE_ERROR for malformed content.
 * @example
 * const { format, tensors } = await readWeightsFile('weights.npz');
 * console.log(format, tensors.map((t) => `${t.name} [${t.shape}]`));
 */
export async function readWeightsFile(path: string, options?: ReadBudget): Promise<WeightsFile> {
  if (typeof path !== 'string' || path.length === 0) throw new OckhamError('INVALID_ARGUMENT', 'path', 'expected a non-empty file path');
  let format: WeightsFormat | undefined;
  let target = path;
  try {
    const st = await stat(path);
    if (st.isDirectory()) {
      target = join(path, 'model.json');
      format = 'tfjs';
    } else if (!st.isFile()) {
      // A FIFO would block the sniffing read forever; devices never end.
      throw new OckhamError('INVALID_ARGUMENT', path, `is ${st.isFIFO() ? 'a FIFO' : 'not a regular file'}; only regular files are read`);
    } else {
      const ext = extname(path).toLowerCase();
      format = ext === '.safetensors' ? 'safetensors' : ext === '.npy' ? 'npy' : ext === '.npz' ? 'npz' : ext === '.json' ? 'tfjs' : await sniff(path);
    }
  } catch (e) {
    rethrowWithPath(path, e);
  }
  switch (format) {
    case 'safetensors':
      return readSafetensorsFile(target, options);
    case 'tfjs':
      return readTfjsModelFile(target, options);
    case 'npy':
    case 'npz':
      return readNumpyFile(target, format, options);
    default:
      throw new OckhamError('UNSUPPORTED', path, 'unrecognised weights format; expected .safetensors, .npy, .npz or a TensorFlow.js model.json');
  }
}
