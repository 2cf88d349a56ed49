import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitPlanes, unpackPlane } from '../../src/bitplanes/index.js';
import { OckhamError } from '../../src/errors.js';
import { dequantize, quantize, quantizePerChannel } from '../../src/quantize/index.js';
import type { QuantizeOptions } from '../../src/quantize/index.js';
import { quantilePairF32, quantilePairF64, rankPairs, rankPairsPaths, roundSumToF32, selectInPlace } from '../../src/quantize/quantile.js';
import { createRng, normalArray } from '../../src/util/random.js';

// ---------- a straightforward float64 reference, written independently of the kernels ----------
function rheRef(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}
/** numpy's 'linear' quantile on a sorted array (its _lerp: two-sided for t ≥ 0.5). */
function quantileRef(sorted: number[], q: number): number {
  const h = q * (sorted.length - 1);
  const i = Math.floor(h);
  const t = h - i;
  const a = sorted[i];
  const c = sorted[Math.min(i + 1, sorted.length - 1)];
  return t < 0.5 ? a + t * (c - a) : c - (c - a) * (1 - t);
}
function quantizeRef64(x: ArrayLike<number>, bits: number, range: QuantizeOptions['range'], p = 99.9): number[] {
  const v = Array.from(x);
  let lo: number;
  let hi: number;
  if (Array.isArray(range)) [lo, hi] = range;
  else if (range === 'percentile') {
    const s = [...v].sort((a, b) => a - b);
    const q = (1 - p / 100) / 2;
    lo = quantileRef(s, q);
    hi = quantileRef(s, 1 - q);
  } else {
    lo = v.reduce((a, b) => Math.min(a, b));
    hi = v.reduce((a, b) => Math.max(a, b));
  }
  const L = 2 ** bits - 1;
  if (hi - lo < 1e-8) return v.map(() => 0);
  const step = (hi - lo) / L;
  return v.map((w) => Math.min(L, Math.max(0, rheRef((w - lo) / step))));
}
/** The same, in float32 arithmetic via Math.fround (min–max only; quantiles are tested separately). */
function quantizeRef32(x: ArrayLike<number>, bits: number): number[] {
  const f = Math.fround;
  const v = Array.from(x, f);
  const lo = v.reduce((a, b) => Math.min(a, b));
  const hi = v.reduce((a, b) => Math.max(a, b));
  const L = 2 ** bits - 1;
  const d = f(hi - lo);
  if (d < 1e-8) return v.map(() => 0);
  const step = f(d / L);
  return v.map((w) => Math.min(L, Math.max(0, rheRef(f(f(w - lo) / step)))));
}

const floats = fc.float32Array({ min: Math.fround(-1000), max: Math.fround(1000), noNaN: true, minLength: 1, maxLength: 300 });
const bitsArb = fc.integer({ min: 1, max: 16 });

