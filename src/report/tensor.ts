/**
 * One tensor of a report, split into independent stages (QuBD + shuffled reference, spectral,
 * naive compression, one coarse-grained compression per Δ) so a pool can run them in parallel.
 * Every stage is a pure function of its task: the parallel report equals the serial one.
 */
import { OckhamError } from '../errors.js';
import { RHE_MAGIC } from '../quantize/round.js';
import { msbDiagnostic } from '../qubd/index.js';
import { structuredPlaneMask } from '../qubd/ratio.js';
import { spectralMetrics } from '../spectral/index.js';
import { compressKernel, resolveOptions } from '../compress/compress.js';
import { bzip2BlockBitLength, bzip2BlockEnds } from '../compress/bzip2-encode.js';
import { serializeCoarseGrained } from '../compress/index.js';
import type { Codec } from '../compress/index.js';
import { defaultLayout, toTorchLayout as toTorchTensor, TORCH_PERMUTATIONS } from '../io/layout.js';
import type { LoadedTensor, TensorLayout } from '../io/types.js';
import type { ReportOptions, TensorQubd, TensorRatio, TensorReport, TensorSpectral } from './types.js';
import { LITTLE_ENDIAN } from '../util/endian.js';

/** Float32 codes round(fround(x)/Δ₃₂), half to even, exactly as `roundToStep`'s float32 mode. */
export function coarseCodes(x: Float32Array, delta: number, name: string): Int32Array {
  const d = Math.fround(delta);
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = coarseCode(x[i], d, i, delta, name);
  return out;
}

/**
 * One code: fround(x / d) rounded half to even by the 1.5·2^52 trick (V8's `Math.round` costs
 * ≈ 20 ns a call), or OUT_OF_RANGE when it does not fit 32 bits.
 */
function coarseCode(x: number, d: number, i: number, delta: number, name: string): number {
  const v = Math.fround(x / d);
  if (!(v < 2147483647.5 && v > -2147483648.5)) {
    throw new OckhamError('OUT_OF_RANGE', `--delta`, `tensor '${name}' element ${i} (${x}) / Δ (${delta}) does not fit a 32-bit code; use a larger Δ`);
  }
  return v + RHE_MAGIC - RHE_MAGIC;
}

const OCCG_MAGIC = [0x4f, 0x43, 0x43, 0x47];

