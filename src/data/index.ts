/**
 * Datasets: modular arithmetic (the grokking task) and MNIST from the `mnist` package, with seeded
 * splits and data-budget subsets; the mulberry32 PRNG of the shipped run.
 * @packageDocumentation
 */
export { mulberry32 } from './prng.js';
export type { Mulberry32 } from './prng.js';
export { modularArithmetic } from './modular.js';
export type { ModularArithmeticOptions, DataSplit } from './modular.js';
export { loadMnist, dataBudget } from './mnist.js';
export type { MnistModule, MnistBatch, LoadMnistOptions, MnistSplit, DataBudgetOptions } from './mnist.js';
