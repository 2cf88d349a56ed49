/**
 * GGUF reader (browser-safe; works on bytes in memory): metadata, tensor table and tensor data,
 * dequantized to float32 exactly as ggml's `dequantize_row_*` functions compute it.
 *
 * Format (ggml's docs/gguf.md, versions 2 and 3, little-endian): magic `GGUF`, u32 version,
 * u64 tensor count, u64 metadata count; metadata as (string key, u32 value type, value); tensor
 * infos as (string name, u32 n_dims, u64 dims[n_dims] fastest first, u32 ggml type, u64 offset
 * relative to the data section); padding to `general.alignment` (default 32); the data section.
 * A string is a u64 byte length and UTF-8 bytes; an array is a u32 item type, a u64 length and
 * the items.
 *
 * Untrusted input: every count and length is checked against the bytes that remain and the
 * budgets below before anything is allocated, so garbage ends in milliseconds.
 */
import { OckhamError } from '../errors.js';
import { assertKnownOptions } from '../util/validate.js';
import { decodeToFloat32, halfToFloat, type ElementKind } from './dtypes.js';
import { BUDGET_KEYS, READ_BUDGET_DEFAULTS, type ReadBudget } from './budget.js';
import type { LoadedTensor, WeightsFile } from './types.js';

/** A ggml tensor type: elements per block and bytes per block. */
export interface GgmlType {
  /** ggml's enum value as stored in the file. */
  id: number;
  /** ggml's name (`F32`, `BF16`, `Q4_K`, …). */
  name: string;
  /** Elements per block (1 for plain types, 32 or 256 for quantized ones). */
  blockSize: number;
  /** Bytes per block. */
  typeSize: number;
  /** Whether {@link dequantizeGgml} decodes it. */
  supported: boolean;
}

const TYPE_LIST: ReadonlyArray<[number, string, number, number, boolean]> = [
  [0, 'F32', 1, 4, true],
  [1, 'F16', 1, 2, true],
  [2, 'Q4_0', 32, 18, true],
  [3, 'Q4_1', 32, 20, true],
  [6, 'Q5_0', 32, 22, true],
  [7, 'Q5_1', 32, 24, true],
  [8, 'Q8_0', 32, 34, true],
  [9, 'Q8_1', 32, 36, false],
  [10, 'Q2_K', 256, 84, true],
  [11, 'Q3_K', 256, 110, true],
  [12, 'Q4_K', 256, 144, true],
  [13, 'Q5_K', 256, 176, true],
  [14, 'Q6_K', 256, 210, true],
  [15, 'Q8_K', 256, 292, true],
  [16, 'IQ2_XXS', 256, 66, false],
  [17, 'IQ2_XS', 256, 74, false],
  [18, 'IQ3_XXS', 256, 98, false],
  [19, 'IQ1_S', 256, 50, false],
  [20, 'IQ4_NL', 32, 18, false],
  [21, 'IQ3_S', 256, 110, false],
  [22, 'IQ2_S', 256, 82, false],
  [23, 'IQ4_XS', 256, 136, false],
  [24, 'I8', 1, 1, true],
  [25, 'I16', 1, 2, true],
  [26, 'I32', 1, 4, true],
  [27, 'I64', 1, 8, true],
  [28, 'F64', 1, 8, true],
  [29, 'IQ1_M', 256, 56, false],
  [30, 'BF16', 1, 2, true],
  [34, 'TQ1_0', 256, 54, false],
  [35, 'TQ2_0', 256, 66, false],
  [39, 'MXFP4', 32, 17, false],
];

const TYPES_BY_ID = new Map<number, GgmlType>(
  TYPE_LIST.map(([id, name, blockSize, typeSize, supported]) => [id, { id, name, blockSize, typeSize, supported }]),
);
const TYPES_BY_NAME = new Map<string, GgmlType>([...TYPES_BY_ID.values()].map((t) => [t.name, t]));

/** Plain (non-block) types and the element encodings they map to. */
const PLAIN_KIND = new Map<string, ElementKind>([
  ['F32', 'f32'],
  ['F16', 'f16'],
  ['BF16', 'bf16'],
  ['F64', 'f64'],
  ['I8', 'i8'],
  ['I16', 'i16'],
  ['I32', 'i32'],
  ['I64', 'i64'],
]);

/** ggml types {@link parseGguf} dequantizes, by name. */
export const GGUF_SUPPORTED_TYPES: readonly string[] = TYPE_LIST.filter((t) => t[4]).map((t) => t[1]);

/**
 * Looks up a ggml tensor type by enum value or name.
 *
 * @param type - ggml's enum value (e.g. 12) or name (e.g. `'Q4_K'`).
 * @returns The type's block size and bytes per block, or undefined when unknown.
 * @example
 * import { ggmlType } from 'ockham';
 * ggmlType('Q4_K'); // { id: 12, name: 'Q4_K', blockSize: 256, typeSize: 144, supported: true }
 */
export function ggmlType(type: number | string): GgmlType | undefined {
  return typeof type === 'number' ? TYPES_BY_ID.get(type) : TYPES_BY_NAME.get(type);
}

/** GGUF metadata value types (the spec's `gguf_metadata_value_type`). */
export type GgufValueType =
  | 'UINT8'
  | 'INT8'
  | 'UINT16'
  | 'INT16'
  | 'UINT32'
  | 'INT32'
  | 'FLOAT32'
  | 'BOOL'
  | 'STRING'
  | 'ARRAY'
  | 'UINT64'
  | 'INT64'
  | 'FLOAT64';

const VALUE_TYPES: readonly GgufValueType[] = [
  'UINT8', 'INT8', 'UINT16', 'INT16', 'UINT32', 'INT32', 'FLOAT32', 'BOOL', 'STRING', 'ARRAY', 'UINT64', 'INT64', 'FLOAT64',
];
/** Bytes of each value type's smallest encoding (strings: the length; arrays: type + length). */
const MIN_SIZE = [1, 1, 2, 2, 4, 4, 4, 1, 8, 12, 8, 8, 8];

