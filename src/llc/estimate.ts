/**
 * The local learning coefficient estimator λ̂ = nβ·(E[L(w)] − L(w*)) (Lau et al., "The Local
 * Learning Coefficient: A Singularity-Aware Complexity Measure", 2023/2025; Urdshals et al.,
 * "Compressibility Measures Complexity: MDL meets SLT", 2025), sampled by SGLD with devinterp's
 * step and bookkeeping, or by MALA.
 */
import { OckhamError } from '../errors.js';
import { createNormalStream, type NormalStream } from '../util/normal-stream.js';
import { assertInt, assertKnownOptions, assertNumber, assertOneOf } from '../util/validate.js';
import { integratedAutocorrelationTime } from './autocorr.js';
import { assertBatch, assertModel, flatWeights, minibatches } from '../model/adapter-util.js';
import { assertControl, checkAbort, type ProgressCallback } from '../util/abort.js';
import { yieldGate } from '../util/yield-gate.js';
import type { EstimateLlcOptions, LlcResult, LlcWarning, LossAndGradFn, LossAndGradResult } from './types.js';

const KNOWN = [
  'lossAndGrad',
  'weights',
  'n',
  'nBeta',
  'sampler',
  'epsilon',
  'gamma',
  'chains',
  'draws',
  'burnIn',
  'stepsBetweenDraws',
  'batches',
  'initLoss',
  'mask',
  'targetAcceptance',
  'seed',
  'model',
  'data',
  'batchSize',
  'signal',
  'onProgress',
] as const;

/**
 * Cancellation and progress hook of the sampler loops: `step(chain, s)` runs before step s of a
 * chain; it reports progress every `stride` steps, throws when the signal has fired, and returns a
 * Promise only when it is time to yield to the event loop.
 */
interface Control {
  step(chain: number, s: number): Promise<void> | undefined;
}

function makeControl(
  signal: AbortSignal | undefined,
  onProgress: ProgressCallback | undefined,
  chains: number,
  burnIn: number,
  draws: number,
  between: number,
): Control | null {
  if (signal === undefined && onProgress === undefined) return null;
  const perChain = burnIn + draws * between;
  const total = chains * perChain;
  const stride = Math.max(1, Math.ceil(perChain / 100));
  const gate = yieldGate(signal);
  return {
    step(chain, s) {
      if (onProgress !== undefined && s % stride === 0) {
        const label = s < burnIn ? `chain ${chain} · burn-in step ${s}` : `chain ${chain} · draw ${Math.floor((s - burnIn) / between)}`;
        onProgress(chain * perChain + s, total, label);
      }
      return gate === null ? undefined : gate();
    },
  };
}

/** Everything a chain needs, validated once. */
interface Plan {
  readonly fn: LossAndGradFn;
  readonly wStar: Float64Array;
  readonly moving: Int32Array | null; // null = all coordinates move
  readonly nBeta: number;
  readonly epsilon: number;
  readonly gamma: number;
  readonly draws: number;
  readonly burnIn: number;
  readonly between: number;
  readonly batches: number;
  readonly target: number;
  readonly control: Control | null;
}

/** Output of one chain. */
interface ChainOut {
  readonly trace: Float64Array;
  readonly epsilon: number;
  readonly acceptance: number;
}

function isThenable(v: unknown): v is PromiseLike<LossAndGradResult> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

/** Unpacks the loss at w* (batch `b`), with an error message that names w* rather than a chain. */
function unpackInit(r: LossAndGradResult, grad: Float64Array, b: number): number {
  try {
    return unpack(r, grad, 0, 0);
  } catch (e) {
    if (e instanceof OckhamError) {
      throw new OckhamError(e.code, 'lossAndGrad', `at w* (batch ${b}): ${e.message.replace(/^.*?step 0: /, '')}`);
    }
    throw e;
  }
}

/**
 * Unpacks a callback result: returns the loss and copies a returned gradient into `grad`
 * (when the callback wrote `grad` itself, nothing to copy).
 */
