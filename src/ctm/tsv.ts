/**
 * Reader for CTM tables in the text format `shape<TAB>key<TAB>ctm` (one block per line), the
 * format of the published pybdm tables converted to text. Browser-safe: takes the file's text.
 */
import { OckhamError } from '../errors.js';
import { assertKnownOptions, assertOneOf } from '../util/validate.js';
import { buildCtmTable } from './build.js';
import type { CtmEntry } from './build.js';
import type { CtmProvenance, CtmTable } from './types.js';

/** Options of {@link ctmTableFromTsv}. */
export interface CtmTsvOptions {
  /** Attached to the table as `provenance` (e.g. `{ source: 'pybdm 0.1.0 ctm-b2-d4x4' }`). */
  readonly provenance?: CtmProvenance;
  /** If given, the table must have this dimensionality (1 for `N` shapes, 2 for `RxC`). */
  readonly ndim?: 1 | 2;
}

const CHAR_0 = 48;

/** Parses `N` (1-D, 1..16) or `RxC` (2-D, 1..4 each). */
function parseShape(text: string, lineNo: number): { rows: number; cols: number; ndim: 1 | 2; seen: Uint8Array } {
  let m = /^([0-9]{1,2})$/.exec(text);
  let rows: number;
  let cols: number;
  let ndim: 1 | 2;
  if (m) {
    rows = 1;
    cols = Number(m[1]);
    ndim = 1;
  } else {
    m = /^([0-9]{1,2})x([0-9]{1,2})$/.exec(text);
    if (!m) throw new OckhamError('PARSE_ERROR', 'text', `line ${lineNo}: bad shape '${text}'; expected N or RxC`);
    rows = Number(m[1]);
    cols = Number(m[2]);
    ndim = 2;
  }
  if (rows < 1 || cols < 1 || (ndim === 1 ? cols > 16 : rows > 4 || cols > 4)) {
    throw new OckhamError(
      'OUT_OF_RANGE',
      'text',
      `line ${lineNo}: shape '${text}' is not supported; allowed 1-D lengths 1..16 and 2-D shapes RxC with 1 ≤ R, C ≤ 4`,
    );
  }
  return { rows, cols, ndim, seen: new Uint8Array(2 ** (rows * cols - 1)) };
}

/** Throws the precise error for a key that is not a canonical binary key of `cells` symbols. */
function diagnoseKey(key: string, shapeText: string, cells: number, lineNo: number): never {
  if (!/^[0-9]+$/.test(key)) {
    throw new OckhamError('PARSE_ERROR', 'text', `line ${lineNo}: key '${key}' must be decimal digits`);
  }
  const big = /[2-9]/.exec(key);
  if (big) {
    throw new OckhamError(
      'UNSUPPORTED',
      'text',
      `line ${lineNo}: key '${key}' has symbol ${big[0]}; only binary (2-symbol) CTM tables are supported`,
    );
  }
  if (key.length !== cells) {
    throw new OckhamError('PARSE_ERROR', 'text', `line ${lineNo}: key '${key}' has ${key.length} symbols; shape ${shapeText} needs ${cells}`);
  }
  throw new OckhamError('PARSE_ERROR', 'text', `line ${lineNo}: key '${key}' is not canonical (its first symbol must be 0)`);
}

/**
 * Reads a binary CTM table from text lines `shape<TAB>key<TAB>ctm`.
 *
 * `shape` is `N` (a 1-D block of length N, 1..16) or `RxC` (a 2-D block, 1 ≤ R, C ≤ 4; non-square
 * shapes are accepted). `key` is the block's symbols in row-major order, canonicalised as pybdm
 * does (relabelled by first appearance, so a binary key starts with `0`); it stands for the block
 * and its complement. `ctm` is the CTM estimate in bits, K(s) ≈ −log2 D(s) (Soler-Toscano et al.
 * 2014, PLoS ONE 9:e96223). LF or CRLF line endings; blank lines are skipped. Keys absent from
 * the text get the shape's maximum + 1 bit (pybdm's rule) via {@link buildCtmTable}.
 *
 * @param text - The file's whole text.
 * @param options - `provenance` to attach; `ndim` to require a dimensionality.
 * @returns A dense {@link CtmTable} indexed by raw block code (values in bits).
 * @throws {OckhamError} `PARSE_ERROR` naming the 1-based line number for a malformed line,
 *   a non-canonical key (first symbol not 0), a key whose length does not fit its shape, a
 *   duplicate key, a non-finite or negative value, or a mix of 1-D and 2-D shapes;
 *   `UNSUPPORTED` for a key with a symbol ≥ 2 (only binary tables are supported);
 *   `OUT_OF_RANGE` for a shape beyond 16 cells (1-D) or 4×4 (2-D); `EMPTY` for a table with no rows.
 * @example
 * ```ts
 * import { ctmTableFromTsv } from 'ockham';
 * const table = ctmTableFromTsv('1x1\t0\t2.435020316021033\n2x2\t0000\t3.2\n');
 * table.shapes.get('1x1')!.values[1]; // 2.435020316021033 (the complement "1" shares the key)
 * ```
 */
