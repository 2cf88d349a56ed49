/**
 * CTM enumerator benchmark: tree nodes/s and simulated steps/s of the lazy enumerator, against
 * the same number of iterations of a plain typed-array loop (a minimal "Turing step": read a cell,
 * look up a transition, write, move) measured in the same run; plus lazy vs brute force on a
 * space small enough for both.
 */
import { enumerateCtm, enumerateCtmSubtree, splitCtmTasks } from '../src/ctm/enumerate.js';
import { bruteForceCtm } from '../src/ctm/enumerateBrute.js';
import { printTable } from './util.js';

/** A plain loop of `iters` minimal machine steps on a Uint8Array tape (the baseline). */
function plainSteps(iters: number): number {
  const tape = new Uint8Array(1024);
  const next = Int32Array.from([1, 2, 3, 0, 2, 1, 0, 3]);
  const write = Uint8Array.from([1, 0, 1, 1, 0, 0, 1, 0]);
  const move = Int32Array.from([1, -1, 1, 1, -1, 1, -1, 1]);
  let head = 512, st = 0, acc = 0;
  for (let i = 0; i < iters; i++) {
    const t = (st << 1) | tape[head];
    tape[head] = write[t];
    head = (head + move[t]) & 1023;
    st = next[t] & 3;
    acc += st;
  }
  return acc;
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

/** Prints the enumerator benchmark table. */
export async function run(): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  const space2 = { dim: 2 as const, states: 5, cutoff: 500, maxBox: 4 };
  const { tasks } = splitCtmTasks(space2, 4);
  const work: Array<[string, () => { nodes: number; steps: number }]> = [
    ['1-D (4,2) cutoff 107, whole space', () => enumerateCtm({ dim: 1, states: 4, cutoff: 107 })],
    ['2-D (4,2) box 4, whole space', () => enumerateCtm({ dim: 2, states: 4, cutoff: 500, maxBox: 4 })],
    ['2-D (5,2) box 4, tasks 0, 100, 2000 of 4360', () => {
      let nodes = 0, steps = 0;
      for (const id of [0, 100, 2000]) {
        const c = enumerateCtmSubtree(space2, tasks[id]);
        nodes += c.nodes;
        steps += c.steps;
      }
      return { nodes, steps };
    }],
  ];
  enumerateCtm({ dim: 1, states: 3, cutoff: 21 }); // warm-up
  for (const [name, f] of work) {
    const [c, ms] = time(f);
    const [, msPlain] = time(() => plainSteps(c.steps));
    rows.push({
      workload: name,
      'time ms': Math.round(ms),
      'tree nodes/s': c.nodes / (ms / 1000),
      'steps/s': c.steps / (ms / 1000),
      'plain-loop steps/s (same count, baseline)': c.steps / (msPlain / 1000),
      'enumerator / plain time': ms / msPlain,
    });
  }
  printTable('ctm — lazy Turing-machine enumerator vs a plain typed-array step loop (same step count, same run)', rows);
  const [, msLazy] = time(() => enumerateCtm({ dim: 1, states: 3, cutoff: 21 }));
  const [b, msBrute] = time(() => bruteForceCtm({ dim: 1, states: 3, cutoff: 21 }));
  printTable(`ctm — lazy vs brute-force enumeration, 1-D (3,2), ${b.total} machines`, [
    { method: 'brute force (baseline)', ms: msBrute, 'speed-up': 1 },
    { method: 'lazy', ms: msLazy, 'speed-up': msBrute / msLazy },
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
