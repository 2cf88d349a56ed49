/**
 * Scoring of block counts: BDM, block entropy and pybdm's normalisation bounds.
 */
import type { CtmShapeTable, CtmTable } from '../ctm/types.js';
import { shapeKey } from '../ctm/types.js';
import { OckhamError } from '../errors.js';
import type { BdmResult, BlockCounts, ShapeCounts } from './types.js';

/** Looks up the table of each counted shape, throwing if one is absent. */
export function tablesFor(counts: BlockCounts, table: CtmTable, name = 'table'): CtmShapeTable[] {
  if (typeof table !== 'object' || table === null || !(table.shapes instanceof Map)) {
    throw new OckhamError('INVALID_ARGUMENT', name, 'expected a CtmTable (e.g. from ctmTableFromTsv)');
  }
  if (table.ndim !== counts.ndim) {
    throw new OckhamError('SHAPE_MISMATCH', name, `the table is ${table.ndim}-D but the counts are ${counts.ndim}-D`);
  }
  return counts.shapes.map((s) => {
    const key = shapeKey(counts.ndim, s.rows, s.cols);
    const t = table.shapes.get(key);
    if (!t) {
      throw new OckhamError('OUT_OF_RANGE', name, `block shape ${key} is not in the table; it has ${[...table.shapes.keys()].join(', ')}`);
    }
    return t;
  });
}

// log2 of small multiplicities, looked up instead of computed: most blocks of a noisy plane occur
// once or a few times, and Math.log2 per distinct block would dominate the scoring pass.
const LOG2_SMALL = new Float64Array(4096);
for (let i = 1; i < LOG2_SMALL.length; i++) LOG2_SMALL[i] = Math.log2(i);

/** BDM of counts given their shape tables (kernel: no validation). */
export function scoreCounts(shapes: readonly ShapeCounts[], tables: readonly CtmShapeTable[]): BdmResult {
  let ctm = 0;
  let multiplicity = 0;
  let blocks = 0;
  let distinct = 0;
  let missing = 0;
  for (let s = 0; s < shapes.length; s++) {
    const { counts, codes } = shapes[s];
    const { values, missing: miss } = tables[s];
    const nd = shapes[s].distinct;
    for (let i = 0; i < nd; i++) {
      const code = codes[i];
      const n = counts[code];
      ctm += values[code];
      multiplicity += n < 4096 ? LOG2_SMALL[n] : Math.log2(n);
      missing += miss[code];
    }
    distinct += nd;
    blocks += shapes[s].total;
  }
  return { bdm: ctm + multiplicity, ctm, multiplicity, blocks, distinct, missing };
}

/** −Σ p log2 p over distinct raw blocks of all shapes, p = multiplicity / blocks (bits). */
export function entropyOfCounts(shapes: readonly ShapeCounts[]): number {
  let total = 0;
  for (const s of shapes) total += s.total;
  if (total === 0) return 0;
  let h = 0;
  for (const { counts, codes, distinct } of shapes) {
    for (let i = 0; i < distinct; i++) {
      const p = counts[codes[i]] / total;
      h -= p * Math.log2(p);
    }
  }
  return h;
}

// Present raw-block CTM values of a shape, sorted highest first (pybdm's order for the bounds).
const sortedCache = new WeakMap<CtmShapeTable, Float64Array>();

function sortedPresent(t: CtmShapeTable): Float64Array {
  let s = sortedCache.get(t);
  if (!s) {
    let n = 0;
    for (let c = 0; c < t.values.length; c++) if (!t.missing[c]) n++;
    s = new Float64Array(n);
    for (let c = 0, k = 0; c < t.values.length; c++) if (!t.missing[c]) s[k++] = t.values[c];
    s.sort();
    s.reverse();
    sortedCache.set(t, s);
  }
  return s;
}

/**
 * pybdm's lower bound of BDM: per shape, min CTM + log2(n) (a constant input), summed over shapes.
 */
export function minBdm(shapes: readonly ShapeCounts[], tables: readonly CtmShapeTable[]): number {
  let v = 0;
  for (let s = 0; s < shapes.length; s++) {
    if (shapes[s].total > 0) v += tables[s].min + Math.log2(shapes[s].total);
  }
  return v;
}

