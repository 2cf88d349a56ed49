/**
 * `ockham report` on a 1-GiB-class safetensors file, run the way a user runs it: a child
 * process `npx tsx src/cli/main.ts report <file> --json --no-spectral --no-compress`, its peak
 * RSS read by GNU time (`/usr/bin/time -f %M`, the largest resident set of any process in the
 * child's tree, i.e. the CLI's node process). Generates 64 seeded 2048×2048 F32 tensors
 * (OCKHAM_BENCH_CLI_MB to change the size, 16 MiB per tensor) in os.tmpdir(), streaming them to
 * disk, and deletes the file afterwards.
 *
 * Baselines measured in the same run, under the same time wrapper:
 *   - start-up: `npx tsx src/cli/main.ts --version` (tsx + module loading, no work);
 *   - plain streaming read: this file run as a child with `--stream <file>`, which reads every
 *     tensor with streamSafetensorsFile and sums it (no analysis).
 *
 * Why spectral and compression are off by default: measured on this 2-core machine, one
 * 2048×2048 tensor costs ≈ 0.2 s for QuBD + 3 shuffled references, +11.5 s for the SVD
 * (spectral) and +13.5 s for the naive + three coarse-grained bzip2 sizes (load ≈ 5) — ~27 min
 * for 64 tensors with everything on, against ~13 s for QuBD alone (figures in docs/cli.md,
 * "Large files"). Memory, the point of this bench, is bounded by one tensor either way.
 * OCKHAM_BENCH_CLI_ARGS replaces the extra arguments (OCKHAM_BENCH_CLI_ARGS='' for the full
 * default report). The report runs with `--jobs 1` (OCKHAM_BENCH_CLI_JOBS to change): the
 * 300 MiB limit is the one-tensor-at-a-time bound; the parallel report's memory (worker threads,
 * several tensors in flight within a budget) is measured by bench/llm.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { streamSafetensorsFile } from '../src/io/node/index.js';
import type { Report } from '../src/cli/report.js';
import { note, plainPass, printTable, writeBigSafetensors } from './util.js';

const MB = 1024 * 1024;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TIME = '/usr/bin/time';
const MARK = 'OCKHAM_BENCH_TIME';
/** Peak RSS allowed for the report of a file of any size (memory must not grow with the file). */
const RSS_LIMIT_MB = 300;

interface Child {
  code: number | null;
  stdout: string;
  /** Peak RSS (MiB) of the largest process in the child's tree, from GNU time. */
  rssMB: number;
  /** Wall time (s) measured here, start-up included. */
  wallSec: number;
}

/** Runs `npx <args>` under GNU time; stderr lines other than time's are forwarded (progress). */
function timed(args: string[]): Promise<Child> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const p = spawn(TIME, ['-f', `${MARK} %M %e`, 'npx', ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let err = '';
    let pending = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d: Buffer) => {
      err += d;
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) if (!l.startsWith(MARK)) process.stderr.write(`  ${l}\n`);
    });
    p.on('error', rej);
    p.on('close', (code) => {
      const wallSec = (performance.now() - t0) / 1000;
      const m = new RegExp(`${MARK} (\\d+)`).exec(err);
      if (!m) return rej(new Error(`bench/cli: no peak RSS from ${TIME} (stderr tail: ${err.slice(-300)})`));
      res({ code, stdout, rssMB: Number(m[1]) / 1024, wallSec });
    });
  });
}

/** Child mode: plain streaming read of `file`, prints { tensors, params, seconds, checksum }. */
async function streamOnly(file: string): Promise<void> {
  const t0 = performance.now();
  let tensors = 0;
  let params = 0;
  let checksum = 0;
  for await (const t of streamSafetensorsFile(file)) {
    tensors++;
    params += t.data.length;
    checksum += plainPass(t.data);
  }
  console.log(JSON.stringify({ tensors, params, seconds: (performance.now() - t0) / 1000, checksum }));
}

