/**
 * The report's shuffle baseline and its honesty rule: `options.baseline` chooses msbDiagnostic's
 * exact or sampled reference, per-plane SDs and z-scores are carried into the report (and summed
 * per plane at model level), and a model or tensor with no plane beyond the noise band reads
 * "no structure detected" — never a 1-bit suggestion.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildReport, msbDiagnostic, parseSafetensors, OckhamError, STRUCTURE_Z } from '../../src/index.js';
import type { WeightsFile } from '../../src/index.js';
import { formatReport } from '../../src/cli/format.js';

const root = resolve(__dirname, '../..');
const grok = () => parseSafetensors(new Uint8Array(readFileSync(join(root, 'examples/grokking/step-004000.safetensors'))));
const fast = { spectral: false, compress: false } as const;

/** A smooth 128×128 matrix (structure in the top planes) and an i.i.d.-looking one. */
function mixedFile(): WeightsFile {
  const smooth = new Float32Array(128 * 128).map((_, k) => Math.sin((k >> 7) / 10) * Math.cos((k & 127) / 7));
  let s = 12345;
  const noise = new Float32Array(96 * 96).map(() => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
  return {
    format: 'npy',
    metadata: {},
    tensors: [
      { name: 'smooth', dtype: 'F32', shape: [128, 128], data: smooth },
      { name: 'noise', dtype: 'F32', shape: [96, 96], data: noise },
    ],
  };
}

describe('report baseline and z-scores', () => {
  it('default exact baseline: per-tensor SDs and z-scores equal msbDiagnostic\'s; model z from the summed variances', async () => {
    const f = grok();
    const r = await buildReport(f, fast);
    expect(r.options.baseline).toBe('exact');
    for (const t of r.tensors) {
      const src = f.tensors.find((x) => x.name === t.name)!;
      const d = msbDiagnostic(src.data, { shape: src.shape, bits: 8 });
      expect(d.baseline).toBe('exact');
      expect(t.ratio!.baseline).toBe('exact');
      expect(t.ratio!.referenceSd).toEqual(d.referenceSd);
      expect(t.ratio!.zScores).toEqual(d.zScores);
      expect(t.ratio!.reference).toEqual(d.reference.planes);
    }
    const T = r.totals;
    for (let p = 0; p < 8; p++) {
      const v = r.tensors.reduce((a, t) => a + t.ratio!.referenceSd![p] ** 2, 0);
      expect(T.referenceSdPlanes![p]).toBeCloseTo(Math.sqrt(v), 9);
      expect(T.zPlanes![p]).toBeCloseTo((T.qubdPlanes[p] - T.referencePlanes[p]) / Math.sqrt(v), 9);
    }
    expect(T.zThreshold).toBe(STRUCTURE_Z);
  });

  it('grokking step 4000 (plane ratios 99–103 %): no structure detected, per tensor and model, in JSON and text', async () => {
    const r = await buildReport(grok(), fast);
    for (const t of r.tensors) {
      expect(t.ratio!.structured.every((x) => !x)).toBe(true);
      expect(t.ratio!.structure).toBe(false);
      expect(t.ratio!.suggestedBits).toBeNull();
    }
    expect(r.totals.structure).toBe(false);
    expect(r.totals.suggestedBits).toBeNull();
    expect(r.totals.structuredPlanes).toEqual(new Array(8).fill(false));
    const text = formatReport(r);
    expect(text).toContain('Suggested quantization depth (model): no structure detected');
    expect(text).not.toMatch(/\d bit\(s\)/);
    expect(text).toContain('Per-plane z-score');
    expect(text).toContain('ratio vs exact shuffle baseline');
    expect(text).not.toContain('shuffle(s), seed');
  });

  it('a smooth matrix is structured (ratio below the threshold and z < −3), random values are not', async () => {
    const r = await buildReport(mixedFile(), fast);
    const [smooth, noise] = r.tensors;
    expect(smooth.ratio!.structure).toBe(true);
    expect(smooth.ratio!.suggestedBits).toBeGreaterThanOrEqual(1);
    expect(smooth.ratio!.structured[7]).toBe(true);
    smooth.ratio!.structured.forEach((s, p) => {
      expect(s).toBe(smooth.ratio!.planes[p] < smooth.ratio!.threshold && smooth.ratio!.zScores![p]! < -STRUCTURE_Z);
    });
    expect(noise.ratio!.structure).toBe(false);
    expect(noise.ratio!.suggestedBits).toBeNull();
    expect(r.totals.structure).toBe(true);
    expect(r.totals.suggestedBits).toBe(r.totals.structuredPlanes.slice().reverse().indexOf(false) < 0 ? 8 : r.totals.structuredPlanes.slice().reverse().indexOf(false));
    expect(r.totals.suggestedBits).toBeGreaterThanOrEqual(1);
    expect(formatReport(r)).toMatch(/Suggested quantization depth \(model\): \d bit\(s\)/);
  });

  it("baseline 'sampled': the seeded shuffles' mean and SD (≥ 2 shuffles); one shuffle has no SD, so the ratio alone decides", async () => {
    const f = mixedFile();
    const r = await buildReport(f, { ...fast, baseline: 'sampled', shuffles: 3, seed: 5 });
    expect(r.options).toMatchObject({ baseline: 'sampled', shuffles: 3, seed: 5 });
    const d = msbDiagnostic(f.tensors[0].data, { shape: [128, 128], bits: 8, baseline: 'sampled', shuffles: 3, seed: 5 });
    expect(r.tensors[0].ratio!.reference).toEqual(d.reference.planes);
    expect(r.tensors[0].ratio!.referenceSd).toEqual(d.referenceSd);
    expect(r.tensors[0].ratio!.baseline).toBe('sampled');
    expect(formatReport(r)).toContain('ratio vs mean of 3 sampled shuffle(s), seed 5');
    const one = await buildReport(f, { ...fast, baseline: 'sampled', shuffles: 1 });
    expect(one.tensors[0].ratio!.referenceSd).toBeNull();
    expect(one.tensors[0].ratio!.zScores).toBeNull();
    expect(one.totals.zPlanes).toBeNull();
    expect(one.totals.referenceSdPlanes).toBeNull();
    one.totals.structuredPlanes.forEach((s, p) => expect(s).toBe(one.totals.ratioPlanes[p] < one.totals.threshold));
    expect(formatReport(one)).not.toContain('Per-plane z-score');
  });

  it('rejects an unknown baseline naming options.baseline', async () => {
    const e = await buildReport(mixedFile(), { baseline: 'bogus' as 'exact' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OckhamError);
    expect((e as OckhamError).argument).toBe('options.baseline');
  });
});