function unpack(r: LossAndGradResult, grad: Float64Array, chain: number, step: number): number {
  let loss: number;
  if (typeof r === 'number') {
    loss = r;
  } else if (r !== null && typeof r === 'object' && typeof r.loss === 'number') {
    loss = r.loss;
    const g = r.grad;
    if (g !== undefined && g !== (grad as ArrayLike<number>)) {
      if (g.length !== grad.length) {
        throw new OckhamError(
          'SHAPE_MISMATCH',
          'lossAndGrad',
          `chain ${chain}, step ${step}: gradient length ${g.length} does not match the ${grad.length} weights`,
        );
      }
      for (let i = 0; i < grad.length; i++) grad[i] = g[i];
    }
  } else {
    throw new OckhamError(
      'INVALID_ARGUMENT',
      'lossAndGrad',
      `chain ${chain}, step ${step}: expected a number or { loss, grad? }, got ${String(r)}`,
    );
  }
  if (!Number.isFinite(loss)) {
    throw new OckhamError('NON_FINITE', 'lossAndGrad', `chain ${chain}, step ${step}: the loss is ${loss}`);
  }
  return loss;
}

/**
 * Estimates the local learning coefficient λ̂ = nβ·(E_w[L(w)] − L(w*)) at trained weights w*.
 *
 * The expectation is over the tempered local posterior p(w) ∝ exp(−nβ·L(w) − (γ/2)‖w − w*‖²), with
 * L the caller's MEAN per-sample loss (nats). Samplers:
 * - `'sgld'` (default), devinterp's update w ← w − (ε/2)(nβ·∇L_batch(w) + γ(w − w*)) + √ε·ξ,
 *   ξ ~ N(0, I). Step s (counted from 0, burn-in included) uses `batchIndex = s mod batches`; the loss
 *   recorded for a draw is the one computed before that step; steps s ≥ burnIn with
 *   (s − burnIn) mod stepsBetweenDraws = 0 are draws. Per chain λ̂ = nβ·(mean recorded loss − L(w*)).
 *   Its stationary law is biased by the step size: for L = ½wᵀHw it gives
 *   E[nβ(L − L*)] = Σᵢ nβhᵢ / (2(nβhᵢ + γ)(1 − ε(nβhᵢ + γ)/4)).
 * - `'mala'`: the same Langevin proposal with a Metropolis–Hastings correction (full batch), which
 *   removes that bias. ε is adapted during burn-in by dual averaging (Hoffman & Gelman 2014, §3.2)
 *   to `targetAcceptance` (default 0.8: the asymptotically optimal 0.574 under-samples the tails of
 *   flat potentials such as w⁴), then frozen.
 *
 * nβ conventions: `n` gives nβ = n/ln n (Watanabe's WBIC temperature; the default of the LLC paper);
 * devinterp 1.x defaults to m/ln m with m the batch size; published runs often fix nβ ≈ 30 — pass
 * those as `nBeta`.
 *
 * @param options - {@link EstimateLlcOptions}: `lossAndGrad`, `weights` (w*), `n` or `nBeta`, and
 *   optionally `sampler`, `epsilon` (1e-3), `gamma` (0), `chains` (4), `draws` (200), `burnIn` (0),
 *   `stepsBetweenDraws` (1), `batches` (1), `initLoss`, `mask`, `targetAcceptance` (0.8), `seed` (0),
 *   `signal` (cancels; checked before every step) and `onProgress` (sampler steps done / total).
 * @returns A Promise of {@link LlcResult}: λ̂ (dimensionless), its standard error, per-chain λ̂ and
 *   loss traces (nats), autocorrelation times / effective sample sizes, the share of draws below
 *   L(w*), the (hypothetical, for SGLD) MALA acceptance, and warnings as data.
 * @throws {@link OckhamError} on bad options (naming the option, e.g. `options.epsilon`), on a
 *   callback result that is not a number / `{ loss, grad }` or whose gradient has the wrong length,
 *   and `NON_FINITE` (argument `lossAndGrad`) naming the chain and step when a loss is NaN or ±∞,
 *   or a bad `options.signal` / `options.onProgress`. Rejects with `signal.reason` when aborted.
 * @example
 * ```ts
 * import { estimateLlc } from 'ockham';
 * // L(w) = ½‖w‖² in 3 dimensions: λ = d/2 = 1.5 exactly for every nβ (γ = 0).
 * const r = await estimateLlc({
 *   weights: new Float64Array(3),
 *   n: 1e5,
 *   sampler: 'mala',
 *   epsilon: 1e-4,
 *   burnIn: 2000,
 *   draws: 20000,
 *   lossAndGrad: (w, _b, g) => {
 *     let l = 0;
 *     for (let i = 0; i < w.length; i++) { g[i] = w[i]; l += 0.5 * w[i] * w[i]; }
 *     return l;
 *   },
 * });
 * // r.llc ≈ 1.5
 * ```
 */
