/** How the quantization range [lo, hi] is chosen. */
export type RangeMode = 'minmax' | 'percentile' | 'symmetric' | readonly [number, number];

/** Options of {@link quantize} and {@link quantizePerChannel}. */
export interface QuantizeOptions {
  /** Bits per weight b, an integer in 1..16; codes lie in 0..2^b − 1. Required. */
  readonly bits: number;
  /**
   * Range [lo, hi] mapped to codes 0 and 2^b − 1:
   * - `'minmax'` (default): lo = min x, hi = max x;
   * - `'percentile'`: lo, hi = the q and 1 − q quantiles, q = (1 − p/100)/2 (a central interval
   *   trimming (100 − p)/2 % from each tail); values outside saturate to 0 or 2^b − 1;
   * - `'symmetric'`: lo = −max|x|, hi = +max|x|, and the MSB plane is exactly 1[x ≥ 0]
   *   (see {@link quantize});
   * - `[lo, hi]`: an explicit range, finite, lo < hi.
   */
  readonly range?: RangeMode;
  /** p for `range: 'percentile'`, in (0, 100]; default 99.9 (the QuBD experiments' setting). */
  readonly percentile?: number;
  /**
   * `'float32'` (default): the reference's arithmetic, bit for bit — inputs rounded to float32,
   * range, step, subtraction and IEEE division in float32, `torch.quantile` emulated exactly.
   * `'float64'`: the same formulas in double precision (quantiles with numpy's linear rule).
   */
  readonly arithmetic?: 'float32' | 'float64';
  /**
   * A range narrower than this (hi − lo < threshold) is a constant tensor: all codes 0 and
   * `constant: true`. Default 1e-8, the reference's threshold; 0 treats only hi = lo as constant.
   */
  readonly constantThreshold?: number;
  /**
   * Throw on a constant tensor instead of returning zero codes, mimicking the reference code,
   * which crashes there (TypeError in its `torch.div` call). Default false.
   */
  readonly strictReference?: boolean;
}

/** A per-tensor quantized tensor: codes plus what is needed to dequantize them. */
export interface QuantizedTensor {
  readonly scheme: 'per-tensor';
  /** Codes in 0..2^bits − 1, same order and length as the input. */
  readonly codes: Uint16Array;
  readonly bits: number;
  /** Range start (value of code 0). Exact float32 value in float32 mode. */
  readonly lo: number;
  /** Range end (value of code 2^bits − 1; for a constant tensor, the detected max). */
  readonly hi: number;
  /** Step Δ = (hi − lo)/(2^bits − 1); 0 for a constant tensor. */
  readonly step: number;
  /** True when hi − lo < constantThreshold (or Δ underflowed): all codes are 0. */
  readonly constant: boolean;
  readonly arithmetic: 'float32' | 'float64';
}

/** Per-output-channel quantization: each row of the (dim0, rest) view has its own range. */
export interface QuantizedPerChannel {
  readonly scheme: 'per-channel';
  /** Codes in 0..2^bits − 1, row-major, same length as the input. */
  readonly codes: Uint16Array;
  readonly bits: number;
  /** The input shape (copied). */
  readonly shape: readonly number[];
  /** Number of channels (dim 0; 1 for a 1-D shape). */
  readonly channels: number;
  /** Elements per channel (product of the other dims). */
  readonly channelSize: number;
  /** Per-channel range start, length `channels`. */
  readonly lo: Float64Array;
  /** Per-channel range end, length `channels`. */
  readonly hi: Float64Array;
  /** Per-channel step Δ_c (0 for a constant channel). */
  readonly step: Float64Array;
  /** 1 where the channel is constant (all its codes 0). */
  readonly constant: Uint8Array;
  readonly arithmetic: 'float32' | 'float64';
}
