/** Types and defaults of the model report (`ockham report`, {@link buildReport}). */
import type { Codec } from '../compress/index.js';
import { MSB_STRUCTURE_Z } from '../qubd/ratio.js';
import type { CtmTable } from '../ctm/index.js';
import type { TensorLayout } from '../io/types.js';
import type { ReadBudget } from '../io/budget.js';

/** Options of a report (all resolved; the CLI fills the defaults). */
export interface ReportOptions {
  /** QuBD bit depth b (1..16). */
  bits: number;
  range: 'minmax' | 'percentile';
  /** Central percentile kept with range 'percentile'. */
  percentile: number;
  /** Seed of the sampled shuffles (baseline 'sampled' only). */
  seed: number;
  /**
   * Shuffled reference of the per-plane ratios: 'exact' — mean and SD of each plane's BDM over all
   * uniform shuffles, computed (msbDiagnostic's default; `seed` and `shuffles` unused); 'sampled' —
   * the mean of `shuffles` seeded shuffles (SD and z-scores need ≥ 2).
   */
  baseline: 'exact' | 'sampled';
  /** Shuffles averaged per tensor (≥ 1; baseline 'sampled' only). */
  shuffles: number;
  /** Fixed MSB-diagnostic threshold (%), or null for msbDiagnostic's default rule. */
  threshold: number | null;
  /** CTM table, or null for the built-in one. */
  table: CtmTable | null;
  /** Name of the table for the report ('built-in' or the TSV path). */
  tableName: string;
  /** Grid steps Δ of the coarse-grained-by-quantization sizes. */
  deltas: number[];
  codec: Codec;
  spectral: boolean;
  compress: boolean;
  /** 'auto': TensorFlow.js kernels are permuted to PyTorch layout; 'keep': tensors as stored. */
  layout: 'auto' | 'keep';
  /** Naive size of the bytes as stored (bf16 2 bytes, Q4_K blocks, …) or of a float32 copy. */
  naive: 'stored' | 'float32';
  /** Reader budget (maxHeaderBytes, maxTensorBytes, …); omitted fields take READ_BUDGET_DEFAULTS. Used by the Node readers only. */
  budget?: ReadBudget;
}

/** Default options of `ockham report`. */
export const DEFAULT_REPORT_OPTIONS: ReportOptions = {
  bits: 8,
  range: 'minmax',
  percentile: 99.9,
  seed: 0,
  baseline: 'exact',
  shuffles: 3,
  threshold: null,
  table: null,
  tableName: 'built-in',
  deltas: [1e-3, 1e-2, 1e-1],
  codec: 'bzip2',
  spectral: true,
  compress: true,
  layout: 'auto',
  naive: 'stored',
};

/** Coarse-grained size at one Δ. */
export interface CoarseSize {
  delta: number;
  bits: number;
}

/** QuBD part of a {@link TensorReport}. */
export interface TensorQubd {
  /** BDM per plane in bits, LSB first. */
  planes: number[];
  total: number;
  /** Quantization range and step Δ chosen by the quantizer. */
  lo: number;
  hi: number;
  step: number;
}

/**
 * A plane is "structured" when its ratio is below the threshold AND, when the baseline gives a
 * standard deviation, its BDM lies more than this many shuffle standard deviations below the
 * baseline's mean (z < −3). See docs/cli.md, "No structure detected".
 */
export const STRUCTURE_Z = MSB_STRUCTURE_Z;

/** Ratio-to-shuffled part of a {@link TensorReport}. */
export interface TensorRatio {
  /** 100 · plane BDM / mean shuffled plane BDM, LSB first (%). */
  planes: number[];
  total: number;
  /** Mean shuffled BDM per plane (bits), LSB first. */
  reference: number[];
  /** The baseline the reference came from (`options.baseline`). */
  baseline: 'exact' | 'sampled';
  /**
   * SD (bits) of one shuffle's BDM per plane, LSB first: the exact baseline's, or the sample SD of
   * ≥ 2 sampled shuffles; null with one sampled shuffle.
   */
  referenceSd: number[] | null;
  /**
   * (BDM − reference) / referenceSd per plane, LSB first; null when referenceSd is. An entry is
   * null when the reference has SD 0 (a plane with a single arrangement) and the plane differs.
   */
  zScores: (number | null)[] | null;
  /** Ratio threshold (%): msbDiagnostic's rule, or `options.threshold`. */
  threshold: number;
  /** Per plane, LSB first: ratio < threshold and (when z-scores exist) z < −{@link STRUCTURE_Z}. */
  structured: boolean[];
  /** Consecutive structured planes from the MSB down. */
  leadingStructuredPlanes: number;
  /** Whether any plane is structured; false = "no structure detected". */
  structure: boolean;
  /** leadingStructuredPlanes when ≥ 1, else null (no structure in the MSB plane: no depth to suggest). */
  suggestedBits: number | null;
  shuffleNoise: number | null;
}

