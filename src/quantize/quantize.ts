/**
 * Uniform (affine) quantization of weight tensors to b-bit codes, per tensor or per channel.
 */
import { OckhamError } from '../errors.js';
import type { FloatArray, Shape } from '../util/validate.js';
import { as2d, assertFiniteFloats, assertInt, assertKnownOptions, assertNumber, assertOneOf, assertShapeMatches } from '../util/validate.js';
import { quantilePairF32, quantilePairF64 } from './quantile.js';
import type { MiddleFilter } from './quantile.js';
import { I32, block, br, brIf, end, funcBody, geU, get, i32c, inc, lazyModule, loop, section, set, simd, str, v128and, v128load, v128loadAt, v128storeAt, V128 } from '../util/wasm-asm.js';
import { ARENA_STATIC, arenaFor } from '../util/wasm-arena.js';
/** 1.5·2^52: x + M − M rounds x to an integer, ties to even (see round.ts); a local const so the JIT folds it. */
const RHE_MAGIC = 6755399441055744;
import type { QuantizedPerChannel, QuantizedTensor, QuantizeOptions } from './types.js';

const KNOWN_OPTIONS = ['bits', 'range', 'percentile', 'arithmetic', 'constantThreshold', 'strictReference'] as const;

/** torch.quantile's input limit; the float32 emulation also relies on n − 1 being exact in float32. */
const TORCH_QUANTILE_MAX = 16777216;

type Mode = 'minmax' | 'percentile' | 'symmetric' | 'explicit';

interface Resolved {
  readonly bits: number;
  /** 2^bits − 1, the largest code. */
  readonly maxCode: number;
  readonly mode: Mode;
  /** Lower quantile q = (1 − p/100)/2 in float64 (percentile mode). */
  readonly q: number;
  readonly explicitLo: number;
  readonly explicitHi: number;
  readonly f32: boolean;
  readonly threshold: number;
  readonly strict: boolean;
}

function resolveOptions(options: QuantizeOptions | undefined): Resolved {
  if (options === undefined || options === null) {
    throw new OckhamError('INVALID_ARGUMENT', 'options', 'expected an options object with `bits` (integer 1..16)');
  }
  assertKnownOptions(options, 'options', KNOWN_OPTIONS);
  const bits = assertInt(options.bits, 'options.bits', 1, 16);
  const arithmetic = assertOneOf(options.arithmetic ?? 'float32', 'options.arithmetic', ['float32', 'float64'] as const);
  const range = options.range ?? 'minmax';
  let mode: Mode;
  let explicitLo = 0;
  let explicitHi = 0;
  if (Array.isArray(range)) {
    if (range.length !== 2) {
      throw new OckhamError('INVALID_ARGUMENT', 'options.range', `expected [lo, hi] with two finite numbers, got an array of length ${range.length}`);
    }
    explicitLo = assertNumber(range[0], 'options.range[0]');
    explicitHi = assertNumber(range[1], 'options.range[1]');
    if (!(explicitLo < explicitHi)) {
      throw new OckhamError('OUT_OF_RANGE', 'options.range', `expected lo < hi, got [${explicitLo}, ${explicitHi}]`);
    }
    mode = 'explicit';
  } else {
    mode = assertOneOf(range, 'options.range', ['minmax', 'percentile', 'symmetric'] as const);
  }
  let q = 0;
  if (options.percentile !== undefined && mode !== 'percentile') {
    throw new OckhamError('INVALID_ARGUMENT', 'options.percentile', "only used with range: 'percentile'");
  }
  if (mode === 'percentile') {
    const p = assertNumber(options.percentile ?? 99.9, 'options.percentile', 0, 100, { minExclusive: true });
    q = (1 - p / 100) / 2;
  }
  const threshold = assertNumber(options.constantThreshold ?? 1e-8, 'options.constantThreshold', 0, Infinity);
  const strict = options.strictReference ?? false;
  if (typeof strict !== 'boolean') {
    throw new OckhamError('INVALID_ARGUMENT', 'options.strictReference', `expected a boolean, got ${String(strict)}`);
  }
  return { bits, maxCode: 2 ** bits - 1, mode, q, explicitLo, explicitHi, f32: arithmetic === 'float32', threshold, strict };
}

/**
 * Returns the working copy of the input: the array itself when it is already in the working
 * precision (it is only read), else a float32 copy. Checks every element is finite, naming the
 * first bad index, and that float64 values fit float32 in float32 mode.
 */
function workingArray(x: unknown, f32: boolean, check: boolean): FloatArray {
  if (!(x instanceof Float32Array) && !(x instanceof Float64Array)) {
    throw new OckhamError('INVALID_ARGUMENT', 'x', 'expected a Float32Array or Float64Array');
  }
  if (x.length === 0) throw new OckhamError('EMPTY', 'x', 'expected a non-empty array');
  const n = x.length;
  if (f32 && x instanceof Float64Array) {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = Math.fround(x[i]);
      if (v - v !== 0) {
        if (x[i] - x[i] !== 0) throw nonFinite(i, x[i]);
        throw new OckhamError('OUT_OF_RANGE', 'x', `element ${i} (${x[i]}) overflows float32; use arithmetic: 'float64'`);
      }
      out[i] = v;
    }
    return out;
  }
  // Min–max ranges check finiteness in their own pass (see rangeOf), saving a pass here.
  if (!check) return x;
  // v − v is NaN exactly for NaN and ±∞, and NaN is sticky in the sum: one add per element.
  let acc = 0;
  for (let i = 0; i < n; i++) acc += x[i] - x[i];
  if (acc !== 0) {
    for (let i = 0; i < n; i++) if (x[i] - x[i] !== 0) throw nonFinite(i, x[i]);
  }
  return x;
}

