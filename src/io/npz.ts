/**
 * NumPy `.npz` reader (browser-safe): a zip archive of `.npy` members (stored by `np.savez`,
 * deflated by `np.savez_compressed`), unpacked with ockham's hardened zip reader (./zip.ts).
 */
import { OckhamError } from '../errors.js';
import { assertInt, assertKnownOptions } from '../util/validate.js';
import { BUDGET_KEYS, EXPANSION_ALLOWANCE, OutputMeter, resolveReadBudget, type ReadBudget } from './budget.js';
import { decodeNpy, npyToTensor, readNpyHeader } from './npy.js';
import type { LoadedTensor, WeightsFile } from './types.js';
import { listZipEntries, readZipEntry } from './zip.js';

/** Options of {@link parseNpz}: the reader budget plus the legacy `maxBytes`. */
export interface NpzOptions extends ReadBudget {
  /**
   * Largest total declared uncompressed size of the members, bytes (default: no limit beyond
   * `maxTotalBytes` and `maxExpansion`). Kept for compatibility.
   */
  maxBytes?: number;
  /** Name used in error messages (e.g. the file path). Default `'bytes'`. */
  argument?: string;
}

/**
 * Parses a NumPy `.npz` archive into float32 tensors, one per `.npy` member, in archive order.
 *
 * Reference: numpy.savez / numpy.savez_compressed (zip of NPY files); zip structure per PKWARE
 * APPNOTE 6.3.10 (see {@link listZipEntries}). Member names lose their `.npy` suffix
 * (`arr_0.npy` → `arr_0`). Before anything is inflated the whole directory is checked (bounds,
 * ZIP64 fields, overlapping member ranges, duplicate names) and the declared uncompressed sizes are
 * held to the budget: their sum may be at most `maxExpansion` × the archive size + 64 MiB (a zip
 * bomb declares far more) and `maxTotalBytes`. Each member's CRC-32 is checked; each tensor's
 * float32 output is counted against `maxTensorBytes`, `maxTotalBytes` and `maxExpansion` before it
 * is allocated.
 *
 * @param bytes - The archive contents.
 * @param options - Budget ({@link ReadBudget}), `maxBytes`, `argument`.
 * @returns `{ format: 'npz', tensors, metadata: {} }`.
 * @throws {OckhamError} PARSE_ERROR for a corrupt zip (bad offsets, overlaps, duplicate names,
 *   CRC-32 mismatch), non-`.npy` members, or bad members (see {@link parseNpy}); UNSUPPORTED for
 *   other compression methods; OUT_OF_RANGE when a budget is exceeded.
 * @example
 * import { parseNpz } from 'ockham';
 * import { zipSync } from 'fflate';
 * const npy = new Uint8Array([0x93, 78, 85, 77, 80, 89, 1, 0, 118, 0, ...new TextEncoder().encode(
 *   "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }".padEnd(117) + '\n'), 7, 9]);
 * const { tensors } = parseNpz(zipSync({ 'w.npy': npy }));
 * tensors[0].name; // 'w'  (data: Float32Array [7, 9])
 */
export function parseNpz(bytes: Uint8Array | ArrayBuffer, options?: NpzOptions): WeightsFile {
  assertKnownOptions(options, 'options', [...BUDGET_KEYS, 'maxBytes', 'argument']);
  const budget = resolveReadBudget(options);
  const argument = options?.argument === undefined ? 'bytes' : String(options.argument);
  let b: Uint8Array;
  if (bytes instanceof Uint8Array) b = bytes;
  else if (bytes instanceof ArrayBuffer) b = new Uint8Array(bytes);
  else throw new OckhamError('INVALID_ARGUMENT', argument, 'expected a Uint8Array or ArrayBuffer');
  const maxBytes = options?.maxBytes === undefined ? Number.MAX_SAFE_INTEGER : assertInt(options.maxBytes, 'options.maxBytes', 1, Number.MAX_SAFE_INTEGER);
  const expansionLimit = budget.maxExpansion * b.length + EXPANSION_ALLOWANCE;
  const entries = listZipEntries(b, { maxEntries: budget.maxTensors, maxTotalBytes: Math.min(maxBytes, Number.MAX_SAFE_INTEGER) }, argument);
  let declared = 0;
  for (const e of entries) declared += e.size;
  if (declared > expansionLimit) {
    throw new OckhamError(
      'OUT_OF_RANGE',
      argument,
      `npz members declare ${declared} bytes uncompressed from a ${b.length}-byte archive, more than maxExpansion = ${budget.maxExpansion} × its size + ${EXPANSION_ALLOWANCE} bytes (a zip bomb?)`,
    );
  }
  if (declared > budget.maxTotalBytes) {
    throw new OckhamError('OUT_OF_RANGE', argument, `npz members declare ${declared} bytes uncompressed, more than maxTotalBytes = ${budget.maxTotalBytes}`);
  }
  const meter = new OutputMeter(budget, argument);
  const tensors: LoadedTensor[] = [];
  for (const e of entries) {
    if (e.name.endsWith('/') && e.size === 0) continue; // directory entries
    if (!e.name.endsWith('.npy')) fail(argument, `npz member ${JSON.stringify(e.name)} is not a .npy file`);
    const content = readZipEntry(b, e, undefined, argument);
    const name = e.name.slice(0, -4);
    const memberArg = `npz member ${JSON.stringify(e.name)}`;
    try {
      const header = readNpyHeader(content, memberArg, budget);
      meter.add(name, header.count, header.shape);
      if (meter.total > expansionLimit) {
        throw new OckhamError(
          'OUT_OF_RANGE',
          argument,
          `npz tensors reach ${meter.total} bytes as float32 from a ${b.length}-byte archive, more than maxExpansion = ${budget.maxExpansion} × its size + ${EXPANSION_ALLOWANCE} bytes`,
        );
      }
      tensors.push(npyToTensor(name, decodeNpy(content, header, memberArg)));
    } catch (err) {
      // Member errors keep the archive as the argument and name the member in the message.
      if (err instanceof OckhamError && err.argument === memberArg) throw new OckhamError(err.code, argument, err.message);
      throw err;
    }
  }
  return { format: 'npz', tensors, metadata: {} };
}

function fail(argument: string, message: string): never {
  throw new OckhamError('PARSE_ERROR', argument, message);
}
