/**
 * TensorFlow.js layers/graph model weights reader (browser-safe): `model.json` with a
 * `weightsManifest` plus binary shards. Each manifest group lists shard `paths` (concatenated in
 * order) and `weights` laid out back to back in that byte stream. Weights may be quantized:
 * `quantization: { dtype: 'uint8' | 'uint16', scale, min }` (value = q·scale + min) or
 * `{ dtype: 'float16' }`, as written by tensorflowjs_converter.
 */
import { OckhamError } from '../errors.js';
import { decodeToFloat32 } from './dtypes.js';
import type { LoadedTensor, WeightsFile } from './types.js';
import { assertKnownOptions } from '../util/validate.js';
import { BUDGET_KEYS, OutputMeter, resolveReadBudget, type ReadBudget } from './budget.js';
import { scanJson } from './json-scan.js';

/** One weight entry of a tfjs weightsManifest. */
export interface TfjsWeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

/** One group of a tfjs weightsManifest. */
export interface TfjsManifestGroup {
  paths: string[];
  weights: TfjsWeightEntry[];
}

function fail(argument: string, message: string): never {
  throw new OckhamError('PARSE_ERROR', argument, message);
}

function asBytes(x: unknown, argument: string): Uint8Array {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  throw new OckhamError('INVALID_ARGUMENT', argument, 'expected a Uint8Array or ArrayBuffer');
}

/** The top-level members of model.json that ockham uses; `modelTopology` is never parsed. */
const MODEL_JSON_KEYS = ['weightsManifest', 'format', 'generatedBy', 'convertedBy'] as const;

/**
 * Turns a model.json given as an object, a JSON string or UTF-8 bytes into an object. Text is
 * held to `maxHeaderBytes` and scanned (nesting depth, duplicate keys, balanced brackets) before
 * any `JSON.parse`; then only the members ockham uses are parsed (`weightsManifest`, `format`,
 * `generatedBy`, `convertedBy`) — the model topology, which can be most of the file, is never
 * materialised — and the manifest's arrays must be flat (groups, paths, weights, shapes).
 */
