/**
 * Block counting on packed planes: the hot path of BDM and QuBD. Blocks are read as integer
 * codes straight from the packed words (row-major, first cell = most significant bit) into a
 * flat count array, with a list of the codes seen so later sums visit only distinct blocks.
 */
import type { BitPlane } from '../bitplanes/types.js';
import { shapeKey } from '../ctm/types.js';
import { OckhamError } from '../errors.js';
import { makePlan } from './plan.js';
import type { Plan, Region } from './plan.js';
import type { BdmOptions, BlockCounts, ShapeCounts } from './types.js';

/** Fresh, zeroed counts for one block shape. */
export function emptyShapeCounts(rows: number, cols: number): ShapeCounts {
  const size = 2 ** (rows * cols);
  return { rows, cols, counts: new Uint32Array(size), codes: new Uint16Array(size), distinct: 0, total: 0 };
}

/**
 * The code of the bw-cell run starting at column c of the row at word offset `off`
 * (bw ≤ 16, so a run spans at most two words).
 */
export function runBits(data: Uint32Array, off: number, c: number, bw: number): number {
  const w = off + (c >>> 5);
  const sh = c & 31;
  if (sh + bw <= 32) return (data[w] >>> (32 - sh - bw)) & ((1 << bw) - 1);
  const hi = 32 - sh; // bits taken from the first word, 1..15 here
  const lo = bw - hi;
  return ((data[w] & ((1 << hi) - 1)) << lo) | (data[w + 1] >>> (32 - lo));
}

/** The code of the bh×bw block with top-left cell (r, c). */
export function blockCode(plane: BitPlane, r: number, c: number, bh: number, bw: number): number {
  const { data, stride } = plane;
  let code = 0;
  for (let k = 0; k < bh; k++) code = (code << bw) | runBits(data, (r + k) * stride, c, bw);
  return code;
}

/** Counts the 4×4 blocks of a region whose columns are 4-aligned: nibble extraction per row. */
function count4x4(plane: BitPlane, g: Region, sc: ShapeCounts): void {
  const { data, stride } = plane;
  const counts = sc.counts;
  const codes = sc.codes;
  let distinct = sc.distinct;
  const { r0, c0, nr, nc, sr } = g;
  for (let i = 0; i < nr; i++) {
    const o0 = (r0 + i * sr) * stride;
    const o1 = o0 + stride;
    const o2 = o1 + stride;
    const o3 = o2 + stride;
    let c = c0;
    let j = 0;
    while (j < nc) {
      const w = c >>> 5;
      // Blocks left in this word (up to 8 nibbles) — load the 4 row words once.
      let k = (32 - (c & 31)) >>> 2;
      if (k > nc - j) k = nc - j;
      const a = data[o0 + w];
      const b = data[o1 + w];
      const d = data[o2 + w];
      const e = data[o3 + w];
      let s = 28 - (c & 31);
      for (let t = 0; t < k; t++, s -= 4) {
        const code = (((a >>> s) & 15) << 12) | (((b >>> s) & 15) << 8) | (((d >>> s) & 15) << 4) | ((e >>> s) & 15);
        if (counts[code]++ === 0) codes[distinct++] = code;
      }
      j += k;
      c += k << 2;
    }
  }
  sc.total += nr * nc;
  sc.distinct = distinct;
}

/**
 * As {@link count4x4} without tracking distinct codes: for large inputs the branch and store per
 * block cost more than one scan of the count array afterwards (see {@link countPlan}).
 */
function count4x4Dense(plane: BitPlane, g: Region, counts: Uint32Array): void {
  const { data, stride } = plane;
  const { r0, c0, nr, nc, sr } = g;
  for (let i = 0; i < nr; i++) {
    const o0 = (r0 + i * sr) * stride;
    const o1 = o0 + stride;
    const o2 = o1 + stride;
    const o3 = o2 + stride;
    let c = c0;
    let j = 0;
    while (j < nc) {
      const w = c >>> 5;
      let k = (32 - (c & 31)) >>> 2;
      if (k > nc - j) k = nc - j;
      const a = data[o0 + w];
      const b = data[o1 + w];
      const d = data[o2 + w];
      const e = data[o3 + w];
      let s = 28 - (c & 31);
      for (let t = 0; t < k; t++, s -= 4) {
        counts[(((a >>> s) & 15) << 12) | (((b >>> s) & 15) << 8) | (((d >>> s) & 15) << 4) | ((e >>> s) & 15)]++;
      }
      j += k;
      c += k << 2;
    }
  }
}

