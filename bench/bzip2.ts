/**
 * bzip2 at scale: ockham's bzip2 encoder/decoder against the system `bzip2` in the same run,
 * on 32 MiB of float32 weights and 28 MiB of English-like text (bench/bzip2-data.ts).
 *
 * For each input, rounds alternate ours and the system tool (so load from other processes
 * hits both alike); we report the median wall time and, where `/usr/bin/time` exists, the
 * median CPU time (user + system) of both — the CPU ratio is the one a loaded machine
 * distorts least. `bzip2` writes to /dev/null, ours to memory.
 * - encode: `compress(x, { codec: 'bzip2', level: 9 })` (one thread) vs `bzip2 -9`, and
 *   `compressAsync(…, { jobs })` (worker threads + main thread, wall time only, labelled
 *   "parallel"), the three interleaved in every round;
 * - size: ours vs `bzip2 -9` (Δ %), and `bzip2 -d` must give back the input;
 * - decode: `decompress(bzip2 -9 output)` vs `bzip2 -d` of the same file.
 *
 * Run: `npx tsx bench/bzip2.ts` (or `npm run bench -- bzip2`). BZIP2_BENCH_REPS (default 3)
 * sets the rounds; BZIP2_BENCH_MIB scales both inputs down (e.g. 8) for a quick look.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compress, compressAsync, decompress } from '../src/compress/index.js';
import { englishText, floatWeights } from './bzip2-data.js';
import { note, printTable } from './util.js';

interface Timing {
  wall: number;
  cpu: number; // NaN when unknown
}

const median = (xs: number[]): number => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[(s.length - 1) >> 1];
};

function timeOurs(fn: () => unknown): Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

const HAS_TIME = existsSync('/usr/bin/time');

/** Runs `bzip2 args` with stdout to /dev/null; CPU time from /usr/bin/time when present. */
function timeBzip2(args: string[]): Timing {
  const devnull = openSync('/dev/null', 'w');
  try {
    const t0 = performance.now();
    const r = HAS_TIME
      ? spawnSync('/usr/bin/time', ['-f', '%U %S', 'bzip2', ...args], { stdio: ['ignore', devnull, 'pipe'] })
      : spawnSync('bzip2', args, { stdio: ['ignore', devnull, 'pipe'] });
    const wall = performance.now() - t0;
    if (r.status !== 0) throw new Error(`bzip2 ${args.join(' ')} failed: ${String(r.stderr)}`);
    let cpu = NaN;
    if (HAS_TIME) {
      const m = /([\d.]+) ([\d.]+)\s*$/.exec(String(r.stderr));
      if (m) cpu = (Number(m[1]) + Number(m[2])) * 1000;
    }
    return { wall, cpu };
  } finally {
    closeSync(devnull);
  }
}

