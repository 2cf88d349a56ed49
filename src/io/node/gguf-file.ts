/**
 * Node-only GGUF file access: reads the header (growing a prefix read up to the header budget),
 * then exactly each tensor's byte range through a file handle — never the whole file — so a
 * multi-gigabyte GGUF streams with memory bounded by the largest tensor.
 */
import { realpath, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
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
  type GgufMetadataEntry,
  type GgufOptions,
  type GgufTensorInfo,
} from '../gguf.js';
import type { LoadedTensor } from '../types.js';
import { rethrowWithPath } from './errors.js';
import { readExactly } from './safetensors-file.js';
import { openRegularFile } from './tfjs-file.js';

/** First header read; doubled until the header fits (most headers are under 10 MB). */
const FIRST_READ = 1 << 20;

/** Opens a regular file without blocking on a FIFO (the readers' shared check). */
function openRegular(path: string): Promise<{ fh: FileHandle; size: number }> {
  return openRegularFile(path, Number.MAX_SAFE_INTEGER, 'file', path);
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
 * console.log(h.metadata.get('general.architecture')?.value, h.tensors.length); // 'llama' 16
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
 * const { tensors } = await readGgufFile('test/fixtures/gguf/all-types.gguf', { names: ['q6_k.weight'] });
 * console.log(tensors[0].dtype, tensors[0].shape); // 'Q6_K' [2, 256]
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

/** File names of llama.cpp's gguf-split: `<prefix>-00001-of-00003.gguf` (1-based in the name). */
const SPLIT_NAME = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/;

/** The split fields of a header (`split.no` 0-based, `split.count`, `split.tensors.count`), or null. */
function splitInfo(h: GgufHeader): { no: number; count: number; tensors: number } | null {
  const c = h.metadata.get('split.count');
  if (!c) return null;
  const no = h.metadata.get('split.no');
  const tc = h.metadata.get('split.tensors.count');
  const int = (e: GgufMetadataEntry | undefined) => (e && typeof e.value === 'number' && Number.isSafeInteger(e.value) ? e.value : NaN);
  return { no: int(no), count: int(c), tensors: int(tc) };
}

/** A GGUF model split by llama.cpp's gguf-split: every split's path and header, validated. */
export interface GgufSplits {
  /** Paths of the splits, in order. */
  paths: string[];
  headers: GgufHeader[];
}

/**
 * Finds and validates all splits of a GGUF model written by llama.cpp's gguf-split
 * (`model-00001-of-00003.gguf`, …), given any one of them: every split exists next to it as a
 * regular file inside the same folder (after `realpath`), has a valid header with `split.count`
 * equal to the number in the file names and `split.no` equal to its position, no tensor name
 * appears twice, and the splits hold `split.tensors.count` tensors in total.
 *
 * @param path - Any split file.
 * @param options - `maxHeaderBytes` per split, `maxTensors` over all of them.
 * @returns The splits' paths and headers, or null when the file is not a split (no `split.count`).
 * @throws {OckhamError} with `argument` = path: PARSE_ERROR for inconsistent splits,
 *   INVALID_ARGUMENT for missing or outside split files; header errors as {@link readGgufHeader}.
 * @example
 * import { readGgufSplitHeaders } from 'ockham/node';
 * const s = await readGgufSplitHeaders('test/fixtures/gguf/split/model-00002-of-00003.gguf');
 * s?.paths; // all three splits
 */
export async function readGgufSplitHeaders(path: string, options?: GgufOptions): Promise<GgufSplits | null> {
  const o = resolveGgufOptions(options);
  const first = await readGgufHeader(path, { maxHeaderBytes: o.maxHeaderBytes });
  const info = splitInfo(first);
  if (!info) return null;
  try {
    const m = SPLIT_NAME.exec(basename(path));
    if (!m) throw new OckhamError('PARSE_ERROR', path, `has split.count ${info.count} but its name is not <prefix>-NNNNN-of-NNNNN.gguf`);
    const count = Number(m[3]);
    if (info.count !== count || info.no !== Number(m[2]) - 1) {
      throw new OckhamError('PARSE_ERROR', path, `split.no ${info.no} / split.count ${info.count} do not match the file name (${m[2]} of ${m[3]})`);
    }
    if (count > o.maxTensors) throw new OckhamError('OUT_OF_RANGE', path, `${count} splits, more than maxTensors = ${o.maxTensors}`);
    const dir = await realpath(dirname(resolve(path)));
    const paths: string[] = [];
    const headers: GgufHeader[] = [];
    const names = new Set<string>();
    let tensors = 0;
    for (let i = 0; i < count; i++) {
      const file = join(dirname(path), `${m[1]}-${String(i + 1).padStart(5, '0')}-of-${m[3]}.gguf`);
      let real: string;
      try {
        real = await realpath(file);
      } catch (e) {
        throw new OckhamError('INVALID_ARGUMENT', path, `split ${i + 1} of ${count} (${basename(file)}) cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      if (!real.startsWith(dir + sep)) throw new OckhamError('INVALID_ARGUMENT', path, `split ${basename(file)} resolves (through a symlink) outside the model folder`);
      const h = i === info.no ? first : await readGgufHeader(real, { maxHeaderBytes: o.maxHeaderBytes });
      const s = splitInfo(h);
      if (!s || s.no !== i || s.count !== count || s.tensors !== info.tensors) {
        throw new OckhamError('PARSE_ERROR', path, `split ${basename(file)} has split.no/count/tensors.count ${s ? `${s.no}/${s.count}/${s.tensors}` : 'missing'}, expected ${i}/${count}/${info.tensors}`);
      }
      for (const t of h.tensors) {
        if (names.has(t.name)) throw new OckhamError('PARSE_ERROR', path, `tensor ${JSON.stringify(t.name)} is in two splits`);
        names.add(t.name);
      }
      tensors += h.tensors.length;
      if (tensors > o.maxTensors) throw new OckhamError('OUT_OF_RANGE', path, `more than maxTensors = ${o.maxTensors} tensors`);
      paths.push(real);
      headers.push(h);
    }
    if (tensors !== info.tensors) throw new OckhamError('PARSE_ERROR', path, `the splits hold ${tensors} tensors, split.tensors.count says ${info.tensors}`);
    return { paths, headers };
  } catch (e) {
    rethrowWithPath(path, e);
  }
}

/**
 * Reads every split of a GGUF model (see {@link readGgufSplitHeaders}) into float32 tensors, in
 * split order; `maxTotalBytes` applies to the sum over all splits (checked before any data is
 * read). Metadata are the first split's.
 *
 * @param path - Any split file.
 * @param options - As {@link parseGguf} (`names` selects tensors across all splits).
 * @returns `{ format: 'gguf', tensors, metadata, header }` (`header`: the first split's).
 * @throws {OckhamError} as {@link readGgufSplitHeaders} and {@link readGgufFile}; PARSE_ERROR
 *   when the file is not a split.
 * @example
 * import { readGgufSplits } from 'ockham/node';
 * const { tensors } = await readGgufSplits('test/fixtures/gguf/split/model-00001-of-00003.gguf');
 * tensors.map((t) => t.name); // the tensors of all three splits
 */
export async function readGgufSplits(path: string, options?: GgufOptions): Promise<GgufFile> {
  const o = resolveGgufOptions(options);
  const splits = await readGgufSplitHeaders(path, options);
  if (!splits) rethrowWithPath(path, new OckhamError('PARSE_ERROR', path, 'is not a GGUF split (no split.count)'));
  const all = splits.headers.flatMap((h) => h.tensors);
  if (o.names) for (const n of o.names) if (!all.some((t) => t.name === n)) rethrowWithPath(path, new OckhamError('INVALID_ARGUMENT', 'options.names', `${path} has no tensor ${JSON.stringify(n)}`));
  let total = 0;
  for (const t of all) if (!o.names || o.names.has(t.name)) total = chargeGgufTensor(t, o, total, path);
  const tensors: LoadedTensor[] = [];
  for (let i = 0; i < splits.paths.length; i++) {
    const wanted = splits.headers[i].tensors.filter((t) => !o.names || o.names.has(t.name)).map((t) => t.name);
    if (wanted.length === 0) continue;
    const f = await readGgufFile(splits.paths[i], { ...options, names: wanted, maxTotalBytes: o.maxTotalBytes });
    tensors.push(...f.tensors);
  }
  const header = splits.headers[0];
  return { format: 'gguf', tensors, metadata: ggufMetadataStrings(header.metadata), header };
}
