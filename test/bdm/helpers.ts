/**
 * Test helpers for BDM: a synthetic symmetric CTM table, a tiny packer, and a straightforward
 * slow BDM (explicit sub-arrays, string keys, Maps) to check the packed kernels against.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BitPlane } from '../../src/bitplanes/types.js';
import { buildCtmTable } from '../../src/ctm/build.js';
import type { CtmEntry } from '../../src/ctm/build.js';
import type { CtmTable } from '../../src/ctm/types.js';
import { ctmTableFromTsv } from '../../src/ctm/tsv.js';

export const SHARED = path.resolve(process.cwd(), '../shared/reference');
export const HAS_SHARED = existsSync(path.join(SHARED, 'ctm/ctm-b2-d4x4.tsv'));

let cache: { d1: CtmTable; d2: CtmTable } | undefined;
/** pybdm's reference tables (only call when HAS_SHARED). */
export function referenceTables(): { d1: CtmTable; d2: CtmTable } {
  cache ??= {
    d1: ctmTableFromTsv(readFileSync(path.join(SHARED, 'ctm/ctm-b2-d12.tsv'), 'utf8')),
    d2: ctmTableFromTsv(readFileSync(path.join(SHARED, 'ctm/ctm-b2-d4x4.tsv'), 'utf8')),
  };
  return cache;
}

/** Transpose of an r×c block code (row-major, first cell MSB) into a c×r code. */
export function transposeCode(code: number, r: number, c: number): number {
  const n = r * c;
  let t = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const bit = (code >>> (n - 1 - (i * c + j))) & 1;
      t |= bit << (n - 1 - (j * r + i));
    }
  }
  return t;
}

function hash32(x: number): number {
  let h = Math.imul(x ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A synthetic binary table: values depend only on the block up to complement and transpose
 * (so BDM is invariant under both), some keys missing when `withMissing`.
 * 2-D shapes: every r×c with r, c ≤ 4 in `shapes2d` (default all squares plus 4x2, 2x4, 4x3,
 * 3x4, 4x1, 1x4); 1-D lengths 1..12.
 */
export function syntheticTable(ndim: 1 | 2, { withMissing = false, shapes2d }: { withMissing?: boolean; shapes2d?: [number, number][] } = {}): CtmTable {
  const shapes: [number, number][] =
    ndim === 1
      ? Array.from({ length: 12 }, (_, i) => [1, i + 1] as [number, number])
      : (shapes2d ?? [[1, 1], [2, 2], [3, 3], [4, 4], [4, 2], [2, 4], [4, 3], [3, 4], [4, 1], [1, 4]]);
  const entries: CtmEntry[] = [];
  for (const [r, c] of shapes) {
    const n = r * c;
    for (let code = 0; code < 2 ** (n - 1); code++) {
      let rep: number;
      let salt: number;
      if (ndim === 1 || r < c) {
        rep = code;
        salt = r * 16 + c;
      } else {
        const t = transposeCode(code, r, c);
        rep = r > c ? t : Math.min(code, t);
        salt = Math.min(r, c) * 16 + Math.max(r, c);
      }
      const h = hash32(rep * 977 + salt * 7919 + 1);
      if (withMissing && n >= 3 && h % 11 === 0) continue;
      entries.push({ rows: r, cols: c, code, ctm: 1 + n * 1.5 + (h / 2 ** 32) * 6 });
    }
  }
  return buildCtmTable(ndim, entries, { source: 'synthetic test table' });
}

/** Tiny MSB-first packer (independent of src/bitplanes). */
export function pack(x: Uint8Array, rows: number, cols: number): BitPlane {
  const stride = Math.ceil(cols / 32);
  const data = new Uint32Array(rows * stride);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (x[i * cols + j]) data[i * stride + (j >> 5)] |= 1 << (31 - (j & 31));
    }
  }
  return { rows, cols, stride, data };
}

