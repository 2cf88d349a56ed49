/**
 * QuBD — Quantized Block Decomposition: quantize a weight tensor to 2^b levels, split the integer
 * codes into b bit-planes, BDM each plane with 2-D 4×4 blocks, and sum. An upper-bound style
 * estimate of the algorithmic information of the weights, in bits.
 */
import { OckhamError } from '../errors.js';
import { quantizeInto, quantizeStream } from '../quantize/quantize.js';
import type { QuantizeOptions, QuantizedTensor } from '../quantize/index.js';
import { bitPlanes, countOnes } from '../bitplanes/index.js';
import { ctmBlockDecompose } from '../bdm/index.js';
import type { BdmOptions } from '../bdm/index.js';
import type { CtmTable } from '../ctm/types.js';
import { defaultTable } from '../ctm/default.js';
import {
  as2d,
  assertInt,
  assertKnownOptions,
  assertOneOf,
  assertShapeMatches,
} from '../util/validate.js';
import type { Shape } from '../util/validate.js';
import { addLeftoverOnes, planeBdm, planeTotals } from './kernel.js';
import { planeBdmWasm, planeBdmWasmStream } from './wasm-kernel.js';
import { RETAIN_BYTES, trimArena } from '../util/wasm-arena.js';

/** Options of {@link qubd}. */
export interface QubdOptions {
  /** Tensor shape (row-major); more than 2 dims are viewed as (dim0, product of the rest). */
  shape: Shape;
  /** Bit depth b, 1..16 (default 8). */
  bits?: number;
  /** Quantization range: see `quantize` (default `'minmax'`; the QuBD paper's runs use `'percentile'` with 99.9). */
  range?: QuantizeOptions['range'];
  /** Central percentile kept by `range: 'percentile'` (default 99.9). */
  percentile?: number;
  /** `'float32'` (default): the reference quantizer's bit-exact float32 arithmetic; or `'float64'`. */
  arithmetic?: QuantizeOptions['arithmetic'];
  /** 2-D CTM table (default: ockham's built-in `ctm2d`). */
  table?: CtmTable;
  /** Plane partition (default `'ignore'`, as pybdm and the QuBD reference). Others go through {@link ctmBlockDecompose}. */
  boundary?: BdmOptions['boundary'];
}

/** BDM of one bit-plane. */
export interface QubdPlane {
  /** 0 = least significant. */
  readonly plane: number;
  /** BDM of the plane in bits. */
  readonly bdm: number;
  /** Cells equal to 1 in the whole plane (leftover cells included). */
  readonly ones: number;
  /** Blocks counted. */
  readonly blocks: number;
  /** Distinct raw blocks. */
  readonly distinct: number;
  /** Distinct blocks absent from the CTM table (scored max + 1 bit). */
  readonly missing: number;
}

/** Result of {@link qubd}. */
export interface QubdResult {
  readonly bits: number;
  /** The 2-D view that was decomposed: [rows, cols]. */
  readonly view: readonly [number, number];
  /** Per plane, LSB first. */
  readonly planes: readonly QubdPlane[];
  /** Σ of the plane BDMs, in bits. */
  readonly total: number;
  /** What the quantizer chose: range, step Δ, and whether the tensor was constant. */
  readonly quantization: { readonly lo: number; readonly hi: number; readonly step: number; readonly constant: boolean };
}

export const QUBD_KEYS = ['shape', 'bits', 'range', 'percentile', 'arithmetic', 'table', 'boundary'] as const;

/** Validates the 2-D table and returns its 4×4 shape table. Internal. */
export function table4x4(table: CtmTable, name: string) {
  if (table.ndim !== 2) {
    throw new OckhamError('INVALID_ARGUMENT', name, `expected a 2-D CTM table, got ndim ${table.ndim}`);
  }
  const t = table.shapes.get('4x4');
  if (!t) throw new OckhamError('MISSING_TABLE', name, 'the table has no 4x4 shape');
  return t;
}

/**
 * QuBD of one weight tensor: per-plane 2-D BDM (LSB → MSB) of its b-bit quantization, and their
 * sum. Each plane's BDM is an upper-bound-style estimate (CTM is itself an approximation of K);
 * the sum bounds the information of the quantized tensor, not of the float weights.
 *
 * The default path never materialises the planes: a fused kernel (WebAssembly SIMD where
 * available, else JS) reads each code once and counts all planes' 4×4 blocks (see `bench/qubd.ts`).
 *
 * Reference: QuBD (quantized block decomposition) of neural-network weights; BDM as in
 * Zenil et al. 2018, Entropy 20:605; pybdm's `ignore` partition.
 *
 * @param tensor - Weights, row-major, finite.
 * @param options - See {@link QubdOptions}; `shape` is required.
 * @returns Per-plane BDM in bits and the total.
 * @throws {OckhamError} NON_FINITE / EMPTY / SHAPE_MISMATCH / OUT_OF_RANGE (bits, or a 2-D view with a side < 4) / UNKNOWN_OPTION.
 * @example
 * ```ts
 * import { qubd } from 'ockham';
 * const w = new Float32Array(64 * 64).map((_, i) => Math.sin(i / 50));
 * const r = qubd(w, { shape: [64, 64], bits: 4 });
 * console.log(r.planes.map((p) => p.bdm.toFixed(1)), r.total);
 * ```
 */
