/**
 * The built-in model adapter: a small sequential network (embedding, dense, relu / tanh / gelu,
 * layer norm; softmax cross-entropy or MSE) with analytic backward passes. Dense layers run on the
 * WebAssembly SIMD GEMM kernels (./gemm.ts) in float64; everything else is a typed-array loop.
 */
import { OckhamError } from '../errors.js';
import { erf } from '../lmn/activations.js';
import { createRng } from '../util/random.js';
import { modelTensors, type ModelTensors, type NamedTensor } from '../util/model.js';
import { assertInt, assertKnownOptions, assertNumber, assertOneOf, type FloatArray } from '../util/validate.js';
import { modelArena, type ModelArena } from './gemm.js';
import type { Batch, LossAndGrad, ModelAdapter, ParamInfo } from './types.js';

/** One layer of a {@link SequentialSpec}. Weight layout: dense `[inputs, units]` (x·W + b). */
export type LayerSpec =
  | {
      readonly type: 'embedding';
      /** Number of token ids (0..vocab−1). */
      readonly vocab: number;
      /** Embedding width; the layer outputs tokens × dim features, tokens concatenated. */
      readonly dim: number;
      /** Parameter name (default `embedding<i>`). */
      readonly name?: string;
    }
  | {
      readonly type: 'dense';
      readonly units: number;
      /** Default true. */
      readonly bias?: boolean;
      /** Layer name: a bias-free layer's weight is called `name`; otherwise `name.weight`, `name.bias`. Default `dense<i>`. */
      readonly name?: string;
      /** `'pytorch'` (default: weight and bias U(±1/√fan_in)) or `'glorot'` (U(±√(6/(in+out))), bias 0). */
      readonly init?: 'pytorch' | 'glorot';
    }
  | {
      readonly type: 'conv2d';
      /** Output channels. */
      readonly filters: number;
      /** Kernel size k (k × k) or [kh, kw]. Stride 1. */
      readonly kernel: number | readonly [number, number];
      /** Zero padding on every side. Default 0 ('valid'). */
      readonly padding?: number;
      /** Default true. */
      readonly bias?: boolean;
      /** Parameters `name.weight` [filters, channels, kh, kw] (PyTorch layout) and `name.bias`. Default `conv2d<i>`. */
      readonly name?: string;
    }
  | { readonly type: 'relu' }
  | { readonly type: 'tanh' }
  | { readonly type: 'gelu' }
  | {
      readonly type: 'layerNorm';
      /** Default 1e-5. */
      readonly eps?: number;
      /** Parameters `name.gamma` (init 1) and `name.beta` (init 0). Default `layerNorm<i>`. */
      readonly name?: string;
    };

/** A sequential model description. */
export interface SequentialSpec {
  /**
   * `{ tokens }` when the first layer is an embedding (integer inputs), `{ image: [C, H, W] }` for
   * channel-first images (a conv2d may follow; features = C·H·W), else `{ features }`.
   */
  readonly input: { readonly tokens: number } | { readonly features: number } | { readonly image: readonly [number, number, number] };
  readonly layers: readonly LayerSpec[];
  /** `'crossEntropy'` (mean softmax cross-entropy over samples, nats) or `'mse'` (mean over elements). */
  readonly loss: 'crossEntropy' | 'mse';
  /** Multiplies every initial weight and bias (Omnigrok's α). Default 1. */
  readonly initScale?: number;
}

/** The dense tail of a sequential model, in the LMN's layer format ([out, in] weights). @internal */
export interface DenseTail {
  readonly layers: { weight: Float64Array; shape: [number, number]; bias?: Float64Array; activation: 'identity' | 'relu' | 'tanh' | 'gelu' }[];
  /** The tail's input for model inputs (size × inputDim). */
  features(batch: Pick<Batch, 'inputs' | 'size'>): Float64Array;
  readonly inputDim: number;
}

type Op =
  | { kind: 'embedding'; off: number; vocab: number; dim: number; tokens: number; F: number; Fp: number }
  | { kind: 'dense'; wOff: number; bOff: number; inF: number; inFp: number; outF: number; outFp: number; init: 'pytorch' | 'glorot' }
  | {
      kind: 'conv2d';
      wOff: number;
      bOff: number;
      C: number;
      H: number;
      W: number;
      O: number;
      kh: number;
      kw: number;
      pad: number;
      Ho: number;
      Wo: number;
      K: number;
      Kp: number;
      Op: number;
      P: number; // Ho·Wo
      Pp: number; // padded to 4
      F: number;
      Fp: number;
    }
  | { kind: 'relu' | 'tanh' | 'gelu'; F: number; Fp: number }
  | { kind: 'layerNorm'; gOff: number; bOff: number; F: number; Fp: number; eps: number };

interface DenseBufs {
  w: Float64Array;
  wt: Float64Array;
  negdW: Float64Array;
}

interface Workspace {
  rows: number; // padded row count
  arena: ModelArena;
  acts: Float64Array[]; // acts[0] input, acts[l+1] output of op l
  grads: Float64Array[];
  dense: (DenseBufs | null)[];
  ln: ({ xhat: Float64Array; rstd: Float64Array } | null)[];
  conv: ({ col: Float64Array; ys: Float64Array; dcol: Float64Array; wm: Float64Array; wmt: Float64Array; negdW: Float64Array } | null)[];
}

