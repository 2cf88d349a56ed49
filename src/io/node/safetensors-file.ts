/**
 * Node-only safetensors file access: reads the header, then each tensor's byte range, through
 * a file handle — never the whole file — so multi-gigabyte files stream with memory bounded by
 * the largest tensor.
 */
import { type FileHandle } from 'node:fs/promises';
import {
  decodeSafetensorsEntry,
  elementCount,
  parseSafetensorsHeader,
  safetensorsHeaderLength,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from '../safetensors.js';
import { OckhamError } from '../../errors.js';
import type { LoadedTensor, WeightsFile } from '../types.js';
import { HOST_LE } from '../dtypes.js';
import { rethrowWithPath } from './errors.js';
import { BUDGET_KEYS, OutputMeter, resolveReadBudget, type ReadBudget } from '../budget.js';
import { assertKnownOptions } from '../../util/validate.js';
import { openRegularFile } from './tfjs-file.js';

/** Opens a safetensors file: regular files only (a FIFO or device would block or never end). */
async function openFile(path: string): Promise<FileHandle> {
  return (await openRegularFile(path, Number.MAX_SAFE_INTEGER, 'file', path)).fh;
}

function budgetOf(options: ReadBudget | undefined): Required<ReadBudget> {
  assertKnownOptions(options, 'options', BUDGET_KEYS);
  return resolveReadBudget(options);
}

/** Largest single read; fs reads are capped at 2 GiB − 1. */
const CHUNK = 1 << 30;

/**
 * Fills `target` from `position` of the open file in reads of at most 1 GiB; a file that ends
 * early is a PARSE_ERROR naming `path`. Shared by the Node readers. @internal
 */
export async function readExactly(fh: FileHandle, target: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const len = Math.min(CHUNK, target.length - done);
    const { bytesRead } = await fh.read(target, done, len, position + done);
    if (bytesRead === 0) throw new OckhamError('PARSE_ERROR', path, `file ended early at byte ${position + done} (changed while reading?)`);
    done += bytesRead;
  }
}

/** Runs an allocation, turning the engine's RangeError into a typed error naming the tensor. */
function allocate<T>(fn: () => T, e: SafetensorsEntry, path: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) {
      throw new OckhamError(
        'OUT_OF_RANGE',
        path,
        `tensor ${JSON.stringify(e.name)} (${e.dtype} [${e.shape.join(', ')}], ${e.end - e.start} bytes) is too large for one JavaScript typed array`,
      );
    }
    throw err;
  }
}

async function readHeader(fh: FileHandle, path: string, budget: Required<ReadBudget>): Promise<SafetensorsHeader> {
  const { size } = await fh.stat();
  const prefix = new Uint8Array(8);
  if (size >= 8) await readExactly(fh, prefix, 0, path);
  const n = safetensorsHeaderLength(prefix, size, path, budget.maxHeaderBytes);
  const headerBytes = new Uint8Array(n);
  await readExactly(fh, headerBytes, 8, path);
  return parseSafetensorsHeader(headerBytes, size, path, budget);
}

/**
 * Reads and validates only the header of a safetensors file (tensor names, dtypes, shapes,
 * offsets and `__metadata__`).
 *
 * @param path - File path (a regular file).
 * @param options - Budget ({@link ReadBudget}): `maxHeaderBytes`, `maxHeaderDepth`, `maxTensors` apply.
 * @returns The validated header; offsets are absolute file positions.
 * @throws {OckhamError} with `argument` = path: INVALID_ARGUMENT when the file cannot be read,
 *   PARSE_ERROR / UNSUPPORTED as {@link parseSafetensorsHeader}.
 * @example
 * import { readSafetensorsHeader } from 'ockham/node';
 * const { entries } = await readSafetensorsHeader('examples/grokking/step-004000.safetensors');
 * entries.map((e) => `${e.name} ${e.dtype} [${e.shape}]`);
 */