/** A numeric GGUF array, held in the typed array of its item type (compact: a 150k-entry token-type array is 600 KB). */
export type GgufNumericArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigUint64Array
  | BigInt64Array;

/**
 * A metadata value: 64-bit integers as bigint, other numbers as number; arrays of numbers as the
 * typed array of their item type, arrays of strings, booleans or arrays as JS arrays.
 */
export type GgufValue = number | bigint | boolean | string | GgufNumericArray | GgufValue[];

/** One metadata entry with its stored type (`itemType` for arrays). */
export interface GgufMetadataEntry {
  type: GgufValueType;
  itemType?: GgufValueType;
  value: GgufValue;
}

/** One tensor of the tensor table. */
export interface GgufTensorInfo {
  name: string;
  /** ggml type name as stored (`F32`, `Q4_K`, …). */
  type: string;
  /** ggml's enum value. */
  typeId: number;
  /** ggml's dimensions, fastest-varying first (`ne[0]` is the row length). */
  dims: number[];
  /** Row-major shape: `dims` reversed (a matrix reads `[out, in]`). */
  shape: number[];
  /** Product of the dimensions. */
  elements: number;
  /** Absolute byte offset of the tensor's first byte in the file. */
  start: number;
  /** Absolute byte offset one past its last byte. */
  end: number;
}

/** A validated GGUF header. */
export interface GgufHeader {
  version: number;
  /** `general.alignment`, or 32. */
  alignment: number;
  /** Bytes from the start of the file to the end of the tensor table. */
  headerLength: number;
  /** Absolute offset of the data section (the header padded to the alignment). */
  dataOffset: number;
  /** Metadata in file order, keyed by name (a Map: keys come from the file). */
  metadata: Map<string, GgufMetadataEntry>;
  /** Tensor table in file order. */
  tensors: GgufTensorInfo[];
}

/**
 * Budgets and choices of the GGUF readers. The budget fields are those of every reader
 * ({@link ReadBudget}); `maxExpansion` and `maxHeaderDepth` do not apply to GGUF.
 */
export interface GgufOptions extends ReadBudget {
  /** Largest header (metadata + tensor table), bytes. Default 64 MiB (GGUF headers hold the tokenizer vocabulary). */
  maxHeaderBytes?: number;
  /** Largest tensor, bytes of its float32 output (and of its stored bytes). Default 2³² (4 GiB). */
  maxTensorBytes?: number;
  /** Largest sum over the tensors returned of float32 output bytes plus kept stored bytes. Default 2³⁶ (64 GiB). */
  maxTotalBytes?: number;
  /** Most tensors in the tensor table. Default 1,000,000. */
  maxTensors?: number;
  /** Keep each tensor's stored bytes on `tensor.stored` (counted against `maxTotalBytes`). Default false. */
  stored?: boolean;
  /** Read only the tensors with these names (all when omitted); unknown names are an error. */
  names?: readonly string[];
}

/** Default budgets of the GGUF readers (the others as READ_BUDGET_DEFAULTS). */
export const GGUF_DEFAULTS = {
  maxHeaderBytes: 64 * 2 ** 20,
  maxTensorBytes: READ_BUDGET_DEFAULTS.maxTensorBytes,
  maxTotalBytes: READ_BUDGET_DEFAULTS.maxTotalBytes,
  maxTensors: READ_BUDGET_DEFAULTS.maxTensors,
} as const;

const OPTION_KEYS = [...BUDGET_KEYS, 'stored', 'names'] as const;

/** Resolved options. */
export interface ResolvedGgufOptions {
  maxHeaderBytes: number;
  maxTensors: number;
  maxTensorBytes: number;
  maxTotalBytes: number;
  stored: boolean;
  names: ReadonlySet<string> | null;
}

function budget(v: unknown, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new OckhamError('OUT_OF_RANGE', `options.${name}`, `expected a byte count, an integer in 0..${Number.MAX_SAFE_INTEGER}, got ${String(v)}`);
  }
  return v;
}

/** Validates the options of the GGUF readers and fills the defaults. Shared with the Node reader. @internal */
export function resolveGgufOptions(options: GgufOptions | undefined): ResolvedGgufOptions {
  assertKnownOptions(options, 'options', OPTION_KEYS);
  const o = options ?? {};
  if (o.stored !== undefined && typeof o.stored !== 'boolean') {
    throw new OckhamError('INVALID_ARGUMENT', 'options.stored', `expected a boolean, got ${String(o.stored)}`);
  }
  if (o.names !== undefined && (!Array.isArray(o.names) || !o.names.every((n) => typeof n === 'string'))) {
    throw new OckhamError('INVALID_ARGUMENT', 'options.names', 'expected an array of tensor names');
  }
  return {
    maxHeaderBytes: budget(o.maxHeaderBytes, 'maxHeaderBytes', GGUF_DEFAULTS.maxHeaderBytes),
    maxTensors: budget(o.maxTensors, 'maxTensors', GGUF_DEFAULTS.maxTensors),
    maxTensorBytes: budget(o.maxTensorBytes, 'maxTensorBytes', GGUF_DEFAULTS.maxTensorBytes),
    maxTotalBytes: budget(o.maxTotalBytes, 'maxTotalBytes', GGUF_DEFAULTS.maxTotalBytes),
    stored: o.stored ?? false,
    names: o.names ? new Set(o.names) : null,
  };
}

/** Thrown inside the header parser when the bytes given end before the header does. */
class NeedMore {
  constructor(readonly bytes: number) {}
}

interface Cursor {
  b: Uint8Array;
  dv: DataView;
  pos: number;
  /** Total file size (the bytes given may be a prefix). */
  fileSize: number;
  maxHeader: number;
  arg: string;
}

function fail(argument: string, message: string): never {
  throw new OckhamError('PARSE_ERROR', argument, message);
}