export function parseModelJson(modelJson: unknown, options?: ReadBudget, argument = 'modelJson'): object {
  let json = modelJson;
  if (json instanceof Uint8Array || json instanceof ArrayBuffer || typeof json === 'string') {
    const budget = resolveReadBudget(options);
    const bytes = typeof json === 'string' ? new TextEncoder().encode(json) : json instanceof ArrayBuffer ? new Uint8Array(json) : json;
    if (bytes.length > budget.maxHeaderBytes) {
      throw new OckhamError('OUT_OF_RANGE', argument, `model.json is ${bytes.length} bytes, more than maxHeaderBytes = ${budget.maxHeaderBytes}`);
    }
    const decoder = new TextDecoder('utf-8', { fatal: true });
    try {
      decoder.decode(bytes);
    } catch {
      fail(argument, 'is not valid UTF-8');
    }
    let first = 0;
    while (first < bytes.length && (bytes[first] === 0x20 || bytes[first] === 0x0a || bytes[first] === 0x0d || bytes[first] === 0x09)) first++;
    if (bytes[first] === 0xef && bytes[first + 1] === 0xbb && bytes[first + 2] === 0xbf) first += 3; // BOM
    if (bytes[first] !== 0x7b) {
      // Not an object: let JSON.parse say why (small or not, it is not a model.json).
      try {
        JSON.parse(decoder.decode(bytes.subarray(0, Math.min(bytes.length, 4096))));
      } catch (e) {
        fail(argument, `is not valid JSON (${(e as Error).message})`);
      }
      fail(argument, 'expected a model.json object');
    }
    const spans = new Map<string, [number, number]>();
    scanJson(bytes, budget.maxHeaderDepth, argument, 'model.json', undefined, spans);
    const out: Record<string, unknown> = {};
    for (const key of MODEL_JSON_KEYS) {
      const span = spans.get(key);
      if (!span) continue;
      const sub = bytes.subarray(span[0], span[1]);
      // A real manifest spends ≥ 20 bytes per object/array ({"name":"a","shape":[1],"dtype":"bool"});
      // `[{},{},…]` spends 3 and would make JSON.parse build millions of objects.
      if (key === 'weightsManifest') {
        scanJson(sub, budget.maxHeaderDepth, argument, 'weightsManifest', { noArrayInArray: true, maxArrayItems: budget.maxTensors, maxContainers: 4096 + Math.floor(sub.length / 16) });
      }
      try {
        out[key] = JSON.parse(decoder.decode(sub));
      } catch (e) {
        fail(argument, `is not valid JSON at "${key}" (${(e as Error).message})`);
      }
    }
    return out;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail(argument, 'expected a model.json object');
  return json;
}

/**
 * Reads and validates the `weightsManifest` of a tfjs `model.json`.
 *
 * @param modelJson - The model.json as an object, a JSON string, or UTF-8 bytes.
 * @param options - Budget ({@link ReadBudget}): `maxHeaderBytes` and `maxHeaderDepth` apply to text.
 * @returns The manifest groups (shallow-validated: paths are strings, weights have name/shape/dtype).
 * @throws {OckhamError} PARSE_ERROR when the JSON or the manifest is malformed; OUT_OF_RANGE over budget.
 * @example
 * import { tfjsManifest } from 'ockham';
 * const groups = tfjsManifest('{"weightsManifest":[{"paths":["group1-shard1of1.bin"],"weights":[]}]}');
 * groups.flatMap((g) => g.paths); // ['group1-shard1of1.bin']
 */
export function tfjsManifest(modelJson: unknown, options?: ReadBudget): TfjsManifestGroup[] {
  const json = parseModelJson(modelJson, options);
  const manifest = (json as Record<string, unknown>).weightsManifest;
  if (!Array.isArray(manifest)) fail('modelJson.weightsManifest', 'expected an array of { paths, weights } groups (is this a TensorFlow.js model.json?)');
  return manifest.map((g, i) => {
    const arg = `modelJson.weightsManifest[${i}]`;
    if (g === null || typeof g !== 'object') fail(arg, 'expected { paths, weights }');
    const { paths, weights } = g as Record<string, unknown>;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) fail(`${arg}.paths`, 'expected an array of strings');
    if (!Array.isArray(weights)) fail(`${arg}.weights`, 'expected an array');
    for (let k = 0; k < weights.length; k++) {
      const w = weights[k] as Record<string, unknown> | null;
      const wa = `${arg}.weights[${k}]`;
      if (w === null || typeof w !== 'object') fail(wa, 'expected { name, shape, dtype }');
      if (typeof w.name !== 'string') fail(`${wa}.name`, 'expected a string');
      if (!Array.isArray(w.shape) || !w.shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
        fail(`${wa}.shape`, 'expected an array of non-negative integers');
      }
      if (typeof w.dtype !== 'string') fail(`${wa}.dtype`, 'expected a string');
      if (w.quantization !== undefined && (w.quantization === null || typeof w.quantization !== 'object')) {
        fail(`${wa}.quantization`, 'expected an object');
      }
    }
    return { paths: paths as string[], weights: weights as TfjsWeightEntry[] };
  });
}

// Maps, not object literals: a dtype named `constructor` or `__proto__` must be unknown.
const PLAIN_SIZE: ReadonlyMap<string, number> = new Map([['float32', 4], ['int32', 4], ['bool', 1]]);
const QUANT_SIZE: ReadonlyMap<string, number> = new Map([['uint8', 1], ['uint16', 2], ['float16', 2]]);

/** Element count and stored bytes per element of one manifest weight; refuses unknown dtypes. */
function weightLayout(w: TfjsWeightEntry, arg: string): { count: number; itemSize: number } {
  let count = 1;
  for (const d of w.shape) count *= d;
  const q = w.quantization;
  let itemSize: number;
  if (q) {
    const size = QUANT_SIZE.get(q.dtype);
    if (size === undefined) throw new OckhamError('UNSUPPORTED', arg, `quantization dtype ${JSON.stringify(q.dtype)} is not supported (uint8, uint16, float16)`);
    itemSize = size;
    if (q.dtype !== 'float16' && (typeof q.scale !== 'number' || typeof q.min !== 'number' || !Number.isFinite(q.scale) || !Number.isFinite(q.min))) {
      fail(arg, `${q.dtype} quantization needs finite numeric scale and min`);
    }
    if (w.dtype !== 'float32' && w.dtype !== 'int32') throw new OckhamError('UNSUPPORTED', arg, `quantized dtype ${w.dtype} is not supported`);
  } else {
    const size = PLAIN_SIZE.get(w.dtype);
    if (size === undefined) throw new OckhamError('UNSUPPORTED', arg, `dtype ${JSON.stringify(w.dtype)} is not supported (float32, int32, bool, quantized uint8/uint16/float16)`);
    itemSize = size;
  }
  return { count, itemSize };
}

