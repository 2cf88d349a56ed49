/**
 * 'arith': an adaptive binary arithmetic coder with a mixed context model, and its decoder.
 *
 * Each byte is coded MSB→LSB, one binary decision per bit. Three adaptive models predict
 * each bit, all indexed by the bits of the current byte already coded (a binary-tree node
 * 1..255, which also encodes the bit position, as in LZMA's literal coder):
 *   - order 0: the tree node alone (the right model for i.i.d. quantized codes);
 *   - order 1: tree node × previous byte (neighbouring bits of packed bit-planes, runs);
 *   - order 2: tree node × the two previous bytes, hashed (text, repeated patterns).
 * Their predictions are combined by a gated logistic mixer (weights selected by the tree
 * node, trained online to minimise code length; Mahoney, "Adaptive weighing of context
 * models for lossless data compression", 2005) and coded with a 32-bit carry-less binary
 * arithmetic coder with 12-bit probabilities.
 *
 * Everything on the coding path is integer arithmetic or exactly-rounded IEEE double
 * `+ − × /` (no Math.exp/log), so encoder and decoder agree bit-for-bit on every engine.
 *
 * Stream layout: byte 0xA1 (format id/version) · LEB128 varint n (input length) ·
 * 4-byte big-endian bzip2-CRC32 of the input · coded bytes (absent when n = 0).
 */
import { OckhamError } from '../errors.js';
import { crc32 } from './crc32.js';
import { outputTooLarge } from './types.js';

export const ARITH_FORMAT_ID = 0xa1;

// squash(d) = 4096 / (1 + e^(−d/256)) sampled at d = −2048, −1920, …, 2048 and linearly
// interpolated between samples; integer so it is identical everywhere.
const SQUASH_POINTS = [
  1, 2, 4, 6, 10, 17, 27, 45, 74, 120, 194, 311, 488, 747, 1102, 1546, 2048, 2550, 2994, 3349, 3608, 3785,
  3902, 3976, 4022, 4051, 4069, 4079, 4086, 4090, 4092, 4094, 4095,
];

function squashSlow(d: number): number {
  if (d > 2047) return 4095;
  if (d < -2047) return 1;
  const w = d & 127;
  const i = (d >> 7) + 16;
  return (SQUASH_POINTS[i] * (128 - w) + SQUASH_POINTS[i + 1] * w + 64) >> 7;
}

/** squash over d ∈ [−2047, 2047] (index d + 2047). */
const SQUASH = /* @__PURE__ */ (() => {
  const t = new Int32Array(4095);
  for (let d = -2047; d <= 2047; d++) t[d + 2047] = squashSlow(d);
  return t;
})();

/** stretch = squash⁻¹ on 12-bit probabilities, built by scanning squash (integers only). */
const STRETCH = /* @__PURE__ */ (() => {
  const t = new Int32Array(4096);
  let pi = 0;
  for (let x = -2047; x <= 2047; x++) {
    const v = squashSlow(x);
    for (let j = pi; j <= v; j++) t[j] = x;
    pi = v + 1;
  }
  for (let j = pi; j < 4096; j++) t[j] = 2047;
  return t;
})();

/** Adaptation rate 1/(n + 1.5) for a context seen n times, as a 16-bit fixed-point factor. */
const RATE = /* @__PURE__ */ (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) t[n] = Math.floor(65536 / (n + 1.5));
  return t;
})();

const LIMIT0 = 255; // order-0 counts saturate late: near-stationary statistics
const LIMIT1 = 255;
const LIMIT2 = 60; // sparse hashed contexts adapt faster
const N_INPUTS = 4; // three models + bias
const MIX_LR = 0.005 / (4096 * 256); // η = 0.005 per natural-logit unit, tuned on the bench corpus
const MIX_INIT = 0.3;

interface Model {
  p0: Uint16Array; // P(bit = 1)·65536 per context
  n0: Uint8Array;
  p1: Uint16Array;
  n1: Uint8Array;
  p2: Uint16Array;
  n2: Uint8Array;
  hashMask: number;
  w: Float64Array; // mixer weights, N_INPUTS per tree node
  st: Int32Array; // current stretched inputs
  i0: number;
  i1: number;
  i2: number;
  pMix: number; // last mixed probability (12-bit)
}