/** As {@link countGeneral} without tracking distinct codes. */
function countGeneralDense(plane: BitPlane, g: Region, bh: number, bw: number, counts: Uint32Array): void {
  const { data, stride } = plane;
  const { r0, c0, nr, nc, sr } = g;
  const scol = g.sc;
  for (let i = 0; i < nr; i++) {
    const rowOff = (r0 + i * sr) * stride;
    for (let j = 0; j < nc; j++) {
      const c = c0 + j * scol;
      let code = 0;
      for (let k = 0, off = rowOff; k < bh; k++, off += stride) code = (code << bw) | runBits(data, off, c, bw);
      counts[code]++;
    }
  }
}

/** Counts the blocks of any region (any shape ≤ 16 cells, any steps). */
function countGeneral(plane: BitPlane, g: Region, sc: ShapeCounts): void {
  const { data, stride } = plane;
  const counts = sc.counts;
  const codes = sc.codes;
  const bh = sc.rows;
  const bw = sc.cols;
  let distinct = sc.distinct;
  const { r0, c0, nr, nc, sr } = g;
  const scol = g.sc;
  for (let i = 0; i < nr; i++) {
    const rowOff = (r0 + i * sr) * stride;
    for (let j = 0; j < nc; j++) {
      const c = c0 + j * scol;
      let code = 0;
      for (let k = 0, off = rowOff; k < bh; k++, off += stride) code = (code << bw) | runBits(data, off, c, bw);
      if (counts[code]++ === 0) codes[distinct++] = code;
    }
  }
  sc.total += nr * nc;
  sc.distinct = distinct;
}

/**
 * Counts every region of a plan into `out` (one ShapeCounts per plan shape, same order; each
 * must start empty). A shape with at least 2^cells / 8 planned blocks is counted without
 * tracking distinct codes and its code list is rebuilt by one scan of the count array; smaller
 * ones track codes as they go, so their cost stays O(blocks).
 */
export function countPlan(plan: Plan, out: ShapeCounts[]): void {
  const planned = new Float64Array(out.length);
  for (const g of plan.regions) planned[g.si] += g.nr * g.nc;
  for (const g of plan.regions) {
    const sc = out[g.si];
    const aligned4x4 = sc.rows === 4 && sc.cols === 4 && g.sc === 4 && (g.c0 & 3) === 0;
    if (planned[g.si] * 8 >= sc.counts.length) {
      if (aligned4x4) count4x4Dense(plan.plane, g, sc.counts);
      else countGeneralDense(plan.plane, g, sc.rows, sc.cols, sc.counts);
      sc.total += g.nr * g.nc;
    } else if (aligned4x4) count4x4(plan.plane, g, sc);
    else countGeneral(plan.plane, g, sc);
  }
  for (let si = 0; si < out.length; si++) {
    if (planned[si] * 8 < out[si].counts.length) continue;
    const { counts, codes } = out[si];
    let distinct = 0;
    for (let c = 0; c < counts.length; c++) if (counts[c] !== 0) codes[distinct++] = c;
    out[si].distinct = distinct;
  }
}

/**
 * Counts the blocks of a binary input under a partition, as a mergeable {@link BlockCounts}.
 *
 * This is the counting stage of BDM (Zenil et al. 2018, Entropy 20:605): the input is cut into
 * blocks by the partition in `options` and each distinct raw block (not its canonical key) is
 * counted. Counts of shards combine with {@link mergeBlockCounts}: for `boundary: 'ignore'`,
 * row-shards of a 2-D input split on block-row boundaries (and 1-D chunks split on block
 * boundaries) merge to exactly the counts of the whole; the last shard carries the leftover.
 * (For `'recursive'` only if no shard but the last has a leftover; `'correlated'` shards would
 * need overlapping edges and are not exactly mergeable this way.)
 *
 * @param input - A `Uint8Array` of 0/1 with `options.shape`, or a packed `BitPlane`.
 * @param options - See {@link BdmOptions}; the table fixes the dimensionality and block shapes.
 * @returns Counts per block shape (dense `Uint32Array(2^cells)` plus the list of distinct codes).
 * @throws {OckhamError} As {@link ctmBlockDecompose}.
 * @example
 * ```ts
 * import { bdmFromCounts, blockCounts, ctm2d, ctmBlockDecompose, mergeBlockCounts } from 'ockham';
 * // ctm2d: the built-in 2-D table (the default); any 2-D CtmTable works the same way
 * const x = new Uint8Array(14 * 16).map((_, i) => (i * 7919) % 3 === 0 ? 1 : 0); // 14×16
 * const a = blockCounts(x.subarray(0, 8 * 16), { shape: [8, 16] }); // rows 0..7
 * const b = blockCounts(x.subarray(8 * 16), { shape: [6, 16] });    // rows 8..13
 * bdmFromCounts(mergeBlockCounts(a, b), ctm2d).bdm ===
 *   ctmBlockDecompose(x, { shape: [14, 16] }).bdm; // true
 * ```
 */