const pad8 = (n: number): number => (n + 7) & ~7;
const pad4 = (n: number): number => (n + 3) & ~3;
/** Rows per chunk: bounds the workspace (≈ rows × Σ padded widths × 16 bytes). */
const CHUNK = 512;
const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

type ConvOp = Extract<Op, { kind: 'conv2d' }>;

/** col[q·Kp + (c·kh + i)·kw + j] = x[c, y + i − pad, x + j − pad] (0 outside), q = y·Wo + x; padding rows/cols 0. */
function im2col(o: ConvOp, x: Float64Array, base: number, col: Float64Array): void {
  const { C, H, W, kh, kw, pad, Ho, Wo, Kp } = o;
  col.fill(0);
  for (let yy = 0; yy < Ho; yy++) {
    for (let xx = 0; xx < Wo; xx++) {
      const row = (yy * Wo + xx) * Kp;
      let k = 0;
      for (let c = 0; c < C; c++) {
        const cb = base + c * H * W;
        for (let i = 0; i < kh; i++) {
          const sy = yy + i - pad;
          for (let j = 0; j < kw; j++, k++) {
            const sx = xx + j - pad;
            if (sy >= 0 && sy < H && sx >= 0 && sx < W) col[row + k] = x[cb + sy * W + sx];
          }
        }
      }
    }
  }
}

/** The adjoint of {@link im2col}: dx[c, y + i − pad, x + j − pad] += dcol[…]. */
function col2imAdd(o: ConvOp, dcol: Float64Array, dx: Float64Array, base: number): void {
  const { C, H, W, kh, kw, pad, Ho, Wo, Kp } = o;
  for (let yy = 0; yy < Ho; yy++) {
    for (let xx = 0; xx < Wo; xx++) {
      const row = (yy * Wo + xx) * Kp;
      let k = 0;
      for (let c = 0; c < C; c++) {
        const cb = base + c * H * W;
        for (let i = 0; i < kh; i++) {
          const sy = yy + i - pad;
          for (let j = 0; j < kw; j++, k++) {
            const sx = xx + j - pad;
            if (sy >= 0 && sy < H && sx >= 0 && sx < W) dx[cb + sy * W + sx] += dcol[row + k];
          }
        }
      }
    }
  }
}

/**
 * Builds the built-in {@link ModelAdapter} from a sequential description.
 *
 * Parameters (flat order = layer order): embedding `name` [vocab, dim]; dense `name` [in, units]
 * (bias-free) or `name.weight` [in, units] + `name.bias` [units]; layer norm `name.gamma`,
 * `name.beta` [features]. Forward: dense y = x·W + b; gelu is the exact x·Φ(x); layer norm
 * normalises each sample over its features (biased variance, ε inside the square root). Losses:
 * mean softmax cross-entropy over samples (nats) or MSE averaged over all output elements.
 * Backward passes are analytic (checked against central finite differences in the tests); dense
 * products run in float64 on the WebAssembly SIMD GEMM (plain JS loops where wasm SIMD is absent),
 * in chunks of 512 samples. Init (`init(seed)`): dense per its `init` ('pytorch': U(±1/√fan_in) for
 * weight and bias, as nn.Linear), embedding N(0, 1) (as nn.Embedding), layer norm γ = 1, β = 0, all
 * times `initScale`, drawn in parameter order from `createRng(seed)`.
 *
 * @param spec - {@link SequentialSpec}.
 * @returns A {@link ModelAdapter} (a plain object; its workspaces are cached per chunk size).
 * @throws {@link OckhamError} on a bad description (naming `spec.layers[i]…`), and from the
 *   adapter's methods on a parameter vector of the wrong length or with non-finite values
 *   (`params`), a batch whose arrays do not match `size` (`batch.inputs` / `batch.targets`), or
 *   token / class ids out of range.
 * @example
 * ```ts
 * import { sequentialModel } from 'ockham';
 * const model = sequentialModel({
 *   input: { features: 2 },
 *   layers: [{ type: 'dense', units: 8 }, { type: 'tanh' }, { type: 'dense', units: 2 }],
 *   loss: 'crossEntropy',
 * });
 * const w = model.init(0);
 * const batch = { inputs: new Float64Array([0, 1, 1, 0]), targets: new Int32Array([1, 0]), size: 2 };
 * const { loss, grad } = model.lossAndGrad(w, batch); // loss in nats, grad.length === model.size
 * ```
 */
