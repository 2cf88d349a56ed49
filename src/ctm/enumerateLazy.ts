/**
 * The lazy ("tree normal form") Turing-machine enumerator behind ockham's CTM tables.
 *
 * A partially defined machine is run on a blank tape; the first time it needs a transition that
 * is still undefined, the run branches over every definition of that transition and each child
 * continues from the current configuration (restored from a per-depth snapshot). A leaf — a halt,
 * a proof of non-halting, the cutoff, or (2-D) a visited box wider than `maxBox` — stands for all
 * K^u complete machines that agree with it, u = transitions still undefined, K = choices per
 * transition. Leaves add their symmetry multiplicity to a counter slot indexed by (output, u), so
 * the hot loop only adds small integers to a Float64Array; the exact weight Σ count·K^u is formed
 * in BigInt afterwards (see `enumerate.ts`).
 *
 * Conventions (Soler-Toscano et al. 2014, PLoS ONE 9:e96223; Zenil et al. 2015, PeerJ CS 1:e23):
 * start in state 1 on a blank-0 tape; a halting transition writes and stops without moving; a
 * machine halts only if it halts within `cutoff` steps, the halting step included; output = the
 * visited cells (1-D) or their bounding box (2-D, rows from the top).
 *
 * Symmetry reductions: the first move is fixed to R (the mirror / the three rotations are added
 * when the counts are finalised); a next state never seen before is chosen once, with weight
 * (n − states seen). Exact non-halting filters (they never change a count, only the work):
 * - escapee (1-D): more than n consecutive steps into fresh cells ⇒ a state repeats at the frontier
 *   on blank tape ⇒ the run never ends;
 * - closed states: no undefined and no halting transition reachable from the current state through
 *   the defined transitions ⇒ never halts;
 * - Brent cycle detection on the configuration (tape, head, state), hashed with two 32-bit Zobrist
 *   words and confirmed by an exact comparison with the saved tape, so the filter stays exact.
 *
 * This is an internal kernel: it trusts its inputs (validated in `enumerate.ts`).
 */
import { createRng } from '../util/random.js';

/** Raw counters of a lazy enumeration (one task or a whole space), before symmetrisation. */
export interface LazyCounts {
  readonly dim: 1 | 2;
  readonly states: number;
  readonly cutoff: number;
  /** 2-D: prune a branch once its visited box exceeds maxBox in a direction (0 = never). */
  readonly maxBox: number;
  /** Largest recorded output: 1-D length ≤ maxRecord, 2-D rows, cols ≤ maxRecord. */
  readonly maxRecord: number;
  /** Counter slots per output = 2n (u = 0..2n−1 undefined transitions at the leaf). */
  readonly slots: number;
  /** halt[outputIndex·slots + u]: sum of leaf multiplicities (first move R, not symmetrised). */
  readonly halt: Float64Array;
  /** Halting leaves whose output is larger than maxRecord, per u. */
  readonly haltLarge: Float64Array;
  /** Non-halting leaves (cutoff or an exact filter), per u. */
  readonly nonHalt: Float64Array;
  /** Pruned leaves (2-D box wider than maxBox), per u. */
  readonly pruned: Float64Array;
  /** Machines halting at step 1 (first transition halts writing w = 0, 1): u = 2n − 1, no symmetry. */
  readonly direct: Float64Array;
  /** Longest halting run seen (steps, halting step included). */
  longest: number;
  /** Branch points (internal tree nodes) visited. */
  nodes: number;
  /** Transitions simulated (including the first step of each child). */
  steps: number;
}

/**
 * Index of a 1-D output in {@link LazyCounts.halt} (before multiplying by `slots`): lengths are
 * stored one after the other, 2^L codes each.
 *
 * @param length - Output length L ≥ 1 (cells).
 * @param code - Output code, first cell = MSB, 0 ≤ code < 2^L.
 * @returns 2^L − 2 + code.
 * @remarks Usage (internal: not exported from 'ockham'):
 * ```ts
 * outputIndex1d(2, 0b01); // 3
 * ```
 */
