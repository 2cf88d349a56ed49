/** The naive baseline: compressed size of the raw float32 weights. */
import { OckhamError } from '../errors.js';
import { resolveOptions, compressKernel } from './compress.js';
import { assertOneOf } from '../util/validate.js';
import { CODECS, type Codec, type CompressOptions } from './types.js';
import { LITTLE_ENDIAN } from '../util/endian.js';

/** Named float tensors: a record name → data (or → { data }), or an array of { name, data }. */
export type RawTensors =
  | Readonly<Record<string, Float32Array | Float64Array | { readonly data: Float32Array | Float64Array }>>
  | ReadonlyArray<{ readonly name: string; readonly data: Float32Array | Float64Array }>;

/**
 * Concatenates tensors as raw little-endian float32 bytes, in order (array order, or the
 * record's key order). Float64Array data are rounded to float32 first.
 */
export function rawFloat32Bytes(tensors: RawTensors, name = 'tensors'): Uint8Array {
  if (tensors === null || typeof tensors !== 'object') {
    throw new OckhamError('INVALID_ARGUMENT', name, 'expected a record name → Float32Array or an array of { name, data }');
  }
  const list: Array<Float32Array | Float64Array> = [];
  const entries: Array<[string, unknown]> = Array.isArray(tensors)
    ? (tensors as ReadonlyArray<{ name: string; data: unknown }>).map((t, i) => [`${name}[${i}]`, t?.data])
    : Object.entries(tensors).map(([k, v]) => [`${name}.${k}`, v instanceof Float32Array || v instanceof Float64Array ? v : (v as { data?: unknown })?.data]);
  if (entries.length === 0) throw new OckhamError('EMPTY', name, 'expected at least one tensor');
  let total = 0;
  for (const [label, d] of entries) {
    if (!(d instanceof Float32Array) && !(d instanceof Float64Array)) {
      throw new OckhamError('INVALID_ARGUMENT', label, 'expected Float32Array (or Float64Array) data');
    }
    list.push(d);
    total += d.length;
  }
  const out = new Float32Array(total);
  let o = 0;
  for (const d of list) {
    out.set(d, o); // Float64 → float32 rounding happens here
    o += d.length;
  }
  const bytes = new Uint8Array(out.buffer);
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < bytes.length; i += 4) {
      const a = bytes[i];
      const b = bytes[i + 1];
      bytes[i] = bytes[i + 3];
      bytes[i + 1] = bytes[i + 2];
      bytes[i + 2] = b;
      bytes[i + 3] = a;
    }
  }
  return bytes;
}

/**
 * Naive compression baseline: bits of the compressed raw float32 weights (little-endian,
 * tensors concatenated in order) — the "naive" upper bound of the grokking paper (DeMoss et
 * al., "The Complexity Dynamics of Grokking"), against which coarse-grained sizes are compared.
 *
 * @param tensors - Record name → Float32Array (or → { data }), or array of { name, data }.
 *   Float64Array data are rounded to float32 first.
 * @param codec - A codec name (default level) or `{ codec, level }`; default 'bzip2' level 9.
 * @returns Bits of the complete compressed stream.
 * @throws {OckhamError} INVALID_ARGUMENT / EMPTY for malformed tensors; as {@link compress}
 *   for codec and level.
 * @example
 * ```ts
 * import { naiveCompressedBits } from 'ockham';
 * naiveCompressedBits({ w: new Float32Array([0.1, -0.2, 0.3]) }, 'bzip2'); // bits of bzip2(12 bytes)
 * ```
 */
export function naiveCompressedBits(tensors: RawTensors, codec: Codec | CompressOptions = 'bzip2'): number {
  const [c, level] =
    typeof codec === 'string' ? resolveOptions({ codec: assertOneOf(codec, 'codec', CODECS) }) : resolveOptions(codec, 'codec');
  const bytes = rawFloat32Bytes(tensors);
  return compressKernel(bytes, c, level).length * 8;
}
