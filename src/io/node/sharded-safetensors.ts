/**
 * Node-only reader of Hugging Face sharded safetensors checkpoints: `model.safetensors.index.json`
 * (`{ metadata: { total_size }, weight_map: { tensor: shard file } }`) and the shard files next
 * to it, streamed shard by shard and tensor by tensor (memory bounded by the largest tensor).
 */
import { open, readFile, realpath, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { OckhamError } from '../../errors.js';
import { decodeSafetensorsEntry, type SafetensorsEntry, type SafetensorsHeader } from '../safetensors.js';
import type { LoadedTensor, WeightsFile } from '../types.js';
import { rethrowWithPath } from './errors.js';
import { scanJson } from '../json-scan.js';
import { BUDGET_KEYS, resolveReadBudget, type ReadBudget } from '../budget.js';
import { assertKnownOptions } from '../../util/validate.js';
import { readExactly, readSafetensorsHeader } from './safetensors-file.js';
import { readPytorchFile } from './pytorch-file.js';

/** The index file name Hugging Face writes next to the shards. */
export const SAFETENSORS_INDEX = 'model.safetensors.index.json';

/**
 * Budgets and choices of {@link readShardedSafetensors}: the readers' budget ({@link ReadBudget};
 * `maxHeaderBytes` bounds the index file and each shard's header) plus `stored`.
 */
export interface ShardedSafetensorsOptions extends ReadBudget {
  /** Keep each tensor's stored bytes on `tensor.stored`. Default false. */
  stored?: boolean;
}

type Resolved = Required<ReadBudget> & { stored: boolean; budget: ReadBudget };

function resolveOptions(o: ShardedSafetensorsOptions | undefined): Resolved {
  assertKnownOptions(o, 'options', [...BUDGET_KEYS, 'stored']);
  const { stored = false, ...budget } = o ?? {};
  if (typeof stored !== 'boolean') throw new OckhamError('INVALID_ARGUMENT', 'options.stored', 'expected a boolean');
  return { ...resolveReadBudget(budget), stored, budget };
}

/** One shard of a validated index. */
export interface SafetensorsShard {
  /** Shard file name as the index spells it. */
  file: string;
  /** Resolved real path inside the checkpoint folder. */
  path: string;
  header: SafetensorsHeader;
}

/** A validated sharded checkpoint: the index, its shards (in file-name order) and their headers. */
export interface ShardedSafetensorsIndex {
  /** Path of the index file. */
  index: string;
  /** The index's `metadata`, as strings. */
  metadata: Record<string, string>;
  shards: SafetensorsShard[];
  /** Σ over shards of the tensors' byte sizes (equals `metadata.total_size` when present). */
  totalBytes: number;
}

function fail(argument: string, message: string): never {
  throw new OckhamError('PARSE_ERROR', argument, message);
}

async function indexPath(path: string): Promise<string> {
  const st = await stat(path);
  return st.isDirectory() ? join(path, SAFETENSORS_INDEX) : path;
}

/**
 * Reads and checks a sharded checkpoint's index against its shards, without reading tensor data.
 *
 * Checks: the index is a JSON object with a `weight_map` of tensor name → shard file name;
 * every shard path stays inside the index's folder after resolving symlinks (`realpath`) and is
 * a regular file; each shard's safetensors header is valid; every tensor of the weight map is in
 * the shard it names, no tensor is in two shards and every tensor of a shard is in the map;
 * `metadata.total_size`, when present, equals the shards' summed tensor bytes.
 *
 * Reference: Hugging Face transformers' sharded checkpoints (`model.safetensors.index.json`).
 *
 * @param path - The index file, or the folder holding `model.safetensors.index.json`.
 * @param options - `maxHeaderBytes` bounds the index file (default 16 MiB).
 * @returns The validated index.
 * @throws {OckhamError} with `argument` = the index or shard path: PARSE_ERROR for a malformed
 *   or inconsistent index, INVALID_ARGUMENT for shard paths outside the folder, missing or
 *   non-regular shard files, OUT_OF_RANGE for an index over `maxHeaderBytes`.
 * @example
 * import { readShardedSafetensorsIndex } from 'ockham/node';
 * const idx = await readShardedSafetensorsIndex('test/fixtures/shards');
 * console.log(idx.shards.map((s) => s.file), idx.totalBytes); // ['model-00001-of-00002.safetensors', …] 256
 */
/** An index parsed and its shard paths resolved (contained, distinct, regular files). */
interface ResolvedIndex {
  index: string;
  metadata: Record<string, string>;
  totalSize: number | undefined;
  map: Record<string, unknown>;
  /** shard file name → tensors the weight map puts in it */
  byFile: Map<string, Set<string>>;
  /** shard file names, sorted */
  files: string[];
  /** their real paths */
  reals: string[];
}

/** Parses the index and resolves every shard path before any shard is read. Errors name `index`. */
async function resolveIndex(index: string, o: Resolved): Promise<ResolvedIndex> {
  const st = await stat(index);
  if (!st.isFile()) throw new OckhamError('INVALID_ARGUMENT', index, 'is not a regular file');
  if (st.size > o.maxHeaderBytes) {
    throw new OckhamError('OUT_OF_RANGE', index, `index is ${st.size} bytes, more than maxHeaderBytes = ${o.maxHeaderBytes}`);
  }
  const text = new Uint8Array(await readFile(index));
  scanJson(text, o.maxHeaderDepth, index, 'index');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(text));
  } catch (e) {
    if (e instanceof SyntaxError) fail(index, `is not valid JSON (${e.message})`);
    throw e;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail(index, 'expected a JSON object with a weight_map');
  const { weight_map: map, metadata: meta } = json as Record<string, unknown>;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) fail(index, 'weight_map: expected an object of tensor name → shard file name');
  const metadata: Record<string, string> = {};
  let totalSize: number | undefined;
  if (meta !== undefined && meta !== null) {
    if (typeof meta !== 'object' || Array.isArray(meta)) fail(index, 'metadata: expected an object');
    for (const [k, v] of Object.entries(meta as Record<string, unknown>)) {
      Object.defineProperty(metadata, k, { value: typeof v === 'string' ? v : JSON.stringify(v), enumerable: true, writable: true, configurable: true });
    }
    const ts = (meta as Record<string, unknown>).total_size;
    if (ts !== undefined) {
      if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) fail(index, `metadata.total_size: expected a byte count, got ${JSON.stringify(ts)}`);
      totalSize = ts;
    }
  }
  const folder = await realpath(dirname(resolve(index)));
  // file name → tensors mapped to it (Map: keys come from the file)
  const byFile = new Map<string, Set<string>>();
  for (const [name, file] of Object.entries(map as Record<string, unknown>)) {
    if (typeof file !== 'string' || file.length === 0) fail(index, `weight_map[${JSON.stringify(name)}]: expected a shard file name, got ${JSON.stringify(file)}`);
    let set = byFile.get(file);
    if (!set) byFile.set(file, (set = new Set()));
    set.add(name);
  }
  if (byFile.size === 0) fail(index, 'weight_map is empty');
  const seenReal = new Map<string, string>();
  const files = [...byFile.keys()].sort();
  const reals: string[] = [];
  for (const file of files) {
    const lexical = resolve(folder, file);
    if (!lexical.startsWith(folder + sep)) {
      throw new OckhamError('INVALID_ARGUMENT', index, `shard path ${JSON.stringify(file)} points outside the checkpoint folder`);
    }
    let real: string;
    try {
      real = await realpath(lexical);
    } catch (e) {
      throw new OckhamError('INVALID_ARGUMENT', index, `shard ${JSON.stringify(file)} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (!real.startsWith(folder + sep)) {
      throw new OckhamError('INVALID_ARGUMENT', index, `shard ${JSON.stringify(file)} resolves (through a symlink) outside the checkpoint folder`);
    }
    const other = seenReal.get(real);
    if (other !== undefined) fail(index, `shard names ${JSON.stringify(other)} and ${JSON.stringify(file)} are the same file`);
    seenReal.set(real, file);
    if (!(await stat(real)).isFile()) throw new OckhamError('INVALID_ARGUMENT', real, 'shard is not a regular file');
    reals.push(real);
  }
  return { index, metadata, totalSize, map: map as Record<string, unknown>, byFile, files, reals };
}

/** Checks that the tensors found in each shard (`where`: tensor → shard) are exactly the weight map's. */
function checkWeightMap(r: ResolvedIndex, found: ReadonlyArray<{ file: string; names: readonly string[] }>, where: ReadonlyMap<string, string>): void {
  for (const { file, names } of found) {
    const mapped = r.byFile.get(file)!;
    for (const name of names) {
      if (!mapped.has(name)) {
        const says = r.map[name];
        fail(r.index, `tensor ${JSON.stringify(name)} of shard ${JSON.stringify(file)} is ${Object.prototype.hasOwnProperty.call(r.map, name) ? `mapped to ${JSON.stringify(says)}` : 'not in weight_map'}`);
      }
    }
  }
  for (const [file, names] of r.byFile) {
    for (const name of names) if (where.get(name) !== file) fail(r.index, `weight_map puts ${JSON.stringify(name)} in ${JSON.stringify(file)}, which has no such tensor`);
  }
}

export async function readShardedSafetensorsIndex(path: string, options?: ShardedSafetensorsOptions): Promise<ShardedSafetensorsIndex> {
  const o = resolveOptions(options);
  let index = path;
  try {
    index = await indexPath(path);
    const r = await resolveIndex(index, o);
    const { metadata, totalSize, files, reals } = r;
    const shards: SafetensorsShard[] = [];
    const where = new Map<string, string>(); // tensor → shard file it was found in
    let totalBytes = 0;
    // 2. Headers; no tensor in two shards.
    for (let i = 0; i < files.length; i++) {
      const header = await readSafetensorsHeader(reals[i], o.budget);
      for (const e of header.entries) {
        const prev = where.get(e.name);
        if (prev !== undefined) fail(index, `tensor ${JSON.stringify(e.name)} is in two shards (${JSON.stringify(prev)} and ${JSON.stringify(files[i])})`);
        where.set(e.name, files[i]);
        totalBytes += e.end - e.start;
      }
      shards.push({ file: files[i], path: reals[i], header });
    }
    const count = shards.reduce((n, sh) => n + sh.header.entries.length, 0);
    if (count > o.maxTensors) throw new OckhamError('OUT_OF_RANGE', index, `${count} tensors, more than maxTensors = ${o.maxTensors}`);
    // 3. The weight map and the shards agree.
    checkWeightMap(r, shards.map((sh) => ({ file: sh.file, names: sh.header.entries.map((e) => e.name) })), where);
    if (totalSize !== undefined && totalSize !== totalBytes) {
      fail(index, `metadata.total_size is ${totalSize} but the shards' tensors take ${totalBytes} bytes`);
    }
    return { index, metadata, shards, totalBytes };
  } catch (e) {
    rethrowWithPath(index, e);
  }
}

