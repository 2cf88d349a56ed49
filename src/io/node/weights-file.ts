/** Node-only: read any supported weights file from disk, dispatching on its content. */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { OckhamError } from '../../errors.js';
import { BUDGET_KEYS, resolveReadBudget, type ReadBudget } from '../budget.js';
import type { LoadedTensor, WeightsFile } from '../types.js';
import { readNumpyFile } from './numpy-file.js';
import { readTfjsModelFile } from './tfjs-file.js';
import { readPytorchFile } from './pytorch-file.js';
import { readOnnxFile } from './onnx-file.js';
import { detectWeightsFormat, SUPPORTED_FORMATS_TEXT, type DetectedFormat, type FormatGuess } from '../detect.js';
import { withLayout, type LayoutChoice } from '../layout.js';
import { rethrowWithPath } from './errors.js';
import { scanJson } from '../json-scan.js';
import { readSafetensorsHeader } from './safetensors-file.js';
import type { SafetensorsHeader } from '../safetensors.js';
import { readGgufFile, readGgufHeader, readGgufSplitHeaders, readGgufSplits, streamGgufFile } from './gguf-file.js';
import { ggufMetadataStrings } from '../gguf.js';
import {
  readSafetensorsTensors, readShardedSafetensors, readShardedSafetensorsIndex, streamShardedSafetensors, SAFETENSORS_INDEX,
  readShardedPytorch, PYTORCH_INDEX,
} from './sharded-safetensors.js';

export { readTfjsModelFile } from './tfjs-file.js';

/** The formats {@link readWeightsFile} recognises by content. */
export type WeightsFormat = DetectedFormat;

/** Largest zip central directory read to list members (names only), bytes. */
const MAX_ZIP_DIRECTORY = 16 * 2 ** 20;

/**
 * Lists a zip's member names from its central directory (ZIP64 included), reading only the end
 * of the file and the directory. Returns undefined when no end-of-directory record is found.
 */
