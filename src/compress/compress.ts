/**
 * compress / decompress / compressedBits: one entry point for every codec.
 */
import { deflateSync, gzipSync, Gunzip, Inflate } from 'fflate';
import { OckhamError } from '../errors.js';
import { assertInt, assertKnownOptions, assertOneOf } from '../util/validate.js';
import { arithDecode, arithEncode } from './arith.js';
import { bzip2Decode } from './bzip2-decode.js';
import { bzip2Encode } from './bzip2-encode.js';
import { zlibCrc32 } from './crc32.js';
import { CODECS, DECOMPRESS_MAX_BYTES, outputTooLarge, type Codec, type CompressOptions, type DecompressOptions } from './types.js';

function assertBytes(bytes: unknown, name: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new OckhamError('INVALID_ARGUMENT', name, `expected a Uint8Array, got ${describe(bytes)}`);
  }
  return bytes;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}

/** Validates options and returns [codec, level] (level −1 for 'arith'). */
export function resolveOptions(options: unknown, name = 'options'): [Codec, number] {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OckhamError('INVALID_ARGUMENT', name, `expected { codec: ${CODECS.map((c) => `'${c}'`).join(' | ')}, level? }`);
  }
  assertKnownOptions(options, name, ['codec', 'level']);
  const o = options as CompressOptions;
  const codec = assertOneOf(o.codec, `${name}.codec`, CODECS);
  if (codec === 'arith') {
    if (o.level !== undefined) {
      throw new OckhamError('INVALID_ARGUMENT', `${name}.level`, `codec 'arith' has no level; leave it undefined (got ${String(o.level)})`);
    }
    return [codec, -1];
  }
  if (codec === 'bzip2') return [codec, o.level === undefined ? 9 : assertInt(o.level, `${name}.level`, 1, 9)];
  return [codec, o.level === undefined ? 9 : assertInt(o.level, `${name}.level`, 0, 9)];
}

/** Compression after validation (kernel entry shared with naiveCompressedBits). */
export function compressKernel(bytes: Uint8Array, codec: Codec, level: number): Uint8Array {
  switch (codec) {
    case 'bzip2':
      return bzip2Encode(bytes, level);
    case 'arith':
      return arithEncode(bytes);
    case 'deflate':
      return deflateSync(bytes, { level: level as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 });
    case 'gzip':
      // mtime 0: no timestamp, so equal inputs give equal streams.
      return gzipSync(bytes, { level: level as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9, mtime: 0 });
  }
}

/**
 * Compresses bytes into a complete, decodable stream of the chosen codec.
 *
 * 'bzip2' is our encoder of the bzip2 1.0 file format (RLE1, Burrows–Wheeler transform by
 * suffix sorting, move-to-front, RUNA/RUNB, 2–6 Huffman tables; Seward 1996); its output
 * decodes with `bzip2 -d`. 'deflate' (raw RFC 1951) and 'gzip' (RFC 1952, mtime 0) come from
 * fflate. 'arith' is our context-mixing binary arithmetic coder (see docs/compress.md).
 *
 * @param bytes - Input bytes (not modified).
 * @param options - `{ codec, level? }`; level: bzip2 1..9 (default 9), deflate/gzip 0..9
 *   (default 9), 'arith' none.
 * @returns The compressed stream.
 * @throws {OckhamError} INVALID_ARGUMENT if `bytes` is not a Uint8Array or the codec is
 *   unknown; OUT_OF_RANGE for a level outside its range; UNKNOWN_OPTION for a misspelt option.
 * @example
 * ```ts
 * import { compress } from 'ockham';
 * const z = compress(new TextEncoder().encode('abracadabra'), { codec: 'bzip2', level: 9 });
 * // z starts with "BZh9"
 * ```
 */
export function compress(bytes: Uint8Array, options: CompressOptions): Uint8Array {
  assertBytes(bytes, 'bytes');
  const [codec, level] = resolveOptions(options);
  return compressKernel(bytes, codec, level);
}

/**
 * Size in bits of the complete compressed stream of `bytes` — an upper bound on their
 * Kolmogorov complexity up to the decoder's constant (8 × stream bytes, headers and
 * checksums included).
 *
 * @param bytes - Input bytes.
 * @param options - `{ codec, level? }` as in {@link compress}.
 * @returns Bits (an integer multiple of 8).
 * @throws {OckhamError} as {@link compress}.
 * @example
 * ```ts
 * import { compressedBits } from 'ockham';
 * compressedBits(new Uint8Array(1000), { codec: 'bzip2' }); // 352 (a 44-byte stream)
 * ```
 */
