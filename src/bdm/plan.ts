/**
 * Boundary validation and partition planning for the BDM functions: turns (input, options) into
 * a packed plane plus a short list of block *regions* — rectangular grids of same-shape blocks —
 * so the counting kernels never allocate per block.
 */
import type { BitPlane } from '../bitplanes/types.js';
import { packValidated } from '../bitplanes/pack.js';
import { defaultTable } from '../ctm/default.js';
import type { CtmShapeTable, CtmTable } from '../ctm/types.js';
import { shapeKey } from '../ctm/types.js';
import { OckhamError } from '../errors.js';
import { assertInt, assertKnownOptions, assertOneOf, assertShapeMatches } from '../util/validate.js';
import type { BdmOptions, Boundary } from './types.js';

/** Option names accepted by the BDM functions that take an input. */
export const BDM_OPTION_KEYS = ['shape', 'table', 'block', 'boundary', 'minBlock', 'step'] as const;

/** A grid of nr × nc blocks of shape `shapes[si]`, top-left corners at (r0 + i·sr, c0 + j·sc). */
export interface Region {
  readonly si: number;
  readonly r0: number;
  readonly c0: number;
  readonly nr: number;
  readonly nc: number;
  readonly sr: number;
  readonly sc: number;
}

/** A block shape used by a plan, with its table. */
export interface PlanShape {
  readonly rows: number;
  readonly cols: number;
  readonly key: string;
  readonly table: CtmShapeTable;
}

export interface Plan {
  readonly ndim: 1 | 2;
  readonly plane: BitPlane;
  readonly table: CtmTable;
  readonly boundary: Boundary;
  readonly shapes: PlanShape[];
  readonly regions: Region[];
}

function isBitPlane(x: unknown): x is BitPlane {
  return (
    typeof x === 'object' &&
    x !== null &&
    !ArrayBuffer.isView(x) &&
    (x as BitPlane).data instanceof Uint32Array &&
    typeof (x as BitPlane).rows === 'number' &&
    typeof (x as BitPlane).cols === 'number'
  );
}

/** Validates the input and returns it as a packed plane with its dimensionality. */
export function resolveInput(
  input: unknown,
  shape: unknown,
  tableNdim: 1 | 2 | undefined,
  pack = true,
): { plane: BitPlane; ndim: 1 | 2 } {
  if (input instanceof Uint8Array) {
    if (input.length === 0) throw new OckhamError('EMPTY', 'input', 'expected a non-empty array of 0/1 values');
    if (shape === undefined) {
      throw new OckhamError('INVALID_ARGUMENT', 'options.shape', 'required for a Uint8Array input: [n] (1-D) or [rows, cols] (2-D)');
    }
    assertShapeMatches(input.length, shape, 'input', 'options.shape');
    const s = shape as number[];
    if (s.length > 2) {
      throw new OckhamError('INVALID_ARGUMENT', 'options.shape', `expected 1 or 2 dimensions, got ${s.length}; view the tensor as 2-D first`);
    }
    if (pack) {
      for (let i = 0; i < input.length; i++) {
        if (input[i] > 1) {
          throw new OckhamError('NOT_BINARY', 'input', `element ${i} is ${input[i]}; expected 0 or 1`);
        }
      }
    }
    const ndim = s.length as 1 | 2;
    const rows = ndim === 1 ? 1 : s[0];
    const cols = ndim === 1 ? s[0] : s[1];
    if (!pack) return { plane: { rows, cols, stride: (cols + 31) >>> 5, data: new Uint32Array(0) }, ndim };
    return { plane: packValidated(input, rows, cols), ndim };
  }
  if (!isBitPlane(input)) {
    throw new OckhamError('INVALID_ARGUMENT', 'input', 'expected a Uint8Array of 0/1 values or a packed BitPlane');
  }
  const { rows, cols, stride, data } = input;
  assertInt(rows, 'input.rows', 1, 2 ** 31 - 1);
  assertInt(cols, 'input.cols', 1, 2 ** 31 - 1);
  if (stride !== (cols + 31) >>> 5) {
    throw new OckhamError('INVALID_ARGUMENT', 'input.stride', `expected ceil(cols / 32) = ${(cols + 31) >>> 5}, got ${String(stride)}`);
  }
  if (data.length < rows * stride) {
    throw new OckhamError('SHAPE_MISMATCH', 'input.data', `length ${data.length} is less than rows × stride = ${rows * stride}`);
  }
  let ndim: 1 | 2;
  if (shape !== undefined) {
    const s = shape as number[];
    if (!Array.isArray(s) || s.length < 1 || s.length > 2) {
      throw new OckhamError('INVALID_ARGUMENT', 'options.shape', 'expected [n] (1-D) or [rows, cols] (2-D)');
    }
    const ok = s.length === 1 ? rows === 1 && s[0] === cols : s[0] === rows && s[1] === cols;
    if (!ok) {
      throw new OckhamError('SHAPE_MISMATCH', 'options.shape', `[${s.join(', ')}] does not match the plane (${rows} × ${cols})`);
    }
    ndim = s.length as 1 | 2;
  } else {
    ndim = tableNdim ?? 2;
  }
  if (ndim === 1 && rows !== 1) {
    throw new OckhamError('SHAPE_MISMATCH', 'input', `a 1-D input must be a plane with rows = 1, got ${rows} rows`);
  }
  return { plane: input, ndim };
}

