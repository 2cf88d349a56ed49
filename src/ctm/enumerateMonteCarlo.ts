/**
 * Seeded Monte Carlo estimate of the halting fraction of a Turing-machine space: uniform complete
 * machines (each transition uniform over its K definitions) are run on a blank-0 tape up to the
 * cutoff. Used for the normaliser H of a box-pruned 2-D run, which cannot see the halting machines
 * whose output is larger than the box (Zenil et al. 2015, PeerJ CS 1:e23, sampled (5,2) 2-D).
 */
import { assertInt } from '../util/validate.js';
import { createRng } from '../util/random.js';
import { choicesPerTransition } from './enumerateLazy.js';

/** Result of {@link monteCarloHalting}. */
export interface MonteCarloHalting {
  readonly samples: number;
  /** Sampled machines halting within the cutoff. */
  readonly halting: number;
  /** Of those, machines whose output is larger than `maxBox` in some direction (2-D) / longer than maxBox (1-D). */
  readonly haltingLarger: number;
}

/**
 * Samples `samples` uniform machines of the space and counts how many halt within the cutoff.
 *
 * Exact per machine: a machine is only declared non-halting after `cutoff` steps, or when no
 * halting transition is reachable from its current state (then it can never halt).
 *
 * @param space - dim (1 or 2), states n (1..5), cutoff (steps).
 * @param samples - Number of machines (≥ 1).
 * @param seed - Seed of the xoshiro128** stream (integer ≥ 0).
 * @param maxBox - Output side above which a halting machine is counted in `haltingLarger`.
 * @returns Counts; the halting fraction is halting / samples with standard error
 *   sqrt(p(1 − p)/samples).
 * @throws {@link OckhamError} `OUT_OF_RANGE` for invalid sizes.
 * @example
 * ```ts
 * import { monteCarloHalting } from 'ockham';
 * const r = monteCarloHalting({ dim: 1, states: 2, cutoff: 6 }, 100000, 1, 12);
 * r.halting / r.samples; // ≈ 0.3044
 * ```
 */
export function monteCarloHalting(
  space: { dim: 1 | 2; states: number; cutoff: number },
  samples: number,
  seed: number,
  maxBox: number,
): MonteCarloHalting {
  const dim = space.dim;
  const n = assertInt(space.states, 'space.states', 1, 5);
  const cut = assertInt(space.cutoff, 'space.cutoff', 1, 100000);
  assertInt(samples, 'samples', 1, 2 ** 40);
  assertInt(maxBox, 'maxBox', 1, 1 << 20);
  const rng = createRng(seed);
  const K = choicesPerTransition(dim, n);
  const M = dim === 1 ? 2 : 4;
  const T = 2 * n;
  const W = 2 * cut + 3;
  const ORG = dim === 1 ? cut + 1 : (cut + 1) * W + (cut + 1);
  const grid = new Uint8Array(dim === 1 ? W : W * W);
  const touched = new Int32Array(cut + 1);
  const DX = dim === 1 ? [1, -1] : [1, 0, -1, 0];
  const DY = dim === 1 ? [0, 0] : [0, 1, 0, -1];
  const tNext = new Int32Array(T);
  const tW = new Int32Array(T);
  const tDX = new Int32Array(T);
  const tDY = new Int32Array(T);
  const tDI = new Int32Array(T);
  const reach = new Uint8Array(n);
  let halting = 0;
  let larger = 0;
  for (let s = 0; s < samples; s++) {
    for (let t = 0; t < T; t++) {
      const code = rng.int(K);
      if (code < 2) {
        tNext[t] = -1;
        tW[t] = code;
      } else {
        const c = code - 2;
        tW[t] = c & 1;
        const m = (c >> 1) % M;
        tNext[t] = Math.floor(c / (2 * M));
        tDX[t] = DX[m];
        tDY[t] = DY[m];
        tDI[t] = DX[m] + DY[m] * W;
      }
    }
    // States that can reach a halting transition.
    for (let q = 0; q < n; q++) reach[q] = tNext[2 * q] < 0 || tNext[2 * q + 1] < 0 ? 1 : 0;
    for (let it = 0; it < n; it++) {
      for (let q = 0; q < n; q++) {
        if (!reach[q] && (reach[tNext[2 * q]] || reach[tNext[2 * q + 1]])) reach[q] = 1;
      }
    }
    let hd = ORG, st = 0, x = 0, y = 0, x0 = 0, x1 = 0, y0 = 0, y1 = 0, nt = 0;
    for (let sp = 0; sp < cut; sp++) {
      if (!reach[st]) break;
      const sym = grid[hd];
      const t = (st << 1) | sym;
      const w = tW[t];
      if (w !== sym) {
        grid[hd] = w;
        if (w === 1) touched[nt++] = hd;
      }
      const nx = tNext[t];
      if (nx < 0) {
        halting++;
        if (x1 - x0 >= maxBox || y1 - y0 >= maxBox) larger++;
        break;
      }
      hd += tDI[t];
      x += tDX[t];
      y += tDY[t];
      st = nx;
      if (x > x1) x1 = x;
      else if (x < x0) x0 = x;
      if (y > y1) y1 = y;
      else if (y < y0) y0 = y;
    }
    for (let i = 0; i < nt; i++) grid[touched[i]] = 0;
  }
  return { samples, halting, haltingLarger: larger };
}