export function outputIndex1d(length: number, code: number): number {
  return 2 ** length - 2 + code;
}

/**
 * Offsets of each r×c shape (r, c ≤ maxRecord) in the 2-D output index, row-major over (r, c).
 *
 * @param maxRecord - Largest side recorded (1..4).
 * @returns off[(r−1)·maxRecord + (c−1)] = first index of shape r×c; the last entry is the total.
 * @remarks Usage (internal: not exported from 'ockham'):
 * ```ts
 * shapeOffsets2d(2); // [0, 2, 6, 10, 26]
 * ```
 */
export function shapeOffsets2d(maxRecord: number): Int32Array {
  const off = new Int32Array(maxRecord * maxRecord + 1);
  let acc = 0;
  for (let r = 1; r <= maxRecord; r++) {
    for (let c = 1; c <= maxRecord; c++) {
      off[(r - 1) * maxRecord + (c - 1)] = acc;
      acc += 2 ** (r * c);
    }
  }
  off[maxRecord * maxRecord] = acc;
  return off;
}

/**
 * Number of output indices for a dimension and record bound.
 *
 * @param dim - 1 or 2.
 * @param maxRecord - Largest 1-D length / 2-D side recorded.
 * @returns Σ over the recorded shapes of 2^cells.
 * @remarks Usage (internal: not exported from 'ockham'):
 * ```ts
 * outputCount(1, 12); // 8190
 * ```
 */
export function outputCount(dim: 1 | 2, maxRecord: number): number {
  if (dim === 1) return 2 ** (maxRecord + 1) - 2;
  return shapeOffsets2d(maxRecord)[maxRecord * maxRecord];
}

/**
 * Allocates zeroed counters for a space.
 *
 * @param dim - 1 or 2.
 * @param states - n (1..5).
 * @param cutoff - Steps (halting step included).
 * @param maxBox - 2-D pruning box side (0 = none).
 * @param maxRecord - Largest output recorded.
 * @returns Counters with `halt` of length outputCount·2n.
 * @remarks Usage (internal: not exported from 'ockham'):
 * ```ts
 * const acc = newLazyCounts(1, 2, 6, 0, 12);
 * runLazy(acc, null, -1, null);
 * ```
 */
export function newLazyCounts(dim: 1 | 2, states: number, cutoff: number, maxBox: number, maxRecord: number): LazyCounts {
  const slots = 2 * states;
  return {
    dim, states, cutoff, maxBox, maxRecord, slots,
    halt: new Float64Array(outputCount(dim, maxRecord) * slots),
    haltLarge: new Float64Array(slots),
    nonHalt: new Float64Array(slots),
    pruned: new Float64Array(slots),
    direct: new Float64Array(2),
    longest: 0, nodes: 0, steps: 0,
  };
}

/**
 * Choices per transition K: 2 halting + 2 symbols × moves × n states (Soler-Toscano et al. 2014).
 *
 * @param dim - 1 (moves L, R) or 2 (moves R, D, L, U).
 * @param states - n.
 * @returns K = 2 + 2·M·n; the space has K^(2n) machines.
 * @remarks Usage (internal: not exported from 'ockham'):
 * ```ts
 * choicesPerTransition(1, 5); // 22
 * ```
 */
export function choicesPerTransition(dim: 1 | 2, states: number): number {
  return 2 + 2 * (dim === 1 ? 2 : 4) * states;
}

const UNDEF = -2;
const HALT = -1;
// A definition code: 0/1 = halt writing w; else 2 + ((q·M + m)·2 + w) with M = 2 (1-D) or 4 (2-D).