/**
 * The bytes each manifest group's shards must hold, computed from the manifest alone, after
 * counting every weight's float32 output against the budget. Lets a file reader refuse a model
 * before reading any shard.
 *
 * @param modelJson - The model.json (object, JSON string, or UTF-8 bytes).
 * @param options - Budget ({@link ReadBudget}).
 * @param argument - Name used in error messages.
 * @returns One byte count per manifest group.
 * @throws {OckhamError} as {@link parseTfjsModel}, without looking at any shard.
 * @example
 * import { tfjsGroupBytes } from 'ockham';
 * tfjsGroupBytes({ weightsManifest: [{ paths: ['a.bin'], weights: [{ name: 'w', shape: [2, 3], dtype: 'float32' }] }] }); // [24]
 */
export function tfjsGroupBytes(modelJson: unknown, options?: ReadBudget, argument = 'modelJson'): number[] {
  const budget = resolveReadBudget(options);
  const groups = tfjsManifest(parseModelJson(modelJson, budget, argument));
  const meter = new OutputMeter(budget, argument);
  return groups.map((g, gi) => {
    let bytes = 0;
    g.weights.forEach((w, wi) => {
      const { count, itemSize } = weightLayout(w, `modelJson.weightsManifest[${gi}].weights[${wi}] (${w.name})`);
      meter.add(w.name, count, w.shape);
      bytes += count * itemSize;
    });
    return bytes;
  });
}

/**
 * Parses TensorFlow.js model weights (model.json + shards) into float32 tensors.
 *
 * Reference: TensorFlow.js `io.decodeWeights` and the converter's weights-manifest format.
 * Supports float32, int32 and bool weights and the converter's quantized uint8 / uint16
 * (q·scale + min, rounded for int32 originals) and float16 (exact) weights. String and complex
 * weights are rejected. The bytes of each group's shards must match its weights exactly.
 *
 * @param modelJson - The model.json (object, JSON string, or UTF-8 bytes).
 * @param shardBuffers - Shard contents, either an array in manifest order (all paths of group
 *   0, then group 1, …) or a record keyed by the manifest's path strings (own properties only).
 * @param options - Budget ({@link ReadBudget}); defaults in {@link READ_BUDGET_DEFAULTS}.
 * @returns `{ format: 'tfjs', tensors, metadata }` in manifest order; metadata has the
 *   model.json's `format`, `generatedBy` and `convertedBy` when present.
 * @throws {OckhamError} PARSE_ERROR for a malformed manifest, missing shards, size mismatches or
 *   quantization parameters that dequantize to ±Infinity; UNSUPPORTED for string/complex dtypes or
 *   unknown quantization; OUT_OF_RANGE when a budget is exceeded.
 * @example
 * import { parseTfjsModel } from 'ockham';
 * // In a browser: const model = await (await fetch('model.json')).json(); the shard likewise.
 * const model = { weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'w', shape: [2], dtype: 'float32' }] }] };
 * const shard = new Uint8Array(new Float32Array([0.5, -1]).buffer);
 * const { tensors } = parseTfjsModel(model, [shard]); // tensors[0].data: Float32Array [0.5, -1]
 */
