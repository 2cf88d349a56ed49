import { afterEach, describe, expect, it } from 'vitest';
import { quantize, quantizeInto, quantizeModuleBytes, setWasmQuantizeEnabled } from '../../src/quantize/quantize.js';
import type { QuantizeOptions } from '../../src/quantize/types.js';
import { OckhamError } from '../../src/errors.js';
import { createRng } from '../../src/util/random.js';

const f = new Float32Array(1);
const u = new Int32Array(f.buffer);
/** x moved by d float32 ulps (through zero correctly). */
function ulps(x: number, d: number): number {
  f[0] = x;
  let k = u[0] < 0 ? -(u[0] & 0x7fffffff) : u[0];
  k += d;
  u[0] = k < 0 ? -k | 0x80000000 : k;
  return f[0];
}

/** Codes of both paths on the same input: [wasm, js]. */
function both(x: Float32Array, options: QuantizeOptions): [ReturnType<typeof quantize>, ReturnType<typeof quantize>] {
  setWasmQuantizeEnabled(true);
  const a = quantizeInto(x, options, null, true);
  const aCopy = { ...a, codes: a.codes.slice() };
  // The view really is the wasm kernels' memory (codes after the input, at a byte offset ≥ 64).
  expect(a.constant || a.codes.byteOffset >= 64).toBe(true);
  setWasmQuantizeEnabled(false);
  const b = quantizeInto(x, options, null);
  setWasmQuantizeEnabled(true);
  return [aCopy, b];
}

function expectSame(x: Float32Array, options: QuantizeOptions): ReturnType<typeof quantize> {
  const [a, b] = both(x, options);
  expect([a.lo, a.hi, a.step, a.constant]).toEqual([b.lo, b.hi, b.step, b.constant]);
  let diff = -1;
  for (let i = 0; i < x.length; i++) {
    if (a.codes[i] !== b.codes[i]) {
      diff = i;
      break;
    }
  }
  expect(diff).toBe(-1);
  return b;
}

/** The reference formula, written independently: clamp(rhe(fp32(fp32(x − lo)/Δ))). */
function refCode(x: number, lo: number, step: number, maxCode: number): number {
  const v = Math.fround(Math.fround(x - lo) / step);
  let r = Math.round(v);
  if (r - v === 0.5 && r % 2 !== 0) r -= 1; // Math.round rounds .5 up: make ties even
  return Math.min(Math.max(r, 0), maxCode);
}

afterEach(() => setWasmQuantizeEnabled(true));

