/**
 * Which kernels run: ockham's hand-assembled WebAssembly SIMD kernels (QuBD block counter, float32
 * quantizer, f64 GEMM of the SVD) or the plain JavaScript fallback with identical results.
 *
 * The fallback runs where WebAssembly is missing, where the engine lacks fixed-width SIMD, or where
 * compiling WebAssembly is blocked — in browsers, a Content-Security-Policy whose `script-src` lacks
 * `'wasm-unsafe-eval'` (or `'unsafe-eval'`). QuBD, quantization and compressed sizes are identical;
 * values from the SVD (spectral measures) may differ in the last bits (the SIMD GEMM sums in another
 * order; docs/browser.md has the measurements). The JS QuBD counter is
 * several times slower (bench/qubd.ts). The first time a kernel falls back,
 * ockham records one {@link OckhamWarning} ({@link warnings}, {@link onWarning}) instead of
 * writing to the console.
 */

/** Why the JS fallback runs, or null when the WebAssembly SIMD kernels run. */
export type FallbackReason = 'no-webassembly' | 'no-simd' | 'compile-blocked';

/** What {@link backend} reports. */
export interface BackendInfo {
  /** 'wasm-simd' when the WebAssembly SIMD kernels run, 'js' when the JavaScript fallback does. */
  readonly kernels: 'wasm-simd' | 'js';
  /** Why the fallback runs (null with 'wasm-simd'). */
  readonly reason: FallbackReason | null;
  /** The engine's error when compilation was refused (e.g. the CSP message), else null. */
  readonly detail: string | null;
  /**
   * How many times a kernel has fetched its compiled WebAssembly module in this realm (0 until a
   * function with a SIMD kernel has been called; counts calls, not elements). With 'wasm-simd' and
   * a count > 0, the SIMD kernels have run.
   */
  readonly wasmKernelCalls: number;
}

/** A one-time notice from ockham (not an error: results are unaffected). */
export interface OckhamWarning {
  /** `WASM_BLOCKED`: compiling WebAssembly was refused (CSP); `WASM_NO_SIMD`: no WebAssembly SIMD. */
  readonly code: 'WASM_BLOCKED' | 'WASM_NO_SIMD';
  readonly message: string;
}

import { OckhamError } from './errors.js';

type Getter = () => WebAssembly.Module | null;

const getters: Getter[] = [];
const issued: OckhamWarning[] = [];
const listeners = new Set<(w: OckhamWarning) => void>();
let reason: FallbackReason | null = null;
let detail: string | null = null;
let calls = 0;

/**
 * Internal (src/util/wasm-asm.ts): records the outcome of compiling a kernel module. `error` is
 * what `new WebAssembly.Module` threw; `valid` is false when `WebAssembly.validate` rejected the
 * bytes (no SIMD).
 * @internal
 */
export function noteCompile(outcome: 'ok' | 'no-webassembly' | 'no-simd' | 'compile-blocked', error?: unknown): void {
  if (outcome === 'ok') return;
  if (reason === null) {
    reason = outcome;
    detail = error === undefined ? null : String((error as Error)?.message ?? error);
  }
  if (outcome === 'compile-blocked') {
    warnOnce({
      code: 'WASM_BLOCKED',
      message:
        'WebAssembly compilation was refused (a Content-Security-Policy without \'wasm-unsafe-eval\'?): ' +
        'ockham runs its JavaScript kernels — same results, slower.' + (detail ? ` Engine: ${detail}` : ''),
    });
  } else if (outcome === 'no-simd') {
    warnOnce({ code: 'WASM_NO_SIMD', message: 'This engine has no WebAssembly SIMD: ockham runs its JavaScript kernels — same results, slower.' });
  }
}

/** @internal Registers a lazily compiled kernel module (src/util/wasm-asm.ts). */
export function registerKernel(getter: Getter): void {
  getters.push(getter);
}

/** @internal Counts a kernel's use of its compiled module. */
export function noteKernelCall(): void {
  calls++;
}

// The smallest module with a SIMD instruction: (func v128.const 0 drop). Answers for bundles that
// tree-shook every kernel away.
const PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
  0x0a, 0x17, 0x01, 0x15, 0x00, 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1a, 0x0b,
]);
let probed: boolean | undefined;

function probe(): boolean {
  if (probed !== undefined) return probed;
  probed = false;
  if (typeof WebAssembly !== 'object') noteCompile('no-webassembly');
  else if (!WebAssembly.validate(PROBE)) noteCompile('no-simd');
  else {
    try {
      new WebAssembly.Module(PROBE);
      probed = true;
    } catch (e) {
      noteCompile('compile-blocked', e);
    }
  }
  return probed;
}

function warnOnce(w: OckhamWarning): void {
  if (issued.some((x) => x.code === w.code)) return;
  issued.push(w);
  for (const l of listeners) {
    try {
      l(w);
    } catch {
      // A listener's failure must not break the computation that triggered the warning.
    }
  }
}

/**
 * Says whether the WebAssembly SIMD kernels or the JavaScript fallback run in this realm (window,
 * worker or Node process). Compiles the kernel modules on first call if nothing has yet (a few
 * milliseconds), so the answer holds before any computation.
 *
 * @returns The backend, the reason for a fallback, and how often SIMD kernels have been used.
 * @example
 * ```ts
 * import { backend } from 'ockham';
 * const b = backend();
 * console.log(b.kernels); // 'wasm-simd' in Node 20 and current browsers
 * ```
 */
export function backend(): BackendInfo {
  const before = calls;
  let ok = probe();
  for (const g of getters) if (g() === null) ok = false;
  calls = before; // probing is not use
  const kernels = ok && reason === null ? 'wasm-simd' : 'js';
  return { kernels, reason: kernels === 'js' ? reason ?? 'no-simd' : null, detail, wasmKernelCalls: calls };
}

/**
 * The warnings ockham has issued in this realm so far (each at most once), oldest first.
 *
 * @returns A copy of the list.
 * @example
 * ```ts
 * import { backend, warnings } from 'ockham';
 * backend();
 * for (const w of warnings()) console.log(w.code, w.message);
 * ```
 */
export function warnings(): OckhamWarning[] {
  return issued.slice();
}

/**
 * Calls `listener` once for each warning ockham issues from now on (each warning is issued at most
 * once per realm; past ones are in {@link warnings}).
 *
 * @param listener - Receives the warning; exceptions it throws are ignored.
 * @returns A function that removes the listener.
 * @example
 * ```ts
 * import { onWarning } from 'ockham';
 * const off = onWarning((w) => console.warn(`ockham: ${w.message}`));
 * off();
 * ```
 */
export function onWarning(listener: (w: OckhamWarning) => void): () => void {
  if (typeof listener !== 'function') throw new OckhamError('INVALID_ARGUMENT', 'listener', 'expected a function (warning) => void');
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
