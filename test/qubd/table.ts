/** The 2-D table the QuBD property tests run on: the published one when ../shared is present. */
import type { CtmTable } from '../../src/ctm/types.js';
import { hasShared, refTable } from '../shared.js';
import { defaultTable } from '../../src/ctm/default.js';

export const TABLE_NAME = hasShared ? 'published ctm-b2-d4x4 (../shared)' : "ockham's built-in ctm2d";
export function table2d(): CtmTable {
  return hasShared ? refTable('ctm-b2-d4x4') : defaultTable(2);
}