function varintLength(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function putVarint(buf: Uint8Array, p: number, v: number): number {
  while (v >= 128) {
    buf[p++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  buf[p++] = v;
  return p;
}

/**
 * The bytes `serializeCoarseGrained` writes for one dense tensor coarse-grained to step Δ
 * (format "OCCG" v1, docs/compress.md), made in two passes over the floats — sizing, then
 * writing — so no Int32Array of codes and no growing buffer is held: memory is the output only.
 * From 1 MiB on the output is a view of a fresh WebAssembly memory's pages ({@link pageBytes}),
 * so its `buffer` may be longer than the stream (rounded up to 64 KiB).
 */
export function coarseStream(name: string, shape: readonly number[], data: Float32Array, delta: number): Uint8Array {
  const d = Math.fround(delta);
  const nameBytes = new TextEncoder().encode(name);
  const dims = shape.length === 0 ? [1] : shape;
  let head = OCCG_MAGIC.length + 1 + 1 + varintLength(nameBytes.length) + nameBytes.length + varintLength(dims.length) + 1 + 8;
  for (const k of dims) head += varintLength(k);
  // Pass 1: the varint bytes (branch-free lengths); every code is range-checked.
  let body = 0;
  const n = data.length;
  for (let i = 0; i < n; i++) {
    const c = coarseCode(data[i], d, i, delta, name);
    const z = ((c << 1) ^ (c >> 31)) >>> 0;
    body += 1 + +(z > 127) + +(z > 16383) + +(z > 2097151) + +(z > 268435455);
  }
  const out = pageBytes(head + body);
  let p = 0;
  for (const b of OCCG_MAGIC) out[p++] = b;
  out[p++] = 1; // version
  out[p++] = 1; // one tensor
  p = putVarint(out, p, nameBytes.length);
  out.set(nameBytes, p);
  p += nameBytes.length;
  p = putVarint(out, p, dims.length);
  for (const k of dims) p = putVarint(out, p, k);
  out[p++] = 0; // dense
  new DataView(out.buffer, out.byteOffset + p, 8).setFloat64(0, d, true);
  p += 8;
  // Pass 2: the codes (zigzag varints), computed again rather than kept.
  for (let i = 0; i < n; i++) {
    const c = coarseCode(data[i], d, i, delta, name);
    let z = ((c << 1) ^ (c >> 31)) >>> 0;
    if (z < 128) {
      out[p++] = z;
      continue;
    }
    while (z >= 128) {
      out[p++] = (z & 127) | 128;
      z >>>= 7;
    }
    out[p++] = z;
  }
  return out;
}

/** Sizes from which {@link pageBytes} maps pages instead of using the allocator (1 MiB). */
const PAGE_BYTES_FROM = 1 << 20;

/**
 * A zeroed byte array of `n` bytes; from 1 MiB on, the buffer of a fresh WebAssembly memory
 * (pages mapped for it and unmapped when it is collected) instead of the C allocator. A worker
 * thread's malloc arena keeps its high-water mark for the rest of the run (freed chunks inside
 * it stay resident), so one large stream per stage would pin that much memory per thread.
 */
export function pageBytes(n: number): Uint8Array {
  if (n >= PAGE_BYTES_FROM && typeof WebAssembly === 'object' && n <= 65535 * 65536) {
    try {
      return new Uint8Array(new WebAssembly.Memory({ initial: Math.ceil(n / 65536) }).buffer, 0, n);
    } catch {
      // fall through: no room for a memory that large
    }
  }
  return new Uint8Array(n);
}

/** Compressed size (bits) of the tensors coarse-grained to step Δ (dense "OCCG" model, see docs/compress.md). */
export function coarseBits(tensors: readonly { name: string; shape: readonly number[]; data: Float32Array }[], delta: number, codec: Codec): number {
  const [c, level] = resolveOptions({ codec });
  if (tensors.length === 1) {
    const t = tensors[0];
    return codecBits(coarseStream(t.name, t.shape, t.data, delta), c);
  }
  const model = {
    tensors: tensors.map((t) => ({
      kind: 'dense' as const,
      name: t.name,
      shape: t.shape.length === 0 ? [1] : t.shape.slice(),
      step: Math.fround(delta),
      codes: coarseCodes(t.data, delta, t.name),
    })),
  };
  return compressKernel(serializeCoarseGrained(model), c, level).length * 8;
}

/**
 * Σ of the bit lengths of bzip2 blocks `ends[i-1]..ends[i]` (i in [from, to); `ends` from
 * `bzip2BlockEnds`), each compressed on its own exactly as the stream encoder does: the blocks'
 * share of a stream's size, computed with one block's buffers (≈ 1 MB) instead of the whole
 * output.
 */
export function bzip2BlocksBitLength(bytes: Uint8Array, ends: readonly number[], from: number, to: number, level: number): number {
  let bits = 0;
  for (let i = from; i < to; i++) {
    const start = i === 0 ? 0 : ends[i - 1];
    bits += bzip2BlockBitLength(bytes, start, ends[i], level);
    blockGarbage(ends[i] - start);
  }
  return bits;
}

/**
 * Input bytes of bzip2 blocks between two calls of the stage collector (2 MiB, about two
 * blocks): each 900 kB block leaves ≈ 7 MiB of garbage (its output buffer and the suffix
 * sorter's per-call arrays, measured), so a thread holds ~14 MiB of it at most instead of the
 * tens of MiB V8 lets external memory grow by before it collects on its own.
 */
export const COLLECT_EVERY_BYTES = 2 * 1024 * 1024;

let collector: (() => void) | null = null;
let sinceCollect = 0;

/**
 * Sets (or clears, with null) the function long bzip2 loops call every
 * {@link COLLECT_EVERY_BYTES} of input: in Node the report passes a young-generation
 * collection (≈ 0.1–1 ms; the blocks' garbage is young), so it is freed as it piles up — a
 * thread's malloc arena keeps its high-water mark, so garbage that waits for V8 stays resident
 * for the rest of the run. Internal (report workers, `reportFile` with jobs 1); stages give the
 * same results with or without it.
 */
export function setStageCollector(fn: (() => void) | null): void {
  collector = fn;
  sinceCollect = 0;
}

function blockGarbage(bytes: number): void {
  sinceCollect += bytes;
  if (collector !== null && sinceCollect >= COLLECT_EVERY_BYTES) {
    sinceCollect = 0;
    collector();
  }
}

/** Bits of a complete bzip2 stream whose blocks hold `blockBits` bits: header 32 + blocks + end-of-stream 48 + CRC 32, byte-padded. */
export function bzip2StreamBits(blockBits: number): number {
  return 8 * Math.ceil((32 + blockBits + 80) / 8);
}

/** Compressed size in bits of `bytes` by `codec` (default level), as `compressedBits`; bzip2 block by block (no output buffer). */
export function codecBits(bytes: Uint8Array, codec: Codec): number {
  const [c, level] = resolveOptions({ codec });
  if (c === 'bzip2') {
    const ends = bzip2BlockEnds(bytes, level);
    return bzip2StreamBits(bzip2BlocksBitLength(bytes, ends, 0, ends.length, level));
  }
  return compressKernel(bytes, c, level).length * 8;
}

/** A naive bzip2 stage over more input bytes than this is split into parts of about this many bytes (whole blocks). */
export const NAIVE_PART_BYTES = 16 * 1024 * 1024;

/** The bytes the naive stage compresses: the stored bytes, or the float32 data's little-endian bytes. */
function naiveInput(data: Float32Array, stored: { dtype: string; bytes: Uint8Array } | undefined, o: ReportOptions): { bytes: Uint8Array; of: string } {
  const st = o.naive === 'stored' ? stored : undefined;
  if (st) return { bytes: st.bytes, of: st.dtype };
  let bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (!LITTLE_ENDIAN) {
    bytes = bytes.slice();
    for (let i = 0; i < bytes.length; i += 4) {
      const a = bytes[i];
      const b = bytes[i + 1];
      bytes[i] = bytes[i + 3];
      bytes[i + 1] = bytes[i + 2];
      bytes[i + 2] = b;
      bytes[i + 3] = a;
    }
  }
  return { bytes, of: 'float32' };
}

/** Bits of the compressed raw little-endian float32 bytes of one tensor (as `naiveCompressedBits([t])`), without copying them on little-endian hosts. */
export function naiveBits(data: Float32Array, codec: Codec): number {
  return codecBits(naiveInput(data, undefined, { naive: 'float32' } as ReportOptions).bytes, codec);
}

/**
 * The CLI's `--layout auto` permutation of a TensorFlow.js kernel by its rank (2-D Dense, 4-D
 * Conv), through io/layout.ts's `toTorchLayout`; null for other ranks.
 */
export function toTorchLayout(shape: readonly number[], data: Float32Array): { shape: number[]; data: Float32Array; layout: string } | null {
  const layout = defaultLayout('tfjs', shape);
  if (layout === 'tfjs') return null;
  const t = toTorchTensor({ name: '', dtype: '', shape: shape.slice(), data, layout });
  return { shape: t.shape, data: t.data, layout: TORCH_PERMUTATIONS[layout]! };
}

/** Product of a shape's dimensions (1 for a scalar). */
export function prod(shape: readonly number[]): number {
  let p = 1;
  for (const d of shape) p *= d;
  return p;
}

/** The shape a tensor is analysed in: TensorFlow.js kernels permuted to PyTorch order under layout 'auto'. */
export function analysedShapeOf(shape: readonly number[], format: string, layout: ReportOptions['layout'], stored: TensorLayout = defaultLayout(format, shape)): number[] {
  if (layout === 'auto') {
    if (stored === 'tfjs-dense' && shape.length === 2) return [shape[1], shape[0]];
    if (stored === 'tfjs-conv' && shape.length === 4) return [shape[3], shape[2], shape[0], shape[1]];
  }
  return shape.slice();
}

/** Why QuBD/spectral measures are not computed for an analysed shape, or null when they are. */
export function skipReason(shape: readonly number[]): string | null {
  const params = prod(shape);
  const rows = shape.length >= 2 ? shape[0] : 0;
  const cols = shape.length >= 2 ? params / rows : 0;
  if (shape.length < 2) return `${shape.length}-D tensor (QuBD and spectral measures need a matrix)`;
  if (rows < 4 || cols < 4) return `2-D view (${rows}, ${cols}) has a side < 4 (no 4×4 block)`;
  return null;
}

/**
 * The report's structured-plane rule, per plane (LSB first): ratio below `threshold` and, where
 * z-scores exist, z < −`STRUCTURE_Z`. A null z (reference SD 0, plane differs) counts as
 * beyond any band, so the ratio decides.
 */
export function structuredPlanes(ratios: readonly number[], z: readonly (number | null)[] | null, threshold: number, bdm: readonly number[], reference: readonly number[]): boolean[] {
  return structuredPlaneMask(ratios, z, threshold, bdm, reference);
}

/** Consecutive `true` entries from the end (the MSB) down. */
export function leadingCount(structured: readonly boolean[]): number {
  let lead = 0;
  for (let p = structured.length - 1; p >= 0 && structured[p]; p--) lead++;
  return lead;
}

/** Stage names: QuBD with its shuffled reference, spectral measures, naive and coarse-grained compression. */
export type StageName = 'qubd' | 'spectral' | 'naive' | 'coarse';

/**
 * One unit of report work, self-contained so it can be posted to a worker: `data` is the
 * analysed tensor (QuBD, spectral) or the stored one (compression), row-major float32.
 */
export interface StageTask {
  stage: StageName;
  /** Tensor name (error messages and the coarse-grained stream's header). */
  name: string;
  /** Shape of `data`. */
  shape: number[];
  data: Float32Array;
  /** The tensor's bytes as stored (stage 'naive' with `options.naive` 'stored', when the reader kept them). */
  stored?: { dtype: string; bytes: Uint8Array };
  /** Grid step Δ and its index in `options.deltas` (stage 'coarse' only). */
  delta?: number;
  index?: number;
  /** A part of a split naive bzip2 stage: block ends of the whole input and the block range [from, to). */
  part?: { ends: number[]; from: number; to: number };
  options: ReportOptions;
}

/**
 * Result of a {@link StageTask}: the fields of the tensor's report the stage fills, and the
 * stage's wall time in seconds where the runner measured it (never part of the report).
 */
export type StageResult = (
  | { stage: 'qubd'; qubd: TensorQubd; ratio: TensorRatio }
  | { stage: 'spectral'; spectral: TensorSpectral }
  | { stage: 'naive'; bits: number; of: string }
  | { stage: 'naive-part'; blockBits: number; of: string }
  | { stage: 'coarse'; index: number; bits: number }
) & { seconds?: number };

/** {@link runStage}, timed: the result carries the stage's wall time in `seconds`. */
export function runStageTimed(task: StageTask): StageResult {
  const t0 = performance.now();
  const r = runStage(task);
  r.seconds = (performance.now() - t0) / 1000;
  return r;
}

/** A stage of a tensor (Δ and its index for 'coarse'). */
export interface StageRef {
  stage: StageName;
  delta?: number;
  index?: number;
  /** Part of a split naive stage (see {@link splitNaive}). */
  part?: { ends: number[]; from: number; to: number };
  /** Number of parts of the split naive stage. */
  parts?: number;
}

/** Stages of one tensor, in the order the serial report runs them. */
export function stagesOf(analysedShape: readonly number[], params: number, o: ReportOptions): StageRef[] {
  const s: StageRef[] = [];
  if (skipReason(analysedShape) === null) {
    s.push({ stage: 'qubd' });
    if (o.spectral) s.push({ stage: 'spectral' });
  }
  if (o.compress && params > 0) {
    s.push({ stage: 'naive' });
    o.deltas.forEach((delta, index) => s.push({ stage: 'coarse', delta, index }));
  }
  return s;
}

/** Runs one stage (pure; what a pool worker runs). */
export function runStage(task: StageTask): StageResult {
  const o = task.options;
  switch (task.stage) {
    case 'qubd': {
      const d = msbDiagnostic(task.data, {
        shape: task.shape,
        bits: o.bits,
        range: o.range,
        ...(o.range === 'percentile' ? { percentile: o.percentile } : {}),
        ...(o.table ? { table: o.table } : {}),
        baseline: o.baseline,
        ...(o.baseline === 'sampled' ? { seed: o.seed, shuffles: o.shuffles } : {}),
        ...(o.threshold !== null ? { threshold: o.threshold } : {}),
      });
      const q = d.qubd;
      const zScores = d.zScores ? d.zScores.map((z) => (Number.isFinite(z) ? z : null)) : null;
      const structured = structuredPlanes(d.planes, zScores, d.threshold, d.qubd.planes.map((p) => p.bdm), d.reference.planes);
      const lead = leadingCount(structured);
      return {
        stage: 'qubd',
        qubd: { planes: q.planes.map((p) => p.bdm), total: q.total, lo: q.quantization.lo, hi: q.quantization.hi, step: q.quantization.step },
        ratio: {
          planes: d.planes.slice(),
          total: d.total,
          reference: d.reference.planes.slice(),
          baseline: o.baseline,
          referenceSd: d.referenceSd ? d.referenceSd.slice() : null,
          zScores,
          threshold: d.threshold,
          structured,
          leadingStructuredPlanes: lead,
          structure: structured.some((x) => x),
          suggestedBits: lead > 0 ? lead : null,
          shuffleNoise: d.shuffleNoise ?? null,
        },
      };
    }
    case 'spectral': {
      const m = spectralMetrics(task.data, task.shape);
      let sum = 0;
      for (let i = 0; i < m.singularValues.length; i++) sum += m.singularValues[i];
      let h = 0;
      if (sum > 0) {
        for (let i = 0; i < m.singularValues.length; i++) {
          const p = m.singularValues[i] / sum;
          if (p > 0) h -= p * Math.log(p);
        }
      }
      return {
        stage: 'spectral',
        spectral: { entropyNats: h, effectiveRank: sum > 0 ? Math.exp(h) : 0, stableRank: m.stableRank, spectralNorm: m.spectralNorm, frobeniusNorm: m.frobeniusNorm, rank: m.rank },
      };
    }
    case 'naive': {
      const { bytes, of } = naiveInput(task.data, task.stored, o);
      if (task.part) {
        const level = resolveOptions({ codec: o.codec })[1];
        return { stage: 'naive-part', blockBits: bzip2BlocksBitLength(bytes, task.part.ends, task.part.from, task.part.to, level), of };
      }
      return { stage: 'naive', bits: codecBits(bytes, o.codec), of };
    }
    case 'coarse':
      return { stage: 'coarse', index: task.index!, bits: coarseBits([{ name: task.name, shape: task.shape, data: task.data }], task.delta!, o.codec) };
  }
}

/** A tensor prepared for its stages: the report skeleton plus the analysed view. */
export interface PreparedTensor {
  report: TensorReport;
  /** Analysed data and shape (after the layout permutation). */
  analysed: { shape: number[]; data: Float32Array };
  /** Stored data and shape (compression stages), and the stored bytes when the reader kept them. */
  stored: { shape: number[]; data: Float32Array; bytes?: { dtype: string; bytes: Uint8Array } };
  stages: StageRef[];
}

/** Builds the report skeleton of a tensor and its stage list. */
export function prepareTensor(t: LoadedTensor, format: string, o: ReportOptions): PreparedTensor {
  let shape = t.shape;
  let data = t.data;
  let layout = 'as stored';
  const storedLayout = t.layout ?? defaultLayout(format, t.shape);
  if (o.layout === 'auto') {
    const p = toTorchTensor({ ...t, layout: storedLayout });
    if (p.data !== t.data) ({ shape, data, layout } = { ...p, layout: TORCH_PERMUTATIONS[storedLayout]! });
  }
  const params = prod(t.shape);
  const skipped = skipReason(shape);
  const report: TensorReport = {
    name: t.name,
    dtype: t.dtype,
    shape: t.shape.slice(),
    analysedShape: shape.slice(),
    layout,
    storedLayout,
    params,
    skipped,
    view: skipped === null ? [shape[0], params / shape[0]] : null,
    qubd: null,
    ratio: null,
    spectral: null,
    compression: null,
  };
  // A safetensors F32 tensor's stored bytes are its float32 data (little-endian): use them when the
  // reader did not keep a copy, so the in-memory report names the naive size as the CLI does.
  const bytes =
    t.stored ??
    (o.naive === 'stored' && format === 'safetensors' && t.dtype === 'F32' && LITTLE_ENDIAN
      ? { dtype: 'F32', bytes: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) }
      : undefined);
  const stored = { shape: t.shape, data: t.data, ...(bytes ? { bytes } : {}) };
  const p: PreparedTensor = { report, analysed: { shape, data }, stored, stages: stagesOf(shape, params, o) };
  splitNaive(p, o);
  return p;
}

/** The task of one stage of a prepared tensor. */
export function stageTask(p: PreparedTensor, s: StageRef, o: ReportOptions): StageTask {
  const src = s.stage === 'qubd' || s.stage === 'spectral' ? p.analysed : p.stored;
  return {
    stage: s.stage,
    name: p.report.name,
    shape: src.shape,
    data: src.data,
    ...(s.stage === 'coarse' ? { delta: s.delta, index: s.index } : {}),
    ...(s.stage === 'naive' && o.naive === 'stored' && p.stored.bytes ? { stored: p.stored.bytes } : {}),
    ...(s.part ? { part: s.part } : {}),
    options: o,
  };
}

/**
 * Splits a large bzip2 naive stage into parts of whole blocks (≈ {@link NAIVE_PART_BYTES} of
 * input each) that can run on different threads: the stream's size is the header, the sum of
 * the blocks' bit lengths and the trailer, so the parts add up to exactly `compressedBits`.
 */
export function splitNaive(p: PreparedTensor, o: ReportOptions, partBytes = NAIVE_PART_BYTES): void {
  if (o.codec !== 'bzip2' || !o.compress) return;
  const i = p.stages.findIndex((s) => s.stage === 'naive');
  if (i < 0) return;
  const { bytes } = naiveInput(p.stored.data, p.stored.bytes, o);
  if (bytes.length <= partBytes * 1.5) return;
  const level = resolveOptions({ codec: o.codec })[1];
  const ends = bzip2BlockEnds(bytes, level);
  const parts: StageRef[] = [];
  let from = 0;
  while (from < ends.length) {
    const start = from === 0 ? 0 : ends[from - 1];
    let to = from + 1;
    while (to < ends.length && ends[to] - start <= partBytes) to++;
    parts.push({ stage: 'naive', part: { ends, from, to } });
    from = to;
  }
  for (const s of parts) s.parts = parts.length;
  p.stages.splice(i, 1, ...parts);
}

const naiveSums = new WeakMap<TensorReport, { bits: number; left: number }>();

/** Writes a stage's result into the tensor's report (results may arrive in any order). */
export function applyStage(r: TensorReport, res: StageResult, o: ReportOptions, parts = 1): void {
  switch (res.stage) {
    case 'naive-part': {
      const acc = naiveSums.get(r) ?? { bits: 0, left: parts };
      acc.bits += res.blockBits;
      acc.left--;
      naiveSums.set(r, acc);
      if (acc.left === 0) {
        naiveSums.delete(r);
        applyStage(r, { stage: 'naive', bits: bzip2StreamBits(acc.bits), of: res.of }, o);
      }
      return;
    }
    case 'qubd':
      r.qubd = res.qubd;
      r.ratio = res.ratio;
      return;
    case 'spectral':
      r.spectral = res.spectral;
      return;
    case 'naive':
      r.compression ??= { naiveBits: 0, naiveOf: '', coarse: o.deltas.map((delta) => ({ delta, bits: 0 })) };
      r.compression.naiveBits = res.bits;
      r.compression.naiveOf = res.of;
      return;
    case 'coarse':
      r.compression ??= { naiveBits: 0, naiveOf: '', coarse: o.deltas.map((delta) => ({ delta, bits: 0 })) };
      r.compression.coarse[res.index].bits = res.bits;
  }
}

/**
 * Analyses one tensor, all stages in this thread (the serial report).
 * @remarks Usage (internal: not exported from 'ockham'):
 * ```ts
 * import { analyseTensor, DEFAULT_REPORT_OPTIONS, normalArray } from 'ockham';
 * const data = Float32Array.from(normalArray(4096, 1, 0, 0.02));
 * const t = analyseTensor({ name: 'w', dtype: 'F32', shape: [64, 64], data }, 'safetensors', DEFAULT_REPORT_OPTIONS);
 * console.log(t.ratio?.planes, t.compression?.naiveBits);
 * ```
 */
export function analyseTensor(t: LoadedTensor, format: string, o: ReportOptions): TensorReport {
  const p = prepareTensor(t, format, o);
  for (const s of p.stages) applyStage(p.report, runStage(stageTask(p, s, o)), o, s.parts);
  return p.report;
}
