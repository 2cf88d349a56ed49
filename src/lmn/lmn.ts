/**
 * The linear mapping number (Liu, Zhong & Tegmark 2023, "Grokking as Compression: A Nonlinear
 * Complexity Perspective", §3), exactly as the paper defines it.
 */
import { OckhamError } from '../errors.js';
import { symmetricEigen } from '../spectral/index.js';
import { assertInt, assertKnownOptions, assertOneOf } from '../util/validate.js';
import { ACTIVATIONS, applyActivation } from './activations.js';
import { spectralEntropyBits } from './connectivity.js';
import { modelArena } from '../model/gemm.js';
import { assertModel } from '../model/adapter-util.js';
import { assertControl, checkAbort } from '../util/abort.js';
import { yieldGate } from '../util/yield-gate.js';
import type { ModelAdapter, Batch } from '../model/types.js';

const pad8 = (n: number): number => (n + 7) & ~7;
const pad4 = (n: number): number => (n + 3) & ~3;

/** Called with the pairs done after each block: reports progress, checks the signal, returns a Promise when it is time to yield. */
type Tick = ((pairsDone: number) => Promise<void> | undefined) | null;
import type {
  LinearMappingNumberOptions,
  LinearMappingNumberResult,
  LmnActivation,
  LmnBatchFn,
  LmnLayer,
  LmnModel,
  LmnSamples,
} from './types.js';

/** A validated layer in float64. */
interface Dense {
  readonly w: Float64Array; // [out][in]
  readonly b: Float64Array;
  readonly out: number;
  readonly inp: number;
  readonly act: LmnActivation;
}

/**
 * A segment output whose standard deviation over the points is at most this fraction of its
 * largest magnitude counts as constant (r² = 1): the paper treats constants as affine, and a
 * mathematically constant output computed in floating point shows only round-off variation,
 * whose correlation with t would otherwise be an arbitrary number.
 */
const CONSTANT_REL_TOL = 1e-10;

function isThenable<T>(v: unknown): v is PromiseLike<T> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

function toFloat64(x: ArrayLike<number>, name: string): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new OckhamError('NON_FINITE', name, `element ${i} is ${String(v)}; expected finite values`);
    }
    out[i] = v;
  }
  return out;
}

function validateLayers(layers: readonly LmnLayer[]): Dense[] {
  if (layers.length === 0) throw new OckhamError('EMPTY', 'f', 'expected at least one layer');
  const out: Dense[] = [];
  for (let l = 0; l < layers.length; l++) {
    const layer = layers[l];
    const name = `f[${l}]`;
    if (layer === null || typeof layer !== 'object') {
      throw new OckhamError('INVALID_ARGUMENT', name, 'expected a layer { weight, shape, bias?, activation? }');
    }
    assertKnownOptions(layer, name, ['weight', 'shape', 'bias', 'activation']);
    const shape = layer.shape;
    if (!Array.isArray(shape) || shape.length !== 2) {
      throw new OckhamError('INVALID_ARGUMENT', `${name}.shape`, 'expected [outputs, inputs]');
    }
    const nOut = assertInt(shape[0], `${name}.shape[0]`, 1, 2 ** 26);
    const nIn = assertInt(shape[1], `${name}.shape[1]`, 1, 2 ** 26);
    const wRaw = layer.weight;
    if (!(wRaw instanceof Float32Array) && !(wRaw instanceof Float64Array)) {
      throw new OckhamError('INVALID_ARGUMENT', `${name}.weight`, 'expected a Float32Array or Float64Array');
    }
    if (wRaw.length !== nOut * nIn) {
      throw new OckhamError(
        'SHAPE_MISMATCH',
        `${name}.weight`,
        `length ${wRaw.length} does not match shape [${nOut}, ${nIn}] (product ${nOut * nIn})`,
      );
    }
    if (l > 0 && nIn !== out[l - 1].out) {
      throw new OckhamError(
        'SHAPE_MISMATCH',
        `${name}.shape`,
        `layer ${l} takes ${nIn} inputs but layer ${l - 1} has ${out[l - 1].out} outputs`,
      );
    }
    let b: Float64Array;
    if (layer.bias !== undefined) {
      const bRaw = layer.bias;
      if (!(bRaw instanceof Float32Array) && !(bRaw instanceof Float64Array)) {
        throw new OckhamError('INVALID_ARGUMENT', `${name}.bias`, 'expected a Float32Array or Float64Array');
      }
      if (bRaw.length !== nOut) {
        throw new OckhamError('SHAPE_MISMATCH', `${name}.bias`, `length ${bRaw.length} does not match ${nOut} outputs`);
      }
      b = toFloat64(bRaw, `${name}.bias`);
    } else {
      b = new Float64Array(nOut);
    }
    const act = assertOneOf(layer.activation ?? 'identity', `${name}.activation`, ACTIVATIONS);
    out.push({ w: toFloat64(wRaw, `${name}.weight`), b, out: nOut, inp: nIn, act });
  }
  return out;
}

