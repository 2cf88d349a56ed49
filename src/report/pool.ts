/**
 * Where report stages run: an injectable pool. {@link inlinePool} runs them in the calling
 * thread; {@link createMessagePool} spreads them over message-passing workers — Web Workers in a
 * browser, `worker_threads` in Node (`ockham/node` builds one with `jobs`) — each running
 * {@link serveReportStages}. Browser-safe (no `node:` imports).
 */
import { OckhamError } from '../errors.js';
import type { OckhamErrorCode } from '../errors.js';
import { runStageTimed } from './tensor.js';
import type { StageResult, StageTask } from './tensor.js';
import type { ReportOptions } from './types.js';

/** Runs report stages. The report never has more than `size` stages outstanding at once. */
export interface ReportPool {
  /** Stages run at once (workers). */
  readonly size: number;
  /**
   * True when workers read task data from a SharedArrayBuffer without a copy; the report then
   * places each tensor in one (Node's pool; a browser pool when `crossOriginIsolated`).
   */
  readonly shared: boolean;
  /** Runs one stage; rejects with the stage's error (an OckhamError keeps its code and argument). */
  run(task: StageTask): Promise<StageResult>;
  /** Stops the workers; outstanding tasks reject. */
  close(): Promise<void>;
}

const nextTick: (f: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (f) => (globalThis as unknown as { setImmediate: (f: () => void) => void }).setImmediate(f)
    : (f) => setTimeout(f, 0);

/**
 * A pool of one that runs each stage in the calling thread, after yielding to the event loop
 * (so an AbortSignal and progress redraws get a turn between stages).
 * @example
 * ```ts
 * import { buildReport, inlinePool } from 'ockham';
 * const r = await buildReport({ format: 'npy', metadata: {}, tensors: [{ name: 'w', dtype: 'F32', shape: [8, 8], data: new Float32Array(64).fill(1) }] }, {}, { pool: inlinePool() });
 * console.log(r.totals.qubdBits);
 * ```
 */
export function inlinePool(): ReportPool {
  return {
    size: 1,
    shared: false,
    run: (task) =>
      new Promise<StageResult>((resolve, reject) =>
        nextTick(() => {
          try {
            resolve(runStageTimed(task));
          } catch (e) {
            reject(e);
          }
        }),
      ),
    close: () => Promise.resolve(),
  };
}

/** A message-passing worker as the pool sees it (adapt a Web Worker or a `worker_threads` Worker). */
export interface PoolWorker {
  postMessage(message: unknown): void;
  /** Registers the handler of the worker's messages (called once). */
  onMessage(handler: (message: unknown) => void): void;
  /** Registers the handler of a worker failure (uncaught error, exit, out of memory). */
  onError(handler: (error: Error) => void): void;
  terminate(): unknown;
}

/** The worker's end of a {@link PoolWorker}: `self` in a Web Worker, `parentPort` in Node. */
export interface StageEndpoint {
  postMessage(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
}

type Request =
  | { type: 'options'; id: number; options: ReportOptions }
  | { type: 'run'; id: number; optionsId: number; task: Omit<StageTask, 'options'> };
type Reply = { id: number; result: StageResult } | { id: number; error: { name: string; message: string; code?: string; argument?: string; stack?: string } };

/**
 * Serves report stages on a worker's endpoint: the whole body of a report worker script.
 * @example
 * ```ts
 * // browser: report-worker.js, started with new Worker(new URL('./report-worker.js', import.meta.url), { type: 'module' })
 * import { serveReportStages } from 'ockham';
 * const scope = globalThis as unknown as { postMessage(m: unknown): void; addEventListener(t: 'message', h: (e: { data: unknown }) => void): void };
 * serveReportStages({ postMessage: (m) => scope.postMessage(m), onMessage: (h) => scope.addEventListener('message', (e) => h(e.data)) });
 * ```
 */
export function serveReportStages(endpoint: StageEndpoint): void {
  const options = new Map<number, ReportOptions>();
  endpoint.onMessage((m) => {
    const req = m as Request;
    if (req.type === 'options') {
      options.set(req.id, req.options);
      return;
    }
    let reply: Reply;
    try {
      const o = options.get(req.optionsId);
      if (!o) throw new Error(`report worker: unknown options id ${req.optionsId}`);
      reply = { id: req.id, result: runStageTimed({ ...req.task, options: o }) };
    } catch (e) {
      const err = e as Partial<OckhamError> & Error;
      reply = {
        id: req.id,
        error: {
          name: String(err?.name ?? 'Error'),
          message: String(err?.message ?? e),
          ...(typeof err?.code === 'string' ? { code: err.code } : {}),
          ...(typeof err?.argument === 'string' ? { argument: err.argument } : {}),
          ...(typeof err?.stack === 'string' ? { stack: err.stack } : {}),
        },
      };
    }
    endpoint.postMessage(reply);
  });
}

function reviveError(e: Extract<Reply, { error: unknown }>['error']): Error {
  if (e.name === 'OckhamError' && e.code !== undefined && e.argument !== undefined) {
    const prefix = `${e.argument}: `;
    return new OckhamError(e.code as OckhamErrorCode, e.argument, e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message);
  }
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

/**
 * A pool over `size` message-passing workers, each running {@link serveReportStages}. Stages
 * queue first in, first out; each worker runs one at a time. Options objects are posted once
 * per worker. A worker failure rejects its stage and closes the pool.
 *
 * @param spawn - Starts one worker (called `size` times, lazily).
 * @param size - Number of workers (≥ 1).
 * @param options - `shared`: task data are read from SharedArrayBuffers (see {@link ReportPool.shared}).
 * @example
 * ```ts
 * // browser: Web Workers running a script that calls serveReportStages(...)
 * import { createMessagePool } from 'ockham';
 * const pool = createMessagePool(() => {
 *   const w = new Worker(new URL('./report-worker.js', import.meta.url), { type: 'module' });
 *   return {
 *     postMessage: (m) => w.postMessage(m),
 *     onMessage: (h) => w.addEventListener('message', (e) => h(e.data)),
 *     onError: (h) => w.addEventListener('error', (e) => h(new Error(e.message))),
 *     terminate: () => w.terminate(),
 *   };
 * }, navigator.hardwareConcurrency, { shared: globalThis.crossOriginIsolated === true });
 * ```
 */
export function createMessagePool(spawn: () => PoolWorker, size: number, options: { shared?: boolean } = {}): ReportPool {
  if (!Number.isInteger(size) || size < 1 || size > 1024) throw new OckhamError('OUT_OF_RANGE', 'size', `expected an integer in [1, 1024], got ${String(size)}`);
  interface Slot {
    worker: PoolWorker;
    sent: Set<number>;
    busy: { id: number; resolve: (r: StageResult) => void; reject: (e: Error) => void } | null;
  }
  const slots: Slot[] = [];
  const queue: { task: StageTask; resolve: (r: StageResult) => void; reject: (e: Error) => void }[] = [];
  const optionIds = new WeakMap<ReportOptions, number>();
  let nextOptionsId = 1;
  let nextId = 1;
  let failure: Error | null = null;

  const fail = (e: Error) => {
    if (failure) return;
    failure = e;
    for (const s of slots) {
      s.busy?.reject(e);
      s.busy = null;
      void s.worker.terminate();
    }
    for (const q of queue.splice(0)) q.reject(e);
  };

  const spawnSlot = (): Slot => {
    const slot: Slot = { worker: spawn(), sent: new Set(), busy: null };
    slot.worker.onMessage((m) => {
      const reply = m as Reply;
      const b = slot.busy;
      if (!b || b.id !== reply.id) return;
      slot.busy = null;
      if ('error' in reply) b.reject(reviveError(reply.error));
      else b.resolve(reply.result);
      pump();
    });
    slot.worker.onError((e) => fail(e));
    slots.push(slot);
    return slot;
  };

  const pump = () => {
    while (queue.length > 0 && !failure) {
      let slot = slots.find((s) => s.busy === null);
      if (!slot && slots.length < size) slot = spawnSlot();
      if (!slot) return;
      const q = queue.shift()!;
      const { options: o, ...task } = q.task;
      let oid = optionIds.get(o);
      if (oid === undefined) optionIds.set(o, (oid = nextOptionsId++));
      if (!slot.sent.has(oid)) {
        slot.worker.postMessage({ type: 'options', id: oid, options: o } satisfies Request);
        slot.sent.add(oid);
      }
      const id = nextId++;
      slot.busy = { id, resolve: q.resolve, reject: q.reject };
      slot.worker.postMessage({ type: 'run', id, optionsId: oid, task } satisfies Request);
    }
  };

  return {
    size,
    shared: options.shared ?? false,
    run(task) {
      if (failure) return Promise.reject(failure);
      return new Promise<StageResult>((resolve, reject) => {
        queue.push({ task, resolve, reject });
        pump();
      });
    },
    async close() {
      const closed = new OckhamError('INVALID_ARGUMENT', 'pool', 'the report pool was closed');
      if (!failure) failure = closed;
      for (const s of slots) {
        s.busy?.reject(closed);
        s.busy = null;
      }
      for (const q of queue.splice(0)) q.reject(closed);
      await Promise.all(slots.map((s) => s.worker.terminate()));
      slots.length = 0;
    },
  };
}

/** The part of the DOM `Worker` a pool uses. */
export interface WebWorkerLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', h: (e: { data: unknown }) => void): void;
  addEventListener(type: 'error', h: (e: { message?: string }) => void): void;
  addEventListener(type: 'messageerror', h: (e: unknown) => void): void;
  terminate(): void;
}

/**
 * A pool of Web Workers (browser): each runs `script`, a module that calls
 * {@link serveReportStages} on its `self` — e.g. `ockham/dist/report-web-worker.js` bundled by
 * your tool, or a two-line file of your own (see {@link serveReportStages}). Tensors go to the
 * workers in SharedArrayBuffers when the page is cross-origin isolated (no copies), else each
 * stage's tensor is copied by postMessage.
 *
 * @param script - URL of the worker module (or a factory returning a started Worker).
 * @param size - Workers (default `navigator.hardwareConcurrency`, else 4).
 * @example
 * ```ts
 * // browser: a page module; report-worker.js calls serveReportStages
 * import { buildReport, createWebWorkerPool, parseSafetensors } from 'ockham';
 * const pool = createWebWorkerPool(new URL('./report-worker.js', import.meta.url));
 * try {
 *   const file = parseSafetensors(new Uint8Array(await (await fetch('model.safetensors')).arrayBuffer()));
 *   const r = await buildReport(file, {}, { pool, onProgress: (d, t) => console.log(d / t) });
 * } finally {
 *   await pool.close();
 * }
 * ```
 */
export function createWebWorkerPool(script: string | URL | (() => WebWorkerLike), size?: number): ReportPool {
  const g = globalThis as unknown as {
    Worker?: new (url: string | URL, o?: { type?: 'module' }) => WebWorkerLike;
    navigator?: { hardwareConcurrency?: number };
    crossOriginIsolated?: boolean;
  };
  const n = size ?? Math.max(1, g.navigator?.hardwareConcurrency ?? 4);
  if (typeof script !== 'function' && typeof g.Worker !== 'function') {
    throw new OckhamError('UNSUPPORTED', 'script', 'Web Workers are not available here (in Node use createNodePool from ockham/node)');
  }
  const shared = g.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
  return createMessagePool(
    () => {
      const w = typeof script === 'function' ? script() : new g.Worker!(script, { type: 'module' });
      return {
        postMessage: (m) => w.postMessage(m),
        onMessage: (h) => w.addEventListener('message', (e) => h(e.data)),
        onError: (h) => {
          w.addEventListener('error', (e) => h(new Error(`report worker failed: ${e?.message ?? 'error'}`)));
          w.addEventListener('messageerror', () => h(new Error('report worker: a message could not be cloned')));
        },
        terminate: () => w.terminate(),
      };
    },
    n,
    { shared },
  );
}