async function zipMemberNames(fh: FileHandle, size: number): Promise<string[] | undefined> {
  const tailLen = Math.min(size, 65557 + 20);
  const tail = new Uint8Array(tailLen);
  await fh.read(tail, 0, tailLen, size - tailLen);
  const dv = new DataView(tail.buffer);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  let entries = dv.getUint16(eocd + 10, true);
  let cdSize = dv.getUint32(eocd + 12, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  if ((cdOffset === 0xffffffff || cdSize === 0xffffffff || entries === 0xffff) && eocd >= 20 && dv.getUint32(eocd - 20, true) === 0x07064b50) {
    const z64 = Number(dv.getBigUint64(eocd - 12, true));
    if (z64 + 56 <= size) {
      const rec = new Uint8Array(56);
      await fh.read(rec, 0, 56, z64);
      const rv = new DataView(rec.buffer);
      if (rv.getUint32(0, true) === 0x06064b50) {
        entries = Number(rv.getBigUint64(32, true));
        cdSize = Number(rv.getBigUint64(40, true));
        cdOffset = Number(rv.getBigUint64(48, true));
      }
    }
  }
  if (!Number.isSafeInteger(cdOffset) || !Number.isSafeInteger(cdSize) || cdOffset + cdSize > size) return undefined;
  const cd = new Uint8Array(Math.min(cdSize, MAX_ZIP_DIRECTORY));
  await fh.read(cd, 0, cd.length, cdOffset);
  const cv = new DataView(cd.buffer);
  const names: string[] = [];
  const dec = new TextDecoder();
  let p = 0;
  while (p + 46 <= cd.length && cv.getUint32(p, true) === 0x02014b50 && names.length < entries) {
    const n = cv.getUint16(p + 28, true);
    const m = cv.getUint16(p + 30, true);
    const k = cv.getUint16(p + 32, true);
    if (p + 46 + n > cd.length) break;
    names.push(dec.decode(cd.subarray(p + 46, p + 46 + n)));
    p += 46 + n + m + k;
  }
  return names;
}

/** Extensions used only when the content matches no format, so that format's parser says what is wrong. */
const EXT_FALLBACK = new Map<string, DetectedFormat>([
  ['.safetensors', 'safetensors'],
  ['.gguf', 'gguf'],
  ['.npy', 'npy'],
  ['.npz', 'npz'],
]);


/**
 * Identifies a file's format from its content (see {@link detectWeightsFormat}), reading its
 * first 64 bytes, a zip's central directory, or a JSON document's keys.
 *
 * @param path - A regular file (FIFOs and devices are refused before opening).
 * @param options - `maxHeaderBytes` and `maxHeaderDepth` bound a JSON document (defaults of ReadBudget).
 * @returns The format, or `'unknown'` with a description of what the file looks like.
 * @throws {OckhamError} INVALID_ARGUMENT for non-regular files; PARSE_ERROR for JSON that does not
 *   parse, nests too deep or repeats a key; OUT_OF_RANGE for JSON over `maxHeaderBytes`.
 * @example
 * import { sniffWeightsFile } from 'ockham/node';
 * await sniffWeightsFile('test/fixtures/shards/model.safetensors.index.json'); // { format: 'safetensors-index', … }
 */
export async function sniffWeightsFile(path: string, options?: ReadBudget): Promise<FormatGuess> {
  const budget = resolveReadBudget(options);
  // A FIFO would block open() or the first read forever; devices never end.
  const pre = await stat(path);
  if (!pre.isFile()) throw new OckhamError('INVALID_ARGUMENT', path, `is ${pre.isFIFO() ? 'a FIFO' : 'not a regular file'}; only regular files are read`);
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new OckhamError('INVALID_ARGUMENT', path, 'is not a regular file');
    const head = new Uint8Array(Math.min(64, st.size));
    await fh.read(head, 0, head.length, 0);
    let guess = detectWeightsFormat(head);
    if (guess.description.startsWith('a zip archive')) {
      const names = await zipMemberNames(fh, st.size);
      guess = names ? detectWeightsFormat(head, { zipNames: names }) : { format: 'unknown', description: 'a zip archive without a readable central directory' };
    } else if (guess.description.startsWith('a JSON document')) {
      if (st.size > budget.maxHeaderBytes) {
        throw new OckhamError('OUT_OF_RANGE', path, `JSON document is ${st.size} bytes, more than maxHeaderBytes = ${budget.maxHeaderBytes}`);
      }
      const text = new Uint8Array(st.size);
      await fh.read(text, 0, st.size, 0);
      // Depth and duplicate keys before JSON.parse: a hostile document of nested arrays ends here in ms.
      scanJson(text, budget.maxHeaderDepth, path, 'JSON document');
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(text));
      } catch (e) {
        throw new OckhamError('PARSE_ERROR', path, `looks like JSON but is not valid JSON (${(e as Error).message})`);
      }
      guess = detectWeightsFormat(head, { json });
    }
    const fallback = guess.format === 'unknown' ? EXT_FALLBACK.get(extname(path).toLowerCase()) : undefined;
    return fallback ? { format: fallback, description: `${guess.description} (named ${extname(path)})` } : guess;
  } finally {
    await fh.close();
  }
}

/** Options of {@link readWeightsFile}: the readers' budgets ({@link ReadBudget}) plus layout and stored bytes. */
export interface ReadWeightsOptions extends ReadBudget {
  /** `'stored'` (default): tensors as the file orders them; `'torch'`: PyTorch order (see {@link toTorchLayout}). */
  layout?: LayoutChoice;
  /** Keep each tensor's stored bytes on `tensor.stored` (safetensors, sharded safetensors, GGUF). Default false. */
  stored?: boolean;
}

const READ_KEYS: readonly string[] = ['layout', 'stored', ...BUDGET_KEYS];

/** The header budget of `b`, for the header-only readers. */
function pickHeader(b: ReadBudget): { maxHeaderBytes?: number } {
  return b.maxHeaderBytes !== undefined ? { maxHeaderBytes: b.maxHeaderBytes } : {};
}

/** The budget fields of `o` that are set. */
function budgetOf(o: ReadWeightsOptions): ReadBudget {
  const b: Record<string, unknown> = {};
  for (const k of BUDGET_KEYS) if (o[k] !== undefined) b[k] = o[k];
  return b as ReadBudget;
}