function nonFinite(i: number, v: number): OckhamError {
  return new OckhamError('NON_FINITE', 'x', `element ${i} is ${v}; expected finite values`);
}

/** Throws naming the first non-finite element of x[start..end) (called once one is known to exist). */
function throwFirstNonFinite(x: FloatArray, start: number, end: number): void {
  for (let i = start; i < end; i++) if (x[i] - x[i] !== 0) throw nonFinite(i, x[i]);
}

/**
 * Computes [lo, hi] for x[start..end) (finite, non-empty) in the working precision. In float32
 * mode every returned value is an exact float32.
 */
function rangeOf(x: FloatArray, start: number, end: number, o: Resolved): [number, number] {
  switch (o.mode) {
    case 'explicit':
      return o.f32 ? [Math.fround(o.explicitLo), Math.fround(o.explicitHi)] : [o.explicitLo, o.explicitHi];
    case 'minmax':
    case 'symmetric': {
      // Math.min/max propagate NaN and ±∞ reaches min or max, so one finiteness test after the
      // loop validates every element (and the branch-free min/max runs ~2× faster than ifs).
      // Two pairs of accumulators (even / odd elements) halve the loop-carried dependency chain
      // (~1.5× faster); Math.min/max are order-independent (−0 < +0, NaN sticky), so the result
      // is the same.
      let mn = x[start];
      let mx = mn;
      let mn2 = mn;
      let mx2 = mn;
      let i = start + 1;
      for (; i + 1 < end; i += 2) {
        const v = x[i];
        const u = x[i + 1];
        mn = Math.min(mn, v);
        mx = Math.max(mx, v);
        mn2 = Math.min(mn2, u);
        mx2 = Math.max(mx2, u);
      }
      if (i < end) {
        mn = Math.min(mn, x[i]);
        mx = Math.max(mx, x[i]);
      }
      mn = Math.min(mn, mn2);
      mx = Math.max(mx, mx2);
      if (mn - mn !== 0 || mx - mx !== 0) throwFirstNonFinite(x, start, end);
      if (o.mode === 'minmax') return [mn, mx];
      const m = Math.max(-mn, mx);
      return [-m, m];
    }
    case 'percentile':
      return percentileRange(x, start, end, o);
  }
}

/** The percentile range of x[start..end), optionally with the wasm filter (see quantile.ts). */
function percentileRange(x: FloatArray, start: number, end: number, o: Resolved, filter?: MiddleFilter): [number, number] {
  if (o.f32) {
    const n = end - start;
    if (n > TORCH_QUANTILE_MAX) {
      throw new OckhamError(
        'UNSUPPORTED',
        'x',
        `float32 percentile ranges follow torch.quantile, which refuses more than 2^24 elements (got ${n}); use arithmetic: 'float64'`,
      );
    }
    // torch receives 1 − q as a Python float (double), then rounds it to float32.
    return quantilePairF32(x, start, end, o.q, 1 - o.q, filter);
  }
  return quantilePairF64(x, start, end, o.q, 1 - o.q);
}

/** Step Δ for [lo, hi], or 0 when the range counts as constant. Throws on overflow. */
function stepOf(lo: number, hi: number, o: Resolved, where: string): number {
  const d = o.f32 ? Math.fround(hi - lo) : hi - lo;
  if (!Number.isFinite(d)) {
    throw new OckhamError(
      'OUT_OF_RANGE',
      'x',
      `${where}range width hi − lo = ${hi} − ${lo} overflows ${o.f32 ? 'float32; use arithmetic: \'float64\'' : 'float64'}`,
    );
  }
  // A float32 tensor compared with a Python float compares in float32, hence fp32(threshold).
  // (This matters only when hi − lo is exactly fp32(1e-8); the reference's form of the test
  // was not observable there.)
  if (d < (o.f32 ? Math.fround(o.threshold) : o.threshold)) return 0;
  // (2^b − 1) is exact; one IEEE division, rounded to float32 in float32 mode.
  return o.f32 ? Math.fround(d / o.maxCode) : d / o.maxCode;
}

/**
 * code = clamp(roundHalfEven(v), 0, 2^b − 1) with v = (x − lo)/Δ computed as the reference does:
 * in float32 mode v = fp32(fp32(x − lo) / Δ) — a true IEEE division, with the subtraction and
 * the quotient each rounded to float32 (double-then-float32 rounding is exact for one +, −, ×
 * or ÷ of float32 operands, so Math.fround of the double result is the float32 result); in
 * float64 mode v = (x − lo)/Δ in double.
 *
 * Speed without changing a single code: a screen a = (x − lo)·(1/Δ) in double differs from
 * that v by less than |v|·2^−22.9 (float32 mode; |v|·2^−51 in float64 mode). Where a lies
 * within [0, 2^b − 1] and farther than `tol` = (2^b)·2^−21 (resp. 2^b·2^−49) — four times that
 * bound — from a rounding boundary (a half-integer), v rounds to the same integer, so the screen's
 * rounding is the answer. Every other element (near a tie, out of range, NaN) takes the exact
 * path. At 8 bits that is about 0.02 % of in-range elements, at 16 bits about 6 %.
 */