async function readRange(fh: FileHandle, e: SafetensorsEntry, path: string): Promise<Uint8Array> {
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(e.end - e.start);
  } catch (err) {
    if (err instanceof RangeError) throw new OckhamError('OUT_OF_RANGE', path, `tensor ${JSON.stringify(e.name)} (${e.end - e.start} bytes) is too large for one typed array`);
    throw err;
  }
  await readExactly(fh, raw, e.start, path);
  return raw;
}

function charge(e: SafetensorsEntry, o: Resolved, total: number, path: string): number {
  let n = 1;
  for (const d of e.shape) n *= d;
  const out = n * 4;
  const raw = e.end - e.start;
  if (Math.max(out, raw) > o.maxTensorBytes) {
    throw new OckhamError('OUT_OF_RANGE', path, `tensor ${JSON.stringify(e.name)} (${e.dtype} [${e.shape.join(', ')}]) needs ${Math.max(out, raw)} bytes, more than maxTensorBytes = ${o.maxTensorBytes}`);
  }
  const next = total + out + (o.stored ? raw : 0);
  if (next > o.maxTotalBytes) {
    throw new OckhamError('OUT_OF_RANGE', path, `tensor ${JSON.stringify(e.name)} brings the total to ${next} bytes, more than maxTotalBytes = ${o.maxTotalBytes}`);
  }
  return next;
}

