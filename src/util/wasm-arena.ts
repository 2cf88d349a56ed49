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
 *
 * Release: a memory never shrinks, so after a call that needed more than {@link RETAIN_BYTES} of
 * per-call data the caller (e.g. `qubd`) calls {@link trimArena}: the arena is dropped, every
 * kernel that registered with {@link onArenaDrop} forgets its instance, and the memory is freed by
 * the next garbage collection once no view of it is alive. The next call allocates a fresh arena
 * of the size it needs (≈ 1 ms to create and instantiate; only after calls that large).
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
 * Per-call bytes an arena may keep between calls (64 MiB): {@link trimArena} drops a larger one.
 * Holds the per-call data of an ~11M-weight tensor (input copy + codes); bigger tensors pay a
 * fresh arena per call, which costs far less than the call.
 */
export const RETAIN_BYTES = 64 << 20;

const dropHooks: (() => void)[] = [];

/** Registers `hook`, called when the arena is dropped so a kernel can forget its instance. */
export function onArenaDrop(hook: () => void): void {
  dropHooks.push(hook);
}

/** Drops the shared arena when it holds more than {@link RETAIN_BYTES} of per-call room. */
export function trimArena(): void {
  if (current === null || current.memory.buffer.byteLength <= ARENA_STATIC + RETAIN_BYTES) return;
  // The generation survives in `dropped` so a later arena never reuses a number.
  dropped = current.generation;
  current = null;
  for (const h of dropHooks) h();
}

let dropped = 0;

/** Bytes of the shared arena's memory (0 when none is held). For tests and benchmarks. */
export function arenaBytes(): number {
  return current === null ? 0 : current.memory.buffer.byteLength;
}

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
    current = { memory: new WebAssembly.Memory({ initial: pages }), generation: (current?.generation ?? dropped) + 1 };
  } catch {
    return null;
  }
  return current;
}