function encode(
  x: FloatArray,
  start: number,
  end: number,
  codes: Uint16Array,
  lo: number,
  step: number,
  maxCode: number,
  f32: boolean,
  symmetric: boolean,
): void {
  const inv = 1 / step;
  const half = (maxCode + 1) / 2;
  const lim = 0.5 - (maxCode + 1) * (f32 ? 4.76837158203125e-7 : 1.7763568394002505e-15); // 2^-21, 2^-49
  for (let i = start; i < end; i++) {
    const a = (x[i] - lo) * inv;
    const c = a + RHE_MAGIC - RHE_MAGIC; // round half to even (exact for |a| < 2^51)
    // Store first, fix rarely: a select between c and a call result here makes V8 box the
    // doubles (3–4× slower in measurements).
    codes[i] = c;
    if (!(Math.abs(a - c) <= lim && c >= 0 && c <= maxCode)) {
      const k = exactCode(x[i], lo, step, maxCode, f32);
      // Symmetric fix-up (see below). Only weights within a few ulps of zero can need it, and
      // they sit within float error of the tie (2^b − 1)/2, so they always fail the screen.
      codes[i] = symmetric ? (x[i] >= 0 ? Math.max(k, half) : Math.min(k, half - 1)) : k;
    }
  }
}

/** The reference formula for one element, clamped (the screen's fallback). */
function exactCode(xi: number, lo: number, step: number, maxCode: number, f32: boolean): number {
  const v = f32 ? Math.fround(Math.fround(xi - lo) / step) : (xi - lo) / step;
  return v > 0 ? (v < maxCode ? v + RHE_MAGIC - RHE_MAGIC : maxCode) : 0;
}

/*
 * Symmetric-range fix-up (applied inside encode): every x ≥ 0 gets a code ≥ 2^(b−1) and every
 * x < 0 a code below it, so the MSB plane is exactly 1[x ≥ 0]. In exact arithmetic round-half-
 * even already does this for b ≥ 2 (x = 0 maps to (2^b − 1)/2, a tie between the odd
 * 2^(b−1) − 1 and the even 2^(b−1)); the fix-up only moves weights within a few float ulps of
 * zero that rounding put on the wrong side (to the adjacent level, ±Δ/2 around zero), and for
 * b = 1 it decides the tie at x = 0 as 1.
 */

function constantError(where: string, lo: number, hi: number, o: Resolved): OckhamError {
  return new OckhamError(
    'INVALID_ARGUMENT',
    'x',
    `${where}constant tensor (hi − lo = ${hi - lo} < ${o.threshold}); the reference implementation raises TypeError here ` +
      '(strictReference: true); drop strictReference to get all-zero codes',
  );
}

// ---- WebAssembly SIMD kernels for the float32 min–max pass and encoding ----------------------
//
// WebAssembly SIMD has exactly the IEEE float32 operations of the reference quantizer:
// f32x4.sub and f32x4.div are correctly rounded, and adding 2^23 in float32 rounds a value in
// [0, 2^23) to the nearest integer, ties to even, so the kernel's codes equal exactCode's bit for
// bit with no screen (test/quantize/wasm.test.ts checks every rounding boundary ± 3 ulps and
// exact ties at 1..16 bits against the JS path and the formula). It runs 4 lanes per instruction
// on unchecked memory. The input is copied into the shared wasm arena (src/util/wasm-arena.ts)
// at byte QX; the codes follow it at a 16-byte aligned offset, where the QuBD kernel counts them
// in place; the 48 bytes at RES receive the min, max and sum vectors. The arena is replaced by a
// larger one when a bigger tensor comes (≈ 6 bytes per element of the largest tensor seen stay
// allocated). Anywhere WebAssembly SIMD is missing, the JS path runs.

const F32 = 0x7d;
const f32x4splat = simd(19);
const f32x4sub = simd(229);
const f32x4div = simd(231);
const f32x4add = simd(228);
const f32x4lt = simd(67);
const f32x4gt = simd(68);
const i32x4allTrue = simd(163);
const f32x4pmin = simd(234); // b < a ? b : a: one minps (f32x4.min's NaN/±0 handling costs more)
const f32x4pmax = simd(235); // a < b ? b : a
const i32x4sub = simd(177);
const narrowU = simd(134); // i16x8.narrow_i32x4_u (codes ≤ 65535 pass unchanged)

/** Byte offset of the min/max/sum result vectors in the arena. */
const RES = ARENA_STATIC;
/** Byte offset of x in the arena (after the result slot). */
const QX = RES + 64;

/**
 * minmax(p, n): element-wise min and max vectors of the n float32 at byte p (n a positive
 * multiple of 8), two accumulator pairs, stored at bytes RES and RES + 16, and their sum's
 * vector at RES + 32. pmin/pmax (one minps/maxps each; f32x4.min/max's NaN and ±0 handling costs several
 * instructions) drop NaNs and may pick +0 over −0, so the caller checks the sum (NaN is sticky in
 * it, and ∞ − ∞ is NaN) and redoes a zero extreme in JS.
 */
