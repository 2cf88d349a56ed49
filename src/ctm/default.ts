import { OckhamError } from '../errors.js';
import type { CtmTable } from './types.js';

/** The table used when an estimator's `table` option is absent: ockham's built-in tables. */
export function defaultTable(ndim: 1 | 2): CtmTable {
  throw new OckhamError('MISSING_TABLE', 'options.table', `a ${ndim}-D binary CTM table is required; built-in tables are not available yet`);
}
