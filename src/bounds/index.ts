/** Generalization bounds and description lengths from complexity in bits. */
export { generalizationBound } from './occam.js';
export type { GeneralizationBoundArgs } from './occam.js';
export { totalDescriptionLength } from './mdl.js';
export type { DescriptionLengthArgs, DescriptionLength } from './mdl.js';
