/**
 * Node-only GGUF file access: reads the header (growing a prefix read up to the header budget),
 * then exactly each tensor's byte range through a file handle — never the whole file — so a
 * multi-gigabyte GGUF streams with memory bounded by the largest tensor.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { OckhamError } from '../../errors.js';
import {
  chargeGgufTensor,
  decodeGgufTensor,
  ggufMetadataStrings,
  GgufNeedMore,
  parseHeaderOrNeed,
  resolveGgufOptions,
  selectGgufTensors,
  type GgufFile,
  type GgufHeader,
  type GgufOptions,
  type GgufTensorInfo,
} from '../gguf.js';
import type { LoadedTensor } from '../types.js';
import { rethrowWithPath } from './errors.js';

/** Largest single read; fs reads are capped at 2 GiB − 1. */
const CHUNK = 1 << 30;
/** First header read; doubled until the header fits (most headers are under 10 MB). */
const FIRST_READ = 1 << 20;

async function readExactly(fh: FileHandle, target: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const len = Math.min(CHUNK, target.length - done);
    const { bytesRead } = await fh.read(target, done, len, position + done);
    if (bytesRead === 0) rethrowWithPath(path, new Error(`file ended early at byte ${position + done} (changed while reading?)`));
    done += bytesRead;
  }
}

async function openRegular(path: string): Promise<{ fh: FileHandle; size: number }> {
  const fh = await open(path, 'r');
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new OckhamError('INVALID_ARGUMENT', path, 'is not a regular file');
  }
  return { fh, size: st.size };
}

async function readHeader(fh: FileHandle, size: number, maxHeaderBytes: number, path: string): Promise<GgufHeader> {
  let want = Math.min(size, FIRST_READ, Math.max(maxHeaderBytes, 24));
  for (;;) {
    const prefix = new Uint8Array(want);
    await readExactly(fh, prefix, 0, path);
    const h = parseHeaderOrNeed(prefix, size, maxHeaderBytes, path);
    if (!(h instanceof GgufNeedMore)) return h;
    // parseHeaderOrNeed only asks for bytes inside both the file and the budget.
    want = Math.min(size, maxHeaderBytes, Math.max(h.bytes, want * 2));
  }
}

/**
 * Reads and validates only the header of a GGUF file: metadata and tensor table.
 *
 * @param path - File path.
 * @param options - `maxHeaderBytes` (default 64 MiB).
 * @returns The header (see {@link parseGgufHeader}); tensor offsets are absolute.
 * @throws {OckhamError} with `argument` = path: INVALID_ARGUMENT when the file cannot be read or
 *   is not a regular file; PARSE_ERROR / UNSUPPORTED / OUT_OF_RANGE as {@link parseGgufHeader}.
 * @example
 * import { readGgufHeader } from 'ockham/node';
 * const h = await readGgufHeader('test/fixtures/gguf/all-types.gguf');
 * console.log(h.metadata.get('general.architecture')?.value, h.tensors.length);
 */
export async function readGgufHeader(path: string, options?: Pick<GgufOptions, 'maxHeaderBytes'>): Promise<GgufHeader> {
  const o = resolveGgufOptions(options);
  let fh: FileHandle | undefined;
  let header: GgufHeader;
  try {
    const f = await openRegular(path);
    fh = f.fh;
    header = await readHeader(fh, f.size, o.maxHeaderBytes, path);
  } catch (e) {
    rethrowWithPath(path, e);
  } finally {
    await fh?.close();
  }
  return header;
}

