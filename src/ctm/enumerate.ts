/**
 * Exact output-frequency counts of small Turing-machine spaces, from the lazy enumerator
 * (`enumerateLazy.ts`): task splitting, exact (BigInt) merging, symmetrisation and CTM values.
 *
 * Spaces (Soler-Toscano et al. 2014, PLoS ONE 9:e96223; Zenil et al. 2015, PeerJ CS 1:e23):
 * n states + halt, 2 symbols, K = 2 + 2·M·n choices per transition (M = 2 moves in 1-D, 4 in 2-D),
 * K^(2n) machines. D(s) = (c0(s) + c0(s̄)) / (2·H0), CTM(s) = −log2 D(s).
 */
import { OckhamError } from '../errors.js';
import { assertInt, assertKnownOptions, assertOneOf } from '../util/validate.js';
import type { CtmEntry } from './build.js';
import type { LazyCounts } from './enumerateLazy.js';
import {
  choicesPerTransition,
  newLazyCounts,
  outputCount,
  runLazy,
  shapeOffsets2d,
} from './enumerateLazy.js';

/** The machine space and limits of an enumeration. */
export interface CtmSpaceOptions {
  /** 1 (tape) or 2 (grid, moves R/D/L/U). */
  readonly dim: 1 | 2;
  /** Number of non-halting states n (1..5). */
  readonly states: number;
  /** Runtime cutoff in steps (a halt at step `cutoff` counts, at `cutoff + 1` does not). */
  readonly cutoff: number;
  /** 2-D only: prune a branch once its visited box exceeds maxBox cells in a direction (0 = never). */
  readonly maxBox?: number;
  /** Largest output recorded per output: 1-D length (default 12), 2-D side (default 4). */
  readonly maxRecord?: number;
}

interface Space {
  dim: 1 | 2;
  states: number;
  cutoff: number;
  maxBox: number;
  maxRecord: number;
}

function checkSpace(options: CtmSpaceOptions): Space {
  if (typeof options !== 'object' || options === null) {
    throw new OckhamError('INVALID_ARGUMENT', 'options', 'expected an options object');
  }
  assertKnownOptions(options, 'options', ['dim', 'states', 'cutoff', 'maxBox', 'maxRecord']);
  const dim = Number(assertOneOf(String(options.dim), 'options.dim', ['1', '2'])) as 1 | 2;
  const states = assertInt(options.states, 'options.states', 1, 5);
  const cutoff = assertInt(options.cutoff, 'options.cutoff', 1, 100000);
  const maxBox = dim === 2 ? assertInt(options.maxBox ?? 0, 'options.maxBox', 0, 64) : 0;
  if (dim === 1 && options.maxBox !== undefined && options.maxBox !== 0) {
    throw new OckhamError('INVALID_ARGUMENT', 'options.maxBox', 'box pruning applies to dim 2 only');
  }
  const maxRecord = assertInt(options.maxRecord ?? (dim === 1 ? 12 : 4), 'options.maxRecord', 1, dim === 1 ? 20 : 4);
  return { dim, states, cutoff, maxBox, maxRecord };
}

/**
 * Exact merged raw counters of a (partial) enumeration: per counter slot, the sum of leaf
 * multiplicities. Slots are (output index, u) with u undefined transitions at the leaf; the
 * machine weight of a slot is count · K^u. First move fixed to R: not yet symmetrised.
 */
export interface CtmRawTotals extends Space {
  readonly slots: number;
  /** Sparse halting counters: slot index (output index · slots + u) → multiplicity sum. */
  readonly halt: Map<number, bigint>;
  readonly haltLarge: bigint[];
  readonly nonHalt: bigint[];
  readonly pruned: bigint[];
  readonly direct: bigint[];
  longest: number;
  nodes: number;
  steps: number;
}

/**
 * Creates empty raw totals for a space.
 *
 * @param options - The space.
 * @returns Zeroed BigInt totals.
 * @throws {@link OckhamError} on an invalid space.
 * @example
 * ```ts
 * import { newRawTotals } from 'ockham';
 * const t = newRawTotals({ dim: 1, states: 2, cutoff: 6 });
 * ```
 */
export function newRawTotals(options: CtmSpaceOptions): CtmRawTotals {
  const s = checkSpace(options);
  const slots = 2 * s.states;
  const z = (): bigint[] => Array.from({ length: slots }, () => 0n);
  return {
    ...s, slots, halt: new Map(), haltLarge: z(), nonHalt: z(), pruned: z(), direct: [0n, 0n],
    longest: 0, nodes: 0, steps: 0,
  };
}

