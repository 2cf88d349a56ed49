/**
 * NumPy `.npy` reader (browser-safe). Format: numpy/lib/format.py ("NEP 1"): magic `\x93NUMPY`,
 * major/minor version, a little-endian header length (u16 for v1, u32 for v2/v3), a Python dict
 * literal `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` (latin-1 for v1/v2,
 * UTF-8 for v3), then the raw array.
 */
import { OckhamError } from '../errors.js';
import { decodeToFloat32, ITEM_SIZE, type ElementKind } from './dtypes.js';
import type { LoadedTensor } from './types.js';
import { OutputMeter, resolveReadBudget, type ReadBudget } from './budget.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const KIND_TABLE: Readonly<Record<string, ElementKind>> = {
  f2: 'f16',
  f4: 'f32',
  f8: 'f64',
  i1: 'i8',
  i2: 'i16',
  i4: 'i32',
  i8: 'i64',
  u1: 'u8',
  u2: 'u16',
  u4: 'u32',
  u8: 'u64',
  b1: 'bool',
};
/** Own-key lookup: a descr such as `<constructor` is unknown, not Object's. */
const KINDS: ReadonlyMap<string, ElementKind> = new Map(Object.entries(KIND_TABLE));

/** A parsed `.npy` array. */
export interface NpyArray {
  /** The descr string as stored, e.g. `<f4`. */
  dtype: string;
  /** Row-major shape; `[]` is a scalar. */
  shape: number[];
  /** Values as float32, row-major (Fortran-ordered files are transposed). */
  data: Float32Array;
  /** Whether the file stored the array in Fortran (column-major) order. */
  fortranOrder: boolean;
  /** Format version, e.g. `1.0`. */
  version: string;
}

function fail(argument: string, message: string): never {
  throw new OckhamError('PARSE_ERROR', argument, message);
}

type PyValue = string | boolean | number | PyValue[] | { [k: string]: PyValue } | null;

