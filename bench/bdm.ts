/**
 * BDM bench: 2-D BDM (4×4 blocks, boundary 'ignore') of random packed planes, in blocks/s, and
 * the ratio to a plain pass over the same plane's words measured in the same run. Also the
 * perturbation map, 1-D BDM, and (when ../shared is present) the load time of pybdm's 2-D table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BitPlane } from '../src/bitplanes/types.js';
import { bdmPerturbation, ctmBlockDecompose } from '../src/bdm/index.js';
import { buildCtmTable } from '../src/ctm/build.js';
import type { CtmEntry } from '../src/ctm/build.js';
import type { CtmTable } from '../src/ctm/types.js';
import { ctmTableFromTsv } from '../src/ctm/tsv.js';
import { fmt, note, printTable, timeMs } from './util.js';

function randomPlane(rows: number, cols: number, seed: number): BitPlane {
  const stride = (cols + 31) >>> 5;
  const data = new Uint32Array(rows * stride);
  let a = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    // xorshift32: deterministic random words
    a ^= a << 13;
    a ^= a >>> 17;
    a ^= a << 5;
    data[i] = a >>> 0;
  }
  return { rows, cols, stride, data };
}

/** A plain pass over the plane's words (xor-fold): the baseline. */
function plainWordPass(p: BitPlane): number {
  const d = p.data;
  let x = 0;
  for (let i = 0; i < d.length; i++) x ^= d[i];
  return x;
}

/** A table with every shape the bench uses; values do not affect speed. */
function syntheticTable(ndim: 1 | 2): CtmTable {
  const entries: CtmEntry[] = [];
  const shapes = ndim === 2 ? [[4, 4]] : [[1, 12]];
  for (const [r, c] of shapes) {
    for (let code = 0; code < 2 ** (r * c - 1); code++) entries.push({ rows: r, cols: c, code, ctm: 20 + ((code * 2654435761) >>> 0) / 2 ** 32 });
  }
  return buildCtmTable(ndim, entries, { source: 'bench synthetic' });
}

export async function run(): Promise<void> {
  const shared = path.resolve(process.cwd(), '../shared/reference/ctm/ctm-b2-d4x4.tsv');
  const rows: Record<string, string | number>[] = [];
  let t2: CtmTable;
  let tableNote: string;
  if (existsSync(shared)) {
    const text = readFileSync(shared, 'utf8');
    const t0 = performance.now();
    t2 = ctmTableFromTsv(text);
    const first = performance.now() - t0;
    const again = timeMs(() => ctmTableFromTsv(text), 5, 0);
    tableNote = `pybdm ctm-b2-d4x4 (first ctmTableFromTsv ${fmt(first, 1)} ms in this process, median ${fmt(again, 1)} ms)`;
  } else {
    t2 = syntheticTable(2);
    tableNote = 'synthetic 4x4 table (../shared absent)';
  }
  for (const n of [768, 4096]) {
    const plane = randomPlane(n, n, 12345 + n);
    const blocks = (n / 4) * (n / 4);
    const reps = n > 1000 ? 5 : 30;
    const base = timeMs(() => plainWordPass(plane), reps, 3);
    const bdm = timeMs(() => ctmBlockDecompose(plane, { table: t2 }), reps, 3);
    rows.push({
      task: `2-D BDM ${n}×${n} (4×4, ignore)`,
      'ms': fmt(bdm, 3),
      'blocks/s': (blocks / (bdm / 1000)).toExponential(3),
      'baseline ms (word pass)': fmt(base, 3),
      'ratio vs baseline': fmt(bdm / base, 1),
    });
  }
  {
    const plane = randomPlane(768, 768, 99);
    const base = timeMs(() => plainWordPass(plane), 30, 3);
    const pert = timeMs(() => bdmPerturbation(plane, { table: t2 }), 3, 1);
    rows.push({
      task: '2-D perturbation map 768×768 (all cells)',
      ms: fmt(pert, 2),
      'blocks/s': ((768 * 768) / (pert / 1000)).toExponential(3) + ' cells/s',
      'baseline ms (word pass)': fmt(base, 3),
      'ratio vs baseline': fmt(pert / base, 1),
    });
  }
  {
    const t1 = syntheticTable(1);
    const n = 12 * 2 ** 20;
    const plane = randomPlane(1, n, 7);
    const base = timeMs(() => plainWordPass(plane), 10, 2);
    const bdm = timeMs(() => ctmBlockDecompose(plane, { table: t1 }), 10, 2);
    rows.push({
      task: `1-D BDM ${n} bits (12, ignore)`,
      ms: fmt(bdm, 3),
      'blocks/s': (n / 12 / (bdm / 1000)).toExponential(3),
      'baseline ms (word pass)': fmt(base, 3),
      'ratio vs baseline': fmt(bdm / base, 1),
    });
  }
  printTable(`bdm — ${tableNote}`, rows);
  plainVsPybdm(existsSync(shared) ? t2 : undefined, existsSync(shared) ? 'pybdm ctm-b2-d4x4 from ../shared' : 'built-in table');
}

