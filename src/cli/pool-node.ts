/**
 * A `worker_threads` pool for the report (Node only): `jobs` threads, each running
 * src/cli/report-worker.ts; tensors are passed in SharedArrayBuffers, so workers read them
 * without copies. From the built package the worker is dist/report-worker.js (or .cjs); from
 * source (vitest, tsx) it is the .ts file, run with the tsx loader.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { OckhamError } from '../errors.js';
import { createMessagePool } from '../report/pool.js';
import type { ReportPool } from '../report/pool.js';

/** Number of logical cores available to this process (the default `jobs`). */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

function here(): string {
  // ESM: import.meta.url; the CJS build has __filename instead.
  if (typeof __filename === 'string' && __filename.length > 0) return __filename;
  return fileURLToPath(import.meta.url);
}

/**
 * What to start a worker thread with: the built dist/report-worker.{js,cjs} next to this file,
 * or, from source (vitest, tsx), a small ESM bootstrap that registers tsx's loader in the thread
 * and imports report-worker.ts (Node 20 does not apply `--import tsx` in execArgv to a worker's
 * entry file).
 */
export function workerEntry(): string | URL {
  const self = here();
  const dir = dirname(self);
  if (self.endsWith('.ts')) {
    const api = pathToFileURL(createRequire(self).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
    const entry = pathToFileURL(join(dir, 'report-worker.ts')).href;
    const code = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(entry)});`;
    return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
  }
  const ext = self.endsWith('.cjs') ? '.cjs' : '.js';
  const file = join(dir, `report-worker${ext}`);
  if (!existsSync(file)) throw new OckhamError('INVALID_ARGUMENT', 'jobs', `the report worker script ${file} is missing (broken install?); use jobs: 1`);
  return file;
}

/**
 * Starts a pool of `jobs` report worker threads (started lazily, as stages arrive; an idle
 * thread does not keep the process alive). Close it with `await pool.close()` when done.
 *
 * @param jobs - Threads, 1..1024 (default: all cores).
 * @example
 * ```ts
 * import { createNodePool, reportFile } from 'ockham/node';
 * const pool = createNodePool(2);
 * try {
 *   const r = await reportFile('examples/grokking/step-004000.safetensors', {}, { pool });
 *   console.log(r.totals.qubdBits);
 * } finally {
 *   await pool.close();
 * }
 * ```
 */
export function createNodePool(jobs: number = defaultJobs()): ReportPool {
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 1024) throw new OckhamError('OUT_OF_RANGE', 'jobs', `expected an integer in [1, 1024], got ${String(jobs)}`);
  const entry = workerEntry();
  return createMessagePool(
    () => {
      // Inherit node's flags except --input-type (only valid with --eval; it breaks a worker's entry).
      const w = new Worker(entry, { execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')) });
      let errored = false;
      // Referenced only while it runs a stage: an idle pool never keeps the process alive.
      w.unref();
      return {
        postMessage: (m) => {
          if ((m as { type?: string })?.type === 'run') w.ref();
          w.postMessage(m);
        },
        onMessage: (h) =>
          w.on('message', (m) => {
            w.unref();
            h(m);
          }),
        onError: (h) => {
          w.on('error', (e) => {
            errored = true;
            h(e instanceof Error ? e : new Error(String(e)));
          });
          w.on('exit', (code) => {
            if (!errored) h(new Error(`report worker exited (code ${code})`));
          });
        },
        terminate: () => w.terminate(),
      };
    },
    jobs,
    { shared: true },
  );
}