/** Ensures `n` more header bytes are available: within the budget, the file and the prefix given. */
function need(c: Cursor, n: number, what: string): void {
  const end = c.pos + n;
  if (end > c.fileSize) fail(c.arg, `${what} at byte ${c.pos} needs ${n} bytes but the file ends at ${c.fileSize} (truncated?)`);
  if (end > c.maxHeader) {
    throw new OckhamError(
      'OUT_OF_RANGE',
      c.arg,
      `${what} at byte ${c.pos} needs ${n} bytes, past the ${c.maxHeader}-byte header budget (maxHeaderBytes)`,
    );
  }
  if (end > c.b.length) throw new NeedMore(end);
}

function u32(c: Cursor, what: string): number {
  need(c, 4, what);
  const v = c.dv.getUint32(c.pos, true);
  c.pos += 4;
  return v;
}

function u64(c: Cursor, what: string): bigint {
  need(c, 8, what);
  const v = c.dv.getBigUint64(c.pos, true);
  c.pos += 8;
  return v;
}

/** A u64 count or size that must be a safe integer. */
function count64(c: Cursor, what: string): number {
  const at = c.pos;
  const v = u64(c, what);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(c.arg, `${what} at byte ${at} is ${v}, beyond any real file`);
  return Number(v);
}

const utf8 = new TextDecoder('utf-8');

function str(c: Cursor, what: string): string {
  const n = count64(c, `${what} length`);
  need(c, n, what);
  const s = utf8.decode(c.b.subarray(c.pos, c.pos + n));
  c.pos += n;
  return s;
}

/** Bytes that may still hold header content (the budget and the file bound it). */
function room(c: Cursor): number {
  return Math.min(c.maxHeader, c.fileSize) - c.pos;
}

const MAX_ARRAY_DEPTH = 8;