/** Reads the tensors of one validated safetensors file in offset order (shared with readWeightsFile). */
export async function* readSafetensorsTensors(
  path: string,
  header: SafetensorsHeader,
  stored: boolean,
): AsyncGenerator<LoadedTensor, void, undefined> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const st = await fh.stat();
    if (!st.isFile()) throw new OckhamError('INVALID_ARGUMENT', path, 'is not a regular file');
    for (const e of header.entries) {
      if (e.end > st.size) throw new OckhamError('PARSE_ERROR', path, `file shrank to ${st.size} bytes while reading`);
      const raw = await readRange(fh, e, path);
      const t: LoadedTensor = { ...decodeSafetensorsEntry(e, raw), layout: 'safetensors' };
      if (stored) t.stored = { dtype: e.dtype, bytes: raw };
      yield t;
    }
  } finally {
    await fh?.close();
  }
}

/**
 * Streams the tensors of a sharded safetensors checkpoint, shard by shard (file-name order) and
 * in file order within a shard, converting each to float32; memory is bounded by the largest
 * tensor. The index is checked against every shard's header before the first tensor is read
 * (see {@link readShardedSafetensorsIndex}).
 *
 * @param path - The index file or the folder holding it.
 * @param options - Budgets (`maxTensorBytes` applies per tensor) and `stored`.
 * @returns An async iterator of tensors with `shard` (its file name), `index` and `count`.
 * @throws {OckhamError} as {@link readShardedSafetensorsIndex}; OUT_OF_RANGE over a budget.
 * @example
 * import { streamShardedSafetensors } from 'ockham/node';
 * for await (const t of streamShardedSafetensors('test/fixtures/shards')) console.log(t.shard, t.name, t.shape);
 */