function readSamples(samples: LmnSamples): { x: Float64Array; m: number; d: number } {
  if (Array.isArray(samples)) {
    const m = samples.length;
    if (m < 2) throw new OckhamError('OUT_OF_RANGE', 'samples', `expected at least 2 samples, got ${m}`);
    const first = samples[0];
    if (first === null || typeof first !== 'object' || typeof first.length !== 'number' || first.length === 0) {
      throw new OckhamError('INVALID_ARGUMENT', 'samples[0]', 'expected a non-empty array of numbers');
    }
    const d = first.length;
    const x = new Float64Array(m * d);
    for (let i = 0; i < m; i++) {
      const row = samples[i];
      if (row === null || typeof row !== 'object' || row.length !== d) {
        throw new OckhamError('SHAPE_MISMATCH', `samples[${i}]`, `expected ${d} values like samples[0]`);
      }
      for (let k = 0; k < d; k++) {
        const v = row[k];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new OckhamError('NON_FINITE', `samples[${i}]`, `element ${k} is ${String(v)}; expected finite values`);
        }
        x[i * d + k] = v;
      }
    }
    return { x, m, d };
  }
  const s = samples as { data?: unknown; shape?: unknown };
  if (s === null || typeof s !== 'object' || !Array.isArray(s.shape) || s.shape.length !== 2) {
    throw new OckhamError('INVALID_ARGUMENT', 'samples', 'expected an array of rows or { data, shape: [m, d] }');
  }
  const m = assertInt(s.shape[0], 'samples.shape[0]', 0, 2 ** 26);
  const d = assertInt(s.shape[1], 'samples.shape[1]', 1, 2 ** 26);
  if (m < 2) throw new OckhamError('OUT_OF_RANGE', 'samples', `expected at least 2 samples, got ${m}`);
  const data = s.data;
  if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
    throw new OckhamError('INVALID_ARGUMENT', 'samples.data', 'expected a Float32Array or Float64Array');
  }
  if (data.length !== m * d) {
    throw new OckhamError('SHAPE_MISMATCH', 'samples.data', `length ${data.length} does not match shape [${m}, ${d}]`);
  }
  return { x: toFloat64(data, 'samples.data'), m, d };
}

/** y[r][o] = act(Σᵢ W[o][i]·x[r][i] + b[o]) for `rows` rows. */
function denseForward(layer: Dense, x: Float64Array, rows: number, y: Float64Array): void {
  const { w, b, out, inp } = layer;
  for (let r = 0; r < rows; r++) {
    const xo = r * inp;
    const yo = r * out;
    for (let o = 0; o < out; o++) {
      const wo = o * inp;
      let s = b[o];
      for (let i = 0; i < inp; i++) s += w[wo + i] * x[xo + i];
      y[yo + o] = s;
    }
  }
  applyActivation(layer.act, y, 0, rows * out);
}

/** Runs rows through `layers` with preallocated per-layer buffers; returns the last buffer. */
function makeStack(layers: readonly Dense[], maxRows: number): (x: Float64Array, rows: number) => Float64Array {
  const bufs = layers.map((l) => new Float64Array(maxRows * l.out));
  return (x, rows) => {
    let cur = x;
    for (let l = 0; l < layers.length; l++) {
      denseForward(layers[l], cur, rows, bufs[l]);
      cur = bufs[l];
    }
    return cur;
  };
}

/**
 * Mean over outputs of r²(f_k(t), t) for one segment, from `vals` (P × K row-major, point-major).
 * `tc` holds t_p − mean(t); `stt` = Σ tc².
 */