function value(c: Cursor, type: number, what: string, depth: number): GgufValue {
  switch (type) {
    case 0: need(c, 1, what); return c.b[c.pos++];
    case 1: need(c, 1, what); return c.dv.getInt8(c.pos++);
    case 2: need(c, 2, what); c.pos += 2; return c.dv.getUint16(c.pos - 2, true);
    case 3: need(c, 2, what); c.pos += 2; return c.dv.getInt16(c.pos - 2, true);
    case 4: return u32(c, what);
    case 5: need(c, 4, what); c.pos += 4; return c.dv.getInt32(c.pos - 4, true);
    case 6: need(c, 4, what); c.pos += 4; return c.dv.getFloat32(c.pos - 4, true);
    case 7: need(c, 1, what); return c.b[c.pos++] !== 0;
    case 8: return str(c, what);
    case 10: return u64(c, what);
    case 11: need(c, 8, what); c.pos += 8; return c.dv.getBigInt64(c.pos - 8, true);
    case 12: need(c, 8, what); c.pos += 8; return c.dv.getFloat64(c.pos - 8, true);
    case 9: {
      if (depth >= MAX_ARRAY_DEPTH) fail(c.arg, `${what}: arrays nested deeper than ${MAX_ARRAY_DEPTH}`);
      const at = c.pos;
      const item = u32(c, `${what} item type`);
      if (item >= VALUE_TYPES.length) fail(c.arg, `${what}: array item type ${item} at byte ${at} is not a GGUF value type (0..12)`);
      const n = count64(c, `${what} array length`);
      // Each item takes at least MIN_SIZE bytes (numbers exactly that): refuse lengths the header
      // cannot hold before allocating.
      need(c, n * MIN_SIZE[item], `${what} (array of ${n} ${VALUE_TYPES[item]})`);
      const numeric = numericArray(c, item, n);
      if (numeric) return numeric;
      const out: GgufValue[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = value(c, item, what, depth + 1);
      return out;
    }
    default:
      return fail(c.arg, `${what}: value type ${type} is not a GGUF value type (0..12)`);
  }
}

/** Reads n little-endian numbers of item type `item` into a typed array (undefined for non-numeric types). */
function numericArray(c: Cursor, item: number, n: number): GgufNumericArray | undefined {
  const dv = c.dv;
  let p = c.pos;
  let out: GgufNumericArray;
  switch (item) {
    case 0: out = c.b.slice(p, p + n); p += n; break;
    case 1: out = new Int8Array(c.b.slice(p, p + n).buffer); p += n; break;
    case 2: { const a = new Uint16Array(n); for (let i = 0; i < n; i++, p += 2) a[i] = dv.getUint16(p, true); out = a; break; }
    case 3: { const a = new Int16Array(n); for (let i = 0; i < n; i++, p += 2) a[i] = dv.getInt16(p, true); out = a; break; }
    case 4: { const a = new Uint32Array(n); for (let i = 0; i < n; i++, p += 4) a[i] = dv.getUint32(p, true); out = a; break; }
    case 5: { const a = new Int32Array(n); for (let i = 0; i < n; i++, p += 4) a[i] = dv.getInt32(p, true); out = a; break; }
    case 6: { const a = new Float32Array(n); for (let i = 0; i < n; i++, p += 4) a[i] = dv.getFloat32(p, true); out = a; break; }
    case 10: { const a = new BigUint64Array(n); for (let i = 0; i < n; i++, p += 8) a[i] = dv.getBigUint64(p, true); out = a; break; }
    case 11: { const a = new BigInt64Array(n); for (let i = 0; i < n; i++, p += 8) a[i] = dv.getBigInt64(p, true); out = a; break; }
    case 12: { const a = new Float64Array(n); for (let i = 0; i < n; i++, p += 8) a[i] = dv.getFloat64(p, true); out = a; break; }
    default: return undefined;
  }
  c.pos = p;
  return out;
}

/** Parses the header from `bytes` (the whole file or a prefix of it). Shared with the Node reader. @internal */
export function parseHeaderOrNeed(
  bytes: Uint8Array,
  fileSize: number,
  maxHeaderBytes: number,
  argument: string,
): GgufHeader | NeedMore {
  const c: Cursor = {
    b: bytes,
    dv: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    pos: 0,
    fileSize,
    maxHeader: maxHeaderBytes,
    arg: argument,
  };
  try {
    return parseHeader(c);
  } catch (e) {
    if (e instanceof NeedMore) return e;
    throw e;
  }
}

function parseHeader(c: Cursor): GgufHeader {
  if (c.fileSize < 4) fail(c.arg, `file is ${c.fileSize} bytes; a GGUF file starts with the 4-byte magic "GGUF"`);
  need(c, 4, 'magic');
  if (c.b[0] !== 0x47 || c.b[1] !== 0x47 || c.b[2] !== 0x55 || c.b[3] !== 0x46) fail(c.arg, 'does not start with the GGUF magic "GGUF"');
  c.pos = 4;
  const version = u32(c, 'version');
  if (version === 1) throw new OckhamError('UNSUPPORTED', c.arg, 'GGUF version 1 (32-bit counts, 2023) is not supported; versions 2 and 3 are');
  if (version === 0x02000000 || version === 0x03000000) {
    throw new OckhamError('UNSUPPORTED', c.arg, 'big-endian GGUF is not supported (only little-endian versions 2 and 3)');
  }
  if (version !== 2 && version !== 3) throw new OckhamError('UNSUPPORTED', c.arg, `GGUF version ${version} is not supported (2 and 3 are)`);
  const tensorCount = count64(c, 'tensor count');
  const kvCount = count64(c, 'metadata count');
  // Smallest metadata entry: key length (8) + value type (4) + one byte; smallest tensor info:
  // name length (8) + n_dims (4) + type (4) + offset (8).
  if (kvCount * 13 + tensorCount * 24 > room(c)) {
    need(c, kvCount * 13 + tensorCount * 24, `${kvCount} metadata entries and ${tensorCount} tensor infos`);
  }
  const metadata = new Map<string, GgufMetadataEntry>();
  for (let i = 0; i < kvCount; i++) {
    const key = str(c, `metadata key ${i}`);
    if (metadata.has(key)) fail(c.arg, `duplicate metadata key ${JSON.stringify(key)}`);
    const at = c.pos;
    const type = u32(c, `metadata ${JSON.stringify(key)} type`);
    if (type >= VALUE_TYPES.length) fail(c.arg, `metadata ${JSON.stringify(key)}: value type ${type} at byte ${at} is not a GGUF value type (0..12)`);
    let itemType: GgufValueType | undefined;
    if (type === 9) {
      need(c, 4, `metadata ${JSON.stringify(key)} item type`);
      const it = c.dv.getUint32(c.pos, true);
      if (it < VALUE_TYPES.length) itemType = VALUE_TYPES[it];
    }
    const v = value(c, type, `metadata ${JSON.stringify(key)}`, 0);
    metadata.set(key, itemType ? { type: VALUE_TYPES[type], itemType, value: v } : { type: VALUE_TYPES[type], value: v });
  }
  let alignment = 32;
  const al = metadata.get('general.alignment');
  if (al !== undefined) {
    if (al.type !== 'UINT32') fail(c.arg, `general.alignment must be a UINT32, got ${al.type}`);
    const a = al.value as number;
    if (a === 0 || (a & (a - 1)) !== 0) fail(c.arg, `general.alignment ${a} is not a power of two`);
    alignment = a;
  }
  const raw: Array<{ name: string; dims: number[]; type: GgmlType; offset: number; elements: number; nbytes: number }> = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = str(c, `tensor ${i} name`);
    const where = `tensor ${JSON.stringify(name)}`;
    if (names.has(name)) fail(c.arg, `duplicate tensor name ${JSON.stringify(name)}`);
    names.add(name);
    const nd = u32(c, `${where} n_dims`);
    if (nd > 4) fail(c.arg, `${where}: n_dims ${nd} exceeds ggml's 4`);
    const dims: number[] = [];
    for (let k = 0; k < nd; k++) dims.push(count64(c, `${where} dimension ${k}`));
    const typeAt = c.pos;
    const typeId = u32(c, `${where} type`);
    const type = TYPES_BY_ID.get(typeId);
    if (!type) {
      throw new OckhamError('UNSUPPORTED', c.arg, `${where}: ggml type ${typeId} (at byte ${typeAt}) is unknown; known: ${[...TYPES_BY_NAME.keys()].join(', ')}`);
    }
    const offset = count64(c, `${where} offset`);
    if (offset % alignment !== 0) fail(c.arg, `${where}: data offset ${offset} is not a multiple of the alignment ${alignment}`);
    let elements = 1;
    for (const d of dims) elements *= d;
    if (nd > 0 && dims[0] % type.blockSize !== 0) {
      fail(c.arg, `${where}: row length ${dims[0]} is not a multiple of ${type.name}'s block size ${type.blockSize}`);
    }
    // Sizes beyond the file are refused below; keep the arithmetic exact until then.
    if (!Number.isSafeInteger(elements) || elements > c.fileSize * 256) {
      fail(c.arg, `${where}: dimensions [${dims.join(', ')}] hold more elements than the ${c.fileSize}-byte file can store`);
    }
    const nbytes = (elements / type.blockSize) * type.typeSize;
    raw.push({ name, dims, type, offset, elements, nbytes });
  }
  const headerLength = c.pos;
  const dataOffset = Math.ceil(headerLength / alignment) * alignment;
  const dataSize = c.fileSize - dataOffset;
  if (tensorCount > 0 && dataSize < 0) fail(c.arg, `file ends at ${c.fileSize}, before the data section at ${dataOffset}`);
  const tensors: GgufTensorInfo[] = raw.map((t) => {
    if (t.offset + t.nbytes > dataSize) {
      fail(
        c.arg,
        `tensor ${JSON.stringify(t.name)}: ${t.type.name} [${t.dims.join(', ')}] needs data bytes ${t.offset}..${t.offset + t.nbytes} but the data section holds ${Math.max(0, dataSize)} (truncated?)`,
      );
    }
    return {
      name: t.name,
      type: t.type.name,
      typeId: t.type.id,
      dims: t.dims,
      shape: t.dims.slice().reverse(),
      elements: t.elements,
      start: dataOffset + t.offset,
      end: dataOffset + t.offset + t.nbytes,
    };
  });
  const sorted = tensors.filter((t) => t.end > t.start).sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].start < sorted[i - 1].end) {
      fail(c.arg, `tensor ${JSON.stringify(sorted[i].name)} overlaps tensor ${JSON.stringify(sorted[i - 1].name)} in the data section`);
    }
  }
  return { version, alignment, headerLength, dataOffset, metadata, tensors };
}

