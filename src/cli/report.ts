/**
 * `ockham report` for files on disk (Node only): reads the file — a single safetensors file
 * tensor by tensor, largest first, straight into SharedArrayBuffers when stages run in worker
 * threads; every other format through `openWeightsStream` in file order — and hands the tensors
 * to the browser-safe report core (src/report/), in a `worker_threads` pool of `jobs` threads.
 */
import { open, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { decodeSafetensorsEntry } from '../io/index.js';
import type { LoadedTensor, SafetensorsEntry } from '../io/index.js';
import { HOST_LE } from '../io/dtypes.js';
import { openWeightsStream, readSafetensorsHeader, sniffWeightsFile } from '../io/node/index.js';
import { rethrowWithPath } from '../io/node/errors.js';
import { readExactly } from '../io/node/safetensors-file.js';
import { resolveReadBudget } from '../io/budget.js';
import { OckhamError } from '../errors.js';
import { buildReportFromSource, largestFirst } from '../report/core.js';
import type { ReportControl, ReportSource } from '../report/core.js';
import type { ReportPool } from '../report/pool.js';
import { DEFAULT_REPORT_OPTIONS } from '../report/types.js';
import type { Progress, Report, ReportOptions } from '../report/types.js';
import { assertFiniteTensor } from './finite.js';
import { createNodePool, defaultJobs } from './pool-node.js';
import { gcFunction, minorGcFunction } from './gc.js';
import { setStageCollector } from '../report/tensor.js';

export { DEFAULT_REPORT_OPTIONS } from '../report/types.js';
export type { Report, ReportOptions, TensorReport, CoarseSize, Progress } from '../report/types.js';
export { analyseTensor, coarseBits, coarseCodes, toTorchLayout } from '../report/tensor.js';
export { assemble } from '../report/core.js';

/** How {@link reportFile} runs (none of it changes the report). */
export interface ReportFileControl extends Omit<ReportControl, 'file'> {
  /**
   * Worker threads running the stages (default: all cores, `os.availableParallelism()`);
   * 1 runs everything in this thread. Ignored when `pool` is given.
   */
  jobs?: number;
}


/**
 * Streams a safetensors file's tensors in the given entry order. Float32 tensors are read
 * straight into a (Shared)ArrayBuffer, and their stored bytes are a view of it (no copy); other
 * dtypes are read raw (kept as the stored bytes when `stored`) and decoded.
 */
async function* streamTensors(
  path: string,
  entries: readonly SafetensorsEntry[],
  shared: boolean,
  stored: boolean,
  clock: { readSeconds: number },
): AsyncGenerator<LoadedTensor> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const st = await fh.stat();
    if (!st.isFile()) throw new OckhamError('INVALID_ARGUMENT', path, 'is not a regular file');
    for (const e of entries) {
      const t0 = performance.now();
      if (e.end > st.size) throw new OckhamError('PARSE_ERROR', path, `file shrank to ${st.size} bytes while reading`);
      const bytes = e.end - e.start;
      const alloc = (n: number) => {
        try {
          return shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n);
        } catch (err) {
          if (err instanceof RangeError) {
            throw new OckhamError('OUT_OF_RANGE', path, `tensor ${JSON.stringify(e.name)} (${e.dtype} [${e.shape.join(', ')}], ${bytes} bytes) is too large for one JavaScript typed array`);
          }
          throw err;
        }
      };
      let t: LoadedTensor;
      if (e.dtype === 'F32' && HOST_LE) {
        const data = new Float32Array(alloc(bytes));
        const raw = new Uint8Array(data.buffer);
        await readExactly(fh, raw, e.start, path);
        t = { name: e.name, dtype: e.dtype, shape: e.shape.slice(), data, layout: 'safetensors' };
        if (stored) t.stored = { dtype: e.dtype, bytes: raw };
      } else {
        const raw = new Uint8Array(alloc(bytes));
        await readExactly(fh, raw, e.start, path);
        t = { ...decodeSafetensorsEntry(e, raw), layout: 'safetensors' };
        if (stored) t.stored = { dtype: e.dtype, bytes: raw };
      }
      clock.readSeconds += (performance.now() - t0) / 1000;
      assertFiniteTensor(t, path);
      yield t;
    }
  } catch (err) {
    rethrowWithPath(path, err);
  } finally {
    await fh?.close();
  }
}

/** Times the reads of a stream and refuses NaN/±Infinity with the file named. */
async function* checked(src: AsyncIterable<LoadedTensor>, path: string, clock: { readSeconds: number }): AsyncGenerator<LoadedTensor> {
  const it = src[Symbol.asyncIterator]();
  try {
    for (;;) {
      const t0 = performance.now();
      const r = await it.next();
      clock.readSeconds += (performance.now() - t0) / 1000;
      if (r.done) return;
      assertFiniteTensor(r.value, path);
      yield r.value;
    }
  } finally {
    await it.return?.();
  }
}

/** The report source of a file: a single safetensors file by our reader (any order), the rest through openWeightsStream. */
async function openSource(file: string, o: ReportOptions, shared: boolean, clock: { readSeconds: number }): Promise<ReportSource> {
  const stored = o.naive === 'stored';
  let single = false;
  try {
    single = !(await stat(file)).isDirectory() && (await sniffWeightsFile(file)).format === 'safetensors';
  } catch (e) {
    rethrowWithPath(file, e);
  }
  if (single) {
    const header = await readSafetensorsHeader(file, o.budget);
    const budget = resolveReadBudget(o.budget);
    if (header.entries.length > budget.maxTensors) throw new OckhamError('OUT_OF_RANGE', file, `${header.entries.length} tensors, more than maxTensors = ${budget.maxTensors}`);
    for (const e of header.entries) {
      const size = Math.max(4 * e.shape.reduce((a, b) => a * b, 1), e.end - e.start);
      if (size > budget.maxTensorBytes) throw new OckhamError('OUT_OF_RANGE', file, `tensor ${JSON.stringify(e.name)} needs ${size} bytes, over maxTensorBytes = ${budget.maxTensorBytes}`);
    }
    const shapes = header.entries.map((e) => e.shape);
    // Largest tensors first (random access by offset): their long stages overlap the small ones.
    const order = largestFirst(shapes);
    return { format: 'safetensors', metadata: header.metadata, shapes, order, tensors: streamTensors(file, order.map((i) => header.entries[i]), shared, stored, clock) };
  }
  const w = await openWeightsStream(file, { ...o.budget, stored });
  return { format: w.format, metadata: w.metadata, count: w.count, params: w.params, tensors: checked(w.tensors, file, clock) };
}

