/**
 * The one error type ockham throws at its public boundary.
 *
 * `code` is a stable machine-readable reason; `argument` names the offending argument
 * (or option path, e.g. `options.bits`); the message states the allowed range.
 *
 * `MISSING_TABLE`: a CTM table you passed lacks the block shape an estimator needs (QuBD's 4×4).
 * An absent `table` option is never an error: the built-in tables (`ctm1d`, `ctm2d`) are used.
 */
export type OckhamErrorCode =
  | 'INVALID_ARGUMENT'
  | 'OUT_OF_RANGE'
  | 'NON_FINITE'
  | 'EMPTY'
  | 'SHAPE_MISMATCH'
  | 'NOT_BINARY'
  | 'UNKNOWN_OPTION'
  | 'PARSE_ERROR'
  | 'MISSING_TABLE'
  | 'UNSUPPORTED';

export class OckhamError extends Error {
  readonly code: OckhamErrorCode;
  readonly argument: string;
  constructor(code: OckhamErrorCode, argument: string, message: string) {
    super(`${argument}: ${message}`);
    this.name = 'OckhamError';
    this.code = code;
    this.argument = argument;
  }
}
