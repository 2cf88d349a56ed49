/**
 * Exact conversion of the numeric encodings found in weight files to float32.
 *
 * Every converter returns a fresh Float32Array (never a view on the caller's bytes). Values
 * that float32 represents exactly (all of f16, bf16, f8, and integers up to 2²⁴) convert
 * exactly; f64 and larger integers round to nearest float32 (via float64 for 64-bit ints).
 */

/** Element encodings the readers understand. */
export type ElementKind =
  | 'f16'
  | 'bf16'
  | 'f32'
  | 'f64'
  | 'f8e4m3'
  | 'f8e5m2'
  | 'i8'
  | 'u8'
  | 'i16'
  | 'u16'
  | 'i32'
  | 'u32'
  | 'i64'
  | 'u64'
  | 'bool';

/** Bytes per element of each kind. */
export const ITEM_SIZE: Readonly<Record<ElementKind, number>> = {
  f16: 2,
  bf16: 2,
  f32: 4,
  f64: 8,
  f8e4m3: 1,
  f8e5m2: 1,
  i8: 1,
  u8: 1,
  i16: 2,
  u16: 2,
  i32: 4,
  u32: 4,
  i64: 8,
  u64: 8,
  bool: 1,
};

import { allocFloat32 } from './budget.js';

export const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let f16Table: Float32Array | undefined;

/**
 * Decodes IEEE 754 binary16 bits to their exact value.
 *
 * Reference: IEEE 754-2008 §3.6 (binary16: 1 sign, 5 exponent bits with bias 15, 10 fraction bits).
 * @param bits - The 16-bit pattern (0..65535).
 * @returns The value (subnormals, ±0, ±Infinity and NaN included).
 * @example
 * import { halfToFloat } from 'ockham';
 * halfToFloat(0x3c00); // 1
 */
export function halfToFloat(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >>> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return s * m * 2 ** -24; // zero and subnormals
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** All 65,536 binary16 values, built once on first use (256 KiB). */
function halfTable(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) f16Table[i] = halfToFloat(i);
  }
  return f16Table;
}

/** OCP FP8 E4M3 ("fn": no infinities; S.1111.111 is NaN), bias 7. */
function e4m3ToFloat(b: number): number {
  const s = b & 0x80 ? -1 : 1;
  const e = (b >>> 3) & 0xf;
  const m = b & 7;
  if (e === 15 && m === 7) return NaN;
  if (e === 0) return s * m * 2 ** -9;
  return s * (1 + m / 8) * 2 ** (e - 7);
}

/** OCP FP8 E5M2 (IEEE-like, with infinities and NaNs), bias 15. */
function e5m2ToFloat(b: number): number {
  return halfToFloat(b << 8);
}

/**
 * Encodes a number as IEEE 754 binary16 bits, rounding to nearest, ties to even.
 *
 * Reference: IEEE 754-2008 §4.3.1 (roundTiesToEven). The input is first rounded to float32.
 * @param value - Any number; magnitudes ≥ 65520 become ±Infinity, NaN becomes 0x7e00.
 * @returns The 16-bit pattern.
 * @example
 * import { floatToHalf } from 'ockham';
 * floatToHalf(1); // 0x3c00
 */