export async function estimateLlc(options: EstimateLlcOptions): Promise<LlcResult> {
  assertKnownOptions(options, 'options', KNOWN);
  if (options === undefined || options === null) {
    throw new OckhamError('INVALID_ARGUMENT', 'options', 'expected an options object');
  }
  assertControl(options);
  if (options.model !== undefined) return estimateLlc(fromModel(options));
  if (options.data !== undefined || options.batchSize !== undefined) {
    throw new OckhamError('INVALID_ARGUMENT', options.data !== undefined ? 'options.data' : 'options.batchSize', 'data and batchSize go with model');
  }
  const fn = options.lossAndGrad;
  if (typeof fn !== 'function') {
    throw new OckhamError('INVALID_ARGUMENT', 'options.lossAndGrad', 'expected a function (w, batchIndex, gradOut)');
  }
  const wRaw = options.weights;
  if (!(wRaw instanceof Float32Array || wRaw instanceof Float64Array || Array.isArray(wRaw))) {
    throw new OckhamError('INVALID_ARGUMENT', 'options.weights', 'expected a Float32Array, Float64Array or number[]');
  }
  const d = wRaw.length;
  if (d === 0) throw new OckhamError('EMPTY', 'options.weights', 'expected at least one weight');
  const wStar = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const v = wRaw[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new OckhamError('NON_FINITE', 'options.weights', `element ${i} is ${String(v)}; expected finite values`);
    }
    wStar[i] = v;
  }

  let nBeta: number;
  if (options.nBeta !== undefined && options.n !== undefined) {
    throw new OckhamError('INVALID_ARGUMENT', 'options.nBeta', 'give either n (nβ = n/ln n) or nBeta, not both');
  } else if (options.nBeta !== undefined) {
    nBeta = assertNumber(options.nBeta, 'options.nBeta', 0, Infinity, { minExclusive: true });
  } else if (options.n !== undefined) {
    const n = assertNumber(options.n, 'options.n', 1, Infinity, { minExclusive: true });
    nBeta = n / Math.log(n);
  } else {
    throw new OckhamError('INVALID_ARGUMENT', 'options.n', 'give the dataset size n (nβ = n/ln n) or nBeta');
  }

  const sampler = assertOneOf(options.sampler ?? 'sgld', 'options.sampler', ['sgld', 'mala'] as const);
  const epsilon = assertNumber(options.epsilon ?? 1e-3, 'options.epsilon', 0, Infinity, { minExclusive: true });
  const gamma = assertNumber(options.gamma ?? 0, 'options.gamma', 0);
  const chains = assertInt(options.chains ?? 4, 'options.chains', 1, 1 << 20);
  const draws = assertInt(options.draws ?? 200, 'options.draws', 1, 2 ** 31 - 1);
  const burnIn = assertInt(options.burnIn ?? 0, 'options.burnIn', 0, 2 ** 40);
  const between = assertInt(options.stepsBetweenDraws ?? 1, 'options.stepsBetweenDraws', 1, 2 ** 31 - 1);
  const batches = assertInt(options.batches ?? 1, 'options.batches', 1, 2 ** 40);
  const target = assertNumber(options.targetAcceptance ?? 0.8, 'options.targetAcceptance', 0, 1, {
    minExclusive: true,
    maxExclusive: true,
  });
  const seed = options.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new OckhamError('OUT_OF_RANGE', 'options.seed', `expected an integer in 0..2^53−1, got ${String(seed)}`);
  }
  if (sampler === 'mala' && batches !== 1) {
    throw new OckhamError(
      'INVALID_ARGUMENT',
      'options.batches',
      'MALA needs the full-batch loss (batches = 1); minibatch losses break its Metropolis correction',
    );
  }

  let moving: Int32Array | null = null;
  if (options.mask !== undefined) {
    const mask = options.mask;
    if (mask === null || typeof mask !== 'object' || typeof mask.length !== 'number') {
      throw new OckhamError('INVALID_ARGUMENT', 'options.mask', 'expected an array of booleans or 0/1');
    }
    if (mask.length !== d) {
      throw new OckhamError('SHAPE_MISMATCH', 'options.mask', `length ${mask.length} does not match the ${d} weights`);
    }
    const idx: number[] = [];
    for (let i = 0; i < d; i++) if (mask[i]) idx.push(i);
    if (idx.length === 0) throw new OckhamError('EMPTY', 'options.mask', 'no weight is allowed to move');
    if (idx.length < d) moving = Int32Array.from(idx);
  }

  const { signal, onProgress } = options;
  checkAbort(signal);
  // L(w*): the caller's value, or the mean over all batch indices of the loss at w*.
  let initLoss: number;
  if (options.initLoss !== undefined) {
    initLoss = assertNumber(options.initLoss, 'options.initLoss');
  } else {
    const probe = new Float64Array(d);
    const wProbe = wStar.slice();
    let sum = 0;
    for (let b = 0; b < batches; b++) {
      checkAbort(signal);
      let r = fn(wProbe, b, probe);
      if (isThenable(r)) r = await r;
      sum += unpackInit(r, probe, b);
    }
    initLoss = sum / batches;
  }

  const control = makeControl(signal, onProgress, chains, burnIn, draws, between);
  const plan: Plan = { fn, wStar, moving, nBeta, epsilon, gamma, draws, burnIn, between, batches, target, control };

  // Chain c's stream depends only on (seed, c): derived seeds come from one master stream in order.
  const master = createNormalStream(seed);
  const traces: Float64Array[] = [];
  const perChain = new Float64Array(chains);
  const eps = new Float64Array(chains);
  const tau = new Float64Array(chains);
  const ess = new Float64Array(chains);
  let accSum = 0;
  let below = 0;
  for (let c = 0; c < chains; c++) {
    const chainSeed = Math.floor(master.uniform() * 9007199254740992);
    const rng = createNormalStream(chainSeed);
    const out = sampler === 'sgld' ? await runSgld(plan, rng, c) : await runMala(plan, rng, c);
    traces.push(out.trace);
    let mean = 0;
    for (let k = 0; k < draws; k++) {
      mean += out.trace[k];
      if (out.trace[k] < initLoss) below++;
    }
    mean /= draws;
    perChain[c] = nBeta * (mean - initLoss);
    eps[c] = out.epsilon;
    tau[c] = integratedAutocorrelationTime(out.trace);
    ess[c] = draws / tau[c];
    accSum += out.acceptance;
  }

  let llc = 0;
  for (let c = 0; c < chains; c++) llc += perChain[c];
  llc /= chains;
  let stdError: number;
  if (chains >= 2) {
    let ss = 0;
    for (let c = 0; c < chains; c++) ss += (perChain[c] - llc) ** 2;
    stdError = Math.sqrt(ss / (chains - 1) / chains);
  } else {
    const t = traces[0];
    let m = 0;
    for (let k = 0; k < draws; k++) m += t[k];
    m /= draws;
    let ss = 0;
    for (let k = 0; k < draws; k++) ss += (t[k] - m) ** 2;
    const sd = draws > 1 ? Math.sqrt(ss / (draws - 1)) : 0;
    stdError = nBeta * sd * Math.sqrt(tau[0] / draws);
  }
  checkAbort(signal);
  if (onProgress !== undefined) {
    const total = chains * (burnIn + draws * between);
    onProgress(total, total, 'done');
  }
  const fractionBelowInit = below / (chains * draws);
  const malaAcceptance = accSum / chains;

  const warnings: LlcWarning[] = [];
  if (burnIn < draws) {
    warnings.push({
      code: 'SHORT_BURN_IN',
      message: `burn-in (${burnIn} steps) is shorter than the draws (${draws}); early draws may not be stationary`,
    });
  }
  if (llc < 0) {
    warnings.push({
      code: 'NEGATIVE_LLC',
      message: `λ̂ = ${llc} < 0: the sampler found lower loss than L(w*), so w* is not a local minimum`,
    });
  }
  let persistentlyBelow = fractionBelowInit > 0.5;
  for (let c = 0; c < chains && !persistentlyBelow; c++) {
    const t = traces[c];
    const h = draws >> 1;
    if (draws - h < 2) continue;
    let m = 0;
    for (let k = h; k < draws; k++) m += t[k];
    if (m / (draws - h) < initLoss) persistentlyBelow = true;
  }
  if (persistentlyBelow) {
    warnings.push({
      code: 'BELOW_INIT_LOSS',
      message:
        `${(100 * fractionBelowInit).toFixed(1)} % of draws lie below L(w*) (or a chain's second half ` +
        'averages below it): w* is not a local minimum of the sampled loss',
    });
  }
  if (gamma >= nBeta) {
    warnings.push({
      code: 'GAMMA_DOMINATES',
      message:
        `γ = ${gamma} ≥ nβ = ${nBeta}: the localization prior dominates every direction of loss curvature ` +
        'h ≤ γ/nβ, biasing λ̂ down (by nβh/(nβh + γ) in a quadratic direction)',
    });
  }
  // Calibration: on a 2-d quadratic, SGLD with ε·nβh = 1 (stationary bias +33 %) has a mean
  // hypothetical acceptance of 0.89; at ε·nβh = 0.1 (+2.6 %) it is ≈ 0.99.
  if (sampler === 'sgld' && malaAcceptance < 0.9) {
    warnings.push({
      code: 'LOW_ACCEPTANCE',
      message:
        `SGLD steps would be accepted by MALA with mean probability ${malaAcceptance.toFixed(3)} < 0.9: ` +
        'ε is large for this loss and λ̂ carries a discretisation bias of tens of percent (use a smaller ε or MALA)',
    });
  }

  return {
    llc,
    stdError,
    llcPerChain: perChain,
    lossTraces: traces,
    initLoss,
    nBeta,
    sampler,
    epsilon: eps,
    autocorrelationTime: tau,
    effectiveSampleSize: ess,
    fractionBelowInit,
    malaAcceptance,
    warnings,
  };
}

