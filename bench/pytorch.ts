/**
 * PyTorch checkpoint reading: time and peak RSS. Writes a zip checkpoint laid out as torch.save
 * writes it (`archive/data.pkl` + one stored member per storage; default 256 MiB of float32
 * in 16 MiB tensors; OCKHAM_BENCH_PT_MB to change), then reads it three ways in this process:
 *   1. baseline: `readFile` of the whole file (raw read throughput);
 *   2. `readPytorchFile` (streams: zip directory, data.pkl, one storage range at a time);
 *   3. `parsePytorch(await readFile(path))` (the whole file in memory, then parsed).
 * Peak RSS is sampled every 5 ms and reported above the RSS before each step. The streaming
 * reader runs first, so leftovers of earlier steps can only lower the later deltas.
 */
import { execFileSync } from 'node:child_process';
import { open, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePytorch } from '../src/io/index.js';
import { readPytorchFile } from '../src/io/node/index.js';
import { crc32 } from '../src/io/zip.js';
import { printTable } from './util.js';

const MB = 1024 * 1024;

function bytesOf(...parts: (number | string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') for (let i = 0; i < p.length; i++) out.push(p.charCodeAt(i));
    else out.push(...p);
  }
  return new Uint8Array(out);
}
const le32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const str = (s: string): (number | string | number[])[] => ['X', le32(s.length), s];

/** A state-dict pickle of `count` float32 tensors [rows, cols], storage keys '0'…. */
function statePickle(count: number, rows: number, cols: number): Uint8Array {
  const parts: (number | string | number[])[] = [0x80, 2, 'ccollections\nOrderedDict\n)R', '('];
  for (let k = 0; k < count; k++) {
    parts.push(...str(`layers.${k}.weight`), 'ctorch._utils\n_rebuild_tensor_v2\n', '(');
    parts.push('(', ...str('storage'), 'ctorch\nFloatStorage\n', ...str(String(k)), ...str('cpu'), 'J', le32(rows * cols), 't', 'Q');
    parts.push('K', 0, 'J', le32(rows), 'J', le32(cols), 0x86, 'J', le32(cols), 'K', 1, 0x86, 0x89, 'ccollections\nOrderedDict\n)R', 't', 'R');
  }
  parts.push('u', '.');
  return bytesOf(...parts);
}

async function writeCheckpoint(path: string, count: number, rows: number, cols: number): Promise<number> {
  const fh = await open(path, 'w');
  const central: Uint8Array[] = [];
  let offset = 0;
  const enc = new TextEncoder();
  const add = async (name: string, data: Uint8Array): Promise<void> => {
    const n = enc.encode(name);
    const crc = crc32(data);
    const h = new Uint8Array(30 + n.length);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, 0x04034b50, true);
    dv.setUint16(4, 20, true);
    dv.setUint32(14, crc, true);
    dv.setUint32(18, data.length, true);
    dv.setUint32(22, data.length, true);
    dv.setUint16(26, n.length, true);
    h.set(n, 30);
    const c = new Uint8Array(46 + n.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, n.length, true);
    cv.setUint32(42, offset, true);
    c.set(n, 46);
    central.push(c);
    await fh.write(h);
    await fh.write(data);
    offset += h.length + data.length;
  };
  await add('archive/data.pkl', statePickle(count, rows, cols));
  const w = new Float32Array(rows * cols);
  for (let k = 0; k < count; k++) {
    for (let i = 0; i < w.length; i++) w[i] = Math.sin(i * 0.001 + k);
    await add(`archive/data/${k}`, new Uint8Array(w.buffer));
  }
  const cdStart = offset;
  let cdSize = 0;
  for (const c of central) {
    await fh.write(c);
    cdSize += c.length;
  }
  const e = new Uint8Array(22);
  const ev = new DataView(e.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, central.length, true);
  ev.setUint16(10, central.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, cdStart, true);
  await fh.write(e);
  await fh.close();
  return cdStart + cdSize + 22;
}

/** One measurement in a fresh process (so peak RSS is not blurred by earlier steps). */
async function child(mode: string, path: string): Promise<void> {
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const t0 = performance.now();
  let n = 0;
  if (mode === 'raw') n = (await readFile(path)).length;
  else if (mode === 'stream') n = (await readPytorchFile(path)).tensors.length;
  else n = parsePytorch(await readFile(path)).tensors.length;
  const sec = (performance.now() - t0) / 1000;
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(timer);
  console.log(JSON.stringify({ sec, deltaMB: (peak - rss0) / MB, n }));
}

function measure(mode: string, path: string): { sec: number; deltaMB: number; n: number } {
  const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', mode, path], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as { sec: number; deltaMB: number; n: number };
}

export async function run(): Promise<void> {
  const totalMB = Number(process.env.OCKHAM_BENCH_PT_MB ?? 256);
  const count = Math.max(1, Math.round(totalMB / 16));
  const path = join(tmpdir(), `ockham-bench-${process.pid}.pt`);
  try {
    const size = await writeCheckpoint(path, count, 4096, 1024);
    const raw = measure('raw', path);
    const stream = measure('stream', path);
    const whole = measure('whole', path);
    if (stream.n !== count || whole.n !== count || raw.n !== size) throw new Error('bench: wrong tensor count');
    const rows: Record<string, string | number>[] = [];
    const row = (name: string, m: { sec: number; deltaMB: number }): void =>
      void rows.push({ reader: name, 'time s': m.sec, 'MiB/s': size / MB / m.sec, 'ratio vs raw read': raw.sec / m.sec, 'peak RSS above start MiB': m.deltaMB });
    row('readFile whole file (baseline)', raw);
    row('readPytorchFile (streaming) → Float32Array', stream);
    row('parsePytorch(readFile) → Float32Array', whole);
    printTable(`io — PyTorch zip checkpoint (${count} × 16 MiB float32 tensors, warm page cache, one process per row)`, rows, [
      `file ${(size / MB).toFixed(0)} MiB; float32 output ${(count * 16).toFixed(0)} MiB. Machine shared with parallel jobs: repeat to see the noise.`,
    ]);
  } finally {
    await rm(path, { force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
