/**
 * The report computation (`ockham report` without the file reading): tensors in, a
 * `Report` (schema `ockham.report/1`) out. Browser-safe; stages run in a {@link ReportPool}.
 */
import { OckhamError } from '../errors.js';
import { CODECS } from '../compress/index.js';
import { assertInt, assertKnownOptions, assertNumber, assertOneOf } from '../util/validate.js';
import type { LoadedTensor, WeightsFile } from '../io/index.js';
import { inlinePool } from './pool.js';
import type { ReportPool } from './pool.js';
import { analysedShapeOf, applyStage, leadingCount, prepareTensor, prod, stageTask, stagesOf, structuredPlanes } from './tensor.js';
import type { PreparedTensor, StageName } from './tensor.js';
import { DEFAULT_REPORT_OPTIONS, STRUCTURE_Z } from './types.js';
import type { CoarseSize, Progress, Report, ReportOptions, TensorReport } from './types.js';

/** How a report runs: progress, cancellation, parallelism. None of it changes the result. */
export interface ReportControl {
  /** Called as stages start and finish (work in parameters × stages, see {@link Progress}). */
  onProgress?: Progress;
  /**
   * Cancels the report: it rejects with `signal.reason` (a DOMException named 'AbortError' unless
   * the caller gave another reason) as soon as the signal fires — at once while waiting on pool
   * workers, between stages when stages run in this thread.
   */
  signal?: AbortSignal;
  /**
   * Called when a stage finishes, with its wall time as measured by the thread that ran it (0
   * when the pool does not time stages): for per-stage cost tables (bench/llm.ts).
   */
  onStage?: (e: { tensor: string; stage: StageName; params: number; seconds: number }) => void;
  /** Where stages run (default {@link inlinePool}: this thread, one at a time). Not closed by the report. */
  pool?: ReportPool;
  /** `Report.file` (default ''). */
  file?: string;
  /**
   * Bytes of tensor data plus estimated stage working memory (`STAGE_MEMORY` in src/report/core.ts) allowed in
   * flight. Default: what the largest tensor needs with its heaviest stage, plus
   * `BUDGET_SLACK` for smaller tensors alongside. A stage that does not fit waits for
   * running ones; when nothing runs, the next stage always starts.
   */
  memoryBudget?: number;
  /**
   * Called when a tensor's stages are all done and the report has dropped its buffers, with
   * their size in bytes: a host may collect garbage there so large tensors are freed before the
   * next ones are read (`reportFile` in Node does, once 16 MiB are waiting). Called from a
   * promise callback that still holds the tensor: defer the collection (e.g. `setImmediate`).
   */
  onTensorDone?: (bytes: number) => void;
}

/**
 * Tensors to report. With `shapes` (known up front, e.g. from a header) the progress counts
 * stages, the memory budget is set from the largest tensor and tensors may arrive in any
 * `order`; without, give `count` and `params`: tensors arrive in file order, progress counts
 * parameters, and the budget follows the largest tensor seen so far.
 */
export interface ReportSource {
  format: string;
  metadata: Record<string, string>;
  /** Stored shapes of the tensors, in file order (the report's order). */
  shapes?: readonly (readonly number[])[];
  /** Number of tensors (required without `shapes`). */
  count?: number;
  /** Total parameters (required without `shapes`). */
  params?: number;
  /**
   * File indices of the tensors in the order `tensors` yields them (default: file order). A
   * random-access reader yields the largest first (see {@link largestFirst}) so the big tensor's
   * stages overlap the small ones instead of running last.
   */
  order?: readonly number[];
  /** The tensors (read lazily: the report pulls one when it has room for it). */
  tensors: Iterable<LoadedTensor> | AsyncIterable<LoadedTensor>;
}

/**
 * Indices of `shapes` by decreasing size, ties in file order: the order in which to read tensors
 * so the longest stages start first (longest-processing-time-first scheduling).
 * @example
 * ```ts
 * import { largestFirst } from 'ockham';
 * largestFirst([[4], [8, 8], [2, 2]]); // [1, 2, 0]
 * ```
 */
