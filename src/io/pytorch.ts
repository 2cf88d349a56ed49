/**
 * PyTorch checkpoint reader (browser-safe): `torch.save` files in the zip format (PyTorch ≥ 1.6)
 * and the legacy format (`_use_new_zipfile_serialization=False`), read without executing code.
 *
 * Zip format: `<prefix>/data.pkl` is a pickle whose tensors refer, by persistent id
 * `('storage', torch.FloatStorage, key, location, numel)`, to the raw little-endian bytes of
 * member `<prefix>/data/<key>` (`<prefix>/byteorder` says `big` in rare big-endian saves).
 * Legacy format: five pickles back to back — the magic number 0x1950a86a20f9469cfc6c, the
 * protocol version 1001, a dict of system info, the object (persistent ids
 * `('storage', type, key, location, numel, view_metadata)`), the list of storage keys — then,
 * for each key in that order, an int64 element count and the storage's bytes.
 *
 * Reference: torch/serialization.py and torch/_utils.py (PyTorch 1.13 and 2.x); the fixtures in
 * test/fixtures/pytorch were written by PyTorch 1.13.1.
 */
import { OckhamError } from '../errors.js';
import { assertKnownOptions } from '../util/validate.js';
import { BUDGET_KEYS, OutputMeter, READ_BUDGET_DEFAULTS, resolveReadBudget, type ReadBudget } from './budget.js';
import { decodeToFloat32, ITEM_SIZE, type ElementKind } from './dtypes.js';
import { isGlobalRef, unpickle, type PickleGlobal } from './pickle.js';
import type { LoadedTensor, WeightsFile } from './types.js';
import { listZipEntries, readZipEntry, type ZipEntry } from './zip.js';

/**
 * Budgets of {@link parsePytorch} / `readPytorchFile`: the readers' shared {@link ReadBudget}.
 * `maxHeaderBytes` bounds `data.pkl` (all legacy pickles together; the zip directory in the Node
 * reader), `maxTensorBytes` / `maxTotalBytes` / `maxTensors` the float32 output, `maxHeaderDepth`
 * the nesting of containers in the pickle; `maxExpansion` does not apply (torch stores members
 * uncompressed; the zip reader bounds deflated ones).
 */
export interface PytorchOptions extends ReadBudget {}

/** Default budgets of {@link PytorchOptions} (= READ_BUDGET_DEFAULTS). */
export const PYTORCH_DEFAULT_BUDGET: Readonly<Required<PytorchOptions>> = READ_BUDGET_DEFAULTS;

/** Most non-tensor leaves copied into `metadata`. */
const MAX_METADATA = 1000;

/** Storage class name (as torch.save writes it) → element kind and torch dtype name. */
const STORAGE_TYPES: ReadonlyMap<string, { kind: ElementKind; dtype: string }> = new Map([
  ['torch.FloatStorage', { kind: 'f32', dtype: 'float32' }],
  ['torch.DoubleStorage', { kind: 'f64', dtype: 'float64' }],
  ['torch.HalfStorage', { kind: 'f16', dtype: 'float16' }],
  ['torch.BFloat16Storage', { kind: 'bf16', dtype: 'bfloat16' }],
  ['torch.Float8_e4m3fnStorage', { kind: 'f8e4m3', dtype: 'float8_e4m3fn' }],
  ['torch.Float8_e5m2Storage', { kind: 'f8e5m2', dtype: 'float8_e5m2' }],
  ['torch.LongStorage', { kind: 'i64', dtype: 'int64' }],
  ['torch.IntStorage', { kind: 'i32', dtype: 'int32' }],
  ['torch.ShortStorage', { kind: 'i16', dtype: 'int16' }],
  ['torch.CharStorage', { kind: 'i8', dtype: 'int8' }],
  ['torch.ByteStorage', { kind: 'u8', dtype: 'uint8' }],
  ['torch.BoolStorage', { kind: 'bool', dtype: 'bool' }],
  ['torch.UInt16Storage', { kind: 'u16', dtype: 'uint16' }],
  ['torch.UInt32Storage', { kind: 'u32', dtype: 'uint32' }],
  ['torch.UInt64Storage', { kind: 'u64', dtype: 'uint64' }],
  // Untyped (byte) storage: PyTorch 2.x writes it for dtypes without a typed storage class and
  // gives the tensor's dtype to _rebuild_tensor_v3.
  ['torch.UntypedStorage', { kind: 'u8', dtype: 'uint8' }],
]);