/**
 * Parses and validates a GGUF header (metadata and tensor table) against the file size.
 *
 * Checks: magic, version 2 or 3 (little-endian), every count and string length against the bytes
 * that remain and `maxHeaderBytes`, value types, `general.alignment` (a UINT32 power of two),
 * unique keys and tensor names, at most 4 dimensions, known ggml types, row lengths a multiple
 * of the block size, offsets aligned, every tensor inside the file and no two overlapping.
 *
 * Reference: ggml's GGUF specification (docs/gguf.md of ggml-org/ggml).
 *
 * @param bytes - The whole file, or a prefix holding at least the header.
 * @param fileSize - Total file size in bytes (default `bytes.length`).
 * @param options - `maxHeaderBytes` (default 64 MiB).
 * @returns The header; tensor offsets are absolute file positions.
 * @throws {OckhamError} PARSE_ERROR for malformed or truncated headers (also when `bytes` is a
 *   prefix that ends inside the header), UNSUPPORTED for version 1, big-endian files and unknown
 *   ggml types, OUT_OF_RANGE when the header exceeds `maxHeaderBytes`.
 * @example
 * import { parseGgufHeader } from 'ockham';
 * // The smallest GGUF file: magic, version 3, no tensors, no metadata.
 * const empty = new Uint8Array([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
 * parseGgufHeader(empty); // { version: 3, alignment: 32, tensors: [], metadata: Map(0), … }
 * // In a browser: parseGgufHeader(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 */
export function parseGgufHeader(
  bytes: Uint8Array,
  fileSize: number = bytes?.length,
  options: Pick<GgufOptions, 'maxHeaderBytes'> = {},
): GgufHeader {
  if (!(bytes instanceof Uint8Array)) throw new OckhamError('INVALID_ARGUMENT', 'bytes', 'expected a Uint8Array');
  if (!Number.isSafeInteger(fileSize) || fileSize < bytes.length) {
    throw new OckhamError('OUT_OF_RANGE', 'fileSize', `expected an integer ≥ bytes.length (${bytes.length}), got ${String(fileSize)}`);
  }
  const maxHeader = budget(options?.maxHeaderBytes, 'maxHeaderBytes', GGUF_DEFAULTS.maxHeaderBytes);
  const h = parseHeaderOrNeed(bytes, fileSize, maxHeader, 'bytes');
  if (h instanceof NeedMore) fail('bytes', `the ${bytes.length} bytes given end inside the header (it needs at least ${h.bytes})`);
  return h;
}

export { NeedMore as GgufNeedMore };

// ---------------------------------------------------------------------------------------------
// Dequantization. Each kernel follows ggml's dequantize_row_* (ggml-quants.c) operation by
// operation in float32: Math.fround where ggml rounds an intermediate product; the final store
// into the Float32Array rounds the last operation. The products of an f16 block scale (11
// significant bits), an integer sub-block scale and a quant need at most 23 significant bits
// (Q6_K: 11 + 7 + 5), so they are exact in float32 and contraction into FMA cannot change a result.
// ---------------------------------------------------------------------------------------------

/** All 65,536 f16 values (256 KiB, built on first use): block scales are read once per 32 elements. */
let f16Values: Float32Array | undefined;
function f16Table(): Float32Array {
  if (!f16Values) {
    f16Values = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) f16Values[i] = halfToFloat(i);
  }
  return f16Values;
}

function f16At(b: Uint8Array, o: number): number {
  return (f16Values ?? f16Table())[b[o] | (b[o + 1] << 8)];
}

function deqQ4_0(b: Uint8Array, out: Float32Array, nb: number): void {
  for (let i = 0; i < nb; i++) {
    const o = i * 18;
    const d = f16At(b, o);
    const y = i * 32;
    for (let j = 0; j < 16; j++) {
      const q = b[o + 2 + j];
      out[y + j] = ((q & 15) - 8) * d;
      out[y + j + 16] = ((q >> 4) - 8) * d;
    }
  }
}

function deqQ4_1(b: Uint8Array, out: Float32Array, nb: number): void {
  for (let i = 0; i < nb; i++) {
    const o = i * 20;
    const d = f16At(b, o);
    const m = f16At(b, o + 2);
    const y = i * 32;
    for (let j = 0; j < 16; j++) {
      const q = b[o + 4 + j];
      out[y + j] = Math.fround((q & 15) * d) + m;
      out[y + j + 16] = Math.fround((q >> 4) * d) + m;
    }
  }
}

function deqQ5_0(b: Uint8Array, out: Float32Array, nb: number): void {
  for (let i = 0; i < nb; i++) {
    const o = i * 22;
    const d = f16At(b, o);
    const qh = (b[o + 2] | (b[o + 3] << 8) | (b[o + 4] << 16) | (b[o + 5] << 24)) >>> 0;
    const y = i * 32;
    for (let j = 0; j < 16; j++) {
      const q = b[o + 6 + j];
      const h0 = ((qh >>> j) & 1) << 4;
      const h1 = ((qh >>> (j + 16)) & 1) << 4;
      out[y + j] = (((q & 15) | h0) - 16) * d;
      out[y + j + 16] = (((q >> 4) | h1) - 16) * d;
    }
  }
}