/** Checks a safetensors header against the budget before any tensor is read; `total` also sums the outputs. */
function checkSafetensorsBudget(header: SafetensorsHeader, o: ReadWeightsOptions, path: string, total: boolean): void {
  const budget = resolveReadBudget(budgetOf(o));
  if (header.entries.length > budget.maxTensors) throw new OckhamError('OUT_OF_RANGE', path, `${header.entries.length} tensors, more than maxTensors = ${budget.maxTensors}`);
  let sum = 0;
  for (const e of header.entries) {
    let n = 1;
    for (const d of e.shape) n *= d;
    const size = Math.max(4 * n, e.end - e.start);
    if (size > budget.maxTensorBytes) throw new OckhamError('OUT_OF_RANGE', path, `tensor ${JSON.stringify(e.name)} needs ${size} bytes, more than maxTensorBytes = ${budget.maxTensorBytes}`);
    sum += 4 * n + (o.stored ? e.end - e.start : 0);
    if (total && sum > budget.maxTotalBytes) throw new OckhamError('OUT_OF_RANGE', path, `the tensors need ${sum}+ bytes, more than maxTotalBytes = ${budget.maxTotalBytes}`);
  }
}

async function readSingleSafetensors(path: string, o: ReadWeightsOptions): Promise<WeightsFile> {
  const header = await readSafetensorsHeader(path, budgetOf(o));
  checkSafetensorsBudget(header, o, path, true);
  const tensors: LoadedTensor[] = [];
  try {
    for await (const t of readSafetensorsTensors(path, header, o.stored ?? false)) tensors.push(t);
  } catch (e) {
    rethrowWithPath(path, e);
  }
  return { format: 'safetensors', tensors, metadata: header.metadata };
}

/**
 * Reads a weights file of any supported format into float32 tensors, each labelled with its
 * `layout`.
 *
 * The format is detected from the content (see {@link detectWeightsFormat}), never from the file
 * name alone: GGUF, safetensors, a shard index (`model.safetensors.index.json`, or
 * `pytorch_model.bin.index.json` with PyTorch `.bin` shards),
 * .npy, .npz, a TensorFlow.js model.json, a PyTorch `torch.save` checkpoint (zip or legacy
 * pickle; read by {@link readPytorchFile}, which never executes the pickle) and ONNX (by
 * {@link readOnnxFile}). A folder is read through the `model.safetensors.index.json`,
 * `pytorch_model.bin.index.json`, `model.json`, `model.safetensors` or `pytorch_model.bin` it
 * holds, in that order.
 *
 * @param path - File or model folder path.
 * @param options - `layout: 'torch'` returns PyTorch order (TF.js kernels permuted, see
 *   {@link toTorchLayout}); `stored: true` keeps the stored bytes; budgets `maxHeaderBytes`,
 *   `maxTensorBytes`, `maxTotalBytes` (bytes) for the formats that stream.
 * @returns `{ format, tensors, metadata }`; GGUF files also carry `header`.
 * @throws {OckhamError} with `argument` = path: INVALID_ARGUMENT when it cannot be read,
 *   UNSUPPORTED when the format is not recognised (the message lists the supported ones and says
 *   what the file looks like), PARSE_ERROR for malformed content, OUT_OF_RANGE over a budget.
 * @example
 * import { readWeightsFile, qubdModel } from 'ockham/node';
 * const { tensors } = await readWeightsFile('test/fixtures/upscaler/model.json', { layout: 'torch' });
 * console.log(tensors.map((t) => `${t.name} ${t.layout} [${t.shape}]`)); // 'F_0/kernel torch [64,64,3,3]', …
 * qubdModel(tensors, { bits: 8 }).total; // QuBD of the 11 kernels with a 2-D view ≥ 4×4, as `ockham report`
 */