/** Parses pybdm's matrix text: rows of digits joined by '-' (or a single row for 1-D). */
export function parseMatrix(s: string): { data: Uint8Array; rows: number; cols: number } {
  const rows = s.split('-');
  const cols = rows[0].length;
  const data = new Uint8Array(rows.length * cols);
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new Error('ragged matrix');
    for (let j = 0; j < cols; j++) data[i * cols + j] = r.charCodeAt(j) - 48;
  });
  return { data, rows: rows.length, cols };
}

export function relClose(a: number, b: number, rel = 1e-9): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

type Grid = number[][];
export interface SlowOptions {
  block: [number, number];
  boundary: 'ignore' | 'recursive' | 'correlated';
  minBlock?: number;
  step?: number;
}

/** The blocks of a partition as sub-arrays, written out directly from pybdm's description. */
export function slowBlocks(X: Grid, ndim: 1 | 2, table: CtmTable, o: SlowOptions): Grid[] {
  const out: Grid[] = [];
  const H = X.length;
  const W = X[0].length;
  const sub = (G: Grid, r: number, c: number, h: number, w: number): Grid =>
    G.slice(r, Math.min(r + h, G.length)).map((row) => row.slice(c, Math.min(c + w, row.length)));
  const has = (h: number, w: number) => table.shapes.has(ndim === 1 ? String(w) : `${h}x${w}`);
  if (o.boundary === 'correlated') {
    const s = o.step ?? 1;
    const [bh, bw] = o.block;
    for (let r = 0; r + bh <= H; r += s) for (let c = 0; c + bw <= W; c += s) out.push(sub(X, r, c, bh, bw));
    return out;
  }
  const minBlock = o.minBlock ?? 2;
  const decompose = (G: Grid, bh: number, bw: number): void => {
    for (let r = 0; r < G.length; r += bh) {
      for (let c = 0; c < G[0].length; c += bw) {
        const part = sub(G, r, c, bh, bw);
        const h = part.length;
        const w = part[0].length;
        if (h === bh && w === bw) {
          out.push(part);
          continue;
        }
        if (o.boundary === 'ignore') continue;
        const side = ndim === 1 ? w : Math.min(h, w);
        if (side < minBlock) continue;
        if (has(h, w)) {
          out.push(part);
          continue;
        }
        for (let s = side; s >= minBlock; s--) {
          if (has(ndim === 1 ? 1 : s, s)) {
            decompose(part, ndim === 1 ? 1 : s, s);
            break;
          }
        }
      }
    }
  };
  decompose(X, o.block[0], o.block[1]);
  return out;
}

/** Raw code of a sub-array block. */
export function codeOf(B: Grid): number {
  let code = 0;
  for (const row of B) for (const v of row) code = code * 2 + v;
  return code;
}

/** Slow BDM / entropy from explicit blocks with string keys. */
export function slowScores(X: Grid, ndim: 1 | 2, table: CtmTable, o: SlowOptions): { bdm: number; ent: number; blocks: number; distinct: number } {
  const blocks = slowBlocks(X, ndim, table, o);
  const counts = new Map<string, { n: number; v: number }>();
  for (const B of blocks) {
    const h = B.length;
    const w = B[0].length;
    const key = `${h}x${w}:${B.map((r) => r.join('')).join('-')}`;
    const e = counts.get(key);
    if (e) e.n++;
    else counts.set(key, { n: 1, v: table.shapes.get(ndim === 1 ? String(w) : `${h}x${w}`)!.values[codeOf(B)] });
  }
  let bdm = 0;
  let ent = 0;
  for (const { n, v } of counts.values()) {
    bdm += v + Math.log2(n);
    const p = n / blocks.length;
    ent -= p * Math.log2(p);
  }
  return { bdm, ent, blocks: blocks.length, distinct: counts.size };
}

export function toGrid(x: Uint8Array, rows: number, cols: number): Grid {
  return Array.from({ length: rows }, (_, i) => Array.from(x.subarray(i * cols, (i + 1) * cols)));
}

/** Small seeded PRNG (mulberry32) for test inputs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBits(n: number, seed: number, p = 0.5): Uint8Array {
  const r = rng(seed);
  const x = new Uint8Array(n);
  for (let i = 0; i < n; i++) x[i] = r() < p ? 1 : 0;
  return x;
}
