/** The report's input check: stored NaN/±Infinity are refused with the file and tensor named. */
import { OckhamError } from '../errors.js';

/**
 * Throws NON_FINITE (argument = the file path) at the first NaN or ±Infinity of a tensor, naming
 * the tensor and the element, before any measure runs — so the error is never blamed on an option
 * such as `--delta` and always has the `CODE: path: message` form.
 */
export function assertFiniteTensor(t: { name: string; shape: readonly number[]; data: Float32Array }, file: string): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v - v !== 0) {
      throw new OckhamError(
        'NON_FINITE',
        file,
        `tensor ${JSON.stringify(t.name)} [${t.shape.join(', ')}] holds ${v} at element ${i}; ockham measures finite weights only`,
      );
    }
  }
}
