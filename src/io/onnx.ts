/**
 * ONNX model reader (browser-safe): the graph's initializers (the weights) as float32 tensors.
 *
 * An `.onnx` file is a protobuf `ModelProto`; its `graph.initializer` entries are `TensorProto`s
 * holding their values in `raw_data` (little-endian), in a typed repeated field (`float_data`,
 * `int32_data` — which also carries float16/bfloat16/int8/uint8 bit patterns — `int64_data`,
 * `double_data`, `uint64_data`), or in an external file (`data_location = EXTERNAL` with
 * `location`/`offset`/`length` entries). Decoded with the small wire-format reader in
 * `protobuf.ts`; only the fields listed here are read, everything else (nodes, types, …) is
 * skipped after its length is checked.
 *
 * Reference: onnx/onnx.proto3 (IR version ≤ 10) and docs/ExternalData.md; the fixtures in
 * test/fixtures/onnx were written by onnx 1.12.0 and torch.onnx (PyTorch 1.13.1).
 */
import { OckhamError } from '../errors.js';
import { assertKnownOptions } from '../util/validate.js';
import { BUDGET_KEYS, OutputMeter, READ_BUDGET_DEFAULTS, resolveReadBudget, type ReadBudget } from './budget.js';
import { decodeToFloat32, ITEM_SIZE, type ElementKind } from './dtypes.js';
import {
  countPackedVarints,
  forEachField,
  protoCursor,
  readFixed32,
  readFixed64,
  readLength,
  readSignedVarint,
  readString,
  readVarint,
  readVarint64,
  subMessage,
  type ProtoCursor,
  type WireType,
} from './protobuf.js';
import type { LoadedTensor, WeightsFile } from './types.js';

/**
 * Options of {@link parseOnnx}: external data plus the readers' shared {@link ReadBudget}
 * (`maxTensorBytes`, `maxTotalBytes`, `maxTensors` apply; the header limits do not: an `.onnx`
 * file is one protobuf, bounded by its own length).
 */
export interface OnnxOptions extends ReadBudget {
  /**
   * Contents of external data files, keyed by the `location` the model names (e.g.
   * `model.onnx.data`). Needed only for models saved with external data; `readOnnxFile`
   * (ockham/node) reads them from the model's folder instead.
   */
  externalData?: ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>;
}

/** Default budgets of {@link OnnxOptions} (= READ_BUDGET_DEFAULTS). */
export const ONNX_DEFAULT_BUDGET: Readonly<Required<ReadBudget>> = READ_BUDGET_DEFAULTS;

/** TensorProto.DataType → element kind and ONNX's (lower-case) name. */
const DATA_TYPES: ReadonlyMap<number, { kind: ElementKind; name: string }> = new Map([
  [1, { kind: 'f32', name: 'float' }],
  [2, { kind: 'u8', name: 'uint8' }],
  [3, { kind: 'i8', name: 'int8' }],
  [4, { kind: 'u16', name: 'uint16' }],
  [5, { kind: 'i16', name: 'int16' }],
  [6, { kind: 'i32', name: 'int32' }],
  [7, { kind: 'i64', name: 'int64' }],
  [9, { kind: 'bool', name: 'bool' }],
  [10, { kind: 'f16', name: 'float16' }],
  [11, { kind: 'f64', name: 'double' }],
  [12, { kind: 'u32', name: 'uint32' }],
  [13, { kind: 'u64', name: 'uint64' }],
  [16, { kind: 'bf16', name: 'bfloat16' }],
  [17, { kind: 'f8e4m3', name: 'float8e4m3fn' }],
  [19, { kind: 'f8e5m2', name: 'float8e5m2' }],
]);

const UNSUPPORTED_TYPES: ReadonlyMap<number, string> = new Map([
  [0, 'UNDEFINED'],
  [8, 'STRING'],
  [14, 'COMPLEX64'],
  [15, 'COMPLEX128'],
  [18, 'FLOAT8E4M3FNUZ'],
  [20, 'FLOAT8E5M2FNUZ'],
  [21, 'UINT4'],
  [22, 'INT4'],
  [23, 'FLOAT4E2M1'],
]);

