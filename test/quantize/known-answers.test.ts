/**
 * Known-answer vectors of the QuBD reference quantizer (../shared/reference/qubd/README.md).
 * The values are transcribed below so they run from a fresh clone; when ../shared is present the
 * README's tables are also parsed and checked directly (guarding the transcription).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bitPlanes, countOnes } from '../../src/bitplanes/index.js';
import { quantize } from '../../src/quantize/index.js';
import type { QuantizeOptions } from '../../src/quantize/index.js';
import { as2d } from '../../src/util/validate.js';
import { qubdTensors, tensorT1, tensorT2 } from '../fixtures/qubd-tensors.js';
import type { FixtureTensor } from '../fixtures/qubd-tensors.js';

const f32bits = (v: number): number => new Uint32Array(new Float32Array([v]).buffer)[0];

type Clip = 'none' | 99.9 | 99.99;
const opts = (bits: number, clip: Clip): QuantizeOptions =>
  clip === 'none' ? { bits } : { bits, range: 'percentile', percentile: clip };

function codesum(t: FixtureTensor, bits: number, clip: Clip): number {
  const codes = quantize(t.data, opts(bits, clip)).codes;
  let s = 0;
  for (let i = 0; i < codes.length; i++) s += codes[i];
  return s;
}

function ones(t: FixtureTensor, bits: number, clip: Clip): number[] {
  const q = quantize(t.data, opts(bits, clip));
  return bitPlanes(q.codes, bits, t.shape).map(countOnes);
}

// Transcribed from the README's table "tensor, b, clipping | codesum | ones".
const CODESUMS: ReadonlyArray<[string, number, Clip, number, number[] | null]> = [
  ['T1', 1, 'none', 772, null],
  ['T1', 1, 99.9, 773, null],
  ['T1', 1, 99.99, 772, null],
  ['T1', 4, 'none', 11551, [741, 753, 782, 772]],
  ['T1', 4, 99.9, 11564, [744, 756, 781, 773]],
  ['T1', 8, 'none', 196496, [780, 756, 783, 790, 767, 756, 773, 772]],
  ['T1', 8, 99.9, 196655, [785, 761, 779, 788, 772, 757, 772, 773]],
  ['T1', 8, 99.99, 196511, null],
  ['T1', 16, 'none', 50498840, null],
  ['T1', 16, 99.9, 50539269, null],
  ['T1', 16, 99.99, 50502872, null],
  ['T2', 4, 'none', 7721, [513, 1198, 1199, 2]],
  ['T2', 4, 99.9, 5454, [640, 1, 1199, 2]],
  ['T2', 8, 'none', 131253, null],
  ['T2', 8, 99.9, 93082, [592, 607, 535, 518, 518, 11, 1189, 2]],
  ['T2', 8, 99.99, 128747, null],
  ['T2', 16, 'none', 33730607, null],
  ['T2', 16, 99.9, 23922167, null],
  ['T2', 16, 99.99, 33083124, null],
];

// Transcribed from the README's "Robust ranges computed by torch" table (float32 bit patterns).
const RANGES: ReadonlyArray<[string, number, number, number]> = [
  ['T1', 99.9, 0xbeffbfef, 0x3eff1c9d],
  ['T1', 99.99, 0xbeffe6ef, 0x3effa1b3],
  ['T2', 99.9, 0xc02cf58c, 0x40c67300],
  ['T2', 99.99, 0xc0b572ad, 0x40fa3f00],
];

const T: Record<string, FixtureTensor> = { T1: tensorT1(), T2: tensorT2() };

describe('LCG fixture tensors', () => {
  it('T1 starts and sums as the README states', () => {
    const t1 = T.T1.data;
    expect(Array.from(t1.subarray(0, 4))).toEqual([0.15515398979187012, -0.19518572092056274, 0.17496061325073242, -0.3932315707206726]);
    let s = 0;
    for (let i = 0; i < t1.length; i++) s += t1[i];
    expect(s).toBe(2.2165932655334473);
  });
  it('T2 has the three planted outliers and flattens to 16×75', () => {
    const t2 = T.T2;
    expect(as2d(t2.shape)).toEqual([16, 75]);
    expect(t2.data[0]).toBe(8);
    expect(t2.data[413]).toBe(-6);
    expect(t2.data[749]).toBe(5);
  });
});

describe('reference quantizer: robust ranges are bit-exact float32 (torch.quantile emulation)', () => {
  for (const [name, p, loBits, hiBits] of RANGES) {
    it(`${name} p=${p}: lo 0x${loBits.toString(16)}, hi 0x${hiBits.toString(16)}`, () => {
      const q = quantize(T[name].data, { bits: 8, range: 'percentile', percentile: p });
      expect(f32bits(q.lo)).toBe(loBits);
      expect(f32bits(q.hi)).toBe(hiBits);
    });
  }
});

describe('reference quantizer: codesums and ones per plane', () => {
  for (const [name, bits, clip, sum, onesExpected] of CODESUMS) {
    it(`${name}, b=${bits}, clip ${clip}: codesum ${sum}${onesExpected ? `, ones [${onesExpected}]` : ''}`, () => {
      expect(codesum(T[name], bits, clip)).toBe(sum);
      if (onesExpected) expect(ones(T[name], bits, clip)).toEqual(onesExpected);
    });
  }
});

describe('closed-form tensors A–D', () => {
  const all = qubdTensors();
  it('B = (16i+j)/255: b=4 codes are round(k/17), b=8 codes are k (no near-ties, so exact)', () => {
    const c4 = quantize(all.B.data, { bits: 4 }).codes;
    const c8 = quantize(all.B.data, { bits: 8 }).codes;
    for (let k = 0; k < 256; k++) {
      expect(c4[k]).toBe(Math.round(k / 17));
      expect(c8[k]).toBe(k);
    }
  });
  it('D = arange(12): codes are round((2^b − 1)·k/11) for b = 1, 2, 4, 8', () => {
    for (const bits of [1, 2, 4, 8]) {
      const L = 2 ** bits - 1;
      const c = quantize(all.D.data, { bits }).codes;
      // (2^b − 1)·k/11 is never within 0.01 of a half-integer here, so plain rounding is exact.
      expect(Array.from(c)).toEqual(Array.from({ length: 12 }, (_, k) => Math.round((L * k) / 11)));
    }
  });
  // The README's claim covers the values it tabulates: b = 1, 2, 4 for all four, and A at b = 8.
  // (It does not hold for D at b = 8: lo = 0.0055 and hi = 10.9945 move D = 3 from 3·255/11 = 69.55 to 69.49, code 70 → 69.)
  it('robust p = 99.9 gives the same codes as min–max on A–D at b = 1, 2, 4 and on A at b = 8 (README claim)', () => {
    const cases: Array<[FixtureTensor, number[]]> = [
      [all.A, [1, 2, 4, 8]],
      [all.B, [1, 2, 4]],
      [all.C, [1, 2, 4]],
      [all.D, [1, 2, 4]],
    ];
    for (const [t, bitsList] of cases) {
      for (const bits of bitsList) {
        const a = quantize(t.data, { bits }).codes;
        const b = quantize(t.data, { bits, range: 'percentile', percentile: 99.9 }).codes;
        expect(Array.from(b), `${t.name} b=${bits}`).toEqual(Array.from(a));
      }
    }
  });
});

// ---- Cross-check against the README itself, when ../shared is present. ----
const shared = path.resolve(process.cwd(), '../shared');
const readme = path.join(shared, 'reference/qubd/README.md');
const haveReadme = existsSync(readme);

describe.skipIf(!haveReadme)(`README tables (${haveReadme ? readme : 'skipped: ../shared/reference/qubd/README.md absent'})`, () => {
  const text = haveReadme ? readFileSync(readme, 'utf8') : '';
  const num = (s: string): number => Number(s.trim().replace(/\u2212/g, '-'));

  it('every codesum / ones row of the README is reproduced', () => {
    const rowRe = /^\| (T1|T2), b = (\d+), ([^|]+?) \| ([^|]+?) \| ([^|]+?) \|/gm;
    let rows = 0;
    for (const m of text.matchAll(rowRe)) {
      const [, name, b, clipText, sums, onesText] = m;
      const clips = clipText.split('/').map((s) => s.trim());
      const sumList = sums.split('/').map(num);
      expect(sumList.length).toBe(clips.length);
      clips.forEach((c, k) => {
        const clip: Clip = c === 'none' ? 'none' : (Number(c) as Clip);
        expect(codesum(T[name], Number(b), clip), `${name} b=${b} ${c}`).toBe(sumList[k]);
        rows++;
      });
      if (onesText.trim().startsWith('[')) {
        const expected = JSON.parse(onesText.trim()) as number[];
        const clip: Clip = clips[0] === 'none' ? 'none' : (Number(clips[0]) as Clip);
        expect(ones(T[name], Number(b), clip)).toEqual(expected);
      }
    }
    expect(rows).toBe(CODESUMS.length);
  });

  it('every robust-range row of the README is reproduced bit for bit', () => {
    const re = /^\| (T1|T2) \| ([\d.]+) \| [^|]*\(0x([0-9a-f]+)\) \| [^|]*\(0x([0-9a-f]+)\) \|/gm;
    let rows = 0;
    for (const m of text.matchAll(re)) {
      const q = quantize(T[m[1]].data, { bits: 8, range: 'percentile', percentile: Number(m[2]) });
      expect(f32bits(q.lo)).toBe(parseInt(m[3], 16));
      expect(f32bits(q.hi)).toBe(parseInt(m[4], 16));
      rows++;
    }
    expect(rows).toBe(RANGES.length);
  });

  it('q for p = 99.9 is 0.0004999999999999449 in float64, as the README states', () => {
    expect((1 - 99.9 / 100) / 2).toBe(0.0004999999999999449);
    expect(text).toContain('0.0004999999999999449');
  });
});
