import { describe, expect, it } from 'vitest';
import { sequentialModel } from '../../src/model/index.js';
import { qubdBaseline } from '../../src/experiment/qubd-baseline.js';

const model = sequentialModel({
  input: { features: 24 },
  layers: [{ type: 'dense', units: 24, bias: false }, { type: 'relu' }, { type: 'dense', units: 8, bias: false }],
  loss: 'crossEntropy',
});

describe('qubdBaseline', () => {
  it('a fresh initialisation is indistinguishable from the re-inits: "no structure detected", not a bit depth', () => {
    const r = qubdBaseline(model, model.init(100), { bits: 4, shuffles: 2 });
    expect(r.suggestedBits).toBeNull();
    expect(r.verdict).toMatch(/^no structure detected/);
    for (const p of r.planes) {
      expect(Number.isFinite(p.z)).toBe(true);
      expect(Math.abs(p.trained - p.reinit.mean)).toBeLessThanOrEqual(p.halfWidth);
      expect(p.ratio).toBeGreaterThan(0.8);
      expect(p.ratio).toBeLessThan(1.2);
    }
    expect(r.planes[0].shuffle).not.toBeNull();
  });

  it('a highly regular weight pattern is detected, with the planes that differ', () => {
    const w = model.init(0);
    // smooth, low-complexity weights: a ramp repeated along rows
    for (let i = 0; i < w.length; i++) w[i] = ((i % 24) / 24 - 0.5) * 0.4;
    const r = qubdBaseline(model, w, { bits: 4, reinits: 4, shuffles: 0 });
    expect(r.suggestedBits).not.toBeNull();
    expect(r.verdict).toMatch(/^structure in plane/);
    expect(r.total.ratio).toBeLessThan(0.9);
    expect(r.total.beyondBand).toBe(true);
    expect(r.planes.some((p) => p.beyondBand && p.z < -3)).toBe(true);
    expect(r.t).toBeGreaterThan(3); // t(3 dof, 1 − 0.05/8) for 4 re-inits and 4 planes
    expect(r.shuffles).toBe(0);
  });

  it('validates its options', () => {
    expect(() => qubdBaseline(model, model.init(0), { reinits: 2 })).toThrow(/options.reinits/);
    expect(() => qubdBaseline(model, model.init(0), { nope: 1 } as never)).toThrow(/options.nope/);
  });
});
