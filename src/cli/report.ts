/**
 * The computation behind `ockham report`: per tensor and per bit-plane QuBD, the ratio against
 * shuffled copies (msbDiagnostic), spectral measures, naive and coarse-grained compressed sizes,
 * and model totals, as a plain JSON-ready object (schema `ockham.report/1`, docs/cli.md).
 * Node-only (reads files).
 */
import {
  OckhamError,
  compressedBits,
  msbDiagnostic,
  naiveCompressedBits,
  roundHalfEven,
  serializeCoarseGrained,
  spectralMetrics,
} from '../index.js';
import type { Codec, CtmTable } from '../index.js';
import { openWeightsStream } from '../io/node/index.js';
import { defaultLayout, toTorchLayout as toTorchTensor, TORCH_PERMUTATIONS } from '../io/layout.js';
import type { LoadedTensor, TensorLayout } from '../io/types.js';
import type { ReadBudget } from '../io/budget.js';
import { assertFiniteTensor } from './finite.js';

/** Options of {@link reportFile} (all resolved; the CLI fills the defaults). */
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
  /** Reader budget (maxHeaderBytes, maxTensorBytes, …); omitted fields take READ_BUDGET_DEFAULTS. */
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
  qubd: {
    /** BDM per plane in bits, LSB first. */
    planes: number[];
    total: number;
    /** Quantization range and step Δ chosen by the quantizer. */
    lo: number;
    hi: number;
    step: number;
  } | null;
  ratio: {
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
  } | null;
  spectral: {
    /** −Σ p ln p, p = σ/Σσ, in nats. */
    entropyNats: number;
    effectiveRank: number;
    stableRank: number;
    spectralNorm: number;
    frobeniusNorm: number;
    rank: number;
  } | null;
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

/** Progress callback: work done and total in parameters, and what is being worked on. */
export type Progress = (done: number, total: number, label: string) => void;

/** Float32 codes round(fround(x)/Δ₃₂), half to even, exactly as `roundToStep`'s float32 mode. */
export function coarseCodes(x: Float32Array, delta: number, name: string): Int32Array {
  const d = Math.fround(delta);
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Math.fround(x[i] / d);
    if (!(v < 2147483647.5 && v > -2147483648.5)) {
      throw new OckhamError('OUT_OF_RANGE', `--delta`, `tensor '${name}' element ${i} (${x[i]}) / Δ (${delta}) does not fit a 32-bit code; use a larger Δ`);
    }
    out[i] = roundHalfEven(v);
  }
  return out;
}

/** Compressed size of the tensors coarse-grained to step Δ (dense "OCCG" model, see docs/compress.md). */
export function coarseBits(tensors: readonly { name: string; shape: readonly number[]; data: Float32Array }[], delta: number, codec: Codec): number {
  const model = {
    tensors: tensors.map((t) => ({
      kind: 'dense' as const,
      name: t.name,
      shape: t.shape.length === 0 ? [1] : t.shape.slice(),
      step: Math.fround(delta),
      codes: coarseCodes(t.data, delta, t.name),
    })),
  };
  return compressedBits(serializeCoarseGrained(model), { codec });
}

/**
 * The CLI's `--layout auto` permutation of a TensorFlow.js kernel by its rank (2-D Dense, 4-D
 * Conv), through {@link toTorchTensor} (src/io/layout.ts); null for other ranks.
 */
export function toTorchLayout(shape: readonly number[], data: Float32Array): { shape: number[]; data: Float32Array; layout: string } | null {
  const layout = defaultLayout('tfjs', shape);
  if (layout === 'tfjs') return null;
  const t = toTorchTensor({ name: '', dtype: '', shape: shape.slice(), data, layout });
  return { shape: t.shape, data: t.data, layout: TORCH_PERMUTATIONS[layout]! };
}

function prod(shape: readonly number[]): number {
  let p = 1;
  for (const d of shape) p *= d;
  return p;
}

