/**
 * Garbage collections on demand in this thread (Node), without `--expose-gc` on the command
 * line: the flag is set at run time and `gc` is read from a fresh context. Used by the report's
 * worker threads and by `reportFile`, so freed tensor buffers and bzip2 block garbage go back to
 * the allocator before the next large allocation instead of when V8 gets to them (a thread's
 * malloc arena keeps its high-water mark: late frees cost resident memory for the whole run).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'minor' | 'major' }) => void;
let cached: Gc | null | undefined;

function raw(): Gc | null {
  if (cached !== undefined) return cached;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    cached = typeof gc === 'function' ? (gc as Gc) : null;
  } catch {
    cached = null;
  }
  return cached;
}

/** A full collection, or null when the runtime refuses `gc`. */
export function gcFunction(): (() => void) | null {
  const gc = raw();
  return gc ? () => gc() : null;
}

/** A young-generation collection (a scavenge: ≈ 0.1 ms on a small young generation), or null. */
export function minorGcFunction(): (() => void) | null {
  const gc = raw();
  if (!gc) return null;
  try {
    gc({ type: 'minor' });
  } catch {
    return () => gc();
  }
  return () => gc({ type: 'minor' });
}