/**
 * Adds the counters of one lazy run (exact integers held in doubles) into BigInt totals.
 *
 * @param into - Totals of the same space (modified).
 * @param part - Counters from {@link enumerateCtmSubtree} or {@link splitCtmTasks}.
 * @returns Nothing.
 * @throws {@link OckhamError} `OUT_OF_RANGE` if a counter is not a safe integer (exactness lost).
 * @example
 * ```ts
 * import { addLazyCounts, enumerateCtmSubtree, newRawTotals } from 'ockham';
 * const t = newRawTotals({ dim: 1, states: 2, cutoff: 6 });
 * addLazyCounts(t, enumerateCtmSubtree({ dim: 1, states: 2, cutoff: 6 }, []));
 * ```
 */
export function addLazyCounts(into: CtmRawTotals, part: LazyCounts): void {
  const h = part.halt;
  for (let i = 0; i < h.length; i++) {
    const v = h[i];
    if (v !== 0) {
      if (!Number.isSafeInteger(v)) throw new OckhamError('OUT_OF_RANGE', 'part', `counter ${i} = ${v} lost exactness`);
      into.halt.set(i, (into.halt.get(i) ?? 0n) + BigInt(v));
    }
  }
  const add = (dst: bigint[], src: Float64Array): void => {
    for (let u = 0; u < src.length; u++) {
      if (!Number.isSafeInteger(src[u])) throw new OckhamError('OUT_OF_RANGE', 'part', `counter ${src[u]} lost exactness`);
      dst[u] += BigInt(src[u]);
    }
  };
  add(into.haltLarge, part.haltLarge);
  add(into.nonHalt, part.nonHalt);
  add(into.pruned, part.pruned);
  add(into.direct, part.direct);
  if (part.longest > into.longest) into.longest = part.longest;
  into.nodes += part.nodes;
  into.steps += part.steps;
}

/**
 * Adds one set of raw totals into another (same space), exactly.
 *
 * @param into - Modified.
 * @param part - Added.
 * @returns Nothing.
 * @example
 * ```ts
 * import { addLazyCounts, enumerateCtmSubtree, finalizeCtmCounts, mergeRawTotals, newRawTotals, splitCtmTasks } from 'ockham';
 * // Totals of parts (e.g. computed by workers, one task each) merged into one.
 * const space = { dim: 1 as const, states: 2, cutoff: 6 };
 * const { tasks, root } = splitCtmTasks(space, 2);
 * const all = newRawTotals(space);
 * addLazyCounts(all, root);
 * for (const task of tasks) {
 *   const part = newRawTotals(space);
 *   addLazyCounts(part, enumerateCtmSubtree(space, task));
 *   mergeRawTotals(all, part);
 * }
 * finalizeCtmCounts(all).halting; // 3044n, as the one-piece enumeration
 * ```
 */
export function mergeRawTotals(into: CtmRawTotals, part: CtmRawTotals): void {
  for (const [k, v] of part.halt) into.halt.set(k, (into.halt.get(k) ?? 0n) + v);
  for (let u = 0; u < into.slots; u++) {
    into.haltLarge[u] += part.haltLarge[u];
    into.nonHalt[u] += part.nonHalt[u];
    into.pruned[u] += part.pruned[u];
  }
  into.direct[0] += part.direct[0];
  into.direct[1] += part.direct[1];
  if (part.longest > into.longest) into.longest = part.longest;
  into.nodes += part.nodes;
  into.steps += part.steps;
}

/**
 * JSON form of raw totals (BigInts as decimal strings), for checkpoints.
 *
 * @param t - Totals.
 * @returns A plain JSON-safe object; {@link rawTotalsFromJson} inverts it.
 * @remarks Usage (internal: not exported from 'ockham'):
 * ```ts
 * const text = JSON.stringify(rawTotalsToJson(t));
 * ```
 */
export function rawTotalsToJson(t: CtmRawTotals): Record<string, unknown> {
  const s = (a: bigint[]): string[] => a.map((x) => x.toString());
  return {
    dim: t.dim, states: t.states, cutoff: t.cutoff, maxBox: t.maxBox, maxRecord: t.maxRecord, slots: t.slots,
    halt: [...t.halt].map(([k, v]) => [k, v.toString()]),
    haltLarge: s(t.haltLarge), nonHalt: s(t.nonHalt), pruned: s(t.pruned), direct: s(t.direct),
    longest: t.longest, nodes: t.nodes, steps: t.steps,
  };
}