export function parseTfjsModel(
  modelJson: unknown,
  shardBuffers: ReadonlyArray<Uint8Array | ArrayBuffer> | Readonly<Record<string, Uint8Array | ArrayBuffer>>,
  options?: ReadBudget,
): WeightsFile {
  assertKnownOptions(options, 'options', BUDGET_KEYS);
  const budget = resolveReadBudget(options);
  const json = parseModelJson(modelJson, budget);
  const groups = tfjsManifest(json);
  const meter = new OutputMeter(budget, 'modelJson');
  if (shardBuffers === null || typeof shardBuffers !== 'object') {
    throw new OckhamError('INVALID_ARGUMENT', 'shardBuffers', 'expected an array of shard bytes or a record keyed by path');
  }
  const allPaths = groups.flatMap((g) => g.paths);
  if (Array.isArray(shardBuffers) && shardBuffers.length !== allPaths.length) {
    fail('shardBuffers', `expected ${allPaths.length} shards (${allPaths.join(', ')}), got ${shardBuffers.length}`);
  }
  const tensors: LoadedTensor[] = [];
  let flat = 0;
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi];
    const parts: Uint8Array[] = [];
    for (const path of g.paths) {
      const raw = Array.isArray(shardBuffers)
        ? shardBuffers[flat]
        : Object.prototype.hasOwnProperty.call(shardBuffers, path)
          ? (shardBuffers as Record<string, Uint8Array | ArrayBuffer>)[path]
          : undefined;
      if (raw === undefined) fail('shardBuffers', `shard ${JSON.stringify(path)} is missing`);
      parts.push(asBytes(raw, `shardBuffers[${Array.isArray(shardBuffers) ? flat : JSON.stringify(path)}]`));
      flat++;
    }
    let total = 0;
    for (const p of parts) total += p.length;
    // Weights may straddle shard boundaries: concatenate once unless there is a single shard.
    let buf: Uint8Array;
    if (parts.length === 1) buf = parts[0];
    else {
      buf = new Uint8Array(total);
      let o = 0;
      for (const p of parts) {
        buf.set(p, o);
        o += p.length;
      }
    }
    let offset = 0;
    for (let wi = 0; wi < g.weights.length; wi++) {
      const w = g.weights[wi];
      const arg = `modelJson.weightsManifest[${gi}].weights[${wi}] (${w.name})`;
      const { count, itemSize } = weightLayout(w, arg);
      const q = w.quantization;
      const nbytes = count * itemSize;
      if (offset + nbytes > total) {
        fail(arg, `needs bytes ${offset}..${offset + nbytes} but group ${gi}'s shards hold ${total} bytes`);
      }
      meter.add(w.name, count, w.shape);
      let data: Float32Array;
      let dtype = w.dtype;
      if (!q) {
        data = decodeToFloat32(buf, offset, count, w.dtype === 'float32' ? 'f32' : w.dtype === 'int32' ? 'i32' : 'bool');
      } else if (q.dtype === 'float16') {
        data = decodeToFloat32(buf, offset, count, 'f16');
        dtype = `float16→${w.dtype}`;
        if (w.dtype === 'int32') for (let i = 0; i < count; i++) data[i] = Math.round(data[i]);
      } else {
        // Dequantize in float64, store once as float32 (tfjs computes q*scale+min in float32
        // arithmetic on the JS side as float64 too, then stores into a Float32Array).
        const raw = decodeToFloat32(buf, offset, count, q.dtype === 'uint8' ? 'u8' : 'u16');
        const scale = q.scale as number;
        const min = q.min as number;
        data = raw;
        if (w.dtype === 'int32') for (let i = 0; i < count; i++) data[i] = Math.round(raw[i] * scale + min);
        else for (let i = 0; i < count; i++) data[i] = raw[i] * scale + min;
        dtype = `${q.dtype}→${w.dtype}`;
        for (let i = 0; i < count; i++) {
          if (!Number.isFinite(data[i])) {
            fail(arg, `${q.dtype} quantization (scale ${scale}, min ${min}) dequantizes element ${i} to ${data[i]}: outside the float32 range`);
          }
        }
      }
      tensors.push({ name: w.name, dtype, shape: w.shape.slice(), data });
      offset += nbytes;
    }
    if (offset !== total) fail(`modelJson.weightsManifest[${gi}]`, `weights use ${offset} bytes but the group's shards hold ${total}`);
  }
  const metadata: Record<string, string> = {};
  for (const k of ['format', 'generatedBy', 'convertedBy']) {
    const v = Object.prototype.hasOwnProperty.call(json, k) ? (json as Record<string, unknown>)[k] : undefined;
    if (typeof v === 'string') metadata[k] = v;
  }
  return { format: 'tfjs', tensors, metadata };
}