function meanR2(vals: Float64Array, p: number, kOut: number, tc: Float64Array, stt: number): number {
  let total = 0;
  for (let k = 0; k < kOut; k++) {
    let mean = 0;
    let maxAbs = 0;
    let sxy = 0;
    for (let q = 0; q < p; q++) {
      const v = vals[q * kOut + k];
      mean += v;
      sxy += tc[q] * v; // Σ tc = 0, so no centring of v needed here
      const a = Math.abs(v);
      if (a > maxAbs) maxAbs = a;
    }
    mean /= p;
    let syy = 0;
    for (let q = 0; q < p; q++) {
      const dv = vals[q * kOut + k] - mean;
      syy += dv * dv;
    }
    const sd = Math.sqrt(syy / p);
    if (sd <= CONSTANT_REL_TOL * maxAbs) {
      total += 1;
      continue;
    }
    const r2 = (sxy * sxy) / (stt * syy);
    total += r2 > 1 ? 1 : r2;
  }
  return total / kOut;
}

/**
 * The linear mapping number of f on a set of samples (Liu, Zhong & Tegmark 2023, §3):
 *
 * 1. for each pair (i, j), f is evaluated at P evenly spaced points x_i + t(x_j − x_i),
 *    t = 0, 1/(P−1), …, 1 (P = 21 in the paper);
 * 2. for each output k, r²_k is the squared Pearson correlation of f_k(x(t)) with t — an output
 *    constant along the segment counts as r² = 1 (it is affine; this is what makes every affine f
 *    give LMN = 1) — and L_ij = mean_k r²_k, L_ii = 1;
 * 3. p = |eigenvalues of L| normalised to sum 1 (round-off below 1e-12 of the largest dropped),
 *    S = −Σ p·log₂ p bits, LMN = 2^S.
 * No Jacobians, temperature or threshold are involved. "Constant" means an output whose standard
 * deviation over the segment is ≤ 1e-10 of its largest magnitude (round-off of a true constant).
 *
 * For an MLP given as layers, the first affine layer after `fromLayer` is evaluated only at the
 * sample endpoints (pre-activations are affine along a segment), the endpoint outputs are shared by
 * all pairs, and only the P − 2 interior points of each pair go through the rest of the network.
 * Cost ≈ m²/2 · (P − 2) · (Σ of the later layers' weight counts) multiply-adds, plus an m × m
 * symmetric eigendecomposition.
 *
 * @param f - An MLP as layers ({@link LmnLayer}: weight [out, in] row-major, bias, activation among
 *   identity, relu, gelu, silu, tanh, sigmoid) or a batch callback ({@link LmnBatchFn}).
 * @param samples - m ≥ 2 inputs: rows, or `{ data, shape: [m, d] }`. Not modified.
 * @param options - `points` (default 21, ≥ 3), `fromLayer` (layers only; default 0; the paper uses
 *   1), `returnMatrix` (default false), `signal` (checked between blocks of pairs), `onProgress`
 *   (pairs done of m(m − 1)/2); see {@link LinearMappingNumberOptions}.
 * @returns A Promise of `{ lmn, entropyBits, matrix? }`: LMN in [1, m] (dimensionless), S in bits,
 *   and L (m × m, row-major) when asked for.
 * @throws {@link OckhamError} naming the argument: layer shape mismatch (`f[l].shape`, `f[l].weight`,
 *   `f[l].bias`), unknown activation (`f[l].activation`), fewer than 2 samples (`samples`),
 *   non-finite values (`samples…`, `f[l]…`, or `f` for a callback output), `points` < 3,
 *   `fromLayer` out of range or used with a callback, a callback output of the wrong length, a bad
 *   `options.signal` / `options.onProgress`. Rejects with `signal.reason` when aborted.
 * @example
 * ```ts
 * import { linearMappingNumber } from 'ockham';
 * // |x| = relu(x) + relu(−x) on {−1, 1}: the segment's output is V-shaped, r² = 0, LMN = 2.
 * const abs = [
 *   { weight: new Float64Array([1, -1]), shape: [2, 1] as const, activation: 'relu' as const },
 *   { weight: new Float64Array([1, 1]), shape: [1, 2] as const },
 * ];
 * (await linearMappingNumber(abs, [[-1], [1]])).lmn; // 2
 * ```
 */
