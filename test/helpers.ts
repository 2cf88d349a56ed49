/** Shared test helpers. */
import { expect } from 'vitest';
import { OckhamError } from '../src/errors.js';

/** Runs `f`, asserts it throws an OckhamError matching what is given, and returns the error. */
export function expectOckhamError(
  f: () => unknown,
  want: { argument?: string; code?: string; message?: RegExp } = {},
): OckhamError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(OckhamError);
  const e = err as OckhamError;
  if (want.argument !== undefined) expect(e.argument).toBe(want.argument);
  if (want.code !== undefined) expect(e.code).toBe(want.code);
  if (want.message !== undefined) expect(e.message).toMatch(want.message);
  return e;
}

/** Awaits `p`, asserts it rejects with an OckhamError naming `argument` (and `code`), returns the error. */
export async function rejectsArg(p: Promise<unknown>, argument: string, code?: string): Promise<OckhamError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  return expectOckhamError(() => {
    if (err !== undefined) throw err;
  }, { argument, ...(code ? { code } : {}) });
}
