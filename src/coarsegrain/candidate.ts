/**
 * Building coarse-grained candidates: for a given (τ, Δ), every matrix is low-rank truncated with
 * `lowRankTruncate` (DeMoss et al. Eq. 13, k rule selectable), the kept factors U·diag(σ) and Vᵀ —
 * or the dense tensor — are quantized to integer codes round(x/Δ) (half to even, float32, exactly
 * as `roundToStep`), and the result is a `CoarseGrainedModel` of the compression area's format.
 * @internal
 */
import { OckhamError } from '../errors.js';
import type { CoarseGrainedModel, CoarseGrainedTensor } from '../compress/types.js';
import { RHE_MAGIC } from '../quantize/round.js';
import { lowRankTruncate, truncationRank, type KRule, type LowRankTruncation } from '../spectral/low-rank.js';
import type { NamedTensor } from '../util/model.js';
import { as2d, type FloatArray } from '../util/validate.js';

/** A validated tensor with its truncation cache (one SVD per distinct k, not per evaluation). */
export interface PreparedTensor {
  readonly name: string;
  readonly shape: number[];
  readonly data: FloatArray;
  /** ≥ 2 dims: truncated; 1-D tensors (biases) are only quantized, as in the reference. */
  readonly matrix: boolean;
  readonly rows: number;
  readonly cols: number;
  /** Truncations by k. */
  readonly cache: Map<number, LowRankTruncation>;
  spectrum: { s: Float64Array; rank: number } | null;
}

export function prepareTensors(list: readonly NamedTensor[]): PreparedTensor[] {
  return list.map((t) => {
    const [rows, cols] = as2d(t.shape);
    return { name: t.name, shape: t.shape.slice(), data: t.data, matrix: t.shape.length >= 2, rows, cols, cache: new Map(), spectrum: null };
  });
}

/**
 * τ = 0 is allowed by the search space (as in the reference) but `lowRankTruncate` needs τ > 0;
 * the smallest positive double gives the same k under both rules (k = 1 'paper', 0 'code',
 * the reference's `searchsorted(cumsum(S), 0)`).
 */
function effectiveTau(tau: number): number {
  return tau > 0 ? tau : Number.MIN_VALUE;
}

/** The truncation of a matrix tensor at τ, reusing the factors of an earlier τ with the same k. */
export function truncationAt(t: PreparedTensor, tau: number, kRule: KRule): LowRankTruncation {
  const te = effectiveTau(tau);
  if (t.spectrum !== null) {
    const k = truncationRank(t.spectrum.s, te, kRule, t.spectrum.rank);
    const hit = t.cache.get(k);
    if (hit !== undefined) return hit;
  }
  const r = lowRankTruncate(t.data, t.shape, te, { kRule });
  if (t.spectrum === null) t.spectrum = { s: r.singularValues, rank: r.rank };
  t.cache.set(r.k, r);
  return r;
}

/**
 * Integer codes c = round(fround(x)/Δ₃₂) with Δ₃₂ = fround(Δ), half to even, the division in
 * float32 — so fround(c·Δ₃₂) equals `roundToStep(x, Δ)` element for element.
 */
export function quantizeCodes(x: FloatArray, step32: number, name: string): Int32Array {
  const n = x.length;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.fround(Math.fround(x[i]) / step32);
    if (!(v < 2147483647.5 && v > -2147483648.5)) {
      throw new OckhamError('OUT_OF_RANGE', `tensors.${name}`, `element ${i} (${x[i]}) / Δ (${step32}) does not fit a 32-bit integer code; raise the smallest Δ`);
    }
    out[i] = v < 8388608 && v > -8388608 ? v + RHE_MAGIC - RHE_MAGIC : v;
  }
  return out;
}

/** A candidate: the model, its memo key and per-tensor ranks (null = stored dense). */
export interface Candidate {
  readonly model: CoarseGrainedModel;
  readonly key: string;
  readonly ranks: Record<string, number | null>;
}

/**
 * The coarse-grained model for (τ, Δ). `tau === null` means quantization only (Algorithm 2).
 * A rank-0 truncation (possible only with kRule 'code') is stored as rank-1 all-zero factors —
 * the same (zero) weights; the OCCG format needs rank ≥ 1.
 */
export function buildCandidate(tensors: readonly PreparedTensor[], tau: number | null, delta: number, kRule: KRule): Candidate {
  const step = Math.fround(delta);
  const out: CoarseGrainedTensor[] = [];
  const ranks: Record<string, number | null> = {};
  const keyParts: string[] = [String(step)];
  for (const t of tensors) {
    const tr = tau !== null && t.matrix ? truncationAt(t, tau, kRule) : null;
    if (tr === null || tr.kind === 'dense') {
      out.push({ kind: 'dense', name: t.name, shape: t.shape.slice(), step, codes: quantizeCodes(t.data, step, t.name) });
      ranks[t.name] = null;
      keyParts.push('d');
      continue;
    }
    ranks[t.name] = tr.k;
    keyParts.push(String(tr.k));
    const { m, n, k } = tr;
    if (k === 0) {
      out.push({ kind: 'lowrank', name: t.name, shape: t.shape.slice(), step, rank: 1, left: { shape: [m, 1], codes: new Int32Array(m) }, right: { shape: [1, n], codes: new Int32Array(n) } });
      continue;
    }
    out.push({
      kind: 'lowrank',
      name: t.name,
      shape: t.shape.slice(),
      step,
      rank: k,
      left: { shape: [m, k], codes: quantizeCodes(tr.left, step, t.name) },
      right: { shape: [k, n], codes: quantizeCodes(tr.right, step, t.name) },
    });
  }
  return { model: { tensors: out }, key: keyParts.join(','), ranks };
}
