/** The (a + b) mod p dataset and its seeded train/test split. */
import type { Rng } from './prng.js';

export interface Split {
  as: Int32Array;
  bs: Int32Array;
  ys: Int32Array;
  n: number;
}

/**
 * Fisher–Yates shuffle of all p² ordered pairs (a, b) with `rng`; the first
 * round(trainFrac · p²) are the training set, the rest the test set.
 */
export function makeSplit(p: number, trainFrac: number, rng: Rng): { train: Split; test: Split } {
  const total = p * p;
  const order = new Int32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  for (let i = total - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const nTrain = Math.round(trainFrac * total);
  const take = (from: number, to: number): Split => {
    const n = to - from;
    const as = new Int32Array(n);
    const bs = new Int32Array(n);
    const ys = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = order[from + i];
      as[i] = Math.floor(k / p);
      bs[i] = k % p;
      ys[i] = (as[i] + bs[i]) % p;
    }
    return { as, bs, ys, n };
  };
  return { train: take(0, nTrain), test: take(nTrain, total) };
}
