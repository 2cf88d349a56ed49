/** Types of the compression area. */
import { OckhamError } from '../errors.js';

/** Codecs: 'bzip2' (ours), 'deflate' / 'gzip' (fflate), 'arith' (ours, context mixing). */
export type Codec = 'bzip2' | 'deflate' | 'gzip' | 'arith';

/** All codecs, in documentation order. */
export const CODECS: readonly Codec[] = ['bzip2', 'deflate', 'gzip', 'arith'];

/**
 * Options of {@link compress} / {@link compressedBits}.
 * `level`: bzip2 1..9 (block size level·100 000 bytes, default 9); deflate/gzip 0..9
 * (default 9); 'arith' has no level (leave it undefined).
 */
export interface CompressOptions {
  codec: Codec;
  level?: number;
}

/** Options of {@link decompress}. */
export interface DecompressOptions {
  codec: Codec;
  /**
   * Largest output accepted, in bytes (integer 0..2^32, default {@link DECOMPRESS_MAX_BYTES} =
   * 1 GiB). A stream that decodes to more throws `OUT_OF_RANGE` instead of exhausting memory
   * (bzip2 and deflate expand up to ~45 000:1 and 1 032:1): memory stays below this plus one
   * bzip2 block's output (≤ 46 MB) or one inflated 16 KiB input chunk (≤ 17 MB).
   */
  maxBytes?: number;
}

/** Default `maxBytes` of {@link decompress}: 1 GiB. */
export const DECOMPRESS_MAX_BYTES = 2 ** 30;

/** The error of every decoder for an output over `maxBytes` (`detail`: what the stream claims). @internal */
export function outputTooLarge(maxBytes: number, detail = ''): OckhamError {
  return new OckhamError('OUT_OF_RANGE', 'options.maxBytes', `the stream decodes to more than ${maxBytes} bytes (${detail}raise options.maxBytes, up to 2^32)`);
}

/** A dense coarse-grained tensor: weights = Math.fround(codes[i] · step), row-major in `shape`. */
export interface DenseCoarseTensor {
  kind: 'dense';
  name: string;
  shape: number[];
  /** Quantization step Δ > 0 (float64). */
  step: number;
  /** Integer codes, one per weight (length = product of shape). */
  codes: Int32Array;
}

/** One quantized low-rank factor: a row-major matrix of codes. */
export interface CoarseFactor {
  shape: [number, number];
  codes: Int32Array;
}

/**
 * A low-rank coarse-grained tensor W ≈ L·R viewed as a matrix (rows = shape[0], columns =
 * product of the rest): `left` is [rows, rank], `right` is [rank, cols], both quantized with
 * the same step (e.g. L = U·diag(σ), R = Vᵀ). Weights:
 * W[i, j] = Math.fround(Σ_k Math.fround(L[i,k]·step) · Math.fround(R[k,j]·step)), the sum
 * taken in float64 in order k = 0 … rank−1.
 */
export interface LowRankCoarseTensor {
  kind: 'lowrank';
  name: string;
  shape: number[];
  step: number;
  rank: number;
  left: CoarseFactor;
  right: CoarseFactor;
}

export type CoarseGrainedTensor = DenseCoarseTensor | LowRankCoarseTensor;

/** A coarse-grained model: tensors in order (the order is part of the serialised bytes). */
export interface CoarseGrainedModel {
  tensors: CoarseGrainedTensor[];
}
