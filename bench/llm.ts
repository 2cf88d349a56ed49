/**
 * The default `ockham report` at LLM scale, against what a Python user runs for less work.
 *
 * Generates a GPT-2-small-shaped safetensors file in os.tmpdir() — 124,439,808 float32
 * parameters under the Hugging Face names and shapes of `openai-community/gpt2` (Conv1D
 * weights stored [in, out], tensors in the alphabetical order safetensors writes), each 2-D
 * weight N(0, 0.02) plus a seeded rank-8 component (entry std 0.01), vectors N(0, 0.02) — then,
 * in the same run:
 *   - ockham: the built CLI in a child process, `node dist/cli.js report <file> --json` (all
 *     defaults: QuBD b=8 + 3 shuffles, spectral, naive + 3 coarse-grained bzip2 sizes; jobs =
 *     all cores), its peak RSS from GNU time, per-stage times from OCKHAM_REPORT_STAGE_TIMES;
 *   - the Python route: numpy `np.linalg.svd(W, compute_uv=False)` of every matrix with
 *     OPENBLAS_NUM_THREADS=1, plus `bzip2 -9` of the file (both one thread, one after the
 *     other, as a script would);
 * and prints ockham / Python (target ≤ 1.0×), the peak RSS (target ≤ 600 MiB and ≤ 2× the
 * largest tensor + a fixed budget), per-stage times and rates, and estimates for 1.4B and 7B
 * models from the measured stage rates.
 *
 * Heavy (minutes, 0.5 GB of disk): not part of `npm run bench`; run `npm run bench -- llm`.
 * OCKHAM_BENCH_LLM_KEEP=1 keeps the file (reused by the next run); OCKHAM_BENCH_LLM_JOBS=2,1 runs
 * the report once per listed `--jobs`; OCKHAM_BENCH_NO_BUILD=1 skips `npx tsup`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '../src/util/random.js';
import type { Report } from '../src/report/types.js';

const MiB = 1024 * 1024;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TIME = '/usr/bin/time';
const MARK = 'OCKHAM_BENCH_TIME';

/** GPT-2 small in Hugging Face layout, tensors in safetensors' (alphabetical) order. */
export function gpt2SmallShapes(): { name: string; shape: number[] }[] {
  const d = 768;
  const t: { name: string; shape: number[] }[] = [
    { name: 'wte.weight', shape: [50257, d] },
    { name: 'wpe.weight', shape: [1024, d] },
    { name: 'ln_f.weight', shape: [d] },
    { name: 'ln_f.bias', shape: [d] },
  ];
  for (let i = 0; i < 12; i++) {
    const h = `h.${i}.`;
    t.push(
      { name: `${h}ln_1.weight`, shape: [d] },
      { name: `${h}ln_1.bias`, shape: [d] },
      { name: `${h}attn.c_attn.weight`, shape: [d, 3 * d] },
      { name: `${h}attn.c_attn.bias`, shape: [3 * d] },
      { name: `${h}attn.c_proj.weight`, shape: [d, d] },
      { name: `${h}attn.c_proj.bias`, shape: [d] },
      { name: `${h}ln_2.weight`, shape: [d] },
      { name: `${h}ln_2.bias`, shape: [d] },
      { name: `${h}mlp.c_fc.weight`, shape: [d, 4 * d] },
      { name: `${h}mlp.c_fc.bias`, shape: [4 * d] },
      { name: `${h}mlp.c_proj.weight`, shape: [4 * d, d] },
      { name: `${h}mlp.c_proj.bias`, shape: [d] },
    );
  }
  return t.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Matrix shapes of a 1.4B model (Pythia-1.4B: d 2048, 24 layers, FFN 8192, vocab 50304, untied). */
function pythia14bMatrices(): number[][] {
  const d = 2048;
  const m: number[][] = [
    [50304, d],
    [50304, d],
  ];
  for (let i = 0; i < 24; i++) m.push([3 * d, d], [d, d], [4 * d, d], [d, 4 * d]);
  return m;
}

/** Matrix shapes of a 7B model (LLaMA-7B: d 4096, 32 layers, FFN 11008, vocab 32000, untied). */
function llama7bMatrices(): number[][] {
  const d = 4096;
  const f = 11008;
  const m: number[][] = [
    [32000, d],
    [32000, d],
  ];
  for (let i = 0; i < 32; i++) m.push([d, d], [d, d], [d, d], [d, d], [f, d], [f, d], [d, f]);
  return m;
}

/** Seeded standard normals (Box–Muller over the library's generator), deterministic across runs. */
function normalSource(seed: number): () => number {
  const rng = createRng(seed);
  let spare = NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const v = spare;
      spare = NaN;
      return v;
    }
    const u = 1 - rng.next();
    const v = rng.next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** Fills one tensor: N(0, 0.02), plus for matrices a rank-8 component U·Vᵀ with entry std 0.01. */
function fillTensor(out: Float32Array, shape: number[], normal: () => number): void {
  for (let i = 0; i < out.length; i++) out[i] = 0.02 * normal();
  if (shape.length !== 2) return;
  const [r, c] = shape;
  const k = 8;
  const scale = 0.01 / Math.sqrt(k);
  const U = new Float64Array(r * k).map(() => normal());
  const V = new Float64Array(c * k).map(() => normal() * scale);
  for (let i = 0; i < r; i++) {
    const u = i * k;
    const row = i * c;
    for (let j = 0; j < c; j++) {
      const v = j * k;
      let s = 0;
      for (let q = 0; q < k; q++) s += U[u + q] * V[v + q];
      out[row + j] += s;
    }
  }
}

/** Writes the GPT-2-small-shaped file to `path`, streaming one tensor at a time. */
export async function writeGpt2Small(path: string, seed = 2019): Promise<{ bytes: number; params: number; tensors: number }> {
  const shapes = gpt2SmallShapes();
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', generator: `ockham bench/llm.ts seed ${seed}` } };
  let off = 0;
  for (const t of shapes) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + 4 * n] };
    off += 4 * n;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const fh = await open(path, 'w');
  const normal = normalSource(seed);
  try {
    const pre = new Uint8Array(8 + json.length);
    new DataView(pre.buffer).setUint32(0, json.length, true);
    pre.set(new TextEncoder().encode(json), 8);
    await fh.write(pre, 0, pre.length, 0);
    let pos = pre.length;
    for (const t of shapes) {
      const data = new Float32Array(t.shape.reduce((a, b) => a * b, 1));
      fillTensor(data, t.shape, normal);
      await fh.write(new Uint8Array(data.buffer), 0, data.byteLength, pos);
      pos += data.byteLength;
    }
    return { bytes: pos, params: off / 4, tensors: shapes.length };
  } finally {
    await fh.close();
  }
}

