/**
 * Boundary validation shared by every public function. Kernels trust their inputs; these
 * asserts run once at the public boundary and throw {@link OckhamError} naming the argument.
 */
import { OckhamError } from '../errors.js';

/** A tensor shape: positive integer dimensions, row-major. */
export type Shape = readonly number[];

export type FloatArray = Float32Array | Float64Array;

/** Throws unless `value` is an integer in [min, max]. */
export function assertInt(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new OckhamError('OUT_OF_RANGE', name, `expected an integer in ${min}..${max}, got ${String(value)}`);
  }
  return value;
}

/** Throws unless `value` is a finite number in [min, max] (inclusive unless told). */
export function assertNumber(
  value: unknown,
  name: string,
  min = -Infinity,
  max = Infinity,
  { minExclusive = false, maxExclusive = false } = {},
): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new OckhamError('NON_FINITE', name, `expected a finite number, got ${String(value)}`);
  }
  const lowOk = minExclusive ? value > min : value >= min;
  const highOk = maxExclusive ? value < max : value <= max;
  if (!lowOk || !highOk) {
    const lb = minExclusive ? '(' : '[';
    const rb = maxExclusive ? ')' : ']';
    throw new OckhamError('OUT_OF_RANGE', name, `expected a number in ${lb}${min}, ${max}${rb}, got ${value}`);
  }
  return value;
}

/** Throws unless `value` is one of `allowed`. */
export function assertOneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new OckhamError(
      'INVALID_ARGUMENT',
      name,
      `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

/** Throws on keys of `options` not in `known` (catches typos such as `{ bit: 8 }`). */
export function assertKnownOptions(options: unknown, name: string, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OckhamError('INVALID_ARGUMENT', name, 'expected an options object');
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new OckhamError(
        'UNKNOWN_OPTION',
        `${name}.${key}`,
        `unknown option; allowed options are ${known.map((k) => `'${k}'`).join(', ')}`,
      );
    }
  }
}

/** Validates a shape and returns the product of its dimensions. */
export function assertShape(shape: unknown, name: string): number {
  if (!Array.isArray(shape) || shape.length === 0) {
    throw new OckhamError('INVALID_ARGUMENT', name, 'expected a non-empty array of positive integers');
  }
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) {
      throw new OckhamError('INVALID_ARGUMENT', `${name}[${i}]`, `expected a positive integer, got ${String(d)}`);
    }
    size *= d;
  }
  return size;
}

/** Validates that `data.length` equals the product of `shape`. */
export function assertShapeMatches(length: number, shape: unknown, dataName: string, shapeName: string): number {
  const size = assertShape(shape, shapeName);
  if (size !== length) {
    throw new OckhamError(
      'SHAPE_MISMATCH',
      dataName,
      `length ${length} does not match ${shapeName} [${(shape as number[]).join(', ')}] (product ${size})`,
    );
  }
  return size;
}

/** Throws unless `x` is a non-empty Float32Array/Float64Array of finite values. */
export function assertFiniteFloats(x: unknown, name: string, { allowEmpty = false } = {}): FloatArray {
  if (!(x instanceof Float32Array) && !(x instanceof Float64Array)) {
    throw new OckhamError('INVALID_ARGUMENT', name, 'expected a Float32Array or Float64Array');
  }
  if (!allowEmpty && x.length === 0) {
    throw new OckhamError('EMPTY', name, 'expected a non-empty array');
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    // v - v is NaN exactly for NaN and ±Infinity: one comparison in the loop.
    if (v - v !== 0) {
      throw new OckhamError('NON_FINITE', name, `element ${i} is ${v}; expected finite values`);
    }
  }
  return x;
}

/** Views a shape with more than two dims as (dim0, product of the rest); 1-D as (1, n). */
export function as2d(shape: Shape): [number, number] {
  if (shape.length === 1) return [1, shape[0]];
  let rest = 1;
  for (let i = 1; i < shape.length; i++) rest *= shape[i];
  return [shape[0], rest];
}