/** torch dtype globals → element kind, for `_rebuild_tensor_v3`'s dtype argument. */
const TORCH_DTYPES: ReadonlyMap<string, { kind: ElementKind; dtype: string }> = new Map([
  ['torch.float32', { kind: 'f32', dtype: 'float32' }],
  ['torch.float', { kind: 'f32', dtype: 'float32' }],
  ['torch.float64', { kind: 'f64', dtype: 'float64' }],
  ['torch.double', { kind: 'f64', dtype: 'float64' }],
  ['torch.float16', { kind: 'f16', dtype: 'float16' }],
  ['torch.half', { kind: 'f16', dtype: 'float16' }],
  ['torch.bfloat16', { kind: 'bf16', dtype: 'bfloat16' }],
  ['torch.float8_e4m3fn', { kind: 'f8e4m3', dtype: 'float8_e4m3fn' }],
  ['torch.float8_e5m2', { kind: 'f8e5m2', dtype: 'float8_e5m2' }],
  ['torch.int8', { kind: 'i8', dtype: 'int8' }],
  ['torch.uint8', { kind: 'u8', dtype: 'uint8' }],
  ['torch.int16', { kind: 'i16', dtype: 'int16' }],
  ['torch.short', { kind: 'i16', dtype: 'int16' }],
  ['torch.uint16', { kind: 'u16', dtype: 'uint16' }],
  ['torch.int32', { kind: 'i32', dtype: 'int32' }],
  ['torch.int', { kind: 'i32', dtype: 'int32' }],
  ['torch.uint32', { kind: 'u32', dtype: 'uint32' }],
  ['torch.int64', { kind: 'i64', dtype: 'int64' }],
  ['torch.long', { kind: 'i64', dtype: 'int64' }],
  ['torch.uint64', { kind: 'u64', dtype: 'uint64' }],
  ['torch.bool', { kind: 'bool', dtype: 'bool' }],
]);

/** torch dtype globals (`torch.float32`, …) that configs inside checkpoints refer to. */
const TORCH_DTYPE_NAMES = [
  'float32', 'float', 'float64', 'double', 'float16', 'half', 'bfloat16', 'int8', 'uint8', 'int16', 'short', 'int32', 'int',
  'int64', 'long', 'bool', 'complex64', 'complex128', 'float8_e4m3fn', 'float8_e5m2', 'uint16', 'uint32', 'uint64',
];

/** A storage as a persistent id describes it. */
interface StorageRef {
  readonly kind: 'storage';
  readonly key: string;
  readonly elem: ElementKind;
  readonly dtype: string;
  readonly numel: number;
  /** Legacy storage views: element offset into the root storage `key`. */
  readonly viewOffset: number;
}

/** A tensor as `_rebuild_tensor_v2` describes it (a view on a storage). */
interface TensorRef {
  readonly kind: 'tensor';
  readonly storage: StorageRef;
  readonly offset: number;
  readonly size: number[];
  readonly stride: number[];
}

function isKind<T extends { kind: string }>(v: unknown, kind: T['kind']): v is T {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Uint8Array) && (v as T).kind === kind;
}

function intList(v: unknown, what: string, argument: string): number[] {
  if (!Array.isArray(v)) throw new OckhamError('PARSE_ERROR', argument, `${what} is not a tuple of integers`);
  return v.map((x) => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) throw new OckhamError('PARSE_ERROR', argument, `${what} holds ${String(x)}, not a non-negative integer`);
    return x;
  });
}

function rebuildTensor(args: unknown[], argument: string): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!isKind<StorageRef>(storage, 'storage')) throw new OckhamError('PARSE_ERROR', argument, 'tensor rebuilt from something that is not a storage');
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw new OckhamError('PARSE_ERROR', argument, `tensor storage offset ${String(offset)} is not a non-negative integer`);
  const s = intList(size, 'tensor size', argument);
  const st = intList(stride, 'tensor stride', argument);
  if (s.length !== st.length) throw new OckhamError('PARSE_ERROR', argument, `tensor size [${s.join(', ')}] and stride [${st.join(', ')}] differ in length`);
  if (s.length > 64) throw new OckhamError('PARSE_ERROR', argument, `tensor has ${s.length} dimensions (at most 64)`);
  return Object.freeze({ kind: 'tensor' as const, storage, offset, size: s, stride: st });
}