function deqQ5_1(b: Uint8Array, out: Float32Array, nb: number): void {
  for (let i = 0; i < nb; i++) {
    const o = i * 24;
    const d = f16At(b, o);
    const m = f16At(b, o + 2);
    const qh = (b[o + 4] | (b[o + 5] << 8) | (b[o + 6] << 16) | (b[o + 7] << 24)) >>> 0;
    const y = i * 32;
    for (let j = 0; j < 16; j++) {
      const q = b[o + 8 + j];
      const h0 = ((qh >>> j) & 1) << 4;
      const h1 = ((qh >>> (j + 16)) & 1) << 4;
      out[y + j] = Math.fround(((q & 15) | h0) * d) + m;
      out[y + j + 16] = Math.fround(((q >> 4) | h1) * d) + m;
    }
  }
}

function deqQ8_0(b: Uint8Array, out: Float32Array, nb: number): void {
  for (let i = 0; i < nb; i++) {
    const o = i * 34;
    const d = f16At(b, o);
    const y = i * 32;
    for (let j = 0; j < 32; j++) out[y + j] = ((b[o + 2 + j] << 24) >> 24) * d;
  }
}

/** ggml's get_scale_min_k4: the j-th 6-bit scale and min of a Q4_K/Q5_K block's 12 scale bytes at s. */
function scaleK4(b: Uint8Array, s: number, j: number): number {
  return j < 4 ? b[s + j] & 63 : (b[s + j + 4] & 0xf) | ((b[s + j - 4] >> 6) << 4);
}
function minK4(b: Uint8Array, s: number, j: number): number {
  return j < 4 ? b[s + j + 4] & 63 : (b[s + j + 4] >> 4) | ((b[s + j] >> 6) << 4);
}

/** Q2_K block (84 bytes): scales[16] (low nibble scale, high nibble min), qs[64] (2-bit), d, dmin. */
function deqQ2_K(b: Uint8Array, out: Float32Array, nb: number): void {
  for (let i = 0; i < nb; i++) {
    const o = i * 84;
    const d = f16At(b, o + 80);
    const dmin = f16At(b, o + 82);
    let is = 0;
    for (let h = 0; h < 2; h++) {
      const q = o + 16 + 32 * h;
      for (let j = 0; j < 4; j++) {
        const shift = 2 * j;
        const y = i * 256 + 128 * h + 32 * j;
        for (let half = 0; half < 2; half++) {
          const sc = b[o + is++];
          const dl = Math.fround(d * (sc & 15));
          const ml = Math.fround(dmin * (sc >> 4));
          for (let l = 16 * half; l < 16 * half + 16; l++) out[y + l] = Math.fround(dl * ((b[q + l] >> shift) & 3)) - ml;
        }
      }
    }
  }
}

/**
 * Q3_K block (110 bytes): hmask[32] (the third bit, inverted: a clear bit subtracts 4),
 * qs[64] (low 2 bits), scales[12] (16 six-bit scales, minus 32), d.
 */
function deqQ3_K(b: Uint8Array, out: Float32Array, nb: number): void {
  const scales = new Int8Array(16);
  for (let i = 0; i < nb; i++) {
    const o = i * 110;
    const d = f16At(b, o + 108);
    const s = o + 96;
    for (let k = 0; k < 16; k++) {
      const low = k < 8 ? b[s + k] & 15 : b[s + k - 8] >> 4;
      const high = (b[s + 8 + (k & 3)] >> (2 * (k >> 2))) & 3;
      scales[k] = (low | (high << 4)) - 32;
    }
    let is = 0;
    for (let h = 0; h < 2; h++) {
      const q = o + 32 + 32 * h;
      for (let j = 0; j < 4; j++) {
        const shift = 2 * j;
        const bit = 4 * h + j;
        const y = i * 256 + 128 * h + 32 * j;
        for (let half = 0; half < 2; half++) {
          const dl = Math.fround(d * scales[is++]);
          for (let l = 16 * half; l < 16 * half + 16; l++) {
            // ggml: q − (hmask bit set ? 0 : 4), without a data-dependent branch
            out[y + l] = dl * (((b[q + l] >> shift) & 3) - ((((b[o + l] >> bit) & 1) ^ 1) << 2));
          }
        }
      }
    }
  }
}

function deqQ4_K(b: Uint8Array, out: Float32Array, nb: number): void {
  for (let i = 0; i < nb; i++) {
    const o = i * 144;
    const d = f16At(b, o);
    const dmin = f16At(b, o + 2);
    const s = o + 4;
    for (let j = 0; j < 4; j++) {
      const d1 = Math.fround(d * scaleK4(b, s, 2 * j));
      const m1 = Math.fround(dmin * minK4(b, s, 2 * j));
      const d2 = Math.fround(d * scaleK4(b, s, 2 * j + 1));
      const m2 = Math.fround(dmin * minK4(b, s, 2 * j + 1));
      const q = o + 16 + 32 * j;
      const y = i * 256 + 64 * j;
      for (let l = 0; l < 32; l++) {
        out[y + l] = Math.fround(d1 * (b[q + l] & 15)) - m1;
        out[y + 32 + l] = Math.fround(d2 * (b[q + l] >> 4)) - m2;
      }
    }
  }
}

function deqQ5_K(b: Uint8Array, out: Float32Array, nb: number): void {
  for (let i = 0; i < nb; i++) {
    const o = i * 176;
    const d = f16At(b, o);
    const dmin = f16At(b, o + 2);
    const s = o + 4;
    const qh = o + 16;
    for (let j = 0; j < 4; j++) {
      const d1 = Math.fround(d * scaleK4(b, s, 2 * j));
      const m1 = Math.fround(dmin * minK4(b, s, 2 * j));
      const d2 = Math.fround(d * scaleK4(b, s, 2 * j + 1));
      const m2 = Math.fround(dmin * minK4(b, s, 2 * j + 1));
      const q = o + 48 + 32 * j;
      const y = i * 256 + 64 * j;
      const s1 = 2 * j;
      const s2 = 2 * j + 1;
      for (let l = 0; l < 32; l++) {
        const h = b[qh + l];
        out[y + l] = Math.fround(d1 * ((b[q + l] & 15) + (((h >> s1) & 1) << 4))) - m1;
        out[y + 32 + l] = Math.fround(d2 * ((b[q + l] >> 4) + (((h >> s2) & 1) << 4))) - m2;
      }
    }
  }
}

