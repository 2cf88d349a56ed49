/** Cancellation and progress checks shared by the long-running functions (report, qubdModel, spectral, compressAsync). */
import { OckhamError } from '../errors.js';

/** Progress of a long-running function: work done and total in the function's unit, and what runs. */
export type ProgressCallback = (done: number, total: number, label: string) => void;

/** Throws `signal.reason` (a DOMException named 'AbortError' unless the caller gave another) when the signal has fired. */
export function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/** Validates `options.signal` / `options.onProgress` at a public boundary (OckhamError naming the option). */
export function assertControl(options: { signal?: unknown; onProgress?: unknown } | undefined, name = 'options'): void {
  if (!options) return;
  const s = options.signal as { aborted?: unknown; addEventListener?: unknown } | null | undefined;
  if (s !== undefined && (s === null || typeof s !== 'object' || typeof s.aborted !== 'boolean' || typeof s.addEventListener !== 'function')) {
    throw new OckhamError('INVALID_ARGUMENT', `${name}.signal`, 'expected an AbortSignal');
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new OckhamError('INVALID_ARGUMENT', `${name}.onProgress`, 'expected a function (done, total, label) => void');
  }
}