function listShapes(table: CtmTable): string {
  return [...table.shapes.keys()].join(', ');
}

/** Validates options and input and plans the partition. */
export function makePlan(input: unknown, options: BdmOptions | undefined, optionsName = 'options', pack = true): Plan {
  assertKnownOptions(options, optionsName, BDM_OPTION_KEYS);
  const o = options ?? {};
  const given = o.table;
  if (given !== undefined && (typeof given !== 'object' || given === null || !(given.shapes instanceof Map))) {
    throw new OckhamError('INVALID_ARGUMENT', 'options.table', 'expected a CtmTable (e.g. from ctmTableFromTsv)');
  }
  const { plane, ndim } = resolveInput(input, o.shape, given?.ndim, pack);
  const table = given ?? defaultTable(ndim);
  if (table.ndim !== ndim) {
    throw new OckhamError('SHAPE_MISMATCH', 'options.table', `the table is ${table.ndim}-D but the input is ${ndim}-D`);
  }
  const boundary = o.boundary === undefined ? 'ignore' : assertOneOf(o.boundary, 'options.boundary', ['ignore', 'recursive', 'correlated']);
  if (o.minBlock !== undefined && boundary !== 'recursive') {
    throw new OckhamError('INVALID_ARGUMENT', 'options.minBlock', "applies only to boundary 'recursive'");
  }
  if (o.step !== undefined && boundary !== 'correlated') {
    throw new OckhamError('INVALID_ARGUMENT', 'options.step', "applies only to boundary 'correlated'");
  }
  // Block shape.
  let bh: number;
  let bw: number;
  if (ndim === 1) {
    bh = 1;
    bw = o.block === undefined ? 12 : assertInt(o.block, 'options.block', 1, 16);
  } else if (o.block === undefined) {
    bh = 4;
    bw = 4;
  } else if (typeof o.block === 'number') {
    bh = bw = assertInt(o.block, 'options.block', 1, 4);
  } else {
    if (!Array.isArray(o.block) || o.block.length !== 2) {
      throw new OckhamError('INVALID_ARGUMENT', 'options.block', 'expected a side k or [rows, cols] with 1 ≤ rows, cols ≤ 4');
    }
    bh = assertInt(o.block[0], 'options.block[0]', 1, 4);
    bw = assertInt(o.block[1], 'options.block[1]', 1, 4);
  }
  const blockKey = shapeKey(ndim, bh, bw);
  if (!table.shapes.has(blockKey)) {
    throw new OckhamError('OUT_OF_RANGE', 'options.block', `block shape ${blockKey} is not in the table; it has ${listShapes(table)}`);
  }
  const minBlock = o.minBlock === undefined ? 2 : assertInt(o.minBlock, 'options.minBlock', 1, 16);
  const step = o.step === undefined ? 1 : assertInt(o.step, 'options.step', 1, 2 ** 30);

  const shapes: PlanShape[] = [];
  const shapeIndex = (rows: number, cols: number): number => {
    const key = shapeKey(ndim, rows, cols);
    for (let i = 0; i < shapes.length; i++) if (shapes[i].key === key) return i;
    shapes.push({ rows, cols, key, table: table.shapes.get(key)! });
    return shapes.length - 1;
  };
  // The requested block shape is always shape 0, even with no whole block, so counts of a small
  // shard still carry it.
  shapeIndex(bh, bw);
  const regions: Region[] = [];
  const H = plane.rows;
  const W = plane.cols;
  if (boundary === 'correlated') {
    if (H >= bh && W >= bw) {
      const nr = Math.floor((H - bh) / step) + 1;
      const nc = Math.floor((W - bw) / step) + 1;
      regions.push({ si: shapeIndex(bh, bw), r0: 0, c0: 0, nr, nc, sr: step, sc: step });
    }
  } else if (boundary === 'ignore') {
    const nr = Math.floor(H / bh);
    const nc = Math.floor(W / bw);
    if (nr > 0 && nc > 0) regions.push({ si: shapeIndex(bh, bw), r0: 0, c0: 0, nr, nc, sr: bh, sc: bw });
  } else {
    planRecursive(table, ndim, minBlock, shapeIndex, H, W, bh, bw, regions);
  }
  return { ndim, plane, table, boundary, shapes, regions };
}