/** pybdm timing script: reads a 0/1 uint8 matrix from stdin, prints ms of BDM(ndim=2).bdm and its value. */
const PYBDM_SCRIPT = `
import sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from pybdm import BDM
rows, cols, reps = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
X = np.frombuffer(sys.stdin.buffer.read(), dtype=np.uint8).reshape(rows, cols).astype(int)
bdm = BDM(ndim=2)
bdm.bdm(X[:64, :64])
ts = []
for _ in range(reps):
    t = time.perf_counter(); v = bdm.bdm(X); ts.append(time.perf_counter() - t)
ts.sort(); print(ts[len(ts) // 2] * 1000, repr(float(v)))
`;

/**
 * Plain 2-D BDM of a 1024×1024 0/1 Uint8Array (ctmBlockDecompose: 4×4 blocks, 'ignore', the
 * published table when ../shared has it) against pybdm's BDM(ndim=2).bdm of the same matrix, run from a pybdm checkout
 * (PYBDM_PATH: a folder holding the `pybdm` package; pure Python + numpy) in a python3 child
 * process of this run. Skipped, with a message, when PYBDM_PATH is unset or unusable.
 */
function plainVsPybdm(table: CtmTable | undefined, tableName: string): void {
  const n = 1024;
  const x = new Uint8Array(n * n);
  let a = 2463534242;
  for (let i = 0; i < x.length; i++) {
    a ^= a << 13;
    a ^= a >>> 17;
    a ^= a << 5;
    x[i] = (a >>> 0) & 1;
  }
  const o = { shape: [n, n], ...(table ? { table } : {}) };
  const ours = timeMs(() => ctmBlockDecompose(x, o), 21, 5);
  const value = ctmBlockDecompose(x, o).bdm;
  const dir = process.env.PYBDM_PATH;
  note(`plain 2-D BDM, ${n}×${n} Uint8Array (4×4, ignore, ${tableName}): ockham ${fmt(ours, 3)} ms (median of 21), BDM ${value.toFixed(6)} bits`);
  if (!dir || !existsSync(path.join(dir, 'pybdm', '__init__.py'))) {
    note('  pybdm: skipped (set PYBDM_PATH to a folder holding the pybdm package, e.g. a checkout of github.com/sztal/pybdm)');
    return;
  }
  const r = spawnSync('python3', ['-c', PYBDM_SCRIPT, dir, String(n), String(n), '3'], { input: Buffer.from(x.buffer), encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) {
    note(`  pybdm: failed to run (${(r.stderr || '').trim().split('\n').pop()})`);
    return;
  }
  const [msText, valText] = r.stdout.trim().split(/\s+/);
  const pyMs = Number(msText);
  const pyVal = Number(valText);
  const same = Math.abs(pyVal - value) <= 1e-9 * Math.abs(value);
  note(
    `  pybdm ${fmt(pyMs, 1)} ms (median of 3, python3 child process, same matrix) → ockham is ${fmt(pyMs / ours, 0)}× pybdm (target ≥ 500×); ` +
      `values ${same ? 'equal to 1e-9 relative' : `differ (pybdm ${pyVal}${table ? '' : ": its table vs ockham's built-in one"})`}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
