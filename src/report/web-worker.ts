/**
 * Body of a report Web Worker (browser): `new Worker(new URL('./report-web-worker.js', …),
 * { type: 'module' })`, used by {@link createWebWorkerPool}. Built to dist/report-web-worker.js.
 */
import { serveReportStages } from './pool.js';

const scope = globalThis as unknown as {
  postMessage(m: unknown): void;
  addEventListener(t: 'message', h: (e: { data: unknown }) => void): void;
};
serveReportStages({ postMessage: (m) => scope.postMessage(m), onMessage: (h) => scope.addEventListener('message', (e) => h(e.data)) });