export function sequentialModel(spec: SequentialSpec): ModelAdapter {
  if (spec === null || typeof spec !== 'object') throw new OckhamError('INVALID_ARGUMENT', 'spec', 'expected { input, layers, loss }');
  assertKnownOptions(spec, 'spec', ['input', 'layers', 'loss', 'initScale']);
  const lossKind = assertOneOf(spec.loss, 'spec.loss', ['crossEntropy', 'mse'] as const);
  const initScale = assertNumber(spec.initScale ?? 1, 'spec.initScale', 0, Infinity, { minExclusive: true });
  const input = spec.input as { tokens?: number; features?: number };
  if (input === null || typeof input !== 'object') throw new OckhamError('INVALID_ARGUMENT', 'spec.input', 'expected { tokens } or { features }');
  assertKnownOptions(input, 'spec.input', ['tokens', 'features', 'image']);
  const image = (input as { image?: readonly number[] }).image;
  const tokenMode = input.tokens !== undefined;
  if ([tokenMode, input.features !== undefined, image !== undefined].filter(Boolean).length !== 1) {
    throw new OckhamError('INVALID_ARGUMENT', 'spec.input', 'give exactly one of tokens (embedding first), features, image');
  }
  let shape3: [number, number, number] | null = null;
  if (image !== undefined) {
    if (!Array.isArray(image) || image.length !== 3) throw new OckhamError('INVALID_ARGUMENT', 'spec.input.image', 'expected [channels, height, width]');
    shape3 = [assertInt(image[0], 'spec.input.image[0]', 1, 1 << 16), assertInt(image[1], 'spec.input.image[1]', 1, 1 << 14), assertInt(image[2], 'spec.input.image[2]', 1, 1 << 14)];
  }
  const inDim = tokenMode
    ? assertInt(input.tokens, 'spec.input.tokens', 1, 1 << 16)
    : shape3 !== null
      ? shape3[0] * shape3[1] * shape3[2]
      : assertInt(input.features, 'spec.input.features', 1, 1 << 24);
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) throw new OckhamError('EMPTY', 'spec.layers', 'expected at least one layer');

  const ops: Op[] = [];
  const params: ParamInfo[] = [];
  const names = new Set<string>();
  let off = 0;
  const addParam = (name: string, shape: number[], where: string): number => {
    if (names.has(name)) throw new OckhamError('INVALID_ARGUMENT', where, `duplicate parameter name '${name}'`);
    names.add(name);
    const size = shape.reduce((a, b) => a * b, 1);
    params.push({ name, shape, offset: off, size });
    off += size;
    return off - size;
  };
  let F = tokenMode ? -1 : inDim;
  spec.layers.forEach((layer, i) => {
    const where = `spec.layers[${i}]`;
    if (layer === null || typeof layer !== 'object') throw new OckhamError('INVALID_ARGUMENT', where, 'expected a layer object');
    const type = assertOneOf(layer.type, `${where}.type`, ['embedding', 'dense', 'conv2d', 'relu', 'tanh', 'gelu', 'layerNorm'] as const);
    if (type === 'embedding') {
      const l = layer as Extract<LayerSpec, { type: 'embedding' }>;
      assertKnownOptions(l, where, ['type', 'vocab', 'dim', 'name']);
      if (i !== 0 || !tokenMode) throw new OckhamError('INVALID_ARGUMENT', where, 'an embedding must be the first layer, with spec.input = { tokens }');
      const vocab = assertInt(l.vocab, `${where}.vocab`, 1, 1 << 24);
      const dim = assertInt(l.dim, `${where}.dim`, 1, 1 << 16);
      const o = addParam(l.name ?? `embedding${i}`, [vocab, dim], `${where}.name`);
      F = inDim * dim;
      ops.push({ kind: 'embedding', off: o, vocab, dim, tokens: inDim, F, Fp: pad8(F) });
      return;
    }
    if (i === 0 && tokenMode) throw new OckhamError('INVALID_ARGUMENT', where, 'spec.input = { tokens } needs an embedding as the first layer');
    if (type === 'conv2d') {
      const l = layer as Extract<LayerSpec, { type: 'conv2d' }>;
      assertKnownOptions(l, where, ['type', 'filters', 'kernel', 'padding', 'bias', 'name']);
      if (shape3 === null) throw new OckhamError('INVALID_ARGUMENT', where, 'conv2d needs image-shaped input: spec.input = { image: [C, H, W] } or a previous conv2d');
      const [C, H, W] = shape3;
      const O = assertInt(l.filters, `${where}.filters`, 1, 1 << 16);
      const k = l.kernel;
      const [kh, kw] = Array.isArray(k) ? [assertInt(k[0], `${where}.kernel[0]`, 1, 64), assertInt(k[1], `${where}.kernel[1]`, 1, 64)] : [assertInt(k, `${where}.kernel`, 1, 64), assertInt(k, `${where}.kernel`, 1, 64)];
      const pad = assertInt(l.padding ?? 0, `${where}.padding`, 0, 64);
      const Ho = H + 2 * pad - kh + 1;
      const Wo = W + 2 * pad - kw + 1;
      if (Ho < 1 || Wo < 1) throw new OckhamError('OUT_OF_RANGE', `${where}.kernel`, `a ${kh}×${kw} kernel does not fit a ${H}×${W} input with padding ${pad}`);
      const bias = l.bias ?? true;
      const name = l.name ?? `conv2d${i}`;
      const wOff = addParam(`${name}.weight`, [O, C, kh, kw], `${where}.name`);
      const bOff = bias ? addParam(`${name}.bias`, [O], `${where}.name`) : -1;
      const K = C * kh * kw;
      const P = Ho * Wo;
      F = O * P;
      ops.push({ kind: 'conv2d', wOff, bOff, C, H, W, O, kh, kw, pad, Ho, Wo, K, Kp: pad8(K), Op: pad8(O), P, Pp: pad4(P), F, Fp: pad8(F) });
      shape3 = [O, Ho, Wo];
      return;
    }
    if (type === 'dense') {
      shape3 = null;
      const l = layer as Extract<LayerSpec, { type: 'dense' }>;
      assertKnownOptions(l, where, ['type', 'units', 'bias', 'name', 'init']);
      const units = assertInt(l.units, `${where}.units`, 1, 1 << 20);
      const bias = l.bias ?? true;
      if (typeof bias !== 'boolean') throw new OckhamError('INVALID_ARGUMENT', `${where}.bias`, 'expected a boolean');
      const init = assertOneOf(l.init ?? 'pytorch', `${where}.init`, ['pytorch', 'glorot'] as const);
      const name = l.name ?? `dense${i}`;
      const wOff = addParam(bias ? `${name}.weight` : name, [F, units], `${where}.name`);
      const bOff = bias ? addParam(`${name}.bias`, [units], `${where}.name`) : -1;
      ops.push({ kind: 'dense', wOff, bOff, inF: F, inFp: pad8(F), outF: units, outFp: pad8(units), init });
      F = units;
      return;
    }
    if (type === 'layerNorm') {
      shape3 = null;
      const l = layer as Extract<LayerSpec, { type: 'layerNorm' }>;
      assertKnownOptions(l, where, ['type', 'eps', 'name']);
      const eps = assertNumber(l.eps ?? 1e-5, `${where}.eps`, 0, Infinity, { minExclusive: true });
      const name = l.name ?? `layerNorm${i}`;
      const gOff = addParam(`${name}.gamma`, [F], `${where}.name`);
      const bOff = addParam(`${name}.beta`, [F], `${where}.name`);
      ops.push({ kind: 'layerNorm', gOff, bOff, F, Fp: pad8(F), eps });
      return;
    }
    assertKnownOptions(layer, where, ['type']);
    ops.push({ kind: type, F, Fp: pad8(F) });
  });
  if (params.length === 0) throw new OckhamError('INVALID_ARGUMENT', 'spec.layers', 'the model has no parameters');
  const size = off;
  const outputs = F;
  const widthsP = [tokenMode ? 0 : pad8(inDim), ...ops.map((o) => (o.kind === 'dense' ? o.outFp : o.Fp))];
  const description = `sequential: ${ops
    .map((o) => (o.kind === 'embedding' ? `embedding(${o.vocab}×${o.dim})` : o.kind === 'dense' ? `dense(${o.outF})` : o.kind === 'conv2d' ? `conv2d(${o.O}, ${o.kh}×${o.kw})` : o.kind))
    .join(' → ')}, ${lossKind}`;

  // ---- workspaces ----
  const cache = new Map<number, Workspace>();
  const workspace = (rows: number): Workspace => {
    let ws = cache.get(rows);
    if (ws !== undefined) return ws;
    let doubles = 0;
    for (const w of widthsP) doubles += 2 * (rows * w + 2);
    for (const o of ops) if (o.kind === 'dense') doubles += 3 * (o.inFp * o.outFp + 2);
    for (const o of ops) if (o.kind === 'conv2d') doubles += 2 * (o.Pp * o.Kp + 2) + (o.Pp * o.Op + 2) + 3 * (o.Kp * o.Op + 2);
    const arena = modelArena(doubles);
    const acts = widthsP.map((w) => arena.f64(rows * w));
    const grads = widthsP.map((w) => arena.f64(rows * w));
    const dense = ops.map((o) =>
      o.kind === 'dense' ? { w: arena.f64(o.inFp * o.outFp), wt: arena.f64(o.inFp * o.outFp), negdW: arena.f64(o.inFp * o.outFp) } : null,
    );
    const ln = ops.map((o) => (o.kind === 'layerNorm' ? { xhat: new Float64Array(rows * o.F), rstd: new Float64Array(rows) } : null));
    const conv = ops.map((o) =>
      o.kind === 'conv2d'
        ? { col: arena.f64(o.Pp * o.Kp), ys: arena.f64(o.Pp * o.Op), dcol: arena.f64(o.Pp * o.Kp), wm: arena.f64(o.Op * o.Kp), wmt: arena.f64(o.Kp * o.Op), negdW: arena.f64(o.Kp * o.Op) }
        : null,
    );
    ws = { rows, arena, acts, grads, dense, ln, conv };
    if (cache.size >= 4) cache.delete(cache.keys().next().value as number);
    cache.set(rows, ws);
    return ws;
  };

  // ---- validation ----
  const readParams = (p: FloatArray): Float64Array => {
    if (!(p instanceof Float64Array) && !(p instanceof Float32Array)) {
      throw new OckhamError('INVALID_ARGUMENT', 'params', 'expected a Float64Array or Float32Array (the flat parameter vector)');
    }
    if (p.length !== size) throw new OckhamError('SHAPE_MISMATCH', 'params', `length ${p.length} does not match the model's ${size} parameters`);
    for (let i = 0; i < size; i++) {
      const v = p[i];
      if (v - v !== 0) throw new OckhamError('NON_FINITE', 'params', `element ${i} is ${v}; expected finite values`);
    }
    return p instanceof Float64Array ? p : Float64Array.from(p);
  };
  const readBatch = (b: Pick<Batch, 'inputs' | 'size'> & { targets?: ArrayLike<number> }, withTargets: boolean): number => {
    if (b === null || typeof b !== 'object') throw new OckhamError('INVALID_ARGUMENT', 'batch', 'expected { inputs, targets, size }');
    const n = assertInt(b.size, 'batch.size', 1, 2 ** 31 - 1);
    const x = b.inputs;
    if (x === null || typeof x !== 'object' || typeof x.length !== 'number') throw new OckhamError('INVALID_ARGUMENT', 'batch.inputs', 'expected a typed array');
    if (x.length !== n * inDim) {
      throw new OckhamError('SHAPE_MISMATCH', 'batch.inputs', `length ${x.length} does not match size ${n} × ${inDim} ${tokenMode ? 'tokens' : 'features'}`);
    }
    if (tokenMode) {
      const vocab = (ops[0] as { vocab: number }).vocab;
      for (let i = 0; i < x.length; i++) {
        const t = x[i];
        if (!(t >= 0 && t < vocab && Math.floor(t) === t)) throw new OckhamError('OUT_OF_RANGE', 'batch.inputs', `token ${i} is ${t}; expected an integer in 0..${vocab - 1}`);
      }
    } else {
      for (let i = 0; i < x.length; i++) if (x[i] - x[i] !== 0) throw new OckhamError('NON_FINITE', 'batch.inputs', `element ${i} is ${x[i]}`);
    }
    if (withTargets) {
      const y = b.targets;
      if (y === null || y === undefined || typeof y !== 'object' || typeof y.length !== 'number') throw new OckhamError('INVALID_ARGUMENT', 'batch.targets', 'expected a typed array');
      if (lossKind === 'crossEntropy') {
        if (y.length !== n) throw new OckhamError('SHAPE_MISMATCH', 'batch.targets', `length ${y.length} does not match size ${n} (one class id per sample)`);
        for (let i = 0; i < n; i++) {
          const t = y[i];
          if (!(t >= 0 && t < outputs && Math.floor(t) === t)) throw new OckhamError('OUT_OF_RANGE', 'batch.targets', `target ${i} is ${t}; expected a class id in 0..${outputs - 1}`);
        }
      } else {
        if (y.length !== n * outputs) throw new OckhamError('SHAPE_MISMATCH', 'batch.targets', `length ${y.length} does not match size ${n} × ${outputs} outputs`);
        for (let i = 0; i < y.length; i++) if (y[i] - y[i] !== 0) throw new OckhamError('NON_FINITE', 'batch.targets', `element ${i} is ${y[i]}`);
      }
    }
    return n;
  };

  // ---- forward / backward on one chunk ----
  const loadParams = (ws: Workspace, p: Float64Array): void => {
    for (let l = 0; l < ops.length; l++) {
      const o = ops[l];
      if (o.kind === 'conv2d') {
        const { wm, wmt } = ws.conv[l] as NonNullable<Workspace['conv'][number]>;
        for (let u = 0; u < o.O; u++) {
          for (let k = 0; k < o.K; k++) {
            const v = p[o.wOff + u * o.K + k];
            wm[u * o.Kp + k] = v;
            wmt[k * o.Op + u] = v;
          }
        }
        continue;
      }
      if (o.kind !== 'dense') continue;
      const { w, wt } = ws.dense[l] as DenseBufs;
      const { inF, outF, inFp, outFp, wOff } = o;
      for (let i = 0; i < inF; i++) {
        const src = wOff + i * outF;
        const dst = i * outFp;
        for (let u = 0; u < outF; u++) {
          const v = p[src + u];
          w[dst + u] = v;
          wt[u * inFp + i] = v;
        }
      }
    }
  };

  const forward = (ws: Workspace, p: Float64Array, x: ArrayLike<number>, r0: number, n: number, upTo = ops.length): void => {
    const rows = ws.rows;
    const { acts, arena } = ws;
    if (!tokenMode) {
      const a0 = acts[0];
      const w0 = widthsP[0];
      a0.fill(0);
      for (let r = 0; r < n; r++) {
        const src = (r0 + r) * inDim;
        const dst = r * w0;
        for (let k = 0; k < inDim; k++) a0[dst + k] = x[src + k];
      }
    }
    for (let l = 0; l < upTo; l++) {
      const o = ops[l];
      const xin = acts[l];
      const y = acts[l + 1];
      switch (o.kind) {
        case 'embedding': {
          y.fill(0);
          const { off, dim, tokens, Fp } = o;
          for (let r = 0; r < n; r++) {
            for (let t = 0; t < tokens; t++) {
              const e = off + (x[(r0 + r) * tokens + t] as number) * dim;
              const dst = r * Fp + t * dim;
              for (let k = 0; k < dim; k++) y[dst + k] = p[e + k];
            }
          }
          break;
        }
        case 'dense': {
          const { bOff, outF, outFp, inFp } = o;
          if (bOff >= 0) {
            for (let r = 0; r < rows; r++) {
              const d = r * outFp;
              for (let u = 0; u < outF; u++) y[d + u] = p[bOff + u];
              for (let u = outF; u < outFp; u++) y[d + u] = 0;
            }
          } else {
            y.fill(0);
          }
          arena.nt(xin, (ws.dense[l] as DenseBufs).wt, y, rows, outFp, inFp);
          break;
        }
        case 'conv2d': {
          const cv = ws.conv[l] as NonNullable<Workspace['conv'][number]>;
          const inFp = widthsP[l];
          y.fill(0);
          for (let r = 0; r < n; r++) {
            im2col(o, xin, r * inFp, cv.col);
            cv.ys.fill(0);
            arena.nt(cv.col, cv.wm, cv.ys, o.Pp, o.Op, o.Kp);
            const dst = r * o.Fp;
            for (let u = 0; u < o.O; u++) {
              const b = o.bOff >= 0 ? p[o.bOff + u] : 0;
              for (let q = 0; q < o.P; q++) y[dst + u * o.P + q] = cv.ys[q * o.Op + u] + b;
            }
          }
          break;
        }
        case 'relu':
          for (let i = 0; i < y.length; i++) y[i] = xin[i] > 0 ? xin[i] : 0;
          break;
        case 'tanh':
          for (let i = 0; i < y.length; i++) y[i] = Math.tanh(xin[i]);
          break;
        case 'gelu':
          for (let i = 0; i < y.length; i++) {
            const v = xin[i];
            y[i] = 0.5 * v * (1 + erf(v * INV_SQRT2));
          }
          break;
        case 'layerNorm': {
          const { F: f, Fp, gOff, bOff, eps } = o;
          const { xhat, rstd } = ws.ln[l] as { xhat: Float64Array; rstd: Float64Array };
          y.fill(0);
          for (let r = 0; r < n; r++) {
            const s = r * Fp;
            let mu = 0;
            for (let k = 0; k < f; k++) mu += xin[s + k];
            mu /= f;
            let v = 0;
            for (let k = 0; k < f; k++) v += (xin[s + k] - mu) ** 2;
            const rs = 1 / Math.sqrt(v / f + eps);
            rstd[r] = rs;
            for (let k = 0; k < f; k++) {
              const h = (xin[s + k] - mu) * rs;
              xhat[r * f + k] = h;
              y[s + k] = p[gOff + k] * h + p[bOff + k];
            }
          }
          break;
        }
      }
    }
  };

  /** Loss summed over the chunk's rows; with `scale` > 0 writes dLoss/dOut·scale into grads[L]. */
  const lossChunk = (ws: Workspace, y: ArrayLike<number>, r0: number, n: number, scale: number): { sum: number; correct: number } => {
    const L = ops.length;
    const out = ws.acts[L];
    const Kp = widthsP[L];
    const K = outputs;
    const d = ws.grads[L];
    if (scale > 0) d.fill(0);
    let sum = 0;
    let correct = 0;
    for (let r = 0; r < n; r++) {
      const s = r * Kp;
      if (lossKind === 'crossEntropy') {
        let mx = -Infinity;
        let arg = 0;
        for (let k = 0; k < K; k++) {
          if (out[s + k] > mx) {
            mx = out[s + k];
            arg = k;
          }
        }
        const t = y[r0 + r] as number;
        if (arg === t) correct++;
        let z = 0;
        for (let k = 0; k < K; k++) z += Math.exp(out[s + k] - mx);
        const lse = mx + Math.log(z);
        sum += lse - out[s + t];
        if (scale > 0) {
          for (let k = 0; k < K; k++) d[s + k] = Math.exp(out[s + k] - lse) * scale;
          d[s + t] -= scale;
        }
      } else {
        const to = (r0 + r) * K;
        for (let k = 0; k < K; k++) {
          const e = out[s + k] - (y[to + k] as number);
          sum += e * e;
          if (scale > 0) d[s + k] = 2 * e * scale;
        }
      }
    }
    return { sum, correct };
  };

  const backward = (ws: Workspace, p: Float64Array, x: ArrayLike<number>, r0: number, n: number, g: Float64Array): void => {
    const rows = ws.rows;
    const { acts, grads, arena } = ws;
    for (let l = ops.length - 1; l >= 0; l--) {
      const o = ops[l];
      const dOut = grads[l + 1];
      const dIn = grads[l];
      const xin = acts[l];
      const needDx = l > 0;
      switch (o.kind) {
        case 'embedding': {
          const { off, dim, tokens, Fp } = o;
          for (let r = 0; r < n; r++) {
            for (let t = 0; t < tokens; t++) {
              const e = off + (x[(r0 + r) * tokens + t] as number) * dim;
              const src = r * Fp + t * dim;
              for (let k = 0; k < dim; k++) g[e + k] += dOut[src + k];
            }
          }
          break;
        }
        case 'dense': {
          const { wOff, bOff, inF, inFp, outF, outFp } = o;
          const bufs = ws.dense[l] as DenseBufs;
          const nd = bufs.negdW;
          nd.fill(0);
          arena.tnSub(xin, dOut, nd, rows, inFp, outFp);
          for (let i = 0; i < inF; i++) {
            const src = i * outFp;
            const dst = wOff + i * outF;
            for (let u = 0; u < outF; u++) g[dst + u] -= nd[src + u];
          }
          if (bOff >= 0) {
            for (let r = 0; r < n; r++) {
              const s = r * outFp;
              for (let u = 0; u < outF; u++) g[bOff + u] += dOut[s + u];
            }
          }
          if (needDx) {
            dIn.fill(0);
            arena.nt(dOut, bufs.w, dIn, rows, inFp, outFp);
          }
          break;
        }
        case 'conv2d': {
          const cv = ws.conv[l] as NonNullable<Workspace['conv'][number]>;
          const inFp = widthsP[l];
          cv.negdW.fill(0);
          if (needDx) dIn.fill(0);
          for (let r = 0; r < n; r++) {
            im2col(o, xin, r * inFp, cv.col);
            const src = r * o.Fp;
            cv.ys.fill(0);
            for (let u = 0; u < o.O; u++) {
              let bs = 0;
              for (let q = 0; q < o.P; q++) {
                const v = dOut[src + u * o.P + q];
                cv.ys[q * o.Op + u] = v;
                bs += v;
              }
              if (o.bOff >= 0) g[o.bOff + u] += bs;
            }
            arena.tnSub(cv.col, cv.ys, cv.negdW, o.Pp, o.Kp, o.Op);
            if (needDx) {
              cv.dcol.fill(0);
              arena.nt(cv.ys, cv.wmt, cv.dcol, o.Pp, o.Kp, o.Op);
              col2imAdd(o, cv.dcol, dIn, r * inFp);
            }
          }
          for (let u = 0; u < o.O; u++) for (let k = 0; k < o.K; k++) g[o.wOff + u * o.K + k] -= cv.negdW[k * o.Op + u];
          break;
        }
        case 'relu':
          if (needDx) for (let i = 0; i < dIn.length; i++) dIn[i] = xin[i] > 0 ? dOut[i] : 0;
          break;
        case 'tanh': {
          if (!needDx) break;
          const y = acts[l + 1];
          for (let i = 0; i < dIn.length; i++) dIn[i] = dOut[i] * (1 - y[i] * y[i]);
          break;
        }
        case 'gelu':
          if (needDx) {
            for (let i = 0; i < dIn.length; i++) {
              const v = xin[i];
              dIn[i] = dOut[i] * (0.5 * (1 + erf(v * INV_SQRT2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
            }
          }
          break;
        case 'layerNorm': {
          const { F: f, Fp, gOff, bOff } = o;
          const { xhat, rstd } = ws.ln[l] as { xhat: Float64Array; rstd: Float64Array };
          if (needDx) dIn.fill(0);
          for (let r = 0; r < n; r++) {
            const s = r * Fp;
            const h = r * f;
            let m1 = 0;
            let m2 = 0;
            for (let k = 0; k < f; k++) {
              const dy = dOut[s + k];
              g[gOff + k] += dy * xhat[h + k];
              g[bOff + k] += dy;
              const dh = dy * p[gOff + k];
              m1 += dh;
              m2 += dh * xhat[h + k];
            }
            if (!needDx) continue;
            m1 /= f;
            m2 /= f;
            const rs = rstd[r];
            for (let k = 0; k < f; k++) dIn[s + k] = rs * (dOut[s + k] * p[gOff + k] - m1 - xhat[h + k] * m2);
          }
          break;
        }
      }
    }
  };

  const chunks = (n: number, fn: (r0: number, m: number, ws: Workspace) => void): void => {
    for (let r0 = 0; r0 < n; r0 += CHUNK) {
      const m = Math.min(CHUNK, n - r0);
      fn(r0, m, workspace(pad4(m)));
    }
  };

  const lossAndGrad = (params: FloatArray, batch: Batch, gradOut?: Float64Array): LossAndGrad => {
    const p = readParams(params);
    const n = readBatch(batch, true);
    let g: Float64Array;
    if (gradOut !== undefined) {
      if (!(gradOut instanceof Float64Array) || gradOut.length !== size) {
        throw new OckhamError('SHAPE_MISMATCH', 'gradOut', `expected a Float64Array of length ${size}`);
      }
      g = gradOut;
      g.fill(0);
    } else {
      g = new Float64Array(size);
    }
    const scale = lossKind === 'crossEntropy' ? 1 / n : 1 / (n * outputs);
    let sum = 0;
    chunks(n, (r0, m, ws) => {
      loadParams(ws, p);
      forward(ws, p, batch.inputs, r0, m);
      sum += lossChunk(ws, batch.targets, r0, m, scale).sum;
      backward(ws, p, batch.inputs, r0, m, g);
    });
    return { loss: sum * scale, grad: g };
  };

  const evaluate = (params: FloatArray, batch: Batch): { loss: number; accuracy: number } => {
    const p = readParams(params);
    const n = readBatch(batch, true);
    let sum = 0;
    let correct = 0;
    chunks(n, (r0, m, ws) => {
      loadParams(ws, p);
      forward(ws, p, batch.inputs, r0, m);
      const r = lossChunk(ws, batch.targets, r0, m, 0);
      sum += r.sum;
      correct += r.correct;
    });
    return { loss: lossKind === 'crossEntropy' ? sum / n : sum / (n * outputs), accuracy: lossKind === 'crossEntropy' ? correct / n : NaN };
  };

  const logits = (params: FloatArray, batch: Pick<Batch, 'inputs' | 'size'>): Float64Array => {
    const p = readParams(params);
    const n = readBatch(batch, false);
    const out = new Float64Array(n * outputs);
    const Kp = widthsP[ops.length];
    chunks(n, (r0, m, ws) => {
      loadParams(ws, p);
      forward(ws, p, batch.inputs, r0, m);
      const a = ws.acts[ops.length];
      for (let r = 0; r < m; r++) for (let k = 0; k < outputs; k++) out[(r0 + r) * outputs + k] = a[r * Kp + k];
    });
    return out;
  };

  const init = (seed: number): Float64Array => {
    const rng = createRng(seed);
    const w = new Float64Array(size);
    for (const o of ops) {
      if (o.kind === 'embedding') {
        for (let i = 0; i < o.vocab * o.dim; i++) w[o.off + i] = initScale * rng.normal();
      } else if (o.kind === 'dense') {
        const bound = o.init === 'pytorch' ? 1 / Math.sqrt(o.inF) : Math.sqrt(6 / (o.inF + o.outF));
        for (let i = 0; i < o.inF * o.outF; i++) w[o.wOff + i] = initScale * bound * (2 * rng.next() - 1);
        if (o.bOff >= 0 && o.init === 'pytorch') for (let i = 0; i < o.outF; i++) w[o.bOff + i] = initScale * bound * (2 * rng.next() - 1);
      } else if (o.kind === 'conv2d') {
        const bound = 1 / Math.sqrt(o.K); // PyTorch nn.Conv2d default: U(±1/√fan_in), fan_in = C·kh·kw
        for (let i = 0; i < o.O * o.K; i++) w[o.wOff + i] = initScale * bound * (2 * rng.next() - 1);
        if (o.bOff >= 0) for (let i = 0; i < o.O; i++) w[o.bOff + i] = initScale * bound * (2 * rng.next() - 1);
      } else if (o.kind === 'layerNorm') {
        for (let i = 0; i < o.F; i++) w[o.gOff + i] = initScale;
      }
    }
    return w;
  };

  const toTensors = (params: FloatArray): NamedTensor[] => {
    const p = readParams(params);
    return params_.map((q) => ({ name: q.name, shape: q.shape.slice(), data: p.slice(q.offset, q.offset + q.size) }));
  };
  const params_: readonly ParamInfo[] = params;

  const fromTensors = (tensors: ModelTensors): Float64Array => {
    const list = modelTensors(tensors);
    const byName = new Map(list.map((t) => [t.name, t]));
    const out = new Float64Array(size);
    for (const q of params) {
      const t = byName.get(q.name);
      if (t === undefined) throw new OckhamError('SHAPE_MISMATCH', 'tensors', `missing parameter '${q.name}' (expected ${params.map((x) => x.name).join(', ')})`);
      const shape = t.shape;
      const same = Array.isArray(shape) && shape.length === q.shape.length && shape.every((d, i) => d === q.shape[i]);
      if (!same) throw new OckhamError('SHAPE_MISMATCH', `tensors.${q.name}`, `shape [${String(shape)}] does not match [${q.shape.join(', ')}]`);
      if (t.data.length !== q.size) throw new OckhamError('SHAPE_MISMATCH', `tensors.${q.name}`, `length ${t.data.length} does not match ${q.size}`);
      for (let i = 0; i < q.size; i++) {
        const v = t.data[i];
        if (v - v !== 0) throw new OckhamError('NON_FINITE', `tensors.${q.name}`, `element ${i} is ${v}`);
        out[q.offset + i] = v;
      }
    }
    if (byName.size !== params.length) {
      const extra = list.filter((t) => !params.some((q) => q.name === t.name)).map((t) => t.name);
      throw new OckhamError('SHAPE_MISMATCH', 'tensors', `unexpected tensors ${extra.join(', ')} (the model has ${params.map((x) => x.name).join(', ')})`);
    }
    return out;
  };

  // The longest suffix of dense layers (each optionally followed by one activation): the part of the
  // network the LMN can evaluate layer by layer.
  let tailStart = ops.length;
  for (let l = ops.length - 1; l >= 0; l--) {
    const o = ops[l];
    if (o.kind === 'dense') tailStart = l;
    else if (o.kind === 'relu' || o.kind === 'tanh' || o.kind === 'gelu') {
      if (l === 0 || ops[l - 1].kind !== 'dense') break;
    } else break;
  }
  const denseTail = (params: FloatArray): DenseTail | null => {
    if (tailStart === ops.length) return null;
    const p = readParams(params);
    const layers: DenseTail['layers'][number][] = [];
    for (let l = tailStart; l < ops.length; l++) {
      const o = ops[l];
      if (o.kind !== 'dense') continue;
      const weight = new Float64Array(o.inF * o.outF);
      for (let i = 0; i < o.inF; i++) for (let u = 0; u < o.outF; u++) weight[u * o.inF + i] = p[o.wOff + i * o.outF + u];
      const next = ops[l + 1];
      const activation = next !== undefined && (next.kind === 'relu' || next.kind === 'tanh' || next.kind === 'gelu') ? next.kind : 'identity';
      layers.push({ weight, shape: [o.outF, o.inF], bias: o.bOff >= 0 ? p.slice(o.bOff, o.bOff + o.outF) : undefined, activation });
    }
    const d = widthsP[tailStart];
    const dReal = tailStart === 0 ? inDim : (ops[tailStart - 1] as { F?: number; outF?: number }).F ?? (ops[tailStart - 1] as { outF: number }).outF;
    const features = (batch: Pick<Batch, 'inputs' | 'size'>): Float64Array => {
      const n = readBatch(batch, false);
      const out = new Float64Array(n * dReal);
      chunks(n, (r0, m, ws) => {
        loadParams(ws, p);
        forward(ws, p, batch.inputs, r0, m, tailStart);
        const a = ws.acts[tailStart];
        for (let r = 0; r < m; r++) for (let k = 0; k < dReal; k++) out[(r0 + r) * dReal + k] = a[r * d + k];
      });
      return out;
    };
    return { layers, features, inputDim: dReal };
  };

  return {
    description,
    denseTail,
    params,
    size,
    outputs,
    lossKind,
    init,
    loss: (params, batch) => evaluate(params, batch).loss,
    lossAndGrad,
    logits,
    evaluate,
    toTensors,
    fromTensors,
  };
}