describe('wasm SIMD quantizer (float32, non-symmetric ranges)', () => {
  it('assembles a valid module', () => {
    expect(WebAssembly.validate(quantizeModuleBytes())).toBe(true);
  });

  it('equals the JS path on random data, bits 1..16, every tail length', () => {
    const rng = createRng(42);
    for (let bits = 1; bits <= 16; bits++) {
      const n = 1000 + bits; // n mod 8 runs over 0..7
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = rng.normal() * 0.02;
      const b = expectSame(x, { bits });
      for (let i = 0; i < n; i++) if (b.codes[i] !== refCode(x[i], b.lo, b.step, 2 ** bits - 1)) throw new Error(`ref ${bits} ${i}`);
    }
  });

  it('equals the JS path within ±3 ulps of every rounding boundary, bits 1..16', () => {
    const rng = createRng(7);
    for (let bits = 1; bits <= 16; bits++) {
      const maxCode = 2 ** bits - 1;
      const lo = Math.fround(-1.3);
      const hi = Math.fround(2.7);
      const step = Math.fround(Math.fround(hi - lo) / maxCode);
      const vals: number[] = [lo, hi, ulps(lo, 1), ulps(hi, -1)];
      const ks = bits <= 10 ? Array.from({ length: maxCode }, (_, k) => k) : Array.from({ length: 1200 }, () => rng.int(maxCode));
      for (const k of ks) {
        const b = Math.fround(lo + (k + 0.5) * step);
        for (let d = -3; d <= 3; d++) vals.push(ulps(b, d));
      }
      while (vals.length < 300) vals.push(...vals.slice(0, 300)); // small b: reach the wasm size
      const x = Float32Array.from(vals);
      const r = expectSame(x, { bits });
      expect([r.lo, r.hi, r.step]).toEqual([lo, hi, step]);
      for (let i = 0; i < x.length; i++) if (r.codes[i] !== refCode(x[i], lo, step, maxCode)) throw new Error(`ref ${bits} ${i}`);
    }
  });

  it('rounds exact ties to even, bits 1..16', () => {
    const rng = createRng(3);
    for (let bits = 1; bits <= 16; bits++) {
      const maxCode = 2 ** bits - 1;
      const x = new Float32Array(515); // lo = 0, hi = maxCode: Δ = 1, v = x exactly
      x[0] = 0;
      x[1] = maxCode;
      for (let i = 2; i < x.length; i++) x[i] = rng.int(maxCode) + 0.5;
      const r = expectSame(x, { bits });
      expect(r.step).toBe(1);
      for (let i = 2; i < x.length; i++) {
        expect(r.codes[i] % 2).toBe(0);
        expect(Math.abs(r.codes[i] - x[i])).toBe(0.5);
      }
    }
  });

  it('equals the JS path with explicit (clamping) and percentile ranges, Float64 input, subnormal steps', () => {
    const rng = createRng(11);
    const x = new Float32Array(2051);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    for (const bits of [1, 4, 8, 12, 16]) {
      expectSame(x, { bits, range: [-0.5, 0.75] });
      expectSame(x, { bits, range: 'percentile', percentile: 99 });
      expectSame(x, { bits, range: [-1.5e38, 1.5e38] }); // Δ near float32's top
    }
    const tiny = new Float32Array(777);
    for (let i = 0; i < tiny.length; i++) tiny[i] = rng.next() * 1e-39; // subnormal values and Δ
    for (const bits of [2, 8, 16]) {
      const r = expectSame(tiny, { bits, constantThreshold: 0 });
      expect(r.constant).toBe(false);
    }
    // Float64 input is rounded to float32 first; both paths agree.
    const d = Float64Array.from(x, (v) => v * 1.000001);
    setWasmQuantizeEnabled(false);
    const js = quantize(d, { bits: 8 });
    setWasmQuantizeEnabled(true);
    expect(Array.from(quantize(d, { bits: 8 }).codes)).toEqual(Array.from(js.codes));
  });

  it('percentile ranges on large tensors: the SIMD-filtered bracketing pass equals the JS path', () => {
    const n = 300_003;
    const rng = createRng(17);
    const normal = Float32Array.from({ length: n }, () => rng.normal());
    normal[12] = 40; // an outlier inside the clipped tail
    // Two values: no element lies strictly between the brackets, so the filter overflows its
    // output and the JS pass takes over.
    const twoValued = Float32Array.from({ length: n }, () => (rng.next() < 0.5 ? 0 : 1));
    const fewValues = Float32Array.from({ length: n }, () => rng.int(7) - 3);
    for (const x of [normal, twoValued, fewValues]) {
      for (const percentile of [99.9, 90, 50]) expectSame(x, { bits: 8, range: 'percentile', percentile });
    }
  });

  it('names the first non-finite element, in the SIMD body or in the tail', () => {
    for (const [n, at, v] of [
      [1003, 5, NaN],
      [1003, 1001, Infinity],
      [1000, 999, -Infinity],
    ] as const) {
      const x = new Float32Array(n).fill(0.25);
      x[at] = v;
      x[n - 1] = n - 1 === at ? v : NaN; // a later bad element must not be named
      // Every wasm range mode checks finiteness in the min–max kernel (no JS check pass).
      for (const range of ['minmax', 'percentile', [0, 1]] as const) {
        try {
          quantize(x, { bits: 8, range: range as QuantizeOptions['range'] });
          expect.unreachable();
        } catch (e) {
          expect(e).toBeInstanceOf(OckhamError);
          expect((e as OckhamError).code).toBe('NON_FINITE');
          expect((e as OckhamError).message).toContain(`element ${at} `);
        }
      }
    }
  });

  it('keeps the signed zero of a zero extreme, and survives an overflowing check sum', () => {
    const x = Float32Array.from({ length: 1001 }, (_, i) => (i % 10) / 10);
    x[3] = -0; // min over {−0, +0}: Math.min (torch.min) gives −0
    const [a, b] = both(x, { bits: 8 });
    expect(Object.is(a.lo, b.lo) && Object.is(a.lo, -0)).toBe(true);
    const y = Float32Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? 3e38 : -1e38 * (i % 2)));
    expectSame(y, { bits: 8, range: [-1.5e38, 1.5e38] });
    expect(() => quantize(y, { bits: 8, arithmetic: 'float32' })).toThrow(/overflows float32/); // width, not non-finite
    const z = Float32Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? 3e38 : 2e38)); // sum overflows to +∞
    expectSame(z, { bits: 8 });
  });

  it('quantize returns owned codes (not a view that a later call overwrites); constant tensors', () => {
    const a = Float32Array.from({ length: 999 }, (_, i) => Math.sin(i));
    const qa = quantize(a, { bits: 8 });
    const snapshot = qa.codes.slice();
    quantize(Float32Array.from({ length: 5000 }, (_, i) => Math.cos(i)), { bits: 8 });
    expect(qa.codes).toEqual(snapshot);
    const out = new Uint16Array(1200).fill(9);
    const c = quantizeInto(new Float32Array(1100).fill(2), { bits: 8 }, out, true);
    expect(c.constant).toBe(true);
    expect(c.codes.every((v) => v === 0)).toBe(true);
    expect(() => quantize(new Float32Array(1100).fill(2), { bits: 8, strictReference: true })).toThrow(OckhamError);
  });
});
