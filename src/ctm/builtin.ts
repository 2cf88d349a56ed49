/**
 * ockham's built-in CTM tables, computed by ockham's own lazy Turing-machine enumerator
 * (`npm run ctm:build`; see docs/ctm.md) — no published table is copied. Each table carries its
 * `provenance`: machine space, cutoff, normaliser H (exact H0 or an estimate ± error), weight
 * totals, the sha256 of the raw counts and the commands that produced them.
 */
import { decodeBuiltinCtm } from './builtinDecode.js';
import { CTM1D_DATA } from './data/ctm1d.js';
import { CTM2D_DATA } from './data/ctm2d.js';
import type { CtmTable } from './types.js';
import type { BuiltinCtmData } from './builtinDecode.js';

/**
 * A table whose `shapes` are decoded on first use: importing ockham then costs nothing for the
 * 37k-key 2-D table until an estimator needs it (decoding takes tens of ms).
 */
function lazyTable(data: BuiltinCtmData): CtmTable {
  let decoded: CtmTable | undefined;
  return {
    ndim: data.ndim,
    nsymbols: 2,
    provenance: data.provenance,
    get shapes() {
      decoded ??= decodeBuiltinCtm(data);
      return decoded.shapes;
    },
  };
}

/**
 * Built-in 1-D binary CTM table, strings of length 1..12 (see `ctm1d.provenance.space`):
 * CTM(s) = −log2((c0(s) + c0(s̄)) / (2·H0)) from exact machine counts; strings no machine of the
 * space produces are absent and get the missing-block rule (shape max + 1 bit).
 *
 * @example
 * ```ts
 * import { ctm1d } from 'ockham';
 * ctm1d.shapes.get('4')!.values[0b0101]; // CTM of "0101" in bits
 * ```
 */
export const ctm1d: CtmTable = /* @__PURE__ */ lazyTable(CTM1D_DATA);

/**
 * Built-in 2-D binary CTM table, every r×c shape with r, c ≤ 4 (not only squares; see
 * `ctm2d.provenance`): exact counts of the machines with outputs up to 4×4 from a box-pruned
 * enumeration, normalised by H (exact part + Monte Carlo estimate of larger outputs when recorded).
 *
 * @example
 * ```ts
 * import { ctm2d } from 'ockham';
 * ctm2d.shapes.get('4x4')!.values[0]; // CTM of the all-zero 4×4 block, bits
 * ```
 */
export const ctm2d: CtmTable = /* @__PURE__ */ lazyTable(CTM2D_DATA);