/**
 * The allow-list: exactly the globals torch.save emits for dense tensors, parameters and state
 * dicts. Each entry builds a plain value; nothing is imported or executed.
 */
function torchGlobals(argument: string): Map<string, PickleGlobal> {
  const g = new Map<string, PickleGlobal>();
  const tensorArg = (v: unknown, fn: string): TensorRef => {
    if (!isKind<TensorRef>(v, 'tensor')) throw new OckhamError('PARSE_ERROR', argument, `${fn}: first argument is not a tensor`);
    return v;
  };
  g.set('torch._utils._rebuild_tensor_v2', { call: (a) => rebuildTensor(a, argument) });
  g.set('torch._utils._rebuild_tensor', { call: (a) => rebuildTensor(a, argument) });
  g.set('torch._utils._rebuild_tensor_v3', {
    // (storage, offset, size, stride, requires_grad, hooks, dtype, metadata): the storage's bytes
    // are read as `dtype`.
    call: (a) => {
      const dt = a[6];
      const info = isGlobalRef(dt) ? TORCH_DTYPES.get(dt.name) : undefined;
      if (!info) throw new OckhamError('UNSUPPORTED', argument, `_rebuild_tensor_v3 with dtype ${isGlobalRef(dt) ? JSON.stringify(dt.name) : 'that is not a torch dtype'}`);
      const st = a[0];
      if (!isKind<StorageRef>(st, 'storage')) throw new OckhamError('PARSE_ERROR', argument, 'tensor rebuilt from something that is not a storage');
      const nbytes = st.numel * ITEM_SIZE[st.elem];
      if (nbytes % ITEM_SIZE[info.kind] !== 0) throw new OckhamError('PARSE_ERROR', argument, `storage ${JSON.stringify(st.key)} of ${nbytes} bytes is not whole ${info.dtype} elements`);
      const retyped: StorageRef = Object.freeze({ ...st, elem: info.kind, dtype: info.dtype, numel: nbytes / ITEM_SIZE[info.kind] });
      return rebuildTensor([retyped, ...a.slice(1)], argument);
    },
  });
  g.set('torch._utils._rebuild_parameter', { call: (a) => tensorArg(a[0], '_rebuild_parameter') });
  g.set('torch._utils._rebuild_parameter_with_state', { call: (a) => tensorArg(a[0], '_rebuild_parameter_with_state') });
  g.set('torch._tensor._rebuild_from_type_v2', {
    // (func, new_type, args, state): a tensor subclass; only plain Tensor/Parameter types are allowed.
    call: (a) => {
      const [fn, type, args] = a;
      if (!isGlobalRef(fn) || !isGlobalRef(type) || !Array.isArray(args)) throw new OckhamError('PARSE_ERROR', argument, '_rebuild_from_type_v2: malformed arguments');
      const inner = g.get(fn.name);
      if (!inner?.call || !fn.name.startsWith('torch._utils._rebuild_')) throw new OckhamError('UNSUPPORTED', argument, `_rebuild_from_type_v2 of ${JSON.stringify(fn.name)} is not supported`);
      return inner.call(args);
    },
  });
  g.set('torch.Tensor', {});
  g.set('torch.nn.parameter.Parameter', {});
  g.set('collections.OrderedDict', {
    call: (a) => {
      const d = new Map<unknown, unknown>();
      if (a.length > 0 && Array.isArray(a[0])) {
        for (const kv of a[0]) if (Array.isArray(kv) && kv.length === 2) d.set(kv[0], kv[1]);
      }
      return d;
    },
  });
  g.set('torch.Size', { call: (a) => (Array.isArray(a[0]) ? [...a[0]] : []) });
  g.set('torch.device', { call: (a) => a.map(String).join(':') });
  // Protocol 2 writes Python 3 bytes as _codecs.encode(text, 'latin1').
  g.set('_codecs.encode', {
    call: (a) => {
      const [s, enc] = a;
      if (typeof s !== 'string' || (enc !== 'latin1' && enc !== 'latin-1')) throw new OckhamError('UNSUPPORTED', argument, `_codecs.encode with encoding ${JSON.stringify(String(enc))}`);
      const out = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
      return out;
    },
  });
  for (const name of STORAGE_TYPES.keys()) g.set(name, {});
  for (const name of TORCH_DTYPE_NAMES) g.set(`torch.${name}`, {});
  return g;
}

