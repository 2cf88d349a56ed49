/**
 * Weight-file format detection by content (browser-safe): magic bytes, zip member names and the
 * keys of a JSON document — never the file name alone.
 */
import { OckhamError } from '../errors.js';
import { assertKnownOptions } from '../util/validate.js';
import { BUDGET_KEYS, type ReadBudget } from './budget.js';
import { parseGguf } from './gguf.js';
import { withLayout, type LayoutChoice } from './layout.js';
import { npyToTensor, parseNpy } from './npy.js';
import { parseNpz } from './npz.js';
import { parseOnnx } from './onnx.js';
import { parsePytorch } from './pytorch.js';
import { parseSafetensors, parseSafetensorsHeader, safetensorsHeaderLength } from './safetensors.js';
import type { WeightsFile } from './types.js';
import { listZipEntries } from './zip.js';

/** Formats {@link detectWeightsFormat} recognises. */
export type DetectedFormat =
  | 'safetensors'
  | 'safetensors-index'
  | 'pytorch-index'
  | 'npy'
  | 'npz'
  | 'tfjs'
  | 'gguf'
  | 'pytorch'
  | 'pytorch-legacy'
  | 'onnx';

/** What a file looks like: its format, or `'unknown'` with a description for the error message. */
export interface FormatGuess {
  format: DetectedFormat | 'unknown';
  /** Human-readable description of what was seen (e.g. "a zip without data.pkl or .npy members"). */
  description: string;
}

