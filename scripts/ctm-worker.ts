/**
 * Worker thread of scripts/ctm-build.ts: runs lazy-enumeration subtrees (tasks) and posts back
 * their sparse exact counters. Node-only.
 */
import { parentPort } from 'node:worker_threads';
import type { CtmSpaceOptions } from '../src/ctm/enumerate.js';
import { enumerateCtmSubtree } from '../src/ctm/enumerate.js';
import type { LazyCounts } from '../src/ctm/enumerateLazy.js';
import { newLazyCounts } from '../src/ctm/enumerateLazy.js';

/** A task message: the space, the task id and its forced choice path. */
interface TaskMsg {
  space: Required<CtmSpaceOptions>;
  id: number;
  prefix: number[];
}

let acc: LazyCounts | null = null;
let accKey = '';

parentPort!.on('message', (msg: TaskMsg | 'exit') => {
  if (msg === 'exit') {
    process.exit(0);
  }
  const s = msg.space;
  const key = JSON.stringify(s);
  if (!acc || key !== accKey) {
    acc = newLazyCounts(s.dim, s.states, s.cutoff, s.maxBox, s.maxRecord);
    accKey = key;
  } else {
    acc.halt.fill(0);
    acc.haltLarge.fill(0);
    acc.nonHalt.fill(0);
    acc.pruned.fill(0);
    acc.direct.fill(0);
    acc.longest = 0;
    acc.nodes = 0;
    acc.steps = 0;
  }
  const t0 = performance.now();
  enumerateCtmSubtree(s, msg.prefix, acc);
  const ms = performance.now() - t0;
  const halt: number[] = [];
  const h = acc.halt;
  for (let i = 0; i < h.length; i++) if (h[i] !== 0) halt.push(i, h[i]);
  parentPort!.postMessage({
    id: msg.id,
    ms,
    halt,
    haltLarge: Array.from(acc.haltLarge),
    nonHalt: Array.from(acc.nonHalt),
    pruned: Array.from(acc.pruned),
    direct: Array.from(acc.direct),
    longest: acc.longest,
    nodes: acc.nodes,
    steps: acc.steps,
  });
});