export async function linearMappingNumber(
  f: readonly LmnLayer[] | LmnBatchFn | LmnModel,
  samples: LmnSamples | Pick<Batch, 'inputs' | 'size'>,
  options: LinearMappingNumberOptions = {},
): Promise<LinearMappingNumberResult> {
  if (f !== null && typeof f === 'object' && !Array.isArray(f)) {
    const { model: m, params } = f as LmnModel;
    const model = assertModel(m, 'f.model');
    const tail = model.denseTail?.(params) ?? null;
    const s = samples as Pick<Batch, 'inputs' | 'size'>;
    const isBatch = s !== null && typeof s === 'object' && !Array.isArray(s) && 'inputs' in s;
    if (tail === null) {
      // Any adapter: the whole model as a batch callback on feature inputs.
      if (options.fromLayer !== undefined && options.fromLayer !== 0) {
        throw new OckhamError('INVALID_ARGUMENT', 'options.fromLayer', 'this model has no dense tail to measure from a layer');
      }
      const fn: LmnBatchFn = (x, count) => model.logits(params, { inputs: x, size: count });
      return linearMappingNumber(fn, isBatch ? { data: Float64Array.from(s.inputs), shape: [s.size, s.inputs.length / s.size] } : (samples as LmnSamples), options);
    }
    const xs: LmnSamples = isBatch ? { data: tail.features(s), shape: [s.size, tail.inputDim] } : (samples as LmnSamples);
    return linearMappingNumber(tail.layers as readonly LmnLayer[], xs, options);
  }
  assertKnownOptions(options, 'options', ['points', 'fromLayer', 'returnMatrix', 'signal', 'onProgress']);
  assertControl(options);
  const points = assertInt(options.points ?? 21, 'options.points', 3, 1 << 20);
  const returnMatrix = options.returnMatrix ?? false;
  if (typeof returnMatrix !== 'boolean') {
    throw new OckhamError('INVALID_ARGUMENT', 'options.returnMatrix', `expected a boolean, got ${String(returnMatrix)}`);
  }
  const { x, m, d } = readSamples(samples as LmnSamples);
  const { signal, onProgress } = options;
  const totalPairs = (m * (m - 1)) / 2;
  let tick: Tick = null;
  if (signal !== undefined || onProgress !== undefined) {
    const gate = yieldGate(signal);
    const every = Math.max(1, Math.ceil(totalPairs / 100));
    let next = 0;
    tick = (done) => {
      if (onProgress !== undefined && done >= next && done < totalPairs) {
        onProgress(done, totalPairs, 'pairs');
        next = done + every;
      }
      return gate === null ? undefined : gate();
    };
  }

  // t grid and its centred copy.
  const tc = new Float64Array(points);
  let tMean = 0;
  for (let q = 0; q < points; q++) tMean += q / (points - 1);
  tMean /= points;
  let stt = 0;
  for (let q = 0; q < points; q++) {
    tc[q] = q / (points - 1) - tMean;
    stt += tc[q] * tc[q];
  }

  const L = new Float64Array(m * m);
  for (let i = 0; i < m; i++) L[i * m + i] = 1;
  let affine: { affine: true; warning: string } | Record<string, never> = {};

  if (typeof f === 'function') {
    if (options.fromLayer !== undefined && options.fromLayer !== 0) {
      throw new OckhamError('INVALID_ARGUMENT', 'options.fromLayer', 'fromLayer needs f given as layers, not a callback');
    }
    await pairsFromCallback(f, x, m, d, points, tc, stt, L, tick);
  } else {
    if (!Array.isArray(f)) {
      throw new OckhamError('INVALID_ARGUMENT', 'f', 'expected an array of layers or a batch function');
    }
    const layers = validateLayers(f);
    const fromLayer = assertInt(options.fromLayer ?? 0, 'options.fromLayer', 0, layers.length - 1);
    if (d !== layers[0].inp) {
      throw new OckhamError('SHAPE_MISMATCH', 'samples', `samples have ${d} features but f[0] takes ${layers[0].inp}`);
    }
    await pairsFromLayers(layers, fromLayer, x, m, points, tc, stt, L, tick);
    if (layers.slice(fromLayer).every((l) => l.act === 'identity')) {
      affine = {
        affine: true,
        warning:
          `AFFINE_MAP: layers ${fromLayer}..${layers.length - 1} apply no nonlinearity, so the measured map is affine and LMN = 1 by ` +
          'construction (to measure the network, start before a layer with an activation: fromLayer counts layers, and a layer\'s activation follows its affine map)',
      };
    }
  }

  checkAbort(signal);
  onProgress?.(totalPairs, totalPairs, 'eigendecomposition');
  checkAbort(signal);
  const { values } = symmetricEigen(L, m);
  checkAbort(signal);
  onProgress?.(totalPairs, totalPairs, 'done');
  const entropyBits = spectralEntropyBits(values);
  const result: LinearMappingNumberResult = { lmn: 2 ** entropyBits, entropyBits, ...affine };
  return returnMatrix ? { ...result, matrix: L } : result;
}

