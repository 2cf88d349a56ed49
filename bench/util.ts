/** Shared bench helpers: timing with warm-up and a baseline measured in the same run. */
import { open } from 'node:fs/promises';

/** Median wall time in ms of `fn` over `reps` runs after `warmup` runs. */
export function timeMs(fn: () => unknown, reps = 5, warmup = 1): number {
  for (let i = 0; i < warmup; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

/** A plain streaming pass over a Float32Array (sum): the baseline most ratios are against. */
export function plainPass(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

/**
 * The plain-pass baseline for `xs`, fully warmed (≥ 100 ms of warm-up: the JIT's final code for
 * the loop arrives after a few calls, and an under-warmed baseline flatters every ratio), as the
 * median over `reps` passes of all arrays.
 */
export function baselineMs(xs: readonly Float32Array[], reps = 7): number {
  const all = (): number => {
    let s = 0;
    for (const x of xs) s += plainPass(x);
    return s;
  };
  const t0 = performance.now();
  let warm = 0;
  while (performance.now() - t0 < 100 || warm < 3) {
    all();
    warm++;
  }
  return timeMs(all, reps, 0);
}

// ---- Output: one format for every area --------------------------------------------------------
// Human: markdown (`## title`, a GitHub table, notes as paragraphs). Machines: `npm run bench --
// --json` prints one JSON document at the end (schema ockham.bench/1) with the same tables, values
// as numbers; anything else a bench prints goes to stderr in that mode (bench/index.ts).

/** A cell: numbers (raw), strings (numeric strings become numbers in JSON), null = n/a. */
export type Cell = string | number | null;

/** One table of an area's results. */
export interface BenchTable {
  readonly title: string;
  readonly rows: Record<string, Cell>[];
  readonly notes: string[];
}

/** One area's results (bench/<area>.ts). */
export interface BenchArea {
  readonly area: string;
  readonly tables: BenchTable[];
  /** Notes printed outside a table (setup, skipped parts, derived ratios). */
  readonly notes: string[];
}

let mode: 'markdown' | 'json' = 'markdown';
let out: (s: string) => void = (s) => console.log(s);
const areas: BenchArea[] = [];

/** bench/index.ts: chooses the output and where markdown goes. */
export function setBenchOutput(m: 'markdown' | 'json', write?: (s: string) => void): void {
  mode = m;
  if (write) out = write;
}

/** bench/index.ts: starts an area; tables and notes after this belong to it. */
export function beginArea(area: string): void {
  areas.push({ area, tables: [], notes: [] });
  if (mode === 'markdown') out(`\n# ${area}`);
}

/** Everything recorded so far (for --json). */
export function benchResults(): BenchArea[] {
  return areas;
}

function current(): BenchArea {
  if (areas.length === 0) beginArea('bench');
  return areas[areas.length - 1];
}

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** A cell as JSON: numeric strings ("1.23", "4e-3") as numbers. */
function jsonCell(v: Cell): Cell {
  return typeof v === 'string' && NUMERIC.test(v.trim()) ? Number(v.trim()) : v;
}

/** A cell as markdown: numbers to 4 significant digits (integers whole; below 1e-3 or from 1e5 on in exponent form), "—" for null. */
export function mdCell(v: Cell): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
  }
  return v.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * Records and prints one result table (rows: objects with the same keys; put the baseline and
 * the ratio to it in columns of their own).
 */
export function printTable(title: string, rows: Record<string, Cell>[], notes: string[] = []): void {
  current().tables.push({ title, rows: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, jsonCell(v)]))), notes });
  if (mode !== 'markdown') return;
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const numeric = keys.map((k) => rows.every((r) => r[k] === null || r[k] === undefined || typeof r[k] === 'number' || NUMERIC.test(String(r[k]).replace(/[×%]$/, '').trim())));
  const lines = [`\n## ${title}`, ''];
  lines.push(`| ${keys.map(mdCell).join(' | ')} |`);
  lines.push(`|${numeric.map((n) => (n ? '---:' : '---')).join('|')}|`);
  for (const r of rows) lines.push(`| ${keys.map((k) => mdCell(r[k] ?? null)).join(' | ')} |`);
  for (const n of notes) lines.push('', n);
  out(lines.join('\n'));
}

/** Records and prints a line of prose for the current area (a setup, a skip, a derived ratio). */
export function note(text: string): void {
  current().notes.push(text);
  if (mode === 'markdown') out(`\n${text}`);
}

export function fmt(x: number, digits = 2): string {
  return x.toFixed(digits);
}

/**
 * Writes a large F32 safetensors file to `path` without holding it in memory: the header, then
 * each tensor generated into one reused buffer and written at its offset. Values are uniform in
 * ±scale/2 from a seeded LCG that runs on across tensors, so every tensor differs and the file
 * is the same for the same arguments. Node-only (bench). Returns the tensor count and file size.
 */
export async function writeBigSafetensors(
  path: string,
  o: { tensors: number; shape: [number, number]; seed?: number; scale?: number; generator?: string },
): Promise<{ tensors: number; bytes: number }> {
  const n = o.tensors;
  const elems = o.shape[0] * o.shape[1];
  const per = elems * 4;
  const header: Record<string, unknown> = { __metadata__: { generator: o.generator ?? 'ockham bench' } };
  for (let i = 0; i < n; i++) {
    header[`layer${String(i).padStart(4, '0')}.weight`] = { dtype: 'F32', shape: o.shape.slice(), data_offsets: [i * per, (i + 1) * per] };
  }
  let json = JSON.stringify(header);
  // Pad so the data starts 8-byte aligned (the format allows trailing spaces in the header).
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const fh = await open(path, 'w');
  try {
    const pre = new Uint8Array(8 + json.length);
    new DataView(pre.buffer).setUint32(0, json.length, true);
    pre.set(new TextEncoder().encode(json), 8);
    await fh.write(pre, 0, pre.length, 0);
    const chunk = new Float32Array(elems);
    const bytes = new Uint8Array(chunk.buffer);
    const scale = o.scale ?? 0.1;
    let s = (o.seed ?? 12345) >>> 0;
    for (let t = 0; t < n; t++) {
      for (let i = 0; i < elems; i++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        chunk[i] = (s / 2 ** 32 - 0.5) * scale;
      }
      await fh.write(bytes, 0, bytes.length, pre.length + t * per);
    }
    return { tensors: n, bytes: pre.length + n * per };
  } finally {
    await fh.close();
  }
}
