/**
 * Compression bench: our bzip2 vs the system `bzip2 -9` (size file by file, encode speed in
 * the same run), and 'arith' vs bzip2 on quantized weights and bit-planes.
 * Run alone: `npx tsx bench/compress.ts` (or `npm run bench -- compress`).
 */
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { compress, decompress } from '../src/compress/index.js';
import { weightCorpus } from '../test/compress/corpus.js';
import { note, printTable, type Cell } from './util.js';

function hasBzip2(): boolean {
  try {
    execFileSync('bzip2', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function best(reps: number, fn: () => void): number {
  let t = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    t = Math.min(t, performance.now() - t0);
  }
  return t;
}


export async function run(): Promise<void> {
  const sys = hasBzip2();
  const files = weightCorpus(500000, 1);
  if (!sys) note('(system `bzip2` not found: its columns are null)');
  const sizes: Record<string, Cell>[] = [];
  for (const f of files) {
    const ours = compress(f.bytes, { codec: 'bzip2', level: 9 });
    const ref = sys ? execFileSync('bzip2', ['-9c'], { input: f.bytes, maxBuffer: 1 << 28 }).length : NaN;
    const defl = compress(f.bytes, { codec: 'deflate', level: 9 }).length;
    const ar = compress(f.bytes, { codec: 'arith' });
    // Every reported size is of a stream we just proved decodable.
    const back = decompress(ar, { codec: 'arith' });
    if (back.length !== f.bytes.length || back.some((x, i) => x !== f.bytes[i])) throw new Error(`arith round trip failed on ${f.name}`);
    const back2 = decompress(ours, { codec: 'bzip2' });
    if (back2.length !== f.bytes.length || back2.some((x, i) => x !== f.bytes[i])) throw new Error(`bzip2 round trip failed on ${f.name}`);
    sizes.push({
      file: f.name,
      bytes: f.bytes.length,
      'ours bzip2 -9': ours.length,
      'system bzip2 -9 (baseline)': sys ? ref : null,
      'Δ size %': sys ? (ours.length / ref - 1) * 100 : null,
      'deflate -9': defl,
      arith: ar.length,
      'arith / ours bzip2': ar.length / ours.length,
    });
  }

  printTable('compress — bzip2 (ours) vs system bzip2 -9, deflate -9, arith: sizes in bytes (every stream decoded back)', sizes);
  // Encode speed on the two largest-signal files: raw float32 and text, best of 3 after warm-up.
  const spawn = sys ? best(3, () => execFileSync('bzip2', ['-9c'], { input: new Uint8Array(0) })) : NaN;
  const speed: Record<string, Cell>[] = [];
  for (const f of [files[0], files[1], files[4]]) {
    compress(f.bytes, { codec: 'bzip2', level: 9 }); // warm-up (JIT)
    const tOurs = best(3, () => compress(f.bytes, { codec: 'bzip2', level: 9 }));
    const tSys = sys ? best(3, () => execFileSync('bzip2', ['-9c'], { input: f.bytes, maxBuffer: 1 << 28 })) : NaN;
    const mb = f.bytes.length / 1e6;
    const tSysNet = Math.max(tSys - spawn, 1e-3);
    speed.push({
      file: f.name,
      'ours MB/s': mb / (tOurs / 1000),
      'system bzip2 MB/s (baseline)': sys ? mb / (tSys / 1000) : null,
      'ours / bzip2 speed': sys ? tSys / tOurs : null,
      'ours / bzip2 excl. spawn': sys ? tSysNet / tOurs : null,
    });
  }
  printTable(
    'compress — bzip2 -9 encode speed (best of 3; system bzip2 timed as a child process incl. spawn + pipes)',
    speed,
    sys ? [`bzip2 spawn overhead on empty input: ${spawn.toFixed(1)} ms; "excl. spawn" subtracts it.`] : [],
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
