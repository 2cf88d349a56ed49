/**
 * The bzip2 decoder's two speed-ups, each against the code path without it in the same run
 * (docs/bzip2-decode.md): the WebAssembly SIMD move-to-front kernel vs the JS chunked list, and
 * walking two blocks' inverse-BWT chains together vs one block at a time — plus `bzip2 -d` of
 * the same file. Inputs: `bzip2 -9` output of 16 MiB of float32 weights and 14 MiB of
 * English-like text (bench/bzip2-data.ts; BZIP2_BENCH_MIB scales the floats, text is 7/8 of
 * it). Rounds alternate all variants (BZIP2_BENCH_REPS, default 3); medians of wall and CPU
 * time. Every variant's output is compared with the input.
 *
 * Run: `npm run bench -- bzip2-decode`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compress, decompress } from '../src/compress/index.js';
import { setBzip2PairedWalk } from '../src/compress/bzip2-decode.js';
import { setBzip2WasmMode } from '../src/compress/bzip2-wasm.js';
import { englishText, floatWeights } from './bzip2-data.js';
import { note, printTable } from './util.js';

const median = (xs: number[]): number => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[(s.length - 1) >> 1];
};

const HAS_TIME = existsSync('/usr/bin/time');
const hasBzip2 = (): boolean => spawnSync('bzip2', ['--help'], { stdio: 'ignore' }).status === 0;

function timeBzip2d(file: string): { wall: number; cpu: number } {
  const devnull = openSync('/dev/null', 'w');
  try {
    const t0 = performance.now();
    const r = HAS_TIME
      ? spawnSync('/usr/bin/time', ['-f', '%U %S', 'bzip2', '-dc', file], { stdio: ['ignore', devnull, 'pipe'] })
      : spawnSync('bzip2', ['-dc', file], { stdio: ['ignore', devnull, 'pipe'] });
    const wall = performance.now() - t0;
    if (r.status !== 0) throw new Error(`bzip2 -dc failed: ${String(r.stderr)}`);
    const m = HAS_TIME ? /([\d.]+) ([\d.]+)\s*$/.exec(String(r.stderr)) : null;
    return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN };
  } finally {
    closeSync(devnull);
  }
}

interface Variant {
  name: string;
  wasm: 'auto' | 'off';
  paired: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'ours: wasm MTF + paired walk (default)', wasm: 'auto', paired: true },
  { name: 'ours: JS MTF + paired walk', wasm: 'off', paired: true },
  { name: 'ours: wasm MTF + one block at a time', wasm: 'auto', paired: false },
];

export async function run(): Promise<void> {
  const TITLE = 'bzip2 decoder — WebAssembly MTF kernel and paired inverse-BWT walk, each vs the path without it';
  const reps = Math.max(1, Number(process.env.BZIP2_BENCH_REPS ?? 3));
  const mib = Number(process.env.BZIP2_BENCH_MIB ?? 0) || 16;
  const sys = hasBzip2();
  note(`rounds: ${reps} (alternating all variants${sys ? ' and bzip2 -d' : ''}); load average at start: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ockham-bzip2d-'));
  const summary: Record<string, number | string>[] = [];
  try {
    const inputs = [
      { name: 'float32 N(0,0.02²)+rank 8', bytes: floatWeights(mib << 20) },
      { name: 'English-like text', bytes: englishText((mib * 7) << 17) },
    ];
    for (const { name, bytes } of inputs) {
      const file = path.join(dir, 'input');
      writeFileSync(file, bytes);
      const z = sys
        ? new Uint8Array(spawnSync('bzip2', ['-9c', file], { maxBuffer: 1 << 30 }).stdout)
        : compress(bytes, { codec: 'bzip2', level: 9 });
      writeFileSync(file + '.bz2', z);
      const wall: number[][] = VARIANTS.map(() => []);
      const cpu: number[][] = VARIANTS.map(() => []);
      const sysT: { wall: number; cpu: number }[] = [];
      let ok = true;
      try {
        for (let r = -1; r < reps; r++) {
          // Round −1 warms every variant up (not timed).
          for (let v = 0; v < VARIANTS.length; v++) {
            setBzip2WasmMode(VARIANTS[v].wasm);
            setBzip2PairedWalk(VARIANTS[v].paired);
            const c0 = process.cpuUsage();
            const t0 = performance.now();
            const d = decompress(z, { codec: 'bzip2' });
            const w = performance.now() - t0;
            const c = process.cpuUsage(c0);
            ok &&= d.length === bytes.length && Buffer.compare(d, bytes) === 0;
            if (r >= 0) {
              wall[v].push(w);
              cpu[v].push((c.user + c.system) / 1000);
            }
          }
          if (sys && r >= 0) sysT.push(timeBzip2d(file + '.bz2'));
        }
      } finally {
        setBzip2WasmMode('auto');
        setBzip2PairedWalk(true);
      }
      const w0 = median(wall[0]);
      const c0 = median(cpu[0]);
      const rows: Record<string, number | string | null>[] = VARIANTS.map((v, i) => ({
        run: v.name,
        'wall ms': median(wall[i]),
        'CPU ms': median(cpu[i]),
        'default is faster by (wall)': median(wall[i]) / w0,
        'default is faster by (CPU)': median(cpu[i]) / c0,
      }));
      if (sys) {
        const bw = median(sysT.map((t) => t.wall));
        const bc = median(sysT.map((t) => t.cpu));
        rows.push({ run: 'bzip2 -d (C)', 'wall ms': bw, 'CPU ms': Number.isNaN(bc) ? null : bc, 'default is faster by (wall)': bw / w0, 'default is faster by (CPU)': Number.isNaN(bc) ? null : bc / c0 });
      }
      printTable(`${name}, ${(bytes.length / 2 ** 20).toFixed(0)} MiB, decoding ${sys ? '`bzip2 -9`' : 'our level-9'} output — medians of ${reps} alternating rounds; "faster by" = variant time ÷ default time`, rows, [
        `all variants decode to the exact input: ${ok ? 'yes' : 'NO'}`,
      ]);
      summary.push({
        input: name,
        'wasm MTF vs JS MTF (CPU)': (median(cpu[1]) / c0).toFixed(2),
        'paired vs single walk (CPU)': (median(cpu[2]) / c0).toFixed(2),
        'vs bzip2 -d (CPU)': sys ? (median(sysT.map((t) => t.cpu)) / c0).toFixed(2) : '—',
      });
      if (!ok) throw new Error(`bzip2-decode bench: a variant decoded ${name} wrongly`);
    }
    printTable(`${TITLE}: summary (ratios > 1: the default is faster)`, summary, [`load average at end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
