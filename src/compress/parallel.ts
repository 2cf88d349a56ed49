/**
 * compressAsync: {@link compress} with bzip2 blocks compressed in parallel on Node
 * `worker_threads`. bzip2 blocks are independent (each has its own tables and CRC; the stream
 * CRC combines the block CRCs in order), so the stream is cut into blocks exactly as the
 * single-thread encoder cuts it, blocks are compressed by a pool of workers, and their bits
 * are concatenated in order: the output is byte-identical whatever the job count.
 *
 * Browser-safe: Node's `worker_threads` is reached only through a dynamic import with a
 * computed specifier, after checking that we run on Node; elsewhere (browsers, Deno without
 * Node compatibility, `jobs: 1`, single-block inputs, other codecs) it runs the synchronous
 * encoder.
 *
 * Worker script: `bzip2-worker.js` next to the calling module (dist/ after `npm run build`;
 * tsup builds it as an entry). When running from TypeScript sources (vitest, tsx), the worker
 * is started from a small bootstrap that registers tsx's loader (`tsx/esm/api`) and imports
 * `bzip2-worker.ts`.
 */
import { OckhamError } from '../errors.js';
import { assertInt } from '../util/validate.js';
import { bzip2Assemble, bzip2BlockEnds, bzip2EncodeBlock, type BlockBits } from './bzip2-encode.js';
import { compressKernel, resolveOptions } from './compress.js';
import type { CompressOptions } from './types.js';
import { assertControl, checkAbort, macrotask } from '../util/abort.js';
import type { ProgressCallback } from '../util/abort.js';

/** Options of {@link compressAsync}: {@link CompressOptions} plus `jobs`. */
export interface CompressAsyncOptions extends CompressOptions {
  /**
   * Worker threads for bzip2 (1..256; default: the number of CPUs on Node, 1 elsewhere).
   * Output is byte-identical for every value.
   */
  jobs?: number;
  /**
   * Cancels the compression: checked at entry and between bzip2 blocks (the main thread yields
   * to the event loop after each block it encodes when a signal or `onProgress` is given, so an
   * abort from a timer or another task is seen within one block); the helper workers stop
   * claiming blocks. Throws `signal.reason` (a DOMException named 'AbortError' unless the caller
   * gave another reason). Synchronous paths (other codecs, one block, `jobs: 1`, browsers) check
   * at entry and at the end only.
   */
  signal?: AbortSignal;
  /** Input bytes compressed so far and in total, label 'bzip2' / the codec: per block on the parallel path, at the end elsewhere. */
  onProgress?: ProgressCallback;
}

interface Reply {
  job?: number;
  id?: number;
  bytes?: Uint8Array;
  bitLen?: number;
  crc?: number;
  done?: boolean;
}
interface NodeWorker {
  on(event: 'message', fn: (m: Reply) => void): void;
  on(event: 'error', fn: (e: Error) => void): void;
  off(event: 'message', fn: (m: Reply) => void): void;
  off(event: 'error', fn: (e: Error) => void): void;
  postMessage(value: unknown, transfer?: ArrayBuffer[]): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}
interface WorkerThreads {
  Worker: new (code: string | URL, options?: { eval?: boolean }) => NodeWorker;
}

const g = globalThis as { process?: { versions?: { node?: string } } };
const isNode = typeof g.process?.versions?.node === 'string';

async function nodeModules(): Promise<{ wt: WorkerThreads; cpus: number } | null> {
  if (!isNode) return null;
  const wtSpec = 'node:worker_threads';
  const osSpec = 'node:os';
  const wt = (await import(/* @vite-ignore */ wtSpec)) as WorkerThreads;
  const os = (await import(/* @vite-ignore */ osSpec)) as { availableParallelism?: () => number; cpus: () => unknown[] };
  return { wt, cpus: os.availableParallelism ? os.availableParallelism() : os.cpus().length };
}

/** URL of this module (ESM: import.meta.url; CJS build: __filename). */
function selfUrl(): string {
  // In the CJS build esbuild leaves import.meta empty; __filename exists there instead.
  if (typeof __filename === 'string') {
    const f = __filename.replace(/\\/g, '/');
    return (f.startsWith('/') ? 'file://' : 'file:///') + f;
  }
  return import.meta.url;
}