/** Rewrites model-adapter options (model, data, batchSize) into the callback form. */
function fromModel(options: EstimateLlcOptions): EstimateLlcOptions {
  const model = assertModel(options.model, 'options.model');
  if (options.lossAndGrad !== undefined) {
    throw new OckhamError('INVALID_ARGUMENT', 'options.lossAndGrad', 'give either lossAndGrad or model, not both');
  }
  if (options.batches !== undefined) {
    throw new OckhamError('INVALID_ARGUMENT', 'options.batches', 'with model, the batches follow from data and batchSize');
  }
  const data = assertBatch(options.data, 'options.data');
  const batchSize = assertInt(options.batchSize ?? data.size, 'options.batchSize', 1, 2 ** 31 - 1);
  const seed = options.seed ?? 0;
  const parts = minibatches(data, batchSize, typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0 ? seed : 0);
  const weights = flatWeights(model, options.weights, 'options.weights');
  const { model: _m, data: _d, batchSize: _b, ...rest } = options;
  const sized = options.n === undefined && options.nBeta === undefined ? { n: data.size } : {};
  return {
    ...rest,
    ...sized,
    weights,
    batches: parts.length,
    lossAndGrad: (w, b, g) => model.lossAndGrad(w, parts[b], g).loss,
  };
}