describe('quantize: agreement with straightforward references', () => {
  it('float64 mode equals the float64 reference (min–max, percentile, explicit range)', () => {
    fc.assert(
      fc.property(floats, bitsArb, fc.constantFrom<'minmax' | 'percentile' | 'explicit'>('minmax', 'percentile', 'explicit'), fc.double({ min: 50, max: 100, noNaN: true }), (x, bits, mode, p) => {
        const range: QuantizeOptions['range'] = mode === 'explicit' ? [-100, 250.5] : mode;
        const q = quantize(x, { bits, range, arithmetic: 'float64', ...(mode === 'percentile' ? { percentile: p } : {}) });
        expect(Array.from(q.codes)).toEqual(quantizeRef64(x, bits, range, p));
      }),
      { seed: 42, numRuns: 300 },
    );
  });
  it('float32 mode (min–max) equals a Math.fround reference', () => {
    fc.assert(
      fc.property(floats, bitsArb, (x, bits) => {
        expect(Array.from(quantize(x, { bits }).codes)).toEqual(quantizeRef32(x, bits));
      }),
      { seed: 7, numRuns: 300 },
    );
  });
  it('near-ties: values within a few ulps of every rounding boundary match both references', () => {
    // Adversarial for the multiply-by-reciprocal screen: x = lo + (k + ½)·Δ nudged by −3..+3 ulps.
    const up = (v: number, k: number, f: (z: number) => number): number => {
      let r = v;
      for (let i = 0; i < Math.abs(k); i++) {
        const e = Math.max(Math.abs(r) * 2 ** -23, 1e-45);
        const next = f(r + Math.sign(k) * e);
        r = next === r ? f(r + Math.sign(k) * 2 * e) : next;
      }
      return r;
    };
    fc.assert(
      fc.property(bitsArb, fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: 1e-3, max: 100, noNaN: true }), (bits, lo0, width) => {
        const L = 2 ** bits - 1;
        const f = Math.fround;
        const lo = f(lo0);
        const hi = f(lo0 + width);
        const step = f(f(hi - lo) / L);
        const xs: number[] = [lo, hi];
        const ks = L <= 64 ? Array.from({ length: L }, (_, k) => k) : Array.from({ length: 64 }, (_, k) => Math.floor((k * L) / 64));
        for (const k of ks) for (let d = -3; d <= 3; d++) xs.push(up(f(lo + (k + 0.5) * step), d, f));
        const x32 = Float32Array.from(xs);
        expect(Array.from(quantize(x32, { bits }).codes)).toEqual(quantizeRef32(x32, bits));
        const x64 = Float64Array.from(xs, (v, i) => (i < 2 ? v : v + (((i % 7) - 3) * Math.abs(v) * 2 ** -52)));
        expect(Array.from(quantize(x64, { bits, arithmetic: 'float64' }).codes)).toEqual(quantizeRef64(x64, bits, 'minmax'));
      }),
      { seed: 21, numRuns: 200 },
    );
  });
  it('float32 mode rounds float64 inputs to float32 first', () => {
    const x64 = Float64Array.from({ length: 100 }, (_, i) => Math.sin(i) * 3.000000001);
    const x32 = Float32Array.from(x64);
    expect(Array.from(quantize(x64, { bits: 12 }).codes)).toEqual(Array.from(quantize(x32, { bits: 12 }).codes));
  });
});

describe('quantize: round half to even', () => {
  it('0.5 → 0, 1.5 → 2, 2.5 → 2 (range [0, 3] at 2 bits: Δ = 1)', () => {
    for (const arithmetic of ['float32', 'float64'] as const) {
      const q = quantize(new Float32Array([0.5, 1.5, 2.5, 0, 3, -7, 9]), { bits: 2, range: [0, 3], arithmetic });
      expect(Array.from(q.codes)).toEqual([0, 2, 2, 0, 3, 0, 3]);
      expect(q.step).toBe(1);
    }
  });
  it('ties at every level of a 4-bit grid go to the even code', () => {
    const x = Float32Array.from({ length: 15 }, (_, k) => k + 0.5); // Δ = 1, lo = 0
    const q = quantize(x, { bits: 4, range: [0, 15] });
    expect(Array.from(q.codes)).toEqual(Array.from(x, (v) => rheRef(v)));
  });
});