function startWorker(wt: WorkerThreads): NodeWorker {
  const self = selfUrl();
  if (/\.ts$/.test(self)) {
    const url = new URL('./bzip2-worker.ts', self).href;
    const boot = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(url)}); })`;
    return new wt.Worker(boot, { eval: true });
  }
  const ext = /\.cjs$/.test(self) ? '.cjs' : '.js';
  return new wt.Worker(new URL('./bzip2-worker' + ext, self));
}

// Persistent helper workers (unref'd while idle, so they never keep the process alive).
const workers: NodeWorker[] = [];
let jobCounter = 0;

function pool(wt: WorkerThreads, n: number): NodeWorker[] {
  while (workers.length < n) {
    const w = startWorker(wt);
    w.unref();
    workers.push(w);
  }
  return workers.slice(0, n);
}

function dropFromPool(w: NodeWorker): void {
  const i = workers.indexOf(w);
  if (i >= 0) workers.splice(i, 1);
  void w.terminate();
}

/**
 * Compresses bytes like {@link compress}, with bzip2 blocks compressed in parallel on Node
 * worker threads (other codecs, and every codec in browsers, run synchronously).
 * The stream is byte-identical to `compress(bytes, { codec, level })` for every `jobs`.
 *
 * @param bytes - Data to compress (not modified).
 * @param options - `{ codec, level?, jobs? }`; `jobs` 1..256, default the CPU count on Node.
 * @returns A promise of the complete stream.
 * @throws {OckhamError} as {@link compress}; OUT_OF_RANGE for `jobs` outside 1..256.
 * @example
 * ```ts
 * import { compressAsync, decompress } from 'ockham';
 * const data = new Uint8Array(2_000_000).map((_, i) => (i * 2654435761) >>> 27);
 * const z = await compressAsync(data, { codec: 'bzip2', level: 9, jobs: 2 });
 * decompress(z, { codec: 'bzip2' }).length; // 2000000
 * ```
 */
export async function compressAsync(bytes: Uint8Array, options: CompressAsyncOptions): Promise<Uint8Array> {
  if (!(bytes instanceof Uint8Array)) throw new OckhamError('INVALID_ARGUMENT', 'bytes', 'expected a Uint8Array');
  let jobs: number | undefined;
  let rest: CompressOptions = options;
  let signal: AbortSignal | undefined;
  let onProgress: ProgressCallback | undefined;
  if (options !== null && typeof options === 'object' && ('jobs' in options || 'signal' in options || 'onProgress' in options)) {
    const { jobs: j, signal: sg, onProgress: op, ...others } = options;
    if (j !== undefined) jobs = assertInt(j, 'options.jobs', 1, 256);
    assertControl({ signal: sg, onProgress: op });
    signal = sg;
    onProgress = op;
    rest = others;
  }
  const [codec, level] = resolveOptions(rest);
  checkAbort(signal);
  const whole = (): Uint8Array => {
    const z = compressKernel(bytes, codec, level);
    checkAbort(signal);
    onProgress?.(bytes.length, bytes.length, codec);
    return z;
  };
  if (codec !== 'bzip2' || jobs === 1) return whole();
  const ends = bzip2BlockEnds(bytes, level);
  const mods = ends.length > 1 ? await nodeModules() : null;
  checkAbort(signal);
  if (!mods) return whole();
  const nWorkers = Math.min(jobs ?? mods.cpus, ends.length);
  if (nWorkers <= 1) return whole();
  // The main thread works too: nWorkers − 1 helpers claim blocks from a shared counter.
  const input = new SharedArrayBuffer(bytes.length);
  new Uint8Array(input).set(bytes);
  const view = new Uint8Array(input);
  const endsShared = new Int32Array(new SharedArrayBuffer(4 * ends.length));
  endsShared.set(ends);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const parts: BlockBits[] = new Array<BlockBits>(ends.length);
  const helpers = pool(mods.wt, nWorkers - 1);
  const job = ++jobCounter;
  let doneBytes = 0;
  const blockDone = (id: number): void => {
    doneBytes += ends[id] - (id === 0 ? 0 : ends[id - 1]);
    onProgress?.(doneBytes, bytes.length, 'bzip2');
  };
  // On abort, exhaust the shared counter: helpers finish their current block and report done.
  const stop = (): void => {
    Atomics.store(counter, 0, ends.length);
  };
  signal?.addEventListener('abort', stop);
  const pending = helpers.map(
    (w) =>
      new Promise<void>((resolve, reject) => {
        const onMessage = (m: Reply): void => {
          if (m.job !== job) return;
          if (m.done) {
            w.off('message', onMessage);
            w.off('error', onError);
            w.unref();
            resolve();
          } else {
            parts[m.id!] = { bytes: m.bytes!, bitLen: m.bitLen!, crc: m.crc! };
            blockDone(m.id!);
          }
        };
        const onError = (e: Error): void => {
          dropFromPool(w);
          reject(e);
        };
        w.on('message', onMessage);
        w.on('error', onError);
        w.ref();
        w.postMessage({ job, input, length: bytes.length, ends: endsShared, counter, level });
      }),
  );
  const yielding = signal !== undefined || onProgress !== undefined;
  try {
    for (let id = Atomics.add(counter, 0, 1); id < ends.length; id = Atomics.add(counter, 0, 1)) {
      const b = bzip2EncodeBlock(view, id === 0 ? 0 : ends[id - 1], ends[id], level);
      parts[id] = { bytes: b.bytes.slice(), bitLen: b.bitLen, crc: b.crc };
      blockDone(id);
      if (yielding) await macrotask();
      if (signal?.aborted) {
        stop();
        break;
      }
    }
    await Promise.all(pending);
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  checkAbort(signal);
  return bzip2Assemble(parts, level);
}
