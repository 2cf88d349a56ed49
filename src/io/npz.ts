/**
 * NumPy `.npz` reader (browser-safe): a zip archive of `.npy` members (stored by `np.savez`,
 * deflated by `np.savez_compressed`), unpacked with fflate.
 */
import { unzipSync } from 'fflate';
import { OckhamError } from '../errors.js';
import { assertInt, assertKnownOptions } from '../util/validate.js';
import { parseNpy, npyToTensor } from './npy.js';
import type { WeightsFile } from './types.js';

/** Options of {@link parseNpz}. */
export interface NpzOptions {
  /** Largest total uncompressed size accepted, bytes (default 2³¹ − 1). Guards zip bombs. */
  maxBytes?: number;
}

/**
 * Parses a NumPy `.npz` archive into float32 tensors, one per `.npy` member, in archive order.
 *
 * Reference: numpy.savez / numpy.savez_compressed (zip of NPY files). Member names lose their
 * `.npy` suffix (`arr_0.npy` → `arr_0`). Declared uncompressed sizes are checked before any
 * member is inflated: each must be plausible for its compressed size (deflate expands at most
 * ~1032×; stored members must not change size) and their sum at most `maxBytes`.
 *
 * @param bytes - The archive contents.
 * @param options - `{ maxBytes }`.
 * @returns `{ format: 'npz', tensors, metadata: {} }`.
 * @throws {OckhamError} PARSE_ERROR for a corrupt zip, non-`.npy` members, or bad members (see
 *   {@link parseNpy}); OUT_OF_RANGE when the declared sizes exceed the limits.
 * @example
 * const { tensors } = parseNpz(bytes); // tensors[0].name === 'arr_0'
 */
export function parseNpz(bytes: Uint8Array | ArrayBuffer, options?: NpzOptions): WeightsFile {
  assertKnownOptions(options, 'options', ['maxBytes']);
  const maxBytes = options?.maxBytes === undefined ? 2 ** 31 - 1 : assertInt(options.maxBytes, 'options.maxBytes', 1, Number.MAX_SAFE_INTEGER);
  let b: Uint8Array;
  if (bytes instanceof Uint8Array) b = bytes;
  else if (bytes instanceof ArrayBuffer) b = new Uint8Array(bytes);
  else throw new OckhamError('INVALID_ARGUMENT', 'bytes', 'expected a Uint8Array or ArrayBuffer');
  let total = 0;
  let members = 0;
  // Every central-directory record takes at least 46 bytes: a larger member count is a lie
  // (and a lying zip64 count could otherwise keep fflate looping over garbage).
  const maxMembers = Math.floor(b.length / 46);
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(b, {
      filter(file) {
        if (++members > maxMembers) {
          throw new OckhamError('PARSE_ERROR', 'bytes', `zip directory declares more members than a ${b.length}-byte archive can hold`);
        }
        if (!Number.isSafeInteger(file.size) || !Number.isSafeInteger(file.originalSize) || file.size > b.length) {
          throw new OckhamError('PARSE_ERROR', 'bytes', `npz member ${JSON.stringify(file.name)} has impossible sizes (${file.size} compressed, ${file.originalSize} uncompressed, archive ${b.length} bytes)`);
        }
        if (file.compression !== 0 && file.compression !== 8) {
          throw new OckhamError('UNSUPPORTED', 'bytes', `npz member ${JSON.stringify(file.name)} uses zip compression method ${file.compression}; only stored (0) and deflate (8) are supported`);
        }
        const plausible = file.compression === 0 ? file.size : file.size * 1032 + 1024;
        if (file.originalSize > plausible) {
          throw new OckhamError('PARSE_ERROR', 'bytes', `npz member ${JSON.stringify(file.name)} declares ${file.originalSize} bytes from ${file.size} compressed bytes, which is impossible`);
        }
        total += file.originalSize;
        if (total > maxBytes) {
          throw new OckhamError('OUT_OF_RANGE', 'bytes', `npz members total more than options.maxBytes = ${maxBytes} bytes uncompressed`);
        }
        return true;
      },
    });
  } catch (e) {
    if (e instanceof OckhamError) throw e;
    throw new OckhamError('PARSE_ERROR', 'bytes', `not a readable zip archive (${(e as Error).message})`);
  }
  const tensors = [];
  for (const [member, content] of Object.entries(files)) {
    if (member.endsWith('/')) continue; // directory entries
    if (!member.endsWith('.npy')) fail(`npz member ${JSON.stringify(member)} is not a .npy file`);
    tensors.push(npyToTensor(member.slice(0, -4), parseNpy(content, `bytes[${member}]`)));
  }
  return { format: 'npz', tensors, metadata: {} };
}

function fail(message: string): never {
  throw new OckhamError('PARSE_ERROR', 'bytes', message);
}
