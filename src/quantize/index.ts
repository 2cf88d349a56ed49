/**
 * Uniform quantization of weights to b-bit codes (per tensor, per channel), dequantization,
 * round half to even and the coarse-graining operator round(x/Δ)·Δ.
 * @module
 */
export { quantize, quantizePerChannel } from './quantize.js';
export { dequantize } from './dequantize.js';
export { roundHalfEven, roundToStep } from './round.js';
export type { RoundToStepOptions } from './round.js';
export type { QuantizeOptions, QuantizedTensor, QuantizedPerChannel, RangeMode } from './types.js';
