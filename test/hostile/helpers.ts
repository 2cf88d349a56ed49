/** Shared helpers of the hostile-input suite (test/hostile). */
import { expect } from 'vitest';
import { OckhamError } from '../../src/errors.js';

/** Each hostile case must be refused within this many milliseconds. */
export const CASE_MS = 1000;

/**
 * Runs `fn`, expects it to throw (or reject with) an OckhamError of `code` whose argument is
 * `argument` (or contains it) and whose message matches `message`, within {@link CASE_MS}.
 */
export async function refused(fn: () => unknown, code: string, argument: string, message?: RegExp): Promise<OckhamError> {
  const t0 = performance.now();
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  const ms = performance.now() - t0;
  expect(err, 'expected a refusal').toBeInstanceOf(OckhamError);
  const e = err as OckhamError;
  expect(e.code, e.message).toBe(code);
  expect(e.argument, e.message).toContain(argument);
  if (message) expect(e.message).toMatch(message);
  expect(ms, `refused after ${ms.toFixed(0)} ms`).toBeLessThan(CASE_MS);
  return e;
}

/** A safetensors file from a raw header object (or JSON text) and data bytes. */
export function safetensorsBytes(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  let json = typeof header === 'string' ? header : JSON.stringify(header);
  while (json.length % 8) json += ' ';
  const h = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + h.length + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, h.length % 2 ** 32, true);
  dv.setUint32(4, Math.floor(h.length / 2 ** 32), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/**
 * Checks that `svg` is well-formed XML 1.0 in the subset our charts use: balanced tags, quoted
 * attributes, no raw `<` or `&` (other than entity references) in text or attribute values, and
 * only characters XML allows.
 */
export function assertWellFormedXml(svg: string): void {
  // XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
  expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"<]*")*)\s*(\/?)>|<\?xml[^?]*\?>|<!--[\s\S]*?-->/y;
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;
  let i = 0;
  while (i < svg.length) {
    const c = svg[i];
    if (c === '<') {
      tag.lastIndex = i;
      const m = tag.exec(svg);
      expect(m, `malformed markup at ${i}: ${JSON.stringify(svg.slice(i, i + 40))}`).not.toBeNull();
      const [all, close, name, attrs, self] = m!;
      if (name) {
        for (const a of (attrs ?? '').matchAll(/"([^"]*)"/g)) {
          expect(a[1].replace(/&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, '')).not.toMatch(/[&<]/);
        }
        if (close) expect(stack.pop(), `unbalanced </${name}>`).toBe(name);
        else if (!self) stack.push(name);
      }
      i += all.length;
    } else if (c === '&') {
      entity.lastIndex = i;
      const m = entity.exec(svg);
      expect(m, `raw & at ${i}: ${JSON.stringify(svg.slice(i, i + 20))}`).not.toBeNull();
      i += m![0].length;
    } else i++;
  }
  expect(stack, 'unclosed tags').toEqual([]);
}
