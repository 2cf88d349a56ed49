export type { CtmTable, CtmShapeTable, CtmProvenance } from './types.js';
export { shapeKey } from './types.js';
export { buildCtmTable } from './build.js';
export type { CtmEntry } from './build.js';
export { ctmTableFromTsv } from './tsv.js';
export type { CtmTsvOptions } from './tsv.js';
export { ctm1d, ctm2d } from './builtin.js';
export { defaultTable } from './default.js';
