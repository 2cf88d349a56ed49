import { describe, expect, it } from 'vitest';
import { coarseGrainSearch, quantizationSearch, rateDistortionCurve } from '../../src/coarsegrain/index.js';
import { accepts } from '../../src/coarsegrain/search.js';
import { buildCandidate, prepareTensors } from '../../src/coarsegrain/candidate.js';
import { compressedBits, dequantizeCoarseGrained, naiveCompressedBits, serializeCoarseGrained } from '../../src/compress/index.js';
import type { CoarseGrainedModel } from '../../src/compress/index.js';
import { roundToStep } from '../../src/quantize/index.js';
import { lowRankTruncate } from '../../src/spectral/index.js';
import { OckhamError } from '../../src/errors.js';
import type { NamedTensor } from '../../src/util/model.js';
import { makeRegression } from './fixture.js';
import { rejectsArg } from '../helpers.js';


const reg = makeRegression();
const L0 = reg.loss(reg.model);
const fast = { nWarmup: 1000, nLocalStarts: 3 } as const;
const tiny = { initPoints: 3, nIter: 2, nWarmup: 200, nLocalStarts: 1 } as const;

describe('coarseGrainSearch on a closed-form linear regression (q×p = 16×24 of rank ≈ 2)', async () => {
  const eps = 1e-3;
  const before = reg.model.map((t) => Float32Array.from(t.data));
  const a1 = await coarseGrainSearch(reg.model, { loss: reg.loss, epsilon: eps, seed: 0, nIter: 20, ...fast });
  const a2 = await quantizationSearch(reg.model, { loss: reg.loss, epsilon: eps, seed: 0, nIter: 20, ...fast });

  it('returns an accepted best whose loss, recomputed on its weights, is within ε', () => {
    expect(a1.best).not.toBeNull();
    expect(a1.fallback).toBe(false);
    const best = a1.best!;
    expect(best.accepted).toBe(true);
    const weights = dequantizeCoarseGrained(best.model);
    const L = reg.loss(weights);
    expect(L).toBe(best.loss);
    expect(Math.abs(L - L0)).toBeLessThan(eps);
    expect(a1.originalLoss).toBe(L0);
    // bits are exactly bzip2 of the serialised model
    expect(best.bits).toBe(compressedBits(serializeCoarseGrained(best.model), { codec: 'bzip2' }));
    expect(a1.bits).toBe(best.bits);
  });

  it('every accepted candidate respects ε, sizes never exceed the naive baseline, best = min accepted', () => {
    expect(a1.naiveBits).toBe(naiveCompressedBits(reg.model, 'bzip2'));
    let minBits = Infinity;
    for (const e of [...a1.trace, ...a2.trace]) {
      if (e.accepted) {
        expect(Math.abs(e.lossChange)).toBeLessThan(eps);
        expect(e.bits).not.toBeNull();
        expect(e.bits!).toBeLessThanOrEqual(a1.naiveBits);
        expect(e.score).toBe(e.bits);
      } else {
        expect(e.bits).toBeNull();
        expect(e.score).toBe(Math.max(2.4e6, 2 * a1.naiveBits));
      }
    }
    for (const e of a1.trace) if (e.accepted) minBits = Math.min(minBits, e.bits!);
    expect(a1.best!.bits).toBe(minBits);
    expect(a1.trace).toHaveLength(2 + 10 + 20);
    expect(a1.trace[0]).toMatchObject({ phase: 'probe', tau: 1, delta: 1e-3 });
    expect(a1.trace[1].phase).toBe('probe');
    expect(a1.trace[1].delta).toBeCloseTo(10 ** -2.7, 12);
  });

  it('low-rank search beats quantization only and the naive size by far (measured 1928 vs 4112 vs 15248 bits)', () => {
    expect(a2.best).not.toBeNull();
    expect(a2.trace.every((e) => e.tau === null && Object.values(e.ranks).every((r) => r === null))).toBe(true);
    expect(a1.best!.bits).toBeLessThanOrEqual(a2.best!.bits);
    expect(a1.best!.bits).toBeLessThan(a1.naiveBits / 5);
    expect(a1.best!.ranks.w).not.toBeNull();
    expect(a1.best!.ranks.w!).toBeLessThanOrEqual(4);
    expect(a1.best!.ranks.b).toBeNull(); // 1-D tensors are only quantized
  });

  it('does not modify the caller\'s tensors', () => {
    reg.model.forEach((t, i) => expect(t.data).toEqual(before[i]));
  });
});