/**
 * Runs the lazy enumeration into `acc`.
 *
 * @param acc - Counters (their dim/states/cutoff/maxBox/maxRecord define the space).
 * @param prefix - Forced definition codes for the first `prefix.length` branch points (a task).
 * @param splitDepth - If ≥ 0: at a branch point of this depth call `emit(path)` instead of
 *   exploring it (leaves met before are counted in `acc`). −1 = explore everything.
 * @param emit - Receives a copy of the choice path (length splitDepth) of each emitted subtree.
 * @returns Nothing; the counts are added to `acc` (exact integers held in doubles).
 * @remarks Usage (internal: not exported from 'ockham'):
 * ```ts
 * const acc = newLazyCounts(2, 2, 40, 0, 4);
 * runLazy(acc, null, -1, null); // whole (2,2) 2-D space
 * ```
 */
export function runLazy(
  acc: LazyCounts,
  prefix: ArrayLike<number> | null,
  splitDepth: number,
  emit: ((path: Int32Array) => void) | null,
): void {
  if (acc.dim === 1) runLazy1d(acc, prefix, splitDepth, emit);
  else runLazy2d(acc, prefix, splitDepth, emit);
}

/** Two independent seeded 32-bit Zobrist keys per cell (the hash of a tape is the XOR over its 1-cells). */
function fillZobrist(a: Int32Array, b: Int32Array): void {
  const rng = createRng(0x5eed);
  for (let i = 0; i < a.length; i++) {
    a[i] = rng.nextU32() | 0;
    b[i] = rng.nextU32() | 0;
  }
}

/**
 * Undo log: every write that changes a cell pushes the cell index; since a logged write is a
 * flip, a child is undone by flipping the logged cells back down to the branch point's height.
 * The same log confirms a Brent hash match: the configuration repeats iff every cell written
 * since the saved step was flipped an even number of times (and head and state agree).
 */
function cyclesBack(undo: Int32Array, from: number, to: number, par: Uint8Array): boolean {
  for (let i = from; i < to; i++) par[undo[i]] ^= 1;
  let same = true;
  for (let i = from; i < to; i++) {
    if (par[undo[i]] !== 0) same = false;
    par[undo[i]] = 0;
  }
  return same;
}

