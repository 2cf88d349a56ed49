/**
 * Node-only ONNX reader: the model file plus its external data files, read only where the model
 * says, from inside the model's folder.
 */
import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { OckhamError } from '../../errors.js';
import { assertKnownOptions } from '../../util/validate.js';
import { BUDGET_KEYS, type ReadBudget } from '../budget.js';
import { checkOnnxBudget, decodeOnnxTensor, resolveOnnxBudget, scanOnnx } from '../onnx.js';
import type { LoadedTensor, WeightsFile } from '../types.js';
import { rethrowWithPath } from './errors.js';

/** Largest `.onnx` file: protobuf messages are limited to 2 GiB (bigger models use external data). */
const MAX_MODEL_BYTES = 2 ** 31 - 1;

/** Options of {@link readOnnxFile}: the readers' shared budget, as {@link parseOnnx}. */
export type OnnxFileOptions = ReadBudget;

/**
 * Opens a regular file for reading without blocking on FIFOs or devices; refuses anything else.
 * @internal
 */
export async function openRegularFile(path: string, argument: string, what: string): Promise<{ fh: FileHandle; size: number }> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new OckhamError('INVALID_ARGUMENT', argument, `${what} ${JSON.stringify(path)} is not a regular file`);
    return { fh, size: st.size };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** Reads exactly `length` bytes at `position` (refuses a file that ends early). @internal */
export async function readRange(fh: FileHandle, position: number, length: number, argument: string, what: string): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(out, done, Math.min(1 << 30, length - done), position + done);
    if (bytesRead === 0) throw new OckhamError('PARSE_ERROR', argument, `${what} ended early at byte ${position + done} (changed while reading?)`);
    done += bytesRead;
  }
  return out;
}

/**
 * Reads an ONNX model's initializers from disk, including external data files next to it.
 *
 * External data (`data_location = EXTERNAL`) is read from the file its `location` names,
 * resolved inside the model's folder: absolute locations and any path whose real path (after
 * symlinks) leaves that folder are refused, only regular files are opened (no FIFOs or devices),
 * and each read is exactly the tensor's size at its `offset`, checked against the file size
 * first. Budgets are checked on the declared shapes before anything is read.
 *
 * @param path - Path of the `.onnx` file.
 * @param options - Budgets ({@link ReadBudget}: `maxTensorBytes`, `maxTotalBytes`, `maxTensors` apply) as {@link parseOnnx}.
 * @returns `{ format: 'onnx', tensors, metadata }` as {@link parseOnnx}.
 * @throws {OckhamError} with `argument` = path: INVALID_ARGUMENT for unreadable files or external
 *   locations outside the folder; PARSE_ERROR / UNSUPPORTED / OUT_OF_RANGE as {@link parseOnnx}.
 * @example
 * import { readOnnxFile } from 'ockham/node';
 * const { tensors } = await readOnnxFile('test/fixtures/onnx/external.onnx');
 * tensors.map((t) => `${t.name} [${t.shape}]`); // ['conv.weight [2,1,3,3]', …]
 */
export async function readOnnxFile(path: string, options?: OnnxFileOptions): Promise<WeightsFile> {
  assertKnownOptions(options, 'options', BUDGET_KEYS);
  const budget = resolveOnnxBudget(options);
  const handles = new Map<string, { fh: FileHandle; size: number }>();
  try {
    const model = await openRegularFile(path, path, 'model');
    let bytes: Uint8Array;
    try {
      if (model.size > MAX_MODEL_BYTES) throw new OckhamError('OUT_OF_RANGE', path, `is ${model.size} bytes; an ONNX protobuf is at most 2 GiB (larger models keep their weights in external data)`);
      bytes = await readRange(model.fh, 0, model.size, path, 'model');
    } finally {
      await model.fh.close();
    }
    const scan = scanOnnx(bytes, path, budget.maxTensors);
    checkOnnxBudget(scan.tensors, budget, path);
    const folder = await realpath(dirname(resolve(path)));
    const tensors: LoadedTensor[] = [];
    // Close each external file after its last tensor (a model may use one file per tensor).
    const lastUse = new Map<string, number>();
    scan.tensors.forEach((t, i) => {
      if (t.external) lastUse.set(t.external.location, i);
    });
    for (let i = 0; i < scan.tensors.length; i++) {
      const t = scan.tensors[i];
      if (!t.external) {
        tensors.push(decodeOnnxTensor(bytes, t, path));
        continue;
      }
      const { location, offset, length } = t.external;
      let h = handles.get(location);
      if (!h) {
        if (isAbsolute(location) || location.includes('\0')) {
          throw new OckhamError('INVALID_ARGUMENT', path, `initializer ${JSON.stringify(t.name)}: external data location ${JSON.stringify(location)} is not a relative path`);
        }
        let real: string;
        try {
          real = await realpath(resolve(folder, location));
        } catch (e) {
          throw new OckhamError('INVALID_ARGUMENT', path, `initializer ${JSON.stringify(t.name)}: external data file ${JSON.stringify(location)} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        }
        const rel = relative(folder, real);
        if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
          throw new OckhamError('INVALID_ARGUMENT', path, `initializer ${JSON.stringify(t.name)}: external data location ${JSON.stringify(location)} resolves outside the model folder`);
        }
        h = await openRegularFile(real, path, 'external data file');
        handles.set(location, h);
      }
      if (offset > h.size || length > h.size - offset) {
        throw new OckhamError('PARSE_ERROR', path, `initializer ${JSON.stringify(t.name)}: bytes ${offset}..${offset + length} are outside external file ${JSON.stringify(location)} (${h.size} bytes)`);
      }
      const chunk = await readRange(h.fh, offset, length, path, `external data file ${JSON.stringify(location)}`);
      tensors.push(decodeOnnxTensor(bytes, t, path, chunk));
      if (lastUse.get(location) === i) {
        handles.delete(location);
        await h.fh.close();
      }
    }
    return { format: 'onnx', tensors, metadata: scan.metadata };
  } catch (e) {
    return rethrowWithPath(path, e);
  } finally {
    for (const h of handles.values()) await h.fh.close();
  }
}