export async function readWeightsFile(path: string, options: ReadWeightsOptions = {}): Promise<WeightsFile> {
  if (typeof path !== 'string' || path.length === 0) throw new OckhamError('INVALID_ARGUMENT', 'path', 'expected a non-empty file path');
  if (options === null || typeof options !== 'object') throw new OckhamError('INVALID_ARGUMENT', 'options', 'expected an options object');
  for (const k of Object.keys(options)) {
    if (!READ_KEYS.includes(k)) throw new OckhamError('UNKNOWN_OPTION', `options.${k}`, `unknown option; known: ${READ_KEYS.join(', ')}`);
  }
  const layout = options.layout ?? 'stored';
  if (layout !== 'stored' && layout !== 'torch') throw new OckhamError('INVALID_ARGUMENT', 'options.layout', `expected 'stored' or 'torch', got ${JSON.stringify(layout)}`);
  const file = await readDispatch(path, options);
  return withLayout(file, layout);
}

/** The file a path names: itself, or for a folder the first checkpoint file it holds. */
async function resolveTarget(path: string): Promise<string> {
  if (!(await stat(path)).isDirectory()) return path;
  const candidates = [SAFETENSORS_INDEX, PYTORCH_INDEX, 'model.json', 'model.safetensors', 'pytorch_model.bin'];
  for (const c of candidates) {
    try {
      if ((await stat(join(path, c))).isFile()) return join(path, c);
    } catch {
      // try the next one
    }
  }
  throw new OckhamError('INVALID_ARGUMENT', path, `is a folder without ${candidates.join(', ')}; supported: ${SUPPORTED_FORMATS_TEXT}`);
}

async function readDispatch(path: string, o: ReadWeightsOptions): Promise<WeightsFile> {
  let target = path;
  let guess: FormatGuess;
  try {
    target = await resolveTarget(path);
    guess = await sniffWeightsFile(target, budgetOf(o));
  } catch (e) {
    rethrowWithPath(path, e);
  }
  const budget = budgetOf(o);
  const shardOpts = { ...budget, ...(o.stored !== undefined ? { stored: o.stored } : {}) };
  switch (guess.format) {
    case 'gguf': {
      // A model split by gguf-split: read all its splits (any one of them names the set).
      const h = await readGgufHeader(target, pickHeader(budget));
      return h.metadata.has('split.count') ? readGgufSplits(target, shardOpts) : readGgufFile(target, shardOpts);
    }
    case 'safetensors':
      return readSingleSafetensors(target, o);
    case 'safetensors-index':
      return readShardedSafetensors(target, shardOpts);
    case 'pytorch-index':
      return readShardedPytorch(target, budget);
    case 'tfjs':
      return readTfjsModelFile(target, budget);
    case 'npy':
    case 'npz':
      return readNumpyFile(target, guess.format, budget);
    case 'pytorch':
    case 'pytorch-legacy':
      return readPytorchFile(target, budget);
    case 'onnx':
      return readOnnxFile(target, budget);
    default:
      throw new OckhamError('UNSUPPORTED', target, `unrecognised weights format: ${guess.description}; supported: ${SUPPORTED_FORMATS_TEXT}`);
  }
}

/** A weights file opened for streaming: what is known from its header, and its tensors one by one. */
export interface WeightsStream {
  format: WeightsFile['format'];
  metadata: Record<string, string>;
  /** Number of tensors. */
  count: number;
  /** Total elements over all tensors. */
  params: number;
  /** The tensors in file order, each labelled with its layout (and permuted with `layout: 'torch'`). */
  tensors: AsyncGenerator<LoadedTensor, void, undefined>;
}

/** Hands out the tensors of a file read whole, dropping each from the list so it can be freed once used. */
async function* fromArray(list: LoadedTensor[]): AsyncGenerator<LoadedTensor, void, undefined> {
  list.reverse();
  while (list.length > 0) yield list.pop()!;
}

async function* relabel(
  src: AsyncGenerator<LoadedTensor, void, undefined>,
  format: WeightsFile['format'],
  layout: LayoutChoice,
): AsyncGenerator<LoadedTensor, void, undefined> {
  for await (const t of src) {
    const { name, dtype, shape, data, stored } = t;
    const plain: LoadedTensor = { name, dtype, shape, data, ...(t.layout ? { layout: t.layout } : {}), ...(stored ? { stored } : {}) };
    yield withLayout({ format, tensors: [plain], metadata: {} }, layout).tensors[0];
  }
}

