import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  blockEntropy,
  bdmPerturbation,
  ctmBlockDecompose,
  normalizedBdm,
  normalizedBlockEntropy,
  perturbBdm,
} from '../../src/bdm/index.js';
import { HAS_SHARED, SHARED, pack, parseMatrix, referenceTables, relClose } from './helpers.js';

const dir = path.join(SHARED, 'pybdm-tests');
const read = (f: string) => (HAS_SHARED ? readFileSync(path.join(dir, f), 'utf8') : '');

describe.skipIf(!HAS_SHARED)('pybdm equality (needs ../shared/reference; skipped when absent)', () => {
  it('anchors: 4x4 zeros, 8x8 zeros, 24 zeros', () => {
    const { d1, d2 } = referenceTables();
    expect(ctmBlockDecompose(new Uint8Array(16), { shape: [4, 4], table: d2 }).bdm).toBe(22.006706292292176);
    expect(ctmBlockDecompose(new Uint8Array(64), { shape: [8, 8], table: d2 }).bdm).toBe(24.006706292292176);
    expect(ctmBlockDecompose(new Uint8Array(24), { shape: [24], table: d1 }).bdm).toBe(26.610413747641715);
  });

  const bdmRows = read('bdm-b2-d4x4-test-input.tsv').split('\n').filter((l) => l.trim().length > 0);
  it(`bdm-b2-d4x4-test-input.tsv: all ${bdmRows.length} rows (CRLF), Uint8Array and BitPlane`, () => {
    const { d2 } = referenceTables();
    expect(bdmRows.length).toBe(24);
    for (const line of bdmRows) {
      const [m, v] = line.replace(/\r$/, '').split('\t');
      const want = Number(v);
      const { data, rows, cols } = parseMatrix(m);
      const got = ctmBlockDecompose(data, { shape: [rows, cols], table: d2 }).bdm;
      expect(relClose(got, want), `${rows}x${cols}: ${got} vs ${want}`).toBe(true);
      expect(ctmBlockDecompose(pack(data, rows, cols), { table: d2 }).bdm).toBe(got);
    }
  });

  const entRows = read('ent-b2-d4x4-test-input.tsv').split('\n').filter((l) => l.trim().length > 0);
  it(`ent-b2-d4x4-test-input.tsv: all ${entRows.length} rows`, () => {
    const { d2 } = referenceTables();
    expect(entRows.length).toBe(4);
    for (const line of entRows) {
      const [m, v] = line.split(', ');
      const { data, rows, cols } = parseMatrix(m);
      const got = blockEntropy(data, { shape: [rows, cols], table: d2 });
      expect(relClose(got, Number(v)), `${rows}x${cols}: ${got} vs ${v}`).toBe(true);
    }
  });

  const inline = read('pybdm-inline-cases.tsv')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .slice(1)
    .map((l) => {
      const [id, source, method, ndim, nsymbols, partition, input, args, expected, here] = l.split('\t');
      return { id, source, method, ndim: Number(ndim) as 1 | 2, nsymbols: Number(nsymbols), partition, input, args, expected, here };
    });

  for (const c of inline) {
    if (c.nsymbols !== 2) {
      it.skip(`${c.id}: ${c.nsymbols}-symbol case — ockham supports binary tables only and pybdm's CTM-B9 table is not available`, () => {});
      continue;
    }
    it(`${c.id} (${c.method}, ${c.ndim}-D): ${c.here}`, () => {
      const { d1, d2 } = referenceTables();
      const table = c.ndim === 1 ? d1 : d2;
      const { data, rows, cols } = parseMatrix(c.input);
      const opts = { shape: c.ndim === 1 ? [cols] : [rows, cols], table };
      // pybdm_here is pybdm's full-precision value on the reference machine.
      const want = Number(c.here);
      expect(c.partition).toBe('ignore');
      let got: number;
      switch (c.method) {
        case 'bdm':
          got = ctmBlockDecompose(data, opts).bdm;
          break;
        case 'ent':
          got = blockEntropy(data, opts);
          break;
        case 'nbdm':
          got = normalizedBdm(data, opts);
          break;
        case 'nent':
          got = normalizedBlockEntropy(data, opts);
          break;
        case 'perturb_bdm': {
          const idx = Number(/idx=(\d+)/.exec(c.args)![1]);
          expect(c.args).toContain('value=-1');
          expect(c.args).toContain('keep_changes=False');
          got = perturbBdm(data, idx, opts);
          expect(relClose(bdmPerturbation(data, opts)[idx], got, 1e-12)).toBe(true);
          // The literal in pybdm's docstring is rounded; it must agree to its printed digits.
          expect(Math.abs(got - Number(c.expected))).toBeLessThan(1e-8);
          break;
        }
        default:
          throw new Error(`unknown method ${c.method}`);
      }
      expect(relClose(got, want) || (want === 0 && Math.abs(got) < 1e-12), `${got} vs ${want}`).toBe(true);
    });
  }

  it('perturbation on 30 ones: cells 24..29 in the dropped leftover give 0', () => {
    const { d1 } = referenceTables();
    const d = bdmPerturbation(new Uint8Array(30).fill(1), { shape: [30], table: d1 });
    for (let i = 24; i < 30; i++) expect(d[i]).toBe(0);
    expect(relClose(d[10], 26.91763012739709)).toBe(true);
  });

  it('README examples: 12 zeros + 12 ones counts two raw blocks; nent of one block is NaN', () => {
    const { d1, d2 } = referenceTables();
    const x = new Uint8Array(24);
    x.fill(1, 12);
    const r = ctmBlockDecompose(x, { shape: [24], table: d1 });
    expect(r.bdm).toBe(51.22082749528343);
    expect(r).toMatchObject({ blocks: 2, distinct: 2, missing: 0 });
    expect(normalizedBlockEntropy(new Uint8Array(16), { shape: [4, 4], table: d2 })).toBeNaN();
  });
});
