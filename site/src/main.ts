/**
 * The playground page: pick or drop weights, analyse them in a Web Worker (progress, cancel),
 * show the report and offer its JSON — equal to `ockham report --json` for the same options.
 */
import AnalysisWorker from './worker.ts?worker&inline';
import { DEFAULT_REPORT_OPTIONS } from './analyse.js';
import type { PageOptions, Report } from './analyse.js';
import type { PickedFile } from './files.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { el, renderReport } from './render.js';
import './style.css';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const input = $<HTMLInputElement>('file');
const drop = $('drop');
const runBtn = $<HTMLButtonElement>('run');
const cancelBtn = $<HTMLButtonElement>('cancel');
const bar = $<HTMLProgressElement>('bar');
const status = $('status');
const backendEl = $('backend');
const out = $('report');
const jsonBox = $('json');
const jsonPre = $('report-json');
const download = $<HTMLAnchorElement>('download');
const form = $<HTMLFormElement>('options');

let picked: PickedFile[] = [];
let worker: Worker | null = null;
let runId = 0;
let started = 0;

function startWorker(): Worker {
  const w = new AnalysisWorker();
  w.onmessage = (ev: MessageEvent<FromWorker>) => onMessage(ev.data);
  w.onerror = (ev) => fail(`worker error: ${ev.message}`);
  w.postMessage({ type: 'hello' } satisfies ToWorker);
  return w;
}

function showBackend(b: { kernels: string; reason: string | null; wasmKernelCalls: number }, warnings: { message: string }[]): void {
  backendEl.dataset.wasmKernelCalls = String(b.wasmKernelCalls);
  backendEl.textContent = b.kernels === 'wasm-simd' ? 'kernels: WebAssembly SIMD' : `kernels: JavaScript fallback (${b.reason})`;
  backendEl.dataset.kernels = b.kernels;
  backendEl.title = warnings.map((w) => w.message).join('\n');
}

function onMessage(m: FromWorker): void {
  if (m.type === 'backend') return showBackend(m.backend, m.warnings);
  if (m.id !== runId) return;
  if (m.type === 'progress') {
    bar.max = Math.max(1, m.total);
    bar.value = m.done;
    status.textContent = m.done >= m.total ? 'assembling…' : `analysing ${m.label} (${Math.round((100 * m.done) / Math.max(1, m.total))} %)`;
  } else if (m.type === 'done') {
    busy(false);
    showBackend(m.backend, m.warnings);
    bar.value = bar.max;
    status.textContent = `done in ${((performance.now() - started) / 1000).toFixed(2)} s (analysis ${m.report.seconds.toFixed(2)} s)`;
    show(m.report);
  } else if (m.type === 'error') {
    fail(m.message);
  }
}

function fail(msg: string): void {
  busy(false);
  status.textContent = '';
  status.append(el('span', { class: 'error', 'data-testid': 'error' }, msg));
}

function busy(on: boolean): void {
  runBtn.disabled = on || picked.length === 0;
  cancelBtn.disabled = !on;
  input.disabled = on;
  document.body.classList.toggle('busy', on);
}

function show(r: Report): void {
  renderReport(r, out);
  const text = JSON.stringify(r, null, 2);
  jsonPre.textContent = text;
  jsonPre.dataset.done = 'true';
  if (download.href) URL.revokeObjectURL(download.href);
  download.href = URL.createObjectURL(new Blob([text + '\n'], { type: 'application/json' }));
  download.download = `${r.file.replace(/\.[^.]*$/, '')}.ockham.json`;
  jsonBox.hidden = false;
}

function readOptions(): PageOptions {
  const f = new FormData(form);
  const num = (k: string) => Number(f.get(k));
  const threshold = String(f.get('threshold') ?? '').trim();
  const deltas = String(f.get('deltas') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  return {
    bits: num('bits'),
    range: f.get('range') === 'percentile' ? 'percentile' : 'minmax',
    percentile: num('percentile'),
    seed: num('seed'),
    shuffles: num('shuffles'),
    threshold: threshold === '' ? null : Number(threshold),
    deltas,
    codec: String(f.get('codec')) as PageOptions['codec'],
    spectral: f.get('spectral') === 'on',
    compress: f.get('compress') === 'on',
    layout: f.get('layout') === 'keep' ? 'keep' : 'auto',
  };
}

async function pick(files: FileList | File[]): Promise<void> {
  const list = Array.from(files);
  picked = await Promise.all(list.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
  const size = picked.reduce((s, f) => s + f.bytes.byteLength, 0);
  status.textContent = `${picked.map((f) => f.name).join(', ')} (${(size / 1024).toFixed(1)} KiB, read locally)`;
  busy(false);
  if (picked.length) run();
}

function run(): void {
  if (!worker) worker = startWorker();
  runId++;
  started = performance.now();
  out.replaceChildren();
  jsonBox.hidden = true;
  jsonPre.textContent = '';
  delete jsonPre.dataset.done;
  bar.value = 0;
  status.textContent = 'starting…';
  busy(true);
  // Copies: the picked bytes stay here for re-runs with other options.
  const files = picked.map((f) => ({ name: f.name, bytes: f.bytes.slice(0) }));
  worker.postMessage({ type: 'run', id: runId, files, options: readOptions() } satisfies ToWorker, files.map((f) => f.bytes));
}

function cancel(): void {
  worker?.terminate();
  worker = startWorker();
  runId++;
  busy(false);
  status.textContent = 'cancelled';
}

// Defaults from the CLI's, so an untouched form gives `ockham report`'s defaults.
function fillDefaults(): void {
  const d = DEFAULT_REPORT_OPTIONS;
  const set = (k: string, v: string) => ((form.elements.namedItem(k) as HTMLInputElement).value = v);
  set('bits', String(d.bits));
  set('range', d.range);
  set('percentile', String(d.percentile));
  set('seed', String(d.seed));
  set('shuffles', String(d.shuffles));
  set('threshold', d.threshold === null ? '' : String(d.threshold));
  set('deltas', d.deltas.join(','));
  set('codec', d.codec);
  set('layout', d.layout);
  (form.elements.namedItem('spectral') as HTMLInputElement).checked = d.spectral;
  (form.elements.namedItem('compress') as HTMLInputElement).checked = d.compress;
}

fillDefaults();
form.addEventListener('submit', (e) => e.preventDefault());
// Start the worker now, so the page needs no network after it has loaded.
worker = startWorker();
input.addEventListener('change', () => input.files && void pick(input.files));
runBtn.addEventListener('click', run);
cancelBtn.addEventListener('click', cancel);
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  if (e.dataTransfer?.files.length) void pick(e.dataTransfer.files);
});
busy(false);