/**
 * Parses {@link rawTotalsToJson} output.
 *
 * @param j - The parsed JSON object.
 * @returns Totals.
 * @throws {@link OckhamError} if the recorded space is invalid.
 * @remarks Usage (internal: not exported from 'ockham'):
 * ```ts
 * const t = rawTotalsFromJson(JSON.parse(text));
 * ```
 */
export function rawTotalsFromJson(j: Record<string, unknown>): CtmRawTotals {
  const t = newRawTotals({ dim: j.dim as 1 | 2, states: j.states as number, cutoff: j.cutoff as number, maxBox: j.maxBox as number, maxRecord: j.maxRecord as number });
  for (const [k, v] of j.halt as [number, string][]) t.halt.set(k, BigInt(v));
  const r = (dst: bigint[], src: unknown): void => {
    (src as string[]).forEach((x, i) => { dst[i] = BigInt(x); });
  };
  r(t.haltLarge, j.haltLarge);
  r(t.nonHalt, j.nonHalt);
  r(t.pruned, j.pruned);
  r(t.direct, j.direct);
  t.longest = j.longest as number;
  t.nodes = j.nodes as number;
  t.steps = j.steps as number;
  return t;
}

/**
 * Splits the enumeration tree at branch depth `depth` into independent subtrees (tasks).
 *
 * @param options - The space.
 * @param depth - Branch depth to cut at (1..2n); 3–4 gives 10^3–10^4 tasks for n = 5.
 * @returns `tasks`: the forced choice path of each subtree; `root`: the counters of the leaves
 *   above the cut (they belong to no task). Every complete machine is in exactly one of them.
 * @throws {@link OckhamError} on an invalid space or depth.
 * @example
 * ```ts
 * import { splitCtmTasks } from 'ockham';
 * const { tasks, root } = splitCtmTasks({ dim: 1, states: 2, cutoff: 6 }, 2);
 * ```
 */
export function splitCtmTasks(options: CtmSpaceOptions, depth: number): { tasks: Int32Array[]; root: LazyCounts } {
  const s = checkSpace(options);
  assertInt(depth, 'depth', 1, 2 * s.states);
  const root = newLazyCounts(s.dim, s.states, s.cutoff, s.maxBox, s.maxRecord);
  const tasks: Int32Array[] = [];
  runLazy(root, null, depth, (p) => tasks.push(p));
  return { tasks, root };
}

/**
 * Runs the lazy enumeration of one subtree (or, with an empty prefix, of the whole space).
 *
 * @param options - The space.
 * @param prefix - Choice path from {@link splitCtmTasks} (empty = whole tree).
 * @param into - Optional counters to add to (reused across tasks to avoid allocation).
 * @returns The raw counters (doubles holding exact integers).
 * @throws {@link OckhamError} on an invalid space.
 * @example
 * ```ts
 * import { enumerateCtmSubtree } from 'ockham';
 * const c = enumerateCtmSubtree({ dim: 1, states: 2, cutoff: 6 }, []);
 * ```
 */
export function enumerateCtmSubtree(options: CtmSpaceOptions, prefix: ArrayLike<number>, into?: LazyCounts): LazyCounts {
  const s = checkSpace(options);
  const acc = into ?? newLazyCounts(s.dim, s.states, s.cutoff, s.maxBox, s.maxRecord);
  runLazy(acc, prefix.length > 0 ? prefix : null, -1, null);
  return acc;
}

/** Final exact counts of a space (symmetrised), with the weight check. */
export interface CtmCounts extends Space {
  /** Choices per transition K; the space has K^(2n) machines. */
  readonly choices: number;
  /** K^(2n). */
  readonly total: bigint;
  /** All machines halting on a blank-0 tape within the cutoff (H0), large outputs included. Pruned runs: halting with output up to the box only. */
  readonly halting: bigint;
  /** Halting machines whose output is larger than maxRecord (not in `c0`). */
  readonly haltingLarge: bigint;
  readonly nonHalting: bigint;
  /** Machines pruned because their visited box exceeded maxBox (2-D). */
  readonly pruned: bigint;
  /** halting + nonHalting + pruned === total. */
  readonly weightCheck: boolean;
  /** c0[i]: machines halting with raw output i (see `ctmOutputIndex` for the index). */
  readonly c0: BigUint64Array;
  readonly longest: number;
  readonly nodes: number;
  readonly steps: number;
}

function reverseBits(code: number, len: number): number {
  let r = 0;
  for (let i = 0; i < len; i++) r = (r << 1) | ((code >>> i) & 1);
  return r;
}