/** The names of the globals a pickle in a checkpoint may refer to (for docs and tests). */
export const PYTORCH_ALLOWED_GLOBALS: readonly string[] = Object.freeze([...torchGlobals('bytes').keys()]);

function storageRef(pid: unknown, legacy: boolean, argument: string): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
    throw new OckhamError('PARSE_ERROR', argument, 'persistent id is not a (\'storage\', type, key, location, numel) tuple');
  }
  const [, type, key, , numel] = pid;
  if (!isGlobalRef(type)) throw new OckhamError('PARSE_ERROR', argument, 'storage type is not a global');
  const info = STORAGE_TYPES.get(type.name);
  if (!info) throw new OckhamError('UNSUPPORTED', argument, `storage type ${JSON.stringify(type.name)} is not supported (dense float/int/bool storages only)`);
  if (typeof key !== 'string' || key.length === 0 || key.length > 256) throw new OckhamError('PARSE_ERROR', argument, 'storage key is not a short string');
  if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) throw new OckhamError('PARSE_ERROR', argument, `storage of ${JSON.stringify(key)} has element count ${String(numel)}`);
  let viewOffset = 0;
  if (legacy && pid.length > 5 && pid[5] !== null) {
    // (view_key, offset, view_size): a view on root storage `key` (PyTorch < 1.?).
    const vm = pid[5];
    if (!Array.isArray(vm) || typeof vm[1] !== 'number' || !Number.isSafeInteger(vm[1]) || vm[1] < 0) throw new OckhamError('PARSE_ERROR', argument, 'malformed storage view metadata');
    viewOffset = vm[1];
  }
  return Object.freeze({ kind: 'storage' as const, key, elem: info.kind, dtype: info.dtype, numel, viewOffset });
}

type Budget = Required<ReadBudget>;

function resolveOptions(options: PytorchOptions | undefined): Budget {
  assertKnownOptions(options, 'options', BUDGET_KEYS);
  return resolveReadBudget(options);
}

/** A named tensor found in the unpickled object, not yet read. */
export interface PytorchTensorPlan {
  name: string;
  ref: TensorRef;
}

/** What the pickle says: the tensors (views on storages) by dotted path, and other leaves. */
export interface PytorchPlan {
  tensors: PytorchTensorPlan[];
  metadata: Record<string, string>;
}