/** The formats the readers support, for error messages. */
export const SUPPORTED_FORMATS_TEXT =
  'safetensors (a file, or model.safetensors.index.json with its shards), GGUF v2/v3, .npy, .npz, a TensorFlow.js model.json, ' +
  'PyTorch torch.save checkpoints (zip or legacy pickle; pytorch_model.bin.index.json with its shards) and ONNX models';

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Printable preview of the first bytes: text when it looks like text, else hex. */
export function describeBytes(head: Uint8Array): string {
  const n = Math.min(head.length, 16);
  if (n === 0) return 'an empty file';
  let printable = 0;
  for (let i = 0; i < n; i++) if ((head[i] >= 0x20 && head[i] < 0x7f) || isSpace(head[i])) printable++;
  if (printable === n) {
    let s = '';
    for (let i = 0; i < n; i++) s += head[i] >= 0x20 && head[i] < 0x7f ? String.fromCharCode(head[i]) : ' ';
    return `text starting ${JSON.stringify(s.trim())}`;
  }
  const hex = Array.from(head.subarray(0, n), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `binary data starting ${hex}`;
}

/** Zip local header or end-of-central-directory record (an empty zip). */
function isZip(h: Uint8Array): boolean {
  return h.length >= 4 && h[0] === 0x50 && h[1] === 0x4b && ((h[2] === 3 && h[3] === 4) || (h[2] === 5 && h[3] === 6));
}

/** Reads a protobuf varint at `i`; returns [value, next] or undefined. */
function varint(h: Uint8Array, i: number): [number, number] | undefined {
  let v = 0;
  for (let k = 0; k < 5 && i < h.length; k++, i++) {
    v += (h[i] & 0x7f) * 2 ** (7 * k);
    if ((h[i] & 0x80) === 0) return [v, i + 1];
  }
  return undefined;
}

/**
 * ONNX heuristic: a ModelProto starts with field 1 (ir_version, varint 1..20), followed by
 * another ModelProto field with a length-delimited or varint wire type (producer_name 2,
 * producer_version 3, domain 4, model_version 5, doc_string 6, graph 7, opset_import 8, …).
 */
function looksLikeOnnx(h: Uint8Array): boolean {
  if (h.length < 4 || h[0] !== 0x08) return false;
  const v = varint(h, 1);
  if (!v || v[0] < 1 || v[0] > 20) return false;
  const tag = h[v[1]];
  if (tag === undefined) return false;
  const field = tag >> 3;
  const wire = tag & 7;
  return field >= 2 && field <= 20 && (wire === 2 || wire === 0);
}

/**
 * Identifies a weights file from its content.
 *
 * Rules, in order: `GGUF` magic → gguf; `\x93NUMPY` → npy; a zip (`PK\x03\x04`) → PyTorch when a
 * member is `data.pkl` or ends in `/data.pkl`, npz when every member ends in `.npy`, otherwise
 * unknown; a pickle (`\x80` and protocol 2..5) → legacy PyTorch (`torch.save` before 1.6 or with
 * `_use_new_zipfile_serialization=False`); an 8-byte little-endian length followed by `{` →
 * safetensors; JSON (`{` after whitespace) → a TF.js model.json when it has `weightsManifest`, a
 * shard index when it has `weight_map` (PyTorch when its shard files end in .bin/.pt/.pth, else
 * safetensors); a protobuf that starts like an ONNX ModelProto →
 * onnx.
 *
 * @param head - The file's first bytes (at least 16; more is not needed).
 * @param extra - `zipNames`: the zip's member names (needed to classify a zip); `json`: the
 *   parsed document (needed to classify JSON).
 * @returns The format, or `'unknown'` with a description of what the bytes look like.
 * @example
 * import { detectWeightsFormat } from 'ockham';
 * detectWeightsFormat(new TextEncoder().encode('GGUF\x03\0\0\0')).format; // 'gguf'
 * detectWeightsFormat(new Uint8Array([0x50, 0x4b, 3, 4]), { zipNames: ['archive/data.pkl', 'archive/data/0'] }).format; // 'pytorch'
 */
export function detectWeightsFormat(head: Uint8Array, extra: { zipNames?: readonly string[]; json?: unknown } = {}): FormatGuess {
  if (!(head instanceof Uint8Array)) throw new OckhamError('INVALID_ARGUMENT', 'head', 'expected a Uint8Array');
  const h = head;
  if (h.length >= 4 && h[0] === 0x47 && h[1] === 0x47 && h[2] === 0x55 && h[3] === 0x46) return { format: 'gguf', description: 'a GGUF file' };
  if (h.length >= 6 && h[0] === 0x93 && h[1] === 0x4e && h[2] === 0x55 && h[3] === 0x4d && h[4] === 0x50 && h[5] === 0x59) {
    return { format: 'npy', description: 'a NumPy .npy array' };
  }
  if (isZip(h)) {
    const names = extra.zipNames;
    if (!names) return { format: 'unknown', description: 'a zip archive (members not listed)' };
    if (names.some((n) => n === 'data.pkl' || n.endsWith('/data.pkl'))) return { format: 'pytorch', description: 'a PyTorch zip checkpoint (data.pkl member)' };
    if (names.length > 0 && names.every((n) => n.endsWith('.npy'))) return { format: 'npz', description: 'a NumPy .npz archive' };
    const shown = names.slice(0, 5).map((n) => JSON.stringify(n)).join(', ') + (names.length > 5 ? `, … (${names.length} members)` : '');
    return { format: 'unknown', description: `a zip without data.pkl or .npy members${names.length ? ` (${shown})` : ' (empty)'}` };
  }
  if (h.length >= 2 && h[0] === 0x80 && h[1] >= 2 && h[1] <= 5) {
    return { format: 'pytorch-legacy', description: `a pickle (protocol ${h[1]}): a legacy PyTorch checkpoint` };
  }
  if (h.length >= 9 && h[8] === 0x7b && h[4] === 0 && h[5] === 0 && h[6] === 0 && h[7] === 0) {
    return { format: 'safetensors', description: 'a safetensors file' };
  }
  let i = 0;
  while (i < h.length && isSpace(h[i])) i++;
  if (h[i] === 0x7b) {
    const json = extra.json;
    if (json === undefined) return { format: 'unknown', description: 'a JSON document (not parsed)' };
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
      const o = json as Record<string, unknown>;
      if (Object.prototype.hasOwnProperty.call(o, 'weightsManifest')) return { format: 'tfjs', description: 'a TensorFlow.js model.json' };
      if (Object.prototype.hasOwnProperty.call(o, 'weight_map')) {
        // transformers writes the same index for PyTorch .bin shards (pytorch_model.bin.index.json).
        const map = o.weight_map;
        const first = map !== null && typeof map === 'object' ? Object.values(map as Record<string, unknown>)[0] : undefined;
        if (typeof first === 'string' && /\.(bin|pt|pth)$/i.test(first)) return { format: 'pytorch-index', description: 'a PyTorch shard index' };
        return { format: 'safetensors-index', description: 'a safetensors shard index' };
      }
      const keys = Object.keys(o).slice(0, 5).map((k) => JSON.stringify(k)).join(', ');
      return { format: 'unknown', description: `a JSON object without weightsManifest or weight_map (keys: ${keys || 'none'})` };
    }
    return { format: 'unknown', description: 'JSON that is not an object' };
  }
  if (looksLikeOnnx(h)) return { format: 'onnx', description: 'a protobuf that starts like an ONNX ModelProto' };
  return { format: 'unknown', description: describeBytes(h) };
}