export function blockCounts(input: Uint8Array | BitPlane, options: BdmOptions): BlockCounts {
  const plan = makePlan(input, options);
  const shapes = plan.shapes.map((s) => emptyShapeCounts(s.rows, s.cols));
  countPlan(plan, shapes);
  return { ndim: plan.ndim, shapes };
}

function assertBlockCounts(x: unknown, name: string): BlockCounts {
  const c = x as BlockCounts;
  if (typeof c !== 'object' || c === null || (c.ndim !== 1 && c.ndim !== 2) || !Array.isArray(c.shapes)) {
    throw new OckhamError('INVALID_ARGUMENT', name, 'expected BlockCounts (from blockCounts)');
  }
  for (const s of c.shapes) {
    const size = 2 ** (s.rows * s.cols);
    if (!(s.counts instanceof Uint32Array) || s.counts.length !== size || !(s.codes instanceof Uint16Array) || s.codes.length < size) {
      throw new OckhamError('INVALID_ARGUMENT', name, `shape ${s.rows}x${s.cols}: counts/codes arrays do not have 2^cells entries`);
    }
  }
  return c;
}

/**
 * Sums block counts (e.g. of shards of one tensor, counted by workers) into new counts.
 *
 * Multiplicities add per raw block code and shape; the union of distinct codes is kept. Inputs
 * are not modified.
 *
 * @param parts - One or more {@link BlockCounts} of the same dimensionality.
 * @returns New counts, the sum of the inputs.
 * @throws {OckhamError} `EMPTY` with no argument, `SHAPE_MISMATCH` when dimensionalities differ,
 *   `OUT_OF_RANGE` if a multiplicity would exceed 2^32 − 1.
 * @example
 * ```ts
 * import { blockCounts, mergeBlockCounts } from 'ockham';
 * // 1-D input: the built-in ctm1d table (length-12 blocks) by default
 * const x = new Uint8Array(48).fill(1, 12, 30);
 * const merged = mergeBlockCounts(
 *   blockCounts(x.subarray(0, 24), { shape: [24] }),
 *   blockCounts(x.subarray(24), { shape: [24] }),
 * );
 * merged.shapes[0].total; // 4 blocks of 12
 * ```
 */
export function mergeBlockCounts(...parts: BlockCounts[]): BlockCounts {
  if (parts.length === 0) throw new OckhamError('EMPTY', 'parts', 'expected at least one BlockCounts');
  const ndim = assertBlockCounts(parts[0], 'parts[0]').ndim;
  const byKey = new Map<string, ShapeCounts>();
  const shapes: ShapeCounts[] = [];
  for (let p = 0; p < parts.length; p++) {
    const part = assertBlockCounts(parts[p], `parts[${p}]`);
    if (part.ndim !== ndim) {
      throw new OckhamError('SHAPE_MISMATCH', `parts[${p}]`, `is ${part.ndim}-D but parts[0] is ${ndim}-D`);
    }
    for (const s of part.shapes) {
      const key = shapeKey(ndim, s.rows, s.cols);
      let acc = byKey.get(key);
      if (!acc) {
        acc = emptyShapeCounts(s.rows, s.cols);
        byKey.set(key, acc);
        shapes.push(acc);
      }
      const { counts, codes } = acc;
      let distinct = acc.distinct;
      for (let i = 0; i < s.distinct; i++) {
        const code = s.codes[i];
        const before = counts[code];
        const after = before + s.counts[code];
        if (after > 0xffffffff) {
          throw new OckhamError('OUT_OF_RANGE', `parts[${p}]`, `multiplicity of block ${code} (${key}) exceeds 2^32 − 1`);
        }
        counts[code] = after;
        if (before === 0) codes[distinct++] = code;
      }
      acc.distinct = distinct;
      acc.total += s.total;
    }
  }
  return { ndim, shapes };
}