/** A tiny parser for the Python literal subset numpy writes (dict, tuple, list, str, int, bool, None). */
function parsePyLiteral(text: string, argument: string, maxDepth: number): PyValue {
  let i = 0;
  const ws = () => {
    for (let c = text.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x0b; c = text.charCodeAt(++i));
  };
  const value = (depth: number): PyValue => {
    if (depth > maxDepth) fail(argument, `header nests deeper than ${maxDepth} levels`);
    ws();
    const c = text[i];
    if (c === '{' || c === '(' || c === '[') {
      const close = c === '{' ? '}' : c === '(' ? ')' : ']';
      i++;
      const obj: Record<string, PyValue> = {};
      let keyCount = 0;
      const arr: PyValue[] = [];
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          break;
        }
        const item = value(depth + 1);
        ws();
        if (c === '{') {
          if (typeof item !== 'string') fail(argument, 'header dict keys must be strings');
          if (text[i] !== ':') fail(argument, `expected ':' at header position ${i}`);
          i++;
          if (Object.prototype.hasOwnProperty.call(obj, item)) fail(argument, `header has the key ${JSON.stringify(item)} twice`);
          if (++keyCount > 16) fail(argument, 'header dict has more than 16 keys');
          // defineProperty: a key named __proto__ becomes data, never the object's prototype.
          Object.defineProperty(obj, item, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
          ws();
        } else {
          // numpy arrays have at most 64 dimensions; a longer tuple is hostile, not a shape.
          if (arr.length >= 1024) fail(argument, 'header has a tuple or list of more than 1024 items');
          arr.push(item);
        }
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(argument, `expected ',' or '${close}' at header position ${i}`);
      }
      return c === '{' ? obj : arr;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail(argument, 'unterminated string in header');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const m = /^(True|False|None|-?\d+L?)/.exec(text.slice(i, i + 32));
    if (!m) fail(argument, `unexpected ${JSON.stringify(text.slice(i, i + 10))} at header position ${i}`);
    i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number(m[0].replace('L', ''));
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail(argument, `trailing characters in header at position ${i}`);
  return v;
}

/** Parses a descr such as `<f4`, `|u1`, `>i2`, `=f8`; returns the element kind and endianness. */
function parseDescr(descr: PyValue, argument: string): { kind: ElementKind; littleEndian: boolean } {
  if (typeof descr !== 'string') {
    throw new OckhamError('UNSUPPORTED', argument, 'structured (record) dtypes are not supported; expected a plain numeric descr such as "<f4"');
  }
  const m = /^([<>|=]?)([a-zA-Z]\d+|\?)$/.exec(descr);
  const code = m ? (m[2] === '?' ? 'b1' : m[2]) : '';
  const kind = KINDS.get(code);
  if (!m || kind === undefined) {
    throw new OckhamError(
      'UNSUPPORTED',
      argument,
      `dtype ${JSON.stringify(descr)} is not supported; supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1 with < > | =`,
    );
  }
  // '=' is native order; numpy itself writes '<' or '>' explicitly, so '=' only comes from
  // hand-made files: read it as little-endian, the order of every platform numpy ships for.
  return { kind, littleEndian: m[1] !== '>' };
}

/**
 * Parses a NumPy `.npy` file and converts it to float32, row-major.
 *
 * Reference: the NPY format (numpy.lib.format, NEP 1), versions 1.0, 2.0 and 3.0.
 * Supports descr kinds f2/f4/f8, i1/i2/i4/i8, u1/u2/u4/u8, b1 in either byte order; Fortran-
 * ordered arrays are transposed to row-major. 64-bit values round to the nearest float32.
 *
 * @param bytes - The file contents.
 * @param argument - Name used in error messages (e.g. a path or an npz member).
 * @param options - Budget ({@link ReadBudget}): `maxHeaderBytes`, `maxHeaderDepth`, `maxTensorBytes` apply.
 * @returns `{ dtype, shape, data, fortranOrder, version }`.
 * @throws {OckhamError} PARSE_ERROR for bad magic, truncated or malformed headers (keys other
 *   than exactly `descr`, `fortran_order`, `shape`, or repeated), or a data size that differs from
 *   product(shape)·itemsize; UNSUPPORTED for object/structured dtypes; OUT_OF_RANGE over budget.
 * @example
 * import { parseNpy } from 'ockham';
 * // In a browser: new Uint8Array(await (await fetch('w.npy')).arrayBuffer()). Here: a float32 .npy built by hand.
 * const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".padEnd(117) + '\n';
 * const bytes = new Uint8Array(10 + header.length + 24);
 * bytes.set([0x93, 78, 85, 77, 80, 89, 1, 0, header.length, 0]); // \x93NUMPY v1.0, header length
 * bytes.set(new TextEncoder().encode(header), 10);
 * const arr = parseNpy(bytes);
 * arr.shape; // [2, 3]
 */
export function parseNpy(bytes: Uint8Array | ArrayBuffer, argument = 'bytes', options?: ReadBudget): NpyArray {
  const budget = resolveReadBudget(options);
  let b: Uint8Array;
  if (bytes instanceof Uint8Array) b = bytes;
  else if (bytes instanceof ArrayBuffer) b = new Uint8Array(bytes);
  else throw new OckhamError('INVALID_ARGUMENT', argument, 'expected a Uint8Array or ArrayBuffer');
  const h = readNpyHeader(b, argument, budget);
  new OutputMeter(budget, argument).add(argument, h.count, h.shape);
  return decodeNpy(b, h, argument);
}

/** A validated `.npy` header: where the data starts and how to decode it. */
export interface NpyHeader {
  descr: string;
  kind: ElementKind;
  littleEndian: boolean;
  shape: number[];
  count: number;
  fortranOrder: boolean;
  dataStart: number;
  version: string;
}

/** Reads and validates a `.npy` header (everything but the data); allocates nothing large. */
export function readNpyHeader(b: Uint8Array, argument: string, budget: Required<ReadBudget>): NpyHeader {
  if (b.length < 10 || MAGIC.some((m, k) => b[k] !== m)) fail(argument, 'not a .npy file (missing \\x93NUMPY magic)');
  const major = b[6];
  const minor = b[7];
  if (major < 1 || major > 3) throw new OckhamError('UNSUPPORTED', argument, `npy format version ${major}.${minor} is not supported (1.0–3.0)`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    start = 10;
  } else {
    if (b.length < 12) fail(argument, 'truncated npy header');
    headerLen = dv.getUint32(8, true);
    start = 12;
  }
  if (headerLen > budget.maxHeaderBytes) {
    throw new OckhamError('OUT_OF_RANGE', argument, `npy header length ${headerLen} exceeds maxHeaderBytes = ${budget.maxHeaderBytes}`);
  }
  if (start + headerLen > b.length) fail(argument, `header length ${headerLen} runs past the end of the ${b.length}-byte file`);
  const headerBytes = b.subarray(start, start + headerLen);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: major === 3 }).decode(headerBytes);
  } catch {
    fail(argument, 'header is not valid UTF-8');
  }
  const dict = parsePyLiteral(text.trim(), argument, Math.min(budget.maxHeaderDepth, 16));
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) fail(argument, 'header is not a dict');
  const keys = Object.keys(dict).sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') {
    fail(argument, `header keys are {${keys}}; numpy writes exactly {descr, fortran_order, shape}`);
  }
  const { descr, fortran_order: fortran, shape } = dict as Record<string, PyValue>;
  if (typeof fortran !== 'boolean') fail(argument, "header 'fortran_order' must be True or False");
  if (!Array.isArray(shape)) fail(argument, "header 'shape' must be a tuple");
  const { kind, littleEndian } = parseDescr(descr, argument);
  const dataStart = start + headerLen;
  const available = b.length - dataStart;
  const item = ITEM_SIZE[kind];
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) fail(argument, `shape entries must be non-negative integers, got ${JSON.stringify(d)}`);
  }
  const empty = (shape as number[]).includes(0);
  let count = empty ? 0 : 1;
  for (const d of empty ? [] : (shape as number[])) {
    count *= d;
    if (count * item > available) {
      fail(argument, `shape (${shape.join(', ')}) of ${descr} needs more than the ${available} data bytes present (truncated file?)`);
    }
  }
  if (count * item !== available) {
    fail(argument, `data is ${available} bytes but shape (${shape.join(', ')}) of ${descr} needs ${count * item}`);
  }
  return { descr: descr as string, kind, littleEndian, shape: (shape as number[]).slice(), count, fortranOrder: fortran, dataStart, version: `${major}.${minor}` };
}

