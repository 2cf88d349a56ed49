/**
 * The two matrix products a dense layer's forward and backward passes need, on row-major
 * Float64Arrays carved out of one WebAssembly memory so the f64x2 SIMD kernels of
 * ../spectral/wasm-gemm.ts (used as is: same module bytes, a memory of our own) run them:
 *
 *   nt:    C[m×n] += A[m×k] · B[n×k]ᵀ     (the `dots` kernel; m % 4 = 0, n % 2 = 0, k even)
 *   tnSub: C[m×n] −= X[k×m]ᵀ · Y[k×n]     (the `update8` kernel; m even, n % 8 = 0)
 *
 * The model pads every feature dimension to a multiple of 8 and every row count to a multiple of
 * 4 with zeros, so the kernels never see a remainder. Where WebAssembly SIMD is unavailable (or
 * disabled for a test), plain Float64Arrays and the JS loops below do the same arithmetic.
 * @internal
 */
import { moduleBytes } from '../spectral/wasm-gemm.js';
import { lazyModule } from '../util/wasm-asm.js';

type Kernel = (v: number, a: number, z: number, ld: number, r0: number, r1: number, nb: number, nc: number, ldz: number) => void;

const wasmModule = lazyModule(moduleBytes);
let disabled = false;

/** Turns the wasm kernels off (tests compare both paths on the same inputs). @internal */
export function setModelWasmEnabled(on: boolean): void {
  disabled = !on;
}

/** A bump allocator of Float64Arrays and the two products on them. @internal */
export interface ModelArena {
  /** True when the arrays live in wasm memory and the SIMD kernels run. */
  readonly wasm: boolean;
  f64(n: number): Float64Array;
  nt(a: Float64Array, b: Float64Array, c: Float64Array, m: number, n: number, k: number): void;
  tnSub(x: Float64Array, y: Float64Array, c: Float64Array, k: number, m: number, n: number): void;
}

function ntJs(a: Float64Array, b: Float64Array, c: Float64Array, m: number, n: number, k: number): void {
  for (let p = 0; p < m; p += 2) {
    const a0 = p * k;
    const a1 = a0 + k;
    for (let j = 0; j < n; j += 2) {
      const b0 = j * k;
      const b1 = b0 + k;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let i = 0; i < k; i++) {
        const x0 = a[a0 + i];
        const x1 = a[a1 + i];
        const y0 = b[b0 + i];
        const y1 = b[b1 + i];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      c[p * n + j] += s00;
      c[p * n + j + 1] += s01;
      c[(p + 1) * n + j] += s10;
      c[(p + 1) * n + j + 1] += s11;
    }
  }
}

function tnSubJs(x: Float64Array, y: Float64Array, c: Float64Array, k: number, m: number, n: number): void {
  for (let p = 0; p < k; p++) {
    const xo = p * m;
    const yo = p * n;
    for (let j = 0; j < m; j++) {
      const v = x[xo + j];
      if (v === 0) continue;
      const co = j * n;
      for (let i = 0; i < n; i++) c[co + i] -= v * y[yo + i];
    }
  }
}

/** An arena able to hold `doubles` Float64 values (plus alignment slack per array). @internal */
export function modelArena(doubles: number): ModelArena {
  const mod = disabled ? null : wasmModule();
  if (mod !== null) {
    try {
      const pages = Math.ceil((doubles * 8 + 4096) / 65536);
      const memory = new WebAssembly.Memory({ initial: pages });
      const inst = new WebAssembly.Instance(mod, { e: { m: memory } });
      const ex = inst.exports as unknown as { d: Kernel; w: Kernel };
      const dots = ex.d;
      const update8 = ex.w;
      const cap = pages * 8192;
      let top = 0;
      return {
        wasm: true,
        f64(n: number): Float64Array {
          top = (top + 1) & ~1;
          if (top + n > cap) throw new Error('model arena overflow (internal sizing error)');
          const arr = new Float64Array(memory.buffer, top * 8, n);
          top += n;
          return arr;
        },
        nt(a, b, c, m, n, k): void {
          if (m === 0 || n === 0 || k === 0) return;
          dots(a.byteOffset, b.byteOffset, c.byteOffset, k, 0, k, m, n, n);
        },
        tnSub(x, y, c, k, m, n): void {
          if (m === 0 || n === 0 || k === 0) return;
          update8(y.byteOffset, c.byteOffset, x.byteOffset, n, 0, n, k, m, m);
        },
      };
    } catch {
      // fall through to plain arrays
    }
  }
  return { wasm: false, f64: (n) => new Float64Array(n), nt: ntJs, tnSub: tnSubJs };
}