/** TensorProto field numbers. */
const F_DIMS = 1;
const F_DATA_TYPE = 2;
const F_SEGMENT = 3;
const F_FLOAT_DATA = 4;
const F_INT32_DATA = 5;
const F_STRING_DATA = 6;
const F_INT64_DATA = 7;
const F_NAME = 8;
const F_RAW_DATA = 9;
const F_DOUBLE_DATA = 10;
const F_UINT64_DATA = 11;
const F_EXTERNAL_DATA = 13;
const F_DATA_LOCATION = 14;

/** Which typed field holds the values of each element kind (onnx.proto3 comments). */
function typedField(kind: ElementKind): number {
  switch (kind) {
    case 'f32':
      return F_FLOAT_DATA;
    case 'f64':
      return F_DOUBLE_DATA;
    case 'i64':
      return F_INT64_DATA;
    case 'u32':
    case 'u64':
      return F_UINT64_DATA;
    default:
      return F_INT32_DATA; // u8 i8 u16 i16 i32 bool f16 bf16 f8
  }
}

/** Where an external tensor's bytes are. */
export interface OnnxExternalRef {
  location: string;
  offset: number;
  /** Bytes to read: the `length` entry, which must equal the tensor's size. */
  length: number;
}

/** One initializer, located but not decoded. */
export interface OnnxTensorEntry {
  name: string;
  /** ONNX data type name (`float`, `float16`, `bfloat16`, `int8`, …). */
  dtype: string;
  kind: ElementKind;
  shape: number[];
  numel: number;
  /** The TensorProto's byte range in the model (re-read when decoding typed fields). */
  message: { start: number; end: number };
  /** raw_data's byte range, if present. */
  raw?: { start: number; end: number };
  external?: OnnxExternalRef;
}

/** The initializers and model-level metadata of a model, before any tensor is decoded. */
export interface OnnxScan {
  tensors: OnnxTensorEntry[];
  metadata: Record<string, string>;
}