/**
 * One SGLD chain. Also accumulates, for every post-burn-in transition w → w', the Metropolis–Hastings
 * acceptance min(1, e^{a}) it would have as a MALA proposal, with
 * a = U(w) − U(w') + ‖ξ‖²/2 − ‖w − w' + (ε/2)∇U(w')‖²/(2ε),  U = nβL + (γ/2)‖w − w*‖².
 * The reverse term needs ∇U(w'), available at the next step, so it is fused into that step's update.
 */
async function runSgld(p: Plan, rng: NormalStream, chain: number): Promise<ChainOut> {
  const { fn, wStar, moving, nBeta, epsilon, gamma, draws, burnIn, between, batches, control } = p;
  const d = wStar.length;
  const w = wStar.slice();
  const wPrev = new Float64Array(d);
  const grad = new Float64Array(d);
  const trace = new Float64Array(draws);
  const total = burnIn + draws * between;
  const halfEps = 0.5 * epsilon;
  const sqrtEps = Math.sqrt(epsilon);
  const inv2Eps = 1 / (2 * epsilon);
  const m = moving === null ? d : moving.length;
  const noise = new Float64Array(m);
  let prevU = 0;
  let prevXi2 = 0;
  let accSum = 0;
  let accCount = 0;
  let draw = 0;
  let batch = 0;
  for (let s = 0; s < total; s++) {
    if (control !== null) {
      const y = control.step(chain, s);
      if (y !== undefined) await y;
    }
    // Await only a Promise: \`await\` on a plain value would still cost a microtask per step.
    let res = fn(w, batch, grad);
    if (isThenable(res)) res = await res;
    const loss = unpack(res, grad, chain, s);
    if (++batch === batches) batch = 0;
    const rel = s - burnIn;
    if (rel >= 0 && rel % between === 0) trace[draw++] = loss;
    // Fused pass: reverse-proposal term of the previous step, ‖w − w*‖², and the SGLD update.
    let rev = 0;
    let dist2 = 0;
    let xi2 = 0;
    rng.fill(noise, m);
    for (let k = 0; k < m; k++) {
      const i = moving === null ? k : moving[k];
      const wi = w[i];
      const diff = wi - wStar[i];
      const gu = nBeta * grad[i] + gamma * diff;
      const r = wPrev[i] - wi + halfEps * gu;
      rev += r * r;
      dist2 += diff * diff;
      wPrev[i] = wi;
      const xi = noise[k];
      xi2 += xi * xi;
      w[i] = wi - halfEps * gu + sqrtEps * xi;
    }
    const u = nBeta * loss + 0.5 * gamma * dist2;
    if (s > burnIn) {
      const a = prevU - u + 0.5 * prevXi2 - rev * inv2Eps;
      accSum += a >= 0 ? 1 : Math.exp(a);
      accCount++;
    }
    prevU = u;
    prevXi2 = xi2;
  }
  return { trace, epsilon, acceptance: accCount > 0 ? accSum / accCount : NaN };
}

