import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generalizationBound, totalDescriptionLength } from '../../src/bounds/index.js';
import { klBernoulli, klInverseUpper } from '../../src/bounds/occam.js';
import { OckhamError } from '../../src/errors.js';
import { expectOckhamError } from '../helpers.js';

function throwsArg(f: () => unknown, arg: string, code?: string): void {
  expectOckhamError(f, { argument: arg, ...(code ? { code } : {}) });
}

const base = { complexityBits: 1000, empiricalRisk: 0.1, n: 10000, delta: 0.05 };

describe('generalizationBound', () => {
  it('matches hand-computed values (K = 1000 bits, R̂ = 0.1, n = 10⁴, δ = 0.05)', () => {
    // K + 2·log₂K = 1019.93156856932; ×ln2 + ln 20 = 709.958423391464 nats.
    // lotfi: 0.1 + √(709.958423391464 / 20000) = 0.288408920090247
    expect(generalizationBound(base)).toBeCloseTo(0.288408920090247, 12);
    // paper (no ln 2): 0.1 + √((1019.93156856932 + 2.99573227355399) / 20000) = 0.326155621292383
    expect(generalizationBound({ ...base, form: 'paper' })).toBeCloseTo(0.326155621292383, 12);
    // kl: sup{p : kl(0.1 ‖ p) ≤ 0.0709958423391464}, by an independent bisection: 0.248162630029106
    expect(generalizationBound({ ...base, form: 'kl' })).toBeCloseTo(0.248162630029106, 10);
  });

  it('scales with the loss range', () => {
    const a = generalizationBound({ ...base, empiricalRisk: 0.2, lossRange: 2 });
    expect(a).toBeCloseTo(0.2 + 2 * 0.188408920090247, 12);
    const k = generalizationBound({ ...base, empiricalRisk: 0.2, lossRange: 2, form: 'kl' });
    expect(k).toBeCloseTo(2 * 0.248162630029106, 9);
  });

  it('is monotone: increasing in K, decreasing in n, decreasing in δ; kl ≤ lotfi ≤ paper; kl ≤ range', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 1e7 }),
        fc.double({ min: 1e-9, max: 0.999, noNaN: true }),
        (K, R, n, delta) => {
          for (const form of ['lotfi', 'paper', 'kl'] as const) {
            const b = generalizationBound({ complexityBits: K, empiricalRisk: R, n, delta, form });
            expect(generalizationBound({ complexityBits: K * 2, empiricalRisk: R, n, delta, form })).toBeGreaterThanOrEqual(b);
            expect(generalizationBound({ complexityBits: K, empiricalRisk: R, n: n * 2, delta, form })).toBeLessThanOrEqual(b);
            expect(generalizationBound({ complexityBits: K, empiricalRisk: R, n, delta: delta / 2, form })).toBeGreaterThanOrEqual(b);
            expect(b).toBeGreaterThanOrEqual(R);
          }
          const l = generalizationBound({ complexityBits: K, empiricalRisk: R, n, delta });
          const p = generalizationBound({ complexityBits: K, empiricalRisk: R, n, delta, form: 'paper' });
          const k = generalizationBound({ complexityBits: K, empiricalRisk: R, n, delta, form: 'kl' });
          expect(k).toBeLessThanOrEqual(l + 1e-12);
          expect(l).toBeLessThanOrEqual(p);
          expect(k).toBeLessThanOrEqual(1);
        },
      ),
      { seed: 42, numRuns: 150 },
    );
  });

  it('kl inverse: kl(q ‖ p*) = b at the returned point, edge cases', () => {
    expect(klBernoulli(0.5, 0.5)).toBe(0);
    expect(klBernoulli(0, 0.5)).toBeCloseTo(Math.LN2, 15);
    const p = klInverseUpper(0.1, 0.05);
    expect(klBernoulli(0.1, p)).toBeCloseTo(0.05, 12);
    expect(klInverseUpper(0.3, 0)).toBe(0.3);
    expect(klInverseUpper(1, 5)).toBe(1);
    // q = 0: kl(0 ‖ p) = −ln(1 − p) → p* = 1 − e^{−b}
    expect(klInverseUpper(0, 0.2)).toBeCloseTo(1 - Math.exp(-0.2), 13);
  });

  it('rejects bad input naming the argument', () => {
    throwsArg(() => generalizationBound({ ...base, n: 0 }), 'n', 'OUT_OF_RANGE');
    throwsArg(() => generalizationBound({ ...base, n: -3 }), 'n', 'OUT_OF_RANGE');
    throwsArg(() => generalizationBound({ ...base, n: 2.5 }), 'n', 'OUT_OF_RANGE');
    throwsArg(() => generalizationBound({ ...base, delta: 0 }), 'delta', 'OUT_OF_RANGE');
    throwsArg(() => generalizationBound({ ...base, delta: 1 }), 'delta', 'OUT_OF_RANGE');
    throwsArg(() => generalizationBound({ ...base, delta: NaN }), 'delta', 'NON_FINITE');
    throwsArg(() => generalizationBound({ ...base, complexityBits: 0.5 }), 'complexityBits', 'OUT_OF_RANGE');
    throwsArg(() => generalizationBound({ ...base, empiricalRisk: 1.5 }), 'empiricalRisk', 'OUT_OF_RANGE');
    throwsArg(() => generalizationBound({ ...base, lossRange: 0 }), 'lossRange', 'OUT_OF_RANGE');
    throwsArg(() => generalizationBound({ ...base, form: 'pac' as never }), 'form', 'INVALID_ARGUMENT');
    throwsArg(() => generalizationBound({ ...base, bits: 3 } as never), 'args.bits', 'UNKNOWN_OPTION');
  });
});

describe('totalDescriptionLength', () => {
  it('converts nats to bits by dividing by ln 2 exactly', () => {
    const nll = 1234.5678;
    const r = totalDescriptionLength({ modelBits: 8000, dataNll: nll });
    expect(r.dataBits).toBe(nll / Math.LN2);
    expect(r.totalBits).toBe(8000 + nll / Math.LN2);
    expect(r.modelBits).toBe(8000);
    expect(totalDescriptionLength({ modelBits: 0, dataNll: 1000 * Math.LN2, unit: 'nats' }).dataBits).toBeCloseTo(1000, 10);
    const b = totalDescriptionLength({ modelBits: 10, dataNll: 5, unit: 'bits' });
    expect(b).toEqual({ totalBits: 15, modelBits: 10, dataBits: 5 });
  });

  it('rejects bad input', () => {
    throwsArg(() => totalDescriptionLength({ modelBits: -1, dataNll: 1 }), 'modelBits', 'OUT_OF_RANGE');
    throwsArg(() => totalDescriptionLength({ modelBits: 1, dataNll: NaN }), 'dataNll', 'NON_FINITE');
    throwsArg(() => totalDescriptionLength({ modelBits: 1, dataNll: 1, unit: 'bytes' as never }), 'unit', 'INVALID_ARGUMENT');
  });
});