export function largestFirst(shapes: readonly (readonly number[])[]): number[] {
  const size = shapes.map((s) => prod(s));
  return size.map((_, i) => i).sort((a, b) => size[b] - size[a] || a - b);
}

/**
 * Working memory of a stage beyond the tensor data it reads, as a multiple of the tensor's
 * float32 bytes: peak RSS growth measured on a 50257×768 float32 matrix (GPT-2's wte) with the
 * kernels of this version — QuBD with the shuffled references 0.14× (quantized and counted in
 * ~1M-element slices, bench/memprobe.ts; tensors under one slice take ~1.5× of ≤ 6 MiB), spectral (Gram route)
 * 0.06×, naive with a codec's whole output 2.03×, coarse-grained stream + codec at Δ = 1e-3 /
 * 1e-2 / 1e-1: 0.88× / 0.50× / 0.38×. With bzip2 (the default codec) the compression stages are
 * costed exactly instead ({@link BZIP2_STAGE_BYTES}, the coarse-grained stream's size bound):
 * these multiples apply to the other codecs.
 * Update with the kernels (the figures come from .scratch measurements described in docs/report.md).
 */
export const STAGE_MEMORY: Readonly<Record<StageName, number>> = { qubd: 0.2, spectral: 0.1, naive: 2.05, coarse: 0.9 };

/**
 * Working memory of a bzip2 stage (naive, or a part of it; and the codec's share of a
 * coarse-grained stage) beyond its input (16 MiB): sizes are computed block by block, so it
 * holds one block's buffers plus the garbage of the blocks since the last young-generation
 * collection — ≈ 7 MiB per 900 kB block, collected every 2 MiB of input in Node (`reportFile`,
 * report workers). Without those collections (e.g. in a browser) V8 lets it grow further.
 */
export const BZIP2_STAGE_BYTES = 16 * 1024 * 1024;

/** Varint bytes of a non-negative integer (LEB128, as the "OCCG" stream writes codes). */
function varintBytes(z: number): number {
  let n = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
}

/**
 * An upper bound on the bytes of a tensor's coarse-grained stream at step Δ: every code
 * round(x/Δ) has |code| ≤ ⌈max|x| / Δ⌉, so its zig-zag varint takes at most
 * varintBytes(2·⌈max|x|/Δ⌉ + 1) bytes; plus 1 KiB for the header (name and shape).
 */
export function coarseStreamBound(params: number, maxAbs: number, delta: number): number {
  const d = Math.fround(delta);
  const top = Math.min(2 ** 32, 2 * Math.ceil(maxAbs / d) + 1);
  return params * varintBytes(top) + 1024;
}

/** Memory allowed beyond the largest tensor and its heaviest stage, for the stages of smaller tensors alongside (64 MiB). */
export const BUDGET_SLACK = 64 * 1024 * 1024;