export function qubd(tensor: Float32Array | Float64Array, options: QubdOptions): QubdResult {
  return qubdKeepingCodes(tensor, options, false).result;
}

/** What {@link qubdKeepingCodes} returns. */
export interface QubdWithCodes {
  readonly result: QubdResult;
  /** A copy of the codes (bytes when bits ≤ 8), or null unless asked for with the 'ignore' partition. */
  readonly codes: Uint8Array | Uint16Array | null;
  readonly rows: number;
  readonly cols: number;
  readonly t4: { readonly values: Float64Array; readonly missing: Uint8Array };
}

/**
 * {@link qubd}, optionally also returning a copy of the codes, so callers can score permutations
 * of them (quantization is elementwise with an order-independent range, so the codes of a
 * shuffled tensor are the shuffled codes). Internal.
 */
export function qubdKeepingCodes(tensor: Float32Array | Float64Array, options: QubdOptions, keep: boolean): QubdWithCodes {
  assertKnownOptions(options, 'options', QUBD_KEYS);
  if (!(tensor instanceof Float32Array) && !(tensor instanceof Float64Array)) {
    throw new OckhamError('INVALID_ARGUMENT', 'tensor', 'expected a Float32Array or Float64Array');
  }
  if (tensor.length === 0) throw new OckhamError('EMPTY', 'tensor', 'expected a non-empty array');
  assertShapeMatches(tensor.length, options.shape, 'tensor', 'options.shape');
  const bits = options.bits ?? 8;
  assertInt(bits, 'options.bits', 1, 16);
  const [rows, cols] = as2d(options.shape);
  if (rows < 4 || cols < 4) {
    throw new OckhamError(
      'OUT_OF_RANGE',
      'options.shape',
      `the 2-D view (${rows}, ${cols}) has a side < 4, so it holds no 4×4 block (qubdModel skips such tensors)`,
    );
  }
  const boundary = options.boundary ?? 'ignore';
  const table = options.table ?? defaultTable(2);
  const t4 = table4x4(table, 'options.table');
  if (boundary === 'ignore' && !keep) {
    const streamed = qubdStreamed(tensor, rows, cols, bits, options, t4);
    if (streamed !== null) return { result: streamed, codes: null, rows, cols, t4 };
  }
  const q = quantizeFor(tensor, bits, options);
  const quantization = { lo: q.lo, hi: q.hi, step: q.step, constant: q.constant };
  if (boundary !== 'ignore') {
    assertOneOf(boundary, 'options.boundary', ['ignore', 'recursive', 'correlated']);
    const planeArrays = bitPlanes(q.codes, bits, [rows, cols]);
    releaseLarge();
    const planes = planeArrays.map((plane, p): QubdPlane => {
      const r = ctmBlockDecompose(plane, { table, boundary });
      return { plane: p, bdm: r.bdm, ones: countOnes(plane), blocks: r.blocks, distinct: r.distinct, missing: r.missing };
    });
    const result: QubdResult = { bits, view: [rows, cols], planes, total: sum(planes.map((p) => p.bdm)), quantization };
    return { result, codes: null, rows, cols, t4 };
  }
  // Copied before the kernel runs: the codes may be a view on the wasm arena.
  // (new + set: slicing a view on a WebAssembly memory takes a slow path in V8.)
  let codes: Uint8Array | Uint16Array | null = null;
  if (keep) {
    codes = bits <= 8 ? new Uint8Array(q.codes.length) : new Uint16Array(q.codes.length);
    codes.set(q.codes);
  }
  const result = qubdFromCodes(q.codes, rows, cols, bits, t4, quantization);
  releaseLarge();
  return { result, codes, rows, cols, t4 };
}

/**
 * Gives back the memory of a large call: the code scratch and the wasm arena are dropped when
 * they exceed {@link RETAIN_BYTES} (64 MiB), so one 12000×12000 tensor does not pin ~880 MB for
 * the life of the process (smaller buffers are kept for reuse). Internal.
 */
export function releaseLarge(): void {
  if (2 * codeScratch.length > RETAIN_BYTES) codeScratch = new Uint16Array(0);
  trimArena();
}

/**
 * The `'ignore'`-partition QuBD result from codes already quantized (rows × cols, row-major,
 * values < 2^bits): the fused kernel — WebAssembly SIMD where available, else JS — plus the
 * leftover cells' ones. Internal: {@link qubd} and {@link qubdRatio}'s shuffles use it.
 */