describe("quantize: range 'symmetric' and the sign plane", () => {
  const withZeros = fc
    .tuple(floats, fc.array(fc.constantFrom(0, -0, 1e-30, -1e-30, 1e-10, -1e-10, 1.4e-45, -1.4e-45), { maxLength: 20 }), fc.integer({ min: 0, max: 1000 }))
    .map(([x, extra, seed]) => {
      const out = new Float32Array(x.length + extra.length);
      out.set(x);
      out.set(extra, x.length);
      // deterministic interleave so the specials are not all at the end
      for (let i = out.length - 1; i > 0; i--) {
        const j = (seed * 7919 + i * 104729) % (i + 1);
        const t = out[i];
        out[i] = out[j];
        out[j] = t;
      }
      return out;
    });
  it('MSB plane = 1[x ≥ 0] for every b in 1..16 and both arithmetics (non-constant tensors)', () => {
    fc.assert(
      fc.property(withZeros, bitsArb, fc.constantFrom('float32' as const, 'float64' as const), (x, bits, arithmetic) => {
        const q = quantize(x, { bits, range: 'symmetric', arithmetic });
        fc.pre(!q.constant);
        expect(q.lo).toBe(-q.hi);
        const msb = unpackPlane(bitPlanes(q.codes, bits, [x.length])[bits - 1]);
        for (let i = 0; i < x.length; i++) if (msb[i] !== (x[i] >= 0 ? 1 : 0)) throw new Error(`index ${i}: x=${x[i]} code=${q.codes[i]}`);
      }),
      { seed: 42, numRuns: 400 },
    );
  });
  it('differs from the plain rounding of range [−m, m] only near zero, by one level', () => {
    fc.assert(
      fc.property(withZeros, bitsArb, fc.constantFrom('float32' as const, 'float64' as const), (x, bits, arithmetic) => {
        const s = quantize(x, { bits, range: 'symmetric', arithmetic });
        fc.pre(!s.constant);
        const e = quantize(x, { bits, range: [s.lo, s.hi], arithmetic });
        const m = s.hi;
        const near = arithmetic === 'float32' ? m * 2 ** -20 : m * 2 ** -48;
        for (let i = 0; i < x.length; i++) {
          if (s.codes[i] !== e.codes[i]) {
            expect(Math.abs(s.codes[i] - e.codes[i])).toBe(1);
            expect(Math.abs(x[i])).toBeLessThanOrEqual(near);
          }
        }
      }),
      { seed: 3, numRuns: 300 },
    );
  });
  it('why the fix-up exists: the plain rounding of [−1, 1] in float32 puts x = 0 at MSB 0 (b = 8) and −1e-10 at MSB 1 (b = 2)', () => {
    const e8 = quantize(new Float32Array([-1, 0, 1]), { bits: 8, range: [-1, 1] });
    expect(e8.codes[1]).toBe(127);
    expect(quantize(new Float32Array([-1, 0, 1]), { bits: 8, range: 'symmetric' }).codes[1]).toBe(128);
    const e2 = quantize(new Float32Array([-1, -1e-10, 1]), { bits: 2, range: [-1, 1] });
    expect(e2.codes[1]).toBe(2);
    expect(quantize(new Float32Array([-1, -1e-10, 1]), { bits: 2, range: 'symmetric' }).codes[1]).toBe(1);
  });
  it('b = 1 symmetric is exactly sign binarization 1[x ≥ 0]', () => {
    const x = new Float32Array([-2, -0.5, 0, 0.5, 2, -1e-20]);
    expect(Array.from(quantize(x, { bits: 1, range: 'symmetric' }).codes)).toEqual([0, 0, 1, 1, 1, 0]);
  });
});

