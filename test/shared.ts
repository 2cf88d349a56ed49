/** Locating ../shared (reference data for tests). Tests that need it skip, saying so, when it is absent. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ctmTableFromTsv } from '../src/ctm/tsv.js';
import type { CtmTable } from '../src/ctm/types.js';

export const SHARED = path.resolve(__dirname, '..', '..', 'shared');
export const REF = path.join(SHARED, 'reference');
export const hasShared = existsSync(path.join(REF, 'ctm', 'ctm-b2-d4x4.tsv'));
export const SKIP_MSG = `../shared/reference is absent (looked in ${REF}): reference-value tests skipped`;
if (!hasShared) console.warn(SKIP_MSG);

const cache = new Map<string, CtmTable>();
/** The published pybdm table `name` (e.g. 'ctm-b2-d4x4'), for tests only. */
export function refTable(name: 'ctm-b2-d12' | 'ctm-b2-d4x4'): CtmTable {
  let t = cache.get(name);
  if (!t) {
    t = ctmTableFromTsv(readFileSync(path.join(REF, 'ctm', `${name}.tsv`), 'utf8'));
    cache.set(name, t);
  }
  return t;
}