export function ctmTableFromTsv(text: string, options?: CtmTsvOptions): CtmTable {
  if (typeof text !== 'string') {
    throw new OckhamError('INVALID_ARGUMENT', 'text', 'expected the table file as a string');
  }
  assertKnownOptions(options, 'options', ['provenance', 'ndim']);
  let wantNdim: 1 | 2 | undefined;
  if (options?.ndim !== undefined) {
    wantNdim = Number(assertOneOf(String(options.ndim), 'options.ndim', ['1', '2'])) as 1 | 2;
  }
  const entries: CtmEntry[] = [];
  // Parsed shapes by their text, and duplicate flags per canonical code of each shape.
  const shapeOf = new Map<string, { rows: number; cols: number; ndim: 1 | 2; seen: Uint8Array }>();
  let ndim: 1 | 2 | undefined;
  // One pass with indexOf and charCodeAt, no per-line arrays: a cold (un-JITted) load of the
  // 33,033-row 2-D table stays well under 100 ms. Consecutive lines share their shape, so the
  // last shape's text is matched in place before parsing a new one.
  let shape: { rows: number; cols: number; ndim: 1 | 2; seen: Uint8Array } | undefined;
  let shapeText = '';
  const n = text.length;
  let pos = 0;
  let lineNo = 0;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    lineNo++;
    const start = pos;
    pos = end + 1;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    if (end === start) continue;
    const t1 = text.indexOf('\t', start);
    const t2 = t1 < 0 || t1 >= end ? -1 : text.indexOf('\t', t1 + 1);
    const t3 = t2 < 0 || t2 >= end ? -1 : text.indexOf('\t', t2 + 1);
    if (t1 < 0 || t1 >= end || t2 < 0 || t2 >= end || (t3 >= 0 && t3 < end)) {
      throw new OckhamError('PARSE_ERROR', 'text', `line ${lineNo}: expected 3 tab-separated fields shape<TAB>key<TAB>ctm`);
    }
    if (shape === undefined || t1 - start !== shapeText.length || !text.startsWith(shapeText, start)) {
      shapeText = text.slice(start, t1);
      shape = shapeOf.get(shapeText);
      if (!shape) {
        shape = parseShape(shapeText, lineNo);
        shapeOf.set(shapeText, shape);
      }
      if (ndim === undefined) ndim = shape.ndim;
      else if (ndim !== shape.ndim) {
        throw new OckhamError('PARSE_ERROR', 'text', `line ${lineNo}: shape '${shapeText}' mixes 1-D and 2-D shapes in one table`);
      }
    }
    const cells = shape.rows * shape.cols;
    let code = 0;
    let bad = t2 - t1 - 1 !== cells || text.charCodeAt(t1 + 1) !== CHAR_0;
    for (let i = t1 + 1; i < t2; i++) {
      const d = text.charCodeAt(i) - CHAR_0;
      if (d !== 0 && d !== 1) bad = true;
      code = code * 2 + d;
    }
    if (bad) diagnoseKey(text.slice(t1 + 1, t2), shapeText, cells, lineNo);
    const valueText = text.slice(t2 + 1, end);
    const ctm = valueText.length === 0 ? NaN : Number(valueText);
    if (!Number.isFinite(ctm) || ctm < 0) {
      throw new OckhamError('PARSE_ERROR', 'text', `line ${lineNo}: CTM value '${valueText}' must be a finite number ≥ 0`);
    }
    if (shape.seen[code]) {
      throw new OckhamError('PARSE_ERROR', 'text', `line ${lineNo}: duplicate key '${text.slice(t1 + 1, t2)}' for shape ${shapeText}`);
    }
    shape.seen[code] = 1;
    entries.push({ rows: shape.rows, cols: shape.cols, code, ctm });
  }
  if (ndim === undefined) {
    throw new OckhamError('EMPTY', 'text', 'the table has no rows');
  }
  if (wantNdim !== undefined && wantNdim !== ndim) {
    throw new OckhamError('SHAPE_MISMATCH', 'options.ndim', `expected a ${wantNdim}-D table, the text holds ${ndim}-D shapes`);
  }
  return buildCtmTable(ndim, entries, options?.provenance);
}