function minmaxBody(): number[] {
  const [P, N, E] = [0, 1, 2];
  const [MN0, MN1, MX0, MX1, A, B, S0, S1] = [3, 4, 5, 6, 7, 8, 9, 10];
  const c: number[] = [];
  c.push(...get(P), ...get(N), ...i32c(2), 0x74, 0x6a, ...set(E)); // e = p + 4n
  c.push(...get(P), ...v128load, ...set(MN0), ...get(MN0), ...set(MX0), ...get(MN0), ...set(S0));
  c.push(...get(P), ...v128loadAt(16), ...set(MN1), ...get(MN1), ...set(MX1), ...get(MN1), ...set(S1));
  c.push(...inc(P, i32c(32)));
  c.push(...block, ...loop);
  c.push(...get(P), ...get(E), ...geU, ...brIf(1));
  c.push(...get(P), ...v128load, ...set(A), ...get(P), ...v128loadAt(16), ...set(B));
  c.push(...get(A), ...get(MN0), ...f32x4pmin, ...set(MN0), ...get(A), ...get(MX0), ...f32x4pmax, ...set(MX0));
  c.push(...get(B), ...get(MN1), ...f32x4pmin, ...set(MN1), ...get(B), ...get(MX1), ...f32x4pmax, ...set(MX1));
  c.push(...get(S0), ...get(A), ...f32x4add, ...set(S0), ...get(S1), ...get(B), ...f32x4add, ...set(S1));
  c.push(...inc(P, i32c(32)), ...br(0), ...end, ...end);
  c.push(...i32c(RES), ...get(MN0), ...get(MN1), ...f32x4pmin, ...v128storeAt(0));
  c.push(...i32c(RES), ...get(MX0), ...get(MX1), ...f32x4pmax, ...v128storeAt(16));
  c.push(...i32c(RES), ...get(S0), ...get(S1), ...f32x4add, ...v128storeAt(32));
  return funcBody(
    [
      [1, I32],
      [8, V128],
    ],
    c,
  );
}

/**
 * encode(src, dst, n, lo, step, maxCode): u16 code[i] = clamp(nearest(fp32(fp32(x[i] − lo) /
 * step)), 0, maxCode) for the n float32 at byte src (n a multiple of 8), written at byte dst.
 */
function encodeBody(): number[] {
  const [S, D, N, LOp, STp, MCp] = [0, 1, 2, 3, 4, 5];
  const E = 6;
  const [LO, ST, MC, ZERO, MAGIC] = [7, 8, 9, 10, 11];
  // v = fp32(fp32(x − lo)/Δ) (IEEE sub and div); clamp to [0, maxCode] with pmax/pmin (v is never
  // NaN; clamping before rounding gives the same integer since the bounds are integers); then
  // fp32(v + 2^23) is 2^23 + roundHalfEven(v) exactly for 0 ≤ v < 2^23 (float32's rounding of
  // the sum IS round-to-nearest-even of v), whose bits minus those of 2^23 are the code.
  const lane = (off: number): number[] => [
    ...get(S), ...v128loadAt(off), ...get(LO), ...f32x4sub, ...get(ST), ...f32x4div,
    ...get(ZERO), ...f32x4pmax, ...get(MC), ...f32x4pmin, ...get(MAGIC), ...f32x4add, ...get(MAGIC), ...i32x4sub,
  ];
  const c: number[] = [];
  c.push(...get(S), ...get(N), ...i32c(2), 0x74, 0x6a, ...set(E)); // e = src + 4n
  c.push(...get(LOp), ...f32x4splat, ...set(LO), ...get(STp), ...f32x4splat, ...set(ST));
  c.push(...get(MCp), ...f32x4splat, ...set(MC), 0x43, 0, 0, 0, 0, ...f32x4splat, ...set(ZERO));
  c.push(0x43, 0x00, 0x00, 0x00, 0x4b, ...f32x4splat, ...set(MAGIC)); // f32.const 2^23 (bits 0x4b000000)
  c.push(...block, ...loop);
  c.push(...get(S), ...get(E), ...geU, ...brIf(1));
  c.push(...get(D), ...lane(0), ...lane(16), ...narrowU, ...v128storeAt(0));
  c.push(...inc(S, i32c(32)), ...inc(D, i32c(16)), ...br(0), ...end, ...end);
  return funcBody(
    [
      [1, I32],
      [5, V128],
    ],
    c,
  );
}

/**
 * sign(src, dst, n): u16 code[i] = 1[x[i] > 0] for the n float32 at byte src (n a multiple of 8),
 * written at byte dst; the lane-wise sum of x − x (NaN exactly when some x is NaN or ±∞) is
 * stored at RES + 32.
 */
function signBody(): number[] {
  const [S, D, N] = [0, 1, 2];
  const E = 3;
  const [A, B, ZERO, ONE, ACC] = [4, 5, 6, 7, 8];
  const bit = (v: number): number[] => [...get(v), ...get(ZERO), ...f32x4gt, ...get(ONE), ...v128and];
  const c: number[] = [];
  c.push(...get(S), ...get(N), ...i32c(2), 0x74, 0x6a, ...set(E));
  c.push(0x43, 0, 0, 0, 0, ...f32x4splat, ...set(ZERO), ...get(ZERO), ...set(ACC));
  c.push(...i32c(1), ...simd(17), ...set(ONE)); // i32x4.splat 1
  c.push(...block, ...loop);
  c.push(...get(S), ...get(E), ...geU, ...brIf(1));
  c.push(...get(S), ...v128load, ...set(A), ...get(S), ...v128loadAt(16), ...set(B));
  c.push(...get(ACC), ...get(A), ...get(A), ...f32x4sub, ...f32x4add, ...get(B), ...get(B), ...f32x4sub, ...f32x4add, ...set(ACC));
  c.push(...get(D), ...bit(A), ...bit(B), ...narrowU, ...v128storeAt(0));
  c.push(...inc(S, i32c(32)), ...inc(D, i32c(16)), ...br(0), ...end, ...end);
  c.push(...i32c(RES), ...get(ACC), ...v128storeAt(32));
  return funcBody(
    [
      [1, I32],
      [5, V128],
    ],
    c,
  );
}