function newModel(n: number): Model {
  // The hashed order-2 table grows with the input (2^16..2^22 contexts); its size is a
  // function of n only, which the decoder reads from the header.
  let bits = 16;
  while (bits < 22 && 1 << bits < n * 8) bits++;
  const size2 = 1 << bits;
  const w = new Float64Array(256 * N_INPUTS);
  for (let i = 0; i < 256; i++) for (let k = 0; k < 3; k++) w[i * N_INPUTS + k] = MIX_INIT;
  return {
    p0: new Uint16Array(256).fill(32768),
    n0: new Uint8Array(256),
    p1: new Uint16Array(65536).fill(32768),
    n1: new Uint8Array(65536),
    p2: new Uint16Array(size2).fill(32768),
    n2: new Uint8Array(size2),
    hashMask: size2 - 1,
    w,
    st: new Int32Array(N_INPUTS),
    i0: 0,
    i1: 0,
    i2: 0,
    pMix: 2048,
  };
}

/** Probability (12-bit, in [1, 4095]) that the next bit is 1, given the tree node c0. */
function predict(m: Model, c0: number, c1: number, h2: number): number {
  const i0 = c0;
  const i1 = (c1 << 8) | c0;
  const i2 = (h2 + c0 * 0x9e3779b1) >>> 0 & m.hashMask;
  m.i0 = i0;
  m.i1 = i1;
  m.i2 = i2;
  const st = m.st;
  st[0] = STRETCH[m.p0[i0] >>> 4];
  st[1] = STRETCH[m.p1[i1] >>> 4];
  st[2] = STRETCH[m.p2[i2] >>> 4];
  st[3] = 256;
  const w = m.w;
  const o = c0 * N_INPUTS;
  let dot = w[o] * st[0] + w[o + 1] * st[1] + w[o + 2] * st[2] + w[o + 3] * st[3];
  dot = dot < -2047 ? -2047 : dot > 2047 ? 2047 : dot;
  let p = SQUASH[Math.trunc(dot) + 2047];
  if (p < 1) p = 1;
  else if (p > 4095) p = 4095;
  m.pMix = p;
  return p;
}

function updateCounter(p: Uint16Array, n: Uint8Array, i: number, y: number, limit: number): void {
  const pi = p[i];
  const ni = n[i];
  const target = y ? 65535 : 0;
  p[i] = pi + Math.trunc(((target - pi) * RATE[ni]) / 65536);
  if (ni < limit) n[i] = ni + 1;
}

function update(m: Model, c0: number, y: number): void {
  // Mixer: gradient step on the code length −log p(y): Δw_i = η·(y − p)·stretch_i.
  const err = ((y << 12) - m.pMix) * MIX_LR;
  const w = m.w;
  const st = m.st;
  const o = c0 * N_INPUTS;
  w[o] += err * st[0];
  w[o + 1] += err * st[1];
  w[o + 2] += err * st[2];
  w[o + 3] += err * st[3];
  updateCounter(m.p0, m.n0, m.i0, y, LIMIT0);
  updateCounter(m.p1, m.n1, m.i1, y, LIMIT1);
  updateCounter(m.p2, m.n2, m.i2, y, LIMIT2);
}

/** Order-2 context hash of the two previous bytes. */
function hash2(c1: number, c2: number): number {
  return Math.imul((c2 << 8) | c1 | 0x10000, 0x2f0b3c1d) >>> 0;
}