/** Decodes the data of a `.npy` file whose header {@link readNpyHeader} validated. */
export function decodeNpy(b: Uint8Array, h: NpyHeader, argument: string): NpyArray {
  let data = decodeToFloat32(b, h.dataStart, h.count, h.kind, h.littleEndian, argument, argument);
  if (h.fortranOrder && h.shape.length > 1) data = fortranToRowMajor(data, h.shape);
  return { dtype: h.descr, shape: h.shape.slice(), data, fortranOrder: h.fortranOrder, version: h.version };
}

/** Reorders column-major data (first index fastest) into row-major (last index fastest). */
function fortranToRowMajor(src: Float32Array, shape: number[]): Float32Array {
  const rank = shape.length;
  const out = new Float32Array(src.length);
  if (src.length === 0) return out;
  const rowStride = new Array<number>(rank);
  let s = 1;
  for (let k = rank - 1; k >= 0; k--) {
    rowStride[k] = s;
    s *= shape[k];
  }
  if (rank === 2) {
    const [r, c] = shape;
    for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) out[i * c + j] = src[j * r + i];
    return out;
  }
  const idx = new Array<number>(rank).fill(0);
  let dst = 0;
  for (let f = 0; f < src.length; f++) {
    out[dst] = src[f];
    // Advance the multi-index with the first axis fastest, tracking the row-major position.
    for (let k = 0; k < rank; k++) {
      idx[k]++;
      dst += rowStride[k];
      if (idx[k] < shape[k]) break;
      dst -= idx[k] * rowStride[k];
      idx[k] = 0;
    }
  }
  return out;
}

/**
 * Converts a parsed `.npy` array to a {@link LoadedTensor}.
 *
 * @param name - The tensor name to give it.
 * @param arr - From {@link parseNpy}.
 * @returns `{ name, dtype, shape, data }` (shares `data` with `arr`).
 * @example
 * import { npyToTensor, parseNpy } from 'ockham';
 * const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".padEnd(117) + '\n';
 * const bytes = new Uint8Array(10 + header.length + 24);
 * bytes.set([0x93, 78, 85, 77, 80, 89, 1, 0, header.length, 0]);
 * bytes.set(new TextEncoder().encode(header), 10);
 * const t = npyToTensor('w', parseNpy(bytes)); // { name: 'w', dtype: '<f4', shape: [2, 3], data: Float32Array(6) }
 */
export function npyToTensor(name: string, arr: NpyArray): LoadedTensor {
  return { name, dtype: arr.dtype, shape: arr.shape, data: arr.data };
}