describe('candidates', () => {
  const prepared = prepareTensors(reg.model);

  // Integer codes cannot hold −0: roundToStep's −0 (torch.round keeps the sign) becomes +0, as
  // the reference also maps −0 → 0 before compressing.
  const noNegZero = (x: Float32Array): Float32Array => x.map((v) => v + 0);

  it('dense codes reproduce roundToStep exactly (half to even, float32; −0 as +0)', () => {
    for (const delta of [1e-3, 0.0137, 0.25]) {
      const c = buildCandidate(prepared, null, delta, 'paper');
      const w = dequantizeCoarseGrained(c.model);
      expect(w[0].data).toEqual(noNegZero(roundToStep(reg.model[0].data, delta)));
      expect(w[1].data).toEqual(noNegZero(roundToStep(reg.model[1].data, delta)));
    }
  });

  it('kRule passes through to lowRankTruncate; factors U·diag(σ) and Vᵀ are quantized with the same Δ', () => {
    const W = reg.model[0];
    for (const tau of [0.5, 0.9, 0.97]) {
      for (const kRule of ['paper', 'code'] as const) {
        const direct = lowRankTruncate(W.data, W.shape, tau, { kRule });
        const c = buildCandidate(prepared, tau, 0.01, kRule);
        const t = c.model.tensors[0];
        if (direct.kind === 'dense') {
          expect(t.kind).toBe('dense');
          continue;
        }
        expect(c.ranks.w).toBe(direct.k);
        expect(t.kind).toBe('lowrank');
        if (t.kind !== 'lowrank' || direct.k === 0) continue;
        expect(t.rank).toBe(direct.k);
        const step = Math.fround(0.01);
        const L = noNegZero(roundToStep(direct.left, 0.01));
        const R = noNegZero(roundToStep(direct.right, 0.01));
        for (let i = 0; i < L.length; i++) expect(Math.fround(t.left.codes[i] * step)).toBe(L[i]);
        for (let i = 0; i < R.length; i++) expect(Math.fround(t.right.codes[i] * step)).toBe(R[i]);
      }
      const kp = buildCandidate(prepared, tau, 0.01, 'paper').ranks.w;
      const kc = buildCandidate(prepared, tau, 0.01, 'code').ranks.w;
      if (kp !== null && kc !== null) expect(kc).toBe(kp - 1);
    }
  });

  it('kRule "code" through the search: every rank equals lowRankTruncate(·, τ, { kRule: "code" }).k', async () => {
    const r = await coarseGrainSearch(reg.model, { loss: reg.loss, epsilon: 1e-2, kRule: 'code', seed: 4, ...tiny });
    for (const e of r.trace) {
      const direct = lowRankTruncate(reg.model[0].data, reg.model[0].shape, Math.max(e.tau!, Number.MIN_VALUE), { kRule: 'code' });
      expect(e.ranks.w).toBe(direct.kind === 'dense' ? null : direct.k);
    }
  });

  it('rank 0 (code rule, τ = 0) is stored as rank-1 zero factors: zero weights', () => {
    const c = buildCandidate(prepared, 0, 0.01, 'code');
    expect(c.ranks.w).toBe(0);
    const w = dequantizeCoarseGrained(c.model)[0].data;
    expect(w.every((v) => v === 0)).toBe(true);
  });
});

describe('acceptance', () => {
  it('paper form is two-sided and strict; code form is one-sided', () => {
    expect(accepts('paper', 1.05, 1, 0.1)).toBe(true);
    expect(accepts('paper', 0.85, 1, 0.1)).toBe(false); // much better loss: rejected two-sided
    expect(accepts('code', 0.85, 1, 0.1)).toBe(true);
    expect(accepts('paper', 1.5, 1, 0.5)).toBe(false); // |ΔL| = ε is not < ε
    expect(accepts('code', 1.5, 1, 0.5)).toBe(true); // L' ≤ L + ε
    expect(accepts('code', Infinity, 1, 0.5)).toBe(false);
    expect(accepts('paper', 1, 1, 0)).toBe(false);
  });

  it('ε = 0 (paper form): nothing is accepted → best null, explicit fallback to the naive size', async () => {
    const r = await coarseGrainSearch(reg.model, { loss: reg.loss, epsilon: 0, seed: 1, ...tiny });
    expect(r.best).toBeNull();
    expect(r.fallback).toBe(true);
    expect(r.bits).toBe(r.naiveBits);
    expect(r.trace.every((e) => !e.accepted)).toBe(true);
  });

  it('code form: accepted iff L\' ≤ L + ε; with ε = 0 nothing worse than the original is accepted', async () => {
    const r = await coarseGrainSearch(reg.model, { loss: reg.loss, epsilon: 0, acceptance: 'code', seed: 1, ...tiny });
    for (const e of r.trace) expect(e.accepted).toBe(e.loss <= L0);
    if (r.best) expect(r.best.loss).toBeLessThanOrEqual(L0);
    const r2 = await coarseGrainSearch(reg.model, { loss: reg.loss, epsilon: 5e-4, acceptance: 'code', seed: 1, ...tiny });
    for (const e of r2.trace) expect(e.accepted).toBe(e.loss <= L0 + 5e-4);
  });
});

