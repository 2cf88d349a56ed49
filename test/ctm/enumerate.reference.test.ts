import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctm1d, ctm2d } from '../../src/ctm/builtin.js';
import { ctmEntriesFromCounts, enumerateCtm } from '../../src/ctm/enumerate.js';
import type { CtmTable } from '../../src/ctm/types.js';
import { spearman } from '../../scripts/lib/stats.js';

const ROOT = process.cwd();
const REF = path.resolve(ROOT, '../shared/reference/ctm');
const hasRef = existsSync(path.join(REF, 'ctm-b2-d12.tsv')) && existsSync(path.join(REF, 'ctm-b2-d4x4.tsv'));
/** The published 1-D key that no (5,2) machine produces (see docs/ctm.md). */
const ARTEFACT = '000110100111';

function readRef(file: string): Map<string, Array<[string, number]>> {
  const m = new Map<string, Array<[string, number]>>();
  for (const line of readFileSync(path.join(REF, file), 'utf8').split('\n')) {
    if (!line) continue;
    const [shape, key, v] = line.split('\t');
    if (!m.has(shape)) m.set(shape, []);
    m.get(shape)!.push([key, Number(v)]);
  }
  return m;
}


/** Per shape: reference keys, covered keys, max/mean |diff| and Spearman over covered keys. */
function compare(table: CtmTable, ref: Map<string, Array<[string, number]>>, skip: Set<string>) {
  const out = new Map<string, { keys: number; covered: number; maxDiff: number; meanDiff: number; rho: number }>();
  for (const [shape, rows] of ref) {
    const t = table.shapes.get(shape)!;
    const a: number[] = [], b: number[] = [];
    let maxDiff = 0, sum = 0;
    for (const [key, v] of rows) {
      const code = parseInt(key, 2);
      if (t.missing[code] || skip.has(key)) continue;
      const d = Math.abs(t.values[code] - v);
      maxDiff = Math.max(maxDiff, d);
      sum += d;
      a.push(t.values[code]);
      b.push(v);
    }
    out.set(shape, { keys: rows.length, covered: a.length, maxDiff, meanDiff: sum / a.length, rho: a.length > 2 ? spearman(a, b) : 1 });
  }
  return out;
}

describe('built-in tables are the enumerator output they claim', () => {
  for (const [name, table] of [['ctm1d', ctm1d], ['ctm2d', ctm2d]] as const) {
    it(`${name}: matches the sha-checked counts file of its provenance`, () => {
      const p = table.provenance as Record<string, unknown>;
      const tsv = readFileSync(path.join(ROOT, p.countsFile as string), 'utf8');
      expect(createHash('sha256').update(tsv).digest('hex')).toBe(p.countsSha256);
      expect(p.weightCheck).toBe(true);
      const H = table.ndim === 1 ? Number(p.H0) : Number((p.HEstimate as number | undefined) ?? Number(p.haltingUpToBox));
      let n = 0;
      for (const line of tsv.split('\n')) {
        if (!line) continue;
        const [shape, key, cnt] = line.split('\t');
        const t = table.shapes.get(shape)!;
        const code = parseInt(key, 2);
        expect(t.missing[code]).toBe(0);
        expect(Math.abs(t.values[code] - (Math.log2(2 * H) - Math.log2(Number(cnt))))).toBeLessThan(1e-9);
        n++;
      }
      let present = 0;
      for (const s of table.shapes.values()) present += s.present;
      expect(present).toBe(n);
    });
  }
  it('the build pipeline (workers, checkpoints, merge) writes the counts of a fresh enumeration: data/ctm/ctm-d1-n4-c107.tsv', () => {
    const tsv = readFileSync(path.join(ROOT, 'data/ctm/ctm-d1-n4-c107.tsv'), 'utf8').trim().split('\n');
    const e = ctmEntriesFromCounts(enumerateCtm({ dim: 1, states: 4, cutoff: 107 }));
    expect(tsv.length).toBe(e.length);
    const fresh = new Map(e.map((x) => [`${x.cols}\t${x.code.toString(2).padStart(x.cols, '0')}`, x.count.toString()]));
    for (const line of tsv) {
      const [shape, key, cnt] = line.split('\t');
      expect([shape, key, fresh.get(`${shape}\t${key}`)]).toEqual([shape, key, cnt]);
    }
  }, 60000);
  it('2-D shapes: every r×c with r, c ≤ 4, transpose-symmetric values', () => {
    expect(ctm2d.shapes.size).toBe(16);
    for (const [k, t] of ctm2d.shapes) {
      const tr = ctm2d.shapes.get(`${t.cols}x${t.rows}`)!;
      expect(tr.present).toBe(t.present);
      expect(t.min).toBeCloseTo(tr.min, 9);
      expect(k).toBe(`${t.rows}x${t.cols}`);
    }
  });
});

