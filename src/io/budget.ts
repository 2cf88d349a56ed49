/**
 * Resource budgets of the weight-file readers: every allocation a reader makes for a file's
 * content is checked against one of these limits first. The defaults read any 7B-parameter
 * checkpoint (headers of a few MB, largest tensor ~545 M elements = 2.2 GB as float32) and refuse
 * the hostile inputs listed in docs/security.md.
 */
import { OckhamError } from '../errors.js';
import { assertInt } from '../util/validate.js';

/** Limits of the weight-file readers (all optional; see {@link READ_BUDGET_DEFAULTS}). */
export interface ReadBudget {
  /**
   * Largest header or manifest, bytes: the safetensors JSON header, a `.npy` header, a tfjs
   * `model.json`. Default 16 MiB (a 7B model's safetensors header is ~30–100 KB).
   */
  maxHeaderBytes?: number;
  /** Largest float32 output of one tensor, bytes. Default 2³² (4 GiB = 2³⁰ elements). */
  maxTensorBytes?: number;
  /**
   * Largest float32 output of one call, summed over its tensors, bytes. Default 2³⁶ (64 GiB;
   * a 7B-parameter model is 28 GB as float32). Streaming readers count what they yield.
   */
  maxTotalBytes?: number;
  /** Most tensors (or archive members) in one file. Default 1,000,000. */
  maxTensors?: number;
  /**
   * Compressed inputs (`.npz` deflate members): most float32 output bytes per archive byte,
   * beyond a free allowance of 64 MiB. Default 128: real weights compress ~1.1–3× (×4 for
   * 8-bit data widened to float32); a zip bomb expands ~4000×.
   */
  maxExpansion?: number;
  /** Deepest JSON / Python-literal nesting accepted in a header. Default 128 (the safetensors reference reader's limit). */
  maxHeaderDepth?: number;
}

/** Default limits of {@link ReadBudget}. */
export const READ_BUDGET_DEFAULTS: Readonly<Required<ReadBudget>> = Object.freeze({
  maxHeaderBytes: 16 * 2 ** 20,
  maxTensorBytes: 2 ** 32,
  maxTotalBytes: 2 ** 36,
  maxTensors: 1_000_000,
  maxExpansion: 128,
  maxHeaderDepth: 128,
});

/** Free allowance of {@link ReadBudget.maxExpansion}, bytes. */
export const EXPANSION_ALLOWANCE = 64 * 2 ** 20;

/** Option names of {@link ReadBudget}, for `assertKnownOptions`. */
export const BUDGET_KEYS: readonly (keyof ReadBudget)[] = Object.keys(READ_BUDGET_DEFAULTS) as (keyof ReadBudget)[];

/** Validates the budget fields of `options` (named `name.field` in errors) and fills in defaults. */
export function resolveReadBudget(options: ReadBudget | undefined, name = 'options'): Required<ReadBudget> {
  const out = { ...READ_BUDGET_DEFAULTS } as Required<ReadBudget>;
  if (options === undefined || options === null) return out;
  for (const key of BUDGET_KEYS) {
    const v = (options as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = assertInt(v, `${name}.${key}`, key === 'maxHeaderDepth' ? 1 : 0, Number.MAX_SAFE_INTEGER);
  }
  return out;
}

/** Running total of float32 output bytes against a budget; `argument` names the file in errors. */
export class OutputMeter {
  total = 0;
  tensors = 0;
  constructor(
    readonly budget: Required<ReadBudget>,
    readonly argument: string,
  ) {}

  /** Counts one tensor of `count` elements; throws OUT_OF_RANGE before it would be allocated. */
  add(name: string, count: number, shape: readonly number[]): void {
    const bytes = count * 4;
    const where = `tensor ${JSON.stringify(name)} [${shape.join(', ')}]`;
    if (++this.tensors > this.budget.maxTensors) {
      throw new OckhamError('OUT_OF_RANGE', this.argument, `more than maxTensors = ${this.budget.maxTensors} tensors`);
    }
    if (bytes > this.budget.maxTensorBytes) {
      throw new OckhamError(
        'OUT_OF_RANGE',
        this.argument,
        `${where} is ${count} elements = ${bytes} bytes as float32, more than maxTensorBytes = ${this.budget.maxTensorBytes}` +
          (count > 2 ** 30 ? ` (one Float32Array holds at most 2³⁰ elements with the default budget; ${MAX_F32_ELEMENTS} on this platform)` : ''),
      );
    }
    this.total += bytes;
    if (this.total > this.budget.maxTotalBytes) {
      throw new OckhamError('OUT_OF_RANGE', this.argument, `tensors up to ${where} total ${this.total} bytes as float32, more than maxTotalBytes = ${this.budget.maxTotalBytes}`);
    }
  }
}

/** Largest Float32Array length this engine allows (Node 20: 2³² − 1 bytes / 4 … engine-specific). */
export const MAX_F32_ELEMENTS = (() => {
  // V8 exposes no constant; the ArrayBuffer limit in Node is buffer.constants.MAX_LENGTH (2³² in Node 20).
  const g = globalThis as { Buffer?: { constants?: { MAX_LENGTH?: number } } };
  const max = g.Buffer?.constants?.MAX_LENGTH;
  return typeof max === 'number' ? Math.floor(max / 4) : 2 ** 30;
})();

/**
 * Allocates `new Float32Array(count)`, turning the engine's RangeError into OUT_OF_RANGE that
 * names the tensor and the limit.
 */
export function allocFloat32(count: number, name: string, argument: string): Float32Array {
  try {
    return new Float32Array(count);
  } catch (e) {
    if (e instanceof RangeError) {
      throw new OckhamError(
        'OUT_OF_RANGE',
        argument,
        `tensor ${JSON.stringify(name)} has ${count} elements, too many for one Float32Array (at most ${MAX_F32_ELEMENTS} on this platform)`,
      );
    }
    throw e;
  }
}
