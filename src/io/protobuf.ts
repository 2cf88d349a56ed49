/**
 * A small protocol-buffers wire-format reader (browser-safe), enough to walk ONNX models.
 *
 * Why not protobufjs: the ONNX reader needs only a handful of fields of four messages
 * (ModelProto → GraphProto → TensorProto → StringStringEntryProto), read once, straight into
 * typed arrays. A wire-format reader of this size needs no code generation, no `.proto` file at
 * run time, no `eval`/`Function` (protobufjs generates code at run time unless pre-compiled),
 * adds no dependency, runs in browsers, and lets every length and count be checked against the
 * bytes that are actually there before anything is allocated.
 *
 * Reference: https://protobuf.dev/programming-guides/encoding/ (varint, 64-bit, length-delimited,
 * 32-bit wire types; groups, wire types 3 and 4, are refused).
 */
import { OckhamError } from '../errors.js';

/** A read position inside `bytes[pos, end)`; `depth` counts nested messages. */
export interface ProtoCursor {
  bytes: Uint8Array;
  pos: number;
  end: number;
  depth: number;
  /** Name used in error messages (e.g. `bytes` or a path). */
  argument: string;
}

/** Wire types: 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit. */
export type WireType = 0 | 1 | 2 | 5;

/** Deepest nesting of messages {@link subMessage} allows. */
export const MAX_PROTO_DEPTH = 64;

function fail(c: ProtoCursor, message: string): never {
  throw new OckhamError('PARSE_ERROR', c.argument, `protobuf: ${message} (at byte ${c.pos})`);
}

/**
 * A cursor over `bytes[start, end)` (whole array by default).
 *
 * @param bytes - Encoded message.
 * @param argument - Name used in error messages.
 * @returns A cursor at depth 0.
 */
export function protoCursor(bytes: Uint8Array, argument = 'bytes', start = 0, end = bytes.length): ProtoCursor {
  return { bytes, pos: start, end, depth: 0, argument };
}

/**
 * Reads an unsigned varint as a number: exact below 2⁵³, rounded above (callers that need
 * exact 64-bit values use {@link readVarint64}). At most 10 bytes; refuses a truncated varint.
 */
export function readVarint(c: ProtoCursor): number {
  const { lo, hi } = readVarint64(c);
  return hi * 4294967296 + lo;
}

/** Reads a varint as its low and high 32-bit halves (both unsigned). */
export function readVarint64(c: ProtoCursor): { lo: number; hi: number } {
  const b = c.bytes;
  let lo = 0;
  let hi = 0;
  let shift = 0;
  for (let i = 0; i < 10; i++) {
    if (c.pos >= c.end) fail(c, 'truncated varint');
    const byte = b[c.pos++];
    const bits = byte & 0x7f;
    if (shift < 28) lo |= bits << shift;
    else if (shift === 28) {
      lo |= (bits & 0x0f) << 28;
      hi |= bits >>> 4;
    } else hi |= bits << (shift - 32);
    if ((byte & 0x80) === 0) return { lo: lo >>> 0, hi: hi >>> 0 };
    shift += 7;
  }
  fail(c, 'varint longer than 10 bytes');
}

/** Reads a varint as a signed two's-complement int64 (e.g. `int64` fields), as a number. */
export function readSignedVarint(c: ProtoCursor): number {
  const { lo, hi } = readVarint64(c);
  return (hi | 0) * 4294967296 + lo;
}

/** Reads a field key; returns the field number and wire type. */
export function readTag(c: ProtoCursor): { field: number; wireType: WireType } {
  const key = readVarint(c);
  const wireType = key % 8;
  const field = Math.floor(key / 8);
  if (field < 1 || field > 536870911) fail(c, `field number ${field} is out of range`);
  if (wireType !== 0 && wireType !== 1 && wireType !== 2 && wireType !== 5) {
    fail(c, `wire type ${wireType} of field ${field} is not supported (groups are deprecated)`);
  }
  return { field, wireType };
}

/** Reads a length prefix and returns the range [start, end) it covers, checked against the cursor's end. */
export function readLength(c: ProtoCursor): { start: number; end: number } {
  const len = readVarint(c);
  if (len > c.end - c.pos) fail(c, `length ${len} runs past the end of its message (${c.end - c.pos} bytes left)`);
  const start = c.pos;
  c.pos += len;
  return { start, end: c.pos };
}

/** Reads a length-delimited field as a nested message cursor (one level deeper; capped at {@link MAX_PROTO_DEPTH}). */
export function subMessage(c: ProtoCursor): ProtoCursor {
  if (c.depth + 1 > MAX_PROTO_DEPTH) fail(c, `messages nested deeper than ${MAX_PROTO_DEPTH}`);
  const { start, end } = readLength(c);
  return { bytes: c.bytes, pos: start, end, depth: c.depth + 1, argument: c.argument };
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads a length-delimited field as UTF-8 text (invalid UTF-8 is an error). */
export function readString(c: ProtoCursor): string {
  const { start, end } = readLength(c);
  try {
    return decoder.decode(c.bytes.subarray(start, end));
  } catch {
    c.pos = start;
    fail(c, 'string field is not valid UTF-8');
  }
}

/** Reads 4 bytes little-endian as an unsigned 32-bit integer. */
export function readFixed32(c: ProtoCursor): number {
  if (c.end - c.pos < 4) fail(c, 'truncated fixed32');
  const b = c.bytes;
  const p = c.pos;
  c.pos += 4;
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

/** Reads 8 bytes little-endian as low and high unsigned 32-bit halves. */
export function readFixed64(c: ProtoCursor): { lo: number; hi: number } {
  if (c.end - c.pos < 8) fail(c, 'truncated fixed64');
  const lo = readFixed32(c);
  const hi = readFixed32(c);
  return { lo, hi };
}

/** Skips the value of a field of the given wire type. */
export function skipField(c: ProtoCursor, wireType: WireType): void {
  switch (wireType) {
    case 0:
      readVarint64(c);
      return;
    case 1:
      readFixed64(c);
      return;
    case 2:
      readLength(c);
      return;
    case 5:
      readFixed32(c);
      return;
  }
}

/**
 * Counts the varints in `bytes[start, end)` (a packed repeated field), checking that the range
 * holds whole varints. Used to size an output array before decoding into it.
 */
export function countPackedVarints(c: ProtoCursor, start: number, end: number): number {
  const b = c.bytes;
  let n = 0;
  let run = 0;
  for (let i = start; i < end; i++) {
    if (b[i] & 0x80) {
      if (++run >= 10) fail(c, 'varint longer than 10 bytes in a packed field');
    } else {
      run = 0;
      n++;
    }
  }
  if (run !== 0) fail(c, 'truncated varint at the end of a packed field');
  return n;
}

/**
 * One generic pass over a message: calls `visit(field, wireType)` for each field, with the
 * cursor at the field's value; `visit` must consume the value (or return `false` to have it
 * skipped). Ends exactly at the message end or throws.
 */
export function forEachField(c: ProtoCursor, visit: (field: number, wireType: WireType) => boolean | void): void {
  while (c.pos < c.end) {
    const { field, wireType } = readTag(c);
    const before = c.pos;
    if (visit(field, wireType) === false) {
      c.pos = before;
      skipField(c, wireType);
    }
  }
  if (c.pos !== c.end) fail(c, 'field runs past the end of its message');
}
