import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OckhamError } from '../../src/errors.js';
import { unpickle, type PickleGlobal } from '../../src/io/pickle.js';
import { PYTORCH_ALLOWED_GLOBALS } from '../../src/io/pytorch.js';
import { expectOckhamError } from '../helpers.js';
import { pk } from './pickle-builder.js';

const le32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
/** SHORT_BINUNICODE of an ASCII string. */
const su = (s: string): (number | string)[] => [0x8c, s.length, s];

describe('unpickle: values (protocol 2–5 opcodes)', () => {
  it('reads pickle.dumps({"a": [1, 2.5]}, protocol=2)', () => {
    const bytes = pk(0x80, 2, '}q', 0, 'X', le32(1), 'aq', 1, ']q', 2, '(K', 1, 'G', [0x40, 4, 0, 0, 0, 0, 0, 0], 'es.');
    const { value, end } = unpickle(bytes);
    expect(value).toEqual(new Map([['a', [1, 2.5]]]));
    expect(end).toBe(bytes.length);
  });

  it('reads integers of every width, booleans, None, bytes and tuples', () => {
    // (J -2, M 65535, LONG1 2^40, LONG1 -1, LONG1 2^64 (bigint), True, False, None, b'xy', 3-tuple)
    const bytes = pk(
      0x80, 4, '(',
      'J', le32(-2 >>> 0),
      'M', 0xff, 0xff,
      0x8a, 6, [0, 0, 0, 0, 0, 1],
      0x8a, 1, 0xff,
      0x8a, 9, [0, 0, 0, 0, 0, 0, 0, 0, 1],
      0x88, 0x89, 'N',
      'C', 2, 'xy',
      'K', 1, 'K', 2, 'K', 3, 0x87,
      'l.',
    );
    const { value } = unpickle(bytes);
    expect(value).toEqual([-2, 65535, 2 ** 40, -1, 2n ** 64n, true, false, null, new Uint8Array([120, 121]), [1, 2, 3]]);
  });

  it('reads protocol-4 frames, MEMOIZE and STACK_GLOBAL through an allow-list', () => {
    const globals = new Map<string, PickleGlobal>([['m.f', { call: (a) => `f(${a.join(',')})` }]]);
    const bytes = pk(0x80, 4, 0x95, [0, 0, 0, 0, 0, 0, 0, 0], ...su('m'), 0x94, ...su('f'), 0x94, 0x93, 0x94, 'K', 7, 0x85, 'R', 'h', 2, 'K', 8, 0x85, 'R', 0x86, '.');
    expect(unpickle(bytes, { globals }).value).toEqual(['f(7)', 'f(8)']);
  });

  it('reads the text opcodes of protocol 0 that carry numbers and globals', () => {
    const globals = new Map<string, PickleGlobal>([['m.f', { call: (a) => a[0] }]]);
    const bytes = pk('(I42\nI01\nL-7L\nF0.25\ncm\nf\n(I3\ntRp0\ng0\nl.');
    expect(unpickle(bytes, { globals }).value).toEqual([42, true, -7, 0.25, 3, 3]);
  });

  it('keeps a list that contains itself (memo) without looping', () => {
    const bytes = pk(0x80, 2, ']q', 0, 'h', 0, 'a.');
    const v = unpickle(bytes).value as unknown[];
    expect(v[0]).toBe(v);
  });

  it('resolves persistent ids only through the callback', () => {
    const bytes = pk(0x80, 2, ...su('k'), 0x85, 'Q.');
    expect(unpickle(bytes, { persistentLoad: (pid) => ({ got: pid }) }).value).toEqual({ got: ['k'] });
    expectOckhamError(() => unpickle(bytes), { code: 'UNSUPPORTED', message: /persistent id/ });
  });
});