/**
 * filter(p, n, a1, b0, dst, cap) → count: for the n float32 at byte p (n a multiple of 4), copies
 * every 4-lane vector holding an element outside (a1, b0) to dst (16 bytes each) and returns how
 * many it copied, or −1 once more than cap would be needed. The percentile range's bracketing
 * pass (quantile.ts) then classifies only those, counting the rest as lying between its brackets.
 */
function filterBody(): number[] {
  const [P, N, A1, B0, DST, CAP] = [0, 1, 2, 3, 4, 5];
  const [E, CNT] = [6, 7];
  const [V, VA, VB] = [8, 9, 10];
  const c: number[] = [];
  c.push(...get(P), ...get(N), ...i32c(2), 0x74, 0x6a, ...set(E));
  c.push(...get(A1), ...f32x4splat, ...set(VA), ...get(B0), ...f32x4splat, ...set(VB));
  c.push(...block, ...loop);
  c.push(...get(P), ...get(E), ...geU, ...brIf(1));
  c.push(...get(P), ...v128load, ...set(V));
  // all lanes strictly inside (a1, b0)? else store the vector (or give up when full)
  c.push(...get(V), ...get(VA), ...f32x4gt, ...get(V), ...get(VB), ...f32x4lt, ...v128and, ...i32x4allTrue, 0x45, 0x04, 0x40);
  c.push(...get(CNT), ...get(CAP), ...geU, 0x04, 0x40, ...i32c(-1), 0x0f, ...end);
  c.push(...get(DST), ...get(CNT), ...i32c(4), 0x74, 0x6a, ...get(V), ...v128storeAt(0));
  c.push(...inc(CNT, i32c(1)), ...end);
  c.push(...inc(P, i32c(16)), ...br(0), ...end, ...end);
  c.push(...get(CNT));
  return funcBody(
    [
      [2, I32],
      [3, V128],
    ],
    c,
  );
}

/** The kernels' module bytes (imports memory e.m; exports r = minmax, e = encode, f = filter, s = sign). */
export function quantizeModuleBytes(): Uint8Array<ArrayBuffer> {
  const t0 = [0x60, 2, I32, I32, 0x00]; // (i32, i32) → ()
  const t1 = [0x60, 6, I32, I32, I32, F32, F32, F32, 0x00]; // (i32, i32, i32, f32, f32, f32) → ()
  const t2 = [0x60, 6, I32, I32, F32, F32, I32, I32, 0x01, I32]; // (i32, i32, f32, f32, i32, i32) → i32
  const t3 = [0x60, 3, I32, I32, I32, 0x00]; // (i32, i32, i32) → ()
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [4, ...t0, ...t1, ...t2, ...t3]),
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 0x00]),
    ...section(3, [4, 0, 1, 2, 3]),
    ...section(7, [4, ...str('r'), 0x00, 0, ...str('e'), 0x00, 1, ...str('f'), 0x00, 2, ...str('s'), 0x00, 3]),
    ...section(10, [4, ...minmaxBody(), ...encodeBody(), ...filterBody(), ...signBody()]),
  ];
  return new Uint8Array(bytes);
}

interface QuantKernels {
  readonly memory: WebAssembly.Memory;
  readonly generation: number;
  readonly minmax: (p: number, n: number) => void;
  readonly encode: (src: number, dst: number, n: number, lo: number, step: number, maxCode: number) => void;
  readonly filter: (p: number, n: number, a1: number, b0: number, dst: number, cap: number) => number;
  readonly sign: (src: number, dst: number, n: number) => void;
}

/** Compiled once, lazily; null when WebAssembly SIMD is unavailable. */
const quantModule = lazyModule(quantizeModuleBytes);
/** The instance on the current arena (re-instantiated when the arena is replaced). */
let kernels: QuantKernels | null = null;
let wasmEnabled = true;

/** Enables or disables the wasm kernels (tests use it to compare against the JS path). Internal. */
export function setWasmQuantizeEnabled(on: boolean): void {
  wasmEnabled = on;
}

/** Below this many elements the JS path is as fast (call overhead, copies). */
const WASM_MIN = 256;

/** Byte offset of the codes for n elements. */
const codesOffset = (n: number): number => (QX + 4 * n + 15) & ~15;

/** Bytes readable past the end of the codes (the QuBD kernel's 16-byte loads may overrun a row). */
export const CODES_SLACK = 64;

/** Vectors the percentile filter may copy out (1 MiB after the codes). */
const FILTER_CAP = 65536;
/** Byte offset of the filter's output for n elements. */
const filterOffset = (n: number): number => (codesOffset(n) + 2 * n + CODES_SLACK + 15) & ~15;