/** Checks resolved report options at the public boundary (OckhamError naming `options.<key>`). */
export function validateReportOptions(o: ReportOptions): ReportOptions {
  assertKnownOptions(o, 'options', [...Object.keys(DEFAULT_REPORT_OPTIONS), 'budget']);
  assertInt(o.bits, 'options.bits', 1, 16);
  assertOneOf(o.range, 'options.range', ['minmax', 'percentile'] as const);
  assertNumber(o.percentile, 'options.percentile', 0, 100, { minExclusive: true });
  assertInt(o.seed, 'options.seed', 0, Number.MAX_SAFE_INTEGER);
  assertOneOf(o.baseline, 'options.baseline', ['exact', 'sampled'] as const);
  assertInt(o.shuffles, 'options.shuffles', 1, 64);
  if (o.threshold !== null) assertNumber(o.threshold, 'options.threshold', 0, 100, { minExclusive: true });
  if (o.table !== null && (typeof o.table !== 'object' || !(o.table.shapes instanceof Map))) {
    throw new OckhamError('INVALID_ARGUMENT', 'options.table', 'expected a CtmTable (e.g. from ctmTableFromTsv) or null for the built-in one');
  }
  if (typeof o.tableName !== 'string') throw new OckhamError('INVALID_ARGUMENT', 'options.tableName', 'expected a string');
  if (!Array.isArray(o.deltas) || o.deltas.length === 0) throw new OckhamError('EMPTY', 'options.deltas', 'expected at least one grid step Δ > 0');
  o.deltas.forEach((d, i) => {
    assertNumber(d, `options.deltas[${i}]`, 0, Number.MAX_VALUE, { minExclusive: true });
    if (Math.fround(d) === 0) throw new OckhamError('OUT_OF_RANGE', `options.deltas[${i}]`, `Δ = ${d} rounds to 0 in float32`);
  });
  assertOneOf(o.codec, 'options.codec', CODECS);
  if (typeof o.spectral !== 'boolean') throw new OckhamError('INVALID_ARGUMENT', 'options.spectral', 'expected a boolean');
  if (typeof o.compress !== 'boolean') throw new OckhamError('INVALID_ARGUMENT', 'options.compress', 'expected a boolean');
  assertOneOf(o.layout, 'options.layout', ['auto', 'keep'] as const);
  assertOneOf(o.naive, 'options.naive', ['stored', 'float32'] as const);
  if (o.budget !== undefined && (o.budget === null || typeof o.budget !== 'object')) {
    throw new OckhamError('INVALID_ARGUMENT', 'options.budget', 'expected a ReadBudget object');
  }
  return o;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The report was aborted', 'AbortError');
}

/**
 * Runs the report over a {@link ReportSource}. Results are identical whatever the pool and its
 * size: stages are pure functions and are placed back in file order.
 *
 * @returns The report; `seconds` is the wall time of this call.
 * @throws {OckhamError} from the readers or stages (e.g. OUT_OF_RANGE for a Δ too small for the
 *   weights); the signal's reason when aborted.
 * @example
 * ```ts
 * import { buildReportFromSource } from 'ockham';
 * const w = { name: 'w', dtype: 'F32', shape: [16, 16], data: new Float32Array(256).map((_, i) => Math.sin(i)) };
 * const r = await buildReportFromSource({ format: 'safetensors', metadata: {}, shapes: [w.shape], tensors: [w] }, { baseline: 'sampled', shuffles: 2 });
 * console.log(r.totals.ratioTotal, r.totals.zPlanes);
 * ```
 */