interface Child {
  code: number | null;
  stdout: string;
  stderr: string;
  rssMiB: number;
  wallSec: number;
  /** User + system CPU seconds of the child's tree (GNU time). */
  cpuSec: number;
}

/** Runs a command under GNU time (peak RSS of the largest process of the child's tree). */
function timed(cmd: string, args: string[], env: Record<string, string> = {}, stdoutFile?: string): Promise<Child> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const full = stdoutFile ? ['sh', '-c', `"$0" "$@" > ${JSON.stringify(stdoutFile)}`, cmd, ...args] : [cmd, ...args];
    const p = spawn(TIME, ['-f', `${MARK} %M %e %U %S`, ...full], { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', rej);
    p.on('close', (code) => {
      const m = new RegExp(`${MARK} (\\d+) \\S+ (\\S+) (\\S+)`).exec(stderr);
      if (!m) return rej(new Error(`bench/llm: no peak RSS from ${TIME} for ${cmd} (stderr tail: ${stderr.slice(-400)})`));
      res({ code, stdout, stderr, rssMiB: Number(m[1]) / 1024, wallSec: (performance.now() - t0) / 1000, cpuSec: Number(m[2]) + Number(m[3]) });
    });
  });
}

const PY_SVD = `
import json, struct, sys, time
import numpy as np
path = sys.argv[1]
with open(path, 'rb') as f:
    n = struct.unpack('<Q', f.read(8))[0]
    header = json.loads(f.read(n))
base = 8 + n
mm = np.memmap(path, dtype=np.uint8, mode='r')
t_svd = 0.0; mats = 0; flops = 0.0
for name, e in header.items():
    if name == '__metadata__' or len(e['shape']) != 2: continue
    a, b = e['data_offsets']
    w = np.frombuffer(mm[base + a: base + b], dtype=np.float32).reshape(e['shape'])
    w = np.array(w)  # in memory, as after torch.load / safetensors.load_file
    t0 = time.perf_counter()
    s = np.linalg.svd(w, compute_uv=False)
    t_svd += time.perf_counter() - t0
    mats += 1
print(json.dumps({'svdSeconds': t_svd, 'matrices': mats, 'numpy': np.__version__}))
`;

