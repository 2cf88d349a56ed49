/** The grokking trainer's PRNG: now in the package (src/data/prng.ts, `mulberry32`). */
export { mulberry32 as makeRng } from '../../src/data/prng.js';
export type { Mulberry32 as Rng } from '../../src/data/prng.js';