/**
 * Streams the tensors of a GGUF file one by one, in tensor-table order, dequantized to float32.
 * Reads the header, then exactly each selected tensor's byte range; peak memory is about the
 * largest tensor (its stored bytes plus its float32 copy). `maxTotalBytes` does not apply
 * (nothing is kept between tensors).
 *
 * Reference: ggml's GGUF specification and ggml-quants.c (see {@link parseGguf}).
 *
 * @param path - File path.
 * @param options - As {@link parseGguf}.
 * @returns An async iterator of tensors (`dtype` = the ggml type, `layout: 'gguf'`) plus `index`
 *   and `count`; breaking out of the loop closes the file.
 * @throws {OckhamError} with `argument` = path, before the first tensor for any header problem.
 * @example
 * import { streamGgufFile } from 'ockham/node';
 * for await (const t of streamGgufFile('test/fixtures/gguf/all-types.gguf')) console.log(t.name, t.dtype, t.shape);
 */
export async function* streamGgufFile(
  path: string,
  options?: GgufOptions,
): AsyncGenerator<LoadedTensor & { index: number; count: number }, void, undefined> {
  const o = resolveGgufOptions(options);
  let fh: FileHandle | undefined;
  try {
    const f = await openRegular(path);
    fh = f.fh;
    const header = await readHeader(fh, f.size, o.maxHeaderBytes, path);
    const list = selectGgufTensors(header, o.names, path, o.maxTensors);
    for (const t of list) chargeGgufTensor(t, o, 0, path); // every tensor within the budget before the first read
    for (let i = 0; i < list.length; i++) {
      yield { ...(await readTensor(fh, list[i], o.stored, path)), index: i, count: list.length };
    }
  } catch (e) {
    rethrowWithPath(path, e);
  } finally {
    await fh?.close();
  }
}

async function readTensor(fh: FileHandle, t: GgufTensorInfo, stored: boolean, path: string): Promise<LoadedTensor> {
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(t.end - t.start);
  } catch (e) {
    if (e instanceof RangeError) {
      throw new OckhamError('OUT_OF_RANGE', path, `tensor ${JSON.stringify(t.name)} (${t.type}, ${t.end - t.start} bytes) is too large for one JavaScript typed array`);
    }
    throw e;
  }
  await readExactly(fh, raw, t.start, path);
  try {
    const out = decodeGgufTensor(t, raw, false);
    if (stored) out.stored = { dtype: t.type, bytes: raw };
    return out;
  } catch (e) {
    if (e instanceof RangeError) {
      throw new OckhamError('OUT_OF_RANGE', path, `tensor ${JSON.stringify(t.name)} (${t.elements} elements) is too large for one JavaScript Float32Array`);
    }
    throw e;
  }
}

/**
 * Reads a GGUF file into float32 tensors, reading only the tensor data ranges needed (all
 * tensors, or `options.names`).
 *
 * @param path - File path.
 * @param options - As {@link parseGguf}: budgets, `stored`, `names`.
 * @returns `{ format: 'gguf', tensors, metadata, header }`.
 * @throws {OckhamError} with `argument` = path, as {@link streamGgufFile}; OUT_OF_RANGE when the
 *   tensors together exceed `maxTotalBytes` (checked before any tensor is read).
 * @example
 * import { readGgufFile } from 'ockham/node';
 * const { tensors } = await readGgufFile('test/fixtures/gguf/all-types.gguf', { names: ['q8_0.weight'] });
 * console.log(tensors[0].dtype, tensors[0].shape); // 'Q8_0' [3, 64]
 */
export async function readGgufFile(path: string, options?: GgufOptions): Promise<GgufFile> {
  const o = resolveGgufOptions(options);
  let fh: FileHandle | undefined;
  let file: GgufFile;
  try {
    const f = await openRegular(path);
    fh = f.fh;
    const header = await readHeader(fh, f.size, o.maxHeaderBytes, path);
    const list = selectGgufTensors(header, o.names, path, o.maxTensors);
    let total = 0;
    for (const t of list) total = chargeGgufTensor(t, o, total, path);
    const tensors: LoadedTensor[] = [];
    for (const t of list) tensors.push(await readTensor(fh, t, o.stored, path));
    file = { format: 'gguf', tensors, metadata: ggufMetadataStrings(header.metadata), header };
  } catch (e) {
    rethrowWithPath(path, e);
  } finally {
    await fh?.close();
  }
  return file;
}
