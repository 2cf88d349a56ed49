/// <reference lib="webworker" />
/**
 * A report-stage worker: `serveReportStages` (QuBD, spectral, compression of one tensor per task),
 * plus a private MessagePort on which the page asks which kernels ran here (`backend()`).
 */
import { backend, serveReportStages, warnings } from '../../src/index.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handlers: ((m: unknown) => void)[] = [];
scope.addEventListener('message', (e: MessageEvent) => {
  const m = e.data as { type?: string } | null;
  if (m && m.type === 'backend-port') {
    const port = e.ports[0];
    port.onmessage = () => port.postMessage({ backend: backend(), warnings: warnings() });
    return;
  }
  for (const h of handlers) h(e.data);
});
serveReportStages({ postMessage: (m) => scope.postMessage(m), onMessage: (h) => void handlers.push(h) });
