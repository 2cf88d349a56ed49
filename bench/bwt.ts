/**
 * The bzip2 encoder's rotation sort (BWT) alone: the two-stage sort (bwt-sort.ts: radix + multikey
 * quicksort of the B* suffixes, branch-free induced sorting) against SA-IS (sais.ts, the
 * linear-time fallback, `forceSais`) on the same 900 kB level-9 blocks of the bzip2 bench
 * inputs (bench/bzip2-data.ts): float32 weights and English-like text.
 *
 * Each block is sorted by both, alternating, and every block's output must be identical. We
 * report CPU time (process.cpuUsage, which a loaded machine distorts less than wall time): the
 * sum over blocks of each block's best of BWT_BENCH_REPS rounds (default 3), and ns per byte.
 *
 * Run: `npx tsx bench/bwt.ts` (or `npm run bench -- bwt`); BWT_BENCH_MIB (default 8) sets the
 * input sizes.
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { bwtEncode, bwtWork } from '../src/compress/sais.js';
import { englishText, floatWeights } from './bzip2-data.js';
import { note, printTable } from './util.js';

const BLOCK = 899_981; // bzip2 -9's block size (nblockMAX)

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export async function run(): Promise<void> {
  const reps = Math.max(1, Number(process.env.BWT_BENCH_REPS ?? 3));
  const mib = Math.max(1, Number(process.env.BWT_BENCH_MIB ?? 8));
  note(`rounds: ${reps}, ${mib} MiB per input, 900 kB blocks; load average at start: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const rows: Record<string, number | string>[] = [];
  for (const [name, data] of [
    ['float32 N(0,0.02²)+rank 8', floatWeights(mib << 20)],
    ['English-like text', englishText(mib << 20)],
  ] as const) {
    const nb = Math.ceil(data.length / BLOCK);
    const bestFast = new Float64Array(nb).fill(Infinity);
    const bestSais = new Float64Array(nb).fill(Infinity);
    const wf = bwtWork();
    const ws = bwtWork();
    const a = new Uint8Array(BLOCK);
    const b = new Uint8Array(BLOCK);
    let same = true;
    for (let r = 0; r < reps; r++) {
      for (let k = 0; k < nb; k++) {
        const blk = data.subarray(k * BLOCK, Math.min(data.length, (k + 1) * BLOCK));
        const n = blk.length;
        let t = cpuMs();
        const p1 = bwtEncode(blk, n, a, wf);
        bestFast[k] = Math.min(bestFast[k], cpuMs() - t);
        t = cpuMs();
        const p2 = bwtEncode(blk, n, b, ws, true);
        bestSais[k] = Math.min(bestSais[k], cpuMs() - t);
        if (r === 0) same &&= p1 === p2 && Buffer.compare(a.subarray(0, n), b.subarray(0, n)) === 0;
      }
    }
    const f = bestFast.reduce((x, y) => x + y, 0);
    const s = bestSais.reduce((x, y) => x + y, 0);
    rows.push({
      input: name,
      'two-stage ms': Number(f.toFixed(0)),
      'two-stage ns/byte': Number(((f * 1e6) / data.length).toFixed(1)),
      'SA-IS ms (baseline)': Number(s.toFixed(0)),
      'SA-IS ns/byte': Number(((s * 1e6) / data.length).toFixed(1)),
      'speed-up': `${(s / f).toFixed(2)}×`,
      'identical output': same ? 'yes' : 'NO',
    });
    if (!same) throw new Error(`bwt bench: the two sorts disagree on ${name}`);
  }
  printTable('bzip2 BWT — two-stage rotation sort vs SA-IS (CPU time, 900 kB blocks)', rows, [
    `load average at end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`,
  ]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
