/**
 * safetensors reader and writer (browser-safe; works on bytes in memory).
 *
 * Format (huggingface/safetensors): 8-byte little-endian unsigned header length N, then N bytes
 * of UTF-8 JSON starting with `{` (the writer pads it with spaces), then the data buffer. Each
 * header entry `name: { dtype, shape, data_offsets: [begin, end] }` gives byte offsets relative to
 * the data buffer; the optional `__metadata__` entry maps strings to strings. As in the reference
 * implementation, the tensors must tile the data buffer exactly: no overlaps, no gaps, nothing
 * past the end, and `end − begin = product(shape) · itemsize`.
 */
import { OckhamError } from '../errors.js';
import { assertKnownOptions } from '../util/validate.js';
import { decodeToFloat32, floatToBfloat16, floatToHalf, ITEM_SIZE, type ElementKind } from './dtypes.js';
import type { LoadedTensor, WeightsFile } from './types.js';
import { BUDGET_KEYS, OutputMeter, READ_BUDGET_DEFAULTS, resolveReadBudget, type ReadBudget } from './budget.js';
import { scanJson } from './json-scan.js';

/** safetensors dtype names and the element encodings they map to. */
const DTYPES: Readonly<Record<string, ElementKind>> = {
  BOOL: 'bool',
  U8: 'u8',
  I8: 'i8',
  F8_E4M3: 'f8e4m3',
  F8_E5M2: 'f8e5m2',
  I16: 'i16',
  U16: 'u16',
  F16: 'f16',
  BF16: 'bf16',
  I32: 'i32',
  U32: 'u32',
  F32: 'f32',
  F64: 'f64',
  I64: 'i64',
  U64: 'u64',
};

/** dtype names accepted by {@link parseSafetensors}. */
export const SAFETENSORS_DTYPES: readonly string[] = Object.keys(DTYPES);

/** Own-key lookup: a dtype named `constructor` or `__proto__` is unknown, not Object's. */
const DTYPE_KIND: ReadonlyMap<string, ElementKind> = new Map(Object.entries(DTYPES));

/**
 * The reference implementation's cap on the JSON header (100 MB). ockham's default cap is lower:
 * `maxHeaderBytes` (16 MiB, see {@link READ_BUDGET_DEFAULTS}).
 */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

/** One tensor's entry in a validated header; offsets are absolute positions in the file. */
export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Absolute byte offset of the first byte in the file (8 + header length + begin). */
  start: number;
  /** Absolute byte offset one past the last byte. */
  end: number;
}

/** A validated safetensors header. */
export interface SafetensorsHeader {
  /** Length N of the JSON header in bytes. */
  headerLength: number;
  /** Absolute offset of the data buffer (8 + N). */
  dataOffset: number;
  /** Entries in file (offset) order. */
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
}

/** Sets an own enumerable property, even for the key `__proto__` (plain assignment would not). */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function fail(argument: string, message: string): never {
  throw new OckhamError('PARSE_ERROR', argument, message);
}

/**
 * Reads the header length from the first 8 bytes of a safetensors file and checks it against
 * the file size and the header cap.
 *
 * @param prefix - At least the first 8 bytes of the file.
 * @param fileSize - Total file size in bytes.
 * @param argument - Name used in error messages (e.g. a path).
 * @param maxHeaderBytes - Header cap in bytes (default 16 MiB, `READ_BUDGET_DEFAULTS.maxHeaderBytes`).
 * @returns The header length N in bytes.
 * @throws {OckhamError} PARSE_ERROR when the file is shorter than 8 bytes or N is past the end of
 *   the file; OUT_OF_RANGE when N exceeds `maxHeaderBytes`.
 * @example
 * import { serializeSafetensors, safetensorsHeaderLength } from 'ockham';
 * const bytes = serializeSafetensors([{ name: 'w', shape: [1], data: new Float32Array(1) }]);
 * safetensorsHeaderLength(bytes.subarray(0, 8), bytes.length); // 56
 */
export function safetensorsHeaderLength(
  prefix: Uint8Array,
  fileSize: number,
  argument = 'bytes',
  maxHeaderBytes: number = READ_BUDGET_DEFAULTS.maxHeaderBytes,
): number {
  if (fileSize < 8 || prefix.length < 8) fail(argument, `file is ${fileSize} bytes; a safetensors file needs at least 8`);
  const dv = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const n = hi * 4294967296 + lo;
  if (n < 2) fail(argument, `header length ${n} is too small to hold a JSON object`);
  if (8 + n > fileSize) fail(argument, `header length ${n} runs past the end of the ${fileSize}-byte file (exceeds its ${fileSize - 8} bytes after the length field; truncated?)`);
  if (n > maxHeaderBytes) {
    throw new OckhamError('OUT_OF_RANGE', argument, `header length ${n} exceeds maxHeaderBytes = ${maxHeaderBytes} (raise it with the maxHeaderBytes option / --max-header-bytes if the file is trusted)`);
  }
  return n;
}

