/**
 * One WebAssembly memory shared by ockham's hand-assembled kernels (the float32 quantizer and the
 * QuBD block counter), so the quantizer's codes are counted where they were written, without a
 * copy. Internal, not public API.
 *
 * Layout: bytes [0, ARENA_STATIC) hold kernels' persistent data (the QuBD kernel's count table,
 * CTM values and scratch; see src/qubd/wasm-kernel.ts); bytes from ARENA_STATIC on are per-call
 * data (the quantizer's input and codes). A larger arena is a fresh Memory, never Memory.grow:
 * growing detaches the old ArrayBuffer, and the first detach anywhere in the process makes V8 add
 * a detached-buffer check to every typed-array access in optimized code (measured: a plain
 * Float32Array pass ~1.8× slower for the rest of the process). Views handed out on an old arena
 * therefore stay valid; kernels notice a new arena by its `generation` and re-instantiate.
 */

/** Bytes reserved at the start of the arena for persistent kernel data (6 MiB). */
export const ARENA_STATIC = 6 << 20;

/** A memory and a counter that changes whenever the memory is replaced. */
export interface Arena {
  readonly memory: WebAssembly.Memory;
  readonly generation: number;
}

let current: Arena | null = null;

/**
 * The shared arena with at least `dynamicBytes` bytes after {@link ARENA_STATIC}, or null when
 * WebAssembly is missing or refuses a memory that large.
 */
export function arenaFor(dynamicBytes: number): Arena | null {
  const need = ARENA_STATIC + dynamicBytes;
  if (current !== null && current.memory.buffer.byteLength >= need) return current;
  if (typeof WebAssembly !== 'object') return null;
  try {
    // Round up by an eighth so slowly growing tensors do not allocate a new arena each call.
    const pages = Math.ceil((need + (dynamicBytes >>> 3)) / 65536);
    current = { memory: new WebAssembly.Memory({ initial: pages }), generation: (current?.generation ?? 0) + 1 };
  } catch {
    return null;
  }
  return current;
}
