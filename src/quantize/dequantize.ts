/**
 * Back from codes to values: x̂ = lo + code·Δ.
 */
import { OckhamError } from '../errors.js';
import type { QuantizedPerChannel, QuantizedTensor } from './types.js';

function bad(arg: string, msg: string): OckhamError {
  return new OckhamError('INVALID_ARGUMENT', arg, msg);
}

function checkScalar(v: unknown, arg: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new OckhamError('NON_FINITE', arg, `expected a finite number, got ${String(v)}`);
  return v;
}

/**
 * Reconstructs values from codes: x̂ = lo + code·Δ (per channel: lo_c + code·Δ_c).
 *
 * For a weight inside [lo, hi], |x̂ − x| ≤ Δ/2 up to float rounding (the defining property of
 * round-to-nearest); weights clipped by a percentile range come back as lo or hi. Constant
 * tensors (or channels) come back as lo. In float32 mode the product and the sum are each
 * rounded to float32, as a float32 tensor expression `lo + code * Δ` would be.
 *
 * @param q - The result of {@link quantize} or {@link quantizePerChannel} (not modified).
 * @returns A new `Float32Array` of x̂, same length and order as the codes.
 * @throws {@link OckhamError} `INVALID_ARGUMENT` (argument `q` or one of its fields) for an object that
 *   is not a quantization result, `OUT_OF_RANGE` naming the index of a code ≥ 2^bits.
 * @example
 * ```ts
 * import { quantize, dequantize } from 'ockham';
 * const q = quantize(new Float32Array([0, 0.3, 1]), { bits: 2 });
 * dequantize(q); // Float32Array [0, 0.33333334, 1]
 * ```
 */
export function dequantize(q: QuantizedTensor | QuantizedPerChannel): Float32Array {
  if (q === null || typeof q !== 'object') throw bad('q', 'expected the result of quantize or quantizePerChannel');
  if (!(q.codes instanceof Uint16Array)) throw bad('q.codes', 'expected a Uint16Array');
  const bits = q.bits;
  if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < 1 || bits > 16) {
    throw new OckhamError('OUT_OF_RANGE', 'q.bits', `expected an integer in 1..16, got ${String(bits)}`);
  }
  const f32 = q.arithmetic !== 'float64';
  const codes = q.codes;
  const n = codes.length;
  const out = new Float32Array(n);
  const maxCode = 2 ** bits - 1;
  if (q.scheme === 'per-tensor') {
    const lo = checkScalar(q.lo, 'q.lo');
    const step = checkScalar(q.step, 'q.step');
    decode(codes, 0, n, out, lo, step, f32, maxCode);
  } else if (q.scheme === 'per-channel') {
    const { channels, channelSize } = q;
    if (!Number.isInteger(channels) || !Number.isInteger(channelSize) || channels * channelSize !== n) {
      throw new OckhamError('SHAPE_MISMATCH', 'q.codes', `length ${n} is not channels × channelSize (${channels} × ${channelSize})`);
    }
    if (!(q.lo instanceof Float64Array) || !(q.step instanceof Float64Array) || q.lo.length !== channels || q.step.length !== channels) {
      throw bad('q.lo', `expected Float64Arrays lo and step of length ${channels}`);
    }
    for (let c = 0; c < channels; c++) {
      const lo = checkScalar(q.lo[c], `q.lo[${c}]`);
      const step = checkScalar(q.step[c], `q.step[${c}]`);
      decode(codes, c * channelSize, (c + 1) * channelSize, out, lo, step, f32, maxCode);
    }
  } else {
    throw bad('q.scheme', `expected 'per-tensor' or 'per-channel', got ${JSON.stringify((q as { scheme?: unknown }).scheme)}`);
  }
  return out;
}

function decode(
  codes: Uint16Array,
  start: number,
  end: number,
  out: Float32Array,
  lo: number,
  step: number,
  f32: boolean,
  maxCode: number,
): void {
  let mx = 0;
  if (f32) {
    for (let i = start; i < end; i++) {
      const c = codes[i];
      if (c > mx) mx = c;
      out[i] = lo + Math.fround(c * step);
    }
  } else {
    for (let i = start; i < end; i++) {
      const c = codes[i];
      if (c > mx) mx = c;
      out[i] = lo + c * step;
    }
  }
  if (mx > maxCode) {
    for (let i = start; i < end; i++) {
      if (codes[i] > maxCode) throw new OckhamError('OUT_OF_RANGE', 'q.codes', `element ${i} is ${codes[i]}; expected codes in 0..${maxCode}`);
    }
  }
}
