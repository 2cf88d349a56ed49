/** The (a + b) mod p dataset and its seeded train/test split: now `modularArithmetic` in the package (src/data). */
import { modularArithmetic } from '../../src/data/modular.js';
import type { Rng } from './prng.js';

export interface Split {
  as: Int32Array;
  bs: Int32Array;
  ys: Int32Array;
  n: number;
}

/**
 * Fisher–Yates shuffle of all p² ordered pairs (a, b) with `rng`; the first
 * round(trainFrac · p²) are the training set, the rest the test set (continues `rng`, as before).
 */
export function makeSplit(p: number, trainFrac: number, rng: Rng): { train: Split; test: Split } {
  const { train, test } = modularArithmetic({ p, trainFraction: trainFrac, rng });
  const conv = (b: typeof train): Split => {
    const as = new Int32Array(b.size);
    const bs = new Int32Array(b.size);
    for (let i = 0; i < b.size; i++) {
      as[i] = b.inputs[2 * i];
      bs[i] = b.inputs[2 * i + 1];
    }
    return { as, bs, ys: b.targets, n: b.size };
  };
  return { train: conv(train), test: conv(test) };
}
