import { OckhamError } from '../errors.js';
import { shuffled } from '../util/random.js';
import { assertFiniteFloats, assertInt, assertKnownOptions, assertNumber, assertOneOf, assertShapeMatches } from '../util/validate.js';
import type { Shape } from '../util/validate.js';
import { QUBD_KEYS, qubd, qubdFromCodes, qubdKeepingCodes, releaseLarge } from './qubd.js';
import { shuffleMoments, tableSums } from './baseline.js';
import type { QubdOptions, QubdResult } from './qubd.js';

/** Options of {@link qubdRatio}. */
export interface QubdRatioOptions extends QubdOptions {
  /**
   * What to compare with: `'shuffle'` (default) — the same weights in a seeded random order,
   * which keeps the value distribution and destroys spatial structure — or another tensor of the
   * same shape (e.g. the model's initialisation), quantized with the same options.
   */
  reference?: 'shuffle' | { readonly data: Float32Array | Float64Array; readonly shape?: Shape };
  /**
   * How the shuffled reference is obtained (with `reference: 'shuffle'`):
   * - `'exact'` (default with the `'ignore'` boundary): the mean and standard deviation of each
   *   plane's BDM over all shuffles, computed from the block-code distribution (see
   *   docs/qubd.md, "Exact shuffle baseline") in O(2^16) per call — no shuffle is drawn, so
   *   `seed` and `shuffles` are unused;
   * - `'sampled'` (default with other boundaries, whose partitions the exact formula does not
   *   cover): the mean of `shuffles` seeded Fisher–Yates shuffles, O(N) each.
   */
  baseline?: 'exact' | 'sampled';
  /** Seed of the sampled shuffles (default 0). */
  seed?: number;
  /** Number of sampled shuffles averaged (default 1; ≥ 2 also gives a noise estimate). */
  shuffles?: number;
}

/** Result of {@link qubdRatio}. */
export interface QubdRatioResult {
  /** 100 · BDM(tensor plane) / BDM(reference plane), LSB first (%). */
  readonly planes: readonly number[];
  /** 100 · total / reference total (%). */
  readonly total: number;
  readonly qubd: QubdResult;
  /** Reference BDM per plane (bits; the mean over shuffles), LSB first, and its total. */
  readonly reference: { readonly planes: readonly number[]; readonly total: number };
  /**
   * Relative standard deviation of one shuffle's plane BDM, pooled (RMS) over planes: predicted
   * by the exact baseline, measured with ≥ 2 sampled shuffles; else `undefined`.
   */
  readonly shuffleNoise?: number;
  /** Which reference was used: the exact shuffle baseline, sampled shuffles, or a given tensor. */
  readonly baseline: 'exact' | 'sampled' | 'tensor';
  /**
   * Standard deviation (bits) of one shuffle's BDM per plane, LSB first: the exact baseline's
   * (a stated approximation, see docs/qubd.md), or the sample SD of ≥ 2 sampled shuffles;
   * `undefined` otherwise.
   */
  readonly referenceSd?: readonly number[];
  /**
   * Per plane (LSB first): (BDM − reference mean) / referenceSd, how many shuffle standard
   * deviations the plane lies below (negative) or above the shuffled reference — a scale-free
   * companion to the ratio, whose noise shrinks with the tensor's size. A plane whose reference
   * has SD 0 (a constant plane: one arrangement) gets 0 when equal to it (to 1e-9 relative),
   * else ±Infinity. `undefined` when `referenceSd` is.
   */
  readonly zScores?: readonly number[];
}

/**
 * Compares a tensor's QuBD with a reference, in % per plane and in total. Against its own
 * shuffle, a plane near 100 % carries no spatial structure that BDM can see; a plane well below
 * 100 % does (the QuBD paper's MSB claim: learned structure shows in the most significant planes
 * first).
 *
 * The default reference is the exact shuffle baseline (`baseline: 'exact'`): each plane's BDM is
 * compared with its expectation over all uniform shuffles of the plane, and `zScores` say how
 * many shuffle standard deviations away it lies. Mean: exact per-code first and second factorial
 * moments of the block counts (error measured ≤ 0.1 standard error of 1000 shuffles); SD: a
 * Poissonization approximation (measured within ±4 % of 1000 shuffles' SD). `baseline:
 * 'sampled'` averages `shuffles` seeded shuffles instead (O(N) each), as before.
 *
 * @returns Per-plane and total ratios in %, with both QuBD results, the reference's SD and the
 *   z-scores (with the exact baseline, or ≥ 2 sampled shuffles).
 * @throws {OckhamError} as {@link qubd}; SHAPE_MISMATCH for a reference of another size; OUT_OF_RANGE for `shuffles` outside 1..64;
 *   INVALID_ARGUMENT for a `baseline` other than 'exact' / 'sampled', or 'exact' with a boundary other than 'ignore'.
 * @example
 * ```ts
 * import { qubdRatio } from 'ockham';
 * const w = new Float32Array(64 * 64).map((_, k) => Math.sin((k >> 6) / 10) * Math.cos((k & 63) / 7));
 * const r = qubdRatio(w, { shape: [64, 64], bits: 8, seed: 1 });
 * console.log(r.planes.map((x) => x.toFixed(1) + ' %'), r.total);
 * console.log(r.zScores); // per plane: shuffle standard deviations from the exact baseline
 * ```
 */
