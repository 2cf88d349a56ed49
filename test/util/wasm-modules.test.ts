/**
 * ockham's hand-assembled WebAssembly modules are compiled synchronously (`new
 * WebAssembly.Module`). Chromium refuses that on a page's main thread for modules over 4 KiB
 * (raised to 8 MB only in recent versions; asynchronous compilation is required otherwise), which
 * would silently send browser users to the slower JS paths; so every module must stay under
 * 4 KiB, and validate.
 */
import { describe, expect, it } from 'vitest';
import { qubdModuleBytes } from '../../src/qubd/wasm-kernel.js';
import { quantizeModuleBytes } from '../../src/quantize/quantize.js';
import { moduleBytes as gemmModuleBytes } from '../../src/spectral/wasm-gemm.js';
import { bzip2EncodeModuleBytes } from '../../src/compress/bzip2-encode-wasm.js';
import { bzip2ModuleBytes } from '../../src/compress/bzip2-wasm.js';

describe('hand-assembled WebAssembly modules', () => {
  for (const [name, bytes] of [
    ['QuBD counting kernel', qubdModuleBytes],
    ['quantizer', quantizeModuleBytes],
    ['GEMM', gemmModuleBytes],
    ['bzip2 encoder (MTF, tables, bit writer)', bzip2EncodeModuleBytes],
    ['bzip2 MTF decoder', bzip2ModuleBytes],
  ] as const) {
    it(`${name}: valid, and under Chromium's 4 KiB limit for synchronous compilation`, () => {
      const b = bytes();
      expect(WebAssembly.validate(b)).toBe(true);
      expect(b.length).toBeLessThanOrEqual(4096);
    });
  }
});
