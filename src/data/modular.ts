/**
 * The modular-arithmetic dataset of the grokking experiments: all p² ordered pairs (a, b) with
 * label (a + b) mod p (or another operation), split by a seeded shuffle.
 */
import { OckhamError } from '../errors.js';
import { assertInt, assertNumber, assertOneOf } from '../util/validate.js';
import type { Batch } from '../model/types.js';
import { mulberry32, type Mulberry32 } from './prng.js';

/** Options of {@link modularArithmetic}. */
export interface ModularArithmeticOptions {
  /** Modulus p (2..1024). */
  readonly p: number;
  /** Share of the p² pairs in the training set, in (0, 1). Default 0.5. */
  readonly trainFraction?: number;
  /** Seed of the mulberry32 shuffle (the shipped run uses 0). Default 0. */
  readonly seed?: number;
  /** Label: `'add'` (a + b mod p, default), `'sub'` (a − b mod p) or `'mul'` (a·b mod p). */
  readonly op?: 'add' | 'sub' | 'mul';
  /** Use this stream instead of `mulberry32(seed)` (the shipped trainer continues it for the init). */
  readonly rng?: Mulberry32;
}

/** Train and test batches: inputs are token pairs (size × 2, Int32), targets class ids (Int32). */
export interface DataSplit {
  readonly train: Batch & { readonly inputs: Int32Array; readonly targets: Int32Array };
  readonly test: Batch & { readonly inputs: Int32Array; readonly targets: Int32Array };
}

/**
 * All p² pairs (a, b) → op(a, b) mod p, Fisher–Yates shuffled by mulberry32(seed) (index
 * k = a·p + b; j = ⌊next()·(i + 1)⌋ for i = p² − 1 … 1); the first round(trainFraction·p²) pairs
 * train, the rest test. This is exactly the split of the shipped grokking run
 * (examples/grokking, p = 47, trainFraction 0.5, seed 0: 1,105 / 1,104 pairs).
 *
 * @param options - {@link ModularArithmeticOptions}.
 * @returns {@link DataSplit} with token-pair inputs for an embedding model (`input: { tokens: 2 }`).
 * @throws {@link OckhamError} for p out of 2..1024, a train fraction outside (0, 1), a split leaving
 *   either side empty, or an unknown op.
 * @example
 * ```ts
 * import { modularArithmetic } from 'ockham';
 * const { train, test } = modularArithmetic({ p: 47, trainFraction: 0.5, seed: 0 });
 * train.size; // 1105
 * ```
 */
export function modularArithmetic(options: ModularArithmeticOptions): DataSplit {
  if (options === null || typeof options !== 'object') throw new OckhamError('INVALID_ARGUMENT', 'options', 'expected { p, trainFraction?, seed?, op? }');
  const p = assertInt(options.p, 'options.p', 2, 1024);
  const frac = assertNumber(options.trainFraction ?? 0.5, 'options.trainFraction', 0, 1, { minExclusive: true, maxExclusive: true });
  const op = assertOneOf(options.op ?? 'add', 'options.op', ['add', 'sub', 'mul'] as const);
  const rng = options.rng ?? mulberry32(assertInt(options.seed ?? 0, 'options.seed', 0, 2 ** 32 - 1));
  const total = p * p;
  const order = new Int32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  for (let i = total - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const nTrain = Math.round(frac * total);
  if (nTrain < 1 || nTrain >= total) throw new OckhamError('OUT_OF_RANGE', 'options.trainFraction', `leaves ${nTrain} of ${total} pairs for training; both sides need at least one`);
  const take = (from: number, to: number): DataSplit['train'] => {
    const n = to - from;
    const inputs = new Int32Array(2 * n);
    const targets = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = order[from + i];
      const a = Math.floor(k / p);
      const b = k % p;
      inputs[2 * i] = a;
      inputs[2 * i + 1] = b;
      targets[i] = op === 'add' ? (a + b) % p : op === 'sub' ? (((a - b) % p) + p) % p : (a * b) % p;
    }
    return { inputs, targets, size: n };
  };
  return { train: take(0, nTrain), test: take(nTrain, total) };
}
