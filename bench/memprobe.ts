/**
 * Peak RSS of one report stage on a GPT-2 `wte`-shaped float32 matrix (50257×768 by default),
 * each stage in its own child process (VmHWM from /proc/self/status), against the process's
 * baseline after the tensor is allocated. `npx tsx bench/memprobe.ts [rows cols]`. The bzip2 loops
 * collect the young generation every 2 MiB of input, as in the report's workers
 * (OCKHAM_MEMPROBE_NO_GC=1: without).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { qubd, msbDiagnostic } from '../src/qubd/index.js';
import { spectralMetrics } from '../src/spectral/index.js';
import { naiveBits, coarseBits } from '../src/report/tensor.js';
import { createRng } from '../src/util/random.js';
import { setStageCollector } from '../src/report/tensor.js';
import { minorGcFunction } from '../src/cli/gc.js';

const MiB = 1024 * 1024;
const hwm = (): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
const rss = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
const STAGES = ['qubd', 'msb', 'spectral', 'naive', 'coarse'] as const;

const [stage, r0, c0] = process.argv.slice(2);
if (stage && (STAGES as readonly string[]).includes(stage)) {
  const rows = Number(r0);
  const cols = Number(c0);
  const rng = createRng(1);
  const x = new Float32Array(rows * cols);
  for (let i = 0; i < x.length; i++) x[i] = 0.02 * rng.normal() + (i % 768 < 8 ? 0.01 : 0);
  // As in the report's worker threads: a young-generation collection every 2 MiB of bzip2 input
  // (OCKHAM_MEMPROBE_NO_GC=1 measures without, as V8 schedules collections on its own).
  if (process.env.OCKHAM_MEMPROBE_NO_GC !== '1') setStageCollector(minorGcFunction());
  const base = rss();
  const t0 = performance.now();
  let v = 0;
  if (stage === 'qubd') v = qubd(x, { shape: [rows, cols] }).total;
  else if (stage === 'msb') v = msbDiagnostic(x, { shape: [rows, cols], bits: 8, seed: 0, shuffles: 3 }).total;
  else if (stage === 'spectral') v = spectralMetrics(x, [rows, cols]).spectralNorm;
  else if (stage === 'naive') v = naiveBits(x, 'bzip2');
  else v = coarseBits([{ name: 'w', shape: [rows, cols], data: x }], 0.01, 'bzip2');
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ stage, base, hwm: hwm(), ms, v }));
} else {
  const rows = Number(stage ?? 50257);
  const cols = Number(r0 ?? 768);
  const f32 = (4 * rows * cols) / MiB;
  console.log(`memprobe ${rows}×${cols} float32 (${f32.toFixed(0)} MiB); one child per stage`);
  console.log('| stage | peak RSS (MiB) | over tensor-allocated baseline (MiB) | ÷ tensor float32 size | time (s) |');
  console.log('|---|---|---|---|---|');
  for (const s of process.env.STAGES?.split(',') ?? STAGES) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), s, String(rows), String(cols)], { encoding: 'utf8' });
    const j = JSON.parse(out.trim().split('\n').pop()!) as { base: number; hwm: number; ms: number };
    console.log(`| ${s} | ${j.hwm.toFixed(0)} | ${(j.hwm - j.base).toFixed(0)} | ${((j.hwm - j.base) / f32).toFixed(2)} | ${(j.ms / 1000).toFixed(1)} |`);
  }
}
