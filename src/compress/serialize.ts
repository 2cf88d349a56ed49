/**
 * A deterministic binary format for coarse-grained models (see docs/compress.md):
 *
 *   "OCCG" (4 bytes) · version 0x01 · varint T (tensor count) · T tensors, each:
 *     varint byteLength · name (UTF-8) · varint ndim · ndim varint dims ·
 *     kind byte (0 = dense, 1 = lowrank) · step Δ (float64, little-endian) ·
 *     dense:   prod(dims) codes as zig-zag LEB128 varints (row-major)
 *     lowrank: varint rank · left rows, cols (varints) · left codes · right rows, cols · right codes
 *
 * Varints are unsigned LEB128; codes are int32, zig-zag mapped ((v << 1) ^ (v >> 31)).
 * The same model always gives the same bytes, so `compressedBits(serializeCoarseGrained(m))`
 * is a well-defined complexity of the model.
 */
import { OckhamError } from '../errors.js';
import { as2d, assertNumber, assertShape } from '../util/validate.js';
import type { CoarseFactor, CoarseGrainedModel, CoarseGrainedTensor } from './types.js';

const MAGIC = [0x4f, 0x43, 0x43, 0x47]; // "OCCG"
const VERSION = 1;

class ByteSink {
  buf = new Uint8Array(1024);
  pos = 0;
  reserve(k: number): void {
    if (this.pos + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + k) size *= 2;
    const nb = new Uint8Array(size);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
  }
  byte(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }
  varint(v: number): void {
    this.reserve(10);
    while (v >= 128) {
      this.buf[this.pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  codes(c: Int32Array): void {
    this.reserve(5 * c.length);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < c.length; i++) {
      let z = ((c[i] << 1) ^ (c[i] >> 31)) >>> 0;
      while (z >= 128) {
        buf[p++] = (z & 127) | 128;
        z >>>= 7;
      }
      buf[p++] = z;
    }
    this.pos = p;
  }
}

function checkCodes(codes: unknown, length: number, name: string): Int32Array {
  if (!(codes instanceof Int32Array)) throw new OckhamError('INVALID_ARGUMENT', name, 'expected an Int32Array of integer codes');
  if (codes.length !== length) {
    throw new OckhamError('SHAPE_MISMATCH', name, `length ${codes.length} does not match its shape (product ${length})`);
  }
  return codes;
}

function checkFactor(f: unknown, name: string): CoarseFactor {
  if (f === null || typeof f !== 'object') throw new OckhamError('INVALID_ARGUMENT', name, 'expected { shape: [rows, cols], codes }');
  const fa = f as CoarseFactor;
  if (!Array.isArray(fa.shape) || fa.shape.length !== 2) {
    throw new OckhamError('INVALID_ARGUMENT', `${name}.shape`, 'expected a 2-D shape [rows, cols]');
  }
  const size = assertShape(fa.shape, `${name}.shape`);
  checkCodes(fa.codes, size, `${name}.codes`);
  return fa;
}

/** Validates a coarse-grained model (shared by serialise and dequantize). */
export function validateCoarseGrained(model: unknown, name = 'model'): CoarseGrainedModel {
  if (model === null || typeof model !== 'object' || !Array.isArray((model as CoarseGrainedModel).tensors)) {
    throw new OckhamError('INVALID_ARGUMENT', name, 'expected { tensors: [...] }');
  }
  const seen = new Set<string>();
  (model as CoarseGrainedModel).tensors.forEach((t, i) => {
    const at = `${name}.tensors[${i}]`;
    if (t === null || typeof t !== 'object') throw new OckhamError('INVALID_ARGUMENT', at, 'expected a tensor object');
    if (typeof t.name !== 'string') throw new OckhamError('INVALID_ARGUMENT', `${at}.name`, 'expected a string');
    if (seen.has(t.name)) throw new OckhamError('INVALID_ARGUMENT', `${at}.name`, `duplicate tensor name '${t.name}'`);
    seen.add(t.name);
    const size = assertShape(t.shape, `${at}.shape`);
    assertNumber(t.step, `${at}.step`, 0, Infinity, { minExclusive: true });
    if (t.kind === 'dense') checkCodes(t.codes, size, `${at}.codes`);
    else if (t.kind === 'lowrank') {
      const [rows, cols] = as2d(t.shape);
      if (typeof t.rank !== 'number' || !Number.isInteger(t.rank) || t.rank < 1) {
        throw new OckhamError('OUT_OF_RANGE', `${at}.rank`, `expected a positive integer, got ${String(t.rank)}`);
      }
      const L = checkFactor(t.left, `${at}.left`);
      const R = checkFactor(t.right, `${at}.right`);
      if (L.shape[0] !== rows || L.shape[1] !== t.rank || R.shape[0] !== t.rank || R.shape[1] !== cols) {
        throw new OckhamError(
          'SHAPE_MISMATCH',
          at,
          `low-rank factors must be [${rows}, ${t.rank}] and [${t.rank}, ${cols}], got [${L.shape}] and [${R.shape}]`,
        );
      }
    } else {
      throw new OckhamError('INVALID_ARGUMENT', `${at}.kind`, `expected 'dense' or 'lowrank', got ${JSON.stringify((t as { kind: unknown }).kind)}`);
    }
  });
  return model as CoarseGrainedModel;
}

/**
 * Serialises a coarse-grained model to the deterministic "OCCG" v1 binary format (header,
 * then per tensor: UTF-8 name, shape, kind, float64 step Δ, zig-zag varint codes or the two
 * low-rank factors' shapes and codes). The complexity of a coarse-grained model in the
 * grokking paper (DeMoss et al.) is `compressedBits` of these bytes.
 *
 * @param model - `{ tensors }` of dense `{ kind: 'dense', name, shape, step, codes }` or
 *   low-rank `{ kind: 'lowrank', name, shape, step, rank, left, right }` tensors.
 * @returns The serialised bytes.
 * @throws {OckhamError} INVALID_ARGUMENT / SHAPE_MISMATCH / OUT_OF_RANGE / NON_FINITE naming
 *   the offending field (e.g. `model.tensors[2].step`).
 * @example
 * ```ts
 * import { serializeCoarseGrained } from 'ockham';
 * const bytes = serializeCoarseGrained({ tensors: [
 *   { kind: 'dense', name: 'w', shape: [2, 2], step: 0.5, codes: new Int32Array([1, -2, 0, 3]) },
 * ] });
 * ```
 */
export function serializeCoarseGrained(model: CoarseGrainedModel): Uint8Array {
  validateCoarseGrained(model);
  const s = new ByteSink();
  for (const b of MAGIC) s.byte(b);
  s.byte(VERSION);
  s.varint(model.tensors.length);
  const f64 = new DataView(new ArrayBuffer(8));
  const enc = new TextEncoder();
  for (const t of model.tensors) {
    const name = enc.encode(t.name);
    s.varint(name.length);
    s.reserve(name.length);
    s.buf.set(name, s.pos);
    s.pos += name.length;
    s.varint(t.shape.length);
    for (const d of t.shape) s.varint(d);
    s.byte(t.kind === 'dense' ? 0 : 1);
    f64.setFloat64(0, t.step, true);
    for (let i = 0; i < 8; i++) s.byte(f64.getUint8(i));
    if (t.kind === 'dense') s.codes(t.codes);
    else {
      s.varint(t.rank);
      for (const f of [t.left, t.right]) {
        s.varint(f.shape[0]);
        s.varint(f.shape[1]);
        s.codes(f.codes);
      }
    }
  }
  return s.buf.slice(0, s.pos);
}

function parseError(message: string): never {
  throw new OckhamError('PARSE_ERROR', 'bytes', `invalid coarse-grained model: ${message}`);
}

/**
 * Parses bytes written by {@link serializeCoarseGrained} back to the model (every field
 * exactly; `dequantizeCoarseGrained` of the result reproduces the weights bit for bit).
 *
 * @param bytes - Serialised model.
 * @returns The model.
 * @throws {OckhamError} INVALID_ARGUMENT if not a Uint8Array; PARSE_ERROR for a wrong magic or
 *   version, truncation, malformed varints, inconsistent shapes or trailing bytes.
 * @example
 * ```ts
 * import { deserializeCoarseGrained, serializeCoarseGrained, type CoarseGrainedModel } from 'ockham';
 * const model: CoarseGrainedModel = { tensors: [{ kind: 'dense', name: 'w', shape: [2, 2], step: 0.5, codes: new Int32Array([1, -2, 0, 3]) }] };
 * const m = deserializeCoarseGrained(serializeCoarseGrained(model)); // deep-equals model
 * ```
 */
export function deserializeCoarseGrained(bytes: Uint8Array): CoarseGrainedModel {
  if (!(bytes instanceof Uint8Array)) throw new OckhamError('INVALID_ARGUMENT', 'bytes', 'expected a Uint8Array');
  const n = bytes.length;
  let p = 0;
  const need = (k: number): void => {
    if (p + k > n) parseError('truncated');
  };
  const varint = (): number => {
    let v = 0;
    let scale = 1;
    for (let k = 0; ; k++) {
      need(1);
      if (k >= 8) parseError('varint too long');
      const b = bytes[p++];
      v += (b & 127) * scale;
      scale *= 128;
      if (b < 128) return v;
    }
  };
  const codes = (count: number): Int32Array => {
    // Each code takes ≥ 1 byte: refuse counts the remaining bytes cannot hold.
    if (count > n - p) parseError('truncated codes');
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      let z = 0;
      let shift = 0;
      for (;;) {
        if (p >= n) parseError('truncated codes');
        const b = bytes[p++];
        if (shift === 28 && b > 15) parseError('code varint exceeds 32 bits');
        z |= (b & 127) << shift;
        if (b < 128) break;
        shift += 7;
      }
      out[i] = (z >>> 1) ^ -(z & 1);
    }
    return out;
  };
  need(5);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) parseError('missing "OCCG" magic');
  if (bytes[4] !== VERSION) parseError(`unsupported version ${bytes[4]} (expected ${VERSION})`);
  p = 5;
  const count = varint();
  if (count > n) parseError('tensor count exceeds stream length');
  const dec = new TextDecoder('utf-8', { fatal: true });
  const f64 = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors: CoarseGrainedTensor[] = [];
  for (let ti = 0; ti < count; ti++) {
    const len = varint();
    need(len);
    let name: string;
    try {
      name = dec.decode(bytes.subarray(p, p + len));
    } catch {
      parseError('tensor name is not valid UTF-8');
    }
    p += len;
    const ndim = varint();
    if (ndim < 1 || ndim > n) parseError('bad rank of shape');
    const shape: number[] = [];
    let size = 1;
    for (let d = 0; d < ndim; d++) {
      const v = varint();
      if (v < 1) parseError('shape dimension must be ≥ 1');
      shape.push(v);
      size *= v;
      if (size > n) parseError('shape larger than the stream can hold');
    }
    need(9);
    const kind = bytes[p++];
    const step = f64.getFloat64(p, true);
    p += 8;
    if (!(step > 0) || !Number.isFinite(step)) parseError(`step must be finite and > 0, got ${step}`);
    if (kind === 0) tensors.push({ kind: 'dense', name, shape, step, codes: codes(size) });
    else if (kind === 1) {
      const rank = varint();
      const [rows, cols] = as2d(shape);
      const fs: CoarseFactor[] = [];
      for (let k = 0; k < 2; k++) {
        const r = varint();
        const c = varint();
        if (r * c > n) parseError('factor larger than the stream can hold');
        if (k === 0 ? r !== rows || c !== rank : r !== rank || c !== cols) parseError('low-rank factor shapes inconsistent with the tensor shape');
        fs.push({ shape: [r, c], codes: codes(r * c) });
      }
      if (rank < 1) parseError('rank must be ≥ 1');
      tensors.push({ kind: 'lowrank', name, shape, step, rank, left: fs[0], right: fs[1] });
    } else parseError(`unknown tensor kind ${kind}`);
  }
  if (p !== n) parseError(`${n - p} trailing bytes`);
  return { tensors };
}

