import { OckhamError } from '../errors.js';
import type { CtmProvenance, CtmShapeTable, CtmTable } from './types.js';
import { shapeKey } from './types.js';

/** One row of a binary CTM table: a shape, a canonical key (first cell 0) as a code, its CTM. */
export interface CtmEntry {
  readonly rows: number;
  readonly cols: number;
  /** The canonical block code (first cell = MSB, which must be 0). */
  readonly code: number;
  /** CTM in bits. */
  readonly ctm: number;
}

/**
 * Builds a dense {@link CtmTable} from canonical entries: each entry fills its code and its
 * complement (binary blocks and their complements share one canonical key, as in pybdm);
 * absent keys get the shape's maximum + 1 bit and are flagged in `missing`.
 *
 * @param ndim - 1 for strings (shape key `'N'`), 2 for arrays (`'RxC'`).
 * @param entries - Canonical entries; CTM values in bits.
 * @param provenance - Where the values come from (kept on the table).
 * @returns A dense table indexed by raw block code.
 * @throws {OckhamError} for shapes over 16 cells (or over 4 in a 2-D side), non-canonical codes, negative or non-finite values.
 * @example
 * ```ts
 * import { buildCtmTable, ctmBlockDecompose } from 'ockham';
 * const t = buildCtmTable(1, [{ rows: 1, cols: 2, code: 0b00, ctm: 3 }, { rows: 1, cols: 2, code: 0b01, ctm: 4 }]);
 * ctmBlockDecompose(new Uint8Array([0, 1, 1, 0]), { shape: [4], table: t, block: 2 }).bdm; // 4 + 4 = 8
 * ```
 */
export function buildCtmTable(
  ndim: 1 | 2,
  entries: Iterable<CtmEntry>,
  provenance?: CtmProvenance,
): CtmTable {
  const shapes = new Map<string, { rows: number; cols: number; values: Float64Array; seen: Uint8Array }>();
  for (const e of entries) {
    const cells = e.rows * e.cols;
    if (cells < 1 || cells > 16 || (ndim === 1 && e.rows !== 1) || (ndim === 2 && (e.rows > 4 || e.cols > 4))) {
      throw new OckhamError('OUT_OF_RANGE', 'entries', `block shape ${e.rows}x${e.cols} is not supported for ndim ${ndim}`);
    }
    const size = 2 ** cells;
    if (!Number.isInteger(e.code) || e.code < 0 || e.code >= size / 2) {
      throw new OckhamError('INVALID_ARGUMENT', 'entries', `code ${e.code} is not a canonical ${e.rows}x${e.cols} key (first cell must be 0)`);
    }
    if (!Number.isFinite(e.ctm) || e.ctm < 0) {
      throw new OckhamError('NON_FINITE', 'entries', `CTM value ${e.ctm} must be finite and ≥ 0`);
    }
    const key = shapeKey(ndim, e.rows, e.cols);
    let s = shapes.get(key);
    if (!s) {
      s = { rows: e.rows, cols: e.cols, values: new Float64Array(size), seen: new Uint8Array(size) };
      shapes.set(key, s);
    }
    const comp = (size - 1) ^ e.code;
    s.values[e.code] = e.ctm;
    s.values[comp] = e.ctm;
    s.seen[e.code] = 1;
    s.seen[comp] = 1;
  }
  const out = new Map<string, CtmShapeTable>();
  for (const [key, s] of shapes) {
    let max = -Infinity;
    let min = Infinity;
    let present = 0;
    for (let c = 0; c < s.values.length; c++) {
      if (s.seen[c]) {
        if (s.values[c] > max) max = s.values[c];
        if (s.values[c] < min) min = s.values[c];
        if (c < s.values.length / 2) present++;
      }
    }
    const missing = new Uint8Array(s.values.length);
    for (let c = 0; c < s.values.length; c++) {
      if (!s.seen[c]) {
        missing[c] = 1;
        s.values[c] = max + 1;
      }
    }
    out.set(key, { rows: s.rows, cols: s.cols, values: s.values, missing, max, min, present });
  }
  return { ndim, nsymbols: 2, shapes: out, provenance };
}