/** The kernels on an arena with room for n elements, or null (no SIMD, disabled, or memory refused). */
function kernelsFor(n: number): QuantKernels | null {
  if (!wasmEnabled || n < WASM_MIN) return null;
  const mod = quantModule();
  if (mod === null) return null;
  const arena = arenaFor(filterOffset(n) - ARENA_STATIC + 16 * FILTER_CAP);
  if (arena === null) return null; // too large for one wasm memory: the JS path handles it
  if (kernels !== null && kernels.generation === arena.generation) return kernels;
  const ex = new WebAssembly.Instance(mod, { e: { m: arena.memory } }).exports as unknown as {
    r: QuantKernels['minmax'];
    e: QuantKernels['encode'];
    f: QuantKernels['filter'];
    s: QuantKernels['sign'];
  };
  kernels = { memory: arena.memory, generation: arena.generation, minmax: ex.r, encode: ex.e, filter: ex.f, sign: ex.s };
  return kernels;
}

/**
 * Uniform quantization of a tensor to b-bit codes with one range for the whole tensor
 * (the QuBD quantizer).
 *
 * Δ = (hi − lo)/(2^b − 1) and code = clamp(roundHalfEven((x − lo)/Δ), 0, 2^b − 1), so lo maps to
 * code 0 and hi to 2^b − 1 (asymmetric "affine" quantization; Jacob et al., 2018). Rounding is
 * half to even, as `torch.round`. The default arithmetic reproduces the QuBD reference
 * quantizer bit for bit (float32 throughout, IEEE division by Δ, and for `range: 'percentile'`
 * the exact float32 arithmetic of `torch.quantile`), so codes, planes and BDM values equal the
 * reference's.
 *
 * Ranges: see {@link QuantizeOptions.range}. With `range: 'percentile'` (p = 99.9 in the QuBD
 * experiments) values outside [lo, hi] saturate; nothing is clipped beforehand.
 *
 * **Symmetric range and the sign plane.** With `range: 'symmetric'` (lo = −m, hi = m,
 * m = max|x|) the most significant plane is exactly 1[x ≥ 0] for every b, provided the tensor is
 * not constant (2m ≥ `constantThreshold`). Why: x = 0 sits at (2^b − 1)/2, a tie between
 * 2^(b−1) − 1 (odd, MSB 0) and 2^(b−1) (even, MSB 1) that half-to-even resolves to MSB 1 for
 * b ≥ 2; x < 0 lies strictly below the tie, x > 0 strictly above. That is exact arithmetic.
 * In floating point the tie itself is rarely hit exactly (fl(m/Δ) is usually not (2^b − 1)/2),
 * so weights within a few ulps of zero — |x| ≲ m·2^−22 in float32, m·2^−51 in float64,
 * including x = 0 itself — can land on the wrong side; and for b = 1 the tie at x = 0 goes to
 * the even code 0. The symmetric mode therefore moves exactly those weights to the adjacent
 * level on their own side of zero (levels ±Δ/2, so |x̂ − x| ≤ Δ/2 still holds), which makes the
 * property hold by construction; every other code is the plain rounding. An explicit
 * `range: [−m, m]` gives the plain rounding without this fix-up.
 *
 * **Constant tensors.** When hi − lo < `constantThreshold` (default 1e-8, the reference's test;
 * in float32 mode both sides are float32) or Δ underflows to 0, every code is 0, `step` is 0 and
 * `constant` is true; `dequantize` then returns lo everywhere. `strictReference: true` throws
 * instead, as the reference code crashes there.
 *
 * Float64 inputs in float32 mode are first rounded to float32 (the reference works in the
 * tensor's dtype); use `arithmetic: 'float64'` to quantize doubles as doubles.
 *
 * @param x - Weights, any shape flattened row-major (not modified). Finite values.
 * @param options - {@link QuantizeOptions}; `bits` is required.
 * @returns A {@link QuantizedTensor}: `codes` (Uint16Array, same order as x), `lo`, `hi`,
 *   `step` (same units as x), `constant`.
 * @throws {@link OckhamError} `INVALID_ARGUMENT` (argument `x`) for a non-float array; `EMPTY` for
 *   an empty x; `NON_FINITE` naming the index of a NaN/±∞; `OUT_OF_RANGE` for `options.bits`
 *   outside 1..16, `options.percentile` outside (0, 100], an explicit range with lo ≥ hi, or a
 *   range whose width overflows; `UNKNOWN_OPTION` for a misspelled option; `UNSUPPORTED` for a
 *   float32 percentile range over more than 2^24 elements (torch's limit); `INVALID_ARGUMENT`
 *   for a constant tensor with `strictReference: true`.
 * @example
 * ```ts
 * import { quantize } from 'ockham';
 * const q = quantize(new Float32Array([-1, -0.5, 0, 0.5, 1]), { bits: 2 });
 * // Δ = 2/3: codes [0, 1, 2, 2, 3] ((x + 1)/Δ = 0, 0.75, 1.5 → 2 (tie to even), 2.25, 3)
 * // The QuBD experiments' setting: 8 bits, central 99.9 % range (0.05 % trimmed per tail).
 * const w = Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i) * 0.02);
 * const robust = quantize(w, { bits: 8, range: 'percentile', percentile: 99.9 });
 * robust.codes.length; // 4096
 * ```
 */
export function quantize(x: Float32Array | Float64Array, options: QuantizeOptions): QuantizedTensor {
  return quantizeInto(x, options, null);
}

/**
 * {@link quantize} writing the codes into `out` (length ≥ x.length; the result's `codes` is its
 * prefix view) — for estimators that quantize many tensors and would otherwise pay a fresh,
 * zero-filled allocation per call. With `view` true the codes may instead be a view on the wasm
 * kernels' memory, valid only until the next call of this function (no copy). Internal: not
 * part of the public API.
 */
