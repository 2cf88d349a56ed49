/**
 * CTM enumerator benchmark: tree nodes/s and simulated steps/s of the lazy enumerator, against
 * the same number of iterations of a plain typed-array loop (a minimal "Turing step": read a cell,
 * look up a transition, write, move) measured in the same run; plus lazy vs brute force on a
 * space small enough for both.
 */
import { enumerateCtm, enumerateCtmSubtree, splitCtmTasks } from '../src/ctm/enumerate.js';
import { bruteForceCtm } from '../src/ctm/enumerateBrute.js';

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
  console.log('\n## ctm — lazy Turing-machine enumerator');
  console.log('| workload | time (ms) | tree nodes/s | steps/s | plain-loop steps/s (same count) | enumerator / plain time |');
  console.log('|---|---|---|---|---|---|');
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
    console.log(`| ${name} | ${ms.toFixed(0)} | ${(c.nodes / (ms / 1000)).toExponential(2)} | ${(c.steps / (ms / 1000)).toExponential(2)} | ${(c.steps / (msPlain / 1000)).toExponential(2)} | ${(ms / msPlain).toFixed(2)}× |`);
  }
  const [, msLazy] = time(() => enumerateCtm({ dim: 1, states: 3, cutoff: 21 }));
  const [b, msBrute] = time(() => bruteForceCtm({ dim: 1, states: 3, cutoff: 21 }));
  console.log(`\n1-D (3,2), ${b.total.toLocaleString('en-US')} machines: lazy ${msLazy.toFixed(1)} ms vs brute force ${msBrute.toFixed(0)} ms (${(msBrute / msLazy).toFixed(0)}× faster)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