export function qubdRatio(tensor: Float32Array | Float64Array, options: QubdRatioOptions): QubdRatioResult {
  const { reference = 'shuffle', seed = 0, shuffles = 1, baseline: baselineOpt, ...qopts } = options;
  assertKnownOptions(qopts, 'options', QUBD_KEYS);
  assertInt(seed, 'options.seed', 0, Number.MAX_SAFE_INTEGER);
  assertInt(shuffles, 'options.shuffles', 1, 64);
  assertFiniteFloats(tensor, 'tensor');
  const boundary = qopts.boundary ?? 'ignore';
  let baseline: 'exact' | 'sampled' = boundary === 'ignore' ? 'exact' : 'sampled';
  if (baselineOpt !== undefined) {
    baseline = assertOneOf(baselineOpt, 'options.baseline', ['exact', 'sampled']);
    if (baseline === 'exact' && boundary !== 'ignore') {
      throw new OckhamError(
        'INVALID_ARGUMENT',
        'options.baseline',
        `'exact' covers the 'ignore' partition only (boundary is '${String(boundary)}'); use baseline: 'sampled'`,
      );
    }
  }
  const sampled = reference === 'shuffle' && baseline === 'sampled';
  const kept = qubdKeepingCodes(tensor, qopts, sampled);
  const mine = kept.result;
  const bits = mine.bits;
  const refPlanes = new Array<number>(bits).fill(0);
  let refSd: number[] | undefined;
  let kind: QubdRatioResult['baseline'];
  if (reference === 'shuffle' && baseline === 'exact') {
    kind = 'exact';
    const sums = tableSums(kept.t4.values);
    const cells = kept.rows * kept.cols;
    refSd = [];
    for (let p = 0; p < bits; p++) {
      const pl = mine.planes[p];
      const m = shuffleMoments(cells, pl.ones, pl.blocks, sums);
      refPlanes[p] = m.mean;
      refSd.push(m.sd);
    }
  } else if (reference === 'shuffle') {
    kind = 'sampled';
    // Quantization is elementwise with an order-independent range, so quantize(shuffled(x)) =
    // shuffled(quantize(x)): shuffle the codes (1–2 bytes per weight instead of 4–8, and no
    // re-quantization). Other partitions go the general way.
    const { codes, rows, cols, t4 } = kept;
    const runs: QubdResult[] = [];
    for (let s = 0; s < shuffles; s++) {
      runs.push(codes !== null ? qubdFromCodes(shuffled(codes, seed + s), rows, cols, bits, t4, mine.quantization) : qubd(shuffled(tensor, seed + s), qopts));
    }
    for (const r of runs) for (let p = 0; p < bits; p++) refPlanes[p] += r.planes[p].bdm / runs.length;
    if (runs.length >= 2) {
      refSd = [];
      for (let p = 0; p < bits; p++) {
        let v = 0;
        for (const r of runs) v += (r.planes[p].bdm - refPlanes[p]) ** 2;
        refSd.push(Math.sqrt(v / (runs.length - 1)));
      }
    }
  } else if (reference !== null && typeof reference === 'object') {
    kind = 'tensor';
    assertFiniteFloats(reference.data, 'options.reference.data');
    const refShape = reference.shape ?? qopts.shape;
    assertShapeMatches(reference.data.length, refShape, 'options.reference.data', 'options.reference.shape');
    if (reference.data.length !== tensor.length) {
      throw new OckhamError('SHAPE_MISMATCH', 'options.reference.data', `length ${reference.data.length} differs from the tensor's ${tensor.length}`);
    }
    const r = qubd(reference.data, { ...qopts, shape: refShape });
    for (let p = 0; p < bits; p++) refPlanes[p] = r.planes[p].bdm;
  } else {
    throw new OckhamError('INVALID_ARGUMENT', 'options.reference', "expected 'shuffle' or { data, shape? }");
  }
  releaseLarge();
  let shuffleNoise: number | undefined;
  let zScores: number[] | undefined;
  if (refSd !== undefined) {
    let acc = 0;
    for (let p = 0; p < bits; p++) acc += refPlanes[p] > 0 ? (refSd[p] / refPlanes[p]) ** 2 : 0;
    shuffleNoise = Math.sqrt(acc / bits);
    zScores = mine.planes.map((pl, p) => {
      const d = pl.bdm - refPlanes[p];
      const sd = (refSd as number[])[p];
      if (sd > 0) return d / sd;
      return Math.abs(d) <= 1e-9 * Math.abs(refPlanes[p]) ? 0 : d > 0 ? Infinity : -Infinity;
    });
  }
  const refTotal = refPlanes.reduce((a, b) => a + b, 0);
  return {
    planes: mine.planes.map((p, i) => (100 * p.bdm) / refPlanes[i]),
    total: (100 * mine.total) / refTotal,
    qubd: mine,
    reference: { planes: refPlanes, total: refTotal },
    ...(shuffleNoise !== undefined ? { shuffleNoise } : {}),
    baseline: kind,
    ...(refSd !== undefined ? { referenceSd: refSd, zScores } : {}),
  };
}