/** reach[s] = can state s reach an undefined or halting transition; closed = its negation. */
function computeClosed(n: number, tNext: Int32Array, reach: Uint8Array, closed: Uint8Array): void {
  for (let s = 0; s < n; s++) reach[s] = tNext[2 * s] < 0 || tNext[2 * s + 1] < 0 ? 1 : 0;
  for (let it = 0; it < n; it++) {
    let changed = false;
    for (let s = 0; s < n; s++) {
      if (reach[s] === 0 && (reach[tNext[2 * s]] === 1 || reach[tNext[2 * s + 1]] === 1)) {
        reach[s] = 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (let s = 0; s < n; s++) closed[s] = reach[s] ^ 1;
}

function runLazy1d(
  acc: LazyCounts,
  prefix: ArrayLike<number> | null,
  splitDepth: number,
  emit: ((path: Int32Array) => void) | null,
): void {
  const n = acc.states;
  const cut = acc.cutoff;
  const maxLen = acc.maxRecord;
  const slots = acc.slots;
  const T = 2 * n;
  const TW = 2 * cut + 5;
  const ORG = cut + 2;
  const haltC = acc.halt;
  const nonHalt = acc.nonHalt;
  const haltLarge = acc.haltLarge;
  const plen = prefix ? prefix.length : 0;

  const tape = new Uint8Array(TW);
  const par = new Uint8Array(TW);
  const undo = new Int32Array(cut + 2);
  const Z1 = new Int32Array(TW);
  const Z2 = new Int32Array(TW);
  fillZobrist(Z1, Z2);
  const tNext = new Int32Array(T).fill(UNDEF);
  const tW = new Int32Array(T);
  const tMove = new Int32Array(T);
  const closed = new Uint8Array(n);
  const closedSave = new Uint8Array(n * (T + 1)); // closed[] at each branch point's entry
  const reach = new Uint8Array(n);
  const path = new Int32Array(T + 1);

  // Current configuration (written back by run() before branching / on exit).
  let head = ORG, state = 0, step = 0, lo = ORG, hi = ORG, fresh = 0, h1 = 0, h2 = 0, ut = 0;
  let ns = 1; // states seen (0..ns−1)
  let nu = T; // undefined transitions
  // Brent: saved hash, head, state and undo height; power and counter.
  let bH1 = 0, bH2 = 0, bHead = -1, bState = -1, bTop = 0, bPow = 1, bLam = 0;
  let longest = acc.longest;
  let steps = 0;
  let nodes = 0;

  function recordHalt(l: number, h: number, u: number, mult: number): void {
    const len = h - l + 1;
    if (len <= maxLen) {
      let code = 0;
      for (let i = l; i <= h; i++) code = code * 2 + tape[i];
      haltC[(2 ** len - 2 + code) * slots + u] += mult;
    } else {
      haltLarge[u] += mult;
    }
  }

  function run(depth: number, mult: number): void {
    let hd = head, st = state, sp = step, l = lo, h = hi, fr = fresh, a = h1, b = h2, top = ut;
    let pw = bPow, lm = bLam;
    const sp0 = sp;
    for (;;) {
      if (sp === cut) {
        nonHalt[nu] += mult;
        break;
      }
      const sym = tape[hd];
      const t = (st << 1) | sym;
      const nx = tNext[t];
      if (nx === UNDEF) {
        head = hd; state = st; step = sp; lo = l; hi = h; fresh = fr; h1 = a; h2 = b; ut = top; bPow = pw; bLam = lm;
        steps += sp - sp0;
        branch(depth, t, mult);
        return;
      }
      const w = tW[t];
      if (w !== sym) {
        tape[hd] = w;
        a ^= Z1[hd];
        b ^= Z2[hd];
        undo[top++] = hd;
      }
      sp++;
      if (nx === HALT) {
        if (sp > longest) longest = sp;
        recordHalt(l, h, nu, mult);
        break;
      }
      hd += tMove[t];
      st = nx;
      if (hd > h) { h = hd; fr++; } else if (hd < l) { l = hd; fr++; } else fr = 0;
      if (fr > n || closed[st] === 1) {
        nonHalt[nu] += mult;
        break;
      }
      if (a === bH1 && b === bH2 && hd === bHead && st === bState && cyclesBack(undo, bTop, top, par)) {
        nonHalt[nu] += mult;
        break;
      }
      if (++lm === pw) {
        bH1 = a; bH2 = b; bHead = hd; bState = st; bTop = top;
        pw *= 2;
        lm = 0;
      }
    }
    head = hd; state = st; step = sp; lo = l; hi = h; fresh = fr; h1 = a; h2 = b; ut = top; bPow = pw; bLam = lm;
    steps += sp - sp0;
  }

  function branch(depth: number, t: number, mult: number): void {
    if (depth === splitDepth) {
      emit!(path.slice(0, depth));
      return;
    }
    nodes++;
    // Deeper branch points restore closed[] on exit, so it stays valid for this node's q.
    for (let s = 0; s < n; s++) closedSave[depth * n + s] = closed[s];
    const sLo = lo, sHi = hi, sHead = head, sState = state, sStep = step, sFresh = fresh, sH1 = h1, sH2 = h2, sNs = ns, sUt = ut;
    nu--;
    const forced = depth < plen ? prefix![depth] : -1;
    const kMax = 2 + 4 * Math.min(ns + 1, n);
    const sym = t & 1;
    let closedQ = -1; // q for which closed[] is current
    for (let code = 0; code < kMax; code++) {
      if (forced >= 0 && code !== forced) continue;
      let w: number, m = 0, q = 0;
      if (code < 2) {
        w = code;
      } else {
        const c = code - 2;
        w = c & 1;
        m = (c >> 1) & 1;
        q = c >> 2;
        if (depth === 0 && m !== 0) continue; // first move fixed to R
      }
      // Undo the previous child's writes; restore the scalars.
      while (ut > sUt) tape[undo[--ut]] ^= 1;
      lo = sLo; hi = sHi; head = sHead; state = sState; step = sStep; fresh = sFresh; h1 = sH1; h2 = sH2; ns = sNs;
      path[depth] = code;
      if (code < 2) {
        if (step + 1 > longest) longest = step + 1;
        if (depth === 0) {
          acc.direct[w] += 1;
        } else {
          tape[head] = w;
          recordHalt(lo, hi, nu, mult);
          tape[head] = sym;
        }
        continue;
      }
      const f = q === ns ? n - ns : 1;
      if (q === ns) ns++;
      tNext[t] = q;
      tW[t] = w;
      tMove[t] = m === 0 ? 1 : -1;
      // closed[] depends only on which transitions are defined and their next states.
      if (q !== closedQ) {
        computeClosed(n, tNext, reach, closed);
        closedQ = q;
      }
      if (w !== sym) {
        tape[head] = w;
        h1 ^= Z1[head];
        h2 ^= Z2[head];
        undo[ut++] = head;
      }
      step++;
      steps++;
      head += m === 0 ? 1 : -1;
      state = q;
      if (head > hi) { hi = head; fresh++; } else if (head < lo) { lo = head; fresh++; } else fresh = 0;
      if (fresh > n || closed[q] === 1) {
        nonHalt[nu] += mult * f;
      } else {
        bH1 = h1; bH2 = h2; bHead = head; bState = state; bTop = ut; bPow = 1; bLam = 0;
        run(depth + 1, mult * f);
      }
    }
    while (ut > sUt) tape[undo[--ut]] ^= 1;
    lo = sLo; hi = sHi; head = sHead; state = sState; step = sStep; fresh = sFresh; h1 = sH1; h2 = sH2;
    tNext[t] = UNDEF;
    for (let s = 0; s < n; s++) closed[s] = closedSave[depth * n + s];
    ns = sNs;
    nu++;
  }

  // Root: state 0 reading 0 at step 0 always needs the undefined transition 0.
  computeClosed(n, tNext, reach, closed);
  branch(0, 0, 1);
  acc.longest = longest;
  acc.steps += steps;
  acc.nodes += nodes;
}

function runLazy2d(
  acc: LazyCounts,
  prefix: ArrayLike<number> | null,
  splitDepth: number,
  emit: ((path: Int32Array) => void) | null,
): void {
  const n = acc.states;
  const cut = acc.cutoff;
  const B = acc.maxBox; // 0 = no pruning
  const RB = acc.maxRecord;
  const slots = acc.slots;
  const T = 2 * n;
  const R = B > 0 ? B : cut + 1; // the head never gets further than R from the origin
  const W = 2 * R + 3;
  const ORG = (R + 1) * W + (R + 1);
  const haltC = acc.halt;
  const nonHalt = acc.nonHalt;
  const haltLarge = acc.haltLarge;
  const pruned = acc.pruned;
  const off = shapeOffsets2d(RB);
  const plen = prefix ? prefix.length : 0;
  // Moves 0..3 = R, D, L, U (a quarter turn clockwise on screen maps each to the next).
  const DX = [1, 0, -1, 0];
  const DY = [0, 1, 0, -1];
  const DI = [1, W, -1, -W];

  const grid = new Uint8Array(W * W);
  const par = new Uint8Array(W * W);
  const undo = new Int32Array(cut + 2);
  const Z1 = new Int32Array(W * W);
  const Z2 = new Int32Array(W * W);
  fillZobrist(Z1, Z2);
  const tNext = new Int32Array(T).fill(UNDEF);
  const tW = new Int32Array(T);
  const tDI = new Int32Array(T);
  const tDX = new Int32Array(T);
  const tDY = new Int32Array(T);
  const closed = new Uint8Array(n);
  const closedSave = new Uint8Array(n * (T + 1)); // closed[] at each branch point's entry
  const reach = new Uint8Array(n);
  const path = new Int32Array(T + 1);

  // Configuration: head index, head x/y relative to the origin, box [x0,x1]×[y0,y1], undo height.
  let head = ORG, hx = 0, hy = 0, state = 0, step = 0, x0 = 0, x1 = 0, y0 = 0, y1 = 0, h1 = 0, h2 = 0, ut = 0;
  let ns = 1;
  let nu = T;
  let bH1 = 0, bH2 = 0, bHead = -1, bState = -1, bTop = 0, bPow = 1, bLam = 0;
  let longest = acc.longest;
  let steps = 0;
  let nodes = 0;

  function recordHalt(u: number, mult: number): void {
    const rows = y1 - y0 + 1, cols = x1 - x0 + 1;
    if (rows <= RB && cols <= RB) {
      let code = 0;
      for (let y = y0; y <= y1; y++) {
        const r = ORG + y * W;
        for (let x = x0; x <= x1; x++) code = code * 2 + grid[r + x];
      }
      haltC[(off[(rows - 1) * RB + cols - 1] + code) * slots + u] += mult;
    } else {
      haltLarge[u] += mult;
    }
  }

  function run(depth: number, mult: number): void {
    let hd = head, px = hx, py = hy, st = state, sp = step, a = h1, b = h2, top = ut;
    let lx = x0, rx = x1, ty = y0, by = y1;
    let pw = bPow, lm = bLam;
    const sp0 = sp;
    for (;;) {
      if (sp === cut) {
        nonHalt[nu] += mult;
        break;
      }
      const sym = grid[hd];
      const t = (st << 1) | sym;
      const nx = tNext[t];
      if (nx === UNDEF) {
        head = hd; hx = px; hy = py; state = st; step = sp; h1 = a; h2 = b; ut = top;
        x0 = lx; x1 = rx; y0 = ty; y1 = by; bPow = pw; bLam = lm;
        steps += sp - sp0;
        branch(depth, t, mult);
        return;
      }
      const w = tW[t];
      if (w !== sym) {
        grid[hd] = w;
        a ^= Z1[hd];
        b ^= Z2[hd];
        undo[top++] = hd;
      }
      sp++;
      if (nx === HALT) {
        if (sp > longest) longest = sp;
        x0 = lx; x1 = rx; y0 = ty; y1 = by;
        recordHalt(nu, mult);
        break;
      }
      hd += tDI[t];
      px += tDX[t];
      py += tDY[t];
      st = nx;
      if (px > rx) rx = px;
      else if (px < lx) lx = px;
      if (py > by) by = py;
      else if (py < ty) ty = py;
      if (B > 0 && (rx - lx >= B || by - ty >= B)) {
        pruned[nu] += mult;
        break;
      }
      if (closed[st] === 1) {
        nonHalt[nu] += mult;
        break;
      }
      if (a === bH1 && b === bH2 && hd === bHead && st === bState && cyclesBack(undo, bTop, top, par)) {
        nonHalt[nu] += mult;
        break;
      }
      if (++lm === pw) {
        bH1 = a; bH2 = b; bHead = hd; bState = st; bTop = top;
        pw *= 2;
        lm = 0;
      }
    }
    head = hd; hx = px; hy = py; state = st; step = sp; h1 = a; h2 = b; ut = top;
    x0 = lx; x1 = rx; y0 = ty; y1 = by; bPow = pw; bLam = lm;
    steps += sp - sp0;
  }

  function branch(depth: number, t: number, mult: number): void {
    if (depth === splitDepth) {
      emit!(path.slice(0, depth));
      return;
    }
    nodes++;
    for (let s = 0; s < n; s++) closedSave[depth * n + s] = closed[s];
    const sx0 = x0, sx1 = x1, sy0 = y0, sy1 = y1, sUt = ut;
    const sHead = head, sHx = hx, sHy = hy, sState = state, sStep = step, sH1 = h1, sH2 = h2, sNs = ns;
    nu--;
    const forced = depth < plen ? prefix![depth] : -1;
    const kMax = 2 + 8 * Math.min(ns + 1, n);
    const sym = t & 1;
    let closedQ = -1;
    for (let code = 0; code < kMax; code++) {
      if (forced >= 0 && code !== forced) continue;
      let w: number, m = 0, q = 0;
      if (code < 2) {
        w = code;
      } else {
        const c = code - 2;
        w = c & 1;
        m = (c >> 1) & 3;
        q = c >> 3;
        if (depth === 0 && m !== 0) continue;
      }
      if (code >= 2) {
        // Children that are leaves at once (box exceeded, or closed next state) are counted
        // without restoring the configuration: neither test looks at the grid.
        const f0 = q === sNs ? n - sNs : 1;
        if (B > 0) {
          const nx = sHx + DX[m], ny = sHy + DY[m];
          if ((nx > sx1 ? nx : sx1) - (nx < sx0 ? nx : sx0) >= B || (ny > sy1 ? ny : sy1) - (ny < sy0 ? ny : sy0) >= B) {
            pruned[nu] += mult * f0;
            steps++;
            continue;
          }
        }
        if (q !== closedQ) {
          tNext[t] = q;
          computeClosed(n, tNext, reach, closed);
          closedQ = q;
        }
        if (closed[q] === 1) {
          nonHalt[nu] += mult * f0;
          steps++;
          continue;
        }
      }
      while (ut > sUt) grid[undo[--ut]] ^= 1;
      x0 = sx0; x1 = sx1; y0 = sy0; y1 = sy1;
      head = sHead; hx = sHx; hy = sHy; state = sState; step = sStep; h1 = sH1; h2 = sH2; ns = sNs;
      path[depth] = code;
      if (code < 2) {
        if (step + 1 > longest) longest = step + 1;
        if (depth === 0) {
          acc.direct[w] += 1;
        } else {
          grid[head] = w;
          recordHalt(nu, mult);
          grid[head] = sym;
        }
        continue;
      }
      const f = q === ns ? n - ns : 1;
      if (q === ns) ns++;
      tNext[t] = q;
      tW[t] = w;
      tDI[t] = DI[m];
      tDX[t] = DX[m];
      tDY[t] = DY[m];
      if (q !== closedQ) {
        computeClosed(n, tNext, reach, closed);
        closedQ = q;
      }
      steps++;
      if (w !== sym) {
        grid[head] = w;
        h1 ^= Z1[head];
        h2 ^= Z2[head];
        undo[ut++] = head;
      }
      step++;
      head += DI[m];
      hx += DX[m];
      hy += DY[m];
      state = q;
      if (hx > x1) x1 = hx;
      else if (hx < x0) x0 = hx;
      if (hy > y1) y1 = hy;
      else if (hy < y0) y0 = hy;
      bH1 = h1; bH2 = h2; bHead = head; bState = state; bTop = ut; bPow = 1; bLam = 0;
      run(depth + 1, mult * f);
    }
    while (ut > sUt) grid[undo[--ut]] ^= 1;
    x0 = sx0; x1 = sx1; y0 = sy0; y1 = sy1;
    head = sHead; hx = sHx; hy = sHy; state = sState; step = sStep; h1 = sH1; h2 = sH2;
    tNext[t] = UNDEF;
    for (let s = 0; s < n; s++) closed[s] = closedSave[depth * n + s];
    ns = sNs;
    nu++;
  }

  computeClosed(n, tNext, reach, closed);
  branch(0, 0, 1);
  acc.longest = longest;
  acc.steps += steps;
  acc.nodes += nodes;
}