export function qubdFromCodes(
  codes: Uint16Array | Uint8Array,
  rows: number,
  cols: number,
  bits: number,
  t4: { readonly values: Float64Array; readonly missing: Uint8Array },
  quantization: QubdResult['quantization'],
): QubdResult {
  const blocks = Math.floor(rows / 4) * Math.floor(cols / 4);
  const out = planeTotals(bits);
  if (!planeBdmWasm(codes, rows, cols, bits, t4.values, t4.missing, out)) {
    planeBdm(codes, rows, cols, bits, t4.values, t4.missing, out);
  }
  addLeftoverOnes(codes, rows, cols, out.ones);
  const planes: QubdPlane[] = [];
  for (let p = 0; p < bits; p++) {
    planes.push({ plane: p, bdm: out.bdm[p], ones: out.ones[p], blocks, distinct: out.distinct[p], missing: out.missing[p] });
  }
  return { bits, view: [rows, cols], planes, total: sum(out.bdm), quantization };
}

let codeScratch = new Uint16Array(0);

/** Elements per quantized slice of the low-memory path (see {@link qubdStreamed}). */
let chunkElems = 1 << 20;

/** Sets the low-memory path's slice size in elements (tests force several slices). Internal. */
export function setQubdChunkElems(n: number): void {
  chunkElems = n;
}

/**
 * The `'ignore'`-partition QuBD of a tensor larger than one slice (bits ≤ 8, the default
 * float32 min–max quantizer, WebAssembly SIMD), quantized and counted in slices of whole block-rows
 * straight in the wasm arena: working memory ~6 bytes per element of one slice (~6 MiB) instead
 * of a float32 copy of the tensor plus 16-bit codes for all of it (6 bytes per element: 1.5× the
 * tensor's float32 size). Blocks are tallied in the same order as one pass over the whole
 * tensor, so the result is bit-identical to {@link qubdFromCodes} on the whole codes (tested).
 * Null when the path does not apply; the caller then quantizes the whole tensor.
 */
function qubdStreamed(
  tensor: Float32Array | Float64Array,
  rows: number,
  cols: number,
  bits: number,
  options: QubdOptions,
  t4: { readonly values: Float64Array; readonly missing: Uint8Array },
): QubdResult | null {
  if (bits > 8) return null;
  const chunkRows = Math.max(4, Math.floor(chunkElems / cols / 4) * 4);
  const stream = relabelled(() => quantizeStream(tensor, quantizeOptionsOf(bits, options), (chunkRows + 3) * cols));
  if (stream === null) return null;
  const out = planeTotals(bits);
  const planes = planeBdmWasmStream(rows, cols, bits, t4.values, t4.missing, out);
  if (planes === null) return null;
  const r4 = rows - (rows % 4);
  for (let r = 0; r < rows; r += chunkRows) {
    // Whole block-rows; the last slice also takes the rows % 4 leftover rows.
    let end = Math.min(r + chunkRows, r4);
    if (end === r4) end = rows;
    const codes = stream.encode(r * cols, end * cols);
    planes.feed(codes.subarray(0, (Math.min(end, r4) - r) * cols));
    addLeftoverOnes(codes, end - r, cols, out.ones);
    if (end === rows) break;
  }
  planes.finish();
  const blocks = Math.floor(rows / 4) * Math.floor(cols / 4);
  const result: QubdPlane[] = [];
  for (let p = 0; p < bits; p++) {
    result.push({ plane: p, bdm: out.bdm[p], ones: out.ones[p], blocks, distinct: out.distinct[p], missing: out.missing[p] });
  }
  const quantization = { lo: stream.lo, hi: stream.hi, step: stream.step, constant: false };
  return { bits, view: [rows, cols], planes: result, total: sum(out.bdm), quantization };
}

/** The quantize options QuBD passes on (only those set, so quantize's defaults apply). */
function quantizeOptionsOf(bits: number, options: QubdOptions): QuantizeOptions {
  return {
    bits,
    ...(options.range !== undefined ? { range: options.range } : {}),
    ...(options.percentile !== undefined ? { percentile: options.percentile } : {}),
    ...(options.arithmetic !== undefined ? { arithmetic: options.arithmetic } : {}),
  };
}

/** Runs a quantizer call, re-labelling its errors about `x` to name `tensor`. */
function relabelled<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof OckhamError && e.argument === 'x') {
      throw new OckhamError(e.code, 'tensor', e.message.replace(/^x: /, ''));
    }
    throw e;
  }
}

/**
 * Quantizes with QuBD's options (only those set are passed on, so quantize's defaults apply)
 * into a scratch buffer reused across calls (a fresh zero-filled array per tensor costs more than
 * the quantization on some machines), or a view on the wasm quantizer's memory (no copy). Either
 * way the codes are valid only until the next call. quantize
 * validates the tensor (finite, non-empty); its errors are re-labelled to name `tensor`.
 */
export function quantizeFor(tensor: Float32Array | Float64Array, bits: number, options: QubdOptions): QuantizedTensor {
  if (codeScratch.length < tensor.length) codeScratch = new Uint16Array(tensor.length);
  return relabelled(() => quantizeInto(tensor, quantizeOptionsOf(bits, options), codeScratch, true));
}

function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
}
