/**
 * Entry of a report worker thread (Node): serves report stages to the pool of
 * `createNodePool`. Built to dist/report-worker.{js,cjs} (tsup entry); run from source with tsx.
 *
 * Garbage is collected eagerly, because a thread's malloc arena keeps its high-water mark: what
 * waits for V8's own schedule stays resident for the rest of the run. So the thread runs a full
 * collection (its heap is a few MiB: ~2–5 ms)
 * - during long bzip2 loops, every 8 MiB of block input (`setStageCollector`: each block leaves
 *   its ~1 MB output buffer as garbage), and
 * - after stages over 16 MiB or more of tensor data since the last collection (a stage's working
 *   arrays, and the handles of finished tensors' shared buffers, which the main thread can only
 *   free once every thread has dropped them).
 */
import { parentPort } from 'node:worker_threads';
import { serveReportStages } from '../report/pool.js';
import { setStageCollector } from '../report/tensor.js';
import { gcFunction, minorGcFunction } from './gc.js';

/** Tensor bytes of stages run since the last collection that trigger one after a stage (16 MiB). */
const GC_AFTER_BYTES = 16 * 1024 * 1024;

if (parentPort) {
  const port = parentPort;
  const gc = gcFunction();
  const minor = minorGcFunction();
  if (minor) setStageCollector(minor);
  let bytes = 0;
  serveReportStages({
    postMessage: (m) => port.postMessage(m),
    onMessage: (h) =>
      port.on('message', (m: { type?: string; task?: { data?: Float32Array } }) => {
        if (m?.type === 'run') {
          // Before the next stage, when the previous ones' handlers have returned (they held the
          // tasks): the last stages' working arrays and finished tensors' handles are garbage now.
          if (gc && bytes >= GC_AFTER_BYTES) {
            gc();
            bytes = 0;
          }
          bytes += m.task?.data?.byteLength ?? 0;
        }
        h(m);
      }),
  });
}
