import { ctm1d, ctm2d } from './builtin.js';
import type { CtmTable } from './types.js';

/**
 * The table used when an estimator's `table` option is absent: ockham's built-in tables
 * (`ctm1d` for 1-D strings, `ctm2d` for 2-D blocks), computed by its own enumerator.
 *
 * @example
 * ```ts
 * import { defaultTable } from 'ockham';
 * defaultTable(2).shapes.get('4x4')!.values[0]; // CTM (bits) of the all-zero 4×4 block
 * ```
 */
export function defaultTable(ndim: 1 | 2): CtmTable {
  return ndim === 1 ? ctm1d : ctm2d;
}