/**
 * Parses and validates a safetensors JSON header against the file size.
 *
 * Checks: before `JSON.parse`, the header size (`maxHeaderBytes`), its nesting depth
 * (`maxHeaderDepth`, 128 as in the reference reader) and duplicate keys in any object; then a
 * JSON object starting with `{`; string→string `__metadata__`; known dtypes; shapes of
 * non-negative integers; integer offsets with begin ≤ end; byte size = product(shape)·itemsize;
 * tensors tiling the data buffer exactly (no overlap, no gap, nothing past the end of the file);
 * at most `maxTensors` tensors.
 *
 * @param headerBytes - The N header bytes (after the 8-byte length).
 * @param fileSize - Total file size in bytes.
 * @param argument - Name used in error messages.
 * @param options - Budget ({@link ReadBudget}): `maxHeaderBytes`, `maxHeaderDepth`, `maxTensors` apply.
 * @returns The header with absolute offsets, entries sorted by offset.
 * @throws {OckhamError} PARSE_ERROR for malformed headers or duplicate keys, UNSUPPORTED for
 *   unknown dtypes, OUT_OF_RANGE when a budget is exceeded.
 * @example
 * import { serializeSafetensors, safetensorsHeaderLength, parseSafetensorsHeader } from 'ockham';
 * const bytes = serializeSafetensors([{ name: 'w', shape: [2], data: new Float32Array(2) }]);
 * const n = safetensorsHeaderLength(bytes, bytes.length);
 * parseSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.length).entries[0].name; // 'w'
 */