/**
 * One MALA chain: proposal w' = w − (ε/2)∇U(w) + √ε·ξ, accepted with probability
 * min(1, exp(U(w) − U(w') + ‖ξ‖²/2 − ‖w − w' + (ε/2)∇U(w')‖²/(2ε))). During burn-in log ε follows
 * Nesterov dual averaging towards the acceptance target (Hoffman & Gelman 2014, Alg. 5:
 * μ = ln 10ε₀, γ = 0.05, t₀ = 10, κ = 0.75); afterwards ε is fixed at the averaged iterate.
 */
async function runMala(p: Plan, rng: NormalStream, chain: number): Promise<ChainOut> {
  const { fn, wStar, moving, nBeta, gamma, draws, burnIn, between, target, control } = p;
  const d = wStar.length;
  let w = wStar.slice();
  let wp = wStar.slice(); // unmoved coordinates stay at w* in both buffers
  let grad = new Float64Array(d);
  let gradP = new Float64Array(d);
  const trace = new Float64Array(draws);
  const total = burnIn + draws * between;
  const m = moving === null ? d : moving.length;
  const noise = new Float64Array(m);

  if (control !== null) {
    const y = control.step(chain, 0);
    if (y !== undefined) await y;
  }
  let res0 = fn(w, 0, grad);
  if (isThenable(res0)) res0 = await res0;
  let loss = unpack(res0, grad, chain, 0);
  let u = nBeta * loss; // ‖w* − w*‖ = 0

  // Dual-averaging state.
  let logEps = Math.log(p.epsilon);
  const mu = Math.log(10 * p.epsilon);
  let hBar = 0;
  let logEpsBar = 0;
  let epsilon = p.epsilon;

  let accSum = 0;
  let accCount = 0;
  let draw = 0;
  for (let s = 0; s < total; s++) {
    if (control !== null && s > 0) {
      const y = control.step(chain, s);
      if (y !== undefined) await y;
    }
    const rel = s - burnIn;
    if (rel >= 0 && rel % between === 0) trace[draw++] = loss;
    const halfEps = 0.5 * epsilon;
    const sqrtEps = Math.sqrt(epsilon);
    let xi2 = 0;
    rng.fill(noise, m);
    for (let k = 0; k < m; k++) {
      const i = moving === null ? k : moving[k];
      const gu = nBeta * grad[i] + gamma * (w[i] - wStar[i]);
      const xi = noise[k];
      xi2 += xi * xi;
      wp[i] = w[i] - halfEps * gu + sqrtEps * xi;
    }
    let res = fn(wp, 0, gradP);
    if (isThenable(res)) res = await res;
    const lossP = unpack(res, gradP, chain, s + 1);
    let rev = 0;
    let dist2 = 0;
    for (let k = 0; k < m; k++) {
      const i = moving === null ? k : moving[k];
      const diff = wp[i] - wStar[i];
      dist2 += diff * diff;
      const r = w[i] - wp[i] + halfEps * (nBeta * gradP[i] + gamma * diff);
      rev += r * r;
    }
    const uP = nBeta * lossP + 0.5 * gamma * dist2;
    const a = u - uP + 0.5 * xi2 - rev / (2 * epsilon);
    const alpha = a >= 0 ? 1 : Math.exp(a);
    if (rng.uniform() < alpha) {
      let t = w;
      w = wp;
      wp = t;
      t = grad;
      grad = gradP;
      gradP = t;
      loss = lossP;
      u = uP;
    }
    if (s < burnIn) {
      const it = s + 1;
      const t0 = it + 10;
      hBar = (1 - 1 / t0) * hBar + (target - alpha) / t0;
      logEps = mu - (Math.sqrt(it) / 0.05) * hBar;
      const eta = it ** -0.75;
      logEpsBar = eta * logEps + (1 - eta) * logEpsBar;
      epsilon = Math.exp(s + 1 === burnIn ? logEpsBar : logEps);
    } else {
      accSum += alpha;
      accCount++;
    }
  }
  return { trace, epsilon, acceptance: accCount > 0 ? accSum / accCount : NaN };
}