/** Rows per block of interior points pushed through the later layers at once. */
const BLOCK_ROWS = 512;

/**
 * Fills L for an MLP (see {@link linearMappingNumber} for the endpoint-sharing scheme). The interior
 * points of many pairs go through the later layers together, as (rows × in)·(out × in)ᵀ products
 * on the WebAssembly SIMD GEMM (../model/gemm.ts; feature widths padded to 8 with zeros).
 */
async function pairsFromLayers(
  layers: readonly Dense[],
  fromLayer: number,
  x: Float64Array,
  m: number,
  points: number,
  tc: Float64Array,
  stt: number,
  L: Float64Array,
  tick: Tick,
): Promise<void> {
  if (tick !== null) {
    const y = tick(0);
    if (y !== undefined) await y;
  }
  // Activations at the input of `fromLayer`.
  const pre = layers.slice(0, fromLayer);
  const h = pre.length > 0 ? makeStack(pre, m)(x, m).slice() : x;
  const first = layers[fromLayer];
  const rest = layers.slice(fromLayer + 1);
  const h1 = first.out;
  const kOut = layers[layers.length - 1].out;

  // Pre-activations Z of the first measured layer at every sample (affine, so z(t) interpolates).
  const z = new Float64Array(m * h1);
  denseForward({ ...first, act: 'identity' }, h, m, z);
  // Endpoint outputs f(x_i), shared by every pair.
  const endA = z.slice();
  applyActivation(first.act, endA, 0, m * h1);
  const ends = rest.length > 0 ? makeStack(rest, m)(endA, m).slice() : endA;

  const interior = points - 2;
  const pairsPerBlock = Math.max(1, Math.floor(BLOCK_ROWS / interior));
  const rows = pad4(pairsPerBlock * interior);
  const widths = [pad8(h1), ...rest.map((l) => pad8(l.out))];
  let doubles = 0;
  for (const w of widths) doubles += rows * w + 2;
  rest.forEach((l, i) => (doubles += widths[i + 1] * widths[i] + 2));
  const arena = modelArena(doubles);
  const acts = widths.map((w) => arena.f64(rows * w));
  const ws = rest.map((l, i) => {
    const inP = widths[i];
    const outP = widths[i + 1];
    const w = arena.f64(outP * inP);
    for (let o = 0; o < l.out; o++) for (let k = 0; k < l.inp; k++) w[o * inP + k] = l.w[o * l.inp + k];
    return w;
  });
  const h1p = widths[0];
  const kp = widths[widths.length - 1];
  const vals = new Float64Array(points * kOut);
  const pi = new Int32Array(pairsPerBlock);
  const pj = new Int32Array(pairsPerBlock);
  let count = 0;
  let pairsDone = 0;
  const a0 = acts[0];
  const flush = (): void => {
    if (count === 0) return;
    pairsDone += count;
    const used = count * interior;
    applyActivation(first.act, a0, 0, used * h1p);
    for (let l = 0; l < rest.length; l++) {
      const layer = rest[l];
      const y = acts[l + 1];
      const outP = widths[l + 1];
      for (let r = 0; r < rows; r++) {
        const d = r * outP;
        for (let o = 0; o < layer.out; o++) y[d + o] = layer.b[o];
        for (let o = layer.out; o < outP; o++) y[d + o] = 0;
      }
      arena.nt(acts[l], ws[l], y, rows, outP, widths[l]);
      if (layer.act !== 'identity') applyActivation(layer.act, y, 0, used * outP);
    }
    const outs = acts[rest.length];
    for (let c = 0; c < count; c++) {
      const i = pi[c];
      const j = pj[c];
      for (let k = 0; k < kOut; k++) {
        vals[k] = ends[i * kOut + k];
        vals[(points - 1) * kOut + k] = ends[j * kOut + k];
      }
      for (let q = 0; q < interior; q++) {
        const src = (c * interior + q) * kp;
        const dst = (q + 1) * kOut;
        for (let k = 0; k < kOut; k++) vals[dst + k] = outs[src + k];
      }
      const r2 = meanR2(vals, points, kOut, tc, stt);
      L[i * m + j] = r2;
      L[j * m + i] = r2;
    }
    count = 0;
  };
  a0.fill(0);
  for (let i = 0; i < m; i++) {
    const zi = i * h1;
    for (let j = i + 1; j < m; j++) {
      const zj = j * h1;
      const base = count * interior;
      for (let q = 0; q < interior; q++) {
        const t = (q + 1) / (points - 1);
        const ao = (base + q) * h1p;
        for (let u = 0; u < h1; u++) a0[ao + u] = z[zi + u] + t * (z[zj + u] - z[zi + u]);
        for (let u = h1; u < h1p; u++) a0[ao + u] = 0;
      }
      pi[count] = i;
      pj[count] = j;
      if (++count === pairsPerBlock) {
        flush();
        if (tick !== null) {
          const y = tick(pairsDone);
          if (y !== undefined) await y;
        }
      }
    }
  }
  flush();
}

