/**
 * WebAssembly SIMD (f64x2) versions of the two GEMM kernels of ./gemm.ts, assembled here byte by
 * byte (no toolchain): plain JS has no SIMD and pays a bounds check per typed-array access, so the
 * register-blocked JS kernels top out near 5–7 GFLOP/s; these run two multiply-adds per
 * instruction on unchecked linear memory.
 *
 * They only apply to arrays that are views of one WebAssembly.Memory: {@link wasmArena} creates a
 * fresh memory per singular-value computation and carves the work arrays out of it, so the
 * reductions (./qr-blocked.ts, ./bidiag-blocked.ts) keep their Float64Array code and the kernels
 * of ./gemm.ts dispatch here when every operand lives in that memory. Anywhere WebAssembly SIMD is
 * missing (old browsers, CSP without wasm) the arena returns plain Float64Arrays and the JS kernels
 * run unchanged: same operations, same results up to the order of the floating-point additions.
 *
 * The wasm kernels cover the bulk (columns in groups of 4 or 2, reflectors in groups of 4, rows in
 * pairs or octets); ./gemm.ts does the remainders with the JS kernels. Measured in isolation
 * (one core of the development AMD EPYC, loaded machine, best of 15): the trailing update
 * A −= V·Z runs at ≈ 11 GFLOP/s (32 reflectors, 3072-long columns) and ≈ 15.5 GFLOP/s (64),
 * against ≈ 7 and ≈ 4 GFLOP/s for the JS kernel; Vᵀ·A at ≈ 10–15 GFLOP/s against ≈ 3–5.
 */

import {
  and,
  shrU,
  uleb,
  I32,
  V128,
  get,
  set,
  i32c,
  add,
  mul,
  shl,
  geS,
  gtS,
  simd,
  v128load,
  v128store,
  f64load,
  f64store,
  f64storeAt,
  f64add,
  splat,
  lane,
  f2add,
  f2sub,
  f2mul,
  block,
  loop,
  end,
  brIf,
  br,
  inc,
  funcBody,
  section,
  str,
  lazyModule,
  f64mul,
} from '../util/wasm-asm.js';

/**
 * dots(v, a, w, ld, r0, r1, nb, nc, ldw): W[p·ldw + j] += Σ_{r0 ≤ i < r1} V[p·ld + i]·A[j·ld + i]
 * for p < nb (a multiple of 4), j < nc (a multiple of 2), r1 − r0 even. 4 reflectors × 2 columns
 * per pass: 8 f64x2 accumulators, 6 loads per 16 multiply-adds.
 */
function dotsBody(): number[] {
  const [V, A, W, LD, R0, R1, NBp, NC, LDW] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [LD8, J, P, I, B0, B1, O0, O1, O2, O3, OFF, WQ] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const S = (q: number, cc: number): number => 21 + q * 2 + cc; // v128 21..28
  const X0 = 29;
  const X1 = 30;
  const VT = 31;
  const O = [O0, O1, O2, O3];
  const c: number[] = [];
  c.push(...get(LD), ...i32c(3), ...shl, ...set(LD8));
  c.push(...i32c(0), ...set(J));
  c.push(...block, ...loop);
  c.push(...get(J), ...i32c(2), ...add, ...get(NC), ...gtS, ...brIf(1));
  c.push(...get(A), ...get(J), ...get(LD8), ...mul, ...add, ...set(B0));
  c.push(...get(B0), ...get(LD8), ...add, ...set(B1));
  c.push(...i32c(0), ...set(P));
  c.push(...block, ...loop);
  c.push(...get(P), ...i32c(4), ...add, ...get(NBp), ...gtS, ...brIf(1));
  c.push(...get(V), ...get(P), ...get(LD8), ...mul, ...add, ...set(O0));
  for (let k = 1; k < 4; k++) c.push(...get(O[k - 1]), ...get(LD8), ...add, ...set(O[k]));
  // zero accumulators: splat(0.0) via f64.const 0
  for (let q = 0; q < 4; q++) for (let cc = 0; cc < 2; cc++) c.push(0x44, 0, 0, 0, 0, 0, 0, 0, 0, ...splat, ...set(S(q, cc)));
  c.push(...get(R0), ...set(I));
  c.push(...block, ...loop);
  c.push(...get(I), ...get(R1), ...geS, ...brIf(1));
  c.push(...get(I), ...i32c(3), ...shl, ...set(OFF));
  c.push(...get(B0), ...get(OFF), ...add, ...v128load, ...set(X0));
  c.push(...get(B1), ...get(OFF), ...add, ...v128load, ...set(X1));
  for (let q = 0; q < 4; q++) {
    c.push(...get(O[q]), ...get(OFF), ...add, ...v128load, ...set(VT));
    c.push(...get(S(q, 0)), ...get(VT), ...get(X0), ...f2mul, ...f2add, ...set(S(q, 0)));
    c.push(...get(S(q, 1)), ...get(VT), ...get(X1), ...f2mul, ...f2add, ...set(S(q, 1)));
  }
  c.push(...inc(I, i32c(2)), ...br(0), ...end, ...end);
  // W[(p+q)·ldw + j + cc] += lane0 + lane1
  for (let q = 0; q < 4; q++) {
    for (let cc = 0; cc < 2; cc++) {
      // wq = w + ((p+q)·ldw + j + cc)·8
      c.push(...get(W), ...get(P), ...i32c(q), ...add, ...get(LDW), ...mul, ...get(J), ...add, ...i32c(cc), ...add);
      c.push(...i32c(3), ...shl, ...add, ...set(WQ));
      c.push(...get(WQ));
      c.push(...get(WQ), ...f64load(0), ...get(S(q, cc)), ...lane(0), ...f64add, ...get(S(q, cc)), ...lane(1), ...f64add);
      c.push(...f64store);
    }
  }
  c.push(...inc(P, i32c(4)), ...br(0), ...end, ...end);
  c.push(...inc(J, i32c(2)), ...br(0), ...end, ...end);
  return funcBody(
    [
      [12, I32],
      [11, V128],
    ],
    c,
  );
}