function setOwn(obj: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function fail(argument: string, message: string): never {
  throw new OckhamError('PARSE_ERROR', argument, message);
}

/** Reads a varint-valued field whether packed (wire type 2) or not (0), calling `each` per value. */
function eachVarint(c: ProtoCursor, wireType: WireType, each: (c: ProtoCursor) => void): void {
  if (wireType === 0) {
    each(c);
    return;
  }
  if (wireType !== 2) fail(c.argument, `protobuf: integer field with wire type ${wireType}`);
  const { start, end } = readLength(c);
  const sub: ProtoCursor = { ...c, pos: start, end };
  while (sub.pos < sub.end) each(sub);
}

function readEntry(c: ProtoCursor): [string, string] {
  const m = subMessage(c);
  let key = '';
  let value = '';
  forEachField(m, (f, w) => {
    if (f === 1 && w === 2) key = readString(m);
    else if (f === 2 && w === 2) value = readString(m);
    else return false;
  });
  return [key, value];
}

function parseTensor(c: ProtoCursor, argument: string): OnnxTensorEntry {
  const m = subMessage(c);
  const message = { start: m.pos, end: m.end };
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  let raw: { start: number; end: number } | undefined;
  let location = 0;
  const ext: [string, string][] = [];
  forEachField(m, (f, w) => {
    switch (f) {
      case F_DIMS:
        eachVarint(m, w, (s) => {
          const d = readSignedVarint(s);
          if (!Number.isSafeInteger(d) || d < 0) fail(argument, `initializer dimension ${d} is not a non-negative integer`);
          if (dims.length >= 64) fail(argument, 'initializer has more than 64 dimensions');
          dims.push(d);
        });
        return;
      case F_DATA_TYPE:
        if (w !== 0) return false;
        dataType = readVarint(m);
        return;
      case F_NAME:
        if (w !== 2) return false;
        name = readString(m);
        return;
      case F_RAW_DATA:
        if (w !== 2) return false;
        raw = readLength(m);
        return;
      case F_EXTERNAL_DATA:
        if (w !== 2) return false;
        if (ext.length >= 16) fail(argument, 'initializer has more than 16 external_data entries');
        ext.push(readEntry(m));
        return;
      case F_DATA_LOCATION:
        if (w !== 0) return false;
        location = readVarint(m);
        return;
      case F_SEGMENT:
        throw new OckhamError('UNSUPPORTED', argument, `initializer ${JSON.stringify(name)} is split into segments, which ockham does not read`);
      default:
        return false; // typed data fields are re-read when decoding; doc_string, metadata_props
    }
  });
  const info = DATA_TYPES.get(dataType);
  if (!info) {
    const known = UNSUPPORTED_TYPES.get(dataType);
    throw new OckhamError('UNSUPPORTED', argument, `initializer ${JSON.stringify(name)} has data type ${known ?? dataType}; supported: ${[...DATA_TYPES.values()].map((d) => d.name).join(', ')}`);
  }
  let numel = 1;
  for (const d of dims) {
    numel *= d;
    if (!Number.isSafeInteger(numel)) fail(argument, `initializer ${JSON.stringify(name)} has too many elements`);
  }
  const entry: OnnxTensorEntry = { name, dtype: info.name, kind: info.kind, shape: dims, numel, message };
  const nbytes = numel * ITEM_SIZE[info.kind];
  if (location === 1) {
    let loc: string | undefined;
    let offset = 0;
    let length: number | undefined;
    for (const [k, v] of ext) {
      if (k === 'location') loc = v;
      else if (k === 'offset' || k === 'length') {
        if (!/^\d{1,16}$/.test(v) || !Number.isSafeInteger(Number(v))) fail(argument, `initializer ${JSON.stringify(name)}: external data ${k} ${JSON.stringify(v)} is not a non-negative integer`);
        if (k === 'offset') offset = Number(v);
        else length = Number(v);
      }
    }
    if (loc === undefined || loc === '') fail(argument, `initializer ${JSON.stringify(name)} is stored externally but names no location`);
    if (length !== undefined && length !== nbytes) fail(argument, `initializer ${JSON.stringify(name)}: external data length ${length} differs from its ${nbytes} bytes (${info.name} [${dims.join(', ')}])`);
    entry.external = { location: loc, offset, length: nbytes };
  } else if (location !== 0) {
    fail(argument, `initializer ${JSON.stringify(name)} has data_location ${location}`);
  } else if (raw) {
    if (raw.end - raw.start !== nbytes) fail(argument, `initializer ${JSON.stringify(name)}: raw_data holds ${raw.end - raw.start} bytes, ${info.name} [${dims.join(', ')}] needs ${nbytes}`);
    entry.raw = raw;
  }
  return entry;
}

/**
 * Walks a model's protobuf: model-level metadata and the top-level graph's initializers (located,
 * not decoded). Subgraphs (If/Loop bodies) and sparse initializers are not read.
 * @internal
 */
export function scanOnnx(bytes: Uint8Array, argument = 'bytes', maxTensors = READ_BUDGET_DEFAULTS.maxTensors): OnnxScan {
  const c = protoCursor(bytes, argument);
  const metadata: Record<string, string> = {};
  const tensors: OnnxTensorEntry[] = [];
  let sawGraph = false;
  const opsets: string[] = [];
  let props = 0;
  forEachField(c, (f, w) => {
    if (f === 7 && w === 2) {
      if (sawGraph) fail(argument, 'model has two graphs');
      sawGraph = true;
      const g = subMessage(c);
      forEachField(g, (gf, gw) => {
        if (gf === 5 && gw === 2) {
          // Counted as they are found: a 2 GB model of tiny initializers is refused before it becomes millions of objects.
          if (tensors.length >= maxTensors) throw new OckhamError('OUT_OF_RANGE', argument, `more than maxTensors = ${maxTensors} initializers`);
          tensors.push(parseTensor(g, argument));
        }
        else if (gf === 2 && gw === 2) setOwn(metadata, 'graph_name', readString(g));
        else return false;
      });
      return;
    }
    if (w === 0 && (f === 1 || f === 5)) {
      setOwn(metadata, f === 1 ? 'ir_version' : 'model_version', String(readVarint(c)));
      return;
    }
    if (w === 2 && (f === 2 || f === 3 || f === 4)) {
      setOwn(metadata, f === 2 ? 'producer_name' : f === 3 ? 'producer_version' : 'domain', readString(c));
      return;
    }
    if (w === 2 && f === 8) {
      const m = subMessage(c);
      let domain = '';
      let version = 0;
      forEachField(m, (of, ow) => {
        if (of === 1 && ow === 2) domain = readString(m);
        else if (of === 2 && ow === 0) version = readVarint(m);
        else return false;
      });
      if (opsets.length < 100) opsets.push(`${domain === '' ? 'ai.onnx' : domain}:${version}`);
      return;
    }
    if (w === 2 && f === 14) {
      const [k, v] = readEntry(c);
      if (++props <= 1000) setOwn(metadata, `metadata_props.${k}`, v);
      return;
    }
    return false;
  });
  if (!sawGraph) fail(argument, 'not an ONNX model: no graph (ModelProto field 7)');
  if (opsets.length > 0) setOwn(metadata, 'opset_import', opsets.join(','));
  const seen = new Set<string>();
  for (const t of tensors) {
    if (seen.has(t.name)) fail(argument, `two initializers are named ${JSON.stringify(t.name)}`);
    seen.add(t.name);
  }
  return { tensors, metadata };
}

/** Checks every tensor's float32 size (and the count) against the budget before anything is decoded. @internal */
export function checkOnnxBudget(tensors: readonly OnnxTensorEntry[], budget: Required<ReadBudget>, argument: string): void {
  const meter = new OutputMeter(budget, argument);
  for (const t of tensors) meter.add(t.name, t.numel, t.shape);
}

/**
 * Decodes one initializer. `external` holds exactly its `length` bytes when it is stored
 * externally (the caller read them).
 * @internal
 */
export function decodeOnnxTensor(model: Uint8Array, t: OnnxTensorEntry, argument: string, external?: Uint8Array): LoadedTensor {
  const result = (data: Float32Array): LoadedTensor => ({ name: t.name, dtype: t.dtype, shape: [...t.shape], data });
  try {
    if (t.external) {
      if (!external || external.length !== t.external.length) fail(argument, `initializer ${JSON.stringify(t.name)}: external data missing or of the wrong length`);
      // A plain view: a Node Buffer's slice() would not copy in the unaligned decode path.
      return result(decodeToFloat32(new Uint8Array(external.buffer, external.byteOffset, external.byteLength), 0, t.numel, t.kind));
    }
    if (t.raw) return result(decodeToFloat32(model, t.raw.start, t.numel, t.kind));
    return result(decodeTyped(model, t, argument));
  } catch (e) {
    if (e instanceof RangeError) throw new OckhamError('OUT_OF_RANGE', argument, `initializer ${JSON.stringify(t.name)} (${t.numel} elements) is too large for one JavaScript typed array`);
    throw e;
  }
}

/** Decodes a typed repeated field (packed or not), checking its element count first. */
function decodeTyped(model: Uint8Array, t: OnnxTensorEntry, argument: string): Float32Array {
  const field = typedField(t.kind);
  const fixedSize = field === F_FLOAT_DATA ? 4 : field === F_DOUBLE_DATA ? 8 : 0;
  // Pass 1: count.
  let count = 0;
  const c: ProtoCursor = { ...protoCursor(model, argument), pos: t.message.start, end: t.message.end, depth: 3 };
  forEachField(c, (f, w) => {
    if (f === F_STRING_DATA) fail(argument, `initializer ${JSON.stringify(t.name)} holds string_data`);
    if (f !== field) return false;
    if (w === 2) {
      const { start, end } = readLength(c);
      if (fixedSize) {
        if ((end - start) % fixedSize !== 0) fail(argument, `initializer ${JSON.stringify(t.name)}: packed field of ${end - start} bytes is not whole ${fixedSize}-byte values`);
        count += (end - start) / fixedSize;
      } else count += countPackedVarints(c, start, end);
    } else if ((fixedSize === 4 && w === 5) || (fixedSize === 8 && w === 1) || (fixedSize === 0 && w === 0)) {
      count++;
      return false;
    } else fail(argument, `initializer ${JSON.stringify(t.name)}: data field ${field} has wire type ${w}`);
  });
  if (count !== t.numel) {
    fail(argument, `initializer ${JSON.stringify(t.name)} (${t.dtype} [${t.shape.join(', ')}]) holds ${count} values, needs ${t.numel}${count === 0 ? ' (no raw_data, typed data or external data)' : ''}`);
  }
  const out = new Float32Array(t.numel);
  if (t.numel === 0) return out;
  // 16/8-bit float kinds: collect the bit patterns, then decode them exactly as raw bytes would be.
  const bitsKind = t.kind === 'f16' || t.kind === 'bf16' ? 2 : t.kind === 'f8e4m3' || t.kind === 'f8e5m2' ? 1 : 0;
  const bits = bitsKind ? new Uint8Array(t.numel * bitsKind) : undefined;
  let o = 0;
  const take = (s: ProtoCursor): void => {
    switch (field) {
      case F_FLOAT_DATA: {
        const u = readFixed32(s);
        u32[0] = u;
        out[o++] = f32[0];
        return;
      }
      case F_DOUBLE_DATA: {
        const { lo, hi } = readFixed64(s);
        u32d[0] = lo;
        u32d[1] = hi;
        out[o++] = f64[0];
        return;
      }
      case F_INT64_DATA:
        out[o++] = readSignedVarint(s);
        return;
      case F_UINT64_DATA:
        out[o++] = readVarint(s);
        return;
      default: {
        const v = readVarint64(s).lo | 0; // int32 semantics: the low 32 bits
        if (bits) {
          if (bitsKind === 2) {
            bits[2 * o] = v & 0xff;
            bits[2 * o + 1] = (v >>> 8) & 0xff;
          } else bits[o] = v & 0xff;
          o++;
        } else {
          switch (t.kind) {
            case 'u8':
              out[o++] = v & 0xff;
              break;
            case 'i8':
              out[o++] = (v << 24) >> 24;
              break;
            case 'u16':
              out[o++] = v & 0xffff;
              break;
            case 'i16':
              out[o++] = (v << 16) >> 16;
              break;
            case 'bool':
              out[o++] = v !== 0 ? 1 : 0;
              break;
            default:
              out[o++] = v;
          }
        }
      }
    }
  };
  const d: ProtoCursor = { ...c, pos: t.message.start };
  forEachField(d, (f, w) => {
    if (f !== field) return false;
    if (w === 2) {
      const { start, end } = readLength(d);
      const s: ProtoCursor = { ...d, pos: start, end };
      while (s.pos < s.end) take(s);
    } else take(d);
  });
  if (bits) return decodeToFloat32(bits, 0, t.numel, t.kind);
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u32d = new Uint32Array(f64.buffer);

function asBytes(bytes: Uint8Array | ArrayBuffer, argument: string): Uint8Array {
  if (bytes instanceof Uint8Array) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw new OckhamError('INVALID_ARGUMENT', argument, 'expected a Uint8Array or ArrayBuffer');
}

/** Resolves the budget fields of {@link OnnxOptions}. @internal */
export function resolveOnnxBudget(options: ReadBudget | undefined): Required<ReadBudget> {
  return resolveReadBudget(options);
}

/**
 * Parses an ONNX model's initializers (its weights) into float32 tensors, named as in the graph.
 *
 * Reads `raw_data`, the typed fields (`float_data`, `int32_data` for float16/bfloat16/int8/uint8/
 * int16/uint16/int32/bool/float8, `int64_data`, `double_data`, `uint64_data`; packed or not) and
 * external data (given in `options.externalData`, keyed by location; the Node reader
 * `readOnnxFile` reads it from the model's folder). Model metadata (`ir_version`,
 * `producer_name`, `opset_import`, `metadata_props.*`, …) goes to `metadata`. Values convert to
 * float32 as in {@link parseSafetensors} (exact for float16/bfloat16/int8/uint8; double rounded).
 *
 * Reference: onnx/onnx.proto3, docs/ExternalData.md.
 *
 * @param bytes - The `.onnx` file (not modified; returned arrays never alias it).
 * @param options - `{ externalData, …budget }` ({@link OnnxOptions}; defaults {@link ONNX_DEFAULT_BUDGET}).
 * @returns `{ format: 'onnx', tensors, metadata }`; `dtype` is ONNX's type name (`float`, `float16`, …).
 * @throws {OckhamError} PARSE_ERROR for malformed protobuf or inconsistent tensors (wrong byte or
 *   value counts, duplicate names); UNSUPPORTED for string/complex/4-bit tensors, segments, or
 *   external data not given; OUT_OF_RANGE past a budget.
 * @example
 * import { readFileSync } from 'node:fs';
 * import { parseOnnx } from 'ockham';
 * // In a browser: await (await fetch('tiny.onnx')).arrayBuffer()
 * const bytes = readFileSync('test/fixtures/onnx/tiny.onnx');
 * const { tensors } = parseOnnx(bytes);
 * tensors.map((t) => `${t.name} ${t.dtype} [${t.shape}]`); // ['conv.weight float [2,1,3,3]', …]
 */
export function parseOnnx(bytes: Uint8Array | ArrayBuffer, options?: OnnxOptions): WeightsFile {
  assertKnownOptions(options, 'options', ['externalData', ...BUDGET_KEYS]);
  const budget = resolveOnnxBudget(options);
  const argument = 'bytes';
  const b = asBytes(bytes, argument);
  const ext = options?.externalData;
  if (ext !== undefined && (ext === null || typeof ext !== 'object')) throw new OckhamError('INVALID_ARGUMENT', 'options.externalData', 'expected a Map or an object of Uint8Arrays keyed by location');
  const lookup = (loc: string): Uint8Array | undefined => {
    if (ext instanceof Map) return ext.get(loc);
    if (ext && Object.prototype.hasOwnProperty.call(ext, loc)) return (ext as Record<string, Uint8Array>)[loc];
    return undefined;
  };
  const scan = scanOnnx(b, argument, budget.maxTensors);
  checkOnnxBudget(scan.tensors, budget, argument);
  const tensors = scan.tensors.map((t) => {
    if (!t.external) return decodeOnnxTensor(b, t, argument);
    const file = lookup(t.external.location);
    if (!(file instanceof Uint8Array)) {
      throw new OckhamError('UNSUPPORTED', 'options.externalData', `initializer ${JSON.stringify(t.name)} is stored in external file ${JSON.stringify(t.external.location)}, which was not given (use readOnnxFile from ockham/node, or pass its bytes)`);
    }
    const { offset, length } = t.external;
    if (offset > file.length || length > file.length - offset) {
      fail(argument, `initializer ${JSON.stringify(t.name)}: bytes ${offset}..${offset + length} are outside external file ${JSON.stringify(t.external.location)} (${file.length} bytes)`);
    }
    return decodeOnnxTensor(b, t, argument, file.subarray(offset, offset + length));
  });
  return { format: 'onnx', tensors, metadata: scan.metadata };
}