/** Analyses one tensor. `analysed` is the (possibly permuted) tensor. */
export function analyseTensor(
  t: { name: string; dtype: string; shape: number[]; data: Float32Array; layout?: TensorLayout; stored?: LoadedTensor['stored'] },
  format: string,
  o: ReportOptions,
): TensorReport {
  let shape = t.shape;
  let data = t.data;
  let layout = 'as stored';
  const stored = t.layout ?? defaultLayout(format, t.shape);
  if (o.layout === 'auto') {
    const p = toTorchTensor({ ...t, layout: stored });
    if (p.data !== t.data) ({ shape, data, layout } = { ...p, layout: TORCH_PERMUTATIONS[stored]! });
  }
  const params = prod(t.shape);
  const r: TensorReport = {
    name: t.name,
    dtype: t.dtype,
    shape: t.shape.slice(),
    analysedShape: shape.slice(),
    layout,
    storedLayout: stored,
    params,
    skipped: null,
    view: null,
    qubd: null,
    ratio: null,
    spectral: null,
    compression: null,
  };
  const rows = shape.length >= 2 ? shape[0] : 0;
  const cols = shape.length >= 2 ? params / rows : 0;
  if (shape.length < 2) r.skipped = `${shape.length}-D tensor (QuBD and spectral measures need a matrix)`;
  else if (rows < 4 || cols < 4) r.skipped = `2-D view (${rows}, ${cols}) has a side < 4 (no 4×4 block)`;
  else {
    r.view = [rows, cols];
    const d = msbDiagnostic(data, {
      shape,
      bits: o.bits,
      range: o.range,
      ...(o.range === 'percentile' ? { percentile: o.percentile } : {}),
      ...(o.table ? { table: o.table } : {}),
      seed: o.seed,
      shuffles: o.shuffles,
      ...(o.threshold !== null ? { threshold: o.threshold } : {}),
    });
    const q = d.qubd;
    r.qubd = {
      planes: q.planes.map((p) => p.bdm),
      total: q.total,
      lo: q.quantization.lo,
      hi: q.quantization.hi,
      step: q.quantization.step,
    };
    r.ratio = {
      planes: d.planes.slice(),
      total: d.total,
      reference: d.reference.planes.slice(),
      threshold: d.threshold,
      structured: d.structured.slice(),
      leadingStructuredPlanes: d.leadingStructuredPlanes,
      suggestedBits: d.suggestedBits,
      shuffleNoise: d.shuffleNoise ?? null,
    };
    if (o.spectral) {
      const m = spectralMetrics(data, shape);
      let sum = 0;
      for (let i = 0; i < m.singularValues.length; i++) sum += m.singularValues[i];
      let h = 0;
      if (sum > 0) {
        for (let i = 0; i < m.singularValues.length; i++) {
          const p = m.singularValues[i] / sum;
          if (p > 0) h -= p * Math.log(p);
        }
      }
      r.spectral = {
        entropyNats: h,
        effectiveRank: sum > 0 ? Math.exp(h) : 0,
        stableRank: m.stableRank,
        spectralNorm: m.spectralNorm,
        frobeniusNorm: m.frobeniusNorm,
        rank: m.rank,
      };
    }
  }
  if (o.compress && params > 0) {
    const one = [{ name: t.name, shape: t.shape, data: t.data }];
    const st = o.naive === 'stored' ? t.stored : undefined;
    r.compression = {
      naiveBits: st ? compressedBits(st.bytes, { codec: o.codec }) : naiveCompressedBits(one, o.codec),
      naiveOf: st ? st.dtype : 'float32',
      coarse: o.deltas.map((delta) => ({ delta, bits: coarseBits(one, delta, o.codec) })),
    };
  }
  return r;
}

/**
 * Reads `file` (streaming safetensors tensor by tensor) and analyses every tensor: the `ockham
 * report` command as a function (Node only). Units: QuBD and compressed sizes in bits, spectral
 * entropy in nats.
 *
 * @param file - Any file {@link readWeightsFile} reads (safetensors, a shard index or its folder, GGUF, .npy, .npz, a TensorFlow.js model.json or its folder); safetensors, shards and GGUF stream tensor by tensor.
 * @param options - Report options (bits, range, shuffles, seed, codec, Δ grid, …; defaults as the CLI's, see docs/cli.md).
 * @param progress - Optional progress sink (the CLI's bar).
 * @returns The report (schema `ockham.report/1`, docs/cli.md).
 * @throws {OckhamError} for unreadable or invalid files (argument = the path).
 * @example
 * ```ts
 * import { reportFile } from 'ockham/node';
 * const r = await reportFile('examples/grokking/step-004000.safetensors', {});
 * console.log(r.totals);
 * ```
 */
