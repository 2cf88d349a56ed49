/**
 * QuBD known-answer vectors from ../shared/reference/qubd/README.md (the QuBD authors' quantizer
 * with pybdm 0.1.0 and the published 2-D table). Values there are given to 6 decimals.
 */
import { describe, expect, it } from 'vitest';
import { binarizedBdm, qubd, qubdModel } from '../../src/qubd/index.js';
import { qubdTensors } from '../fixtures/qubd-tensors.js';
import { SKIP_MSG, hasShared, refTable } from '../shared.js';

const T = qubdTensors();
const close = (got: readonly number[], want: readonly number[], tol = 1e-6) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]), `plane ${i}: ${g} vs ${want[i]}`).toBeLessThan(tol));
};

describe.skipIf(!hasShared)(`QuBD known answers (${hasShared ? 'reference tables' : SKIP_MSG})`, () => {
  const table = () => refTable('ctm-b2-d4x4');
  const planes = (name: keyof typeof T, bits: number, extra: object = {}) =>
    qubd(T[name].data, { shape: T[name].shape, bits, table: table(), ...extra }).planes.map((p) => p.bdm);

  it('closed forms A, B, C at b = 4, per plane (LSB → MSB)', () => {
    close(planes('A', 4), [119.087787, 114.534244, 122.360292, 109.128535]);
    close(planes('B', 4), [129.295951, 150.845538, 103.585352, 50.013413]);
    close(planes('C', 4), [248.036006, 252.657646, 249.899087, 252.784378]);
  });

  it('A at b = 8', () => {
    close(planes('A', 8), [122.174191, 118.594363, 123.344578, 123.023312, 116.890583, 115.887339, 121.917934, 109.128535]);
  });

  it('model totals {A, B, C, D}: D is skipped (a side < 4)', () => {
    const model = [T.A, T.B, T.C, T.D];
    const m1 = qubdModel(model, { bits: 1, table: table() });
    close(m1.planes, [411.926325]);
    close(qubdModel(model, { bits: 2, table: table() }).planes, [574.246499, 411.926325]);
    const m4 = qubdModel(model, { bits: 4, table: table(), binarized: 'reference' });
    close(m4.planes, [496.419744, 518.037427, 475.844731, 411.926325]);
    expect(Math.abs(m4.total - 1902.2282274)).toBeLessThan(1e-6);
    const d = m4.tensors.find((t) => t.name === 'D');
    expect(d?.skipped).toBe(true);
    // Binarized with the reference's semantics: A + B, C (4-D) scores 0.
    expect(Math.abs(m4.binarizedTotal - 154.933342)).toBeLessThan(1e-6);
  });

  it('robust and non-robust T1 / T2 per plane', () => {
    close(planes('T1', 4), [2920.989672, 2910.789555, 2907.458147, 2920.43977]);
    close(planes('T1', 4, { range: 'percentile', percentile: 99.9 }), [2909.874287, 2911.97223, 2908.518019, 2921.246589]);
    close(planes('T1', 8), [2907.232688, 2917.4045, 2921.080946, 2935.475196, 2927.976146, 2941.490704, 2920.02037, 2920.43977]);
    close(planes('T1', 8, { range: 'percentile', percentile: 99.9 }), [
      2967.202854, 2947.337033, 2910.931255, 2884.495933, 2928.280225, 2912.208926, 2923.060485, 2921.246589,
    ]);
    close(planes('T2', 4), [2158.620046, 51.716721, 51.716721, 51.504389]);
    close(planes('T2', 4, { range: 'percentile', percentile: 99.9 }), [2169.544582, 51.504389, 51.716721, 51.504389]);
    close(planes('T2', 8, { range: 'percentile', percentile: 99.9 }), [
      2192.541305, 2161.281993, 2216.614801, 2206.814106, 2161.837089, 222.609757, 222.822088, 51.504389,
    ]);
  });

  it('totals at b = 8 and b = 16, all clippings', () => {
    const total = (name: 'T1' | 'T2', bits: number, p?: number) =>
      qubd(T[name].data, { shape: T[name].shape, bits, table: table(), ...(p ? { range: 'percentile', percentile: p } : {}) }).total;
    const cases: [name: 'T1' | 'T2', bits: number, p: number | undefined, want: number][] = [
      ['T1', 4, undefined, 11659.677144],
      ['T1', 4, 99.9, 11651.611125],
      ['T1', 8, undefined, 23391.12032],
      ['T1', 8, 99.9, 23394.7633],
      ['T1', 8, 99.99, 23375.23762],
      ['T1', 16, undefined, 46620.027738],
      ['T1', 16, 99.9, 46649.82478],
      ['T1', 16, 99.99, 46713.384447],
      ['T2', 4, undefined, 2313.557877],
      ['T2', 4, 99.9, 2324.270081],
      ['T2', 8, undefined, 11079.192849],
      ['T2', 8, 99.9, 11436.025528],
      ['T2', 8, 99.99, 10871.785356],
      ['T2', 16, undefined, 28513.736647],
      ['T2', 16, 99.9, 29201.834155],
      ['T2', 16, 99.99, 28382.41015],
    ];
    for (const [name, bits, p, want] of cases) {
      expect(Math.abs(total(name, bits, p) - want), `${name} b=${bits} p=${p}`).toBeLessThan(2e-5);
    }
  });

  it('T1 binarized, and T2 binarized flattened vs reference semantics', () => {
    expect(binarizedBdm(T.T1.data, { shape: T.T1.shape, table: table() }).bdm).toBeCloseTo(2921.6405097576994, 9);
    expect(binarizedBdm(T.T2.data, { shape: T.T2.shape, table: table() }).bdm).toBeCloseTo(2160.473357103762, 9);
    expect(binarizedBdm(T.T2.data, { shape: T.T2.shape, table: table(), semantics: 'reference' }).bdm).toBe(0);
  });

  it("model {T1, T2} at b = 4, robust 99.9: total_multi and total_bin", () => {
    const m = qubdModel([T.T1, T.T2], { bits: 4, range: 'percentile', percentile: 99.9, table: table(), binarized: 'reference' });
    close(m.planes, [5079.418868204424, 2963.476619736846, 2960.2347396205737, 2972.750978859313], 1e-8);
    expect(m.total).toBeCloseTo(13975.881206421156, 7);
    expect(m.binarizedTotal).toBeCloseTo(2921.6405097576994, 9);
  });

  it('the fused kernel equals bitPlanes + ctmBlockDecompose plane by plane', async () => {
    const { quantize } = await import('../../src/quantize/index.js');
    const { bitPlanes } = await import('../../src/bitplanes/index.js');
    const { ctmBlockDecompose } = await import('../../src/bdm/index.js');
    for (const bits of [1, 3, 8, 11, 16]) {
      const t = T.T1;
      const q = quantize(t.data, { bits });
      const slow = bitPlanes(q.codes, bits, t.shape).map((p) => ctmBlockDecompose(p, { table: table() }));
      const fast = qubd(t.data, { shape: t.shape, bits, table: table() });
      fast.planes.forEach((p, i) => {
        expect(p.bdm).toBeCloseTo(slow[i].bdm, 9);
        expect(p.distinct).toBe(slow[i].distinct);
        expect(p.blocks).toBe(slow[i].blocks);
      });
    }
  });
});