/**
 * The weights a coarse-grained model stands for, in float32: dense
 * w = Math.fround(code·Δ); low-rank W[i,j] = Math.fround(Σ_k Math.fround(L[i,k]·Δ)·
 * Math.fround(R[k,j]·Δ)) with the sum in float64, k ascending. Coarse-graining code that
 * evaluates candidates should build them with this function so the measured loss belongs to
 * exactly the weights whose size is reported.
 *
 * @param model - A coarse-grained model.
 * @returns `[{ name, shape, data }]` in model order.
 * @throws {OckhamError} as {@link serializeCoarseGrained} for malformed models.
 * @example
 * ```ts
 * import { dequantizeCoarseGrained } from 'ockham';
 * dequantizeCoarseGrained({ tensors: [{ kind: 'dense', name: 'w', shape: [2], step: 0.1, codes: new Int32Array([1, -3]) }] });
 * // [{ name: 'w', shape: [2], data: Float32Array [0.1, -0.3] }]
 * ```
 */
export function dequantizeCoarseGrained(model: CoarseGrainedModel): Array<{ name: string; shape: number[]; data: Float32Array }> {
  validateCoarseGrained(model);
  return model.tensors.map((t) => {
    const step = t.step;
    if (t.kind === 'dense') {
      const data = new Float32Array(t.codes.length);
      for (let i = 0; i < data.length; i++) data[i] = t.codes[i] * step; // store = Math.fround
      return { name: t.name, shape: t.shape.slice(), data };
    }
    const [rows, cols] = as2d(t.shape);
    const r = t.rank;
    const L = new Float32Array(rows * r);
    for (let i = 0; i < L.length; i++) L[i] = t.left.codes[i] * step;
    const R = new Float32Array(r * cols);
    for (let i = 0; i < R.length; i++) R[i] = t.right.codes[i] * step;
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        let s = 0;
        for (let k = 0; k < r; k++) s += L[i * r + k] * R[k * cols + j];
        data[i * cols + j] = s;
      }
    }
    return { name: t.name, shape: t.shape.slice(), data };
  });
}