export function compressedBits(bytes: Uint8Array, options: CompressOptions): number {
  return compress(bytes, options).length * 8;
}

/** Input bytes inflated per step: at most 1 032 × this of output before the size check. */
const INFLATE_STEP = 16384;

/**
 * Raw deflate / gzip through fflate's streaming inflater, 16 KiB of input at a time, so an
 * output over `maxBytes` is refused before more than one step's expansion is held.
 */
function inflateBounded(stream: Uint8Array, maxBytes: number, gzip: boolean): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const d = gzip ? new Gunzip() : new Inflate();
  d.ondata = (chunk: Uint8Array): void => {
    total += chunk.length;
    if (total > maxBytes) throw outputTooLarge(maxBytes);
    if (chunk.length > 0) chunks.push(chunk);
  };
  if (stream.length === 0) d.push(stream, true);
  for (let i = 0; i < stream.length; i += INFLATE_STEP) {
    const end = Math.min(i + INFLATE_STEP, stream.length);
    d.push(stream.subarray(i, end), end === stream.length);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

function wrap<T>(codec: Codec, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof OckhamError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw new OckhamError('PARSE_ERROR', 'stream', `invalid ${codec} stream: ${message}`);
  }
}

/**
 * Decompresses a stream made by {@link compress} (or any standard bzip2 / raw deflate / gzip
 * stream). bzip2 and 'arith' use our decoders, which check every CRC; gzip's CRC-32 and
 * length trailer are verified here (fflate does not); raw deflate carries no checksum, so
 * only structural corruption is detected.
 *
 * Streams are untrusted: an output over `options.maxBytes` (default 1 GiB) throws instead of
 * exhausting memory — bzip2 expands up to ~45 000:1 and deflate ~1 000:1, so a few hundred
 * bytes can claim gigabytes. bzip2 is checked block by block and deflate/gzip are inflated
 * 16 KiB of input at a time, so memory stays within maxBytes plus one bzip2 block's output
 * (≤ 46 MB) or one step's (≤ 17 MB); 'arith' declares its length up front.
 *
 * @param stream - Compressed bytes.
 * @param options - `{ codec, maxBytes? }`: maxBytes an integer 0..2^32 (bytes).
 * @returns The decompressed bytes.
 * @throws {OckhamError} INVALID_ARGUMENT for a non-Uint8Array or unknown codec; PARSE_ERROR
 *   for truncated or corrupted streams; UNSUPPORTED for randomised (pre-0.9.5) bzip2 blocks;
 *   OUT_OF_RANGE (naming `options.maxBytes`) when the output would exceed maxBytes.
 * @example
 * ```ts
 * import { compress, decompress } from 'ockham';
 * const z = compress(new Uint8Array([1, 2, 3]), { codec: 'arith' });
 * decompress(z, { codec: 'arith' }); // Uint8Array [1, 2, 3]
 * ```
 */
export function decompress(stream: Uint8Array, options: DecompressOptions): Uint8Array {
  assertBytes(stream, 'stream');
  if (options === null || typeof options !== 'object') {
    throw new OckhamError('INVALID_ARGUMENT', 'options', "expected { codec }");
  }
  assertKnownOptions(options, 'options', ['codec', 'maxBytes']);
  const codec = assertOneOf(options.codec, 'options.codec', CODECS);
  const maxBytes = options.maxBytes === undefined ? DECOMPRESS_MAX_BYTES : assertInt(options.maxBytes, 'options.maxBytes', 0, 2 ** 32);
  switch (codec) {
    case 'bzip2':
      return wrap(codec, () => bzip2Decode(stream, maxBytes));
    case 'arith':
      return wrap(codec, () => arithDecode(stream, maxBytes));
    case 'deflate':
      return wrap(codec, () => inflateBounded(stream, maxBytes, false));
    case 'gzip':
      return wrap(codec, () => {
        const out = inflateBounded(stream, maxBytes, true);
        const n = stream.length;
        if (n < 18) throw new OckhamError('PARSE_ERROR', 'stream', 'invalid gzip stream: too short');
        const crc = (stream[n - 8] | (stream[n - 7] << 8) | (stream[n - 6] << 16) | (stream[n - 5] << 24)) >>> 0;
        const size = (stream[n - 4] | (stream[n - 3] << 8) | (stream[n - 2] << 16) | (stream[n - 1] << 24)) >>> 0;
        if (crc !== zlibCrc32(out) || size !== out.length % 4294967296) {
          throw new OckhamError('PARSE_ERROR', 'stream', 'invalid gzip stream: CRC-32 or length trailer mismatch');
        }
        return out;
      });
  }
}
