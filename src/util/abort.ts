/** Cancellation and progress shared by the long-running functions (report, qubdModel, spectral, compressAsync, LLC, LMN, the searches, experiments). */
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

/**
 * Resolves from a timer (`setTimeout(0)`), so every timer already due — an abort from
 * `AbortSignal.timeout` or another task — runs first: a loop that awaits it sees such an abort
 * at once. Costs the timer floor (1 ms in Node, 4 ms for nested timers in browsers), so loops
 * call it every ~100 ms or between large units (bzip2 blocks, training checkpoints).
 */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Resolves at the next turn of the event loop without a timer floor (`setImmediate` where it exists). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    const g = globalThis as { setImmediate?: (f: () => void) => void };
    if (typeof g.setImmediate === 'function') g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/**
 * @internal Progress and cancellation of a loop of `total` units: `step(done, label)` before a
 * unit (checks the signal, yields to the event loop when a signal is given, reports progress,
 * checks again so an abort from `onProgress` stops at once); `finish()` after the last.
 */
export function progressStepper(
  signal: AbortSignal | undefined,
  onProgress: ProgressCallback | undefined,
  total: number,
): { step: (done: number, label: string) => Promise<void>; finish: () => void } {
  return {
    async step(done, label) {
      checkAbort(signal);
      if (signal !== undefined) {
        await nextTurn(); // every unit: no timer floor (an abort from a timer lands a turn later)
        checkAbort(signal);
      }
      if (onProgress !== undefined) {
        onProgress(Math.min(done, total), total, label);
        checkAbort(signal);
      }
    },
    finish() {
      checkAbort(signal);
      onProgress?.(total, total, 'done');
    },
  };
}
