/**
 * Decoder of ockham's built-in CTM tables (generated modules under `src/ctm/data/`): per shape,
 * the exact machine counts c0(s) + c0(s̄) of every canonical key, as LEB128 varints in base64,
 * turned into CTM(s) = −log2((c0(s) + c0(s̄)) / (2·H)) at load. Browser-safe (no Buffer, no atob).
 */
import { OckhamError } from '../errors.js';
import type { CtmEntry } from './build.js';
import { buildCtmTable } from './build.js';
import type { CtmProvenance, CtmTable } from './types.js';

/** A generated built-in table: shapes with their dense canonical counts, and the normaliser H. */
export interface BuiltinCtmData {
  readonly ndim: 1 | 2;
  /** H: the halting count the frequencies are relative to, as a decimal integer or real. */
  readonly normaliser: string;
  /** Per shape: rows, cols, base64 of the LEB128 counts of canonical codes 0 .. 2^(rows·cols−1) − 1. */
  readonly shapes: ReadonlyArray<readonly [number, number, string]>;
  readonly provenance: CtmProvenance;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes standard base64 (with or without padding) into bytes. */
export function base64ToBytes(s: string): Uint8Array {
  const lut = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) lut[B64.charCodeAt(i)] = i;
  let len = s.length;
  while (len > 0 && s[len - 1] === '=') len--;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let acc = 0, bits = 0, o = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? lut[c] : -1;
    if (v < 0) throw new OckhamError('PARSE_ERROR', 'data', `invalid base64 character at ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** Encodes bytes as standard base64 (padded). */
export function bytesToBase64(b: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    s += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
  }
  if (i < b.length) {
    const v = (b[i] << 16) | ((i + 1 < b.length ? b[i + 1] : 0) << 8);
    s += B64[v >> 18] + B64[(v >> 12) & 63] + (i + 1 < b.length ? B64[(v >> 6) & 63] : '=') + '=';
  }
  return s;
}

/** LEB128-encodes non-negative integers below 2^53 (exact). */
export function encodeVarints(values: ArrayLike<number>): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    let v = values[i];
    if (!Number.isSafeInteger(v) || v < 0) throw new OckhamError('OUT_OF_RANGE', 'values', `value ${v} is not a safe non-negative integer`);
    while (v >= 128) {
      out.push((v % 128) | 128);
      v = Math.floor(v / 128);
    }
    out.push(v);
  }
  return Uint8Array.from(out);
}

/** Decodes `count` LEB128 integers (each < 2^53). */
export function decodeVarints(b: Uint8Array, count: number): Float64Array {
  const out = new Float64Array(count);
  let p = 0;
  for (let i = 0; i < count; i++) {
    let v = 0, scale = 1;
    for (;;) {
      if (p >= b.length) throw new OckhamError('PARSE_ERROR', 'data', 'truncated varint stream');
      const byte = b[p++];
      v += (byte & 127) * scale;
      if (byte < 128) break;
      scale *= 128;
    }
    out[i] = v;
  }
  if (p !== b.length) throw new OckhamError('PARSE_ERROR', 'data', 'trailing bytes after varint stream');
  return out;
}

/**
 * Builds a dense {@link CtmTable} from generated built-in data: CTM(s) = log2(2·H) − log2(count(s))
 * for every canonical key with a non-zero count; keys no machine produced are left out (the
 * missing-block rule, max + 1 bit, applies to them).
 *
 * @param data - A generated module's data.
 * @returns The table, with `data.provenance`.
 * @throws {@link OckhamError} `PARSE_ERROR` for corrupt data.
 * @remarks Usage (internal: not exported from 'ockham'):
 * ```ts
 * import { CTM1D_DATA } from './data/ctm1d.js';
 * const t = decodeBuiltinCtm(CTM1D_DATA);
 * t.shapes.get('12')!.values[0]; // CTM of twelve zeros, bits
 * ```
 */
export function decodeBuiltinCtm(data: BuiltinCtmData): CtmTable {
  const H = Number(data.normaliser);
  if (!(H > 0) || !Number.isFinite(H)) throw new OckhamError('PARSE_ERROR', 'data.normaliser', 'must be a positive number');
  const log2H2 = Math.log2(2 * H);
  const entries: CtmEntry[] = [];
  for (const [rows, cols, b64] of data.shapes) {
    const n = 2 ** (rows * cols - 1);
    const counts = decodeVarints(base64ToBytes(b64), n);
    for (let code = 0; code < n; code++) {
      if (counts[code] > 0) entries.push({ rows, cols, code, ctm: log2H2 - Math.log2(counts[code]) });
    }
  }
  return buildCtmTable(data.ndim, entries, data.provenance);
}