export async function* streamShardedSafetensors(
  path: string,
  options?: ShardedSafetensorsOptions,
): AsyncGenerator<LoadedTensor & { shard: string; index: number; count: number }, void, undefined> {
  const o = resolveOptions(options);
  const idx = await readShardedSafetensorsIndex(path, { ...o.budget, stored: o.stored });
  const count = idx.shards.reduce((s, sh) => s + sh.header.entries.length, 0);
  for (const sh of idx.shards) for (const e of sh.header.entries) charge(e, o, 0, sh.path);
  let i = 0;
  for (const sh of idx.shards) {
    try {
      for await (const t of readSafetensorsTensors(sh.path, sh.header, o.stored)) yield { ...t, shard: sh.file, index: i++, count };
    } catch (e) {
      rethrowWithPath(sh.path, e);
    }
  }
}

/**
 * Reads a Hugging Face sharded safetensors checkpoint into float32 tensors (see
 * {@link streamShardedSafetensors}); the total is checked against `maxTotalBytes` before any
 * tensor data is read.
 *
 * @param path - `model.safetensors.index.json` or the folder holding it.
 * @param options - Budgets and `stored`.
 * @returns `{ format: 'safetensors', tensors, metadata }` with the index's metadata plus
 *   `shards` (their count).
 * @throws {OckhamError} as {@link streamShardedSafetensors}.
 * @example
 * import { readShardedSafetensors } from 'ockham/node';
 * const { tensors } = await readShardedSafetensors('test/fixtures/shards/model.safetensors.index.json');
 * tensors.map((t) => `${t.name} ${t.dtype} [${t.shape}]`); // 4 tensors from 2 shards
 */
export async function readShardedSafetensors(path: string, options?: ShardedSafetensorsOptions): Promise<WeightsFile> {
  const o = resolveOptions(options);
  const idx = await readShardedSafetensorsIndex(path, { ...o.budget, stored: o.stored });
  let total = 0;
  for (const sh of idx.shards) for (const e of sh.header.entries) total = charge(e, o, total, sh.path);
  const tensors: LoadedTensor[] = [];
  for (const sh of idx.shards) {
    try {
      for await (const t of readSafetensorsTensors(sh.path, sh.header, o.stored)) tensors.push(t);
    } catch (e) {
      rethrowWithPath(sh.path, e);
    }
  }
  const metadata = { ...idx.metadata };
  Object.defineProperty(metadata, 'shards', { value: String(idx.shards.length), enumerable: true, writable: true, configurable: true });
  return { format: 'safetensors', tensors, metadata };
}

/** The index file name transformers writes next to PyTorch `.bin` shards. */
export const PYTORCH_INDEX = 'pytorch_model.bin.index.json';

/** Bytes per element of the PyTorch reader's dtype names (for `total_size`). */
const TORCH_ITEM_SIZE = new Map<string, number>([
  ['float64', 8], ['float32', 4], ['float16', 2], ['bfloat16', 2], ['float8_e4m3fn', 1], ['float8_e5m2', 1],
  ['int64', 8], ['int32', 4], ['int16', 2], ['int8', 1], ['uint8', 1], ['bool', 1],
]);

/**
 * Streams a sharded PyTorch checkpoint (`pytorch_model.bin.index.json` and its `.bin` shards, as
 * transformers writes them), shard by shard: each shard is read whole by {@link readPytorchFile}
 * (which never executes the pickle), its tensors checked against the weight map (every mapped
 * tensor in the shard it names, none in two shards), then yielded. `total_size` is checked after
 * the last shard. Memory is bounded by the largest shard; `maxTotalBytes` applies to each shard.
 *
 * @param path - The index file, or the folder holding `pytorch_model.bin.index.json`.
 * @param options - The readers' budget.
 * @returns An async iterator of tensors (layout `'torch'`) with `shard`, `index` and `count`
 *   (`count` is the weight map's size).
 * @throws {OckhamError} as {@link readShardedSafetensorsIndex} for the index and paths; as
 *   readPytorchFile for a shard.
 * @example
 * import { streamShardedPytorch } from 'ockham/node';
 * for await (const t of streamShardedPytorch('test/fixtures/shards/hf-bin')) console.log(t.shard, t.name, t.shape);
 */