/** Fills L for a batch callback, evaluating many segments per call. */
async function pairsFromCallback(
  f: LmnBatchFn,
  x: Float64Array,
  m: number,
  d: number,
  points: number,
  tc: Float64Array,
  stt: number,
  L: Float64Array,
  tick: Tick,
): Promise<void> {
  if (tick !== null) {
    const y = tick(0);
    if (y !== undefined) await y;
  }
  const call = async (batch: Float64Array, count: number): Promise<ArrayLike<number>> => {
    let r = f(batch, count);
    if (isThenable<ArrayLike<number>>(r)) r = await r;
    if (r === null || typeof r !== 'object' || typeof (r as ArrayLike<number>).length !== 'number') {
      throw new OckhamError('INVALID_ARGUMENT', 'f', 'the callback must return an array of count × outputs numbers');
    }
    return r;
  };
  const endsRaw = await call(x.slice(), m);
  const kOut = endsRaw.length / m;
  if (!Number.isInteger(kOut) || kOut < 1) {
    throw new OckhamError('SHAPE_MISMATCH', 'f', `returned ${endsRaw.length} values for ${m} inputs; expected a multiple of ${m}`);
  }
  const ends = toFloat64(endsRaw, 'f');
  const interior = points - 2;
  // Pairs per call: about 4096 rows a batch.
  const perCall = Math.max(1, Math.floor(4096 / interior));
  const pi = new Int32Array(perCall);
  const pj = new Int32Array(perCall);
  const batch = new Float64Array(perCall * interior * d);
  const vals = new Float64Array(points * kOut);
  let count = 0;
  let pairsDone = 0;
  const flush = async (): Promise<void> => {
    if (count === 0) return;
    pairsDone += count;
    const rows = count * interior;
    const out = await call(batch.subarray(0, rows * d), rows);
    if (out.length !== rows * kOut) {
      throw new OckhamError('SHAPE_MISMATCH', 'f', `returned ${out.length} values for ${rows} inputs; expected ${rows * kOut}`);
    }
    for (let c = 0; c < count; c++) {
      const i = pi[c];
      const j = pj[c];
      for (let k = 0; k < kOut; k++) {
        vals[k] = ends[i * kOut + k];
        vals[(points - 1) * kOut + k] = ends[j * kOut + k];
      }
      const base = c * interior * kOut;
      for (let q = 0; q < interior * kOut; q++) {
        const v = out[base + q];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new OckhamError('NON_FINITE', 'f', `output ${base + q} is ${String(v)}; expected finite values`);
        }
        vals[kOut + q] = v;
      }
      const r2 = meanR2(vals, points, kOut, tc, stt);
      L[i * m + j] = r2;
      L[j * m + i] = r2;
    }
    count = 0;
  };
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const bo = count * interior * d;
      for (let q = 0; q < interior; q++) {
        const t = (q + 1) / (points - 1);
        const ro = bo + q * d;
        for (let u = 0; u < d; u++) batch[ro + u] = x[i * d + u] + t * (x[j * d + u] - x[i * d + u]);
      }
      pi[count] = i;
      pj[count] = j;
      if (++count === perCall) {
        await flush();
        if (tick !== null) {
          const y = tick(pairsDone);
          if (y !== undefined) await y;
        }
      }
    }
  }
  await flush();
}