function writeVarint(out: number[], v: number): void {
  while (v >= 128) {
    out.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** Encodes `input` as an 'arith' stream. */
export function arithEncode(input: Uint8Array): Uint8Array {
  const n = input.length;
  const head: number[] = [ARITH_FORMAT_ID];
  writeVarint(head, n);
  const crc = crc32(input);
  head.push(crc >>> 24, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255);
  // Output never exceeds ~1.001·n + a few bytes (12-bit probabilities cost ≤ 12 bits per bit
  // only when badly mispredicted; grow on demand to stay safe).
  let out: Uint8Array = new Uint8Array(head.length + Math.ceil(n * 1.1) + 16);
  out.set(head);
  let pos = head.length;
  if (n === 0) return out.slice(0, pos);
  const m = newModel(n);
  let x1 = 0;
  let x2 = 0xffffffff;
  let c1 = 0;
  let c2 = 0;
  for (let i = 0; i < n; i++) {
    const byte = input[i];
    const h2 = hash2(c1, c2);
    let c0 = 1;
    for (let b = 7; b >= 0; b--) {
      const y = (byte >>> b) & 1;
      const p = predict(m, c0, c1, h2);
      const range = x2 - x1;
      const xmid = x1 + Math.floor(range / 4096) * p + Math.floor(((range % 4096) * p) / 4096);
      if (y) x2 = xmid;
      else x1 = xmid + 1;
      update(m, c0, y);
      c0 = (c0 << 1) | y;
      // Shift out settled leading bytes (carry-less: x1 and x2 share them).
      while (((x1 ^ x2) & 0xff000000) === 0) {
        if (pos >= out.length) out = growBuf(out, pos + 1);
        out[pos++] = x2 >>> 24;
        x1 = (x1 << 8) >>> 0;
        x2 = ((x2 << 8) | 255) >>> 0;
      }
    }
    c2 = c1;
    c1 = byte;
  }
  // Flush: one byte b such that b·2^24 (followed by zero padding) lies in [x1, x2].
  if (pos >= out.length) out = growBuf(out, pos + 1);
  out[pos++] = (x1 & 0xffffff) === 0 ? x1 >>> 24 : (x1 >>> 24) + 1;
  return out.slice(0, pos);
}

function growBuf(buf: Uint8Array, need: number): Uint8Array {
  let size = buf.length * 2;
  while (size < need) size *= 2;
  const nb = new Uint8Array(size);
  nb.set(buf);
  return nb;
}

function parseError(message: string): never {
  throw new OckhamError('PARSE_ERROR', 'stream', `invalid arith stream: ${message}`);
}

/** Decodes an 'arith' stream; throws OckhamError on any inconsistency. */
export function arithDecode(stream: Uint8Array, maxBytes = Infinity): Uint8Array {
  const len = stream.length;
  if (len < 1 || stream[0] !== ARITH_FORMAT_ID) parseError('missing format byte 0xA1');
  let pos = 1;
  let n = 0;
  let scale = 1;
  for (let k = 0; ; k++) {
    if (pos >= len) parseError('truncated length');
    if (k > 7) parseError('length varint too long');
    const b = stream[pos++];
    n += (b & 127) * scale;
    scale *= 128;
    if (b < 128) break;
  }
  if (pos + 4 > len) parseError('truncated checksum');
  const storedCrc = ((stream[pos] << 24) | (stream[pos + 1] << 16) | (stream[pos + 2] << 8) | stream[pos + 3]) >>> 0;
  pos += 4;
  const coded = len - pos;
  // Each coded bit shrinks the interval by at least a factor 4095/4096, so k coded bytes
  // carry at most ~2841·(k + 4) input bytes: a larger declared length is corruption (and
  // would otherwise make us decode for a very long time).
  if (n > 4096 * (coded + 4) || n > 0x7fffffff) parseError(`declared length ${n} is impossible for ${coded} coded bytes`);
  if (n > maxBytes) {
    throw outputTooLarge(maxBytes, `it declares ${n}; `);
  }
  const out = new Uint8Array(n);
  if (n === 0) {
    if (coded !== 0) parseError('trailing bytes');
    if (storedCrc !== crc32(out)) parseError('checksum mismatch');
    return out;
  }
  if (coded < 1) parseError('truncated');
  const m = newModel(n);
  let x1 = 0;
  let x2 = 0xffffffff;
  let x = 0;
  for (let k = 0; k < 4; k++) x = ((x << 8) | (pos < len ? stream[pos] : 0)) >>> 0, pos++;
  let c1 = 0;
  let c2 = 0;
  for (let i = 0; i < n; i++) {
    const h2 = hash2(c1, c2);
    let c0 = 1;
    for (let b = 7; b >= 0; b--) {
      const p = predict(m, c0, c1, h2);
      const range = x2 - x1;
      const xmid = x1 + Math.floor(range / 4096) * p + Math.floor(((range % 4096) * p) / 4096);
      const y = x <= xmid ? 1 : 0;
      if (y) x2 = xmid;
      else x1 = xmid + 1;
      update(m, c0, y);
      c0 = (c0 << 1) | y;
      while (((x1 ^ x2) & 0xff000000) === 0) {
        x1 = (x1 << 8) >>> 0;
        x2 = ((x2 << 8) | 255) >>> 0;
        x = ((x << 8) | (pos < len ? stream[pos] : 0)) >>> 0;
        pos++;
      }
    }
    const byte = c0 & 255;
    out[i] = byte;
    c2 = c1;
    c1 = byte;
  }
  // The encoder wrote (shifts + 1) coded bytes; the decoder read 4 + shifts (the last 3 are
  // zero padding). Any other count means truncation or trailing garbage.
  if (pos !== len + 3) parseError(pos > len + 3 ? 'truncated' : 'trailing bytes');
  if (crc32(out) !== storedCrc) parseError('checksum mismatch');
  return out;
}
