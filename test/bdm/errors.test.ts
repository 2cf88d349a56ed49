import { describe, expect, it } from 'vitest';
import {
  bdmFromCounts,
  bdmPerturbation,
  blockCounts,
  blockEntropy,
  ctmBlockDecompose,
  mergeBlockCounts,
  normalizedBdm,
  perturbBdm,
} from '../../src/bdm/index.js';
import { OckhamError } from '../../src/errors.js';
import { ctm1d, ctm2d } from '../../src/ctm/builtin.js';
import { pack, syntheticTable } from './helpers.js';
import { expectOckhamError } from '../helpers.js';

const T1 = syntheticTable(1);
const T2 = syntheticTable(2, { shapes2d: [[1, 1], [2, 2], [3, 3], [4, 4]] });

function expectError(f: () => unknown, code: string, pattern: RegExp): void {
  expectOckhamError(f, { code, message: pattern });
}

describe('bad input → OckhamError', () => {
  it('values other than 0/1 name the index', () => {
    const x = new Uint8Array(16);
    x[9] = 2;
    expectError(() => ctmBlockDecompose(x, { shape: [4, 4], table: T2 }), 'NOT_BINARY', /element 9 is 2; expected 0 or 1/);
  });
  it('shape mismatch, missing shape, >2-D shape', () => {
    expectError(() => ctmBlockDecompose(new Uint8Array(15), { shape: [4, 4], table: T2 }), 'SHAPE_MISMATCH', /length 15 does not match/);
    expectError(() => ctmBlockDecompose(new Uint8Array(16), { table: T2 }), 'INVALID_ARGUMENT', /options\.shape: required/);
    expectError(() => ctmBlockDecompose(new Uint8Array(16), { shape: [2, 2, 4], table: T2 }), 'INVALID_ARGUMENT', /1 or 2 dimensions/);
    expectError(() => ctmBlockDecompose(pack(new Uint8Array(16), 4, 4), { shape: [4, 5], table: T2 }), 'SHAPE_MISMATCH', /does not match the plane/);
    expectError(() => ctmBlockDecompose(pack(new Uint8Array(16), 4, 4), { table: T1 }), 'SHAPE_MISMATCH', /rows = 1/);
  });
  it('empty input', () => {
    expectError(() => ctmBlockDecompose(new Uint8Array(0), { shape: [0], table: T1 }), 'EMPTY', /non-empty/);
  });
  it('block sizes not in the table name the shape', () => {
    expectError(() => ctmBlockDecompose(new Uint8Array(16), { shape: [4, 4], table: T2, block: [4, 2] }), 'OUT_OF_RANGE', /block shape 4x2 is not in the table; it has 1x1, 2x2, 3x3, 4x4/);
    expectError(() => ctmBlockDecompose(new Uint8Array(16), { shape: [4, 4], table: T2, block: 5 }), 'OUT_OF_RANGE', /options\.block/);
    expectError(() => ctmBlockDecompose(new Uint8Array(16), { shape: [16], table: T1, block: 13 }), 'OUT_OF_RANGE', /block shape 13 is not in the table/);
  });
  it('unknown options and misplaced options', () => {
    // @ts-expect-error deliberately unknown option
    expectError(() => ctmBlockDecompose(new Uint8Array(16), { shape: [4, 4], table: T2, blok: 4 }), 'UNKNOWN_OPTION', /options\.blok/);
    expectError(() => ctmBlockDecompose(new Uint8Array(16), { shape: [4, 4], table: T2, step: 2 }), 'INVALID_ARGUMENT', /'correlated'/);
    expectError(() => ctmBlockDecompose(new Uint8Array(16), { shape: [4, 4], table: T2, minBlock: 2 }), 'INVALID_ARGUMENT', /'recursive'/);
    // @ts-expect-error deliberately bad boundary
    expectError(() => ctmBlockDecompose(new Uint8Array(16), { shape: [4, 4], table: T2, boundary: 'wrap' }), 'INVALID_ARGUMENT', /'ignore', 'recursive', 'correlated'/);
    expectError(() => ctmBlockDecompose(new Uint8Array(16), { shape: [4, 4], table: T2, boundary: 'correlated', step: 0 }), 'OUT_OF_RANGE', /options\.step/);
  });
  it('table ndim mismatching the input; a missing table falls back to the built-in one', () => {
    expectError(() => ctmBlockDecompose(new Uint8Array(16), { shape: [4, 4], table: T1 }), 'SHAPE_MISMATCH', /table is 1-D but the input is 2-D/);
    expectError(() => ctmBlockDecompose(new Uint8Array(16), { shape: [16], table: T2 }), 'SHAPE_MISMATCH', /table is 2-D but the input is 1-D/);
    // No table: ockham's built-in tables (ctm1d / ctm2d) are used.
    expect(ctmBlockDecompose(new Uint8Array(16), { shape: [16] }).bdm).toBe(ctm1d.shapes.get('12')!.values[0]);
    expect(ctmBlockDecompose(new Uint8Array(16), { shape: [4, 4] }).bdm).toBe(ctm2d.shapes.get('4x4')!.values[0]);
    const c = blockCounts(new Uint8Array(16), { shape: [4, 4], table: T2 });
    expectError(() => bdmFromCounts(c, T1), 'SHAPE_MISMATCH', /1-D but the counts are 2-D/);
    expectError(() => mergeBlockCounts(c, blockCounts(new Uint8Array(16), { shape: [16], table: T1 })), 'SHAPE_MISMATCH', /parts\[1\]/);
    expectError(() => mergeBlockCounts(), 'EMPTY', /at least one/);
  });
  it('every public function validates', () => {
    const bad = new Uint8Array([0, 1, 3, 0]);
    for (const f of [blockEntropy, normalizedBdm, bdmPerturbation, blockCounts]) {
      expectError(() => f(bad, { shape: [4], table: T1 }), 'NOT_BINARY', /element 2/);
    }
    expectError(() => perturbBdm(new Uint8Array(4), 4, { shape: [4], table: T1 }), 'OUT_OF_RANGE', /index/);
    expectError(() => perturbBdm(new Uint8Array(16), [4, 0], { shape: [4, 4], table: T2 }), 'OUT_OF_RANGE', /index\[0\]/);
  });
  it('never mutates the caller’s arrays', () => {
    const x = new Uint8Array(64).map((_, i) => (i * 7) % 3 === 0 ? 1 : 0);
    const copy = x.slice();
    const p = pack(x, 8, 8);
    const pcopy = p.data.slice();
    ctmBlockDecompose(x, { shape: [8, 8], table: T2 });
    bdmPerturbation(x, { shape: [8, 8], table: T2, boundary: 'correlated' });
    bdmPerturbation(p, { table: T2 });
    expect(x).toEqual(copy);
    expect(p.data).toEqual(pcopy);
  });
});
