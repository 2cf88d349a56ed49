/**
 * Escaping of untrusted text (tensor names, metadata, paths, error messages) before it reaches a
 * terminal, a JSON document or an SVG file. A name such as `"\x1b[2J\nTOTAL …"` must print as
 * visible characters, never clear the screen or forge a table row.
 */

// C0 controls, DEL, C1 controls (U+009B is a one-byte CSI on some terminals), the Unicode bidi
// controls (can reorder what a reader sees), line/paragraph separators, and lone surrogates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const UNSAFE_KEEP_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Makes one untrusted field printable on a terminal: every control character (including newline
 * and tab), DEL, C1 control, bidi control and lone surrogate becomes a visible `\xNN` / `\uNNNN`
 * (`\n`, `\r`, `\t` for those three).
 */
export function escapeControl(s: string): string {
  return s.replace(UNSAFE, visible);
}

/** As {@link escapeControl} but keeps `\n`: for whole multi-line outputs whose fields were already escaped. */
export function escapeOutput(s: string): string {
  return s.replace(UNSAFE_KEEP_NEWLINE, visible);
}

/**
 * Escapes the characters `JSON.stringify` leaves raw but a terminal may act on (DEL, C1
 * controls, bidi controls, U+2028/9, lone surrogates) as `\uNNNN`. They only occur inside JSON
 * strings, so the result is valid JSON that parses to the same value.
 */
export function escapeJson(json: string): string {
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