export async function* streamShardedPytorch(
  path: string,
  options?: ReadBudget,
): AsyncGenerator<LoadedTensor & { shard: string; index: number; count: number }, void, undefined> {
  yield* shardedPytorch(path, resolveOptions(options), false);
}

/** The PyTorch shards one by one; with `cumulative`, each shard's read is bounded by what `maxTotalBytes` has left. */
async function* shardedPytorch(
  path: string,
  o: Resolved,
  cumulative: boolean,
): AsyncGenerator<LoadedTensor & { shard: string; index: number; count: number }, void, undefined> {
  let index = path;
  let r: ResolvedIndex;
  try {
    const st = await stat(path);
    index = st.isDirectory() ? join(path, PYTORCH_INDEX) : path;
    r = await resolveIndex(index, o);
  } catch (e) {
    rethrowWithPath(index, e);
  }
  const count = Object.keys(r.map).length;
  if (count > o.maxTensors) rethrowWithPath(index, new OckhamError('OUT_OF_RANGE', index, `${count} tensors, more than maxTensors = ${o.maxTensors}`));
  const where = new Map<string, string>();
  let totalBytes = 0;
  let used = 0;
  let i = 0;
  for (let s = 0; s < r.files.length; s++) {
    const file = r.files[s];
    const budget = cumulative ? { ...o.budget, maxTotalBytes: Math.max(0, o.maxTotalBytes - used) } : o.budget;
    const shard = await readPytorchFile(r.reals[s], budget);
    for (const t of shard.tensors) used += 4 * t.data.length;
    try {
      for (const t of shard.tensors) {
        const prev = where.get(t.name);
        if (prev !== undefined) fail(index, `tensor ${JSON.stringify(t.name)} is in two shards (${JSON.stringify(prev)} and ${JSON.stringify(file)})`);
        where.set(t.name, file);
        totalBytes += t.data.length * (TORCH_ITEM_SIZE.get(t.dtype) ?? NaN);
      }
      checkWeightMap({ ...r, byFile: new Map([[file, r.byFile.get(file)!]]) }, [{ file, names: shard.tensors.map((t) => t.name) }], where);
    } catch (e) {
      rethrowWithPath(index, e);
    }
    for (const t of shard.tensors) yield { ...t, layout: 'torch', shard: file, index: i++, count };
  }
  try {
    checkWeightMap(r, [], where);
    if (r.totalSize !== undefined && Number.isFinite(totalBytes) && r.totalSize !== totalBytes) {
      fail(index, `metadata.total_size is ${r.totalSize} but the shards' tensors take ${totalBytes} bytes`);
    }
  } catch (e) {
    rethrowWithPath(index, e);
  }
}

/**
 * Reads a sharded PyTorch checkpoint (see {@link streamShardedPytorch}) into float32 tensors;
 * `maxTotalBytes` bounds the sum over all shards.
 *
 * @param path - `pytorch_model.bin.index.json` or the folder holding it.
 * @param options - The readers' budget.
 * @returns `{ format: 'pytorch', tensors, metadata }` with the index's metadata and `shards`.
 * @throws {OckhamError} as {@link streamShardedPytorch}; OUT_OF_RANGE over `maxTotalBytes`.
 * @example
 * import { readShardedPytorch } from 'ockham/node';
 * const { tensors } = await readShardedPytorch('test/fixtures/shards/hf-bin');
 */
export async function readShardedPytorch(path: string, options?: ReadBudget): Promise<WeightsFile> {
  const o = resolveOptions(options);
  const tensors: LoadedTensor[] = [];
  const shards = new Set<string>();
  for await (const { shard, index: _index, count: _count, ...t } of shardedPytorch(path, o, true)) {
    shards.add(shard);
    tensors.push(t);
  }
  const index = (await stat(path)).isDirectory() ? join(path, PYTORCH_INDEX) : path;
  const { metadata } = await resolveIndex(index, o);
  Object.defineProperty(metadata, 'shards', { value: String(shards.size), enumerable: true, writable: true, configurable: true });
  return { format: 'pytorch', tensors, metadata };
}
