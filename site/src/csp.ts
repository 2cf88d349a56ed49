/** The strict-CSP page: ockham on the main thread with WebAssembly compilation refused. */
import { backend, onWarning, warnings } from '../../src/index.js';
import type { OckhamWarning } from '../../src/index.js';
import { analyse, DEFAULT_REPORT_OPTIONS } from './analyse.js';

const seen: OckhamWarning[] = [];
onWarning((w) => seen.push(w));
const show = () => {
  const b = backend();
  const el = document.getElementById('backend')!;
  el.textContent = JSON.stringify(b);
  el.dataset.kernels = b.kernels;
  // Both the list and what the listener received: each warning must arrive exactly once.
  document.getElementById('warnings')!.textContent = JSON.stringify({ list: warnings(), heard: seen });
};
const input = document.getElementById('file') as HTMLInputElement;
input.addEventListener('change', async () => {
  const files = await Promise.all(Array.from(input.files ?? []).map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
  const { table: _t, tableName: _n, budget: _b, ...o } = DEFAULT_REPORT_OPTIONS;
  const r = await analyse(files, o);
  show();
  const pre = document.getElementById('report-json')!;
  pre.textContent = JSON.stringify(r, null, 2);
  pre.dataset.done = 'true';
});

