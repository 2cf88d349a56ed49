/**
 * Bit-planes of quantized codes, packed binary planes, and single-image bit layouts.
 * @module
 */
export type { BitPlane } from './types.js';
export { bitPlanes, planesToCodes } from './planes.js';
export { packBits, unpackPlane, countOnes, binarize } from './pack.js';
export { interleavedBitImage, serialBinarization, defaultTile } from './images.js';
export type { InterleavedOptions } from './images.js';
