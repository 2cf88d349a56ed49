/**
 * Automatic calibration of the LLC sampler: a grid of (ε, γ) pilots judged by diagnostics, then
 * the estimate at the chosen pair.
 */
import { OckhamError } from '../errors.js';
import { assertInt, assertNumber } from '../util/validate.js';
import { assertControl, checkAbort, type ProgressCallback } from '../util/abort.js';
import { estimateLlc } from './estimate.js';
import type { EstimateLlcOptions, LlcResult } from './types.js';

/** Options of {@link calibrateLlc}: those of {@link estimateLlc} (ε and γ are chosen) plus the grid. */
export interface CalibrateLlcOptions extends Omit<EstimateLlcOptions, 'epsilon' | 'gamma' | 'sampler' | 'signal' | 'onProgress'> {
  /** Step sizes tried. Default 1e-2, 3e-3, …, 1e-6 (9 values, log-spaced). */
  readonly epsilons?: readonly number[];
  /** Localization strengths tried. Default 1, 10, 100, 1000 capped below nβ (at least one value kept). */
  readonly gammas?: readonly number[];
  /** Pilot chains (≥ 2, for split-R̂). Default 2. */
  readonly pilotChains?: number;
  /** Pilot draws per chain (burn-in of the same length). Default 200. */
  readonly pilotDraws?: number;
  /** Minimum mean MALA acceptance of SGLD steps. Default 0.9 (the LOW_ACCEPTANCE threshold). */
  readonly minAcceptance?: number;
  /** Maximum split-R̂ over the pilot chains. Default 1.1. */
  readonly maxRhat?: number;
  /** Maximum |half-trace drift| in standard errors. Default 3. */
  readonly maxDrift?: number;
  /** Minimum effective sample size per pilot chain. Default 20. */
  readonly minEss?: number;
  /**
   * Cancels the calibration: passed to every pilot and to the final run (checked before each of
   * their sampler steps, see {@link EstimateLlcOptions.signal}); the Promise rejects with
   * `signal.reason` (a DOMException named 'AbortError' unless the caller gave another reason).
   */
  readonly signal?: AbortSignal;
  /**
   * Progress in sampler steps over the whole calibration: `total` = (number of ε × number of γ) ×
   * pilotChains × 2·pilotDraws (pilot burn-in + draws) + chains × (burnIn + draws ×
   * stepsBetweenDraws) (the final run). Labels name the trial and the chain:
   * `'pilot 3/36 (ε = 0.001, γ = 10) · chain 1 · draw 40'`, `'final (ε = 0.001, γ = 10) · chain 0 · …'`;
   * a pilot that diverges skips to the next pilot's start. The last call is `(total, total, 'done')`.
   */
  readonly onProgress?: ProgressCallback;
}

/** One pilot of {@link calibrateLlc}. */
export interface CalibrationCandidate {
  readonly epsilon: number;
  readonly gamma: number;
  readonly llc: number;
  readonly acceptance: number;
  /** Split-R̂ of the loss traces over the pilot chains (Gelman et al., BDA3 §11.4). */
  readonly rHat: number;
  /** Largest over chains of (mean of 2nd half − mean of 1st half) / its standard error (ESS-corrected). */
  readonly drift: number;
  /** Smallest per-chain effective sample size. */
  readonly ess: number;
  readonly fractionBelowInit: number;
  readonly passed: boolean;
  /** Why it failed ('' when it passed). */
  readonly reason: string;
}

/** Result of {@link calibrateLlc}. */
export interface CalibrateLlcResult {
  readonly epsilon: number;
  readonly gamma: number;
  /** The estimate at the chosen (ε, γ), with the caller's chains / draws / burn-in. */
  readonly result: LlcResult;
  readonly candidates: readonly CalibrationCandidate[];
  /** True when no candidate passed every diagnostic (the least bad one was used). */
  readonly failed: boolean;
  /** CALIBRATION_FAILED, NOT_A_MINIMUM, plus the final run's warnings. */
  readonly warnings: readonly { readonly code: string; readonly message: string }[];
}