/**
 * Rotates an r×c row-major block code (first cell MSB) a quarter turn:
 * new[i][j] = old[r−1−j][i], giving a c×r block.
 *
 * @param code - Block code, 0 ≤ code < 2^(rows·cols) ≤ 2^16.
 * @param rows - r.
 * @param cols - c.
 * @returns The rotated code (shape cols×rows).
 * @remarks Usage (internal: not exported from 'ockham'):
 * ```ts
 * rotateCode(0b1000, 2, 2); // [[1,0],[0,0]] → [[0,1],[0,0]] = 0b0100 (clockwise)
 * ```
 */
export function rotateCode(code: number, rows: number, cols: number): number {
  const last = rows * cols - 1;
  let out = 0;
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < rows; j++) out = (out << 1) | ((code >>> (last - ((rows - 1 - j) * cols + i))) & 1);
  }
  return out;
}

/**
 * Lists the recorded outputs as [rows, cols, code] per output index (1-D: rows = 1).
 *
 * @param dim - 1 or 2.
 * @param maxRecord - Largest 1-D length / 2-D side recorded.
 * @returns One tuple per output index, in index order.
 * @remarks Usage (internal: not exported from 'ockham'):
 * ```ts
 * ctmOutputs(1, 2); // [[1,1,0],[1,1,1],[1,2,0],[1,2,1],[1,2,2],[1,2,3]]
 * ```
 */
export function ctmOutputs(dim: 1 | 2, maxRecord: number): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  if (dim === 1) {
    for (let len = 1; len <= maxRecord; len++) for (let c = 0; c < 2 ** len; c++) out.push([1, len, c]);
  } else {
    for (let r = 1; r <= maxRecord; r++) {
      for (let cc = 1; cc <= maxRecord; cc++) for (let c = 0; c < 2 ** (r * cc); c++) out.push([r, cc, c]);
    }
  }
  return out;
}

/**
 * Output index of a raw block (1-D: rows = 1, cols = length), as in {@link ctmOutputs}.
 *
 * @param dim - 1 or 2.
 * @param maxRecord - Largest 1-D length / 2-D side recorded.
 * @param rows - Block rows.
 * @param cols - Block cols.
 * @param code - Block code, first cell MSB.
 * @returns The index into {@link CtmCounts.c0}.
 * @remarks Usage (internal: not exported from 'ockham'):
 * ```ts
 * ctmOutputIndex(2, 4, 1, 1, 1); // 1
 * ```
 */
export function ctmOutputIndex(dim: 1 | 2, maxRecord: number, rows: number, cols: number, code: number): number {
  if (dim === 1) return 2 ** cols - 2 + code;
  let off = offsetCache.get(maxRecord);
  if (!off) {
    off = shapeOffsets2d(maxRecord);
    offsetCache.set(maxRecord, off);
  }
  return off[(rows - 1) * maxRecord + (cols - 1)] + code;
}

const offsetCache = new Map<number, Int32Array>();

/**
 * Symmetrises raw totals and forms exact machine counts (BigInt).
 *
 * @param raw - Merged raw totals covering the whole tree (root + every task).
 * @returns Exact counts per raw output and the space totals; `weightCheck` tells whether
 *   halting + non-halting + pruned = K^(2n).
 * Counts are held in a BigUint64Array: every space with n ≤ 5 has fewer than 2^64 machines.
 * @example
 * ```ts
 * import { newRawTotals, addLazyCounts, enumerateCtmSubtree, finalizeCtmCounts } from 'ockham';
 * const t = newRawTotals({ dim: 1, states: 2, cutoff: 6 });
 * addLazyCounts(t, enumerateCtmSubtree({ dim: 1, states: 2, cutoff: 6 }, []));
 * finalizeCtmCounts(t).halting; // 3044n
 * ```
 */