export async function buildReportFromSource(source: ReportSource, options: Partial<ReportOptions> = {}, control: ReportControl = {}): Promise<Report> {
  const o = validateReportOptions({ ...DEFAULT_REPORT_OPTIONS, ...options });
  const t0 = performance.now();
  const { signal, onProgress } = control;
  signal?.throwIfAborted();
  const pool = control.pool ?? inlinePool();
  const shapes = source.shapes;
  if (!shapes && !(Number.isInteger(source.count) && source.count! >= 0 && typeof source.params === 'number' && source.params >= 0)) {
    throw new OckhamError('INVALID_ARGUMENT', 'source', 'give the tensor shapes, or their count and total params');
  }
  if (!shapes && source.order) throw new OckhamError('INVALID_ARGUMENT', 'source.order', 'an order needs the shapes');
  const n = shapes ? shapes.length : source.count!;

  // Work units: with shapes, params × stages per tensor (a tensor with no stage counts its params
  // once), one tensor's params per finished stage; without, params per tensor, spread over its stages.
  const total = shapes
    ? shapes.reduce((sum, s) => sum + prod(s) * Math.max(1, stagesOf(analysedShapeOf(s, source.format, o.layout), prod(s), o).length), 0)
    : source.params!;
  const copies = (format: string) => (format === 'tfjs' && o.layout === 'auto' ? 2 : 1);
  let largest = 0;
  for (const s of shapes ?? []) largest = Math.max(largest, prod(s) * 4 * copies(source.format));
  const bzip2 = o.codec === 'bzip2';
  // The largest tensor's heaviest stage: with bzip2, a coarse-grained stream of up to 2 bytes
  // per weight (codes |round(x/Δ)| < 64 take 1) plus the codec's blocks; else STAGE_MEMORY.
  const heaviest = (bytes: number) =>
    Math.max(
      0,
      ...(['qubd', 'naive', 'coarse', 'spectral'] as const)
        .filter((x) => (x === 'qubd' ? true : x === 'spectral' ? o.spectral : o.compress))
        .map((x) => (bzip2 && x === 'naive' ? BZIP2_STAGE_BYTES : bzip2 && x === 'coarse' ? bytes / 2 + BZIP2_STAGE_BYTES : STAGE_MEMORY[x] * bytes)),
    );
  const budget = () => control.memoryBudget ?? largest + heaviest(largest) + BUDGET_SLACK;
  const order = source.order ?? Array.from({ length: n }, (_, i) => i);
  if (order.length !== n || new Set(order).size !== n || order.some((i) => !Number.isInteger(i) || i < 0 || i >= n)) {
    throw new OckhamError('INVALID_ARGUMENT', 'source.order', `expected a permutation of 0..${n - 1}`);
  }

  const reports: TensorReport[] = new Array<TensorReport>(n);
  let done = 0;
  let label = n > 0 ? '' : 'done';
  const progress = () => onProgress?.(done, total, label);

  const it: Iterator<LoadedTensor> | AsyncIterator<LoadedTensor> =
    Symbol.asyncIterator in source.tensors
      ? (source.tensors as AsyncIterable<LoadedTensor>)[Symbol.asyncIterator]()
      : (source.tensors as Iterable<LoadedTensor>)[Symbol.iterator]();

  interface Live {
    index: number;
    /** Reading position. */
    pos: number;
    p: PreparedTensor;
    next: number;
    pending: number;
    bytes: number;
    /** Progress units per finished stage. */
    perStage: number;
    /** Largest |weight| (bounds the coarse-grained streams). */
    maxAbs: number;
  }
  const live: Live[] = [];
  let nextTensor = 0;
  let inFlightBytes = 0;
  let running = 0;
  let failure = null as { e: unknown } | null;
  /** Throws the abort reason, if aborted. */
  const check = () => {
    const f = failure as { e: unknown } | null;
    if (f) throw f.e;
  };
  // A stage or read that fails is reported as the serial run would report it: the earliest
  // failure in (reading position, stage) order. Work before it still runs; nothing after it starts.
  let firstFail = null as { pos: number; stage: number; e: unknown } | null;
  const fail = (pos: number, stage: number, e: unknown) => {
    if (!firstFail || pos < firstFail.pos || (pos === firstFail.pos && stage < firstFail.stage)) firstFail = { pos, stage, e };
  };
  const before = (pos: number, stage: number) => !firstFail || pos < firstFail.pos || (pos === firstFail.pos && stage < firstFail.stage);
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const onAbort = () => {
    failure ??= { e: abortError(signal!) };
    notify();
  };
  signal?.addEventListener('abort', onAbort);

  const finishTensor = (l: Live) => {
    reports[l.index] = l.p.report;
    inFlightBytes -= l.bytes;
    live.splice(live.indexOf(l), 1);
    control.onTensorDone?.(l.bytes);
  };

  const load = async (): Promise<Live> => {
    const pos = nextTensor;
    const index = order[nextTensor++];
    const r = await it.next();
    if (r.done) throw new OckhamError('INVALID_ARGUMENT', 'source', `expected ${n} tensors, the source ended after ${nextTensor - 1}`);
    let t = r.value;
    const expected = shapes ? shapes[index] : t?.shape;
    if (!Array.isArray(t?.shape) || t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
      throw new OckhamError('SHAPE_MISMATCH', 'source', `tensor ${index} ('${t?.name}') has shape [${String(t?.shape)}], the source announced [${expected.join(', ')}]`);
    }
    if (!(t.data instanceof Float32Array) || t.data.length !== prod(expected)) {
      throw new OckhamError('SHAPE_MISMATCH', `tensors[${index}].data`, `expected a Float32Array of ${prod(expected)} elements (shape [${expected.join(', ')}]) for '${t.name}'`);
    }
    const d = t.data;
    let maxAbs = 0;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v - v !== 0) throw new OckhamError('NON_FINITE', `tensors[${index}]`, `tensor '${t.name}' holds ${v} at element ${i}; ockham measures finite weights only`);
      const a = v < 0 ? -v : v;
      if (a > maxAbs) maxAbs = a;
    }
    largest = Math.max(largest, d.byteLength * copies(source.format));
    if (pool.shared && typeof SharedArrayBuffer === 'function' && !(t.data.buffer instanceof SharedArrayBuffer)) {
      const data = new Float32Array(new SharedArrayBuffer(t.data.byteLength));
      data.set(t.data);
      t = { ...t, data };
    }
    let p = prepareTensor(t, source.format, o);
    if (pool.shared && p.analysed.data !== p.stored.data && typeof SharedArrayBuffer === 'function') {
      const data = new Float32Array(new SharedArrayBuffer(p.analysed.data.byteLength));
      data.set(p.analysed.data);
      p = { ...p, analysed: { shape: p.analysed.shape, data } };
    }
    const bytes = p.stored.data.byteLength + (p.analysed.data !== p.stored.data ? p.analysed.data.byteLength : 0);
    const weight = shapes ? p.report.params * Math.max(1, p.stages.filter((s) => !s.part || s.part.from === 0).length) : p.report.params;
    const logical = p.stages.filter((s) => !s.part || s.part.from === 0).length;
    const l: Live = { index, pos, p, next: 0, pending: 0, bytes, maxAbs, perStage: weight / Math.max(1, logical) };
    live.push(l);
    inFlightBytes += bytes;
    return l;
  };

  // bzip2 sizes are computed block by block: a naive bzip2 stage (or part) holds one block's
  // buffers and garbage (BZIP2_STAGE_BYTES), a coarse-grained one its stream too (bounded from
  // the largest weight); other codecs build the whole output (STAGE_MEMORY).
  const stageCost = (l: Live) => {
    const ref = l.p.stages[l.next];
    const bytes = l.p.stored.data.byteLength;
    if (bzip2 && ref.stage === 'naive') return BZIP2_STAGE_BYTES;
    if (bzip2 && ref.stage === 'coarse') return coarseStreamBound(l.p.report.params, l.maxAbs, ref.delta!) + BZIP2_STAGE_BYTES;
    return STAGE_MEMORY[ref.stage] * bytes;
  };
  const start = (l: Live) => {
    const cost = stageCost(l);
    const stageIndex = l.next;
    const s = l.p.stages[l.next++];
    l.pending++;
    running++;
    inFlightBytes += cost;
    label = `${l.p.report.name} · ${s.stage}`;
    progress();
    pool.run(stageTask(l.p, s, o)).then(
      (res) => {
        applyStage(l.p.report, res, o, s.parts);
        control.onStage?.({ tensor: l.p.report.name, stage: s.stage, params: l.p.report.params, seconds: res.seconds ?? 0 });
        l.pending--;
        running--;
        inFlightBytes -= cost;
        done += l.perStage / (s.parts ?? 1);
        if (l.pending === 0 && l.next === l.p.stages.length) finishTensor(l);
        progress();
        notify();
      },
      (e: unknown) => {
        running--;
        inFlightBytes -= cost;
        fail(l.pos, stageIndex, e);
        notify();
      },
    );
  };

  try {
    progress();
    for (;;) {
      check();
      // Start what fits: the first stage (in reading order) of a loaded tensor that fits the
      // budget, else the next tensor if it and its first stage fit and fewer than `size`
      // tensors are loaded. With nothing running, the next stage or tensor always starts.
      let started = false;
      for (;;) {
        if (running >= pool.size) break;
        const l = live.find((x) => x.next < x.p.stages.length && before(x.pos, x.next) && (running === 0 || inFlightBytes + stageCost(x) <= budget()));
        if (l) {
          start(l);
          started = true;
          continue;
        }
        if (nextTensor >= n || live.length >= pool.size || !before(nextTensor, -1)) break;
        if (running > 0 || live.some((x) => x.next < x.p.stages.length)) {
          const sh = shapes?.[order[nextTensor]];
          const bytes = sh ? prod(sh) * 4 : 0;
          const first = sh ? stagesOf(analysedShapeOf(sh, source.format, o.layout), prod(sh), o)[0] : undefined;
          const firstCost = !first ? 0 : bzip2 && first.stage === 'naive' ? BZIP2_STAGE_BYTES : STAGE_MEMORY[first.stage] * bytes;
          if (inFlightBytes + bytes + firstCost > budget()) break;
        }
        const pos = nextTensor;
        let t: Live;
        try {
          t = await load();
        } catch (e) {
          fail(pos, -1, e);
          nextTensor = n; // the source cannot go on
          continue;
        }
        check();
        if (t.p.stages.length === 0) {
          done += t.perStage;
          finishTensor(t);
          progress();
        }
        started = true;
      }
      check();
      if (running === 0) {
        const f = firstFail as { e: unknown } | null;
        if (f) throw f.e;
        if (nextTensor >= n && live.length === 0) break;
        if (!started) throw new Error('report scheduler stalled (internal error)');
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    check();
  } finally {
    // Let the source release its file (it yielded all we asked for, or we stopped early). On a
    // failure, outstanding stages are abandoned; the pool's owner closes it.
    signal?.removeEventListener('abort', onAbort);
    await (it as AsyncIterator<LoadedTensor>).return?.();
  }
  label = 'done';
  done = total;
  progress();
  return assemble(control.file ?? '', source.format, source.metadata, reports, o, (performance.now() - t0) / 1000);
}

/**
 * The `ockham report` of an in-memory weights file (e.g. from `parseSafetensors` of a
 * dropped file in a browser): per tensor and bit-plane QuBD, the ratio to shuffled copies
 * (msbDiagnostic; exact shuffle baseline by default, with per-plane z-scores; `suggestedBits` null
 * and `structure` false when no plane differs from it beyond the noise band), spectral measures, naive and coarse-grained compressed sizes, and model
 * totals. Equals `ockham report --json` of the same file and options except `file` (from
 * `control.file`) and `seconds`. Units: QuBD and compressed sizes in bits, spectral entropy in
 * nats. Kolmogorov complexity is uncomputable: BDM and compressed sizes are upper-bound
 * estimates (docs/cli.md).
 *
 * @param file - The parsed file (`{ format, tensors, metadata }`).
 * @param options - Report options (defaults as the CLI's, {@link DEFAULT_REPORT_OPTIONS}).
 * @param control - `{ onProgress, signal, pool, file, memoryBudget }` ({@link ReportControl}).
 * @returns The report (schema `ockham.report/1`, docs/cli.md).
 * @throws {OckhamError} for invalid tensors or options; the signal's reason when aborted.
 * @example
 * ```ts
 * import { buildReport, parseSafetensors, serializeSafetensors } from 'ockham';
 * const bytes = serializeSafetensors([{ name: 'w', shape: [32, 32], data: new Float32Array(1024).map((_, i) => Math.cos(i / 9)) }]);
 * const r = await buildReport(parseSafetensors(bytes), {}, { onProgress: (d, t) => console.log(`${d}/${t}`) });
 * console.log(r.tensors[0].ratio?.planes, r.tensors[0].ratio?.zScores, r.totals.suggestedBits); // null = no structure detected
 * ```
 */
export function buildReport(file: WeightsFile, options: Partial<ReportOptions> = {}, control: ReportControl = {}): Promise<Report> {
  if (file === null || typeof file !== 'object' || !Array.isArray(file.tensors)) {
    return Promise.reject(new OckhamError('INVALID_ARGUMENT', 'file', 'expected a WeightsFile { format, tensors, metadata }'));
  }
  const shapes = file.tensors.map((t) => t?.shape ?? []);
  const order = largestFirst(shapes);
  return buildReportFromSource({ format: file.format, metadata: file.metadata, shapes, order, tensors: order.map((i) => file.tensors[i]) }, options, control);
}

/** Totals of a report from its tensors. */
export function assemble(file: string, format: string, metadata: Record<string, string>, tensors: TensorReport[], o: ReportOptions, seconds: number): Report {
  const b = o.bits;
  const qubdPlanes = new Array<number>(b).fill(0);
  const referencePlanes = new Array<number>(b).fill(0);
  const referenceVar = new Array<number>(b).fill(0);
  let allSd = true;
  let analysed = 0;
  let analysedParams = 0;
  let params = 0;
  for (const t of tensors) {
    params += t.params;
    if (!t.qubd || !t.ratio) continue;
    analysed++;
    analysedParams += t.params;
    for (let p = 0; p < b; p++) {
      qubdPlanes[p] += t.qubd.planes[p];
      referencePlanes[p] += t.ratio.reference[p];
    }
    const sd = t.ratio.referenceSd;
    if (sd) for (let p = 0; p < b; p++) referenceVar[p] += sd[p] * sd[p];
    else allSd = false;
  }
  const qubdBits = qubdPlanes.reduce((s, v) => s + v, 0);
  const refBits = referencePlanes.reduce((s, v) => s + v, 0);
  const ratioPlanes = analysed ? qubdPlanes.map((v, p) => (100 * v) / referencePlanes[p]) : [];
  const threshold = o.threshold ?? 97;
  // Tensors are shuffled independently, so the model-level reference variance per plane is the sum.
  const referenceSdPlanes = analysed && allSd ? referenceVar.map((v) => Math.sqrt(v)) : null;
  const zPlanes = referenceSdPlanes
    ? qubdPlanes.map((v, p) => {
        const d = v - referencePlanes[p];
        const sd = referenceSdPlanes[p];
        if (sd > 0) return d / sd;
        return Math.abs(d) <= 1e-9 * Math.abs(referencePlanes[p]) ? 0 : null;
      })
    : null;
  const structured = analysed ? structuredPlanes(ratioPlanes, zPlanes, threshold, qubdPlanes, referencePlanes) : [];
  const lead = leadingCount(structured);
  let naiveBits: number | null = null;
  let coarse: CoarseSize[] | null = null;
  if (o.compress) {
    naiveBits = 0;
    coarse = o.deltas.map((delta) => ({ delta, bits: 0 }));
    for (const t of tensors) {
      if (!t.compression) continue;
      naiveBits += t.compression.naiveBits;
      t.compression.coarse.forEach((c, i) => (coarse![i].bits += c.bits));
    }
  }
  return {
    schema: 'ockham.report/1',
    file,
    format,
    metadata,
    options: {
      bits: o.bits,
      range: o.range,
      percentile: o.range === 'percentile' ? o.percentile : null,
      seed: o.seed,
      baseline: o.baseline,
      shuffles: o.shuffles,
      threshold: o.threshold,
      table: o.tableName,
      deltas: o.deltas.slice(),
      codec: o.codec,
      spectral: o.spectral,
      compress: o.compress,
      layout: o.layout,
      naive: o.naive,
    },
    tensors,
    totals: {
      tensors: tensors.length,
      analysed,
      params,
      analysedParams,
      qubdPlanes,
      qubdBits,
      referencePlanes,
      ratioPlanes,
      ratioTotal: analysed ? (100 * qubdBits) / refBits : null,
      referenceSdPlanes,
      zPlanes,
      threshold,
      zThreshold: STRUCTURE_Z,
      structuredPlanes: structured,
      structure: analysed ? structured.some((x) => x) : null,
      suggestedBits: lead > 0 ? lead : null,
      naiveBits,
      coarse,
    },
    seconds,
  };
}