function hasBzip2(): boolean {
  return spawnSync('bzip2', ['--help'], { stdio: 'ignore' }).status === 0;
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0;
const f2 = (x: number): string => (Number.isNaN(x) ? '—' : x.toFixed(2));

export async function run(): Promise<void> {
  const TITLE = 'bzip2 — ockham vs system bzip2 at scale (32 MiB float32 weights, 28 MiB text)';
  if (!hasBzip2()) {
    note(`${TITLE}: system \`bzip2\` not found, skipped`);
    return;
  }
  const reps = Math.max(1, Number(process.env.BZIP2_BENCH_REPS ?? 3));
  const mib = Number(process.env.BZIP2_BENCH_MIB ?? 0);
  const jobs = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  note(
    `rounds: ${reps} (alternating ours / bzip2); load average at start: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; ` +
      `CPU time ${HAS_TIME ? 'from /usr/bin/time' : 'unavailable (no /usr/bin/time)'}; parallel jobs: ${jobs}`,
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ockham-bzip2-'));
  try {
    const inputs = [
      { name: 'float32 N(0,0.02²)+rank 8', bytes: floatWeights((mib > 0 ? mib : 32) << 20) },
      { name: 'English-like text', bytes: englishText(mib > 0 ? (mib * 7) << 17 : 28 << 20) },
    ];
    const rows: Record<string, number | string>[] = [];
    for (const { name, bytes } of inputs) {
      const file = path.join(dir, 'input');
      writeFileSync(file, bytes);
      const ref = new Uint8Array(spawnSync('bzip2', ['-9c', file], { maxBuffer: 1 << 30 }).stdout);
      writeFileSync(file + '.bz2', ref);
      // Encode: rounds of ours (one thread), bzip2 -9, ours (parallel blocks), so load from
      // other processes hits all three alike.
      let ours = compress(bytes, { codec: 'bzip2', level: 9 }); // warm-up
      let parOk = equal(await compressAsync(bytes, { codec: 'bzip2', level: 9, jobs }), ours); // starts the workers
      const encO: Timing[] = [];
      const encB: Timing[] = [];
      const par: number[] = [];
      for (let r = 0; r < reps; r++) {
        encO.push(timeOurs(() => (ours = compress(bytes, { codec: 'bzip2', level: 9 }))));
        encB.push(timeBzip2(['-9c', file]));
        const t0 = performance.now();
        const z = await compressAsync(bytes, { codec: 'bzip2', level: 9, jobs });
        par.push(performance.now() - t0);
        parOk &&= equal(z, ours);
      }
      // bzip2 -d must decode ours.
      writeFileSync(file + '.ours.bz2', ours);
      const back = new Uint8Array(spawnSync('bzip2', ['-dc', file + '.ours.bz2'], { maxBuffer: 1 << 30 }).stdout);
      const sysOk = equal(back, bytes);
      // Decode bzip2's own stream, alternating.
      const decO: Timing[] = [];
      const decB: Timing[] = [];
      let decOk = equal(decompress(ref, { codec: 'bzip2' }), bytes); // warm-up + check
      for (let r = 0; r < reps; r++) {
        let d: Uint8Array = new Uint8Array(0);
        decO.push(timeOurs(() => (d = decompress(ref, { codec: 'bzip2' }))));
        decOk &&= equal(d, bytes);
        decB.push(timeBzip2(['-dc', file + '.bz2']));
      }
      const mb = bytes.length / 2 ** 20;
      const eoW = median(encO.map((t) => t.wall));
      const ebW = median(encB.map((t) => t.wall));
      const eoC = median(encO.map((t) => t.cpu));
      const ebC = median(encB.map((t) => t.cpu));
      const pW = median(par);
      const doW = median(decO.map((t) => t.wall));
      const dbW = median(decB.map((t) => t.wall));
      const doC = median(decO.map((t) => t.cpu));
      const dbC = median(decB.map((t) => t.cpu));
      const d = (x: number): number | null => (Number.isNaN(x) ? null : x);
      printTable(
        `${name}, ${mb.toFixed(0)} MiB — ms, median of ${reps} alternating rounds; ratio = bzip2 time / ours (≥ 1 = faster than C)`,
        [
          { run: 'encode, wall', 'ours ms': eoW, 'bzip2 -9 ms (baseline)': ebW, ratio: ebW / eoW },
          { run: 'encode, CPU', 'ours ms': d(eoC), 'bzip2 -9 ms (baseline)': d(ebC), ratio: d(ebC / eoC) },
          { run: `encode, parallel (wall; ${jobs} worker threads vs single-threaded bzip2)`, 'ours ms': pW, 'bzip2 -9 ms (baseline)': ebW, ratio: ebW / pW },
          { run: 'decode, wall', 'ours ms': doW, 'bzip2 -9 ms (baseline)': dbW, ratio: dbW / doW },
          { run: 'decode, CPU', 'ours ms': d(doC), 'bzip2 -9 ms (baseline)': d(dbC), ratio: d(dbC / doC) },
        ],
        [
          `size: ours ${ours.length} B, bzip2 -9 ${ref.length} B, Δ ${((ours.length / ref.length - 1) * 100).toFixed(3)}%; ` +
            `bzip2 -d decodes ours: ${sysOk ? 'yes' : 'NO'}; parallel output identical: ${parOk ? 'yes' : 'NO'}; ` +
            `ours decodes bzip2 -9: ${decOk ? 'yes' : 'NO'}`,
        ],
      );
      rows.push({
        input: name,
        'encode wall ratio': f2(ebW / eoW),
        'encode CPU ratio': f2(ebC / eoC),
        'parallel wall ratio': f2(ebW / pW),
        'size Δ %': ((ours.length / ref.length - 1) * 100).toFixed(3),
        'decode wall ratio': f2(dbW / doW),
        'decode CPU ratio': f2(dbC / doC),
      });
      if (!sysOk || !parOk || !decOk) throw new Error(`bzip2 bench: a correctness check failed on ${name}`);
    }
    printTable(`${TITLE}: summary (ratios = bzip2 time ÷ ours)`, rows, [`load average at end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
