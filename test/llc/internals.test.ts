import { describe, expect, it } from 'vitest';
import { integratedAutocorrelationTime } from '../../src/llc/autocorr.js';
import { createNormalStream } from '../../src/util/normal-stream.js';

describe('ziggurat normal stream', () => {
  it('moments and tail mass of N(0, 1) within Monte Carlo error (10⁶ samples)', () => {
    const n = 1_000_000;
    const x = new Float64Array(n);
    createNormalStream(123).fill(x, n);
    let m = 0;
    let v = 0;
    let k = 0;
    let tail = 0;
    for (let i = 0; i < n; i++) {
      m += x[i];
      v += x[i] ** 2;
      k += x[i] ** 4;
      if (Math.abs(x[i]) > 3) tail++;
    }
    m /= n;
    v /= n;
    k /= n;
    // SEs: mean 0.001, variance 0.0014, 4th moment 0.0093, tail prob (0.0027) 5.2e-5.
    expect(Math.abs(m)).toBeLessThan(0.005);
    expect(Math.abs(v - 1)).toBeLessThan(0.007);
    expect(Math.abs(k - 3)).toBeLessThan(0.047);
    expect(Math.abs(tail / n - 0.0026998)).toBeLessThan(2.6e-4);
  });
  it('is deterministic per seed', () => {
    const a = new Float64Array(5);
    const b = new Float64Array(5);
    createNormalStream(7).fill(a, 5);
    createNormalStream(7).fill(b, 5);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe('integratedAutocorrelationTime', () => {
  it('AR(1) with ρ = 0.9 has τ = (1 + ρ)/(1 − ρ) = 19 (within 10 % on 200k points)', () => {
    const n = 200_000;
    const z = new Float64Array(n);
    createNormalStream(5).fill(z, n);
    const x = new Float64Array(n);
    for (let i = 1; i < n; i++) x[i] = 0.9 * x[i - 1] + z[i];
    expect(Math.abs(integratedAutocorrelationTime(x) / 19 - 1)).toBeLessThan(0.1);
    expect(Math.abs(integratedAutocorrelationTime(z) - 1)).toBeLessThan(0.05);
    expect(integratedAutocorrelationTime(new Float64Array(10).fill(3))).toBe(1);
  });
});