describe.skipIf(!hasRef)('built-in tables vs the published tables (../shared/reference/ctm; skipped when absent)', () => {
  it('1-D: D(5,2) reproduces every published key but the artefact to 1e-9 bits; D(4,2) ranks agree', () => {
    const ref = readRef('ctm-b2-d12.tsv');
    const p = ctm1d.provenance as Record<string, unknown>;
    const cmp = compare(ctm1d, ref, new Set([ARTEFACT]));
    if (p.states === 5 && p.cutoff === 500) {
      for (const [shape, c] of cmp) {
        expect([shape, c.covered]).toEqual([shape, c.keys - (shape === '12' ? 1 : 0)]);
        expect(c.maxDiff).toBeLessThan(1e-9);
      }
      expect(ctm1d.shapes.get('12')!.missing[parseInt(ARTEFACT, 2)]).toBe(1);
    } else {
      // D(4,2), cutoff 107: a different (smaller) space; measured differences are in docs/ctm.md.
      for (const len of [1, 2, 3, 4, 5, 6, 7, 8]) expect(cmp.get(String(len))!.covered).toBe(2 ** (len - 1));
      for (const len of [3, 4, 5, 6, 7, 8]) expect(cmp.get(String(len))!.rho).toBeGreaterThan(0.85);
      expect(cmp.get('1')!.maxDiff).toBeGreaterThan(0.1); // D(4,2) is not the published D(5,2)
    }
  });
  it('2-D: per-shape coverage, |diff| and Spearman against the sampled published table', () => {
    const ref = readRef('ctm-b2-d4x4.tsv');
    const p = ctm2d.provenance as Record<string, unknown>;
    const cmp = compare(ctm2d, ref, new Set());
    if (p.states === 5) {
      expect(cmp.get('1x1')!.maxDiff).toBeLessThan(0.01);
      expect(cmp.get('2x2')!.maxDiff).toBeLessThan(0.01);
      expect(cmp.get('3x3')!.covered).toBe(256);
      expect(cmp.get('4x4')!.covered).toBe(32768);
      expect(cmp.get('4x4')!.rho).toBeGreaterThan(0.95);
      // Every canonical key of every r×c ≤ 4×4 shape has a count.
      let keys = 0;
      for (const t of ctm2d.shapes.values()) keys += t.present;
      expect(keys).toBe(37477);
      // The published 4×4 values are a finite sample: k = 2^−ctm · 3.49068e12 machines. Under
      // ockham's exact probabilities p their binomial z-scores must look standard normal.
      const N = 3.49068e12;
      const t = ctm2d.shapes.get('4x4')!;
      const z = ref.get('4x4')!.map(([key, v]) => {
        const q = 2 ** -t.values[parseInt(key, 2)];
        return (2 ** -v * N - N * q) / Math.sqrt(N * q * (1 - q));
      });
      const mean = z.reduce((a, x) => a + x, 0) / z.length;
      const sd = Math.sqrt(z.reduce((a, x) => a + (x - mean) ** 2, 0) / z.length);
      expect(Math.abs(mean)).toBeLessThan(0.1);
      expect(sd).toBeGreaterThan(0.9);
      expect(sd).toBeLessThan(1.2);
      expect(z.filter((x) => Math.abs(x) < 3).length / z.length).toBeGreaterThan(0.98);
    } else {
      // (4,2) 2-D: the published table is a (5,2) sample; (4,2) misses 2,760 of its 4×4 keys.
      expect(cmp.get('3x3')!.covered).toBe(256);
      expect(cmp.get('4x4')!.covered).toBe(30008);
      expect(cmp.get('4x4')!.rho).toBeGreaterThan(0.85);
      expect(cmp.get('1x1')!.maxDiff).toBeGreaterThan(0.15);
    }
  });
});
