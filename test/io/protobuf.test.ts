import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OckhamError } from '../../src/errors.js';
import {
  countPackedVarints,
  forEachField,
  MAX_PROTO_DEPTH,
  protoCursor,
  readFixed32,
  readFixed64,
  readSignedVarint,
  readString,
  readTag,
  readVarint,
  readVarint64,
  subMessage,
} from '../../src/io/protobuf.js';
import { expectOckhamError } from '../helpers.js';
import { encodeVarint, field, lenField } from './protobuf-writer.js';

const cur = (bytes: number[] | Uint8Array) => protoCursor(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));

describe('protobuf wire reader', () => {
  it('decodes the varints of the protobuf encoding guide', () => {
    expect(readVarint(cur([0x01]))).toBe(1);
    expect(readVarint(cur([0x96, 0x01]))).toBe(150);
    expect(readVarint(cur([0xff, 0xff, 0xff, 0xff, 0x0f]))).toBe(2 ** 32 - 1);
    expect(readVarint(cur([0x80, 0x80, 0x80, 0x80, 0x10]))).toBe(2 ** 32);
    // int64 −2 is ten bytes: 0xfe 0xff … 0x01
    expect(readSignedVarint(cur([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(-2);
    expect(readVarint64(cur([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toEqual({ lo: 0xfffffffe, hi: 0xffffffff });
  });

  it('round-trips unsigned varints up to 2^53 and signed int64 values (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        expect(readVarint(cur(encodeVarint(n)))).toBe(n);
      }),
      { seed: 1621, numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), (n) => {
        expect(readSignedVarint(cur(encodeVarint(n)))).toBe(n);
      }),
      { seed: 1622, numRuns: 500 },
    );
  });

  it('reads tags, fixed32/64, strings and nested messages', () => {
    const inner = [...field(1, 0, encodeVarint(7)), ...lenField(2, new TextEncoder().encode('hé'))];
    const msg = new Uint8Array([...lenField(3, inner), ...field(4, 5, [1, 0, 0, 0]), ...field(5, 1, [2, 0, 0, 0, 1, 0, 0, 0])]);
    const c = cur(msg);
    const seen: string[] = [];
    forEachField(c, (f, w) => {
      if (f === 3) {
        const m = subMessage(c);
        forEachField(m, (g) => {
          if (g === 1) seen.push(`v${readVarint(m)}`);
          else seen.push(readString(m));
        });
      } else if (f === 4) seen.push(`f32:${readFixed32(c)}`);
      else if (f === 5) seen.push(`f64:${JSON.stringify(readFixed64(c))}`);
      else return false;
      expect([0, 1, 2, 5]).toContain(w);
    });
    expect(seen).toEqual(['v7', 'hé', 'f32:1', 'f64:{"lo":2,"hi":1}']);
  });

  it('skips unknown fields of every wire type', () => {
    const msg = new Uint8Array([...field(9, 0, encodeVarint(300)), ...field(10, 1, Array(8).fill(0)), ...lenField(11, [1, 2, 3]), ...field(12, 5, [0, 0, 0, 0]), ...field(1, 0, [5])]);
    const c = cur(msg);
    let v = -1;
    forEachField(c, (f) => {
      if (f !== 1) return false;
      v = readVarint(c);
    });
    expect(v).toBe(5);
  });

  it('counts packed varints and refuses a truncated one', () => {
    const packed = new Uint8Array([...encodeVarint(1), ...encodeVarint(300), ...encodeVarint(2 ** 40)]);
    expect(countPackedVarints(cur(packed), 0, packed.length)).toBe(3);
    expectOckhamError(() => countPackedVarints(cur([0x80]), 0, 1), { code: 'PARSE_ERROR', message: /truncated varint/ });
  });

  const bad: [string, number[], RegExp][] = [
    ['a truncated varint', [0x96], /truncated varint/],
    ['an 11-byte varint', Array(11).fill(0x80), /longer than 10 bytes/],
    ['a length past the end', [0x0a, 0x05, 1, 2], /runs past the end/],
    ['a group (wire type 3)', [0x0b], /wire type 3/],
    ['field number 0', [0x00, 0x01], /field number 0/],
    ['a truncated fixed32', [0x0d, 1, 2], /truncated fixed32/],
    ['a truncated fixed64', [0x09, 1, 2, 3, 4], /truncated fixed64/],
  ];
  for (const [what, bytes, msg] of bad) {
    it(`refuses ${what}`, () => {
      expectOckhamError(() => forEachField(cur(bytes), () => false), { code: 'PARSE_ERROR', argument: 'bytes', message: msg });
    });
  }

  it('refuses invalid UTF-8 in a string field', () => {
    const c = cur([0x0a, 0x01, 0xff]);
    readTag(c);
    expectOckhamError(() => readString(c), { code: 'PARSE_ERROR', message: /UTF-8/ });
  });

  it(`limits nesting to ${MAX_PROTO_DEPTH} messages`, () => {
    let msg: number[] = [];
    for (let i = 0; i < MAX_PROTO_DEPTH + 2; i++) msg = lenField(1, msg);
    const descend = (c: ReturnType<typeof cur>): void => forEachField(c, () => descend(subMessage(c)));
    expectOckhamError(() => descend(cur(msg)), { code: 'PARSE_ERROR', message: /nested deeper than 64/ });
  });

  it('random bytes: a generic walk ends in a result or an OckhamError (fixed seed)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const walk = (c: ReturnType<typeof cur>): void =>
          forEachField(c, (f, w) => {
            if (w !== 2) return false;
            walk(subMessage(c));
          });
        try {
          walk(cur(bytes));
        } catch (e) {
          if (!(e instanceof OckhamError)) throw e;
        }
      }),
      { seed: 1623, numRuns: 2000 },
    );
  });
});