describe('dequantize', () => {
  it('|x̂ − x| ≤ Δ/2 (+ float rounding) for every x inside [lo, hi], all modes', () => {
    fc.assert(
      fc.property(floats, bitsArb, fc.constantFrom<QuantizeOptions['range']>('minmax', 'percentile', 'symmetric', [-300, 400]), fc.constantFrom('float32' as const, 'float64' as const), (x, bits, range, arithmetic) => {
        const q = quantize(x, { bits, range, arithmetic });
        const y = dequantize(q);
        expect(y.length).toBe(x.length);
        const scale = Math.max(Math.abs(q.lo), Math.abs(q.hi));
        const tol = q.constant ? 1e-8 + scale * 2 ** -23 : (q.step / 2) * (1 + 1e-6) + scale * 2 ** -22;
        for (let i = 0; i < x.length; i++) {
          if (x[i] >= q.lo && x[i] <= q.hi && Math.abs(y[i] - x[i]) > tol) throw new Error(`index ${i}: x=${x[i]} x̂=${y[i]} Δ=${q.step}`);
          if (x[i] < q.lo) expect(y[i]).toBe(Math.fround(q.lo));
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });
  it('per-channel dequantize uses each channel’s lo and step', () => {
    const x = new Float32Array([0, 1, 2, 3, 10, 20, 30, 40]);
    const q = quantizePerChannel(x, [2, 4], { bits: 8 });
    const y = dequantize(q);
    for (let i = 0; i < 8; i++) expect(Math.abs(y[i] - x[i])).toBeLessThanOrEqual(q.step[i >> 2] / 2 + 1e-6);
  });
  it('rejects foreign objects and out-of-range codes', () => {
    expect(() => dequantize({} as never)).toThrow(OckhamError);
    const q = quantize(new Float32Array([0, 1]), { bits: 2 });
    const tampered = { ...q, codes: new Uint16Array([0, 4]) };
    expect(() => dequantize(tampered)).toThrow(/q.codes: element 1 is 4/);
  });
});

describe('constant tensors', () => {
  it('give all-zero codes, constant: true, step 0, and dequantize to the constant', () => {
    for (const arithmetic of ['float32', 'float64'] as const) {
      const q = quantize(new Float32Array([0.25, 0.25, 0.25]), { bits: 8, arithmetic });
      expect(q.constant).toBe(true);
      expect(q.step).toBe(0);
      expect(Array.from(q.codes)).toEqual([0, 0, 0]);
      expect(Array.from(dequantize(q))).toEqual([0.25, 0.25, 0.25]);
    }
  });
  it('use the reference threshold hi − lo < 1e-8 by default, exact equality with constantThreshold: 0', () => {
    const x = new Float64Array([1, 1 + 5e-9]);
    expect(quantize(x, { bits: 4, arithmetic: 'float64' }).constant).toBe(true);
    const q = quantize(x, { bits: 4, arithmetic: 'float64', constantThreshold: 0 });
    expect(q.constant).toBe(false);
    expect(Array.from(q.codes)).toEqual([0, 15]);
  });
  it('throw with strictReference: true, like the reference code', () => {
    expect(() => quantize(new Float32Array([3, 3]), { bits: 4, strictReference: true })).toThrow(/constant tensor/);
    expect(() => quantizePerChannel(new Float32Array([1, 2, 3, 3]), [2, 2], { bits: 4, strictReference: true })).toThrow(/channel 1: constant/);
  });
});

describe('quantizePerChannel', () => {
  it('equals quantize applied to each dim-0 slice, for every range mode', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 2 }),
        bitsArb,
        fc.constantFrom<QuantizeOptions['range']>('minmax', 'percentile', 'symmetric', [-1, 1]),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (c0, rest, bits, range, seed) => {
          const shape = [c0, ...rest];
          // A 1-D shape is one channel (the same 2-D view as bitPlanes).
          const [channels, size] = rest.length === 0 ? [1, c0] : [c0, rest.reduce((a, b) => a * b, 1)];
          let s = seed;
          const x = Float32Array.from({ length: channels * size }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s / 2 ** 32 - 0.5));
          const q = quantizePerChannel(x, shape, { bits, range });
          expect(q.channels).toBe(channels);
          expect(q.channelSize).toBe(size);
          for (let c = 0; c < channels; c++) {
            const slice = x.subarray(c * size, (c + 1) * size);
            const r = quantize(slice, { bits, range });
            expect(Array.from(q.codes.subarray(c * size, (c + 1) * size))).toEqual(Array.from(r.codes));
            expect(q.lo[c]).toBe(r.lo);
            expect(q.step[c]).toBe(r.step);
            expect(q.constant[c]).toBe(r.constant ? 1 : 0);
          }
        },
      ),
      { seed: 11, numRuns: 150 },
    );
  });
  it('treats a 1-D shape as one channel', () => {
    const q = quantizePerChannel(new Float32Array([0, 1, 2, 3]), [4], { bits: 2 });
    expect(q.channels).toBe(1);
    expect(Array.from(q.codes)).toEqual([0, 1, 2, 3]);
  });
});

