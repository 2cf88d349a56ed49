/**
 * backend(): which kernels run, and the one-time warning when WebAssembly compilation is refused.
 * The refusal is simulated by a WebAssembly.Module that throws like Chromium under a CSP without
 * 'wasm-unsafe-eval' (the real thing is tested in Chromium by scripts/test-browser.mjs).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const RealModule = WebAssembly.Module;

afterEach(() => {
  (WebAssembly as { Module: unknown }).Module = RealModule;
  vi.resetModules();
});

const w = new Float32Array(64 * 64).map((_, i) => Math.sin(i / 50) + 0.3 * Math.cos(i * 7.1));

describe('backend', () => {
  it('reports the SIMD kernels in Node 20, and counts their use', async () => {
    vi.resetModules();
    const o = await import('../src/index.js');
    const b0 = o.backend();
    expect(b0.kernels).toBe('wasm-simd');
    expect(b0.reason).toBeNull();
    o.qubd(w, { shape: [64, 64], bits: 4 });
    expect(o.backend().wasmKernelCalls).toBeGreaterThan(b0.wasmKernelCalls);
    expect(o.warnings()).toEqual([]);
  });

  it('falls back to JS with one warning when compilation is refused, with identical results', async () => {
    vi.resetModules();
    const simd = (await import('../src/index.js')).qubd(w, { shape: [64, 64], bits: 4 });
    vi.resetModules();
    (WebAssembly as { Module: unknown }).Module = function Refused() {
      throw new WebAssembly.CompileError("WebAssembly.Module(): Refused to compile or instantiate WebAssembly module because 'unsafe-eval' is not an allowed source of script");
    };
    const o = await import('../src/index.js');
    const seen: string[] = [];
    const off = o.onWarning((x) => seen.push(x.code));
    const r = o.qubd(w, { shape: [64, 64], bits: 4 });
    o.qubd(w, { shape: [64, 64], bits: 4 });
    const b = o.backend();
    expect(b.kernels).toBe('js');
    expect(b.reason).toBe('compile-blocked');
    expect(b.detail).toMatch(/unsafe-eval/);
    expect(b.wasmKernelCalls).toBe(0);
    expect(seen).toEqual(['WASM_BLOCKED']);
    expect(o.warnings().map((x) => x.code)).toEqual(['WASM_BLOCKED']);
    off();
    expect(r.total).toBe(simd.total);
    expect(r.planes.map((p) => p.bdm)).toEqual(simd.planes.map((p) => p.bdm));
  });

  it('rejects a listener that is not a function', async () => {
    const o = await import('../src/index.js');
    expect(() => o.onWarning(42 as never)).toThrow(o.OckhamError);
  });
});