describe('options', () => {
  it('sync and async losses give the same search', async () => {
    const opts = { epsilon: 1e-3, seed: 7, ...tiny };
    const s = await coarseGrainSearch(reg.model, { ...opts, loss: reg.loss });
    const a = await coarseGrainSearch(reg.model, { ...opts, loss: async (c: NamedTensor[]) => reg.loss(c) });
    expect(a.trace).toEqual(s.trace);
    expect(a.best?.bits).toBe(s.best?.bits);
  });

  it('codec and serialiser are injectable', async () => {
    const d = await coarseGrainSearch(reg.model, { loss: reg.loss, epsilon: 1e-2, codec: 'deflate', seed: 2, ...tiny });
    expect(d.naiveBits).toBe(naiveCompressedBits(reg.model, 'deflate'));
    if (d.best) expect(d.best.bits).toBe(compressedBits(serializeCoarseGrained(d.best.model), { codec: 'deflate' }));
    let calls = 0;
    const serialize = (m: CoarseGrainedModel): Uint8Array => {
      calls++;
      return serializeCoarseGrained(m);
    };
    const f = await coarseGrainSearch(reg.model, { loss: reg.loss, epsilon: 1e-2, codec: (b: Uint8Array) => b.length * 8, serialize, seed: 2, ...tiny });
    expect(f.naiveBits).toBe(reg.model.reduce((s, t) => s + t.data.length * 32, 0));
    expect(calls).toBeGreaterThan(0);
    for (const e of f.trace) if (e.accepted) expect(e.bits!).toBe(serializeCoarseGrained(buildCandidate(prepareTensors(reg.model), e.tau, e.delta, 'paper').model).length * 8);
  });

  it('quantizationSearch (bisection): larger ε never gives a larger size or a smaller Δ', async () => {
    let prevBits = Infinity;
    let prevStep = 0;
    for (const eps of [1e-4, 1e-3, 1e-2, 1e-1]) {
      const r = await quantizationSearch(reg.model, { loss: reg.loss, epsilon: eps, method: 'bisection' });
      expect(r.best).not.toBeNull();
      expect(Math.abs(r.best!.lossChange)).toBeLessThan(eps);
      expect(r.best!.bits).toBeLessThanOrEqual(prevBits);
      expect(r.best!.step).toBeGreaterThanOrEqual(prevStep);
      prevBits = r.best!.bits;
      prevStep = r.best!.step;
    }
  });

  it('rateDistortionCurve: size non-increasing in ε, each point within its ε, log fit', async () => {
    const rd = await rateDistortionCurve(reg.model, { loss: reg.loss, epsilons: [1e-4, 1e-3, 1e-2, 1e-1], seed: 0, initPoints: 6, nIter: 6, nWarmup: 300, nLocalStarts: 2 });
    expect(rd.points).toHaveLength(4);
    for (let i = 0; i < rd.points.length; i++) {
      const p = rd.points[i];
      if (i > 0) expect(p.bits).toBeLessThanOrEqual(rd.points[i - 1].bits);
      if (!p.fallback) {
        expect(Math.abs(p.lossChange!)).toBeLessThan(p.epsilon);
        expect(Math.abs(reg.loss(dequantizeCoarseGrained(p.model!)) - L0)).toBeLessThan(p.epsilon);
        expect(p.bits).toBe(compressedBits(serializeCoarseGrained(p.model!), { codec: 'bzip2' }));
      }
    }
    expect(rd.points[3].bits).toBeLessThan(rd.points[0].bits);
    expect(rd.fit).not.toBeNull();
    expect(rd.fit!.a).toBeLessThan(0);
    // Shared evaluations: fewer loss calls than 4 independent searches of 14.
    expect(rd.evaluations).toBeLessThan(4 * 14);
  });
});

