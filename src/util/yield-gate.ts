/**
 * Abort checks for long loops inside async functions (estimateLlc, criticalBits, linearMappingNumber):
 * a synchronous loop body never lets a timer or another task run, so with a signal the loop yields
 * to the event loop about every {@link YIELD_MS} ms — cheap (one macrotask per 100 ms: under 1 % in
 * Node, about 4 % where browsers clamp nested timers to 4 ms) and invisible to results.
 */
import { checkAbort, macrotask } from './abort.js';

/** Wall time between yields to the event loop when a signal is given (ms). */
export const YIELD_MS = 100;

/** Calls between two reads of the clock. */
const CLOCK_EVERY = 32;

/**
 * Returns a gate for a loop: call it before each unit of work. It throws `signal.reason` when the
 * signal has fired, and returns a Promise (to await) only when it is time to yield; without a signal
 * it returns `null` so callers skip it entirely.
 * @internal
 */
export function yieldGate(signal: AbortSignal | undefined): (() => Promise<void> | undefined) | null {
  if (signal === undefined) return null;
  let last = performance.now();
  let calls = 0;
  const after = (): void => {
    last = performance.now();
    checkAbort(signal);
  };
  return () => {
    checkAbort(signal);
    if (++calls < CLOCK_EVERY) return undefined;
    calls = 0;
    if (performance.now() - last < YIELD_MS) return undefined;
    return macrotask().then(after);
  };
}
