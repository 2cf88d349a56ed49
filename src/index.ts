/**
 * ockham — the complexity of neural-network weights.
 *
 * This entry is browser-safe: it imports nothing from `node:`. File readers live in `ockham/node`.
 * @packageDocumentation
 */
export { OckhamError } from './errors.js';
export type { OckhamErrorCode } from './errors.js';
export type { Shape, FloatArray } from './util/validate.js';