/**
 * dotc(a, ld, r0, r1, c0, c1, x, out, _): out[j] = Σ_{r0 ≤ r < r1} A[j·ld + r]·X[r] for
 * c0 ≤ j < c1 ((c1 − c0) a multiple of 4, r1 − r0 even); x, out are byte addresses of X[0], out[0].
 */
function dotcBody(): number[] {
  const [A, LD, R0, R1, C0, C1, X, OUT] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [LD8, J, I, B0, B1, B2, B3, OFF, OQ] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
  const S = (k: number): number => 18 + k; // v128 18..21
  const XV = 22;
  const B = [B0, B1, B2, B3];
  const c: number[] = [];
  c.push(...get(LD), ...i32c(3), ...shl, ...set(LD8));
  c.push(...get(C0), ...set(J));
  c.push(...block, ...loop);
  c.push(...get(J), ...i32c(4), ...add, ...get(C1), ...gtS, ...brIf(1));
  c.push(...get(A), ...get(J), ...get(LD8), ...mul, ...add, ...set(B0));
  for (let k = 1; k < 4; k++) c.push(...get(B[k - 1]), ...get(LD8), ...add, ...set(B[k]));
  for (let k = 0; k < 4; k++) c.push(0x44, 0, 0, 0, 0, 0, 0, 0, 0, ...splat, ...set(S(k)));
  c.push(...get(R0), ...set(I));
  c.push(...block, ...loop);
  c.push(...get(I), ...get(R1), ...geS, ...brIf(1));
  c.push(...get(I), ...i32c(3), ...shl, ...set(OFF));
  c.push(...get(X), ...get(OFF), ...add, ...v128load, ...set(XV));
  for (let k = 0; k < 4; k++) {
    c.push(...get(S(k)), ...get(B[k]), ...get(OFF), ...add, ...v128load, ...get(XV), ...f2mul, ...f2add, ...set(S(k)));
  }
  c.push(...inc(I, i32c(2)), ...br(0), ...end, ...end);
  c.push(...get(OUT), ...get(J), ...i32c(3), ...shl, ...add, ...set(OQ));
  for (let k = 0; k < 4; k++) {
    c.push(...get(OQ), ...get(S(k)), ...lane(0), ...get(S(k)), ...lane(1), ...f64add, ...f64storeAt(8 * k));
  }
  c.push(...inc(J, i32c(4)), ...br(0), ...end, ...end);
  return funcBody(
    [
      [9, I32],
      [5, V128],
    ],
    c,
  );
}

/**
 * comb(a, ld, r0, r1, c0, c1, u, out, _): OUT[r] += Σ_{c0 ≤ j < c1} A[j·ld + r]·U[j] for
 * r0 ≤ r < r1 ((c1 − c0) a multiple of 4, r1 − r0 even); u, out are byte addresses of U[0], OUT[0].
 */