export function quantizeInto(
  x: Float32Array | Float64Array,
  options: QuantizeOptions,
  out: Uint16Array | null,
  view = false,
): QuantizedTensor {
  const o = resolveOptions(options);
  // float32 arithmetic, non-symmetric range, a Float32Array: the wasm kernels (bit-identical,
  // see above). Their min–max pass also checks finiteness, so the JS check pass is skipped.
  const k = o.f32 && o.mode !== 'symmetric' && x instanceof Float32Array ? kernelsFor(x.length) : null;
  const w = workingArray(x, o.f32, k === null && (o.mode === 'percentile' || o.mode === 'explicit'));
  const n = w.length;
  const arithmetic = o.f32 ? 'float32' : 'float64';
  if (k !== null) {
    const buf = k.memory.buffer;
    new Float32Array(buf, QX, n).set(w);
    const n8 = n & ~7;
    k.minmax(QX, n8);
    const r = new Float32Array(buf, RES, 12);
    let lo = Math.min(r[0], r[1], r[2], r[3]);
    let hi = Math.max(r[4], r[5], r[6], r[7]);
    const sum = r[8] + r[9] + r[10] + r[11];
    for (let i = n8; i < n; i++) {
      lo = Math.min(lo, w[i]);
      hi = Math.max(hi, w[i]);
    }
    // A NaN or ±∞ makes the sum NaN or ±∞ (an overflowing sum of finite values only costs a scan).
    if (lo - lo !== 0 || hi - hi !== 0 || sum - sum !== 0) throwFirstNonFinite(w, 0, n);
    // pmin/pmax may return +0 where Math.min/max (the reference's torch.min) give −0.
    if (o.mode === 'percentile') {
      // The quantile's bracketing pass filters the arena copy with SIMD (see filterBody).
      const off = filterOffset(n);
      const filter: MiddleFilter = (a1, b0) => {
        const cnt = k.filter(QX, n8, a1, b0, off, FILTER_CAP);
        return cnt < 0 ? null : { mid: n8 - 4 * cnt, values: new Float32Array(buf, off, 4 * cnt), tailFrom: n8 };
      };
      [lo, hi] = percentileRange(w, 0, n, o, filter);
    } else if (o.mode !== 'minmax' || lo === 0 || hi === 0) {
      [lo, hi] = rangeOf(w, 0, n, o);
    }
    const step = stepOf(lo, hi, o, '');
    if (step !== 0) {
      const off = codesOffset(n);
      k.encode(QX, off, n8, lo, step, o.maxCode);
      const wc = new Uint16Array(buf, off, n);
      encode(w, n8, n, wc, lo, step, o.maxCode, true, false);
      // A fresh array filled by set(), not wc.slice(): slicing a view on a WebAssembly memory
      // takes V8's slow path (measured 5.4 ms against 0.1 ms for 768×768 codes).
      const codes = view ? wc : out === null ? new Uint16Array(n) : out.subarray(0, n);
      if (codes !== wc) codes.set(wc);
      return { scheme: 'per-tensor', codes, bits: o.bits, lo, hi, step, constant: false, arithmetic };
    }
    if (o.strict) throw constantError('', lo, hi, o);
    const codes = out === null ? new Uint16Array(n) : out.subarray(0, n).fill(0);
    return { scheme: 'per-tensor', codes, bits: o.bits, lo, hi, step, constant: true, arithmetic };
  }
  const [lo, hi] = rangeOf(w, 0, n, o);
  const step = stepOf(lo, hi, o, '');
  const codes = out === null ? new Uint16Array(n) : out.subarray(0, n);
  const constant = step === 0;
  if (constant) {
    if (o.strict) throw constantError('', lo, hi, o);
    if (out !== null) codes.fill(0);
  } else {
    encode(w, 0, n, codes, lo, step, o.maxCode, o.f32, o.mode === 'symmetric');
  }
  return { scheme: 'per-tensor', codes, bits: o.bits, lo, hi, step, constant, arithmetic };
}

/** What {@link quantizeStream} returns: the range, and an encoder of slices into the wasm arena. */
export interface CodeStream {
  readonly lo: number;
  readonly hi: number;
  readonly step: number;
  /**
   * Encodes x[start, end) (end − start ≤ the stream's `maxChunk`) into the arena and returns a
   * view on the codes — the same codes {@link quantize} gives those elements — valid until the
   * next call; {@link CODES_SLACK} bytes after it are readable.
   */
  encode(start: number, end: number): Uint16Array;
}

/**
 * {@link quantize}'s default path (float32 arithmetic, min–max range, a Float32Array) without
 * copying the whole tensor into the wasm arena: the range is found in one JS pass over x (the
 * same min and max), then slices of at most `maxChunk` elements are copied in and encoded by the
 * same SIMD kernel, so the arena holds one slice (6 bytes per element of it), not the tensor.
 * Null when that path does not apply (other options, no WebAssembly SIMD, x shorter than the
 * wasm minimum) or the tensor is constant: callers then use {@link quantizeInto}. Throws as
 * quantize for invalid options or non-finite values. Internal.
 */