/**
 * Reads `file` and analyses every tensor: the `ockham report` command as a function (Node
 * only). Stages run in `jobs` worker threads (default all cores); the result is the same for
 * any `jobs`. Memory is bounded by a budget (ReportControl.memoryBudget; by default the largest
 * tensor with its heaviest stage plus 64 MiB), not by the file. Units: QuBD and compressed sizes
 * in bits, spectral entropy in nats.
 *
 * @param file - Any file `readWeightsFile` reads (safetensors, a shard index or its folder, GGUF, .npy, .npz, a TensorFlow.js model.json or its folder); safetensors, shards and GGUF stream tensor by tensor.
 * @param options - Report options (bits, range, baseline, shuffles/seed for the sampled baseline, codec, Δ grid, …; defaults as the CLI's, see docs/cli.md).
 * @param control - A progress callback, or `{ onProgress, onStage, signal, jobs, pool, memoryBudget }`.
 * @returns The report (schema `ockham.report/1`, docs/cli.md).
 * @throws {OckhamError} for unreadable or invalid files (argument = the path); the signal's
 *   reason (an 'AbortError' DOMException by default) when aborted — worker threads are stopped at once.
 * @example
 * ```ts
 * import { reportFile } from 'ockham/node';
 * const r = await reportFile('examples/grokking/step-004000.safetensors', {}, { jobs: 2 });
 * console.log(r.totals);
 * ```
 */
export async function reportFile(file: string, options: Partial<ReportOptions> = {}, control: Progress | ReportFileControl = {}): Promise<Report> {
  const c: ReportFileControl = typeof control === 'function' ? { onProgress: control } : control;
  const jobs = c.jobs ?? defaultJobs();
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 1024) throw new OckhamError('OUT_OF_RANGE', 'jobs', `expected an integer in [1, 1024], got ${String(jobs)}`);
  c.signal?.throwIfAborted();
  const t0 = performance.now();
  const o: ReportOptions = { ...DEFAULT_REPORT_OPTIONS, ...options };
  let pool: ReportPool | undefined = c.pool;
  const own = pool === undefined && jobs > 1;
  const clock = { readSeconds: 0 };
  const source = await openSource(file, o, c.pool ? c.pool.shared : jobs > 1, clock);
  // Small files are not worth starting threads for.
  const totalParams = source.params ?? (source.shapes ?? []).reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0);
  if (own && (c.jobs !== undefined || totalParams >= SMALL_FILE_PARAMS)) pool = createNodePool(jobs);
  // Bench hook: OCKHAM_REPORT_STAGE_TIMES=<file.json> writes per-stage wall times (bench/llm.ts).
  const timesPath = process.env.OCKHAM_REPORT_STAGE_TIMES;
  const stages: Record<string, { seconds: number; params: number; count: number }> = {};
  // Eager collections (src/cli/gc.ts): a full one once 16 MiB of finished tensors (and, with
  // the stages in this thread, of stages' tensors) wait to be freed — deferred, the callbacks
  // still hold them — and young-generation ones during long bzip2 loops in this thread (jobs 1),
  // as the workers do.
  const gc = gcFunction();
  const minor = pool === undefined ? minorGcFunction() : null;
  let released = 0;
  const release = (bytes: number) => {
    released += bytes;
    if (gc && released >= RELEASE_GC_BYTES) {
      released = 0;
      setImmediate(gc);
    }
  };
  const onTensorDone = (bytes: number) => {
    c.onTensorDone?.(bytes);
    release(bytes);
  };
  const onStage: ReportControl['onStage'] = (e) => {
    const k = (stages[e.stage] ??= { seconds: 0, params: 0, count: 0 });
    k.seconds += e.seconds;
    k.params += e.params;
    k.count++;
    if (pool === undefined) release(4 * e.params);
    c.onStage?.(e);
  };
  if (minor && collectorUsers++ === 0) setStageCollector(minor);
  try {
    const r = await buildReportFromSource(source, o, { ...c, file, onStage, onTensorDone, ...(pool ? { pool } : {}) });
    r.seconds = (performance.now() - t0) / 1000;
    if (timesPath) {
      await writeFile(timesPath, JSON.stringify({ seconds: r.seconds, jobs: pool?.size ?? 1, readSeconds: clock.readSeconds, stages }, null, 2));
    }
    return r;
  } finally {
    if (minor && --collectorUsers === 0) setStageCollector(null);
    if (own) await pool?.close();
  }
}

/** Reports running their stages in this thread (the stage collector is set while any does). */
let collectorUsers = 0;

/** Bytes of finished tensors after which `reportFile` runs a garbage collection (16 MiB). */
const RELEASE_GC_BYTES = 16 * 1024 * 1024;

/**
 * Below this many parameters `reportFile` with the default `jobs` runs in this thread (starting a
 * worker costs more than such a report); an explicit `jobs` is always honoured.
 */
export const SMALL_FILE_PARAMS = 1 << 20;