describe('quantile internals', () => {
  it('selectInPlace agrees with a full sort (duplicates, all equal, adversarial)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 200 }), fc.nat(), (vals, kk) => {
        const a = Float64Array.from(vals);
        const k = kk % a.length;
        selectInPlace(a, k, 0, a.length - 1);
        const sorted = [...vals].sort((p, q) => p - q);
        expect(a[k]).toBe(sorted[k]);
        for (let i = 0; i < k; i++) expect(a[i]).toBeLessThanOrEqual(a[k]);
        for (let i = k + 1; i < a.length; i++) expect(a[i]).toBeGreaterThanOrEqual(a[k]);
      }),
      { seed: 42, numRuns: 500 },
    );
    const organ = Float64Array.from({ length: 5000 }, (_, i) => (i < 2500 ? i : 5000 - i));
    selectInPlace(organ, 2500, 0, organ.length - 1);
    expect(organ[2500]).toBe(1250);
  });
  it('float32 quantile pair equals a sort-based torch.quantile emulation', () => {
    const f = Math.fround;
    const torchRef = (sorted: Float32Array, q: number): number => {
      const rank = f(f(q) * f(sorted.length - 1));
      const i = Math.trunc(rank);
      const w = rank - i;
      const a = sorted[i];
      const c = sorted[Math.ceil(rank)];
      const d = f(c - a);
      return w < 0.5 ? f(a + w * d) : f(c - d * (1 - w));
    };
    fc.assert(
      fc.property(floats, fc.double({ min: 0.5, max: 100, noNaN: true }), (x, p) => {
        const q = (1 - p / 100) / 2;
        const sorted = Float32Array.from(x).sort();
        const [lo, hi] = quantilePairF32(Float32Array.from(x), 0, x.length, q, 1 - q);
        expect(lo).toBe(torchRef(sorted, q));
        expect(hi).toBe(torchRef(sorted, 1 - q));
      }),
      { seed: 5, numRuns: 400 },
    );
  });
  it('float64 quantile pair equals the sort-based numpy linear rule', () => {
    fc.assert(
      fc.property(floats, fc.double({ min: 0.5, max: 100, noNaN: true }), (x, p) => {
        const q = (1 - p / 100) / 2;
        const s = Array.from(x).sort((a, b) => a - b);
        expect(quantilePairF64(Float64Array.from(x), 0, x.length, q, 1 - q)).toEqual([quantileRef(s, q), quantileRef(s, 1 - q)]);
      }),
      { seed: 6, numRuns: 300 },
    );
  });
  it('rankPairs: the bracketing pass (n ≥ 2^16) equals a full sort, whatever the order or ties', () => {
    const n = 70_001;
    const rng = createRng(13);
    const sortedOf = (a: Float64Array | Float32Array) => Float64Array.from(a).sort();
    const cases: [string, Float32Array | Float64Array][] = [
      ['normal', Float32Array.from(normalArray(n, 1))],
      ['sorted', Float64Array.from(normalArray(n, 2)).sort()],
      ['reversed', Float64Array.from(normalArray(n, 3)).sort().reverse()],
      ['few distinct values', Float32Array.from({ length: n }, () => rng.int(5))],
      ['all equal', new Float32Array(n).fill(0.25)],
      // The strided sample sees only zeros; the tails hide between its positions.
      ['sample-blind', Float64Array.from({ length: n }, (_, i) => (i % 5 === 2 ? (i % 10 === 2 ? -1 - i : 1 + i) : 0))],
    ];
    for (const [name, x] of cases) {
      const s = sortedOf(x);
      const before = x.slice();
      const fast = rankPairsPaths.bracketed;
      for (const [iLo, iHi] of [
        [0, n - 1],
        [34, n - 35],
        [n >> 1, (n >> 1) + 1],
        [3, 3],
        [n - 2, n - 1],
      ]) {
        const want = [s[iLo], s[Math.min(iLo + 1, n - 1)], s[iHi], s[Math.min(iHi + 1, n - 1)]];
        expect(rankPairs(x, 0, n, iLo, iHi), `${name} ${iLo} ${iHi}`).toEqual(want);
      }
      expect(x).toEqual(before);
      // Natural orders take the one-pass path for every rank pair.
      if (name === 'normal' || name === 'sorted' || name === 'all equal') expect(rankPairsPaths.bracketed - fast, name).toBe(5);
    }
    // A sub-range (per-channel use).
    const x = Float32Array.from(normalArray(3 * n, 4));
    const s = sortedOf(x.subarray(n, 2 * n));
    expect(rankPairs(x, n, 2 * n, 10, n - 11)).toEqual([s[10], s[11], s[n - 11], s[n - 10]]);
  });
  it('quantize with a percentile range equals the sort-based reference on large tensors (f32 and f64)', () => {
    const x = Float32Array.from(normalArray(300_000, 21, 0, 0.02));
    x[7] = 5; // an outlier the 99.9 % range clips
    const s = Float32Array.from(x).sort();
    const f = Math.fround;
    const q = (1 - 99.9 / 100) / 2;
    const torchAt = (qq: number): number => {
      const rank = f(f(qq) * f(s.length - 1));
      const i = Math.trunc(rank);
      const w = rank - i;
      const d = f(s[Math.ceil(rank)] - s[i]);
      return w < 0.5 ? f(s[i] + w * d) : f(s[Math.ceil(rank)] - d * (1 - w));
    };
    const r = quantize(x, { bits: 8, range: 'percentile', percentile: 99.9 });
    expect([r.lo, r.hi]).toEqual([torchAt(q), torchAt(1 - q)]);
    const s64 = Array.from(x).sort((a, b) => a - b);
    const r64 = quantize(x, { bits: 8, range: 'percentile', percentile: 99.9, arithmetic: 'float64' });
    expect([r64.lo, r64.hi]).toEqual([quantileRef(s64, q), quantileRef(s64, 1 - q)]);
  });
  it('roundSumToF32 rounds the exact sum once (fused), even when the double sum hits a float32 tie', () => {
    // 1 + 2^-24 is a float32 midpoint; the extra 2^-76 (exact in y, lost in the double sum)
    // decides upward.
    const y = 2 ** -24 + 2 ** -76;
    expect(y - 2 ** -24).toBe(2 ** -76); // y itself is exact
    expect(roundSumToF32(1, y)).toBe(1 + 2 ** -23);
    expect(Math.fround(1 + y)).toBe(1); // what naive double-then-float32 gives
    expect(roundSumToF32(1, 2 ** -24 - 2 ** -77)).toBe(1);
    expect(roundSumToF32(1, 2 ** -24)).toBe(1); // a true tie: to even
    expect(roundSumToF32(-1, -y)).toBe(-(1 + 2 ** -23));
    expect(roundSumToF32(1 + 2 ** -23, y)).toBe(1 + 2 ** -22); // upper neighbour of an odd value
  });
});