/** Options of {@link msbDiagnostic}. */
export interface MsbDiagnosticOptions extends Omit<QubdRatioOptions, 'reference'> {
  /**
   * A plane "carries learned structure" when its ratio to the shuffled reference is below this
   * (%). Default: min(97, 100 − 3·noise%), where noise is the measured spread of the shuffles.
   */
  threshold?: number;
}

/** Result of {@link msbDiagnostic}. */
export interface MsbDiagnosticResult extends QubdRatioResult {
  /** The threshold used (%). */
  readonly threshold: number;
  /**
   * Per plane (LSB first): ratio < threshold and, where the baseline gives a standard deviation,
   * z < −{@link MSB_STRUCTURE_Z} (the same rule as `ockham report`).
   */
  readonly structured: readonly boolean[];
  /** Consecutive structured planes counted from the MSB down. */
  readonly leadingStructuredPlanes: number;
  /** Whether any plane is structured; false means "no structure detected". */
  readonly structure: boolean;
  /**
   * Suggested post-training quantization depth: `leadingStructuredPlanes` bits, or null when the
   * most significant plane is not structured ("no structure detected" when `structure` is false).
   */
  readonly suggestedBits: number | null;
}

/** The z-score bound of a structured plane in {@link msbDiagnostic}: z < −3. */
export const MSB_STRUCTURE_Z = 3;

/**
 * Which planes (LSB first) count as structured: ratio below `threshold` and, where z-scores are
 * given, z < −{@link MSB_STRUCTURE_Z} (a plane with a zero-SD baseline counts when its BDM is below
 * the reference). Internal; shared by msbDiagnostic and the report.
 */
export function structuredPlaneMask(
  ratios: readonly number[],
  z: readonly (number | null)[] | null | undefined,
  threshold: number,
  bdm: readonly number[],
  reference: readonly number[],
): boolean[] {
  return ratios.map((r, p) => {
    if (!(r < threshold)) return false;
    if (!z) return true;
    const zp = z[p];
    return zp === null || !Number.isFinite(zp) ? bdm[p] < reference[p] : zp < -MSB_STRUCTURE_Z;
  });
}

/**
 * The MSB diagnostic: per-plane QuBD ratios against the shuffled weights, and the number of
 * leading (most significant) planes that carry learned structure — a suggested depth for
 * post-training quantization.
 *
 * Threshold and why: on i.i.d. weights a plane's ratio to its own shuffle scatters around 100 %
 * (about ±1.1 % for a 128×128 tensor, wider for small ones). The default threshold is 97 %, or
 * lower when one shuffle's BDM scatters more: 100 % − 3 relative standard deviations of the
 * shuffle noise (predicted by the exact baseline, the default; measured over `shuffles`,
 * default 3, with `baseline: 'sampled'`). A plane below it differs from chance by more than the
 * noise, so its bits carry structure worth keeping. The per-plane `zScores` give the same
 * comparison in standard deviations.
 *
 * @throws {OckhamError} as {@link qubdRatio}; OUT_OF_RANGE for a threshold outside (0, 100].
 * @example
 * ```ts
 * import { msbDiagnostic } from 'ockham';
 * const w = new Float32Array(128 * 128).map((_, k) => Math.sin((k >> 7) / 10) * Math.cos((k & 127) / 7));
 * const d = msbDiagnostic(w, { shape: [128, 128], bits: 8, seed: 1 });
 * console.log(d.planes.map((x) => x.toFixed(1)), d.suggestedBits); // null: no structure detected
 * ```
 */
export function msbDiagnostic(tensor: Float32Array | Float64Array, options: MsbDiagnosticOptions): MsbDiagnosticResult {
  const { threshold: thr, ...ropts } = options;
  const r = qubdRatio(tensor, { ...ropts, shuffles: ropts.shuffles ?? 3, reference: 'shuffle' });
  const threshold =
    thr !== undefined
      ? assertNumber(thr, 'options.threshold', 0, 100, { minExclusive: true })
      : Math.min(97, 100 - 300 * (r.shuffleNoise ?? 0));
  const structured = structuredPlaneMask(r.planes, r.zScores, threshold, r.qubd.planes.map((p) => p.bdm), r.reference.planes);
  let lead = 0;
  for (let p = structured.length - 1; p >= 0 && structured[p]; p--) lead++;
  return { ...r, threshold, structured, leadingStructuredPlanes: lead, structure: structured.some((x) => x), suggestedBits: lead > 0 ? lead : null };
}