function combBody(): number[] {
  const [A, LD, R0, R1, C0, C1, U, OUT] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [LD8, J, I, B0, B1, B2, B3, OFF, OQ] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
  const US = (k: number): number => 18 + k; // v128 18..21
  const B = [B0, B1, B2, B3];
  const c: number[] = [];
  c.push(...get(LD), ...i32c(3), ...shl, ...set(LD8));
  c.push(...get(C0), ...set(J));
  c.push(...block, ...loop);
  c.push(...get(J), ...i32c(4), ...add, ...get(C1), ...gtS, ...brIf(1));
  c.push(...get(A), ...get(J), ...get(LD8), ...mul, ...add, ...set(B0));
  for (let k = 1; k < 4; k++) c.push(...get(B[k - 1]), ...get(LD8), ...add, ...set(B[k]));
  c.push(...get(U), ...get(J), ...i32c(3), ...shl, ...add, ...set(OQ));
  for (let k = 0; k < 4; k++) c.push(...get(OQ), ...f64load(8 * k), ...splat, ...set(US(k)));
  c.push(...get(R0), ...set(I));
  c.push(...block, ...loop);
  c.push(...get(I), ...get(R1), ...geS, ...brIf(1));
  c.push(...get(I), ...i32c(3), ...shl, ...set(OFF));
  c.push(...get(OUT), ...get(OFF), ...add, ...set(OQ));
  c.push(...get(OQ), ...get(OQ), ...v128load);
  for (let k = 0; k < 4; k++) c.push(...get(B[k]), ...get(OFF), ...add, ...v128load, ...get(US(k)), ...f2mul, ...f2add);
  c.push(...v128store);
  c.push(...inc(I, i32c(2)), ...br(0), ...end, ...end);
  c.push(...inc(J, i32c(4)), ...br(0), ...end, ...end);
  return funcBody(
    [
      [9, I32],
      [4, V128],
    ],
    c,
  );
}

/**
 * ger(a, ld, r0, r1, c0, c1, x, y, _): A[j·ld + r] −= X[r]·Y[j] for r0 ≤ r < r1, c0 ≤ j < c1
 * ((c1 − c0) a multiple of 4, r1 − r0 even); x, y are byte addresses of X[0], Y[0].
 */
function gerBody(): number[] {
  const [A, LD, R0, R1, C0, C1, X, Y] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [LD8, J, I, B0, B1, B2, B3, OFF, OQ] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
  const YS = (k: number): number => 18 + k; // v128 18..21
  const XV = 22;
  const B = [B0, B1, B2, B3];
  const c: number[] = [];
  c.push(...get(LD), ...i32c(3), ...shl, ...set(LD8));
  c.push(...get(C0), ...set(J));
  c.push(...block, ...loop);
  c.push(...get(J), ...i32c(4), ...add, ...get(C1), ...gtS, ...brIf(1));
  c.push(...get(A), ...get(J), ...get(LD8), ...mul, ...add, ...set(B0));
  for (let k = 1; k < 4; k++) c.push(...get(B[k - 1]), ...get(LD8), ...add, ...set(B[k]));
  c.push(...get(Y), ...get(J), ...i32c(3), ...shl, ...add, ...set(OQ));
  for (let k = 0; k < 4; k++) c.push(...get(OQ), ...f64load(8 * k), ...splat, ...set(YS(k)));
  c.push(...get(R0), ...set(I));
  c.push(...block, ...loop);
  c.push(...get(I), ...get(R1), ...geS, ...brIf(1));
  c.push(...get(I), ...i32c(3), ...shl, ...set(OFF));
  c.push(...get(X), ...get(OFF), ...add, ...v128load, ...set(XV));
  for (let k = 0; k < 4; k++) {
    c.push(...get(B[k]), ...get(OFF), ...add, ...set(OQ));
    c.push(...get(OQ), ...get(OQ), ...v128load, ...get(XV), ...get(YS(k)), ...f2mul, ...f2sub, ...v128store);
  }
  c.push(...inc(I, i32c(2)), ...br(0), ...end, ...end);
  c.push(...inc(J, i32c(4)), ...br(0), ...end, ...end);
  return funcBody(
    [
      [9, I32],
      [5, V128],
    ],
    c,
  );
}