function deqQ6_K(b: Uint8Array, out: Float32Array, nb: number): void {
  for (let i = 0; i < nb; i++) {
    const o = i * 210;
    const d = f16At(b, o + 208);
    for (let n = 0; n < 2; n++) {
      const ql = o + 64 * n;
      const qh = o + 128 + 32 * n;
      const sc = o + 192 + 8 * n;
      const y = i * 256 + 128 * n;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const h = b[qh + l];
        const a = b[ql + l];
        const c = b[ql + l + 32];
        const q1 = ((a & 15) | ((h & 3) << 4)) - 32;
        const q2 = ((c & 15) | (((h >> 2) & 3) << 4)) - 32;
        const q3 = ((a >> 4) | (((h >> 4) & 3) << 4)) - 32;
        const q4 = ((c >> 4) | (((h >> 6) & 3) << 4)) - 32;
        out[y + l] = Math.fround(d * ((b[sc + is] << 24) >> 24)) * q1;
        out[y + l + 32] = Math.fround(d * ((b[sc + is + 2] << 24) >> 24)) * q2;
        out[y + l + 64] = Math.fround(d * ((b[sc + is + 4] << 24) >> 24)) * q3;
        out[y + l + 96] = Math.fround(d * ((b[sc + is + 6] << 24) >> 24)) * q4;
      }
    }
  }
}

function deqQ8_K(b: Uint8Array, out: Float32Array, nb: number): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < nb; i++) {
    const o = i * 292;
    const d = dv.getFloat32(o, true);
    const y = i * 256;
    for (let j = 0; j < 256; j++) out[y + j] = d * ((b[o + 4 + j] << 24) >> 24);
  }
}

const KERNELS = new Map<string, (b: Uint8Array, out: Float32Array, nb: number) => void>([
  ['Q4_0', deqQ4_0],
  ['Q4_1', deqQ4_1],
  ['Q5_0', deqQ5_0],
  ['Q5_1', deqQ5_1],
  ['Q8_0', deqQ8_0],
  ['Q2_K', deqQ2_K],
  ['Q3_K', deqQ3_K],
  ['Q4_K', deqQ4_K],
  ['Q5_K', deqQ5_K],
  ['Q6_K', deqQ6_K],
  ['Q8_K', deqQ8_K],
]);

/**
 * Decodes `count` elements of a ggml tensor type to float32, as ggml's `dequantize_row_*` does.
 *
 * Supported: F32, F16, BF16, F64, I8, I16, I32, I64 (exact, or rounded to the nearest float32
 * for F64/I64) and the block types Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 (32 elements per block) and
 * Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K (256 per block), bit-exact with ggml's float32 arithmetic.
 *
 * Reference: ggml-quants.c (`dequantize_row_q4_0` … `dequantize_row_q8_K`), block layouts in
 * ggml-common.h.
 *
 * @param type - ggml type name (`'Q4_K'`) or enum value (12).
 * @param bytes - Exactly the tensor's bytes: `count / blockSize · typeSize` of them.
 * @param count - Number of elements; a multiple of the type's block size.
 * @returns A new Float32Array of `count` values.
 * @throws {OckhamError} UNSUPPORTED for types it does not decode (Q8_1, IQ*, TQ*, MXFP4),
 *   INVALID_ARGUMENT when `count` is not a whole number of blocks, SHAPE_MISMATCH when `bytes`
 *   has the wrong length.
 * @example
 * import { dequantizeGgml } from 'ockham';
 * // One Q8_0 block: scale 0.5 (f16 0x3800), quants 0..31.
 * const block = new Uint8Array(34);
 * block[1] = 0x38;
 * for (let j = 0; j < 32; j++) block[2 + j] = j;
 * dequantizeGgml('Q8_0', block, 32); // Float32Array [0, 0.5, 1, …, 15.5]
 */
export function dequantizeGgml(type: string | number, bytes: Uint8Array, count: number): Float32Array {
  const t = ggmlType(type);
  if (!t) throw new OckhamError('UNSUPPORTED', 'type', `unknown ggml type ${JSON.stringify(type)}`);
  if (!t.supported) {
    throw new OckhamError('UNSUPPORTED', 'type', `ggml type ${t.name} is not decoded; supported: ${GGUF_SUPPORTED_TYPES.join(', ')}`);
  }
  if (!(bytes instanceof Uint8Array)) throw new OckhamError('INVALID_ARGUMENT', 'bytes', 'expected a Uint8Array');
  if (!Number.isSafeInteger(count) || count < 0 || count % t.blockSize !== 0) {
    throw new OckhamError('INVALID_ARGUMENT', 'count', `expected a non-negative multiple of ${t.name}'s block size ${t.blockSize}, got ${String(count)}`);
  }
  const nb = count / t.blockSize;
  if (bytes.length !== nb * t.typeSize) {
    throw new OckhamError('SHAPE_MISMATCH', 'bytes', `${count} ${t.name} elements take ${nb * t.typeSize} bytes, got ${bytes.length}`);
  }
  const kind = PLAIN_KIND.get(t.name);
  if (kind) return decodeToFloat32(bytes, 0, count, kind, true);
  const out = new Float32Array(count);
  KERNELS.get(t.name)!(bytes, out, nb);
  return out;
}

