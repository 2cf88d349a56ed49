/**
 * Boundary checks for codes and packed planes.
 * @internal
 */
import { OckhamError } from '../errors.js';
import type { BitPlane } from './types.js';

/** Throws unless `plane` is a well-formed {@link BitPlane} (dims, stride, data length). */
export function assertBitPlane(plane: unknown, name: string): BitPlane {
  if (plane === null || typeof plane !== 'object') {
    throw new OckhamError('INVALID_ARGUMENT', name, 'expected a BitPlane { rows, cols, stride, data }');
  }
  const p = plane as Partial<BitPlane>;
  const { rows, cols, stride, data } = p;
  if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 1) {
    throw new OckhamError('INVALID_ARGUMENT', `${name}.rows`, `expected a positive integer, got ${String(rows)}`);
  }
  if (typeof cols !== 'number' || !Number.isInteger(cols) || cols < 1) {
    throw new OckhamError('INVALID_ARGUMENT', `${name}.cols`, `expected a positive integer, got ${String(cols)}`);
  }
  if (stride !== (cols + 31) >>> 5) {
    throw new OckhamError('INVALID_ARGUMENT', `${name}.stride`, `expected ceil(cols / 32) = ${(cols + 31) >>> 5}, got ${String(stride)}`);
  }
  if (!(data instanceof Uint32Array) || data.length !== rows * stride) {
    throw new OckhamError('SHAPE_MISMATCH', `${name}.data`, `expected a Uint32Array of length rows × stride = ${rows * stride}`);
  }
  return p as BitPlane;
}

/** Throws unless `codes` is a Uint16Array/Uint8Array whose values are all < 2^bits, naming the first bad index. */
export function assertCodes(codes: unknown, bits: number, name: string): Uint16Array | Uint8Array {
  if (!(codes instanceof Uint16Array) && !(codes instanceof Uint8Array)) {
    throw new OckhamError('INVALID_ARGUMENT', name, 'expected a Uint16Array or Uint8Array of codes');
  }
  if (codes.length === 0) throw new OckhamError('EMPTY', name, 'expected a non-empty array');
  const maxCode = 2 ** bits - 1;
  // Any code ≥ 2^bits sets a bit ≥ bits, so the OR of all codes exceeds maxCode exactly then.
  let or = 0;
  for (let i = 0; i < codes.length; i++) or |= codes[i];
  if (or > maxCode) {
    for (let i = 0; i < codes.length; i++) {
      if (codes[i] > maxCode) {
        throw new OckhamError('OUT_OF_RANGE', name, `element ${i} is ${codes[i]}; expected codes in 0..${maxCode} for bits = ${bits}`);
      }
    }
  }
  return codes;
}

/** A zeroed rows × cols plane. */
export function emptyPlane(rows: number, cols: number): BitPlane {
  const stride = (cols + 31) >>> 5;
  return { rows, cols, stride, data: new Uint32Array(rows * stride) };
}
