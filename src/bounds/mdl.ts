/** totalDescriptionLength: two-part MDL code length, model bits + data bits. */
import { OckhamError } from '../errors.js';
import { assertKnownOptions, assertNumber, assertOneOf } from '../util/validate.js';

/** Arguments of {@link totalDescriptionLength}. */
export interface DescriptionLengthArgs {
  /** Length of the model's description in bits (e.g. a coarse-grained compressed size), ≥ 0. */
  readonly modelBits: number;
  /** Total negative log-likelihood of the dataset under the model (summed, not averaged), ≥ 0. */
  readonly dataNll: number;
  /** Unit of `dataNll`: 'nats' (default; natural-log cross-entropy) or 'bits'. */
  readonly unit?: 'nats' | 'bits';
}

/** Result of {@link totalDescriptionLength}, all in bits. */
export interface DescriptionLength {
  readonly totalBits: number;
  readonly modelBits: number;
  /** dataNll in bits: nats / ln 2. */
  readonly dataBits: number;
}

/**
 * Two-part minimum-description-length code length (Rissanen 1978; Grünwald 2007, ch. 1), as in
 * DeMoss et al. ("The Complexity Dynamics of Grokking", §MDL): L(M) + L(D | M), where L(D | M) is
 * the data's negative log-likelihood under the model — the length of an arithmetic code of D
 * using M's predictions. A NLL in nats is converted to bits by dividing by ln 2.
 *
 * @param args - `{ modelBits, dataNll, unit? }`: model bits, the dataset's TOTAL NLL, its unit.
 * @returns `{ totalBits, modelBits, dataBits }` in bits.
 * @throws {@link OckhamError} `OUT_OF_RANGE` for negative values, `NON_FINITE` for NaN/∞,
 *   `INVALID_ARGUMENT` for an unknown unit.
 * @example
 * ```ts
 * import { totalDescriptionLength } from 'ockham';
 * totalDescriptionLength({ modelBits: 8000, dataNll: 693.147, unit: 'nats' });
 * // { totalBits: ≈ 9000, modelBits: 8000, dataBits: ≈ 1000 }
 * ```
 */
export function totalDescriptionLength(args: DescriptionLengthArgs): DescriptionLength {
  if (args === null || typeof args !== 'object') throw new OckhamError('INVALID_ARGUMENT', 'args', 'expected { modelBits, dataNll, unit? }');
  assertKnownOptions(args, 'args', ['modelBits', 'dataNll', 'unit']);
  const modelBits = assertNumber(args.modelBits, 'modelBits', 0);
  const nll = assertNumber(args.dataNll, 'dataNll', 0);
  const unit = assertOneOf(args.unit ?? 'nats', 'unit', ['nats', 'bits'] as const);
  const dataBits = unit === 'nats' ? nll / Math.LN2 : nll;
  return { totalBits: modelBits + dataBits, modelBits, dataBits };
}
