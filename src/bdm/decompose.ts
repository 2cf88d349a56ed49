/**
 * BDM of a binary input, block entropy and their pybdm normalisations.
 */
import type { BitPlane } from '../bitplanes/types.js';
import { countPlan, emptyShapeCounts } from './count.js';
import { makePlan, makePlanChecksOnly } from './plan.js';
import type { Plan } from './plan.js';
import { entropyOfCounts, maxBdm, maxEntropy, minBdm, minEntropy, scoreCounts } from './score.js';
import type { BdmOptions, BdmResult, ShapeCounts } from './types.js';
import { plainBdmWasm } from '../qubd/wasm-kernel.js';
import { trimArena } from '../util/wasm-arena.js';

let kernelPath = true;
/** Enables or disables the QuBD-kernel fast path of {@link ctmBlockDecompose} (tests compare both). Internal. */
export function setBdmKernelPath(on: boolean): void {
  kernelPath = on;
}

/**
 * The fast path of {@link ctmBlockDecompose}: a 2-D `Uint8Array` with 4×4 blocks and the
 * `'ignore'` partition goes straight to the QuBD block counter (WebAssembly SIMD: 16 cells to a
 * block code by one byte-mask instruction; no packing pass), the same blocks, counts and scores
 * as the general path. Returns null when it does not apply or WebAssembly SIMD is unavailable.
 */
function kernelDecompose(input: Uint8Array | BitPlane, options: BdmOptions): BdmResult | null {
  if (!kernelPath || !(input instanceof Uint8Array) || options === null || typeof options !== 'object') return null;
  const { shape, block, boundary } = options;
  if (!Array.isArray(shape) || shape.length !== 2 || (boundary !== undefined && boundary !== 'ignore')) return null;
  if (block !== undefined && block !== 4 && !(Array.isArray(block) && block.length === 2 && block[0] === 4 && block[1] === 4)) return null;
  const rows = shape[0];
  const cols = shape[1];
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 4 || cols < 4 || rows * cols !== input.length) return null;
  // Everything else (table, unknown options) is validated as on the general path; the 0/1
  // check runs in the kernel, and a non-binary input goes to the general path for its error.
  const plan = makePlanChecksOnly(input, options);
  const t = plan.table.shapes.get('4x4');
  if (!t) return null;
  const blocks = Math.floor(rows / 4) * Math.floor(cols / 4);
  // The general path lists the codes of a dense count (≥ 2^16 / 8 blocks) in ascending order.
  const r = plainBdmWasm(input, rows, cols, t.values, t.missing, blocks * 8 >= 65536);
  if (r === null || r === 'not-binary') return null;
  trimArena();
  return { bdm: r.bdm, ctm: r.ctm, multiplicity: r.multiplicity, blocks, distinct: r.distinct, missing: r.missing };
}

// Scratch counts reused across calls, one per cell count (≤ 16 cells: ≤ 256 KiB + 128 KiB each).
// After each use only the touched codes are reset, so a call costs O(blocks), not O(2^cells).
const scratch = new Map<number, ShapeCounts[]>();

function takeScratch(rows: number, cols: number, used: Map<number, number>): ShapeCounts {
  const cells = rows * cols;
  let pool = scratch.get(cells);
  if (!pool) {
    pool = [];
    scratch.set(cells, pool);
  }
  const k = used.get(cells) ?? 0;
  used.set(cells, k + 1);
  if (pool.length <= k) pool.push(emptyShapeCounts(rows, cols));
  const s = pool[k];
  return { rows, cols, counts: s.counts, codes: s.codes, distinct: 0, total: 0 };
}

function releaseScratch(shapes: ShapeCounts[]): void {
  for (const s of shapes) {
    const { counts, codes } = s;
    for (let i = 0; i < s.distinct; i++) counts[codes[i]] = 0;
    s.distinct = 0;
  }
}

/** Counts a plan into scratch arrays, hands them to `f`, then resets them. */
export function withPlanCounts<T>(plan: Plan, f: (shapes: ShapeCounts[]) => T): T {
  const used = new Map<number, number>();
  const shapes = plan.shapes.map((s) => takeScratch(s.rows, s.cols, used));
  try {
    countPlan(plan, shapes);
    return f(shapes);
  } finally {
    releaseScratch(shapes);
  }
}

