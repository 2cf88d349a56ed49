/**
 * Entry of a report worker thread (Node): serves report stages to the pool of
 * `createNodePool`. Built to dist/report-worker.{js,cjs} (tsup entry); run from source with tsx.
 *
 * After a stage over a large tensor the thread asks V8 for a full collection: a stage's
 * working arrays (quantized codes, shuffled copies, the compressor's buffers — up to ~2.4× the
 * tensor) are garbage once it returns, and freeing them before the next large stage keeps the
 * process's peak RSS near one heavy stage instead of two.
 */
import { parentPort } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { serveReportStages } from '../report/pool.js';

/** Tensors of at least this many bytes trigger a collection after their stage (16 MiB). */
const GC_AFTER_BYTES = 16 * 1024 * 1024;

function gcFunction(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

if (parentPort) {
  const port = parentPort;
  const gc = gcFunction();
  let lastBytes = 0;
  serveReportStages({
    postMessage: (m) => {
      port.postMessage(m);
      if (gc && lastBytes >= GC_AFTER_BYTES) gc();
    },
    onMessage: (h) =>
      port.on('message', (m: { type?: string; task?: { data?: Float32Array } }) => {
        if (m?.type === 'run') lastBytes = m.task?.data?.byteLength ?? 0;
        h(m);
      }),
  });
}
