/**
 * `ockham report` for files on disk (Node only): reads the file — safetensors tensor by tensor,
 * straight into SharedArrayBuffers when stages run in worker threads — and hands the tensors to
 * the browser-safe report core (src/report/), in a `worker_threads` pool of `jobs` threads.
 */
import { open, writeFile, type FileHandle } from 'node:fs/promises';
import { decodeSafetensorsEntry } from '../io/index.js';
import type { LoadedTensor } from '../io/index.js';
import { HOST_LE } from '../io/dtypes.js';
import { readWeightsFile, readSafetensorsHeader } from '../io/node/index.js';
import { rethrowWithPath } from '../io/node/errors.js';
import { OckhamError } from '../errors.js';
import { buildReportFromSource, largestFirst } from '../report/core.js';
import type { ReportControl, ReportSource } from '../report/core.js';
import type { ReportPool } from '../report/pool.js';
import type { Progress, Report, ReportOptions } from '../report/types.js';
import { createNodePool, defaultJobs } from './pool-node.js';

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

const CHUNK = 1 << 30;

async function readInto(fh: FileHandle, target: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const len = Math.min(CHUNK, target.length - done);
    const { bytesRead } = await fh.read(target, done, len, position + done);
    if (bytesRead === 0) rethrowWithPath(path, new Error(`file ended early at byte ${position + done} (changed while reading?)`));
    done += bytesRead;
  }
}

/** Streams a safetensors file's tensors; float32 ones are read straight into a (Shared)ArrayBuffer. */
async function* streamTensors(
  path: string,
  entries: Awaited<ReturnType<typeof readSafetensorsHeader>>['entries'],
  shared: boolean,
  clock: { readSeconds: number },
): AsyncGenerator<LoadedTensor> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    for (const e of entries) {
      const t0 = performance.now();
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
      if (e.dtype === 'F32' && HOST_LE) {
        const data = new Float32Array(alloc(bytes));
        await readInto(fh, new Uint8Array(data.buffer), e.start, path);
        clock.readSeconds += (performance.now() - t0) / 1000;
        yield { name: e.name, dtype: e.dtype, shape: e.shape.slice(), data };
        continue;
      }
      const raw = new Uint8Array(alloc(bytes));
      await readInto(fh, raw, e.start, path);
      const t = decodeSafetensorsEntry(e, raw);
      clock.readSeconds += (performance.now() - t0) / 1000;
      yield t;
    }
  } catch (err) {
    rethrowWithPath(path, err);
  } finally {
    await fh?.close();
  }
}

/**
 * Reads `file` (streaming safetensors tensor by tensor) and analyses every tensor: the `ockham
 * report` command as a function (Node only). Stages run in `jobs` worker threads (default all
 * cores); the result is the same for any `jobs`. At most a memory budget's worth of tensors is
 * held at once (ReportControl.memoryBudget: twice the largest tensor's float32 size by default).
 * Units: QuBD and compressed sizes in bits, spectral entropy in nats.
 *
 * @param file - A .safetensors, .npy, .npz file or a TensorFlow.js model.json (or its folder).
 * @param options - Report options (bits, range, shuffles, seed, codec, Δ grid, …; defaults as the CLI's, see docs/cli.md).
 * @param control - A progress callback, or `{ onProgress, signal, jobs, pool, memoryBudget }`.
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
  let pool: ReportPool | undefined = c.pool;
  const own = pool === undefined && jobs > 1;
  let source: ReportSource;
  const clock = { readSeconds: 0 };
  if (/\.safetensors$/i.test(file)) {
    const header = await readSafetensorsHeader(file);
    const shared = c.pool ? c.pool.shared : jobs > 1;
    const shapes = header.entries.map((e) => e.shape);
    // Largest tensors first (random access by offset): their long stages overlap the small ones.
    const order = largestFirst(shapes);
    source = { format: 'safetensors', metadata: header.metadata, shapes, order, tensors: streamTensors(file, order.map((i) => header.entries[i]), shared, clock) };
  } else {
    const tr = performance.now();
    const w = await readWeightsFile(file);
    clock.readSeconds = (performance.now() - tr) / 1000;
    const shapes = w.tensors.map((t) => t.shape);
    const order = largestFirst(shapes);
    source = { format: w.format, metadata: w.metadata, shapes, order, tensors: order.map((i) => w.tensors[i]) };
  }
  // Small files are not worth starting threads for.
  const totalParams = source.shapes.reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0);
  if (own && (c.jobs !== undefined || totalParams >= SMALL_FILE_PARAMS)) pool = createNodePool(jobs);
  // Bench hook: OCKHAM_REPORT_STAGE_TIMES=<file.json> writes per-stage wall times (bench/llm.ts).
  const timesPath = process.env.OCKHAM_REPORT_STAGE_TIMES;
  const stages: Record<string, { seconds: number; params: number; count: number }> = {};
  const onStage: ReportControl['onStage'] = (e) => {
    const k = (stages[e.stage] ??= { seconds: 0, params: 0, count: 0 });
    k.seconds += e.seconds;
    k.params += e.params;
    k.count++;
    c.onStage?.(e);
  };
  try {
    const r = await buildReportFromSource(source, options, { ...c, file, onStage, ...(pool ? { pool } : {}) });
    r.seconds = (performance.now() - t0) / 1000;
    if (timesPath) {
      const jobsUsed = pool?.size ?? 1;
      await writeFile(timesPath, JSON.stringify({ seconds: r.seconds, jobs: jobsUsed, readSeconds: clock.readSeconds, stages }, null, 2));
    }
    return r;
  } finally {
    if (own) await pool?.close();
  }
}

/**
 * Below this many parameters `reportFile` with the default `jobs` runs in this thread (starting a
 * worker costs more than such a report); an explicit `jobs` is always honoured.
 */
export const SMALL_FILE_PARAMS = 1 << 20;