/**
 * update8(v, a, z, ld, r0, r1, nb, nc, ldz): A[j·ld + i] −= Σ_p V[p·ld + i]·Z[p·ldz + j] (v, a,
 * z byte addresses; ld, ldz in elements) in inner-product order: for 2 columns × 8 rows, C = Σ_p V[p, rows]·Z[p, cols] is accumulated in 8
 * f64x2 registers over all nb reflectors (4 loads + 2 splat-loads per 16 multiply-adds) and A is
 * read and written once. nc even, r1 − r0 a multiple of 8, any nb.
 */
function update8Body(separate = false): number[] {
  const [V, A, Z, LD, R0, R1, NBp, NC, LDZ] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [LD8, LDZ8, J, I, P, B0, B1, OFF, VQ, ZQ, ZJ, Q] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const S = (r: number, cc: number): number => 21 + r * 2 + cc; // v128 21..28
  const Z0 = 29;
  const Z1 = 30;
  const VT = 31;
  const zero = [0x44, 0, 0, 0, 0, 0, 0, 0, 0, ...splat];
  const load64splat = (off: number): number[] => [...simd(10), 0x03, ...uleb(off)];
  const v128loadAt = (off: number): number[] => [...simd(0), 0x03, ...uleb(off)];
  const v128storeAt = (off: number): number[] => [...simd(11), 0x03, ...uleb(off)];
  const LDV8 = 32; // separate variant: V's own stride (high 16 bits of the ldz argument)
  const c: number[] = [];
  c.push(...get(LD), ...i32c(3), ...shl, ...set(LD8));
  if (separate) {
    c.push(...get(LDZ), ...i32c(65535), ...and, ...i32c(3), ...shl, ...set(LDZ8));
    c.push(...get(LDZ), ...i32c(16), ...shrU, ...i32c(3), ...shl, ...set(LDV8));
  } else {
    c.push(...get(LDZ), ...i32c(3), ...shl, ...set(LDZ8));
  }
  c.push(...i32c(0), ...set(J));
  c.push(...block, ...loop);
  c.push(...get(J), ...i32c(2), ...add, ...get(NC), ...gtS, ...brIf(1));
  c.push(...get(A), ...get(J), ...get(LD8), ...mul, ...add, ...set(B0));
  c.push(...get(B0), ...get(LD8), ...add, ...set(B1));
  c.push(...get(Z), ...get(J), ...i32c(3), ...shl, ...add, ...set(ZJ));
  c.push(...get(R0), ...set(I));
  c.push(...block, ...loop);
  c.push(...get(I), ...get(R1), ...geS, ...brIf(1));
  c.push(...get(I), ...i32c(3), ...shl, ...set(OFF));
  for (let r = 0; r < 4; r++) for (let cc = 0; cc < 2; cc++) c.push(...zero, ...set(S(r, cc)));
  c.push(...get(V), ...get(OFF), ...add, ...set(VQ));
  c.push(...get(ZJ), ...set(ZQ));
  c.push(...i32c(0), ...set(P));
  c.push(...block, ...loop);
  c.push(...get(P), ...get(NBp), ...geS, ...brIf(1));
  c.push(...get(ZQ), ...load64splat(0), ...set(Z0));
  c.push(...get(ZQ), ...load64splat(8), ...set(Z1));
  for (let r = 0; r < 4; r++) {
    c.push(...get(VQ), ...v128loadAt(16 * r), ...set(VT));
    c.push(...get(S(r, 0)), ...get(VT), ...get(Z0), ...f2mul, ...f2add, ...set(S(r, 0)));
    c.push(...get(S(r, 1)), ...get(VT), ...get(Z1), ...f2mul, ...f2add, ...set(S(r, 1)));
  }
  c.push(...inc(VQ, get(separate ? LDV8 : LD8)), ...inc(ZQ, get(LDZ8)), ...inc(P, i32c(1)), ...br(0), ...end, ...end);
  for (let cc = 0; cc < 2; cc++) {
    c.push(...get(cc === 0 ? B0 : B1), ...get(OFF), ...add, ...set(Q));
    for (let r = 0; r < 4; r++) {
      c.push(...get(Q), ...get(Q), ...v128loadAt(16 * r), ...get(S(r, cc)), ...f2sub, ...v128storeAt(16 * r));
    }
  }
  c.push(...inc(I, i32c(8)), ...br(0), ...end, ...end);
  c.push(...inc(J, i32c(2)), ...br(0), ...end, ...end);
  return funcBody(
    [
      [12, I32],
      [11, V128],
      ...(separate ? ([[1, I32]] as [number, number][]) : []),
    ],
    c,
  );
}