export function floatToHalf(value: number): number {
  const f = Math.fround(value);
  const sign = f < 0 || Object.is(f, -0) ? 0x8000 : 0;
  const a = Math.abs(f);
  if (Number.isNaN(f)) return 0x7e00;
  if (a === Infinity) return sign | 0x7c00;
  if (a >= 65520) return sign | 0x7c00; // rounds past the largest half (65504)
  if (a < 2 ** -14) {
    // Subnormal (or zero): units of 2^-24, round half to even.
    const q = a / 2 ** -24;
    let r = Math.floor(q);
    const frac = q - r;
    if (frac > 0.5 || (frac === 0.5 && (r & 1) === 1)) r++;
    return sign | r; // r may reach 1024 = smallest normal, which is the right encoding
  }
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const q = (a / 2 ** e - 1) * 1024;
  let m = Math.floor(q);
  const frac = q - m;
  if (frac > 0.5 || (frac === 0.5 && (m & 1) === 1)) m++;
  if (m === 1024) {
    m = 0;
    e++;
  }
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | m;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/**
 * Encodes a number as bfloat16 bits (the top 16 bits of its float32), rounding to nearest even.
 *
 * Reference: bfloat16 as used by TensorFlow/PyTorch (float32 with the low 16 fraction bits dropped).
 * @param value - Any number; NaN stays a quiet NaN.
 * @returns The 16-bit pattern.
 * @example
 * import { floatToBfloat16 } from 'ockham';
 * floatToBfloat16(1); // 0x3f80
 */
export function floatToBfloat16(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff;
  const rounded = (x + 0x7fff + ((x >>> 16) & 1)) >>> 0;
  return rounded >>> 16;
}

/** out[i] = table[codes[i]] — a small function of its own so V8 optimises it separately. */
function lookup16(table: Float32Array, codes: Uint16Array, out: Float32Array): void {
  const n = codes.length;
  for (let i = 0; i < n; i++) out[i] = table[codes[i]];
}

/**
 * Decodes `count` elements of `kind` starting at `bytes[offset]` into a new Float32Array.
 * The caller has checked that the range lies inside `bytes` and that `count` fits its budget;
 * `name` / `argument` name the tensor and file if the engine still cannot allocate it.
 */
export function decodeToFloat32(
  bytes: Uint8Array,
  offset: number,
  count: number,
  kind: ElementKind,
  littleEndian = true,
  name = 'tensor',
  argument = 'bytes',
): Float32Array {
  const out = allocFloat32(count, name, argument);
  const size = ITEM_SIZE[kind];
  const nbytes = count * size;
  if (kind === 'f32' && littleEndian === HOST_LE) {
    // One copy into an aligned buffer; reinterpreting is exact.
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + nbytes));
    return out;
  }
  if (size === 1) {
    const src = bytes.subarray(offset, offset + nbytes);
    switch (kind) {
      case 'u8':
        for (let i = 0; i < count; i++) out[i] = src[i];
        break;
      case 'i8':
        for (let i = 0; i < count; i++) out[i] = (src[i] << 24) >> 24;
        break;
      case 'bool':
        for (let i = 0; i < count; i++) out[i] = src[i] !== 0 ? 1 : 0;
        break;
      case 'f8e4m3':
      case 'f8e5m2': {
        const table = new Float32Array(256);
        const fn = kind === 'f8e4m3' ? e4m3ToFloat : e5m2ToFloat;
        for (let b = 0; b < 256; b++) table[b] = fn(b);
        for (let i = 0; i < count; i++) out[i] = table[src[i]];
        break;
      }
    }
    return out;
  }
  if (littleEndian === HOST_LE) {
    // Read through a native typed-array view: directly on the caller's bytes when aligned
    // (read only, never kept), else on an aligned copy. Fresh memory is costly, so avoid it.
    const at = bytes.byteOffset + offset;
    // Uint8Array's slice copies; a Node Buffer's own slice() is a view and would stay misaligned.
    const aligned = at % size === 0 ? bytes.buffer : Uint8Array.prototype.slice.call(bytes, offset, offset + nbytes).buffer;
    const base = at % size === 0 ? at : 0;
    switch (kind) {
      case 'f16': {
        // A 65,536-entry table measured as fast as integer bit tricks here, and is simpler.
        lookup16(halfTable(), new Uint16Array(aligned, base, count), out);
        return out;
      }
      case 'bf16': {
        // bfloat16 is the top half of a float32: shifting the bits back is exact.
        const v = new Uint16Array(aligned, base, count);
        const o = new Uint32Array(out.buffer);
        for (let i = 0; i < count; i++) o[i] = v[i] << 16;
        return out;
      }
      case 'f64':
        out.set(new Float64Array(aligned, base, count));
        return out;
      case 'i16':
        out.set(new Int16Array(aligned, base, count));
        return out;
      case 'u16':
        out.set(new Uint16Array(aligned, base, count));
        return out;
      case 'i32':
        out.set(new Int32Array(aligned, base, count));
        return out;
      case 'u32':
        out.set(new Uint32Array(aligned, base, count));
        return out;
      default:
        break; // i64/u64 below
    }
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, nbytes);
  const le = littleEndian;
  switch (kind) {
    case 'f16': {
      const t = halfTable();
      for (let i = 0; i < count; i++) out[i] = t[dv.getUint16(2 * i, le)];
      break;
    }
    case 'bf16': {
      const o = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) o[i] = dv.getUint16(2 * i, le) << 16;
      break;
    }
    case 'f32':
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, le);
      break;
    case 'f64':
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(8 * i, le);
      break;
    case 'i16':
      for (let i = 0; i < count; i++) out[i] = dv.getInt16(2 * i, le);
      break;
    case 'u16':
      for (let i = 0; i < count; i++) out[i] = dv.getUint16(2 * i, le);
      break;
    case 'i32':
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(4 * i, le);
      break;
    case 'u32':
      for (let i = 0; i < count; i++) out[i] = dv.getUint32(4 * i, le);
      break;
    case 'i64':
    case 'u64': {
      // hi·2³² + lo in float64 (exact below 2⁵³), then rounded to float32.
      const hiOff = le ? 4 : 0;
      const loOff = le ? 0 : 4;
      for (let i = 0; i < count; i++) {
        const hi = kind === 'i64' ? dv.getInt32(8 * i + hiOff, le) : dv.getUint32(8 * i + hiOff, le);
        out[i] = hi * 4294967296 + dv.getUint32(8 * i + loOff, le);
      }
      break;
    }
    default:
      break;
  }
  return out;
}