describe('unpickle: refuses what would run code', () => {
  const payloads: [string, Uint8Array, RegExp][] = [
    ['os.system via GLOBAL', pk(0x80, 2, 'cposix\nsystem\nq', 0, 'X', le32(22), 'touch /tmp/ockham-pwned', 0x85, 'R.'), /"posix\.system" \(Python 3: "os\.system"\)/],
    ['builtins.eval via STACK_GLOBAL', pk(0x80, 4, ...su('builtins'), ...su('eval'), 0x93, ...su('1+1'), 0x85, 'R.'), /"builtins\.eval"/],
    ['subprocess.Popen via NEWOBJ', pk(0x80, 2, 'csubprocess\nPopen\n', ']', ...su('touch'), 'a', 0x85, 0x81, '.'), /"subprocess\.Popen"/],
    ['an unknown class', pk(0x80, 2, 'c__main__\nEvil\n)R.'), /"__main__\.Evil"/],
    ['a global hidden after a valid prefix', pk(0x80, 2, '(K', 1, 'K', 2, 'cos\nsystem\n'), /"os\.system"/],
  ];
  for (const [what, bytes, name] of payloads) {
    it(`refuses ${what}, naming it`, () => {
      expectOckhamError(() => unpickle(bytes, { globals: new Map(PYTORCH_ALLOWED_GLOBALS.map((g) => [g, { call: () => 0 }])) }), {
        code: 'UNSUPPORTED',
        message: name,
      });
    });
  }

  it('refuses calling a global that may only be referenced', () => {
    const globals = new Map<string, PickleGlobal>([['torch.FloatStorage', {}]]);
    expectOckhamError(() => unpickle(pk(0x80, 2, 'ctorch\nFloatStorage\n)R.'), { globals }), { code: 'UNSUPPORTED', message: /referenced but not called/ });
  });

  it('refuses INST, OBJ, EXT*, out-of-band buffers and quoted strings', () => {
    const cases = [
      pk('(ios\nsystem\n.'),
      pk('(o.'),
      pk(0x80, 2, 0x82, 1, '.'),
      pk(0x80, 2, 0x83, 1, 0, '.'),
      pk(0x80, 5, 0x97, '.'),
      pk(0x80, 5, 0x98, '.'),
      pk("S'x'\n."),
      pk('Vx\n.'),
    ];
    for (const c of cases) expectOckhamError(() => unpickle(c), { code: 'UNSUPPORTED' });
  });

  it('refuses protocols above 5 and oversized integers', () => {
    expectOckhamError(() => unpickle(pk(0x80, 6, 'N.')), { code: 'UNSUPPORTED' });
    expectOckhamError(() => unpickle(pk(0x8b, le32(1 << 20), '.')), { code: 'UNSUPPORTED', message: /integer of 1048576 bytes/ });
  });
});

describe('unpickle: malformed input is a typed error', () => {
  const bad: [string, Uint8Array, RegExp][] = [
    ['empty', pk(), /ended without STOP/],
    ['no STOP', pk(0x80, 2, 'N'), /ended without STOP/],
    ['truncated string', pk(0x80, 2, 'X', le32(100), 'ab'), /truncated/],
    ['stack underflow', pk(0x80, 2, 't.'), /no MARK/],
    ['pop on empty', pk('0.'), /underflow/],
    ['two values at STOP', pk('NN.'), /STOP with 2 values/],
    ['unknown memo key', pk('h', 9, '.'), /never stored/],
    ['unknown opcode', pk(0xff), /unknown opcode 0xff/],
    ['SETITEM on a list', pk(']NNs.'), /not a dict/],
    ['APPEND on a dict', pk('}Na.'), /not a list/],
    ['REDUCE on a string', pk(...su('x'), ')R.'), /not a global/],
    ['bad text integer', pk('I12x\n.'), /bad integer/],
    ['invalid UTF-8', pk('X', le32(1), 0xff, '.'), /UTF-8/],
    ['8-byte length beyond 2^53', pk(0x8d, [0, 0, 0, 0, 0, 0, 0x40, 0], '.'), /2⁵³/],
  ];
  for (const [what, bytes, msg] of bad) {
    it(what, () => {
      expectOckhamError(() => unpickle(bytes), { code: 'PARSE_ERROR', argument: 'bytes', message: msg });
    });
  }

  it('caps the memo', () => {
    const bytes = pk('N', 'q', 0, 'q', 1, 'q', 2, '.');
    expect(unpickle(bytes, { maxMemo: 3 }).value).toBe(null);
    expectOckhamError(() => unpickle(bytes, { maxMemo: 2 }), { code: 'OUT_OF_RANGE', message: /more than 2 memo entries/ });
  });
});

describe('unpickle: fuzzing (fixed seeds)', () => {
  const globals = new Map(PYTORCH_ALLOWED_GLOBALS.map((g): [string, PickleGlobal] => [g, {}]));
  const typedOrValue = (bytes: Uint8Array): void => {
    const t0 = performance.now();
    try {
      unpickle(bytes, { globals, persistentLoad: (p) => p });
    } catch (e) {
      if (!(e instanceof OckhamError)) throw e;
    }
    expect(performance.now() - t0).toBeLessThan(1000);
  };

  it('random bytes: a value or an OckhamError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), typedOrValue), { seed: 1601, numRuns: 2000 });
  });

  it('random opcode sequences (valid opcodes, random arguments): a value or an OckhamError', () => {
    const ops = [0x28, 0x2e, 0x30, 0x31, 0x32, 0x4e, 0x88, 0x89, 0x4b, 0x4d, 0x4a, 0x8a, 0x58, 0x8c, 0x43, 0x7d, 0x5d, 0x29, 0x85, 0x86, 0x87, 0x74, 0x6c, 0x64, 0x61, 0x65, 0x73, 0x75, 0x71, 0x68, 0x94, 0x52, 0x81, 0x62, 0x51, 0x93, 0x8f, 0x90, 0x91];
    const arb = fc.array(fc.tuple(fc.constantFrom(...ops), fc.uint8Array({ minLength: 0, maxLength: 3 })), { maxLength: 80 }).map((seq) => {
      const parts: number[] = [0x80, 2];
      for (const [op, arg] of seq) parts.push(op, ...arg);
      parts.push(0x2e);
      return new Uint8Array(parts);
    });
    fc.assert(fc.property(arb, typedOrValue), { seed: 1602, numRuns: 1500 });
  });
});