describe('errors', () => {
  it('bad ε, missing ε, empty tensors, unknown options, bad kRule', async () => {
    await rejectsArg(coarseGrainSearch(reg.model, { loss: reg.loss, epsilon: -1 }), 'options.epsilon', 'OUT_OF_RANGE');
    await rejectsArg(coarseGrainSearch(reg.model, { loss: reg.loss } as never), 'options.epsilon', 'INVALID_ARGUMENT');
    await rejectsArg(coarseGrainSearch(reg.model, { loss: reg.loss, epsilon: NaN }), 'options.epsilon', 'NON_FINITE');
    await rejectsArg(coarseGrainSearch([], { loss: reg.loss, epsilon: 0.1 }), 'tensors', 'EMPTY');
    await rejectsArg(coarseGrainSearch({}, { loss: reg.loss, epsilon: 0.1 }), 'tensors', 'EMPTY');
    await rejectsArg(coarseGrainSearch(reg.model, { loss: reg.loss, epsilon: 0.1, epsilom: 1 } as never), 'options.epsilom', 'UNKNOWN_OPTION');
    await rejectsArg(coarseGrainSearch(reg.model, { loss: reg.loss, epsilon: 0.1, kRule: 'lapack' as never, ...tiny }), 'options.kRule', 'INVALID_ARGUMENT');
    await rejectsArg(coarseGrainSearch(reg.model, { loss: 3 as never, epsilon: 0.1 }), 'options.loss', 'INVALID_ARGUMENT');
    await rejectsArg(coarseGrainSearch(reg.model, { loss: reg.loss, epsilon: 0.1, deltaRange: [0, 1] }), 'options.deltaRange[0]', 'OUT_OF_RANGE');
    await rejectsArg(coarseGrainSearch(reg.model, { loss: reg.loss, epsilon: 0.1, codec: 'zip' as never }), 'options.codec', 'INVALID_ARGUMENT');
    await rejectsArg(quantizationSearch(reg.model, { loss: reg.loss, epsilon: 0.1, method: 'grid' as never }), 'options.method', 'INVALID_ARGUMENT');
    await rejectsArg(rateDistortionCurve(reg.model, { loss: reg.loss, epsilons: [] }), 'options.epsilons', 'EMPTY');
    await rejectsArg(rateDistortionCurve(reg.model, { loss: reg.loss, epsilons: [0.1, -1] }), 'options.epsilons[1]', 'OUT_OF_RANGE');
    const bad = [{ name: 'w', data: new Float32Array([1, NaN]), shape: [2] }];
    await rejectsArg(coarseGrainSearch(bad, { loss: reg.loss, epsilon: 0.1 }), 'tensors.w.data', 'NON_FINITE');
  });

  it('a throwing loss aborts the search with the cause attached', async () => {
    let calls = 0;
    const cause = new Error('out of memory');
    const loss = (c: NamedTensor[]): number => {
      calls++;
      if (calls === 3) throw cause;
      return reg.loss(c);
    };
    const e = await rejectsArg(coarseGrainSearch(reg.model, { loss, epsilon: 0.1, seed: 0, ...tiny }), 'options.loss', 'INVALID_ARGUMENT');
    expect(e.cause).toBe(cause);
    expect(calls).toBe(3);
  });

  it('a NaN loss (original or candidate) is a typed error', async () => {
    await rejectsArg(coarseGrainSearch(reg.model, { loss: () => NaN, epsilon: 0.1 }), 'options.loss', 'NON_FINITE');
    let calls = 0;
    await rejectsArg(coarseGrainSearch(reg.model, { loss: (c) => (++calls === 2 ? NaN : reg.loss(c)), epsilon: 0.1, ...tiny }), 'options.loss', 'NON_FINITE');
    await rejectsArg(coarseGrainSearch(reg.model, { loss: () => Infinity, epsilon: 0.1 }), 'options.loss', 'NON_FINITE');
    // +∞ on a candidate is a rejection, not an error.
    let n = 0;
    const r = await coarseGrainSearch(reg.model, { loss: (c) => (++n === 1 ? reg.loss(c) : Infinity), epsilon: 0.1, ...tiny });
    expect(r.best).toBeNull();
  });
});