/**
 * symv(a, ld, c0, c1, x, y, n, _, _): the lower-triangle symmetric matrix–vector product used by
 * the Gram route's tridiagonalisation (./gram.ts). For each column c0 ≤ c < c1 of column storage
 * (entries A[c·ld + r] valid for r ≥ c): y[c] += A[c,c]·x[c] + Σ_{c<r<n} A[c·ld + r]·x[r] and
 * y[r] += A[c·ld + r]·x[c] for c < r < n — so each stored element is read once and used twice
 * (half the memory traffic of a full-storage product). a, x, y are byte addresses of element 0.
 */
function symvBody(): number[] {
  const [A, LD, C0, C1, X, Y, N] = [0, 1, 2, 3, 4, 5, 6];
  const [LD8, C, COL, R, OFF, P] = [9, 10, 11, 12, 13, 14];
  const [XC, SD, AS] = [15, 16, 17]; // f64
  const [XCV, S0, S1, AV, AV1] = [18, 19, 20, 21, 22]; // v128
  const zero = [0x44, 0, 0, 0, 0, 0, 0, 0, 0, ...splat];
  const v128loadAt = (off: number): number[] => [...simd(0), 0x03, ...uleb(off)];
  const v128storeAt = (off: number): number[] => [...simd(11), 0x03, ...uleb(off)];
  const c: number[] = [];
  c.push(...get(LD), ...i32c(3), ...shl, ...set(LD8));
  c.push(...get(C0), ...set(C));
  c.push(...block, ...loop);
  c.push(...get(C), ...get(C1), ...geS, ...brIf(1));
  c.push(...get(A), ...get(C), ...get(LD8), ...mul, ...add, ...set(COL));
  c.push(...get(X), ...get(C), ...i32c(3), ...shl, ...add, ...f64load(0), ...set(XC));
  c.push(...get(XC), ...splat, ...set(XCV));
  c.push(...zero, ...set(S0), ...zero, ...set(S1));
  c.push(...get(COL), ...get(C), ...i32c(3), ...shl, ...add, ...f64load(0), ...get(XC), ...f64mul, ...set(SD));
  c.push(...get(C), ...i32c(1), ...add, ...set(R));
  // 4 rows per pass, two accumulators.
  c.push(...block, ...loop);
  c.push(...get(R), ...i32c(4), ...add, ...get(N), ...gtS, ...brIf(1));
  c.push(...get(R), ...i32c(3), ...shl, ...set(OFF));
  c.push(...get(COL), ...get(OFF), ...add, ...set(P));
  c.push(...get(P), ...v128loadAt(0), ...set(AV), ...get(P), ...v128loadAt(16), ...set(AV1));
  c.push(...get(X), ...get(OFF), ...add, ...set(P));
  c.push(...get(S0), ...get(AV), ...get(P), ...v128loadAt(0), ...f2mul, ...f2add, ...set(S0));
  c.push(...get(S1), ...get(AV1), ...get(P), ...v128loadAt(16), ...f2mul, ...f2add, ...set(S1));
  c.push(...get(Y), ...get(OFF), ...add, ...set(P));
  c.push(...get(P), ...get(P), ...v128loadAt(0), ...get(AV), ...get(XCV), ...f2mul, ...f2add, ...v128storeAt(0));
  c.push(...get(P), ...get(P), ...v128loadAt(16), ...get(AV1), ...get(XCV), ...f2mul, ...f2add, ...v128storeAt(16));
  c.push(...inc(R, i32c(4)), ...br(0), ...end, ...end);
  // Scalar tail (≤ 3 rows).
  c.push(...block, ...loop);
  c.push(...get(R), ...get(N), ...geS, ...brIf(1));
  c.push(...get(R), ...i32c(3), ...shl, ...set(OFF));
  c.push(...get(COL), ...get(OFF), ...add, ...f64load(0), ...set(AS));
  c.push(...get(SD), ...get(AS), ...get(X), ...get(OFF), ...add, ...f64load(0), ...f64mul, ...f64add, ...set(SD));
  c.push(...get(Y), ...get(OFF), ...add, ...set(P));
  c.push(...get(P), ...get(P), ...f64load(0), ...get(AS), ...get(XC), ...f64mul, ...f64add, ...f64store);
  c.push(...inc(R, i32c(1)), ...br(0), ...end, ...end);
  // y[c] += sd + Σ lanes.
  c.push(...get(S0), ...get(S1), ...f2add, ...set(S0));
  c.push(...get(Y), ...get(C), ...i32c(3), ...shl, ...add, ...set(P));
  c.push(...get(P), ...get(P), ...f64load(0), ...get(SD), ...f64add, ...get(S0), ...lane(0), ...f64add, ...get(S0), ...lane(1), ...f64add, ...f64store);
  c.push(...inc(C, i32c(1)), ...br(0), ...end, ...end);
  return funcBody(
    [
      [6, I32],
      [3, 0x7c],
      [5, V128],
    ],
    c,
  );
}