export function parseSafetensorsHeader(
  headerBytes: Uint8Array,
  fileSize: number,
  argument = 'bytes',
  options?: ReadBudget,
): SafetensorsHeader {
  const budget = resolveReadBudget(options);
  const headerLength = headerBytes.length;
  const dataOffset = 8 + headerLength;
  if (headerLength > budget.maxHeaderBytes) {
    throw new OckhamError('OUT_OF_RANGE', argument, `header length ${headerLength} exceeds maxHeaderBytes = ${budget.maxHeaderBytes}`);
  }
  if (headerBytes[0] !== 0x7b) fail(argument, 'header does not start with "{"');
  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  const dataSize = fileSize - dataOffset;
  let tensorCount = 0;
  const member = (name: string, raw: unknown): void => {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(argument, '__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(argument, `__metadata__.${k} must be a string, got ${typeof v}`);
        setOwn(metadata, k, v);
      }
      return;
    }
    const where = `tensor ${JSON.stringify(name)}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(argument, `${where}: entry must be an object`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof dtype !== 'string') fail(argument, `${where}: dtype must be a string`);
    const kind = DTYPE_KIND.get(dtype);
    if (kind === undefined) {
      throw new OckhamError(
        'UNSUPPORTED',
        argument,
        `${where}: dtype ${JSON.stringify(dtype)} is not supported; supported: ${SAFETENSORS_DTYPES.join(', ')}`,
      );
    }
    if (!Array.isArray(shape)) fail(argument, `${where}: shape must be an array`);
    for (const dim of shape) {
      if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
        fail(argument, `${where}: shape entries must be non-negative integers, got ${JSON.stringify(dim)}`);
      }
    }
    const empty = (shape as number[]).includes(0);
    let count = empty ? 0 : 1;
    for (const dim of empty ? [] : (shape as number[])) {
      count *= dim;
      // Everything must fit in the file; stop absurd products before they lose precision.
      if (count * ITEM_SIZE[kind] > dataSize) {
        fail(argument, `${where}: shape [${shape.join(', ')}] needs more bytes than the ${dataSize}-byte data buffer holds`);
      }
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
    ) {
      fail(argument, `${where}: data_offsets must be [begin, end] with non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) fail(argument, `${where}: data_offsets [${begin}, ${end}] has begin > end`);
    if (end > dataSize) {
      fail(argument, `${where}: data_offsets [${begin}, ${end}] run past the ${dataSize}-byte data buffer (truncated file?)`);
    }
    const expected = count * ITEM_SIZE[kind];
    if (end - begin !== expected) {
      fail(
        argument,
        `${where}: data_offsets [${begin}, ${end}] span ${end - begin} bytes but ${dtype} [${shape.join(', ')}] needs ${expected}`,
      );
    }
    entries.push({ name, dtype, shape: (shape as number[]).slice(), start: dataOffset + begin, end: dataOffset + end });
  };
  // The header is scanned once, member by member, and each member is parsed and validated as
  // soon as it ends: the whole header is never materialised by JSON.parse, so 16 MiB of
  // `"k":{}` spam fails at its first member instead of building 1.7 M objects. Arrays in a
  // safetensors header are shapes and [begin, end] pairs: flat and short (numpy caps rank at 64).
  const decoder = new TextDecoder('utf-8');
  scanJson(headerBytes, budget.maxHeaderDepth, argument, 'header', { flatArrays: true, maxArrayItems: 1024 }, (name, s0, s1) => {
    let raw: unknown;
    try {
      raw = JSON.parse(decoder.decode(headerBytes.subarray(s0, s1)));
    } catch (e) {
      fail(argument, `header is not valid UTF-8 JSON at ${JSON.stringify(name)} (${(e as Error).message})`);
    }
    if (name !== '__metadata__' && ++tensorCount > budget.maxTensors) {
      throw new OckhamError('OUT_OF_RANGE', argument, `header lists more than maxTensors = ${budget.maxTensors} tensors`);
    }
    member(name, raw);
  });
  // After the structural scan (cheap refusals first): the whole header must be UTF-8.
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch (e) {
    fail(argument, `header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  entries.sort((a, b) => a.start - b.start || a.end - b.end);
  let cursor = dataOffset;
  for (const e of entries) {
    if (e.start < cursor) {
      fail(argument, `tensor ${JSON.stringify(e.name)} overlaps the previous tensor (starts at data byte ${e.start - dataOffset}, previous ends at ${cursor - dataOffset})`);
    }
    if (e.start > cursor) {
      fail(argument, `gap in the data buffer before tensor ${JSON.stringify(e.name)} (bytes ${cursor - dataOffset}..${e.start - dataOffset} unused)`);
    }
    cursor = e.end;
  }
  if (cursor !== fileSize) {
    fail(argument, `data buffer has ${fileSize - cursor} trailing bytes not covered by any tensor`);
  }
  return { headerLength, dataOffset, entries, metadata };
}

/**
 * Decodes one tensor's bytes (exactly its byte range) to float32.
 *
 * @param entry - A header entry from {@link parseSafetensorsHeader}.
 * @param bytes - The tensor's bytes (`entry.end − entry.start` of them).
 * @returns The tensor with float32 data.
 * @throws {OckhamError} PARSE_ERROR when `bytes` has the wrong length.
 * @example
 * import { decodeSafetensorsEntry, parseSafetensorsHeader, safetensorsHeaderLength, serializeSafetensors } from 'ockham';
 * const fileBytes = serializeSafetensors([{ name: 'w', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }]);
 * const n = safetensorsHeaderLength(fileBytes.subarray(0, 8), fileBytes.length);
 * const [entry] = parseSafetensorsHeader(fileBytes.subarray(8, 8 + n), fileBytes.length).entries;
 * const t = decodeSafetensorsEntry(entry, fileBytes.subarray(entry.start, entry.end)); // t.data: Float32Array [1, 2, 3, 4]
 */
export function decodeSafetensorsEntry(entry: SafetensorsEntry, bytes: Uint8Array): LoadedTensor {
  const size = entry.end - entry.start;
  if (bytes.length !== size) {
    fail('bytes', `tensor ${JSON.stringify(entry.name)}: expected ${size} bytes, got ${bytes.length}`);
  }
  const kind = DTYPE_KIND.get(entry.dtype);
  if (kind === undefined) throw new OckhamError('UNSUPPORTED', 'entry.dtype', `dtype ${JSON.stringify(entry.dtype)} is not supported`);
  const data = decodeToFloat32(bytes, 0, size / ITEM_SIZE[kind], kind, true, entry.name);
  return { name: entry.name, dtype: entry.dtype, shape: entry.shape.slice(), data };
}

function toBytes(input: unknown, argument: string): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new OckhamError('INVALID_ARGUMENT', argument, 'expected a Uint8Array or ArrayBuffer');
}

/**
 * Parses a whole safetensors file held in memory and converts every tensor to float32.
 *
 * Reference: the safetensors format specification (huggingface/safetensors, README "Format").
 * F16 and BF16 convert exactly; F64 and 64-bit integers round to the nearest float32. Non-finite
 * stored values are kept as they are (validate downstream if needed).
 *
 * @param bytes - The file contents.
 * @param options - Budget ({@link ReadBudget}); defaults in {@link READ_BUDGET_DEFAULTS}.
 * @returns `{ format: 'safetensors', tensors, metadata }`, tensors in file (offset) order.
 * @throws {OckhamError} PARSE_ERROR for truncated files, bad JSON, duplicate keys, out-of-range,
 *   overlapping or mis-sized offsets, bad shapes; UNSUPPORTED for unknown dtypes; INVALID_ARGUMENT
 *   for non-bytes; OUT_OF_RANGE when a budget is exceeded (before the allocation).
 * @example
 * import { serializeSafetensors, parseSafetensors } from 'ockham';
 * const bytes = serializeSafetensors([{ name: 'w', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }]);
 * parseSafetensors(bytes).tensors[0].data; // Float32Array [1, 2, 3, 4]
 */
export function parseSafetensors(bytes: Uint8Array | ArrayBuffer, options?: ReadBudget): WeightsFile {
  assertKnownOptions(options, 'options', BUDGET_KEYS);
  const budget = resolveReadBudget(options);
  const b = toBytes(bytes, 'bytes');
  const n = safetensorsHeaderLength(b, b.length, 'bytes', budget.maxHeaderBytes);
  const header = parseSafetensorsHeader(b.subarray(8, 8 + n), b.length, 'bytes', budget);
  const meter = new OutputMeter(budget, 'bytes');
  for (const e of header.entries) meter.add(e.name, elementCount(e), e.shape);
  const tensors = header.entries.map((e) => decodeSafetensorsEntry(e, b.subarray(e.start, e.end)));
  return { format: 'safetensors', tensors, metadata: header.metadata };
}

/** Number of elements of a validated header entry. */
export function elementCount(e: SafetensorsEntry): number {
  return (e.end - e.start) / ITEM_SIZE[DTYPE_KIND.get(e.dtype) as ElementKind];
}

/** A tensor to write; `dtype` defaults from the array type (Float32Array → F32, …). */
export interface SafetensorsInput {
  name: string;
  shape: readonly number[];
  data: Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
  /** Storage dtype; F16/BF16 round float data to nearest even. */
  dtype?: 'F32' | 'F64' | 'F16' | 'BF16' | 'I8' | 'U8' | 'I16' | 'U16' | 'I32' | 'U32';
}

function defaultDtype(data: SafetensorsInput['data']): NonNullable<SafetensorsInput['dtype']> {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Int8Array) return 'I8';
  if (data instanceof Uint8Array) return 'U8';
  if (data instanceof Int16Array) return 'I16';
  if (data instanceof Uint16Array) return 'U16';
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof Uint32Array) return 'U32';
  throw new OckhamError('INVALID_ARGUMENT', 'tensors[].data', 'expected a typed array');
}

function encode(data: SafetensorsInput['data'], dtype: NonNullable<SafetensorsInput['dtype']>, out: Uint8Array): void {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const n = data.length;
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) dv.setFloat32(4 * i, data[i], true);
      break;
    case 'F64':
      for (let i = 0; i < n; i++) dv.setFloat64(8 * i, data[i], true);
      break;
    case 'F16':
      for (let i = 0; i < n; i++) dv.setUint16(2 * i, floatToHalf(data[i]), true);
      break;
    case 'BF16':
      for (let i = 0; i < n; i++) dv.setUint16(2 * i, floatToBfloat16(data[i]), true);
      break;
    case 'I8':
      for (let i = 0; i < n; i++) dv.setInt8(i, data[i]);
      break;
    case 'U8':
      for (let i = 0; i < n; i++) dv.setUint8(i, data[i]);
      break;
    case 'I16':
      for (let i = 0; i < n; i++) dv.setInt16(2 * i, data[i], true);
      break;
    case 'U16':
      for (let i = 0; i < n; i++) dv.setUint16(2 * i, data[i], true);
      break;
    case 'I32':
      for (let i = 0; i < n; i++) dv.setInt32(4 * i, data[i], true);
      break;
    case 'U32':
      for (let i = 0; i < n; i++) dv.setUint32(4 * i, data[i], true);
      break;
  }
}

const INT_RANGE: Record<string, [number, number]> = {
  I8: [-128, 127],
  U8: [0, 255],
  I16: [-32768, 32767],
  U16: [0, 65535],
  I32: [-2147483648, 2147483647],
  U32: [0, 4294967295],
};

/**
 * Writes tensors as a safetensors file, deterministically.
 *
 * Tensors are sorted by name (code-unit order) and laid out back to back in that order; the
 * JSON header (`__metadata__` first, keys in sorted order) is padded with spaces so the data
 * buffer starts at a multiple of 8 bytes, as the specification recommends.
 *
 * @param tensors - Named tensors; names must be unique and not `__metadata__`; `shape` may be
 *   `[]` (scalar) and may contain zeros; `data.length` must equal product(shape).
 * @param metadata - Optional string → string map stored as `__metadata__`.
 * @returns The file bytes.
 * @throws {OckhamError} INVALID_ARGUMENT for duplicate/invalid names, non-string metadata or a
 *   dtype that does not fit the data (integer dtypes need integer data in range); SHAPE_MISMATCH
 *   when data length ≠ product(shape).
 * @example
 * import { serializeSafetensors } from 'ockham';
 * const bytes = serializeSafetensors([{ name: 'w', shape: [2, 3], data: new Float32Array(6) }], { step: '0' });
 */
export function serializeSafetensors(
  tensors: readonly SafetensorsInput[],
  metadata?: Record<string, string>,
): Uint8Array {
  if (!Array.isArray(tensors)) throw new OckhamError('INVALID_ARGUMENT', 'tensors', 'expected an array of tensors');
  const seen = new Set<string>();
  const items = tensors.map((t, i) => {
    const arg = `tensors[${i}]`;
    if (t === null || typeof t !== 'object') throw new OckhamError('INVALID_ARGUMENT', arg, 'expected { name, shape, data }');
    assertKnownOptions(t, arg, ['name', 'shape', 'data', 'dtype']);
    if (typeof t.name !== 'string' || t.name.length === 0 || t.name === '__metadata__') {
      throw new OckhamError('INVALID_ARGUMENT', `${arg}.name`, 'expected a non-empty string other than "__metadata__"');
    }
    if (seen.has(t.name)) throw new OckhamError('INVALID_ARGUMENT', `${arg}.name`, `duplicate tensor name ${JSON.stringify(t.name)}`);
    seen.add(t.name);
    if (!Array.isArray(t.shape)) throw new OckhamError('INVALID_ARGUMENT', `${arg}.shape`, 'expected an array of non-negative integers');
    let count = 1;
    for (let k = 0; k < t.shape.length; k++) {
      const d = t.shape[k];
      if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
        throw new OckhamError('INVALID_ARGUMENT', `${arg}.shape[${k}]`, `expected a non-negative integer, got ${String(d)}`);
      }
      count *= d;
    }
    const dtype = t.dtype ?? defaultDtype(t.data);
    if (!DTYPE_KIND.has(dtype) || dtype === 'BOOL' || dtype.startsWith('F8') || dtype === 'I64' || dtype === 'U64') {
      throw new OckhamError('INVALID_ARGUMENT', `${arg}.dtype`, `cannot write dtype ${JSON.stringify(dtype)}; use F32, F64, F16, BF16, I8, U8, I16, U16, I32 or U32`);
    }
    defaultDtype(t.data); // checks it is a typed array
    if (t.data.length !== count) {
      throw new OckhamError('SHAPE_MISMATCH', `${arg}.data`, `length ${t.data.length} does not match shape [${t.shape.join(', ')}] (product ${count})`);
    }
    const range = INT_RANGE[dtype];
    if (range) {
      for (let k = 0; k < t.data.length; k++) {
        const v = t.data[k];
        if (!Number.isInteger(v) || v < range[0] || v > range[1]) {
          throw new OckhamError('INVALID_ARGUMENT', `${arg}.data`, `element ${k} = ${v} does not fit ${dtype} (integers in ${range[0]}..${range[1]})`);
        }
      }
    }
    return { name: t.name, shape: t.shape.slice(), data: t.data, dtype, bytes: count * ITEM_SIZE[DTYPES[dtype]] };
  });
  items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new OckhamError('INVALID_ARGUMENT', 'metadata', 'expected an object of string values');
    }
    const meta: Record<string, string> = {};
    for (const k of Object.keys(metadata).sort()) {
      const v = metadata[k];
      if (typeof v !== 'string') throw new OckhamError('INVALID_ARGUMENT', `metadata.${k}`, `expected a string, got ${typeof v}`);
      setOwn(meta, k, v);
    }
    header.__metadata__ = meta;
  }
  let offset = 0;
  for (const it of items) {
    setOwn(header, it.name, { dtype: it.dtype, shape: it.shape, data_offsets: [offset, offset + it.bytes] });
    offset += it.bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, padded % 4294967296, true);
  dv.setUint32(4, Math.floor(padded / 4294967296), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let pos = 8 + padded;
  for (const it of items) {
    encode(it.data, it.dtype, out.subarray(pos, pos + it.bytes));
    pos += it.bytes;
  }
  return out;
}
