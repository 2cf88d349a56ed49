/** Node-side error helpers: every failure names the file path. */
import { OckhamError } from '../../errors.js';

/** Rethrows fs errors and parse errors as OckhamError with the path as the argument. */
export function rethrowWithPath(path: string, e: unknown): never {
  if (e instanceof OckhamError) {
    if (e.argument === path) throw e;
    throw new OckhamError(e.code, path, e.message);
  }
  const err = e as NodeJS.ErrnoException;
  const reason =
    err?.code === 'ENOENT'
      ? 'no such file'
      : err?.code === 'EISDIR'
        ? 'is a directory, expected a file'
        : err?.code === 'EACCES'
          ? 'permission denied'
          : `cannot read file (${err?.code ?? ''} ${err?.message ?? String(e)})`.replace('( ', '(');
  throw new OckhamError('INVALID_ARGUMENT', path, reason);
}