/**
 * pybdm's upper bound of BDM: per shape, the n blocks are given to the table's raw blocks sorted
 * by CTM (highest first), cycling when n exceeds their number N; BDM of that assignment is
 * Σ_{i<min(n,N)} CTM_i + Σ log2(count_i), where count_i is ⌈n/N⌉ for the first n mod N blocks
 * and ⌊n/N⌋ for the rest. Only blocks present in the table take part (as in pybdm's cycle).
 */
export function maxBdm(shapes: readonly ShapeCounts[], tables: readonly CtmShapeTable[]): number {
  let v = 0;
  for (let s = 0; s < shapes.length; s++) {
    const n = shapes[s].total;
    if (n === 0) continue;
    const sorted = sortedPresent(tables[s]);
    const N = sorted.length;
    const q = Math.floor(n / N);
    const r = n - q * N;
    const m = Math.min(n, N);
    for (let i = 0; i < m; i++) v += sorted[i];
    if (q > 0) v += r * Math.log2(q + 1) + (N - r) * Math.log2(q);
  }
  return v;
}

/**
 * Upper bound of block entropy: the entropy of the cyclic assignment of {@link maxBdm} (blocks of
 * different shapes are distinct). For one shape this is log2(min(n, N)) whenever n ≤ N or N | n.
 */
export function maxEntropy(shapes: readonly ShapeCounts[], tables: readonly CtmShapeTable[]): number {
  let total = 0;
  for (const s of shapes) total += s.total;
  if (total === 0) return 0;
  let h = 0;
  for (let s = 0; s < shapes.length; s++) {
    const n = shapes[s].total;
    if (n === 0) continue;
    const N = sortedPresent(tables[s]).length;
    const q = Math.floor(n / N);
    const r = n - q * N;
    if (q === 0) {
      const p = 1 / total;
      h -= n * p * Math.log2(p);
    } else {
      const p1 = (q + 1) / total;
      const p0 = q / total;
      if (r > 0) h -= r * p1 * Math.log2(p1);
      h -= (N - r) * p0 * Math.log2(p0);
    }
  }
  return h;
}

/**
 * Lower bound of block entropy: every shape's blocks all alike (a constant input), i.e. the
 * entropy of the distribution of blocks over shapes; 0 for a single shape (pybdm's value).
 */
export function minEntropy(shapes: readonly ShapeCounts[]): number {
  let total = 0;
  for (const s of shapes) total += s.total;
  let h = 0;
  for (const s of shapes) {
    if (s.total === 0 || s.total === total) continue;
    const p = s.total / total;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * BDM of block counts with a CTM table: Σ over distinct raw blocks of CTM(block) + log2(count).
 *
 * K_BDM(X) = Σ_i [CTM(b_i) + log2 n_i] (Zenil et al. 2018, Entropy 20:605, eq. 3), where b_i are
 * the distinct raw blocks (a block and its complement are distinct; both use their canonical
 * key's value) and n_i their multiplicities. A block absent from the table scores the shape's
 * maximum + 1 bit and is reported in `missing`.
 *
 * @param counts - From {@link blockCounts} or {@link mergeBlockCounts}.
 * @param table - A CTM table of the same dimensionality holding every counted block shape.
 * @returns BDM in bits with its parts and block statistics.
 * @throws {OckhamError} `SHAPE_MISMATCH` if the table's ndim differs, `OUT_OF_RANGE` naming a
 *   block shape the table lacks.
 * @example
 * ```ts
 * import { bdmFromCounts, blockCounts, ctm2d } from 'ockham';
 * bdmFromCounts(blockCounts(new Uint8Array(16), { shape: [4, 4] }), ctm2d).bdm;
 * // 22.011831897114998 with the built-in table (22.006706292292176 with pybdm's)
 * ```
 */
export function bdmFromCounts(counts: BlockCounts, table: CtmTable): BdmResult {
  if (typeof counts !== 'object' || counts === null || !Array.isArray(counts.shapes)) {
    throw new OckhamError('INVALID_ARGUMENT', 'counts', 'expected BlockCounts (from blockCounts)');
  }
  return scoreCounts(counts.shapes, tablesFor(counts, table));
}