/**
 * Block Decomposition Method: the algorithmic complexity of a binary 1-D or 2-D input in bits.
 *
 * K_BDM(X) = Σ_i [CTM(b_i) + log2 n_i] over the distinct raw blocks b_i of the partition, n_i
 * their multiplicities (Zenil et al. 2018, Entropy 20:605, eq. 3; pybdm `BDM.bdm`). Blocks are
 * looked up by their canonical key (complement if the first cell is 1) but counted raw, so a block
 * and its complement are two distinct blocks. A block whose key is absent from the table scores
 * the shape's maximum + 1 bit and is counted in `missing`. With no whole block (e.g. an input
 * smaller than the block under `'ignore'`) the result is 0 bits with `blocks: 0`, as pybdm.
 *
 * @param input - A `Uint8Array` of 0/1 values with `options.shape` ([n] or [rows, cols]), or a
 *   packed `BitPlane` (1-D: rows = 1). Not modified.
 * @param options - `table` (default: the built-in `ctm1d`/`ctm2d`), `block`, `boundary`, `minBlock`, `step`; see {@link BdmOptions}.
 * @returns `{ bdm, ctm, multiplicity, blocks, distinct, missing }`, values in bits.
 * @throws {OckhamError} `EMPTY` for an empty input, `NOT_BINARY` naming the first element not 0/1,
 *   `SHAPE_MISMATCH` for a shape/length or table/input dimensionality mismatch, `OUT_OF_RANGE`
 *   naming a block shape the table lacks, `UNKNOWN_OPTION`; `INVALID_ARGUMENT` for a `table` that is not a CtmTable.
 * @example
 * ```ts
 * import { ctmBlockDecompose } from 'ockham';
 * // Built-in 2-D table by default (pybdm's ctm-b2-d4x4, via ctmTableFromTsv, gives 24.006706292292176)
 * ctmBlockDecompose(new Uint8Array(64), { shape: [8, 8] }).bdm; // 24.011831897114998
 * ```
 */
export function ctmBlockDecompose(input: Uint8Array | BitPlane, options: BdmOptions): BdmResult {
  const fast = kernelDecompose(input, options);
  if (fast !== null) return fast;
  const plan = makePlan(input, options);
  return withPlanCounts(plan, (shapes) => scoreCounts(shapes, plan.shapes.map((s) => s.table)));
}

/**
 * Block entropy: −Σ p_i log2 p_i over the distinct raw blocks of the partition, p_i = n_i / n
 * (Shannon entropy of the block distribution; pybdm `BDM.ent`). Does not use CTM values, but the
 * table fixes the block shapes (and is validated as for BDM).
 *
 * @param input - As {@link ctmBlockDecompose}.
 * @param options - As {@link ctmBlockDecompose}.
 * @returns Entropy in bits per block (0 if there is no whole block).
 * @throws {OckhamError} As {@link ctmBlockDecompose}.
 * @example
 * ```ts
 * import { blockEntropy } from 'ockham';
 * blockEntropy(new Uint8Array(24).fill(1, 12), { shape: [24] }); // 12 zeros, 12 ones → 1
 * ```
 */
export function blockEntropy(input: Uint8Array | BitPlane, options: BdmOptions): number {
  const plan = makePlan(input, options);
  return withPlanCounts(plan, entropyOfCounts);
}

/**
 * Normalised BDM in [0, 1]: (BDM − min) / (max − min), with pybdm's bounds for the same number of
 * blocks per shape n: min = Σ_shapes [min CTM + log2 n] (a constant input); max = BDM of the n
 * blocks dealt to the table's raw blocks sorted by CTM, highest first, cycling when n exceeds
 * their number (pybdm `BDM.nbdm`). For the recursive partition the bounds use the shapes actually
 * counted (pybdm uses the first-level slice shapes).
 *
 * @param input - As {@link ctmBlockDecompose}.
 * @param options - As {@link ctmBlockDecompose}.
 * @returns A unitless ratio in [0, 1]; NaN when max = min (e.g. no block), as pybdm's 0/0.
 * @throws {OckhamError} As {@link ctmBlockDecompose}.
 * @example
 * ```ts
 * import { normalizedBdm } from 'ockham';
 * normalizedBdm(new Uint8Array(30).fill(1), { shape: [30] }); // 0
 * ```
 */
export function normalizedBdm(input: Uint8Array | BitPlane, options: BdmOptions): number {
  const plan = makePlan(input, options);
  const tables = plan.shapes.map((s) => s.table);
  return withPlanCounts(plan, (shapes) => {
    const v = scoreCounts(shapes, tables).bdm;
    const lo = minBdm(shapes, tables);
    const hi = maxBdm(shapes, tables);
    return (v - lo) / (hi - lo);
  });
}

/**
 * Normalised block entropy in [0, 1]: (H − min) / (max − min) (pybdm `BDM.nent`). With one block
 * shape, min = 0 and max is the entropy of n blocks dealt cyclically over the table's N raw
 * blocks, = log2(min(n, N)) when n ≤ N or N divides n. With several shapes (recursive partition)
 * min is the entropy of the blocks' distribution over shapes and max deals each shape's blocks
 * over its own raw blocks.
 *
 * @param input - As {@link ctmBlockDecompose}.
 * @param options - As {@link ctmBlockDecompose}.
 * @returns A unitless ratio in [0, 1]; NaN for a single block (max = min = 0), as pybdm.
 * @throws {OckhamError} As {@link ctmBlockDecompose}.
 * @example
 * ```ts
 * import { normalizedBlockEntropy } from 'ockham';
 * normalizedBlockEntropy(new Uint8Array(24).fill(1, 12), { shape: [24] }); // 1
 * ```
 */
export function normalizedBlockEntropy(input: Uint8Array | BitPlane, options: BdmOptions): number {
  const plan = makePlan(input, options);
  const tables = plan.shapes.map((s) => s.table);
  return withPlanCounts(plan, (shapes) => {
    const h = entropyOfCounts(shapes);
    const lo = minEntropy(shapes);
    const hi = maxEntropy(shapes, tables);
    return (h - lo) / (hi - lo);
  });
}
