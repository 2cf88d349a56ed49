/** Types and defaults of the model report (`ockham report`, {@link buildReport}). */
import type { Codec } from '../compress/index.js';
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
  /** Seed of the shuffled references. */
  seed: number;
  /** Shuffles averaged per tensor (≥ 1). */
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

/** Ratio-to-shuffled part of a {@link TensorReport}. */
export interface TensorRatio {
  /** 100 · plane BDM / mean shuffled plane BDM, LSB first (%). */
  planes: number[];
  total: number;
  /** Mean shuffled BDM per plane (bits), LSB first. */
  reference: number[];
  threshold: number;
  structured: boolean[];
  leadingStructuredPlanes: number;
  suggestedBits: number;
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
    /** Threshold used for the model-level suggestion (%). */
    threshold: number;
    /** Consecutive model-level planes below the threshold from the MSB down, at least 1. */
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
