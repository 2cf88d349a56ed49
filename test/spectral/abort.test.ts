/** Signal and progress of the σ computations: checked at entry, between Gram panels and phases, before the fit. */
import { describe, expect, it } from 'vitest';
import { singularValues, spectralMetrics, OckhamError } from '../../src/index.js';

const m = 96;
const n = 700; // L = 700: six 128-wide Gram panels
const a = new Float64Array(m * n).map((_, i) => Math.sin(i * 0.37) + 0.01 * ((i * 7919) % 13));

describe('spectral signal and progress', () => {
  it('Gram route: panels then tridiagonalize and qr, ending at total; same σ with and without', () => {
    const seen: [number, number, string][] = [];
    const s = singularValues(a, [m, n], { method: 'gram', onProgress: (d, t, p) => seen.push([d, t, p]), signal: new AbortController().signal });
    const total = seen[0][1];
    expect(seen[0]).toEqual([0, total, 'gram']);
    expect(seen.at(-2)).toEqual([total - 1, total, 'tridiagonalize']);
    expect(seen.at(-1)).toEqual([total, total, 'qr']);
    expect(total).toBeGreaterThanOrEqual(4);
    expect(seen.filter((x) => x[2] === 'gram').length).toBe(total - 1);
    expect(Array.from(s)).toEqual(Array.from(singularValues(a, [m, n], { method: 'gram' })));
  });

  it('SVD route: one step', () => {
    const seen: [number, number, string][] = [];
    singularValues(a, [m, n], { onProgress: (d, t, p) => seen.push([d, t, p]) });
    expect(seen).toEqual([[0, 1, 'svd'], [1, 1, 'svd']]);
  });

  it('aborts at entry, between Gram panels, between phases and before the fit', () => {
    for (const method of ['gram', 'svd'] as const) {
      expect(() => singularValues(a, [m, n], { method, signal: AbortSignal.abort() })).toThrow(expect.objectContaining({ name: 'AbortError' }) as Error);
      expect(() => spectralMetrics(a, [m, n], { method, signal: AbortSignal.abort() })).toThrow(expect.objectContaining({ name: 'AbortError' }) as Error);
    }
    for (const at of ['gram', 'tridiagonalize', 'qr']) {
      const ac = new AbortController();
      const phases: string[] = [];
      expect(() =>
        spectralMetrics(a, [m, n], {
          signal: ac.signal,
          onProgress: (d, _t, p) => {
            phases.push(p);
            if (p === at && d > 0) ac.abort(new Error(`stop at ${at}`));
          },
        }),
      ).toThrow(`stop at ${at}`);
      expect(phases.at(-1)).toBe(at);
    }
    // Aborted at the last σ step: the power-law fit does not start.
    const ac = new AbortController();
    expect(() => spectralMetrics(a, [m, n], { method: 'svd', signal: ac.signal, onProgress: (d) => d === 1 && ac.abort() })).toThrow(
      expect.objectContaining({ name: 'AbortError' }) as Error,
    );
  });

  it('validates signal and onProgress', () => {
    expect(() => singularValues(a, [m, n], { signal: 1 as never })).toThrow(OckhamError);
    expect(() => spectralMetrics(a, [m, n], { onProgress: 'x' as never })).toThrow(/options.onProgress/);
  });
});