/** The module's bytes (≈ 2.3 KiB: under the 4 KiB browsers allow for synchronous compilation). */
export function moduleBytes(): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...uleb(9), ...Array(9).fill(I32), 0x00]; // (9 × i32) → ()
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, ...type]),
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 0x00]), // import memory e.m, min 0
    ...section(3, [7, 0, 0, 0, 0, 0, 0, 0]),
    ...section(7, [7, ...str('d'), 0x00, 0, ...str('t'), 0x00, 1, ...str('c'), 0x00, 2, ...str('g'), 0x00, 3, ...str('w'), 0x00, 4, ...str('s'), 0x00, 5, ...str('u'), 0x00, 6]),
    ...section(10, [7, ...dotsBody(), ...dotcBody(), ...combBody(), ...gerBody(), ...update8Body(), ...symvBody(), ...update8Body(true)]),
  ];
  return new Uint8Array(bytes);
}

type Kernel = (v: number, a: number, z: number, ld: number, r0: number, r1: number, nb: number, nc: number, ldz: number) => void;

/** Compiled once, lazily; null when WebAssembly SIMD is unavailable. */
const wasmModule = lazyModule(moduleBytes);

/** The kernels bound to one memory; `buffer` identifies arrays that are views of it. */
export interface WasmGemm {
  readonly buffer: ArrayBufferLike;
  readonly dots: Kernel;
  readonly dotc: Kernel;
  readonly comb: Kernel;
  readonly ger: Kernel;
  readonly update8: Kernel;
  readonly symv: Kernel;
  /**
   * update8 with V's stride separate from A's: the `ldz` argument carries ldz | (ldv << 16), V
   * element (p, i) at v + 8·(p·ldv + i) (pass v already offset by −8·r0 for a packed row block).
   */
  readonly update8s: Kernel;
}

/** The active arena's kernels (set while a reduction runs in an arena, see {@link wasmArena}). */
export let activeGemm: WasmGemm | null = null;

/** Disables the wasm kernels (tests use it to exercise the JS fallback on the same inputs). */
let disabled = false;
export function setWasmGemmEnabled(on: boolean): void {
  disabled = !on;
}

/** Bump allocator of Float64Arrays: views of one fresh wasm memory, or plain arrays. */
export interface Arena {
  f64(n: number): Float64Array;
  /** Ends the arena's kernels (the arrays stay valid). */
  release(): void;
}

/**
 * An arena able to hold `totalDoubles` Float64 values (callers add a little slack per array for
 * 16-byte alignment). Below `minDoubles` or without wasm SIMD, arrays are plain Float64Arrays.
 */
export function wasmArena(totalDoubles: number, minDoubles = 4096): Arena {
  const mod = disabled || totalDoubles < minDoubles ? null : wasmModule();
  if (mod === null) return { f64: (n) => new Float64Array(n), release: () => {} };
  const pages = Math.ceil((totalDoubles * 8 + 64) / 65536);
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages });
  } catch {
    return { f64: (n) => new Float64Array(n), release: () => {} };
  }
  const inst = new WebAssembly.Instance(mod, { e: { m: memory } });
  const ex = inst.exports as unknown as { d: Kernel; t: Kernel; c: Kernel; g: Kernel; w: Kernel; s: Kernel; u: Kernel };
  const gemm: WasmGemm = { buffer: memory.buffer, dots: ex.d, dotc: ex.t, comb: ex.c, ger: ex.g, update8: ex.w, symv: ex.s, update8s: ex.u };
  const prev = activeGemm;
  activeGemm = gemm;
  let top = 0; // in doubles
  const cap = pages * 8192;
  return {
    f64(n: number): Float64Array {
      top = (top + 1) & ~1; // 16-byte alignment
      if (top + n > cap) return new Float64Array(n); // should not happen; stays correct (JS kernels)
      const a = new Float64Array(memory.buffer, top * 8, n);
      top += n;
      return a;
    },
    release(): void {
      activeGemm = prev;
    },
  };
}