/** Metadata as strings for {@link WeightsFile.metadata}: scalars printed, long arrays summarised. Shared with the Node reader. @internal */
export function ggufMetadataStrings(metadata: Map<string, GgufMetadataEntry>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, e] of metadata) {
    let s: string;
    if (Array.isArray(e.value) || ArrayBuffer.isView(e.value)) {
      const n = (e.value as ArrayLike<unknown>).length;
      s = n <= 16 && e.itemType !== 'ARRAY'
        ? JSON.stringify(Array.from(e.value as ArrayLike<unknown>), (_key, x) => (typeof x === 'bigint' ? x.toString() : x))
        : `[${n} × ${e.itemType ?? '?'}]`;
    } else {
      s = String(e.value);
    }
    Object.defineProperty(out, k, { value: s, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Tensor table entries selected by `names` (all when null), checking every name exists. Shared with the Node reader. @internal */
export function selectGgufTensors(header: GgufHeader, names: ReadonlySet<string> | null, argument: string, maxTensors = Infinity): GgufTensorInfo[] {
  if (header.tensors.length > maxTensors) {
    throw new OckhamError('OUT_OF_RANGE', argument, `${header.tensors.length} tensors, more than maxTensors = ${maxTensors}`);
  }
  if (!names) return header.tensors;
  const have = new Set(header.tensors.map((t) => t.name));
  for (const n of names) if (!have.has(n)) throw new OckhamError('INVALID_ARGUMENT', 'options.names', `${argument} has no tensor ${JSON.stringify(n)}`);
  return header.tensors.filter((t) => names.has(t.name));
}

/** Checks a tensor against the per-tensor budget and the running total; returns the new total. Shared with the Node reader. @internal */
export function chargeGgufTensor(t: GgufTensorInfo, o: ResolvedGgufOptions, total: number, argument: string): number {
  const out = t.elements * 4;
  const raw = t.end - t.start;
  const size = Math.max(out, raw);
  if (size > o.maxTensorBytes) {
    throw new OckhamError(
      'OUT_OF_RANGE',
      argument,
      `tensor ${JSON.stringify(t.name)} (${t.type} [${t.shape.join(', ')}]) needs ${size} bytes, more than maxTensorBytes = ${o.maxTensorBytes}`,
    );
  }
  const next = total + out + (o.stored ? raw : 0);
  if (next > o.maxTotalBytes) {
    throw new OckhamError(
      'OUT_OF_RANGE',
      argument,
      `reading tensor ${JSON.stringify(t.name)} brings the total to ${next} bytes, more than maxTotalBytes = ${o.maxTotalBytes}`,
    );
  }
  return next;
}

/** Decodes one tensor from exactly its bytes. Shared with the Node reader. @internal */
export function decodeGgufTensor(t: GgufTensorInfo, bytes: Uint8Array, keepStored: boolean): LoadedTensor {
  let data: Float32Array;
  try {
    data = dequantizeGgml(t.typeId, bytes, t.elements);
  } catch (e) {
    if (e instanceof OckhamError) throw new OckhamError(e.code, `tensor ${JSON.stringify(t.name)}`, e.message.replace(/^[^:]*: /, ''));
    throw e;
  }
  const out: LoadedTensor = { name: t.name, dtype: t.type, shape: t.shape.slice(), data, layout: 'gguf' };
  if (keepStored) out.stored = { dtype: t.type, bytes: bytes.slice() };
  return out;
}

/** A parsed GGUF file: the {@link WeightsFile} plus its header. */
export interface GgufFile extends WeightsFile {
  format: 'gguf';
  header: GgufHeader;
}

/**
 * Parses a whole GGUF file held in memory and dequantizes its tensors to float32.
 *
 * Each tensor keeps ggml's type as `dtype` (`'Q4_K'`, `'BF16'`, …) so a report can say what it
 * measured, its shape row-major (ggml's `ne` reversed: a matrix reads `[out, in]`) and
 * `layout: 'gguf'`. Metadata arrays are summarised in `metadata` (`[151936 × STRING]` beyond 16
 * items); the typed values are in `header.metadata`.
 *
 * Reference: ggml's GGUF specification (docs/gguf.md) and ggml-quants.c.
 *
 * @param bytes - The file contents.
 * @param options - Budgets (`maxHeaderBytes` 64 MiB, `maxTensorBytes` 4 GiB, `maxTotalBytes`
 *   32 GiB, in bytes of float32 output), `stored: true` to keep each tensor's stored bytes,
 *   `names` to decode only some tensors.
 * @returns `{ format: 'gguf', tensors, metadata, header }`, tensors in tensor-table order.
 * @throws {OckhamError} as {@link parseGgufHeader}; UNSUPPORTED for tensors of a type it does
 *   not decode; OUT_OF_RANGE over a budget; INVALID_ARGUMENT for bad options or unknown names.
 * @example
 * import { parseGguf } from 'ockham';
 * // A GGUF v3 file with one F32 tensor "w", ggml dims [2, 1] (row-major [1, 2]), values [0.5, -1].
 * const enc = (s: string) => [...new TextEncoder().encode(s)];
 * const u64 = (n: number) => [n, 0, 0, 0, 0, 0, 0, 0];
 * const head = [...enc('GGUF'), 3, 0, 0, 0, ...u64(1), ...u64(0), ...u64(1), ...enc('w'), 2, 0, 0, 0, ...u64(2), ...u64(1), 0, 0, 0, 0, ...u64(0)];
 * const bytes = new Uint8Array(104); // 65 header bytes padded to 96 (alignment 32), then 8 data bytes
 * bytes.set(head);
 * bytes.set(new Uint8Array(new Float32Array([0.5, -1]).buffer), 96);
 * const { tensors } = parseGguf(bytes);
 * console.log(tensors[0].dtype, tensors[0].shape, tensors[0].data); // 'F32' [1, 2] Float32Array [0.5, -1]
 */
export function parseGguf(bytes: Uint8Array | ArrayBuffer, options?: GgufOptions): GgufFile {
  const o = resolveGgufOptions(options);
  const b = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(b instanceof Uint8Array)) throw new OckhamError('INVALID_ARGUMENT', 'bytes', 'expected a Uint8Array or ArrayBuffer');
  const header = parseGgufHeader(b, b.length, o);
  let total = 0;
  const tensors: LoadedTensor[] = [];
  for (const t of selectGgufTensors(header, o.names, 'bytes', o.maxTensors)) {
    total = chargeGgufTensor(t, o, total, 'bytes');
    tensors.push(decodeGgufTensor(t, b.subarray(t.start, t.end), o.stored));
  }
  return { format: 'gguf', tensors, metadata: ggufMetadataStrings(header.metadata), header };
}
