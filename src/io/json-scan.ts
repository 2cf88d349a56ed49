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
 * @throws {OckhamError} PARSE_ERROR naming the byte offset.
 */
export function scanJson(bytes: Uint8Array, maxDepth: number, argument: string, what: string, shape?: ShapeRules): void {
  const n = bytes.length;
  const maxItems = shape?.maxArrayItems ?? Infinity;
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
      if (shape?.flatArrays && keys.length > 0 && keys[keys.length - 1] === null) {
        throw new OckhamError('PARSE_ERROR', argument, `${what} has ${c === 0x7b ? 'an object' : 'an array'} inside an array (byte ${i}); its arrays are flat lists of integers`);
      }
      keys.push(c === 0x7b ? new Set() : null);
      expectKey.push(c === 0x7b);
      items.push(c === 0x7b ? -1 : 1);
    } else if (c === 0x7d || c === 0x5d) {
      keys.pop();
      expectKey.pop();
      items.pop();
    } else if (c === 0x2c) {
      const top = keys.length - 1;
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
        if (escaped) {
          try {
            key = JSON.parse(`"${key}"`) as string;
          } catch {
            // malformed escape: JSON.parse of the whole text reports it
          }
        }
        const set = keys[top] as Set<string>;
        if (set.has(key)) throw new OckhamError('PARSE_ERROR', argument, `${what} has the key ${JSON.stringify(key)} twice in one object (byte ${start - 1})`);
        set.add(key);
      }
    }
  }
}
