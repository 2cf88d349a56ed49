/**
 * Types of the BDM (Block Decomposition Method) area: options, results and mergeable counts.
 */
import type { CtmTable } from '../ctm/types.js';
import type { Shape } from '../util/validate.js';

/**
 * How cells that do not fill a whole block are handled (pybdm's partitions):
 * - `'ignore'` — non-overlapping blocks from the top-left corner; leftover trailing cells, rows
 *   and columns are dropped (pybdm `PartitionIgnore`, the default).
 * - `'recursive'` — non-overlapping blocks; each leftover part is scored with smaller blocks
 *   (pybdm `PartitionRecursive`, see {@link BdmOptions.minBlock} for the exact rule).
 * - `'correlated'` — sliding blocks whose top-left corners step by `step` cells along each axis;
 *   only whole blocks count (pybdm `PartitionCorrelated` with `shift = step`).
 */
export type Boundary = 'ignore' | 'recursive' | 'correlated';

/** Options shared by the BDM functions. */
export interface BdmOptions {
  /**
   * Shape of a `Uint8Array` input: `[n]` (1-D) or `[rows, cols]` (2-D), row-major. Required for
   * a `Uint8Array`; for a `BitPlane` optional (if given it must equal `[rows, cols]`, or `[cols]`
   * for a 1-D plane with `rows = 1`).
   */
  readonly shape?: Shape;
  /**
   * The CTM table (values in bits); its `ndim` must match the input's. Default: ockham's built-in
   * table for the input's dimensionality (`defaultTable(ndim)`: `ctm1d` or `ctm2d`).
   */
  readonly table?: CtmTable;
  /** Block size: a length for 1-D (default 12), `[r, c]` or a side `k` (= `[k, k]`) for 2-D (default `[4, 4]`). */
  readonly block?: number | readonly [number, number];
  /** Boundary condition (default `'ignore'`). */
  readonly boundary?: Boundary;
  /**
   * `'recursive'` only: the smallest block side kept (default 2, pybdm's `min_length`). A
   * leftover part of h×w cells (1-D: length w) is handled as follows:
   * 1. if its shortest side (1-D: its length) is below `minBlock`, it is dropped;
   * 2. else if the table has the part's exact shape h×w, the part is one block of that shape;
   * 3. else it is split (from its top-left corner) into the largest square s×s (1-D: length s)
   *    that the table has with minBlock ≤ s ≤ min(h, w), and the new leftovers are handled by
   *    the same rule; if the table has no such square the part is dropped.
   * With pybdm's tables (all squares 1×1..4×4, all lengths 1..12) this is exactly pybdm.
   */
  readonly minBlock?: number;
  /** `'correlated'` only: the sliding step in cells along each axis (default 1). */
  readonly step?: number;
}

/** The result of {@link ctmBlockDecompose} and {@link bdmFromCounts}. */
export interface BdmResult {
  /** BDM in bits: Σ over distinct raw blocks of CTM(block) + log2(multiplicity). */
  readonly bdm: number;
  /** Σ CTM over distinct raw blocks (bits). */
  readonly ctm: number;
  /** Σ log2(multiplicity) over distinct raw blocks (bits). */
  readonly multiplicity: number;
  /** Number of blocks counted (with multiplicity). */
  readonly blocks: number;
  /** Number of distinct raw blocks. */
  readonly distinct: number;
  /** Number of distinct raw blocks whose canonical key is absent from the table (scored max + 1). */
  readonly missing: number;
}

/**
 * Block counts of one block shape: a dense count per raw block code, plus the list of codes
 * that occur, so sums visit only distinct blocks.
 */
export interface ShapeCounts {
  /** Block rows (1 for 1-D) and columns. */
  readonly rows: number;
  readonly cols: number;
  /** Multiplicity per raw block code (length 2^(rows·cols); code: row-major, first cell = MSB). */
  readonly counts: Uint32Array;
  /** The distinct codes seen; entries `0..distinct−1` are valid (capacity 2^(rows·cols)). */
  readonly codes: Uint16Array;
  /** Number of distinct codes. */
  distinct: number;
  /** Number of blocks counted. */
  total: number;
}

/**
 * Mergeable block counts: one {@link ShapeCounts} per block shape. A plain object; combine with
 * {@link mergeBlockCounts}, score with {@link bdmFromCounts}.
 */
export interface BlockCounts {
  readonly ndim: 1 | 2;
  readonly shapes: ShapeCounts[];
}