describe('caller arrays are never mutated', () => {
  it('quantize, quantizePerChannel, dequantize leave inputs unchanged', () => {
    fc.assert(
      fc.property(floats, bitsArb, fc.constantFrom<QuantizeOptions['range']>('minmax', 'percentile', 'symmetric'), (x, bits, range) => {
        const before = Float32Array.from(x);
        const x64 = Float64Array.from(x);
        const before64 = Float64Array.from(x64);
        const q = quantize(x, { bits, range });
        quantize(x64, { bits, range, arithmetic: 'float64' });
        quantize(x64, { bits, range });
        quantizePerChannel(x, [x.length], { bits, range });
        const codes = Uint16Array.from(q.codes);
        dequantize(q);
        expect(x).toEqual(before);
        expect(x64).toEqual(before64);
        expect(q.codes).toEqual(codes);
      }),
      { seed: 9, numRuns: 100 },
    );
  });
});

describe('bad input → OckhamError with code and argument', () => {
  const err = (fn: () => unknown): OckhamError => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(OckhamError);
      return e as OckhamError;
    }
    throw new Error('expected a throw');
  };
  const x = new Float32Array([0, 1, 2]);
  it('NaN / ±Infinity name the element index', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const e = err(() => quantize(new Float32Array([0, 1, bad, 3]), { bits: 4 }));
      expect(e.code).toBe('NON_FINITE');
      expect(e.argument).toBe('x');
      expect(e.message).toContain('element 2');
      expect(err(() => quantize(new Float64Array([0, bad]), { bits: 4 })).message).toContain('element 1');
      expect(err(() => quantizePerChannel(new Float32Array([0, 1, 2, bad]), [2, 2], { bits: 4 })).message).toContain('element 3');
    }
  });
  it('float64 values beyond float32 range in float32 mode', () => {
    const e = err(() => quantize(new Float64Array([0, 1e300]), { bits: 4 }));
    expect(e.code).toBe('OUT_OF_RANGE');
    expect(e.message).toContain('element 1');
    expect(quantize(new Float64Array([0, 1e300]), { bits: 4, arithmetic: 'float64' }).codes[1]).toBe(15);
  });
  it('a range width that overflows', () => {
    expect(err(() => quantize(new Float32Array([-3e38, 3e38]), { bits: 4 })).code).toBe('OUT_OF_RANGE');
  });
  it('empty and non-float inputs', () => {
    expect(err(() => quantize(new Float32Array(0), { bits: 4 })).code).toBe('EMPTY');
    expect(err(() => quantize([1, 2] as never, { bits: 4 })).code).toBe('INVALID_ARGUMENT');
  });
  it('bits outside 1..16 or not an integer; missing options', () => {
    for (const bits of [0, 17, 2.5, -1, NaN, '8']) {
      const e = err(() => quantize(x, { bits } as never));
      expect(e.code).toBe('OUT_OF_RANGE');
      expect(e.argument).toBe('options.bits');
      expect(e.message).toContain('1..16');
    }
    expect(err(() => quantize(x, undefined as never)).argument).toBe('options');
  });
  it('unknown option keys', () => {
    const e = err(() => quantize(x, { bits: 4, bit: 8 } as never));
    expect(e.code).toBe('UNKNOWN_OPTION');
    expect(e.argument).toBe('options.bit');
  });
  it('invalid ranges and percentiles', () => {
    expect(err(() => quantize(x, { bits: 4, range: [1, 1] })).argument).toBe('options.range');
    expect(err(() => quantize(x, { bits: 4, range: [2, 1] })).code).toBe('OUT_OF_RANGE');
    expect(err(() => quantize(x, { bits: 4, range: [0, Infinity] })).argument).toBe('options.range[1]');
    expect(err(() => quantize(x, { bits: 4, range: [0] as never })).argument).toBe('options.range');
    expect(err(() => quantize(x, { bits: 4, range: 'max' as never })).argument).toBe('options.range');
    for (const p of [0, -1, 100.5, NaN]) {
      expect(err(() => quantize(x, { bits: 4, range: 'percentile', percentile: p })).argument).toBe('options.percentile');
    }
    expect(quantize(x, { bits: 4, range: 'percentile', percentile: 100 }).lo).toBe(0);
    expect(err(() => quantize(x, { bits: 4, percentile: 99 })).argument).toBe('options.percentile');
    expect(err(() => quantize(x, { bits: 4, arithmetic: 'float16' as never })).argument).toBe('options.arithmetic');
    expect(err(() => quantize(x, { bits: 4, constantThreshold: -1 })).argument).toBe('options.constantThreshold');
    expect(err(() => quantize(x, { bits: 4, strictReference: 1 as never })).argument).toBe('options.strictReference');
  });
  it('shape mismatch in quantizePerChannel', () => {
    const e = err(() => quantizePerChannel(x, [2, 2], { bits: 4 }));
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.argument).toBe('x');
    expect(err(() => quantizePerChannel(x, [3, 0], { bits: 4 })).argument).toBe('shape[1]');
  });
});