interface StageTimes {
  seconds: number;
  jobs: number;
  readSeconds: number;
  stages: Record<string, { seconds: number; params: number; count: number }>;
}

/** Σ m·n·min(m, n) over matrices: the flop model of a σ-only SVD. */
function svdWork(mats: number[][]): number {
  return mats.reduce((s, [m, n]) => s + m * n * Math.min(m, n), 0);
}

function fmtTime(s: number): string {
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export async function run(): Promise<void> {
  console.log('\n## llm — default `ockham report` of a GPT-2-small-shaped file vs numpy SVD (1 thread) + `bzip2 -9`');
  for (const [what, ok] of [
    [TIME, existsSync(TIME)],
    ['bzip2', existsSync('/usr/bin/bzip2') || existsSync('/bin/bzip2')],
  ] as const) {
    if (!ok) {
      console.log(`skipped: ${what} is needed`);
      return;
    }
  }
  const keep = process.env.OCKHAM_BENCH_LLM_KEEP === '1';
  const path = join(tmpdir(), keep ? 'ockham-bench-llm-gpt2.safetensors' : `ockham-bench-llm-${process.pid}.safetensors`);
  const jobsList = (process.env.OCKHAM_BENCH_LLM_JOBS ?? String(availableParallelism())).split(',').map((s) => Number(s.trim()));
  const load0 = loadavg();
  try {
    if (process.env.OCKHAM_BENCH_NO_BUILD !== '1') {
      const b = await timed('npx', ['tsup', '--silent']);
      if (b.code !== 0) throw new Error(`bench/llm: npx tsup failed: ${b.stderr.slice(-500)}`);
    }
    if (!existsSync(join(root, 'dist/cli.js'))) throw new Error('bench/llm: dist/cli.js missing (npm run build)');
    let t0 = performance.now();
    let info: { bytes: number; params: number; tensors: number };
    const shapes = gpt2SmallShapes();
    const params = shapes.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
    if (keep && existsSync(path)) info = { bytes: (await stat(path)).size, params, tensors: shapes.length };
    else info = await writeGpt2Small(path);
    const genSec = (performance.now() - t0) / 1000;
    if (info.params !== 124439808) throw new Error(`bench/llm: generated ${info.params} params, GPT-2 small has 124439808`);
    const largest = Math.max(...shapes.map((t) => t.shape.reduce((a, b) => a * b, 1))) * 4;
    console.log(
      `file: ${(info.bytes / MiB).toFixed(0)} MiB, ${info.tensors} tensors, ${(info.params / 1e6).toFixed(1)} M float32 params ` +
        `(largest: wte.weight [50257, 768], ${(largest / MiB).toFixed(0)} MiB); generated in ${genSec.toFixed(1)} s`,
    );

    // Warm the page cache for everyone alike.
    await timed('cat', [path], {}, '/dev/null');

    // Python route.
    const single = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const py = await timed('python3', ['-c', PY_SVD, path], single);
    if (py.code !== 0) throw new Error(`bench/llm: python3 failed: ${py.stderr.slice(-500)}`);
    const pyOut = JSON.parse(py.stdout) as { svdSeconds: number; matrices: number; numpy: string };
    t0 = performance.now();
    const bz = await timed('bzip2', ['-9', '-c', path], {}, '/dev/null');
    if (bz.code !== 0) throw new Error('bench/llm: bzip2 failed');
    const pyRoute = py.wallSec + bz.wallSec;
    console.log(
      `Python route: numpy ${pyOut.numpy} svd(compute_uv=False) of ${pyOut.matrices} matrices ${pyOut.svdSeconds.toFixed(1)} s ` +
        `(process ${py.wallSec.toFixed(1)} s wall / ${py.cpuSec.toFixed(1)} s CPU, ${py.rssMiB.toFixed(0)} MiB) + bzip2 -9 ${bz.wallSec.toFixed(1)} s wall / ` +
        `${bz.cpuSec.toFixed(1)} s CPU (${bz.rssMiB.toFixed(0)} MiB) = ${pyRoute.toFixed(1)} s wall, ${(py.cpuSec + bz.cpuSec).toFixed(1)} s CPU`,
    );
    const idle = await timed('node', ['dist/cli.js', '--version']);

    const matrices = shapes.filter((t) => t.shape.length === 2).map((t) => t.shape);
    for (const jobs of jobsList) {
      const timesPath = join(tmpdir(), `ockham-bench-llm-times-${process.pid}.json`);
      const outPath = join(tmpdir(), `ockham-bench-llm-report-${process.pid}.json`);
      const args = ['dist/cli.js', 'report', path, '--json', '--jobs', String(jobs)];
      console.log(`\n$ node ${args.join(' ')}   (peak RSS by ${TIME})`);
      const rep = await timed('node', args, { OCKHAM_REPORT_STAGE_TIMES: timesPath }, outPath);
      if (rep.code !== 0) throw new Error(`bench/llm: report exited with ${rep.code}: ${rep.stderr.slice(-800)}`);
      const j = JSON.parse(readFileSync(outPath, 'utf8')) as Report;
      const times = JSON.parse(readFileSync(timesPath, 'utf8')) as StageTimes;
      await rm(outPath, { force: true });
      await rm(timesPath, { force: true });
      if (j.totals.params !== info.params || j.totals.tensors !== info.tensors || j.totals.analysed !== matrices.length) {
        throw new Error(`bench/llm: report covers ${j.totals.tensors} tensors / ${j.totals.params} params / ${j.totals.analysed} analysed`);
      }
      const ratio = rep.wallSec / pyRoute;
      const fixed = rep.rssMiB - (2 * largest) / MiB;
      console.log(
        `ockham report --jobs ${jobs}: ${rep.wallSec.toFixed(1)} s wall (report ${j.seconds.toFixed(1)} s), ${rep.cpuSec.toFixed(1)} s CPU, peak RSS ${rep.rssMiB.toFixed(0)} MiB ` +
          `(start-up alone ${idle.rssMiB.toFixed(0)} MiB; 2× largest tensor = ${((2 * largest) / MiB).toFixed(0)} MiB, so fixed part ${fixed.toFixed(0)} MiB)`,
      );
      console.log(`ockham / Python route: ${ratio.toFixed(2)}× wall (target ≤ 1.00×), ${(rep.cpuSec / (py.cpuSec + bz.cpuSec)).toFixed(2)}× CPU; peak RSS ${rep.rssMiB <= 600 ? '≤' : '>'} 600 MiB`);
      console.log('| stage | Σ stage time (s, all threads) | share | stages | rate |');
      console.log('|---|---|---|---|---|');
      const sum = Object.values(times.stages).reduce((s, x) => s + x.seconds, 0) + times.readSeconds;
      for (const [k, v] of Object.entries(times.stages)) {
        const rate = k === 'spectral' ? `${((svdWork(matrices) / v.seconds) / 1e9).toFixed(2)} G(m·n·min) /s` : `${(v.params / v.seconds / 1e6).toFixed(2)} M params/s`;
        console.log(`| ${k} | ${v.seconds.toFixed(1)} | ${((100 * v.seconds) / sum).toFixed(0)} % | ${v.count} | ${rate} |`);
      }
      console.log(`| read | ${times.readSeconds.toFixed(1)} | ${((100 * times.readSeconds) / sum).toFixed(0)} % | ${info.tensors} | ${(info.bytes / MiB / Math.max(1e-9, times.readSeconds)).toFixed(0)} MiB/s |`);
      console.log(`parallel efficiency: Σ stage time / (wall × jobs) = ${((100 * sum) / (j.seconds * jobs)).toFixed(0)} %`);

      // Estimates for an idle machine from CPU time (wall times on a loaded machine are inflated
      // by whatever else runs): each stage's CPU = its measured wall × (process CPU / Σ stage wall);
      // linear in parameters, spectral by the σ-only SVD flop model; ockham's stage CPU spread over
      // `jobs` threads, the Python route single-threaded (its CPU time).
      const cpuScale = rep.cpuSec / sum;
      const est = (mats: number[][], total: number) => {
        // CPU seconds of a stage kind per model parameter (all its calls: every Δ, every part).
        const perParam = (k: string) => (times.stages[k] ? (cpuScale * times.stages[k].seconds) / info.params : 0);
        const lin = (perParam('qubd') + perParam('naive') + perParam('coarse')) * total;
        const spec = times.stages.spectral ? (cpuScale * times.stages.spectral.seconds * svdWork(mats)) / svdWork(matrices) : 0;
        const read = (cpuScale * times.readSeconds * total) / info.params;
        const oc = (lin + spec + read) / jobs;
        const pySvd = (py.cpuSec * svdWork(mats)) / svdWork(matrices);
        const pyBz = (bz.cpuSec * total) / info.params;
        return { oc, pyRoute: pySvd + pyBz, lin, spec, largest: Math.max(...mats.map(([m, n]) => m * n)) * 4 };
      };
      console.log(`stage CPU (s) ≈ wall × ${cpuScale.toFixed(3)}: ${Object.entries(times.stages).map(([k, v]) => `${k} ${(cpuScale * v.seconds).toFixed(1)}`).join(', ')}`);
      console.log(`idle-machine estimates from CPU time (float32 files; ockham's stage CPU ÷ ${jobs} threads, perfect balance; Python route single-threaded):`);
      console.log('| model | params | ockham default report | Python route | ratio | largest tensor | RSS estimate |');
      console.log('|---|---|---|---|---|---|---|');
      const perLargest = (rep.rssMiB - idle.rssMiB) / (largest / MiB);
      for (const [name, mats, extraVec] of [
        ['GPT-2 small (this file)', matrices, info.params - matrices.reduce((s, [m, n]) => s + m * n, 0)],
        ['1.4B (Pythia-1.4B shapes)', pythia14bMatrices(), 0],
        ['7B (LLaMA-7B shapes)', llama7bMatrices(), 0],
      ] as const) {
        const total = mats.reduce((s, [m, n]) => s + m * n, 0) + extraVec;
        const e = est(mats as number[][], total);
        const measured = name.startsWith('GPT-2');
        const oc = e.oc;
        const pr = e.pyRoute;
        const rss = measured ? rep.rssMiB : idle.rssMiB + perLargest * (e.largest / MiB);
        console.log(
          `| ${name} | ${(total / 1e9).toFixed(2)} B | ${fmtTime(oc)} | ${fmtTime(pr)} | ${(oc / pr).toFixed(2)}× | ${(e.largest / MiB).toFixed(0)} MiB | ${(rss / 1024).toFixed(2)} GiB |`,
        );
      }
    }
    const load1 = loadavg();
    console.log(`load average ${load0[0].toFixed(1)} → ${load1[0].toFixed(1)} on ${availableParallelism()} cores (other work on the machine slows both routes)`);
  } finally {
    if (!keep) await rm(path, { force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