export async function reportFile(file: string, options: Partial<ReportOptions> = {}, progress?: Progress): Promise<Report> {
  const o: ReportOptions = { ...DEFAULT_REPORT_OPTIONS, ...options };
  const t0 = performance.now();
  const tensors: TensorReport[] = [];
  let format: string;
  let metadata: Record<string, string>;
  // Safetensors (single or sharded) and GGUF stream tensor by tensor; the stored bytes are kept
  // per tensor only when the naive size is of the stored precision.
  const w = await openWeightsStream(file, { ...o.budget, stored: o.naive === 'stored' });
  format = w.format;
  metadata = w.metadata;
  let done = 0;
  for await (const t of w.tensors) {
    assertFiniteTensor(t, file);
    progress?.(done, w.params, t.name);
    tensors.push(analyseTensor(t, format, o));
    done += t.data.length;
  }
  progress?.(w.params, w.params, 'done');
  return assemble(file, format, metadata, tensors, o, (performance.now() - t0) / 1000);
}

/** Totals of a report from its tensors. */
export function assemble(file: string, format: string, metadata: Record<string, string>, tensors: TensorReport[], o: ReportOptions, seconds: number): Report {
  const b = o.bits;
  const qubdPlanes = new Array<number>(b).fill(0);
  const referencePlanes = new Array<number>(b).fill(0);
  let analysed = 0;
  let analysedParams = 0;
  let params = 0;
  for (const t of tensors) {
    params += t.params;
    if (!t.qubd || !t.ratio) continue;
    analysed++;
    analysedParams += t.params;
    for (let p = 0; p < b; p++) {
      qubdPlanes[p] += t.qubd.planes[p];
      referencePlanes[p] += t.ratio.reference[p];
    }
  }
  const qubdBits = qubdPlanes.reduce((s, v) => s + v, 0);
  const refBits = referencePlanes.reduce((s, v) => s + v, 0);
  const ratioPlanes = analysed ? qubdPlanes.map((v, p) => (100 * v) / referencePlanes[p]) : [];
  const threshold = o.threshold ?? 97;
  let lead = 0;
  for (let p = ratioPlanes.length - 1; p >= 0 && ratioPlanes[p] < threshold; p--) lead++;
  let naiveBits: number | null = null;
  let coarse: CoarseSize[] | null = null;
  if (o.compress) {
    naiveBits = 0;
    coarse = o.deltas.map((delta) => ({ delta, bits: 0 }));
    for (const t of tensors) {
      if (!t.compression) continue;
      naiveBits += t.compression.naiveBits;
      t.compression.coarse.forEach((c, i) => (coarse![i].bits += c.bits));
    }
  }
  return {
    schema: 'ockham.report/1',
    file,
    format,
    metadata,
    options: {
      bits: o.bits,
      range: o.range,
      percentile: o.range === 'percentile' ? o.percentile : null,
      seed: o.seed,
      shuffles: o.shuffles,
      threshold: o.threshold,
      table: o.tableName,
      deltas: o.deltas.slice(),
      codec: o.codec,
      spectral: o.spectral,
      compress: o.compress,
      layout: o.layout,
      naive: o.naive,
    },
    tensors,
    totals: {
      tensors: tensors.length,
      analysed,
      params,
      analysedParams,
      qubdPlanes,
      qubdBits,
      referencePlanes,
      ratioPlanes,
      ratioTotal: analysed ? (100 * qubdBits) / refBits : null,
      threshold,
      suggestedBits: analysed ? Math.max(1, lead) : null,
      naiveBits,
      coarse,
    },
    seconds,
  };
}