function meanVar(t: Float64Array, from: number, to: number): [number, number] {
  let m = 0;
  for (let i = from; i < to; i++) m += t[i];
  m /= to - from;
  let v = 0;
  for (let i = from; i < to; i++) v += (t[i] - m) ** 2;
  return [m, to - from > 1 ? v / (to - from - 1) : 0];
}

/** Split-R̂ of traces (each split in halves). @internal */
export function splitRhat(traces: readonly Float64Array[]): number {
  const seqs: [number, number][] = [];
  let n = Infinity;
  for (const t of traces) n = Math.min(n, t.length >> 1);
  if (!(n >= 2)) return NaN;
  for (const t of traces) {
    seqs.push(meanVar(t, 0, n));
    seqs.push(meanVar(t, t.length - n, t.length));
  }
  const mAll = seqs.reduce((a, s) => a + s[0], 0) / seqs.length;
  const B = (n / (seqs.length - 1)) * seqs.reduce((a, s) => a + (s[0] - mAll) ** 2, 0);
  const W = seqs.reduce((a, s) => a + s[1], 0) / seqs.length;
  if (W === 0) return B === 0 ? 1 : Infinity;
  return Math.sqrt(((n - 1) / n) * W + B / n) / Math.sqrt(W);
}

/**
 * Calibrates ε and γ of the SGLD LLC estimator by diagnostics, then estimates the LLC there.
 *
 * Every (ε, γ) of the grid runs a short pilot (`pilotChains` chains, `pilotDraws` draws after as
 * many burn-in steps). A pilot passes when its mean MALA acceptance ≥ `minAcceptance` (the
 * discretisation bias is small), split-R̂ ≤ `maxRhat` and |half-trace drift| ≤ `maxDrift` standard
 * errors (the chains are stationary and agree), every chain's ESS ≥ `minEss`, and no loss diverged.
 * Among passing pilots the largest ε wins (fastest mixing), then the smallest γ (least bias from
 * the prior). When none passes, the largest ε whose acceptance passes (else the highest
 * acceptance) is used and CALIBRATION_FAILED is reported with the failing diagnostics. NOT_A_MINIMUM is reported when most
 * pilots at the chosen γ find losses below L(w*) (BELOW_INIT_LOSS / NEGATIVE_LLC): the LLC is
 * defined at a local minimum, and w* is not one.
 *
 * @param options - {@link CalibrateLlcOptions}: the {@link estimateLlc} options without ε/γ/sampler, the
 *   grid, `signal` (cancels every pilot and the final run) and `onProgress` (sampler steps over all runs).
 * @returns A Promise of {@link CalibrateLlcResult}: chosen ε/γ, the final {@link LlcResult}, every pilot's diagnostics.
 * @throws {@link OckhamError} for bad options (as {@link estimateLlc}, and naming `options.epsilons` etc.).
 *   Rejects with `signal.reason` when aborted.
 * @example
 * ```ts
 * import { calibrateLlc } from 'ockham';
 * // L(w) = ½‖w‖², 4 dimensions: λ = 2.
 * const r = await calibrateLlc({
 *   weights: new Float64Array(4), nBeta: 100, draws: 400, burnIn: 400, chains: 2,
 *   lossAndGrad: (w, _b, g) => { let l = 0; for (let i = 0; i < 4; i++) { g[i] = w[i]; l += 0.5 * w[i] * w[i]; } return l; },
 * });
 * // r.epsilon, r.gamma chosen; r.result.llc ≈ 2
 * ```
 */
