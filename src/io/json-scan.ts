/**
 * A linear pre-scan of untrusted JSON before `JSON.parse`: refuses nesting deeper than a limit and
 * duplicate keys in any object (which `JSON.parse` would silently resolve last-wins). Runs in one
 * pass with memory proportional to the nesting depth plus the keys of the open objects, so a
 * 100 MB header of nested arrays is refused in milliseconds instead of being materialised.
 * It does not validate the JSON otherwise: `JSON.parse` does that afterwards.
 */
import { OckhamError } from '../errors.js';

const utf8 = new TextDecoder('utf-8');

/** Structural rules of {@link scanJson} for formats whose arrays are short flat lists. */
export interface ShapeRules {
  /** Refuse an array or object inside an array (safetensors `shape` / `data_offsets` are flat). */
  flatArrays?: boolean;
  /** Refuse an array directly inside an array (objects inside arrays are allowed). */
  noArrayInArray?: boolean;
  /** Most objects + arrays in the whole document (bounds what `JSON.parse` would build). */
  maxContainers?: number;
  /** Most items in one array. */
  maxArrayItems?: number;
}

/**
 * Scans JSON text (UTF-8 bytes) for nesting depth and duplicate object keys.
 *
 * @param bytes - The JSON bytes.
 * @param maxDepth - Deepest nesting of objects/arrays allowed (the top-level value is depth 1).
 * @param argument - Name used in error messages.
 * @param what - What the JSON is, for messages (e.g. `'header'`).
 * @param shape - Optional structural rules (flat arrays, array length cap).
 * @param spans - When given, receives the byte range of each top-level member's value (a Map,
 *   or a callback called as soon as each member ends, so a caller can validate and refuse early);
 *   keys must then be valid JSON strings and an unbalanced document or trailing bytes are refused.
 * @throws {OckhamError} PARSE_ERROR naming the byte offset.
 */
export function scanJson(
  bytes: Uint8Array,
  maxDepth: number,
  argument: string,
  what: string,
  shape?: ShapeRules,
  spans?: Map<string, [number, number]> | ((key: string, start: number, end: number) => void),
): void {
  const record = (key: string, start: number, end: number): void => {
    if (typeof spans === 'function') spans(key, start, end);
    else spans?.set(key, [start, end]);
  };
  const n = bytes.length;
  // With `spans`: the byte range of each top-level member's value (key → [start, end)).
  let topKey: string | null = null;
  let valueStart = -1;
  const maxItems = shape?.maxArrayItems ?? Infinity;
  const maxContainers = shape?.maxContainers ?? Infinity;
  let containers = 0;
  // Items seen in each open array (commas + 1), -1 for objects.
  const items: number[] = [];
  // Per open container: its key set (objects) or null (arrays), and whether a key comes next.
  const keys: (Set<string> | null)[] = [];
  const expectKey: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c === 0x7b || c === 0x5b) {
      if (keys.length >= maxDepth) {
        throw new OckhamError('PARSE_ERROR', argument, `${what} nests deeper than ${maxDepth} levels (byte ${i})`);
      }
      if (shape && keys.length > 0 && keys[keys.length - 1] === null) {
        if (shape.flatArrays) {
          throw new OckhamError('PARSE_ERROR', argument, `${what} has ${c === 0x7b ? 'an object' : 'an array'} inside an array (byte ${i}); its arrays are flat lists of integers`);
        }
        if (shape.noArrayInArray && c === 0x5b) throw new OckhamError('PARSE_ERROR', argument, `${what} has an array inside an array (byte ${i})`);
      }
      if (++containers > maxContainers) {
        throw new OckhamError('PARSE_ERROR', argument, `${what} has more than ${maxContainers} objects and arrays for its ${n} bytes (byte ${i})`);
      }
      keys.push(c === 0x7b ? new Set() : null);
      expectKey.push(c === 0x7b);
      items.push(c === 0x7b ? -1 : 1);
    } else if (c === 0x7d || c === 0x5d) {
      if (spans && keys.length === 1 && topKey !== null) {
        if (valueStart < 0) throw new OckhamError('PARSE_ERROR', argument, `${what} is not valid JSON: key ${JSON.stringify(topKey)} has no value`);
        record(topKey, valueStart, i);
        topKey = null;
      }
      keys.pop();
      if (spans && keys.length === 0) {
        for (let k = i + 1; k < n; k++) {
          const t = bytes[k];
          if (t !== 0x20 && t !== 0x0a && t !== 0x0d && t !== 0x09) {
            throw new OckhamError('PARSE_ERROR', argument, `${what} is not valid JSON: trailing bytes after the closing brace (byte ${k})`);
          }
        }
        return;
      }
      expectKey.pop();
      items.pop();
    } else if (c === 0x3a) {
      if (spans && keys.length === 1 && topKey !== null && valueStart < 0) valueStart = i + 1;
    } else if (c === 0x2c) {
      const top = keys.length - 1;
      if (spans && top === 0 && topKey !== null) {
        if (valueStart < 0) throw new OckhamError('PARSE_ERROR', argument, `${what} is not valid JSON: key ${JSON.stringify(topKey)} has no value`);
        record(topKey, valueStart, i);
        topKey = null;
      }
      if (top >= 0 && keys[top] !== null) expectKey[top] = true;
      else if (top >= 0 && ++items[top] > maxItems) {
        throw new OckhamError('PARSE_ERROR', argument, `${what} has an array of more than ${maxItems} items (byte ${i})`);
      }
    } else if (c === 0x22) {
      const start = i + 1;
      let escaped = false;
      i++;
      while (i < n && bytes[i] !== 0x22) {
        if (bytes[i] === 0x5c) {
          escaped = true;
          i++;
        }
        i++;
      }
      const top = keys.length - 1;
      if (top >= 0 && expectKey[top]) {
        expectKey[top] = false;
        let key = utf8.decode(bytes.subarray(start, Math.min(i, n)));
        if (escaped || (spans && top === 0)) {
          try {
            key = JSON.parse(`"${key}"`) as string;
          } catch {
            // Malformed: JSON.parse of the whole text reports it — or, when only members are
            // parsed (spans), we must.
            if (spans) throw new OckhamError('PARSE_ERROR', argument, `${what} is not valid JSON: bad key string at byte ${start - 1}`);
          }
        }
        const set = keys[top] as Set<string>;
        if (set.has(key)) throw new OckhamError('PARSE_ERROR', argument, `${what} has the key ${JSON.stringify(key)} twice in one object (byte ${start - 1})`);
        set.add(key);
        if (top === 0) {
          topKey = key;
          valueStart = -1;
        }
      }
    }
  }
  if (spans && keys.length !== 0) {
    throw new OckhamError('PARSE_ERROR', argument, `${what} is not valid JSON: it ends inside an object or array (truncated?)`);
  }
}
