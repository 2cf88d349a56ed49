/**
 * Brute-force oracle for the lazy enumerator: every complete machine of a tiny space is built
 * and simulated on a blank-0 tape, with no symmetry reduction and no non-halting filter. It is
 * deliberately simple and independent of `enumerateLazy.ts` so the two can check each other.
 */
import { OckhamError } from '../errors.js';
import { assertInt } from '../util/validate.js';

/** Exact output frequencies of a space, keyed `'RxC:bits'` (bits row-major, e.g. `'1x3:010'`). */
export interface BruteForceCounts {
  readonly total: number;
  readonly halting: number;
  /** Machines that halt with an output larger than `maxBox` (counted in `halting`, not in `outputs`). */
  readonly haltingLarger: number;
  readonly longest: number;
  readonly outputs: Map<string, number>;
}

/**
 * Simulates every machine of a tiny space (K^(2n) ≤ 2·10^7) and counts outputs.
 *
 * @param space - dim 1 or 2, states n, cutoff in steps, and `maxBox`: outputs wider or taller
 *   than this are only counted in `haltingLarger` (default: no limit).
 * @returns Counts per raw output over all machines (blank-0 tape).
 * @throws {@link OckhamError} `OUT_OF_RANGE` if the space has more than 2·10^7 machines.
 * @example
 * ```ts
 * import { bruteForceCtm } from 'ockham';
 * bruteForceCtm({ dim: 1, states: 2, cutoff: 6 }).halting; // 3044
 * ```
 */
export function bruteForceCtm(space: { dim: 1 | 2; states: number; cutoff: number; maxBox?: number }): BruteForceCounts {
  const dim = space.dim;
  const n = assertInt(space.states, 'space.states', 1, 5);
  const cut = assertInt(space.cutoff, 'space.cutoff', 1, 10000);
  const maxBox = space.maxBox ?? Infinity;
  const moves = dim === 1 ? [[1, 0], [-1, 0]] : [[1, 0], [0, 1], [-1, 0], [0, -1]];
  const K = 2 + 2 * moves.length * n;
  const T = 2 * n;
  const total = K ** T;
  if (total > 2e7) throw new OckhamError('OUT_OF_RANGE', 'space', `brute force is for spaces of at most 2e7 machines, got ${total}`);
  // Decoded options: option o → [write, dx, dy, next] with next = −1 for halt.
  const opts: number[][] = [[0, 0, 0, -1], [1, 0, 0, -1]];
  for (let q = 0; q < n; q++) {
    for (let m = 0; m < moves.length; m++) {
      for (let w = 0; w < 2; w++) opts.push([w, moves[m][0], moves[m][1], q]);
    }
  }
  const side = 2 * cut + 3;
  const grid = new Uint8Array(side * side);
  const digits = new Int32Array(T);
  const outputs = new Map<string, number>();
  let halting = 0, larger = 0, longest = 0;
  for (let mach = 0; mach < total; mach++) {
    let x = cut + 1, y = dim === 1 ? 0 : cut + 1, st = 0;
    let x0 = x, x1 = x, y0 = y, y1 = y;
    let halted = false, steps = 0;
    while (steps < cut) {
      const o = opts[digits[2 * st + grid[y * side + x]]];
      grid[y * side + x] = o[0];
      steps++;
      if (o[3] < 0) { halted = true; break; }
      x += o[1]; y += o[2]; st = o[3];
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
    if (halted) {
      halting++;
      longest = Math.max(longest, steps);
      if (x1 - x0 + 1 > maxBox || y1 - y0 + 1 > maxBox) {
        larger++;
      } else {
        let bits = '';
        for (let yy = y0; yy <= y1; yy++) for (let xx = x0; xx <= x1; xx++) bits += grid[yy * side + xx];
        const key = `${y1 - y0 + 1}x${x1 - x0 + 1}:${bits}`;
        outputs.set(key, (outputs.get(key) ?? 0) + 1);
      }
    }
    for (let yy = y0; yy <= y1; yy++) grid.fill(0, yy * side + x0, yy * side + x1 + 1);
    // Next machine: mixed-radix increment.
    for (let d = 0; d < T; d++) {
      if (++digits[d] < K) break;
      digits[d] = 0;
    }
  }
  return { total, halting, haltingLarger: larger, longest, outputs };
}