/** Spectral part of a {@link TensorReport}. */
export interface TensorSpectral {
  /** −Σ p ln p, p = σ/Σσ, in nats. */
  entropyNats: number;
  effectiveRank: number;
  stableRank: number;
  spectralNorm: number;
  frobeniusNorm: number;
  rank: number;
}

/** One tensor of a report. */
export interface TensorReport {
  name: string;
  dtype: string;
  /** Shape as stored in the file. */
  shape: number[];
  /** Shape analysed (after the layout permutation; equals `shape` when none). */
  analysedShape: number[];
  /** 'as stored' or the permutation applied, e.g. '[kh,kw,in,out]→[out,in,kh,kw]'. */
  layout: string;
  /** The tensor's layout in the file (`'tfjs-conv'`, `'gguf'`, `'safetensors'`, …; see TensorLayout). */
  storedLayout: TensorLayout;
  params: number;
  /** Why QuBD/spectral measures were not computed (null when they were). */
  skipped: string | null;
  /** The 2-D view (rows, cols) decomposed. */
  view: [number, number] | null;
  qubd: TensorQubd | null;
  ratio: TensorRatio | null;
  spectral: TensorSpectral | null;
  compression: {
    naiveBits: number;
    /** What the naive size compressed: the stored dtype (`'BF16'`, `'Q4_K'`, …) or `'float32'`. */
    naiveOf: string;
    coarse: CoarseSize[];
  } | null;
}

/** A full report (`--json` output of `ockham report`). */
export interface Report {
  schema: 'ockham.report/1';
  file: string;
  format: string;
  metadata: Record<string, string>;
  options: {
    bits: number;
    range: string;
    percentile: number | null;
    seed: number;
    baseline: string;
    shuffles: number;
    threshold: number | null;
    table: string;
    deltas: number[];
    codec: string;
    spectral: boolean;
    compress: boolean;
    layout: string;
    naive: string;
  };
  tensors: TensorReport[];
  totals: {
    tensors: number;
    /** Tensors with QuBD computed. */
    analysed: number;
    params: number;
    analysedParams: number;
    /** Σ over analysed tensors of each plane's BDM (bits), LSB first, and its sum. */
    qubdPlanes: number[];
    qubdBits: number;
    /** Σ of the shuffled references per plane (bits), LSB first. */
    referencePlanes: number[];
    /** 100 · qubdPlanes / referencePlanes (%), LSB first, and for the total. */
    ratioPlanes: number[];
    ratioTotal: number | null;
    /**
     * Model-level SD of the reference per plane (bits), LSB first: √Σ referenceSd² over analysed
     * tensors (each tensor is shuffled on its own, so their planes are independent); null when a
     * tensor has no SD (one sampled shuffle) or none is analysed.
     */
    referenceSdPlanes: number[] | null;
    /** (qubdPlanes − referencePlanes) / referenceSdPlanes, LSB first; null as referenceSdPlanes (entries as TensorRatio.zScores). */
    zPlanes: (number | null)[] | null;
    /** Threshold used for the model-level suggestion (%). */
    threshold: number;
    /** The z-score bound of a structured plane ({@link STRUCTURE_Z}, applied as z < −zThreshold). */
    zThreshold: number;
    /** Model-level planes, LSB first: ratioPlanes < threshold and (with zPlanes) z < −zThreshold. */
    structuredPlanes: boolean[];
    /** Whether any model-level plane is structured; null when no tensor was analysed. */
    structure: boolean | null;
    /** Consecutive structured model-level planes from the MSB down; null when none (or nothing analysed). */
    suggestedBits: number | null;
    /** Σ of the per-tensor streams (bits); null with --no-compress. */
    naiveBits: number | null;
    coarse: CoarseSize[] | null;
  };
  seconds: number;
}

/**
 * Progress callback: work done and total, and what is being worked on. Work is counted in
 * parameters × stages (each tensor's QuBD, spectral and compression stages weigh its parameter
 * count), so `done / total` is the fraction of the report's stage work finished.
 */
export type Progress = (done: number, total: number, label: string) => void;