function setOwn(obj: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function leafString(v: unknown): string | undefined {
  if (v === null) return 'None';
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v.length > 1000 ? `${v.slice(0, 1000)}…` : v;
  return undefined;
}

/**
 * Walks the unpickled object: tensors anywhere in nested dicts/lists are named by their dotted
 * path (`model.fc.weight`, `optimizer.state.0.exp_avg`); scalar leaves go to metadata (first 1000).
 */
function plan(root: unknown, argument: string, maxDepth: number, maxTensors = READ_BUDGET_DEFAULTS.maxTensors): PytorchPlan {
  const tensors: PytorchTensorPlan[] = [];
  const metadata: Record<string, string> = {};
  let nMeta = 0;
  const names = new Set<string>();
  // Each container is walked once: a pickle can share one list at every level of a 60-deep
  // tree (2⁶⁰ paths from 120 bytes). Tensors (e.g. tied weights) may still appear under several names.
  const seen = new Set<unknown>();
  const visit = (v: unknown, path: string, depth: number): void => {
    if (isKind<TensorRef>(v, 'tensor')) {
      const name = path === '' ? 'tensor' : path;
      if (names.has(name)) throw new OckhamError('PARSE_ERROR', argument, `two tensors are named ${JSON.stringify(name)}`);
      names.add(name);
      if (tensors.length >= maxTensors) throw new OckhamError('OUT_OF_RANGE', argument, `more than maxTensors = ${maxTensors} tensors`);
      tensors.push({ name, ref: v });
      return;
    }
    const isMap = v instanceof Map;
    if (isMap || Array.isArray(v)) {
      if (depth >= maxDepth) throw new OckhamError('PARSE_ERROR', argument, `containers nested deeper than maxHeaderDepth = ${maxDepth} at ${JSON.stringify(path)}`);
      if (seen.has(v)) return; // shared or self-containing: walked already
      seen.add(v);
      const child = (k: string): string => (path === '' ? k : `${path}.${k}`);
      if (isMap) {
        for (const [k, x] of v as Map<unknown, unknown>) {
          const ks = typeof k === 'string' ? k : typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean' ? String(k) : undefined;
          if (ks !== undefined) visit(x, child(ks), depth + 1);
        }
      } else {
        const a = v as unknown[];
        for (let i = 0; i < a.length; i++) visit(a[i], child(String(i)), depth + 1);
      }
      return;
    }
    const s = leafString(v);
    if (s !== undefined && path !== '' && nMeta < MAX_METADATA) {
      setOwn(metadata, path, s);
      nMeta++;
    }
  };
  visit(root, '', 0);
  return { tensors, metadata };
}

/** Unpickles a zip checkpoint's data.pkl into a plan. @internal */
export function planZipPickle(pickle: Uint8Array, argument: string, maxDepth: number, maxTensors?: number): PytorchPlan {
  const globals = torchGlobals(argument);
  const { value } = unpickle(pickle, { globals, argument, persistentLoad: (pid) => storageRef(pid, false, argument) });
  return plan(value, argument, maxDepth, maxTensors);
}

/**
 * Reads one tensor's elements from its storage bytes (`storageBytes` holds the whole storage,
 * little-endian unless told), following its offset and strides, into a new row-major float32 array.
 * @internal
 */
export function materializeTensor(
  t: PytorchTensorPlan,
  storageBytes: Uint8Array,
  argument: string,
  budget: { maxTensorBytes: number },
  littleEndian = true,
): LoadedTensor {
  const { ref } = t;
  const { size, stride } = ref;
  const st = ref.storage;
  const item = ITEM_SIZE[st.elem];
  let numel = 1;
  for (const d of size) {
    numel *= d;
    if (!Number.isSafeInteger(numel)) throw new OckhamError('OUT_OF_RANGE', argument, `tensor ${JSON.stringify(t.name)} has too many elements`);
  }
  if (numel * 4 > budget.maxTensorBytes) {
    throw new OckhamError('OUT_OF_RANGE', argument, `tensor ${JSON.stringify(t.name)} [${size.join(', ')}] is ${numel} elements = ${numel * 4} bytes as float32, more than maxTensorBytes = ${budget.maxTensorBytes}`);
  }
  const storageElems = Math.floor(storageBytes.length / item);
  const base = st.viewOffset + ref.offset;
  let last = base;
  for (let i = 0; i < size.length; i++) if (size[i] > 0) last += (size[i] - 1) * stride[i];
  if (numel > 0 && last >= storageElems) {
    throw new OckhamError('PARSE_ERROR', argument, `tensor ${JSON.stringify(t.name)} reads element ${last} of a storage of ${storageElems} elements (offset ${ref.offset}, size [${size.join(', ')}], stride [${stride.join(', ')}])`);
  }
  const shape = [...size];
  let out: Float32Array;
  try {
    if (numel === 0) out = new Float32Array(0);
    else if (isContiguous(size, stride)) out = decodeToFloat32(storageBytes, base * item, numel, st.elem, littleEndian);
    else out = gather(storageBytes, base, size, stride, numel, last, st.elem, item, littleEndian);
  } catch (e) {
    if (e instanceof RangeError) throw new OckhamError('OUT_OF_RANGE', argument, `tensor ${JSON.stringify(t.name)} ([${size.join(', ')}], ${numel} elements) is too large for one JavaScript typed array`);
    throw e;
  }
  return { name: t.name, dtype: st.dtype, shape, data: out };
}

function isContiguous(size: number[], stride: number[]): boolean {
  let expect = 1;
  for (let i = size.length - 1; i >= 0; i--) {
    if (size[i] !== 1 && stride[i] !== expect) return false;
    expect *= size[i];
  }
  return true;
}

/** Strided read: decodes the span the view touches once (when it is not much larger than the view), then gathers. */
function gather(
  bytes: Uint8Array, base: number, size: number[], stride: number[], numel: number, last: number, elem: ElementKind, item: number, le: boolean,
): Float32Array {
  const out = new Float32Array(numel);
  const rank = size.length;
  const span = last - base + 1; // strides are non-negative: `base` is the lowest element touched
  if (span <= 2 * numel + 4096) {
    const src = decodeToFloat32(bytes, base * item, span, elem, le);
    const idx = new Array<number>(rank).fill(0);
    let at = 0;
    for (let o = 0; o < numel; o++) {
      out[o] = src[at];
      for (let d = rank - 1; d >= 0; d--) {
        at += stride[d];
        if (++idx[d] < size[d]) break;
        at -= stride[d] * size[d];
        idx[d] = 0;
      }
    }
    return out;
  }
  // A small view of a large storage: decode only what it touches, one run of the last axis at a time.
  const inner = size[rank - 1];
  const innerStride = stride[rank - 1];
  const idx = new Array<number>(rank - 1).fill(0);
  let o = 0;
  for (;;) {
    let at = base;
    for (let i = 0; i < rank - 1; i++) at += idx[i] * stride[i];
    if (innerStride === 1) {
      out.set(decodeToFloat32(bytes, at * item, inner, elem, le), o);
      o += inner;
    } else {
      // Each element on its own (the run between them may be most of the storage).
      for (let j = 0; j < inner; j++) out[o++] = decodeToFloat32(bytes, (at + j * innerStride) * item, 1, elem, le)[0];
    }
    let d = rank - 2;
    while (d >= 0 && ++idx[d] === size[d]) idx[d--] = 0;
    if (d < 0) return out;
  }
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

/** True when `bytes` starts like a legacy (pre-1.6 / non-zip) torch.save file. @internal */
export function isLegacyPytorch(bytes: Uint8Array): boolean {
  // PROTO 2, LONG1 10 bytes, the magic number little-endian.
  const sig = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
  if (bytes.length < sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[i] !== sig[i]) return false;
  return true;
}

function asBytes(bytes: Uint8Array | ArrayBuffer): Uint8Array {
  // A plain Uint8Array view: a Node Buffer's slice() is a view, not the copy decoders rely on.
  if (bytes instanceof Uint8Array) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw new OckhamError('INVALID_ARGUMENT', 'bytes', 'expected a Uint8Array or ArrayBuffer');
}

/** Finds `<prefix>/data.pkl` among zip members; returns the prefix (with its trailing slash). @internal */
export function torchZipPrefix(names: readonly string[], argument: string): string {
  const pkl = names.filter((m) => m.endsWith('data.pkl') && (m === 'data.pkl' || m.endsWith('/data.pkl')) && m.split('/').length <= 2);
  if (pkl.length !== 1) {
    throw new OckhamError('PARSE_ERROR', argument, pkl.length === 0 ? 'zip has no data.pkl member: not a torch.save checkpoint' : `zip has ${pkl.length} data.pkl members`);
  }
  return pkl[0].slice(0, -'data.pkl'.length);
}

/** Checks every tensor's float32 size (and the tensor count) against the budget before any storage is read. @internal */
export function precheckBudget(tensors: readonly PytorchTensorPlan[], budget: Budget, argument: string): void {
  const meter = new OutputMeter(budget, argument);
  for (const t of tensors) {
    let numel = 1;
    for (const d of t.ref.size) numel *= d;
    meter.add(t.name, numel, t.ref.size);
  }
}

export { resolveOptions as resolvePytorchOptions };

/**
 * Parses a PyTorch checkpoint (`torch.save`, zip or legacy format) into float32 tensors, without
 * executing anything from the file.
 *
 * Tensors are found anywhere in the saved object (state dicts, `{model, optimizer, epoch}`
 * checkpoints, lists) and named by their dotted path; views are read through their storage
 * offset and strides (a transposed or sliced tensor comes back as torch shows it), and a storage
 * shared by several tensors is read once. Non-tensor leaves (numbers, strings, booleans, None)
 * are copied into `metadata` by path (first 1000). The pickle may only name the globals that
 * torch.save writes for dense tensors ({@link PYTORCH_ALLOWED_GLOBALS}); any other
 * (`os.system`, `builtins.eval`, a model class from `torch.save(model)`, …) is refused.
 *
 * Reference: torch/serialization.py (PyTorch 1.6–2.x).
 *
 * @param bytes - The file contents (not modified; returned arrays never alias it).
 * @param options - Budgets ({@link PytorchOptions}; defaults {@link PYTORCH_DEFAULT_BUDGET}).
 * @returns `{ format: 'pytorch', tensors, metadata }`; each tensor's `dtype` is torch's name of the
 *   stored dtype (`float32`, `float16`, `bfloat16`, `int8`, …).
 * @throws {OckhamError} UNSUPPORTED naming the global for a refused global (and for sparse,
 *   quantized or complex tensors, tar-format files from PyTorch < 0.4); PARSE_ERROR for corrupt
 *   files (bad zip, CRC mismatch, truncated pickle, a view outside its storage); OUT_OF_RANGE when
 *   a budget is exceeded.
 * @example
 * import { readFileSync } from 'node:fs';
 * import { parsePytorch } from 'ockham';
 * // In a browser: await (await fetch('model.pt')).arrayBuffer()
 * const bytes = readFileSync('test/fixtures/pytorch/state-dict-zip.pt');
 * const { tensors } = parsePytorch(bytes);
 * tensors.map((t) => `${t.name} ${t.dtype} [${t.shape}]`); // ['0.weight float32 [3,2,3,3]', …]
 */
export function parsePytorch(bytes: Uint8Array | ArrayBuffer, options?: PytorchOptions): WeightsFile {
  return parsePytorchAs(bytes, options, 'bytes');
}

/** {@link parsePytorch} with errors naming `argument` (e.g. a file path). @internal */
export function parsePytorchAs(bytes: Uint8Array | ArrayBuffer, options: PytorchOptions | undefined, argument: string): WeightsFile {
  const budget = resolveOptions(options);
  const b = asBytes(bytes);
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) return parseZip(b, budget, argument);
  if (isLegacyPytorch(b)) return parseLegacy(b, budget, argument);
  if (b.length >= 262 && String.fromCharCode(...b.subarray(257, 262)) === 'ustar') {
    throw new OckhamError('UNSUPPORTED', argument, 'a tar-format torch.save file (PyTorch < 0.4) is not supported; re-save it with a current PyTorch');
  }
  throw new OckhamError('PARSE_ERROR', argument, 'not a PyTorch checkpoint (neither a zip with data.pkl nor the legacy pickle magic number)');
}

function parseZip(b: Uint8Array, budget: Budget, argument: string): WeightsFile {
  const zipBudget = { maxEntries: Math.max(100_000, budget.maxTensors + 16), maxEntryBytes: Math.min(2 ** 32 - 1, Math.max(budget.maxHeaderBytes, budget.maxTotalBytes)) };
  const entries = listZipEntries(b, zipBudget, argument);
  const byName = new Map<string, ZipEntry>();
  for (const e of entries) byName.set(e.name, e);
  const prefix = torchZipPrefix(entries.map((e) => e.name), argument);
  const pklEntry = byName.get(`${prefix}data.pkl`)!;
  if (pklEntry.size > budget.maxHeaderBytes) {
    throw new OckhamError('OUT_OF_RANGE', argument, `data.pkl is ${pklEntry.size} bytes, more than maxHeaderBytes = ${budget.maxHeaderBytes}`);
  }
  let littleEndian = true;
  const bo = byName.get(`${prefix}byteorder`);
  if (bo) {
    const text = new TextDecoder().decode(readZipEntry(b, bo, zipBudget, argument)).trim();
    if (text !== 'little' && text !== 'big') throw new OckhamError('PARSE_ERROR', argument, `byteorder member says ${JSON.stringify(text.slice(0, 20))}`);
    littleEndian = text === 'little';
  }
  const p = planZipPickle(readZipEntry(b, pklEntry, zipBudget, argument), argument, budget.maxHeaderDepth, budget.maxTensors);
  precheckBudget(p.tensors, budget, argument);
  const storages = new Map<string, Uint8Array>();
  const tensors: LoadedTensor[] = [];
  for (const t of p.tensors) {
    const key = t.ref.storage.key;
    let data = storages.get(key);
    if (!data) {
      const e = byName.get(`${prefix}data/${key}`);
      if (!e) throw new OckhamError('PARSE_ERROR', argument, `tensor ${JSON.stringify(t.name)}: storage member ${JSON.stringify(`${prefix}data/${key}`)} is missing`);
      data = readZipEntry(b, e, zipBudget, argument);
      const want = t.ref.storage.numel * ITEM_SIZE[t.ref.storage.elem];
      if (data.length !== want) throw new OckhamError('PARSE_ERROR', argument, `storage ${JSON.stringify(key)} holds ${data.length} bytes, its persistent id declares ${want}`);
      storages.set(key, data);
    }
    const loaded = materializeTensor(t, data, argument, budget, littleEndian);
    tensors.push(loaded);
  }
  return { format: 'pytorch', tensors, metadata: p.metadata };
}

/** The legacy header pickles: magic, protocol version, system info. Returns the offset after them. @internal */
export function legacyPreamble(b: Uint8Array, argument: string): { end: number; littleEndian: boolean } {
  const opts = { argument, globals: new Map<string, PickleGlobal>() };
  const magic = unpickle(b, opts);
  if (magic.value !== LEGACY_MAGIC) {
    throw new OckhamError('PARSE_ERROR', argument, 'legacy checkpoint: wrong magic number');
  }
  const proto = unpickle(b, { ...opts, start: magic.end });
  if (proto.value !== 1001) throw new OckhamError('UNSUPPORTED', argument, `legacy checkpoint protocol version ${String(proto.value)} (only 1001 is known)`);
  const info = unpickle(b, { ...opts, start: proto.end });
  let littleEndian = true;
  if (info.value instanceof Map && info.value.get('little_endian') === false) littleEndian = false;
  return { end: info.end, littleEndian };
}

function parseLegacy(b: Uint8Array, budget: Budget, argument: string): WeightsFile {
  // The pickles come first: interpret them within the first maxHeaderBytes of the file only.
  const head = b.subarray(0, Math.min(b.length, budget.maxHeaderBytes));
  const kinds = new Map<string, ElementKind>();
  let pre: { end: number; littleEndian: boolean };
  let main: { value: unknown; end: number };
  let keysPickle: { value: unknown; end: number };
  try {
    pre = legacyPreamble(head, argument);
    const globals = torchGlobals(argument);
    main = unpickle(head, {
      globals,
      argument,
      start: pre.end,
      persistentLoad: (pid) => {
        const ref = storageRef(pid, true, argument);
        // Element size of every storage, also those no tensor uses (a bare Storage object).
        if (!kinds.has(ref.key)) kinds.set(ref.key, ref.elem);
        return ref;
      },
    });
    keysPickle = unpickle(head, { argument, start: main.end });
  } catch (e) {
    if (e instanceof OckhamError && e.code === 'PARSE_ERROR' && head.length < b.length && /truncated|without/.test(e.message)) {
      throw new OckhamError('OUT_OF_RANGE', argument, `legacy checkpoint pickles take more than maxHeaderBytes = ${budget.maxHeaderBytes} bytes`);
    }
    throw e;
  }
  const keys = keysPickle.value;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw new OckhamError('PARSE_ERROR', argument, 'legacy checkpoint: storage key list is not a list of strings');
  const p = plan(main.value, argument, budget.maxHeaderDepth, budget.maxTensors);
  precheckBudget(p.tensors, budget, argument);
  const storages = new Map<string, Uint8Array>();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = keysPickle.end;
  for (const key of keys as string[]) {
    if (storages.has(key)) throw new OckhamError('PARSE_ERROR', argument, `legacy checkpoint lists storage ${JSON.stringify(key)} twice`);
    if (pos + 8 > b.length) throw new OckhamError('PARSE_ERROR', argument, `legacy checkpoint ends before storage ${JSON.stringify(key)}`);
    const lo = dv.getUint32(pos, pre.littleEndian);
    const hi = dv.getUint32(pos + 4, pre.littleEndian);
    const count = pre.littleEndian ? hi * 4294967296 + lo : lo * 4294967296 + hi;
    pos += 8;
    const elem = kinds.get(key);
    if (elem === undefined) throw new OckhamError('PARSE_ERROR', argument, `legacy checkpoint lists storage ${JSON.stringify(key)}, which no persistent id declares`);
    const nbytes = count * ITEM_SIZE[elem];
    if (!Number.isSafeInteger(nbytes) || nbytes > b.length - pos) throw new OckhamError('PARSE_ERROR', argument, `legacy checkpoint: storage ${JSON.stringify(key)} declares ${count} elements, past the end of the file`);
    storages.set(key, b.subarray(pos, pos + nbytes));
    pos += nbytes;
  }
  const tensors: LoadedTensor[] = [];
  for (const t of p.tensors) {
    const data = storages.get(t.ref.storage.key);
    if (!data) throw new OckhamError('PARSE_ERROR', argument, `tensor ${JSON.stringify(t.name)}: storage ${JSON.stringify(t.ref.storage.key)} is missing from the file`);
    const loaded = materializeTensor(t, data, argument, budget, pre.littleEndian);
    tensors.push(loaded);
  }
  return { format: 'pytorch', tensors, metadata: p.metadata };
}