export async function readSafetensorsHeader(path: string, options?: ReadBudget): Promise<SafetensorsHeader> {
  const budget = budgetOf(options);
  let fh: FileHandle | undefined;
  let header: SafetensorsHeader;
  try {
    fh = await openFile(path);
    header = await readHeader(fh, path, budget);
  } catch (e) {
    rethrowWithPath(path, e);
  } finally {
    await fh?.close();
  }
  return header;
}

/**
 * Streams the tensors of a safetensors file one by one, in file order, converting each to
 * float32. Reads the 8-byte length, the JSON header, then exactly each tensor's byte range;
 * peak memory is about the largest tensor (its raw bytes plus its float32 copy).
 *
 * Reference: safetensors format specification (huggingface/safetensors).
 *
 * @param path - File path (a regular file).
 * @param options - Budget ({@link ReadBudget}); each tensor is counted against `maxTensorBytes`
 *   and the running total of yielded float32 bytes against `maxTotalBytes` before it is read.
 * @returns An async iterator of `{ name, dtype, shape, data }` plus `index` and `count`;
 *   breaking out of the loop closes the file.
 * @throws {OckhamError} with `argument` = path (see {@link readSafetensorsHeader}), before the
 *   first tensor is yielded for any header problem.
 * @example
 * import { streamSafetensorsFile } from 'ockham/node';
 * for await (const t of streamSafetensorsFile('examples/grokking/step-004000.safetensors')) {
 *   console.log(t.name, t.shape, t.data.length);
 * }
 */
export async function* streamSafetensorsFile(
  path: string,
  options?: ReadBudget,
): AsyncGenerator<LoadedTensor & { index: number; count: number }, void, undefined> {
  const budget = budgetOf(options);
  let fh: FileHandle | undefined;
  try {
    fh = await openFile(path);
    const header = await readHeader(fh, path, budget);
    const count = header.entries.length;
    const meter = new OutputMeter(budget, path);
    for (let i = 0; i < count; i++) {
      const e = header.entries[i];
      meter.add(e.name, elementCount(e), e.shape);
      if (e.dtype === 'F32' && HOST_LE) {
        // Read straight into the float32 result: one copy instead of two.
        const data = allocate(() => new Float32Array((e.end - e.start) / 4), e, path);
        await readExactly(fh, new Uint8Array(data.buffer), e.start, path);
        yield { name: e.name, dtype: e.dtype, shape: e.shape.slice(), data, index: i, count };
        continue;
      }
      const raw = allocate(() => new Uint8Array(e.end - e.start), e, path);
      await readExactly(fh, raw, e.start, path);
      yield { ...allocate(() => decodeSafetensorsEntry(e, raw), e, path), index: i, count };
    }
  } catch (e) {
    rethrowWithPath(path, e);
  } finally {
    await fh?.close();
  }
}

/**
 * Reads a whole safetensors file (via {@link streamSafetensorsFile}) into float32 tensors.
 *
 * @param path - File path (a regular file).
 * @param options - Budget ({@link ReadBudget}), as {@link streamSafetensorsFile}.
 * @returns `{ format: 'safetensors', tensors, metadata }`, tensors in file order.
 * @throws {OckhamError} with `argument` = path, as {@link streamSafetensorsFile}.
 * @example
 * import { readSafetensorsFile } from 'ockham/node';
 * const { tensors, metadata } = await readSafetensorsFile('examples/grokking/step-003200.safetensors');
 * console.log(metadata.step, tensors.map((t) => t.name)); // '3200' [ 'embed', 'hidden', 'output' ]
 */
export async function readSafetensorsFile(path: string, options?: ReadBudget): Promise<WeightsFile> {
  const header = await readSafetensorsHeader(path, options);
  const tensors: LoadedTensor[] = [];
  for await (const t of streamSafetensorsFile(path, options)) tensors.push({ name: t.name, dtype: t.dtype, shape: t.shape, data: t.data });
  return { format: 'safetensors', tensors, metadata: header.metadata };
}
