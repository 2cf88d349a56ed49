/** Compression-based complexity: codecs, the naive baseline, coarse-grained model format. */
export { compress, compressedBits, decompress } from './compress.js';
export { compressAsync, type CompressAsyncOptions } from './parallel.js';
export { naiveCompressedBits, type RawTensors } from './naive.js';
export { serializeCoarseGrained, deserializeCoarseGrained, dequantizeCoarseGrained } from './serialize.js';
export { CODECS, DECOMPRESS_MAX_BYTES } from './types.js';
export type {
  Codec,
  CompressOptions,
  DecompressOptions,
  CoarseGrainedModel,
  CoarseGrainedTensor,
  DenseCoarseTensor,
  LowRankCoarseTensor,
  CoarseFactor,
} from './types.js';