/**
 * {@link makePlan}'s validation (options, table, shape) without the 0/1 check and packing of a
 * `Uint8Array` input: the returned plan's plane has no data. For callers that count (and check)
 * the unpacked input themselves.
 */
export function makePlanChecksOnly(input: unknown, options: BdmOptions | undefined): Plan {
  return makePlan(input, options, 'options', false);
}

/**
 * Plans pybdm's recursive partition of an H×W plane with the leftover rule documented on
 * {@link BdmOptions.minBlock}.
 */
function planRecursive(
  table: CtmTable,
  ndim: 1 | 2,
  minBlock: number,
  shapeIndex: (rows: number, cols: number) => number,
  H: number,
  W: number,
  bh: number,
  bw: number,
  out: Region[],
): void {
  /** Regions covering an h×w rectangle at (r, c) tiled by bh×bw blocks, leftovers recursed. */
  const grid = (r: number, c: number, h: number, w: number, bh: number, bw: number, out: Region[]): void => {
    const nr = Math.floor(h / bh);
    const nc = Math.floor(w / bw);
    const hr = h - nr * bh;
    const wr = w - nc * bw;
    if (nr > 0 && nc > 0) out.push({ si: shapeIndex(bh, bw), r0: r, c0: c, nr, nc, sr: bh, sc: bw });
    // Every leftover part along a strip has the same size, so plan one part and repeat its
    // regions along the strip instead of planning each part (keeps the region list short).
    if (wr > 0 && nr > 0) {
      for (const s of part(bh, wr)) {
        for (let i = 0; i < s.nr; i++) {
          out.push({ si: s.si, r0: r + s.r0 + i * s.sr, c0: c + nc * bw + s.c0, nr, nc: s.nc, sr: bh, sc: s.sc });
        }
      }
    }
    if (hr > 0 && nc > 0) {
      for (const s of part(hr, bw)) {
        for (let j = 0; j < s.nc; j++) {
          out.push({ si: s.si, r0: r + nr * bh + s.r0, c0: c + s.c0 + j * s.sc, nr: s.nr, nc, sr: s.sr, sc: bw });
        }
      }
    }
    if (hr > 0 && wr > 0) {
      for (const s of part(hr, wr)) out.push({ ...s, r0: r + nr * bh + s.r0, c0: c + nc * bw + s.c0 });
    }
  };
  /** Regions (relative to the part's corner) for one leftover part of h×w cells. */
  const part = (h: number, w: number): Region[] => {
    const res: Region[] = [];
    const side = ndim === 1 ? w : Math.min(h, w);
    if (side < minBlock) return res;
    if (table.shapes.has(shapeKey(ndim, h, w))) {
      res.push({ si: shapeIndex(h, w), r0: 0, c0: 0, nr: 1, nc: 1, sr: h, sc: w });
      return res;
    }
    for (let s = side; s >= minBlock; s--) {
      if (table.shapes.has(shapeKey(ndim, ndim === 1 ? 1 : s, s))) {
        grid(0, 0, h, w, ndim === 1 ? 1 : s, s, res);
        return res;
      }
    }
    return res;
  };
  grid(0, 0, H, W, bh, bw, out);
}