/** Options of {@link parseWeights}: the readers' budget, plus `layout` and `stored` (GGUF, safetensors). */
export interface ParseWeightsOptions extends ReadBudget {
  /** `'stored'` (default) or `'torch'` (see toTorchLayout). */
  layout?: LayoutChoice;
  /** Keep the stored bytes on `tensor.stored` (GGUF and safetensors). Default false. */
  stored?: boolean;
}

function budgetFields(o: ParseWeightsOptions): ReadBudget {
  const b: Record<string, unknown> = {};
  for (const k of BUDGET_KEYS) if (o[k] !== undefined) b[k] = o[k];
  return b as ReadBudget;
}

/**
 * Parses a single-file weights file held in memory, whatever its format (browser-safe): the
 * format is detected from the content by {@link detectWeightsFormat} and the bytes handed to
 * parseGguf, parseSafetensors, parseNpy, parseNpz, parsePytorch (zip and legacy; no pickle code
 * ever runs) or parseOnnx (without external data). Every tensor is labelled with its `layout`.
 * TF.js models and sharded safetensors span several files: use parseTfjsModel, or the Node
 * readers.
 *
 * @param bytes - The file contents.
 * @param options - Budgets ({@link ReadBudget}), `layout: 'torch'`, `stored: true`.
 * @returns `{ format, tensors, metadata }`.
 * @throws {OckhamError} UNSUPPORTED for an unrecognised format (the message lists the supported
 *   ones and what the bytes look like) or a multi-file format; the format parser's errors otherwise.
 * @example
 * import { parseWeights, serializeSafetensors } from 'ockham';
 * const bytes = serializeSafetensors([{ name: 'w', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]), dtype: 'BF16' }]);
 * const { format, tensors } = parseWeights(bytes, { stored: true });
 * console.log(format, tensors[0].layout, tensors[0].stored?.bytes.length); // 'safetensors' 'safetensors' 8
 */
export function parseWeights(bytes: Uint8Array | ArrayBuffer, options: ParseWeightsOptions = {}): WeightsFile {
  const b = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(b instanceof Uint8Array)) throw new OckhamError('INVALID_ARGUMENT', 'bytes', 'expected a Uint8Array or ArrayBuffer');
  assertKnownOptions(options, 'options', [...BUDGET_KEYS, 'layout', 'stored']);
  const layout = options.layout ?? 'stored';
  const budget = budgetFields(options);
  const head = b.subarray(0, 64);
  let guess = detectWeightsFormat(head);
  if (guess.description.startsWith('a zip archive')) {
    guess = detectWeightsFormat(head, { zipNames: listZipEntries(b, undefined, 'bytes').map((e) => e.name) });
  } else if (guess.description.startsWith('a JSON document')) {
    guess = { format: 'unknown', description: 'a JSON document (a TF.js model.json or a shard index: multi-file formats, read them with parseTfjsModel or the Node readers)' };
  }
  let file: WeightsFile;
  switch (guess.format) {
    case 'gguf':
      file = parseGguf(b, { ...budget, stored: options.stored ?? false });
      break;
    case 'safetensors': {
      file = parseSafetensors(b, budget);
      if (options.stored) {
        const n = safetensorsHeaderLength(b, b.length);
        const header = parseSafetensorsHeader(b.subarray(8, 8 + n), b.length);
        const byName = new Map(header.entries.map((e) => [e.name, e]));
        file = {
          ...file,
          tensors: file.tensors.map((t) => {
            const e = byName.get(t.name)!;
            return { ...t, stored: { dtype: e.dtype, bytes: b.slice(e.start, e.end) } };
          }),
        };
      }
      break;
    }
    case 'npy':
      file = { format: 'npy', tensors: [npyToTensor('array', parseNpy(b, 'bytes', budget))], metadata: {} };
      break;
    case 'npz':
      file = parseNpz(b, budget);
      break;
    case 'pytorch':
    case 'pytorch-legacy':
      file = parsePytorch(b, budget);
      break;
    case 'onnx':
      file = parseOnnx(b, budget);
      break;
    default:
      throw new OckhamError('UNSUPPORTED', 'bytes', `unrecognised weights format: ${guess.description}; supported: ${SUPPORTED_FORMATS_TEXT}`);
  }
  return withLayout(file, layout);
}