export function finalizeCtmCounts(raw: CtmRawTotals): CtmCounts {
  const K = choicesPerTransition(raw.dim, raw.states);
  const Kb = BigInt(K);
  const pow: bigint[] = [];
  for (let u = 0, p = 1n; u <= raw.slots; u++, p *= Kb) pow.push(p);
  const nOut = outputCount(raw.dim, raw.maxRecord);
  // Weights per output (first move R), sparse: only outputs some leaf produced.
  const R = new Map<number, bigint>();
  for (const [slot, v] of raw.halt) {
    const i = Math.floor(slot / raw.slots);
    R.set(i, (R.get(i) ?? 0n) + v * pow[slot % raw.slots]);
  }
  const outs = ctmOutputs(raw.dim, raw.maxRecord);
  const c0 = new BigUint64Array(nOut);
  const sym = raw.dim === 1 ? 2n : 4n;
  // Scatter each output's weight to its images under the symmetry group (reverse / quarter turns):
  // the mirrored / rotated machines produce the mirrored / rotated outputs.
  for (const [i, w] of R) {
    const [r, c, code] = outs[i];
    if (raw.dim === 1) {
      c0[i] += w;
      c0[ctmOutputIndex(1, raw.maxRecord, 1, c, reverseBits(code, c))] += w;
    } else {
      let rr = r, cc = c, k = code;
      for (let g = 0; g < 4; g++) {
        c0[ctmOutputIndex(2, raw.maxRecord, rr, cc, k)] += w;
        k = rotateCode(k, rr, cc);
        const t = rr; rr = cc; cc = t;
      }
    }
  }
  const d = pow[raw.slots - 1];
  c0[ctmOutputIndex(raw.dim, raw.maxRecord, 1, 1, 0)] += raw.direct[0] * d;
  c0[ctmOutputIndex(raw.dim, raw.maxRecord, 1, 1, 1)] += raw.direct[1] * d;
  let halting = 0n;
  for (let i = 0; i < nOut; i++) halting += c0[i];
  let haltingLarge = 0n, nonHalting = 0n, pruned = 0n;
  for (let u = 0; u < raw.slots; u++) {
    haltingLarge += sym * raw.haltLarge[u] * pow[u];
    nonHalting += sym * raw.nonHalt[u] * pow[u];
    pruned += sym * raw.pruned[u] * pow[u];
  }
  halting += haltingLarge;
  const total = pow[raw.slots];
  return {
    dim: raw.dim, states: raw.states, cutoff: raw.cutoff, maxBox: raw.maxBox, maxRecord: raw.maxRecord,
    choices: K, total, halting, haltingLarge, nonHalting, pruned,
    weightCheck: halting + nonHalting + pruned === total,
    c0, longest: raw.longest, nodes: raw.nodes, steps: raw.steps,
  };
}

/**
 * Enumerates a whole machine space in this thread (for small spaces; the build script splits
 * large ones over worker threads).
 *
 * @param options - The space: dim, states (1..5), cutoff (steps), maxBox (2-D pruning), maxRecord.
 * @returns Exact counts; e.g. 1-D n = 2 gives 3,044 halting of 10,000.
 * @throws {@link OckhamError} on an invalid space.
 * @example
 * ```ts
 * import { enumerateCtm } from 'ockham';
 * const c = enumerateCtm({ dim: 1, states: 3, cutoff: 21 });
 * c.halting; // 2147184n
 * ```
 */
export function enumerateCtm(options: CtmSpaceOptions): CtmCounts {
  const t = newRawTotals(options);
  addLazyCounts(t, enumerateCtmSubtree(options, []));
  return finalizeCtmCounts(t);
}

/**
 * Canonical CTM entries from exact counts: per canonical key s (first cell 0), the machines
 * producing s or its complement, and CTM(s) = −log2((c0(s) + c0(s̄)) / (2·H)).
 *
 * @param counts - Final counts.
 * @param normaliser - H: the halting count (default `counts.halting`, i.e. H0; give an estimate
 *   for pruned 2-D runs). Must be > 0.
 * @returns Entries for every canonical key some machine produces (absent keys are left out: the
 *   table's missing-block rule applies to them), with their integer counts.
 * @throws {@link OckhamError} `OUT_OF_RANGE` for a non-positive normaliser.
 * @example
 * ```ts
 * import { ctmEntriesFromCounts, enumerateCtm } from 'ockham';
 * const e = ctmEntriesFromCounts(enumerateCtm({ dim: 1, states: 2, cutoff: 6 }));
 * ```
 */
export function ctmEntriesFromCounts(counts: CtmCounts, normaliser?: number): Array<CtmEntry & { count: bigint }> {
  const H = normaliser ?? Number(counts.halting);
  if (!(H > 0) || !Number.isFinite(H)) throw new OckhamError('OUT_OF_RANGE', 'normaliser', 'must be a positive finite number');
  const outs = ctmOutputs(counts.dim, counts.maxRecord);
  const out: Array<CtmEntry & { count: bigint }> = [];
  const log2H2 = Math.log2(2 * H);
  for (let i = 0; i < outs.length; i++) {
    const [r, c, code] = outs[i];
    const cells = r * c;
    if (code >= 2 ** (cells - 1)) continue;
    const comp = 2 ** cells - 1 - code;
    const cnt = counts.c0[i] + counts.c0[ctmOutputIndex(counts.dim, counts.maxRecord, r, c, comp)];
    if (cnt === 0n) continue;
    out.push({ rows: r, cols: c, code, ctm: log2H2 - Math.log2(Number(cnt)), count: cnt });
  }
  return out;
}
