/** Node-only: read any supported weights file from disk, dispatching on extension or magic. */
import { open, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { OckhamError } from '../../errors.js';
import { parseNpy, npyToTensor } from '../npy.js';
import { parseNpz } from '../npz.js';
import { parseTfjsModel, tfjsManifest } from '../tfjs.js';
import type { WeightsFile } from '../types.js';
import { rethrowWithPath } from './errors.js';
import { readSafetensorsFile } from './safetensors-file.js';

/** The formats {@link readWeightsFile} recognises. */
export type WeightsFormat = WeightsFile['format'];

/**
 * Reads a TensorFlow.js `model.json` and its weight shards (resolved relative to the JSON's
 * folder; shard paths may not leave that folder).
 *
 * @param path - Path of model.json.
 * @returns As {@link parseTfjsModel}.
 * @throws {OckhamError} with `argument` = path: INVALID_ARGUMENT for unreadable files or shard
 *   paths outside the model folder; PARSE_ERROR / UNSUPPORTED as {@link parseTfjsModel}.
 * @example
 * const { tensors } = await readTfjsModelFile('test/fixtures/upscaler/model.json');
 */
export async function readTfjsModelFile(path: string): Promise<WeightsFile> {
  try {
    const json = JSON.parse(await readFile(path, 'utf8')) as unknown;
    const dir = resolve(dirname(path));
    const shards: Record<string, Uint8Array> = {};
    for (const group of tfjsManifest(json)) {
      for (const p of group.paths) {
        let rel = p;
        try {
          rel = decodeURIComponent(p); // manifests hold URL paths (spaces as %20)
        } catch {
          // not percent-encoded: use as is
        }
        const full = resolve(dir, rel);
        if (full !== dir && !full.startsWith(dir + sep)) {
          throw new OckhamError('INVALID_ARGUMENT', path, `shard path ${JSON.stringify(p)} points outside the model folder`);
        }
        try {
          shards[p] = new Uint8Array(await readFile(full));
        } catch (e) {
          rethrowWithPath(path, new OckhamError('INVALID_ARGUMENT', full, `shard listed in the manifest cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`));
        }
      }
    }
    return parseTfjsModel(json, shards);
  } catch (e) {
    if (e instanceof SyntaxError) rethrowWithPath(path, new OckhamError('PARSE_ERROR', path, `is not valid JSON (${e.message})`));
    rethrowWithPath(path, e);
  }
}

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
 * @param path - File or model folder path.
 * @returns `{ format, tensors, metadata }`.
 * @throws {OckhamError} with `argument` = path: INVALID_ARGUMENT when it cannot be read,
 *   UNSUPPORTED when the format is not recognised, PARSE_ERROR for malformed content.
 * @example
 * const { format, tensors } = await readWeightsFile('weights.npz');
 * console.log(format, tensors.map((t) => `${t.name} [${t.shape}]`));
 */
export async function readWeightsFile(path: string): Promise<WeightsFile> {
  if (typeof path !== 'string' || path.length === 0) throw new OckhamError('INVALID_ARGUMENT', 'path', 'expected a non-empty file path');
  let format: WeightsFormat | undefined;
  let target = path;
  try {
    const st = await stat(path);
    if (st.isDirectory()) {
      target = join(path, 'model.json');
      format = 'tfjs';
    } else {
      const ext = extname(path).toLowerCase();
      format = ext === '.safetensors' ? 'safetensors' : ext === '.npy' ? 'npy' : ext === '.npz' ? 'npz' : ext === '.json' ? 'tfjs' : await sniff(path);
    }
  } catch (e) {
    rethrowWithPath(path, e);
  }
  switch (format) {
    case 'safetensors':
      return readSafetensorsFile(target);
    case 'tfjs':
      return readTfjsModelFile(target);
    case 'npy':
    case 'npz': {
      try {
        const bytes = new Uint8Array(await readFile(target));
        if (format === 'npz') return parseNpz(bytes);
        const stem = target.split(/[\\/]/).pop()!.replace(/\.npy$/i, '');
        return { format: 'npy', tensors: [npyToTensor(stem, parseNpy(bytes, target))], metadata: {} };
      } catch (e) {
        rethrowWithPath(target, e);
      }
    }
    default:
      throw new OckhamError('UNSUPPORTED', path, 'unrecognised weights format; expected .safetensors, .npy, .npz or a TensorFlow.js model.json');
  }
}
