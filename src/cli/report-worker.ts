/**
 * Entry of a report worker thread (Node): serves report stages to the pool of
 * `createNodePool`. Built to dist/report-worker.{js,cjs} (tsup entry); run from source with tsx.
 */
import { parentPort } from 'node:worker_threads';
import { serveReportStages } from '../report/pool.js';

if (parentPort) {
  const port = parentPort;
  serveReportStages({ postMessage: (m) => port.postMessage(m), onMessage: (h) => port.on('message', h) });
}