export async function run(): Promise<void> {
  const totalMB = Number(process.env.OCKHAM_BENCH_CLI_MB ?? 1024);
  const extra = (process.env.OCKHAM_BENCH_CLI_ARGS ?? '--no-spectral --no-compress').split(/\s+/).filter(Boolean);
  extra.push('--jobs', process.env.OCKHAM_BENCH_CLI_JOBS ?? '1');
  const n = Math.max(1, Math.round(totalMB / 16));
  const title = `cli — \`ockham report\` on a ${n * 16} MiB safetensors file (${n} × F32 [2048, 2048], warm page cache)`;
  if (!existsSync(TIME)) {
    note(`${title}: skipped, ${TIME} (GNU time) is needed to read the child's peak RSS`);
    return;
  }
  const path = join(tmpdir(), `ockham-bench-cli-${process.pid}.safetensors`);
  try {
    const load0 = loadavg()[0];
    let t0 = performance.now();
    const { tensors, bytes } = await writeBigSafetensors(path, { tensors: n, shape: [2048, 2048], seed: 2024, generator: 'ockham bench/cli.ts' });
    const genSec = (performance.now() - t0) / 1000;
    const params = n * 2048 * 2048;

    const idle = await timed(['tsx', 'src/cli/main.ts', '--version']);
    if (idle.code !== 0) throw new Error('bench/cli: `ockham --version` failed');

    const read = await timed(['tsx', 'bench/cli.ts', '--stream', path]);
    if (read.code !== 0) throw new Error('bench/cli: the streaming-read child failed');
    const r0 = JSON.parse(read.stdout) as { tensors: number; params: number; seconds: number };
    if (r0.tensors !== tensors || r0.params !== params) throw new Error('bench/cli: streaming read saw the wrong tensors');

    const args = ['tsx', 'src/cli/main.ts', 'report', path, '--json', '--progress', ...extra];
    t0 = performance.now();
    const rep = await timed(args);
    if (rep.code !== 0) throw new Error(`bench/cli: report exited with ${rep.code}`);
    const j = JSON.parse(rep.stdout) as Report;
    if (j.totals.tensors !== tensors || j.totals.params !== params || j.totals.analysed !== tensors) {
      throw new Error(`bench/cli: report covers ${j.totals.tensors} tensors / ${j.totals.params} params, expected ${tensors} / ${params}`);
    }
    const load1 = loadavg()[0];

    const fileMB = bytes / MB;
    const rows: Record<string, string | number | null>[] = [];
    const row = (name: string, c: Child, inner: number | null) => {
      const sec = inner ?? c.wallSec;
      rows.push({
        run: name,
        'wall s (incl. start-up)': c.wallSec,
        'work s': inner,
        'MiB/s (work)': inner === null ? null : fileMB / sec,
        'M weights/s (work)': inner === null ? null : params / sec / 1e6,
        'peak RSS MiB': c.rssMB,
        'peak RSS / file size': c.rssMB / fileMB,
      });
    };
    row('start-up only (`--version`)', idle, null);
    row('plain streaming read (baseline)', read, r0.seconds);
    row(`report ${extra.join(' ') || '(all measures)'}`, rep, j.seconds);
    printTable(title, rows, [
      `$ npx ${args.join(' ')}`,
      `file ${fileMB.toFixed(0)} MiB (${bytes} bytes), ${tensors} tensors, ${(params / 1e6).toFixed(1)} M weights; generated in ${genSec.toFixed(1)} s`,
      `report / plain read: ${(j.seconds / r0.seconds).toFixed(0)}× the time, RSS ${(rep.rssMB - idle.rssMB).toFixed(0)} MiB above start-up ` +
        `(read: ${(read.rssMB - idle.rssMB).toFixed(0)} MiB); load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`,
      `report totals: QuBD ${j.totals.qubdBits.toExponential(4)} bits, ratio ${j.totals.ratioTotal?.toFixed(1)} %, suggested ${j.totals.suggestedBits} bits`,
    ]);
    if (rep.rssMB > RSS_LIMIT_MB) throw new Error(`bench/cli: report peak RSS ${rep.rssMB.toFixed(0)} MiB exceeds ${RSS_LIMIT_MB} MiB — memory is not bounded`);
  } finally {
    await rm(path, { force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === '--stream') await streamOnly(process.argv[3]);
  else await run();
}
