/**
 * The playground page: pick or drop weights, analyse them in Web Workers (progress, cancel),
 * show the report and offer its JSON — equal to `ockham report --json` for the same options.
 */
import StageWorker from './stage-worker.ts?worker&inline';
import { backend, createWebWorkerPool, warnings } from '../../src/index.js';
import type { BackendInfo, OckhamWarning, ReportPool } from '../../src/index.js';
import { analyse, DEFAULT_REPORT_OPTIONS } from './analyse.js';
import type { PageOptions, Report } from './analyse.js';
import type { PickedFile } from './files.js';
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
let runId = 0;
let started = 0;
let controller: AbortController | null = null;
let pool: ReportPool | null = null;
/** Ports on which this run's stage workers say which kernels they ran. */
let ports: MessagePort[] = [];

/** Stage workers: one per core (at most 8); each runs whole stages, the page assembles. */
const WORKERS = Math.max(1, Math.min(8, navigator.hardwareConcurrency || 2));

/** A stage worker (from the inlined Blob), with a private port for backend questions. */
function spawn(): Worker {
  const w = new StageWorker();
  const ch = new MessageChannel();
  w.postMessage({ type: 'backend-port' }, [ch.port2]);
  ports.push(ch.port1);
  return w;
}

/** The kernels the stage workers ran: SIMD only if every worker had it; kernel calls summed. */
async function workersBackend(): Promise<{ backend: BackendInfo; warnings: OckhamWarning[] }> {
  const answers = await Promise.all(
    ports.map(
      (p) =>
        new Promise<{ backend: BackendInfo; warnings: OckhamWarning[] }>((resolve) => {
          p.onmessage = (e) => resolve(e.data);
          p.postMessage('backend');
        }),
    ),
  );
  if (answers.length === 0) return { backend: backend(), warnings: warnings() };
  const js = answers.find((a) => a.backend.kernels === 'js');
  return {
    backend: { ...(js ?? answers[0]).backend, wasmKernelCalls: answers.reduce((s, a) => s + a.backend.wasmKernelCalls, 0) },
    warnings: answers.flatMap((a) => a.warnings).filter((w, i, all) => all.findIndex((x) => x.code === w.code) === i),
  };
}

function showBackend(b: BackendInfo, ws: OckhamWarning[], where: string): void {
  backendEl.dataset.wasmKernelCalls = String(b.wasmKernelCalls);
  backendEl.textContent = (b.kernels === 'wasm-simd' ? 'kernels: WebAssembly SIMD' : `kernels: JavaScript fallback (${b.reason})`) + ` ${where}`;
  backendEl.dataset.kernels = b.kernels;
  backendEl.title = ws.map((w) => w.message).join('\n');
}

function onProgress(id: number, done: number, total: number, label: string): void {
  if (id !== runId) return;
  bar.max = Math.max(1, total);
  bar.value = done;
  status.textContent = done >= total ? 'assembling…' : `analysing ${label} (${Math.round((100 * done) / Math.max(1, total))} %)`;
}

async function stopPool(): Promise<void> {
  const p = pool;
  pool = null;
  ports = [];
  await p?.close();
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
    baseline: f.get('baseline') === 'sampled' ? 'sampled' : 'exact',
    seed: num('seed'),
    shuffles: num('shuffles'),
    threshold: threshold === '' ? null : Number(threshold),
    deltas,
    codec: String(f.get('codec')) as PageOptions['codec'],
    spectral: f.get('spectral') === 'on',
    compress: f.get('compress') === 'on',
    layout: f.get('layout') === 'keep' ? 'keep' : 'auto',
    naive: f.get('naive') === 'float32' ? 'float32' : 'stored',
  };
}

async function pick(files: FileList | File[]): Promise<void> {
  const list = Array.from(files);
  picked = await Promise.all(list.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
  const size = picked.reduce((s, f) => s + f.bytes.byteLength, 0);
  status.textContent = `${picked.map((f) => f.name).join(', ')} (${(size / 1024).toFixed(1)} KiB, read locally)`;
  busy(false);
  if (picked.length) void run();
}

async function run(): Promise<void> {
  controller?.abort();
  await stopPool();
  const id = ++runId;
  controller = new AbortController();
  const signal = controller.signal;
  started = performance.now();
  out.replaceChildren();
  jsonBox.hidden = true;
  jsonPre.textContent = '';
  delete jsonPre.dataset.done;
  bar.value = 0;
  status.textContent = 'reading…';
  busy(true);
  pool = createWebWorkerPool(spawn, WORKERS);
  try {
    // Let the status paint before parsing on this thread.
    await new Promise((r) => setTimeout(r, 0));
    const report = await analyse(picked, readOptions(), { signal, pool, onProgress: (d, t, l) => onProgress(id, d, t, l) });
    const b = await workersBackend();
    if (id !== runId) return;
    showBackend(b.backend, b.warnings, `in ${ports.length} worker(s)`);
    await stopPool();
    busy(false);
    bar.value = bar.max;
    status.textContent = `done in ${((performance.now() - started) / 1000).toFixed(2)} s`;
    show(report);
  } catch (e) {
    if (id !== runId || signal.aborted) return;
    await stopPool();
    fail(`${picked.map((f) => f.name).join(', ')}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function cancel(): void {
  controller?.abort();
  runId++;
  void stopPool();
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
  set('baseline', d.baseline);
  set('seed', String(d.seed));
  set('shuffles', String(d.shuffles));
  set('threshold', d.threshold === null ? '' : String(d.threshold));
  set('deltas', d.deltas.join(','));
  set('codec', d.codec);
  set('layout', d.layout);
  set('naive', d.naive);
  (form.elements.namedItem('spectral') as HTMLInputElement).checked = d.spectral;
  (form.elements.namedItem('compress') as HTMLInputElement).checked = d.compress;
}

fillDefaults();
form.addEventListener('submit', (e) => e.preventDefault());
// This thread's answer until a report has run (stage workers come from an inlined Blob and
// inherit this page's CSP, so they answer the same).
showBackend(backend(), warnings(), 'in this page');
input.addEventListener('change', () => input.files && void pick(input.files));
runBtn.addEventListener('click', () => void run());
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
