/**
 * The in-memory CTM table: for each block shape, a dense array of CTM values (bits) indexed by
 * the block's **raw** binary code, so the BDM hot loop needs no canonicalisation and no hashing.
 *
 * Block code convention: cells in row-major order, the first cell is the most significant bit.
 * A 4×4 block is a 16-bit integer with bit 15 = cell (0,0); a 1-D block of length n is an n-bit
 * integer with bit n−1 = its first cell.
 */
export interface CtmShapeTable {
  /** Block rows × cols. A 1-D block of length n is `[1, n]`. */
  readonly rows: number;
  readonly cols: number;
  /** CTM in bits per raw block code (length 2^(rows·cols)); missing keys hold `max + 1`. */
  readonly values: Float64Array;
  /** 1 where the block's canonical key is absent from the source table (its value is max + 1). */
  readonly missing: Uint8Array;
  /** Largest stored CTM value of the shape (bits); a missing block scores `max + 1`. */
  readonly max: number;
  /** Smallest stored CTM value of the shape (bits): a constant block. */
  readonly min: number;
  /** Number of canonical keys present in the source table. */
  readonly present: number;
}

/** Provenance of a table: where its values came from (free-form, shipped with built-in tables). */
export interface CtmProvenance {
  readonly source: string;
  readonly [key: string]: unknown;
}

/** A binary CTM table for 1-D strings (`ndim: 1`) or 2-D arrays (`ndim: 2`). */
export interface CtmTable {
  readonly ndim: 1 | 2;
  readonly nsymbols: 2;
  /** Keyed by `'N'` for 1-D length N, `'RxC'` for 2-D (e.g. `'4x4'`). */
  readonly shapes: ReadonlyMap<string, CtmShapeTable>;
  readonly provenance?: CtmProvenance;
}

/**
 * The key of a shape in {@link CtmTable.shapes}: `'N'` for 1-D length N, `'RxC'` for 2-D.
 *
 * @example
 * ```ts
 * import { shapeKey } from 'ockham';
 * shapeKey(2, 4, 4); // '4x4'
 * shapeKey(1, 1, 12); // '12'
 * ```
 */
export function shapeKey(ndim: 1 | 2, rows: number, cols: number): string {
  return ndim === 1 ? String(cols) : `${rows}x${cols}`;
}