export async function calibrateLlc(options: CalibrateLlcOptions): Promise<CalibrateLlcResult> {
  if (options === null || typeof options !== 'object') throw new OckhamError('INVALID_ARGUMENT', 'options', 'expected an options object');
  assertControl(options);
  const {
    epsilons: epsIn,
    gammas: gamIn,
    pilotChains: pcIn,
    pilotDraws: pdIn,
    minAcceptance: maIn,
    maxRhat: mrIn,
    maxDrift: mdIn,
    minEss: meIn,
    signal,
    onProgress,
    ...base
  } = options;
  for (const k of ['epsilon', 'gamma', 'sampler'] as const) {
    if ((options as unknown as Record<string, unknown>)[k] !== undefined) throw new OckhamError('INVALID_ARGUMENT', `options.${k}`, 'calibrateLlc chooses it; give a grid (epsilons / gammas) instead');
  }
  const list = (v: readonly number[] | undefined, name: string, dflt: number[]): number[] => {
    if (v === undefined) return dflt;
    if (!Array.isArray(v) || v.length === 0) throw new OckhamError('INVALID_ARGUMENT', name, 'expected a non-empty array of numbers');
    return v.map((x, i) => assertNumber(x, `${name}[${i}]`, 0, Infinity, { minExclusive: name.endsWith('epsilons') }));
  };
  const epsilons = list(epsIn, 'options.epsilons', [1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6]).sort((a, b) => b - a);
  const pilotChains = assertInt(pcIn ?? 2, 'options.pilotChains', 2, 64);
  const pilotDraws = assertInt(pdIn ?? 200, 'options.pilotDraws', 20, 1e7);
  const minAcceptance = assertNumber(maIn ?? 0.9, 'options.minAcceptance', 0, 1);
  const maxRhat = assertNumber(mrIn ?? 1.1, 'options.maxRhat', 1, Infinity);
  const maxDrift = assertNumber(mdIn ?? 3, 'options.maxDrift', 0, Infinity, { minExclusive: true });
  const minEss = assertNumber(meIn ?? 20, 'options.minEss', 0, Infinity);

  // nβ as estimateLlc will compute it (for the default γ grid).
  let nBeta = options.nBeta;
  const n = options.n ?? (options.nBeta === undefined ? options.data?.size : undefined);
  if (nBeta === undefined && n !== undefined && n > 1) nBeta = n / Math.log(n);
  const defaultGammas = [1, 10, 100, 1000].filter((g) => nBeta === undefined || g < nBeta);
  const gammas = list(gamIn, 'options.gammas', defaultGammas.length > 0 ? defaultGammas : [1]).sort((a, b) => a - b);

  // The final run's size (validated here as estimateLlc does, so that progress totals are numbers).
  const chains = assertInt(options.chains ?? 4, 'options.chains', 1, 1 << 20);
  const draws = assertInt(options.draws ?? 200, 'options.draws', 1, 2 ** 31 - 1);
  const burnIn = assertInt(options.burnIn ?? 0, 'options.burnIn', 0, 2 ** 40);
  const between = assertInt(options.stepsBetweenDraws ?? 1, 'options.stepsBetweenDraws', 1, 2 ** 31 - 1);
  const trials = gammas.length * epsilons.length;
  const pilotSteps = pilotChains * 2 * pilotDraws;
  const total = trials * pilotSteps + chains * (burnIn + draws * between);
  const forward = (offset: number, prefix: string) =>
    onProgress === undefined ? undefined : (d: number, _t: number, l: string): void => onProgress(offset + d, total, `${prefix} · ${l}`);
  checkAbort(signal);

  const candidates: CalibrationCandidate[] = [];
  for (const gamma of gammas) {
    for (const epsilon of epsilons) {
      let r: LlcResult;
      const k = candidates.length;
      try {
        r = await estimateLlc({
          ...base,
          epsilon,
          gamma,
          chains: pilotChains,
          draws: pilotDraws,
          burnIn: pilotDraws,
          stepsBetweenDraws: 1,
          signal,
          onProgress: forward(k * pilotSteps, `pilot ${k + 1}/${trials} (ε = ${epsilon}, γ = ${gamma})`),
        });
      } catch (e) {
        checkAbort(signal);
        if (e instanceof OckhamError && e.code === 'NON_FINITE' && e.argument === 'lossAndGrad') {
          candidates.push({ epsilon, gamma, llc: NaN, acceptance: 0, rHat: NaN, drift: Infinity, ess: 0, fractionBelowInit: NaN, passed: false, reason: 'diverged (non-finite loss)' });
          continue;
        }
        throw e;
      }
      const rHat = splitRhat(r.lossTraces);
      let drift = 0;
      for (let c = 0; c < r.lossTraces.length; c++) {
        const t = r.lossTraces[c];
        const h = t.length >> 1;
        const [m1, v1] = meanVar(t, 0, h);
        const [m2, v2] = meanVar(t, h, t.length);
        const tau = Math.max(1, r.autocorrelationTime[c]);
        const se = Math.sqrt((v1 + v2) * tau / h);
        const d = se > 0 ? Math.abs(m2 - m1) / se : m1 === m2 ? 0 : Infinity;
        drift = Math.max(drift, d);
      }
      const ess = Math.min(...r.effectiveSampleSize);
      const reasons: string[] = [];
      if (!(r.malaAcceptance >= minAcceptance)) reasons.push(`acceptance ${r.malaAcceptance.toFixed(3)} < ${minAcceptance}`);
      if (!(rHat <= maxRhat)) reasons.push(`split-R̂ ${rHat.toFixed(3)} > ${maxRhat}`);
      if (!(drift <= maxDrift)) reasons.push(`drift ${drift.toFixed(1)} SE > ${maxDrift}`);
      if (!(ess >= minEss)) reasons.push(`ESS ${ess.toFixed(1)} < ${minEss}`);
      candidates.push({ epsilon, gamma, llc: r.llc, acceptance: r.malaAcceptance, rHat, drift, ess, fractionBelowInit: r.fractionBelowInit, passed: reasons.length === 0, reason: reasons.join('; ') });
    }
  }
  const passing = candidates.filter((c) => c.passed);
  let chosen: CalibrationCandidate;
  const failed = passing.length === 0;
  if (!failed) {
    chosen = passing.reduce((a, c) => (c.epsilon > a.epsilon || (c.epsilon === a.epsilon && c.gamma < a.gamma) ? c : a));
  } else {
    // Bias first: among pilots with acceptable acceptance, the largest ε (best mixing), then the
    // smallest γ; if none, the highest acceptance.
    const ok = candidates.filter((c) => c.acceptance >= minAcceptance && Number.isFinite(c.llc));
    chosen =
      ok.length > 0
        ? ok.reduce((a, c) => (c.epsilon > a.epsilon || (c.epsilon === a.epsilon && c.gamma < a.gamma) ? c : a))
        : candidates.reduce((a, c) => (c.acceptance > a.acceptance ? c : a));
  }
  const result = await estimateLlc({
    ...base,
    epsilon: chosen.epsilon,
    gamma: chosen.gamma,
    signal,
    onProgress: forward(trials * pilotSteps, `final (ε = ${chosen.epsilon}, γ = ${chosen.gamma})`),
  });
  checkAbort(signal);
  onProgress?.(total, total, 'done');
  const warnings: { code: string; message: string }[] = [];
  if (failed) {
    warnings.push({
      code: 'CALIBRATION_FAILED',
      message: `no (ε, γ) of the grid passed every diagnostic; used ε = ${chosen.epsilon}, γ = ${chosen.gamma} (${chosen.reason})`,
    });
  }
  const atGamma = candidates.filter((c) => c.gamma === chosen.gamma && Number.isFinite(c.llc));
  const below = atGamma.filter((c) => c.fractionBelowInit > 0.5 || c.llc < 0).length;
  if (result.llc < 0 || result.fractionBelowInit > 0.5 || (atGamma.length > 0 && below > atGamma.length / 2)) {
    warnings.push({
      code: 'NOT_A_MINIMUM',
      message: `the sampler finds losses below L(w*) (${(100 * result.fractionBelowInit).toFixed(0)} % of final draws; ${below} of ${atGamma.length} pilots at γ = ${chosen.gamma}): w* is not a local minimum, and λ̂ = ${result.llc.toPrecision(3)} is not an LLC`,
    });
  }
  for (const w of result.warnings) warnings.push(w);
  return { epsilon: chosen.epsilon, gamma: chosen.gamma, result, candidates, failed, warnings };
}
