/// <reference lib="webworker" />
/**
 * The analysis worker: parses the picked files and computes the report off the page's thread,
 * posting progress per tensor. Cancel = the page terminates this worker.
 */
import { backend, warnings } from '../../src/index.js';
import { analyse } from './analyse.js';
import type { FromWorker, ToWorker } from './protocol.js';

const post = (m: FromWorker): void => (self as unknown as DedicatedWorkerGlobalScope).postMessage(m);

self.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.type === 'hello') {
    post({ type: 'backend', backend: backend(), warnings: warnings() });
    return;
  }
  const id = m.id;
  try {
    let last = 0;
    const report = await analyse(m.files, m.options, {
      onProgress: (done, total, label) => {
        const now = performance.now();
        if (done === 0 || done === total || now - last > 50) {
          last = now;
          post({ type: 'progress', id, done, total, label });
        }
      },
    });
    post({ type: 'done', id, report, backend: backend(), warnings: warnings() });
  } catch (e) {
    post({ type: 'error', id, message: e instanceof Error ? e.message : String(e) });
  }
};