/**
 * Opens a weights file for streaming: safetensors, sharded safetensors and GGUF are read tensor
 * by tensor (memory bounded by the largest tensor); the other formats are read whole and then
 * handed out one by one. Detection and options as {@link readWeightsFile} (`maxTotalBytes` does
 * not apply to the streamed formats: nothing is kept between tensors).
 *
 * @param path - File or model folder path.
 * @param options - As {@link readWeightsFile}.
 * @returns `{ format, metadata, count, params, tensors }`; iterate `tensors` once.
 * @throws {OckhamError} as {@link readWeightsFile}, header problems before the first tensor.
 * @example
 * import { openWeightsStream } from 'ockham/node';
 * const w = await openWeightsStream('test/fixtures/gguf/all-types.gguf', { stored: true });
 * for await (const t of w.tensors) console.log(t.name, t.dtype, t.layout, t.stored?.bytes.length);
 */
export async function openWeightsStream(path: string, options: ReadWeightsOptions = {}): Promise<WeightsStream> {
  if (typeof path !== 'string' || path.length === 0) throw new OckhamError('INVALID_ARGUMENT', 'path', 'expected a non-empty file path');
  for (const k of Object.keys(options ?? {})) {
    if (!READ_KEYS.includes(k)) throw new OckhamError('UNKNOWN_OPTION', `options.${k}`, `unknown option; known: ${READ_KEYS.join(', ')}`);
  }
  const layout = options.layout ?? 'stored';
  if (layout !== 'stored' && layout !== 'torch') throw new OckhamError('INVALID_ARGUMENT', 'options.layout', `expected 'stored' or 'torch', got ${JSON.stringify(layout)}`);
  let target = path;
  let guess: FormatGuess;
  try {
    target = await resolveTarget(path);
    guess = await sniffWeightsFile(target, budgetOf(options));
  } catch (e) {
    rethrowWithPath(path, e);
  }
  const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const budgets = { ...budgetOf(options), ...(options.stored !== undefined ? { stored: options.stored } : {}) };
  if (guess.format === 'safetensors') {
    const header = await readSafetensorsHeader(target, budgetOf(options));
    checkSafetensorsBudget(header, options, target, false);
    const src = (async function* () {
      try {
        yield* readSafetensorsTensors(target, header, options.stored ?? false);
      } catch (e) {
        rethrowWithPath(target, e);
      }
    })();
    return {
      format: 'safetensors',
      metadata: header.metadata,
      count: header.entries.length,
      params: header.entries.reduce((s, e) => s + size(e.shape), 0),
      tensors: relabel(src, 'safetensors', layout),
    };
  }
  if (guess.format === 'gguf') {
    const splits = await readGgufSplitHeaders(target, budgets);
    const paths = splits ? splits.paths : [target];
    const headers = splits ? splits.headers : [await readGgufHeader(target, pickHeader(budgetOf(options)))];
    const chained = (async function* () {
      for (const p of paths) yield* streamGgufFile(p, budgets);
    })();
    return {
      format: 'gguf',
      metadata: ggufMetadataStrings(headers[0].metadata),
      count: headers.reduce((s, h) => s + h.tensors.length, 0),
      params: headers.reduce((s, h) => s + h.tensors.reduce((a, t) => a + t.elements, 0), 0),
      tensors: relabel(chained, 'gguf', layout),
    };
  }
  if (guess.format === 'safetensors-index') {
    const idx = await readShardedSafetensorsIndex(target, budgets);
    let count = 0;
    let params = 0;
    for (const sh of idx.shards) for (const e of sh.header.entries) (count++, (params += size(e.shape)));
    const metadata = { ...idx.metadata };
    Object.defineProperty(metadata, 'shards', { value: String(idx.shards.length), enumerable: true, writable: true, configurable: true });
    return { format: 'safetensors', metadata, count, params, tensors: relabel(streamShardedSafetensors(target, budgets), 'safetensors', layout) };
  }
  return streamOf(await readWeightsFile(path, options));
}

function streamOf(f: WeightsFile): WeightsStream {
  return {
    format: f.format,
    metadata: f.metadata,
    count: f.tensors.length,
    params: f.tensors.reduce((s, t) => s + t.data.length, 0),
    tensors: fromArray(f.tensors.slice()),
  };
}