export function quantizeStream(x: Float32Array | Float64Array, options: QuantizeOptions, maxChunk: number): CodeStream | null {
  const o = resolveOptions(options);
  if (!(x instanceof Float32Array) || !o.f32 || o.mode !== 'minmax' || x.length <= maxChunk) return null;
  const w = workingArray(x, true, false) as Float32Array;
  const chunk = Math.max(maxChunk, WASM_MIN);
  if (kernelsFor(chunk) === null) return null;
  const [lo, hi] = rangeOf(w, 0, w.length, o);
  const step = stepOf(lo, hi, o, '');
  if (step === 0) return null;
  return {
    lo,
    hi,
    step,
    encode(start: number, end: number): Uint16Array {
      const n = end - start;
      const k = kernelsFor(chunk);
      if (k === null || n > chunk || n < 0) throw new Error('quantizeStream: chunk too large or arena lost');
      const buf = k.memory.buffer;
      const part = w.subarray(start, end);
      new Float32Array(buf, QX, n).set(part);
      const n8 = n & ~7;
      const off = codesOffset(chunk);
      if (n8 > 0) k.encode(QX, off, n8, lo, step, o.maxCode);
      const wc = new Uint16Array(buf, off, n);
      encode(part, n8, n, wc, lo, step, o.maxCode, true, false);
      return wc;
    },
  };
}

/**
 * Per-output-channel uniform quantization: {@link quantize} applied to each slice along dim 0,
 * each with its own range and step.
 *
 * The tensor is viewed as (dim0, product of the other dims), row-major, as for bit-planes; a
 * 1-D shape [n] is a single channel. Every option of {@link quantize} applies per channel
 * (percentile ranges are quantiles of each channel; an explicit range is shared). A constant
 * channel gets all-zero codes and `constant[c] = 1` (or throws with `strictReference`).
 *
 * @param x - Weights, row-major (not modified). Finite values.
 * @param shape - Its shape; the product must equal x.length.
 * @param options - {@link QuantizeOptions}; `bits` is required.
 * @returns A {@link QuantizedPerChannel} with codes and per-channel `lo`, `hi`, `step`, `constant`.
 * @throws {@link OckhamError} as {@link quantize}, plus `SHAPE_MISMATCH` (argument `x`) when the
 *   shape's product differs from x.length and `INVALID_ARGUMENT` for a malformed shape.
 * @example
 * ```ts
 * import { quantizePerChannel } from 'ockham';
 * // A conv weight (out=16, in=3, 5, 5): 16 channels of 75 weights each.
 * const w = Float32Array.from({ length: 16 * 75 }, (_, i) => Math.sin(i));
 * const q = quantizePerChannel(w, [16, 3, 5, 5], { bits: 4 });
 * q.step.length; // 16
 * ```
 */
export function quantizePerChannel(
  x: Float32Array | Float64Array,
  shape: Shape,
  options: QuantizeOptions,
): QuantizedPerChannel {
  const o = resolveOptions(options);
  if (!(x instanceof Float32Array) && !(x instanceof Float64Array)) {
    throw new OckhamError('INVALID_ARGUMENT', 'x', 'expected a Float32Array or Float64Array');
  }
  if (x.length === 0) throw new OckhamError('EMPTY', 'x', 'expected a non-empty array');
  assertShapeMatches(x.length, shape, 'x', 'shape');
  const w = workingArray(x, o.f32, o.mode === 'percentile' || o.mode === 'explicit');
  const [channels, size] = as2d(shape);
  const codes = new Uint16Array(w.length);
  const los = new Float64Array(channels);
  const his = new Float64Array(channels);
  const steps = new Float64Array(channels);
  const constant = new Uint8Array(channels);
  for (let c = 0; c < channels; c++) {
    const start = c * size;
    const end = start + size;
    const where = `channel ${c}: `;
    const [lo, hi] = rangeOf(w, start, end, o);
    const step = stepOf(lo, hi, o, where);
    los[c] = lo;
    his[c] = hi;
    steps[c] = step;
    if (step === 0) {
      if (o.strict) throw constantError(where, lo, hi, o);
      constant[c] = 1;
      continue;
    }
    encode(w, start, end, codes, lo, step, o.maxCode, o.f32, o.mode === 'symmetric');
  }
  return {
    scheme: 'per-channel',
    codes,
    bits: o.bits,
    shape: Array.from(shape),
    channels,
    channelSize: size,
    lo: los,
    hi: his,
    step: steps,
    constant,
    arithmetic: o.f32 ? 'float32' : 'float64',
  };
}

/**
 * 1[x > 0] as 16-bit codes (the binarized baseline's plane), computed by the wasm kernel into a
 * view on its memory (valid until the next quantizer call), with finiteness checked in the same
 * pass; null where the wasm kernels are unavailable (the caller computes it in JS). Throws
 * NON_FINITE (argument `name`) naming the first NaN or ±∞. Internal.
 */
export function signCodesView(x: Float32Array, name: string): Uint16Array | null {
  const n = x.length;
  const k = kernelsFor(n);
  if (k === null) return null;
  const buf = k.memory.buffer;
  new Float32Array(buf, QX, n).set(x);
  const n8 = n & ~7;
  const off = codesOffset(n);
  k.sign(QX, off, n8);
  const acc = new Float32Array(buf, RES + 32, 4);
  const codes = new Uint16Array(buf, off, n);
  let bad = acc[0] + acc[1] + acc[2] + acc[3];
  for (let i = n8; i < n; i++) {
    const v = x[i];
    bad += v - v;
    codes[i] = +(v > 0);
  }
  if (bad !== 0) assertFiniteFloats(x, name); // throws, naming the first NaN or ±∞
  return codes;
}
