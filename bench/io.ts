/**
 * Reader throughput and memory. Generates a large safetensors file on disk (default 1 GiB;
 * OCKHAM_BENCH_IO_MB to change), then:
 *   1. streams it tensor by tensor (streamSafetensorsFile) — throughput and peak RSS, against a
 *      baseline of raw sequential fs reads of the same bytes into one reused buffer;
 *   2. decodes F16 / BF16 / F32 tensors in memory — throughput against a plain byte copy.
 * The file is written just before reading, so reads come from a warm page cache.
 */
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeToFloat32 } from '../src/io/dtypes.js';
import { streamSafetensorsFile } from '../src/io/node/index.js';
import { printTable, writeBigSafetensors } from './util.js';

const MB = 1024 * 1024;

export async function run(): Promise<void> {
  const totalMB = Number(process.env.OCKHAM_BENCH_IO_MB ?? 1024);
  const path = join(tmpdir(), `ockham-bench-${process.pid}.safetensors`);
  try {
    // 16 MiB tensors of shape [4096, 1024].
    const { tensors, bytes } = await writeBigSafetensors(path, { tensors: Math.max(1, Math.round(totalMB / 16)), shape: [4096, 1024], generator: 'ockham bench/io.ts' });
    // Baseline: raw sequential reads of the same file into one reused 16 MiB buffer.
    const fh = await open(path, 'r');
    const buf = new Uint8Array(16 * MB);
    let t0 = performance.now();
    for (let pos = 0; pos < bytes; ) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
    }
    const rawSec = (performance.now() - t0) / 1000;
    // Second baseline: the same reads into a fresh buffer per tensor (what any reader that
    // hands out new arrays pays: page faults + zeroing of new memory).
    t0 = performance.now();
    for (let pos = 0; pos < bytes; ) {
      const fresh = new Uint8Array(16 * MB);
      const { bytesRead } = await fh.read(fresh, 0, fresh.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
    }
    const freshSec = (performance.now() - t0) / 1000;
    await fh.close();

    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    t0 = performance.now();
    let count = 0;
    let checksum = 0;
    for await (const t of streamSafetensorsFile(path)) {
      count++;
      checksum += t.data[0];
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const streamSec = (performance.now() - t0) / 1000;
    clearInterval(timer);
    if (count !== tensors || !Number.isFinite(checksum)) throw new Error('bench: stream read the wrong number of tensors');
    const gb = bytes / 1024 ** 3;
    printTable(
      `io — safetensors streaming (${totalMB} MiB file, 16 MiB tensors, warm page cache)`,
      [
        { reader: 'raw fs reads (baseline)', 'time s': rawSec, 'MiB/s': bytes / MB / rawSec, 'ratio vs raw read': 1 },
        { reader: 'raw fs reads, fresh buffer per 16 MiB', 'time s': freshSec, 'MiB/s': bytes / MB / freshSec, 'ratio vs raw read': rawSec / freshSec },
        { reader: 'streamSafetensorsFile → Float32Array', 'time s': streamSec, 'MiB/s': bytes / MB / streamSec, 'ratio vs raw read': rawSec / streamSec },
      ],
      [`file ${gb.toFixed(2)} GiB, ${tensors} tensors; RSS before ${(rss0 / MB).toFixed(0)} MiB, peak while streaming ${(peak / MB).toFixed(0)} MiB (+${((peak - rss0) / MB).toFixed(0)} MiB)`],
    );
  } finally {
    await rm(path, { force: true });
  }

  const n = 4 * MB;
  const src = new Uint8Array(n * 4);
  let s = 7;
  for (let i = 0; i < src.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    src[i] = s >>> 24;
  }
  const time = (f: () => void) => {
    f();
    const t = performance.now();
    for (let r = 0; r < 5; r++) f();
    return (performance.now() - t) / 5;
  };
  const copyMs = time(() => void src.slice(0, n * 4));
  const rows: [string, number][] = [
    ['F32 (copy + view)', time(() => void decodeToFloat32(src, 0, n, 'f32'))],
    ['F16 (table)', time(() => void decodeToFloat32(src, 0, n, 'f16'))],
    ['BF16 (shift)', time(() => void decodeToFloat32(src, 0, n, 'bf16'))],
    ['F16 big-endian (DataView)', time(() => void decodeToFloat32(src, 0, n, 'f16', false))],
    ['U8', time(() => void decodeToFloat32(src, 0, n, 'u8'))],
  ];
  printTable('io — element decoding to float32 (4M elements, in memory)', [
    { decoder: 'byte copy (baseline)', ms: copyMs, 'Melem/s': null, 'ratio vs 16 MiB byte copy': 1 },
    ...rows.map(([name, ms]) => ({ decoder: name, ms, 'Melem/s': n / 1e3 / ms, 'ratio vs 16 MiB byte copy': copyMs / ms })),
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
